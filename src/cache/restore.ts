import type { Compression } from '../layer/compress.js';
import type { LayerWorkers } from '../layer/workers.js';
import { formatBytes, type Logger } from '../log.js';
import { mapLimit } from '../util/pool.js';
import type { LayerCache } from './cache.js';
import type { CacheFindings, RestoredBlob } from './findings.js';
import { blobCacheKey } from './key.js';
import type { BlobLead } from './record.js';
import { checkCachedBlob } from './verify.js';

// Cache calls are mostly waiting on the network; more of them than cores.
export const CACHE_CONCURRENCY = 8;

/** A store layer whose blob is wanted: its place in the image, paths and key. */
export interface WantedLayer {
  index: number;
  key: string;
  paths: readonly string[];
  /** Its size as the closure's NAR sizes tell it, before it is walked: an estimate of the work to build it. */
  estimate?: number;
}

/** The cache, the record's leads and the workers, for restores; what they find goes to `findings`. */
export interface RestoreContext {
  cache: LayerCache;
  leads: readonly BlobLead[];
  compression: Exclude<Compression, 'none'>;
  workers: LayerWorkers;
  findings: CacheFindings;
  log: Logger;
}

/** The layers of `wanted` the record says the cache holds a blob of, with the layer's and the blob's recorded sizes. */
export function recordedLayers<L extends WantedLayer>(wanted: readonly L[], ctx: Pick<RestoreContext, 'leads' | 'compression'>): (L & { size: number; blobSize: number })[] {
  const leads = new Map(ctx.leads.filter((l) => l.cached === true && l.bad !== true && l.compression === ctx.compression).map((l) => [l.key, l]));
  return wanted.flatMap((l) => {
    const lead = leads.get(l.key);
    return lead === undefined ? [] : [{ ...l, size: lead.size, blobSize: lead.blobSize }];
  });
}

/**
 * Restores one layer's blob and checks it through on the layer workers
 * (checkBlobBytes). Undefined when the layer must be built instead.
 */
export async function restoreBlob(layer: WantedLayer, ctx: RestoreContext): Promise<RestoredBlob | undefined> {
  const { findings } = ctx;
  const key = blobCacheKey(layer.key, ctx.compression);
  const entry = await ctx.cache.restoreBlob(key);
  if (entry === undefined) {
    // A miss from a service that has stopped answering says nothing of what it holds.
    if (!ctx.cache.degraded) findings.refuted(layer.key);
    return undefined;
  }
  const verdict = await checkCachedBlob(entry, { key: layer.key, compression: ctx.compression, paths: layer.paths });
  // The metadata says how much layer the blob makes; a bomb would say far more than the store paths hold.
  const bound = layer.estimate === undefined ? Infinity : layer.estimate * 2 + (16 << 20);
  const tooLarge = verdict.ok && verdict.meta.size > bound ? `its metadata says the layer has ${verdict.meta.size} bytes; its store paths hold about ${layer.estimate ?? 0}` : undefined;
  const bad = !verdict.ok ? verdict.reason : (tooLarge ?? (await ctx.workers.checkBlob(entry.file, verdict.meta)).bad);
  if (bad === undefined && verdict.ok) {
    const blob = { meta: verdict.meta, file: entry.file, own: entry.own === true };
    findings.restored(layer.key, blob);
    return blob;
  }
  const what = layer.paths.length === 1 ? layer.paths[0] : `${layer.paths.length} store paths`;
  ctx.log.warning(`cached blob of layer ${layer.index + 1} (${what}) was not used: ${bad ?? 'refused'}; building it instead`);
  findings.refuted(layer.key);
  if (!(await ctx.cache.discard(key))) findings.unsaveable(layer.key);
  return undefined;
}

/** Restores every recorded blob of `wanted`, 8 at a time (for an image whose layers are all built anyway). */
export async function restoreBlobs(wanted: readonly WantedLayer[], ctx: RestoreContext): Promise<void> {
  const asked = recordedLayers(wanted, ctx);
  for (const l of asked) ctx.findings.recorded(l.key);
  await mapLimit(asked, CACHE_CONCURRENCY, (layer) => restoreBlob(layer, ctx));
  logRestores(ctx, asked.length, wanted.length);
}

export function logRestores(ctx: RestoreContext, asked: number, wanted: number): void {
  const { findings } = ctx;
  const bad = findings.refutedCount;
  ctx.log.info(
    `${findings.restoredCount} of ${wanted} layer blobs restored from the ${ctx.cache.description} (${formatBytes(findings.restoredBytes)}); ${asked} recorded there${bad > 0 ? `, ${bad} of them not usable` : ''}`,
  );
}
