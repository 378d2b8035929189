import { performance } from 'node:perf_hooks';
import type { Compression } from '../layer/compress.js';
import type { LayerWorkers } from '../layer/workers.js';
import { formatBytes, type Logger } from '../log.js';
import type { BlobLead } from '../registry/known-layers.js';
import { mapLimit } from '../util/pool.js';
import { RateLimit } from '../util/rate-limit.js';
import type { BlobMeta, LayerCache } from './cache.js';
import { BLOB_FORMAT_VERSION, blobCacheKey } from './key.js';
import { checkCachedBlob } from './verify.js';

/** A blob restored from the cache and checked through: usable as it is. */
export interface RestoredBlob {
  meta: BlobMeta;
  file: string;
}

/** What the cache gave for the store layers asked about, by layer key. */
export interface BlobLookup {
  restored: Map<string, RestoredBlob>;
  /** Layers whose recorded entry was missing or refused: the record must stop saying it is there. */
  refuted: Set<string>;
  /** Layers whose entry is there but bad and immutable: never saved over. */
  unsaveable: Set<string>;
  /** Layers the record says the cache holds: a blob built for one of them anyway (it lost the race) is not saved again. */
  recorded: Set<string>;
}

// Cache calls are mostly waiting on the network; more of them than cores.
const CACHE_CONCURRENCY = 8;
const SAVES_PER_MINUTE = new RateLimit(200, 60_000);

/** A store layer whose blob is wanted: its place in the image, paths and key. */
export interface WantedLayer {
  index: number;
  key: string;
  paths: readonly string[];
  /** Its size as the closure's NAR sizes tell it, before it is walked: an estimate of the work to build it. */
  estimate?: number;
}

/** The cache, the record's leads and the workers, for restores. */
export interface RestoreContext {
  cache: LayerCache;
  leads: readonly BlobLead[];
  compression: Exclude<Compression, 'none'>;
  workers: LayerWorkers;
  log: Logger;
}

/** A lookup that knows, from the record, which layers' entries were found bad (immutable) by earlier runs. */
export function emptyLookup(leads: readonly BlobLead[] = [], compression?: Compression): BlobLookup {
  const bad = leads.filter((l) => l.bad === true && l.compression === compression).map((l) => l.key);
  return { restored: new Map(), refuted: new Set(), unsaveable: new Set(bad), recorded: new Set() };
}

/** The layers of `wanted` the record says the cache holds a blob of, with the layer's and the blob's recorded sizes. */
export function recordedLayers<L extends WantedLayer>(wanted: readonly L[], ctx: RestoreContext): (L & { size: number; blobSize: number })[] {
  const leads = new Map(ctx.leads.filter((l) => l.cached === true && l.bad !== true && l.compression === ctx.compression).map((l) => [l.key, l]));
  return wanted.flatMap((l) => {
    const lead = leads.get(l.key);
    return lead === undefined ? [] : [{ ...l, size: lead.size, blobSize: lead.blobSize }];
  });
}

/**
 * Restores one layer's blob and checks it through on the layer workers
 * (checkBlobBytes); records the outcome in `lookup`, which the saver reads
 * as it goes. Undefined when the
 * layer must be built instead.
 */
export async function restoreBlob(layer: WantedLayer, ctx: RestoreContext, lookup: BlobLookup): Promise<RestoredBlob | undefined> {
  const key = blobCacheKey(layer.key, ctx.compression);
  const entry = await ctx.cache.restoreBlob(key);
  if (entry === undefined) {
    // A miss from a service that has stopped answering says nothing of what it holds.
    if (!ctx.cache.degraded) lookup.refuted.add(layer.key);
    return undefined;
  }
  const verdict = await checkCachedBlob(entry, { key: layer.key, compression: ctx.compression, paths: layer.paths });
  // The metadata says how much layer the blob makes; a bomb would say far more than the store paths hold.
  const bound = layer.estimate === undefined ? Infinity : layer.estimate * 2 + (16 << 20);
  const tooLarge = verdict.ok && verdict.meta.size > bound ? `its metadata says the layer has ${verdict.meta.size} bytes; its store paths hold about ${layer.estimate ?? 0}` : undefined;
  const bad = !verdict.ok ? verdict.reason : (tooLarge ?? (await ctx.workers.checkBlob(entry.file, verdict.meta)).bad);
  if (bad === undefined && verdict.ok) {
    const blob = { meta: verdict.meta, file: entry.file };
    lookup.restored.set(layer.key, blob);
    return blob;
  }
  const what = layer.paths.length === 1 ? layer.paths[0] : `${layer.paths.length} store paths`;
  ctx.log.warning(`cached blob of layer ${layer.index + 1} (${what}) was not used: ${bad ?? 'refused'}; building it instead`);
  lookup.refuted.add(layer.key);
  if (!(await ctx.cache.discard(key))) lookup.unsaveable.add(layer.key);
  return undefined;
}

/** Restores every recorded blob of `wanted`, 8 at a time (for a docker-archive, whose layers are all built anyway). */
export async function restoreBlobs(wanted: readonly WantedLayer[], ctx: RestoreContext, lookup: BlobLookup): Promise<void> {
  const asked = recordedLayers(wanted, ctx);
  for (const l of asked) lookup.recorded.add(l.key);
  await mapLimit(asked, CACHE_CONCURRENCY, (layer) => restoreBlob(layer, ctx, lookup));
  logRestores(lookup, asked.length, wanted.length, ctx);
}

/**
 * Makes the blob of every layer of `wanted` one of two ways at once: the
 * network restores recorded blobs from the largest down, while the cores
 * build and compress the layers the cache lacks and, while the restores
 * left would outlast that work (at the rates measured so far), recorded
 * layers from the smallest up, so that both ends finish together. Which is
 * cheaper depends on the runner's bandwidth and cores, unknown beforehand;
 * racing them, a slow cache costs little more than none (the cores wait
 * only for the restores in flight at the end), and a fast one takes most
 * of the bytes. A blob found bad
 * is built. A local cache is not raced: reading a blob from disk beats
 * compressing it.
 */
export async function restoreOrBuild(
  wanted: readonly WantedLayer[],
  ctx: RestoreContext & { builders: number; build: (layer: WantedLayer) => Promise<void> },
  lookup: BlobLookup,
): Promise<void> {
  const recorded = recordedLayers(wanted, ctx).sort((a, b) => b.size - a.size || a.index - b.index);
  const onRecord = new Set(recorded.map((l) => l.key));
  for (const k of onRecord) lookup.recorded.add(k);
  // Largest first: no big layer starts last while a core idles, and its blob's save starts early.
  const toBuild: WantedLayer[] = wanted.filter((l) => !onRecord.has(l.key)).sort(largestFirst);
  const started = performance.now();
  const rates = { restoredBytes: 0, builtBytes: 0, buildMs: 0 };
  let restoring = 0;
  const waiting: (() => void)[] = [];
  const woken = () => new Promise<void>((resolve) => waiting.push(resolve));
  // Whether the restores not yet started would outlast the builders' own work, at the rates seen so far.
  const restoresOutlast = (): boolean => {
    if (!ctx.cache.remote || recorded.length === 0) return false;
    if (toBuild.length === 0) return true;
    if (rates.restoredBytes === 0 || rates.buildMs === 0) return false;
    const netRate = rates.restoredBytes / (performance.now() - started);
    const buildRate = (rates.builtBytes / rates.buildMs) * ctx.builders;
    const restoreLeft = recorded.reduce((n, l) => n + l.blobSize, 0) / netRate;
    const buildLeft = toBuild.reduce((n, l) => n + (l.estimate ?? 0), 0) / buildRate;
    return restoreLeft > buildLeft;
  };
  // The first failure stops the taking of work; it is thrown once every
  // job in flight has ended, so none is left writing into `work`.
  let failure: { error: unknown } | undefined;
  const guarded = (fn: () => Promise<void>) => async () => {
    try {
      await fn();
    } catch (e) {
      failure ??= { error: e };
      recorded.length = 0;
      toBuild.length = 0;
      for (const wake of waiting.splice(0)) wake();
    }
  };
  const restorer = async () => {
    for (let layer = recorded.shift(); layer !== undefined; layer = recorded.shift()) {
      restoring++;
      try {
        const blob = await restoreBlob(layer, ctx, lookup);
        if (blob !== undefined) rates.restoredBytes += blob.meta.blobSize;
        else if (failure === undefined) toBuild.push(layer);
      } finally {
        restoring--;
        for (const wake of waiting.splice(0)) wake();
      }
    }
  };
  const builder = async () => {
    for (;;) {
      const layer = restoresOutlast() ? recorded.pop() : toBuild.shift();
      if (layer !== undefined) {
        const t = performance.now();
        await ctx.build(layer);
        rates.buildMs += performance.now() - t;
        rates.builtBytes += layer.estimate ?? 0;
        continue;
      }
      if (restoring === 0 || failure !== undefined) return;
      // Nothing to take now: a restore in flight may yet fail and need building.
      await woken();
    }
  };
  const asked = recorded.length;
  await Promise.all([...Array.from({ length: CACHE_CONCURRENCY }, guarded(restorer)), ...Array.from({ length: ctx.builders }, guarded(builder))]);
  if (failure !== undefined) throw failure.error;
  logRestores(lookup, asked, wanted.length, ctx);
}

/** By estimated size, largest first; then in image order. */
export function largestFirst(a: WantedLayer, b: WantedLayer): number {
  return (b.estimate ?? 0) - (a.estimate ?? 0) || a.index - b.index;
}

function logRestores(lookup: BlobLookup, asked: number, wanted: number, ctx: RestoreContext): void {
  const bytes = [...lookup.restored.values()].reduce((n, b) => n + b.meta.blobSize, 0);
  const bad = [...lookup.refuted].length;
  ctx.log.info(
    `${lookup.restored.size} of ${wanted} layer blobs restored from the ${ctx.cache.description} (${formatBytes(bytes)}); ${asked} recorded there${bad > 0 ? `, ${bad} of them not usable` : ''}`,
  );
}

/**
 * Saves blobs as they are made, in the background, so that uploads overlap
 * the compression of the layers after them; throttled to the Actions
 * cache's rate limit. Only layers at least the backend's `minLayerBytes`
 * get an entry: a later run would rather compress a smaller one again.
 */
export class BlobSaver {
  private readonly saves: Promise<string | undefined>[] = [];
  private running = 0;
  private readonly queue: (() => void)[] = [];

  constructor(
    private readonly cache: LayerCache,
    private readonly compression: Exclude<Compression, 'none'>,
    /** What this run's restores found: a restored blob is there already, a bad immutable one may not be replaced. */
    private readonly lookup: BlobLookup,
  ) {}

  /** Whether a blob of this layer would be saved. */
  wants(layer: { key: string; size: number }): boolean {
    const { restored, unsaveable, recorded, refuted } = this.lookup;
    if (restored.has(layer.key) || unsaveable.has(layer.key) || (recorded.has(layer.key) && !refuted.has(layer.key))) return false;
    return layer.size >= this.cache.minLayerBytes(this.compression);
  }

  /** Starts saving a blob made now; the file must stay until `done()` resolves. */
  add(layer: { key: string; paths: readonly string[]; diffId: BlobMeta['diffId']; size: number }, blob: { file: string; digest: BlobMeta['digest']; size: number }): void {
    if (!this.wants(layer)) return;
    const meta: BlobMeta = {
      format: BLOB_FORMAT_VERSION,
      key: layer.key,
      compression: this.compression,
      diffId: layer.diffId,
      size: layer.size,
      digest: blob.digest,
      blobSize: blob.size,
      paths: [...layer.paths],
    };
    this.saves.push(
      this.slot(async () => {
        await SAVES_PER_MINUTE.acquire();
        return (await this.cache.saveBlob(blobCacheKey(layer.key, this.compression), blob.file, meta)) ? layer.key : undefined;
      }),
    );
  }

  /** The layer keys whose blobs the cache holds now. */
  async done(): Promise<Set<string>> {
    const saved = await Promise.all(this.saves);
    return new Set(saved.filter((k): k is string => k !== undefined));
  }

  private async slot<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= CACHE_CONCURRENCY) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
      this.queue.shift()?.();
    }
  }
}
