import path from 'node:path';
import { pathsComment } from '../image/config.js';
import { layerPlaces } from '../image/docker-archive.js';
import type { Layer } from '../layer/layer.js';
import { UserError } from '../errors.js';
import type { BaseImage } from '../image/base-image.js';
import type { PackedMembers } from '../layer/store-layer.js';
import type { LayerWorkers, LayerTarget } from '../layer/workers.js';
import type { TarSettings } from '../layer/tar-header.js';
import { formatBytes, Progress, type Logger } from '../log.js';
import { mapLimit } from '../util/pool.js';
import { RateLimit } from '../util/rate-limit.js';
import type { LayerCache, LayerMeta } from './cache.js';
import { LAYER_FORMAT_VERSION } from './key.js';
import { checkCachedLayer } from './verify.js';

/** One store layer of the plan, and what the cache had for it. */
export interface PlannedLayer {
  index: number;
  paths: string[];
  key: string;
  /** An entry whose metadata passed; its bytes are checked as they are copied. */
  cached?: { file: string; meta: LayerMeta };
  /** False when the cache holds an entry (even a bad, immutable one). */
  saveable: boolean;
}

// Cache calls are mostly waiting on the network; more of them than cores.
const CACHE_CONCURRENCY = 8;
const SAVES_PER_MINUTE = new RateLimit(200, 60_000);

/** Looks up every layer's key and keeps the entries whose metadata fits. */
export async function lookupStoreLayers(
  plan: readonly { paths: string[]; key: string }[],
  cache: LayerCache | undefined,
  log: Logger,
): Promise<PlannedLayer[]> {
  const planned = plan.map(({ paths, key }, index): PlannedLayer => ({ index, paths, key, saveable: true }));
  if (cache === undefined) return planned;
  const found = await mapLimit(planned, CACHE_CONCURRENCY, async (layer): Promise<PlannedLayer> => {
    const entry = await cache.restore(layer.key);
    if (entry === undefined) return layer;
    const verdict = await checkCachedLayer(entry, layer);
    if (!verdict.ok) return { ...layer, saveable: await notUsed(layer, verdict.reason, cache, log) };
    return { ...layer, saveable: false, cached: { file: entry.file, meta: verdict.meta } };
  });
  const hits = found.filter((l) => l.cached !== undefined);
  const bytes = hits.reduce((n, l) => n + (l.cached?.meta.size ?? 0), 0);
  log.info(`${hits.length} of ${plan.length} store layers found in the ${cache.description} (${formatBytes(bytes)})`);
  return found;
}

/**
 * Puts every store layer into its place in the image file `output`, in
 * parallel on the layer workers, largest first so that no big layer starts
 * last while the other core idles: cached layers are copied (and checked on
 * the way), the others built. A cached layer that fails its check is built
 * in its place; should it come out another size, every layer is placed and
 * written again. Built layers that the cache should get are also written
 * to `work`, for saveNewLayers.
 */
export async function writeStoreLayers(
  planned: PlannedLayer[],
  opts: {
    output: { file: string; label: string };
    /** Where the first store layer's header goes (after any base image's layers). */
    from: number;
    settings: TarSettings;
    work: string;
    cache: LayerCache | undefined;
    workers: LayerWorkers;
    concurrency: number;
    log: Logger;
  },
): Promise<Layer[]> {
  const { log, workers } = opts;
  const missing = planned.filter((l) => l.cached === undefined);
  const sizes = planned.map((l) => l.cached?.meta.size ?? 0);
  // Each walk's members go to its write, once: held only until then.
  const walked = new Map<number, PackedMembers>();
  const walk = async (l: PlannedLayer) => {
    const { members, size } = await workers.walk(l.paths, opts.settings);
    walked.set(l.index, members);
    return size;
  };
  await mapLimit(missing, opts.concurrency, async (l) => {
    sizes[l.index] = await walk(l);
  });
  log.info(`${missing.length} store layers to build (${formatBytes(missing.reduce((n, l) => n + (sizes[l.index] as number), 0))})`);
  for (;;) {
    const { offsets } = layerPlaces(sizes, opts.from);
    const layers = new Array<Layer>(planned.length);
    const moved: PlannedLayer[] = [];
    const progress = new Progress(log, 'written', sizes.reduce((a, b) => a + b, 0));
    const order = [...planned].sort((a, b) => (sizes[b.index] as number) - (sizes[a.index] as number) || a.index - b.index);
    try {
      await mapLimit(order, opts.concurrency, async (layer) => {
        const target: LayerTarget = { ...opts.output, offset: offsets[layer.index] as number, size: sizes[layer.index] as number };
        const onBytes = (n: number) => progress.add(n);
        const comment = pathsComment('store paths', layer.paths);
        if (layer.cached !== undefined) {
          const { meta, file } = layer.cached;
          const copied = await workers.copy({ source: { file, offset: 0, paths: layer.paths }, target }, onBytes);
          const bad = 'bad' in copied ? copied.bad : copied.digest !== meta.digest ? `its layer hashes to ${copied.digest}, its metadata says ${meta.digest}` : undefined;
          if (bad === undefined) {
            layers[layer.index] = { digest: meta.digest, size: meta.size, paths: layer.paths, source: 'restored', comment };
            return;
          }
          layer.cached = undefined;
          layer.saveable = await notUsed(layer, bad, opts.cache, log);
          const size = await walk(layer);
          if (size !== target.size) {
            sizes[layer.index] = size;
            moved.push(layer);
            return;
          }
        }
        const copyTo = opts.cache !== undefined && layer.saveable ? layerFile(opts.work, layer) : undefined;
        const members = walked.get(layer.index) ?? (await workers.walk(layer.paths, opts.settings)).members;
        walked.delete(layer.index);
        const { digest, size } = await workers.write({ members, settings: opts.settings, target, copyTo }, onBytes);
        log.info(`layer ${layer.index + 1}: ${digest} ${formatBytes(size)}, ${layer.paths.length} store path(s)`);
        layers[layer.index] = { digest, size, paths: layer.paths, source: 'built', comment };
      });
    } finally {
      progress.end();
    }
    if (moved.length === 0) return layers;
    log.info(`${moved.length} store layer(s) rebuilt at another size than the cache said; writing the layers again in their new places`);
  }
}

/** Copies a base image's layers into their places, each checked against its diff_id. */
export async function copyBaseLayers(
  base: BaseImage,
  opts: { output: { file: string; label: string }; workers: LayerWorkers; onBytes: (n: number) => void },
): Promise<Layer[]> {
  const { offsets } = layerPlaces(base.layers.map((l) => l.size));
  return Promise.all(
    base.layers.map(async (layer, i): Promise<Layer> => {
      const target: LayerTarget = { ...opts.output, offset: offsets[i] as number, size: layer.size };
      const copied = await opts.workers.copy({ source: { file: base.file, offset: layer.offset, paths: undefined }, target }, opts.onBytes);
      if ('bad' in copied) throw new UserError(`fromImage ${base.file}: layer ${layer.member} ${copied.bad.replace(/^its layer /, '')}`);
      if (copied.digest !== layer.diffId) {
        throw new UserError(`fromImage ${base.file}: layer ${layer.member} hashes to ${copied.digest}, not the diff_id ${layer.diffId} its config gives`);
      }
      return { digest: layer.diffId, size: layer.size, paths: [], source: 'base', comment: `base image ${path.basename(base.file)}, layer ${i + 1}` };
    }),
  );
}

/** Warns that a cache entry was refused; returns whether a new one may be saved. */
async function notUsed(layer: PlannedLayer, reason: string, cache: LayerCache | undefined, log: Logger): Promise<boolean> {
  const what = layer.paths.length === 1 ? layer.paths[0] : `${layer.paths.length} store paths`;
  log.warning(`cached layer ${layer.index + 1} (${what}) was not used: ${reason}; building it instead`);
  return cache === undefined ? false : cache.discard(layer.key);
}

/**
 * Saves the layers built now whose keys the cache did not have, throttled
 * to the Actions cache's rate limit. Resolves to the number saved.
 */
export function saveNewLayers(
  planned: readonly PlannedLayer[],
  layers: readonly Layer[],
  cache: LayerCache | undefined,
  work: string,
): Promise<number> {
  if (cache === undefined) return Promise.resolve(0);
  const toSave = planned.filter((l) => layers[l.index]?.source === 'built' && l.saveable);
  return mapLimit(toSave, CACHE_CONCURRENCY, async (l) => {
    await SAVES_PER_MINUTE.acquire();
    const layer = layers[l.index] as Layer;
    const meta: LayerMeta = { format: LAYER_FORMAT_VERSION, key: l.key, digest: layer.digest, size: layer.size, paths: [...l.paths] };
    return cache.save(l.key, layerFile(work, l), meta);
  }).then((saved) => saved.filter(Boolean).length);
}

function layerFile(work: string, layer: PlannedLayer): string {
  return path.join(work, `store-${layer.index}.tar`);
}
