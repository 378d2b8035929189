import type { BaseImage } from '../image/base-image.js';
import { formatBytes, type Logger } from '../log.js';
import { queryClosure } from '../nix/closure.js';
import type { BuildOptions } from '../options.js';
import { planStoreLayers } from './layers.js';

/** The closure of the image's roots and its store layers, each logged in its own group. */
export async function closureAndPlan(opts: BuildOptions, contents: string[], configRoots: string[], base: BaseImage | undefined, log: Logger) {
  const closure = await log.group('Closure', async () => {
    const found = await queryClosure([...contents, ...configRoots]);
    const narBytes = [...found.paths.values()].reduce((n, p) => n + p.narSize, 0);
    log.info(`${found.paths.size} store paths, ${formatBytes(narBytes)}, from ${contents.length} contents and ${configRoots.length} store paths in the config`);
    return found;
  });
  const planned = await log.group('Plan', () => {
    const infos = [...closure.paths.values()];
    const layers = planStoreLayers({
      references: new Map(infos.map((info) => [info.path, info.references])),
      sizes: new Map(infos.map((info) => [info.path, info.narSize])),
      roots: { contents, config: configRoots },
      // The customisation layer and a base image's layers count too.
      layers: opts.maxLayers - 1 - (base?.layers.length ?? 0),
      layering: opts.layering,
      groupPopular: opts.groupPopular,
      hints: opts.hints,
      exclude: base?.storePaths ?? new Set(),
    });
    const shared = layers.filter((l) => l.paths.length > 1).length;
    const fromBase = base === undefined ? '' : `${base.layers.length} base image layers (${[...closure.paths.keys()].filter((p) => base.storePaths.has(p)).length} store paths already in them), `;
    log.info(`${fromBase}${layers.length} store layers and the customisation layer (${opts.maxLayers} layers at most, layering ${opts.layering}); ${shared} store layer(s) hold several paths`);
    return layers;
  });
  return { closure, planned };
}

