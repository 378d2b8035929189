import path from 'node:path';
import type { Logger } from '../log.js';
import { pathsComment } from '../image/config.js';
import { fileLayer, type Layer } from '../layer/layer.js';
import { FileSink } from '../layer/sink.js';
import { writeStoreLayer } from '../layer/store-layer.js';
import type { TarSettings } from '../layer/tar-header.js';
import { mapLimit } from '../util/pool.js';
import { RateLimit } from '../util/rate-limit.js';
import type { LayerCache, LayerMeta } from './cache.js';
import { LAYER_FORMAT_VERSION, layerCacheKey } from './key.js';
import { verifyCachedLayer } from './verify.js';

export interface StoreLayersInput {
  plan: readonly string[][];
  settings: TarSettings;
  cache: LayerCache | undefined;
  /** Scratch folder for built layers; must outlive `saving`. */
  work: string;
  concurrency: number;
  log: Logger;
}

export interface StoreLayers {
  layers: Layer[];
  /** Saves of newly built layers, running while the image is assembled. */
  saving: Promise<number>;
}

// Cache calls are mostly waiting on the network; more of them than cores.
const CACHE_CONCURRENCY = 8;
const SAVES_PER_MINUTE = new RateLimit(200, 60_000);

/**
 * Every store layer of the plan, restored from the cache when a verified
 * entry exists and built otherwise, in parallel. New layers are saved in the
 * background; a layer the lookup found (even a bad, immutable one) is not.
 */
export async function restoreOrBuildStoreLayers(input: StoreLayersInput): Promise<StoreLayers> {
  const { plan, settings, cache, log } = input;
  const keys = plan.map((paths) => layerCacheKey(paths, settings));

  const found = cache === undefined ? plan.map(() => undefined) : await mapLimit(plan, CACHE_CONCURRENCY, (paths, i) => restoreOne(cache, keys[i] as string, paths, i, log));
  const restored = found.filter((f) => f?.layer !== undefined).length;
  if (cache !== undefined) log.info(`cache: ${restored} of ${plan.length} store layers restored from the ${cache.description}`);

  const layers = await mapLimit(plan, input.concurrency, async (paths, i): Promise<Layer> => {
    const hit = found[i]?.layer;
    if (hit !== undefined) return hit;
    const file = path.join(input.work, `store-${i}.tar`);
    const sink = await FileSink.create(file);
    const { digest, size } = await writeStoreLayer(paths, settings, sink).finally(() => sink.close());
    log.info(`layer ${i + 1}: built ${digest.slice(7, 19)}, ${size} bytes, ${paths.length} store path(s)`);
    return fileLayer(file, { digest, size, paths, source: 'built', comment: pathsComment('store paths', paths) });
  });

  const toSave = cache === undefined ? [] : layers.map((layer, i) => ({ layer, i })).filter(({ layer, i }) => layer.source === 'built' && found[i]?.saveable !== false);
  const saving =
    cache === undefined
      ? Promise.resolve(0)
      : mapLimit(toSave, CACHE_CONCURRENCY, async ({ layer, i }) => {
          await SAVES_PER_MINUTE.acquire();
          const meta: LayerMeta = { format: LAYER_FORMAT_VERSION, key: keys[i] as string, digest: layer.digest, size: layer.size, paths: [...layer.paths] };
          return cache.save(meta.key, path.join(input.work, `store-${i}.tar`), meta);
        }).then((saved) => saved.filter(Boolean).length);
  return { layers, saving };
}

/** A verified layer, or whether a fresh save may replace what was found. */
async function restoreOne(
  cache: LayerCache,
  key: string,
  paths: string[],
  i: number,
  log: Logger,
): Promise<{ layer?: Layer; saveable: boolean } | undefined> {
  const entry = await cache.restore(key);
  if (entry === undefined) return undefined;
  const verdict = await verifyCachedLayer(entry, { key, paths });
  if (!verdict.ok) {
    log.warning(`cached layer ${i + 1} (${paths.length === 1 ? paths[0] : `${paths.length} store paths`}) was not used: ${verdict.reason}; building it instead`);
    return { saveable: await cache.discard(key) };
  }
  const { digest, size } = verdict.meta;
  const layer = fileLayer(entry.file, { digest, size, paths, source: 'restored', comment: pathsComment('store paths', paths) });
  return { layer, saveable: false };
}
