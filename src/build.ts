import { randomBytes } from 'node:crypto';
import { lstat, mkdtemp, open, realpath, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { digestHex, type Digest } from './digest.js';
import { UserError, asUserError, errnoCode } from './errors.js';
import { configDigest, imageConfigJson, pathsComment } from './image/config.js';
import { dockerArchiveSink } from './image/docker-archive.js';
import { ActionsCache } from './cache/actions.js';
import type { LayerCache } from './cache/cache.js';
import { DirectoryCache } from './cache/directory.js';
import { buildMissingLayers, restoreStoreLayers, saveNewLayers } from './cache/layers.js';
import { mergeContents, writeCustomisationLayer } from './layer/customisation.js';
import { fileLayer } from './layer/layer.js';
import { FileSink } from './layer/sink.js';
import { formatBytes, onceEach, Progress, quietLogger, type Logger } from './log.js';
import { queryClosure } from './nix/closure.js';
import { resolveStorePath, storePathsIn } from './nix/store.js';
import type { BuildOptions } from './options.js';
import { planLayers } from './plan/layers.js';
import { trackTemporary, untrackTemporary } from './util/temp.js';
import { imagePopularityOrder } from './plan/popularity.js';

export interface LayerReport {
  digest: Digest;
  size: number;
  paths: string[];
  source: 'built' | 'restored';
}

export interface BuildReport {
  imagePath: string;
  imageName: string;
  imageTag: string;
  imageId: Digest;
  layerDigests: Digest[];
  layers: LayerReport[];
  /** Bytes of the docker-archive written. */
  imageSize: number;
  /** Store layers restored, built, and newly saved to the cache. */
  cache: { restored: number; built: number; saved: number };
}

/** inputs → closure → plan → layers → image → docker-archive at `output`. */
export async function build(opts: BuildOptions, logger: Logger = quietLogger): Promise<BuildReport> {
  const log = onceEach(logger);
  // Every check of the user's input comes before any work or progress line.
  const contents: string[] = [];
  for (const c of opts.contents) {
    // One at a time, so the first bad argument is the one reported.
    const p = await resolveStorePath(c);
    if (!contents.includes(p)) contents.push(p);
  }
  const configRoots = await configStorePaths(opts);
  if (contents.length === 0 && configRoots.length === 0) {
    throw new UserError('nothing to put in the image: give contents, or store paths in the config');
  }
  const root = await mergeContents(contents);
  const output = await reserveOutput(opts.output);

  const closure = await log.group('Closure', async () => {
    const found = await queryClosure([...contents, ...configRoots]);
    const narBytes = [...found.paths.values()].reduce((n, p) => n + p.narSize, 0);
    log.info(`${found.paths.size} store paths, ${formatBytes(narBytes)}, from ${contents.length} contents and ${configRoots.length} store paths in the config`);
    return found;
  });
  const plan = await log.group('Plan', () => {
    const references = new Map([...closure.paths].map(([p, info]) => [p, info.references]));
    const layers = planLayers(imagePopularityOrder(references, { contents, config: configRoots }), opts.maxLayers);
    const grouped = layers.filter((l) => l.length > 1);
    log.info(`${layers.length} store layers and the customisation layer (maxLayers ${opts.maxLayers})${grouped.length > 0 ? `; the last store layer holds ${grouped[0]?.length} paths` : ''}`);
    return layers;
  });

  const work = await mkdtemp(path.join(path.dirname(output.target), '.layered-image-')).catch((e: unknown) =>
    asUserError(e, `cannot create a work folder beside ${opts.output}`),
  );
  trackTemporary(work);
  trackTemporary(output.tmp);
  let saving: Promise<number> = Promise.resolve(0);
  try {
    const cache = openCache(opts, log);
    const planned = await log.group('Cache restore', async () => {
      if (cache === undefined) log.info('no layer cache');
      return restoreStoreLayers(plan, opts.storeLayerSettings, cache, opts.concurrency, log);
    });
    const sizeOf = (paths: readonly string[]) => paths.reduce((n, p) => n + (closure.paths.get(p)?.narSize ?? 0), 0);
    const estimatedBytes = sizeOf(planned.filter((l) => l.restored === undefined).flatMap((l) => l.paths));
    const storeLayers = await log.group('Build layers', () =>
      buildMissingLayers(planned, { settings: opts.storeLayerSettings, work, concurrency: opts.concurrency, estimatedBytes, sizeOf, log }),
    );
    // Saves run in the background while the image is assembled; they must
    // finish before `work` goes.
    saving = saveNewLayers(planned, storeLayers, cache, work);

    const image = await log.group('Assemble image', async () => {
      const customFile = path.join(work, 'customisation.tar');
      const sink = await FileSink.create(customFile);
      const custom = await writeCustomisationLayer(root, opts.storeLayerSettings, sink).finally(() => sink.close());
      const layers = [
        ...storeLayers,
        fileLayer(customFile, { ...custom, paths: [], source: 'built', comment: pathsComment('customisation layer, contents', contents) }),
      ];
      const configJson = imageConfigJson({ architecture: opts.architecture, created: opts.created, config: opts.config, layers });
      const imageId = configDigest(configJson);
      // A tag derived from the config is stable across machines and changes
      // whenever any layer or setting does.
      const imageTag = opts.tag ?? digestHex(imageId).slice(0, 32);
      const total = layers.reduce((n, l) => n + l.size, 0);
      const progress = new Progress(log, 'written', total);
      try {
        await dockerArchiveSink(output.tmp, { onBytes: (n) => progress.add(n) })
          .write({ configJson, repoTag: `${opts.name}:${imageTag}`, layers })
          .catch((e: unknown) => asUserError(e, `cannot write output ${opts.output}`));
      } finally {
        progress.end();
      }
      await rename(output.tmp, output.target).catch((e: unknown) => asUserError(e, `cannot write output ${opts.output}`));
      const imageSize = (await stat(output.target)).size;
      log.info(`${opts.output}: ${opts.name}:${imageTag}, ${layers.length} layers, ${formatBytes(imageSize)}`);
      return { layers, imageId, imageTag, imageSize };
    });

    const saved = await log.group('Cache save', async () => {
      const n = await saving;
      if (cache !== undefined) log.info(`${n} new store layers saved to the ${cache.description}`);
      else log.info('no layer cache');
      return n;
    });
    const restored = storeLayers.filter((l) => l.source === 'restored').length;
    return {
      imagePath: opts.output,
      imageName: opts.name,
      imageTag: image.imageTag,
      imageId: image.imageId,
      imageSize: image.imageSize,
      layerDigests: image.layers.map((l) => l.digest),
      layers: image.layers.map((l) => ({ digest: l.digest, size: l.size, paths: [...l.paths], source: l.source })),
      cache: { restored, built: storeLayers.length - restored, saved },
    };
  } finally {
    await saving.catch(() => 0);
    await rm(work, { recursive: true, force: true });
    await unlink(output.tmp).catch(() => {});
    untrackTemporary(work);
    untrackTemporary(output.tmp);
  }
}

function openCache(opts: BuildOptions, log: Logger): LayerCache | undefined {
  const warn = (m: string) => log.warning(m);
  switch (opts.cache.kind) {
    case 'none':
      return undefined;
    case 'directory':
      return new DirectoryCache(opts.cache.dir, warn);
    case 'actions':
      if (ActionsCache.available()) return new ActionsCache(opts.cache.dir, warn);
      log.warning('the GitHub Actions cache service is not available here; building every layer without a cache');
      return undefined;
  }
}

/** Store paths named anywhere in the config are closure roots too. */
async function configStorePaths(opts: BuildOptions): Promise<string[]> {
  const found = [...new Set(storePathsIn(JSON.stringify(opts.config)))].sort();
  for (const p of found) {
    try {
      await lstat(p);
    } catch {
      throw new UserError(`config refers to ${p}, which is not in the Nix store`);
    }
  }
  return found;
}

/**
 * Checks that the output can be written before any work is done, and keeps
 * a temporary name beside it: the image appears under its real name only
 * once complete, and an existing file there is untouched until then. Only a
 * regular file (or a link to one, which is followed) is ever replaced.
 */
async function reserveOutput(output: string): Promise<{ target: string; tmp: string }> {
  let target = output;
  const st = await stat(output).catch(() => undefined);
  if (st !== undefined) {
    if (st.isDirectory()) throw new UserError(`output ${output} is a directory`);
    if (!st.isFile()) throw new UserError(`output ${output} exists and is not a regular file; it is left alone`);
    target = await realpath(output);
  } else if ((await lstat(output).catch(() => undefined))?.isSymbolicLink()) {
    throw new UserError(`output ${output} is a symlink to nothing`);
  }
  const tmp = path.join(path.dirname(target), `.layered-image-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    await (await open(tmp, 'wx', 0o644)).close();
    await unlink(tmp);
  } catch (e) {
    throw new UserError(`output ${output} cannot be written: ${errnoCode(e) ?? String(e)}`);
  }
  return { target, tmp };
}
