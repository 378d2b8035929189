import path from 'node:path';
import { pathsComment } from '../image/config.js';
import { fileLayer, type Layer } from '../layer/layer.js';
import { LayerWorkers } from '../layer/workers.js';
import type { TarSettings } from '../layer/tar-header.js';
import { formatBytes, Progress, type Logger } from '../log.js';
import { mapLimit } from '../util/pool.js';
import { RateLimit } from '../util/rate-limit.js';
import type { LayerCache, LayerMeta } from './cache.js';
import { LAYER_FORMAT_VERSION, layerCacheKey } from './key.js';
import { verifyCachedLayer } from './verify.js';

/** One store layer of the plan, and what the cache had for it. */
export interface PlannedLayer {
  index: number;
  paths: string[];
  key: string;
  restored?: Layer;
  /** False when the cache holds an entry (even a bad, immutable one). */
  saveable: boolean;
}

// Cache calls are mostly waiting on the network; more of them than cores.
const CACHE_CONCURRENCY = 8;
const SAVES_PER_MINUTE = new RateLimit(200, 60_000);

/** Looks up every layer's key and keeps the entries that pass verification. */
export async function restoreStoreLayers(
  plan: readonly string[][],
  settings: TarSettings,
  cache: LayerCache | undefined,
  concurrency: number,
  log: Logger,
): Promise<PlannedLayer[]> {
  const planned = plan.map((paths, index) => ({ index, paths, key: layerCacheKey(paths, settings), saveable: true }));
  if (cache === undefined) return planned;
  // Verification reads and hashes every restored byte: on worker threads.
  const readers = new LayerWorkers(concurrency);
  const restored = await mapLimit(planned, CACHE_CONCURRENCY, async (layer): Promise<PlannedLayer> => {
    const entry = await cache.restore(layer.key);
    if (entry === undefined) return layer;
    const verdict = await verifyCachedLayer(entry, layer, (file, size) => readers.scan(file, size));
    if (!verdict.ok) {
      const what = layer.paths.length === 1 ? layer.paths[0] : `${layer.paths.length} store paths`;
      log.warning(`cached layer ${layer.index + 1} (${what}) was not used: ${verdict.reason}; building it instead`);
      return { ...layer, saveable: await cache.discard(layer.key) };
    }
    const { digest, size } = verdict.meta;
    const comment = pathsComment('store paths', layer.paths);
    return { ...layer, saveable: false, restored: fileLayer(entry.file, { digest, size, paths: layer.paths, source: 'restored', comment }) };
  }).finally(() => readers.close());
  const hits = restored.filter((l) => l.restored !== undefined);
  const bytes = hits.reduce((n, l) => n + (l.restored?.size ?? 0), 0);
  log.info(`${hits.length} of ${plan.length} store layers restored from the ${cache.description} (${formatBytes(bytes)})`);
  return restored;
}

/** Builds, in parallel, every layer the cache did not give. */
export async function buildMissingLayers(
  planned: readonly PlannedLayer[],
  opts: {
    settings: TarSettings;
    work: string;
    concurrency: number;
    estimatedBytes: number;
    /** Bytes a layer of these paths will hold, roughly: the order of building. */
    sizeOf: (paths: readonly string[]) => number;
    log: Logger;
  },
): Promise<Layer[]> {
  const missing = planned.filter((l) => l.restored === undefined);
  opts.log.info(`${missing.length} store layers to build, about ${formatBytes(opts.estimatedBytes)} to read`);
  const progress = new Progress(opts.log, 'built', opts.estimatedBytes);
  const writers = new LayerWorkers(Math.min(opts.concurrency, missing.length));
  try {
    // Largest first, so no big layer starts last while the other cores idle.
    const order = [...planned].sort((a, b) => (opts.sizeOf(b.paths) - opts.sizeOf(a.paths)) || a.index - b.index);
    const built = await mapLimit(order, opts.concurrency, async (layer): Promise<Layer> => {
      if (layer.restored !== undefined) return layer.restored;
      const file = layerFile(opts.work, layer);
      const task = { paths: layer.paths, settings: opts.settings, file };
      const { digest, size } = await writers.write(task, (n) => progress.add(n));
      opts.log.info(`layer ${layer.index + 1}: ${digest} ${formatBytes(size)}, ${layer.paths.length} store path(s)`);
      return fileLayer(file, { digest, size, paths: layer.paths, source: 'built', comment: pathsComment('store paths', layer.paths) });
    });
    const layers = new Array<Layer>(planned.length);
    order.forEach((layer, i) => (layers[layer.index] = built[i] as Layer));
    return layers;
  } finally {
    progress.end();
    await writers.close();
  }
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
  const toSave = planned.filter((l) => l.restored === undefined && l.saveable);
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

