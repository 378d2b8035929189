import { formatBytes, type Logger } from '../log.js';
import { queryClosure, type Closure } from '../nix/closure.js';
import type { Roots } from '../nix/roots.js';
import { closureFromSubstituters, openSubstituters } from '../nix/substituters.js';
import { DEFAULTS } from '../inputs/table.js';
import { input } from '../inputs/marker.js';
import { UserError } from '../errors.js';
import type { BuildOptions } from '../options.js';
import { planStoreLayers } from './layers.js';

/** The closure of the image's roots and its store layers, each logged in its own group. */
export async function closureAndPlan(opts: BuildOptions, roots: Roots, log: Logger) {
  const { contents, configRoots, base } = roots;
  const closure = await log.group('Closure', async () => {
    const found = await closureOf(opts, roots, log);
    const narBytes = [...found.paths.values()].reduce((n, p) => n + p.narSize, 0);
    const remote = found.remote === undefined ? '' : `; ${found.remote.size} of them read from binary caches (${formatBytes([...found.remote.values()].reduce((n, r) => n + r.info.narSize, 0))} of NARs at most)`;
    log.info(`${found.paths.size} store paths, ${formatBytes(narBytes)}, from ${contents.length} contents and ${configRoots.length} store paths in the config${remote}`);
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


/**
 * The closure from the local store when every root is there; else the
 * local roots' from it and the others' from the substituters' narinfos.
 * The same closure gives the same plan, wherever its paths are.
 */
async function closureOf(opts: BuildOptions, roots: Roots, log: Logger): Promise<Closure> {
  const all = [...roots.contents, ...roots.configRoots];
  if (roots.missing.size === 0) return queryClosure(all);
  // Its registrations come from the local Nix database.
  if (opts.includeNixDB) throw new UserError(`${input('includeNixDB')} needs the image's store paths in the local Nix store; ${[...roots.missing.values()][0] ?? ''} is not there`);
  const local = await queryClosure(all.filter((p) => !roots.missing.has(p)));
  const subs = await openSubstituters(opts.substituters, { retries: opts.push?.retries ?? DEFAULT_RETRIES, log });
  const found = await closureFromSubstituters(roots.missing, local.paths, subs);
  const paths = new Map([...local.paths, ...found.paths].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  log.info(`${found.paths.size} store paths described by ${subs.caches.map((c) => c.name).join(', ')}`);
  return { roots: [...new Set(all)].sort(), paths, remote: found.remote };
}

const DEFAULT_RETRIES = Number(DEFAULTS.retries);
