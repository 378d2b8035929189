import { performance } from 'node:perf_hooks';
import { CACHE_CONCURRENCY, logRestores, recordedLayers, restoreBlob, type RestoreContext, type WantedLayer } from './restore.js';

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
): Promise<void> {
  const recorded = recordedLayers(wanted, ctx).sort((a, b) => b.size - a.size || a.index - b.index);
  const onRecord = new Set(recorded.map((l) => l.key));
  for (const k of onRecord) ctx.findings.recorded(k);
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
        const blob = await restoreBlob(layer, ctx);
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
  logRestores(ctx, asked, wanted.length);
}

/** By estimated size, largest first; then in image order. */
export function largestFirst(a: WantedLayer, b: WantedLayer): number {
  return (b.estimate ?? 0) - (a.estimate ?? 0) || a.index - b.index;
}
