import { performance } from 'node:perf_hooks';
import type { Compression } from '../layer/compress.js';
import { RateLimit } from '../util/rate-limit.js';
import type { BlobMeta, LayerCache } from './cache.js';
import type { CacheFindings } from './findings.js';
import { BLOB_FORMAT_VERSION, blobCacheKey } from './key.js';
import { CACHE_CONCURRENCY } from './restore.js';

const SAVES_PER_MINUTE = new RateLimit(200, 60_000);
/** Saves to a remote cache at once: they share one upload pipe, so more only spreads it thinner. */
const REMOTE_CONCURRENCY = 3;

interface QueuedSave {
  key: string;
  bytes: number;
  run: () => Promise<boolean>;
}

/**
 * Saves blobs as they are made, in the background, so that uploads overlap
 * the compression of the layers after them; throttled to the Actions
 * cache's rate limit. Only layers at least the backend's `minLayerBytes`
 * get an entry: a later run would rather compress a smaller one again.
 *
 * A remote cache gets what the network carries while the cores work: a
 * save starts only when, at the upload rate seen so far, the saves in
 * flight and it end before the cores' work does (`coresLeft`, in seconds),
 * and none starts once the image is made. The rest is left to later runs,
 * which restore what this one saved and so have time to save more: a cache
 * must never make a run slower than no cache.
 */
export class BlobSaver {
  private readonly queue: QueuedSave[] = [];
  private readonly running = new Map<Promise<void>, number>();
  private readonly saved = new Set<string>();
  private stopped = false;
  private left = 0;
  /** Bytes saved, and the time with at least one save running: the upload rate as the pipe gives it. */
  private uploaded = { bytes: 0, busyMs: 0 };
  private busySince = 0;

  constructor(
    private readonly cache: LayerCache,
    private readonly compression: Exclude<Compression, 'none'>,
    private readonly findings: CacheFindings,
    /** Seconds of work the cores have left, as far as can be told: Infinity when unknown. */
    private readonly coresLeft: () => number = () => Infinity,
  ) {}

  /** Starts saving a blob made now; the file must stay until `done()` resolves. */
  add(layer: { key: string; paths: readonly string[]; diffId: BlobMeta['diffId']; size: number }, blob: { file: string; digest: BlobMeta['digest']; size: number }): void {
    if (this.stopped || !this.findings.worthSaving(layer.key) || layer.size < this.cache.minLayerBytes(this.compression)) return;
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
    const run = async () => {
      await SAVES_PER_MINUTE.acquire();
      return this.cache.saveBlob(blobCacheKey(layer.key, this.compression), blob.file, meta);
    };
    this.queue.push({ key: layer.key, bytes: blob.size, run });
    this.pump();
  }

  /**
   * The image is made: a remote cache takes no more new saves (see above),
   * and those running end before the sinks write. The Actions cache packs
   * each blob with tar, which fails when the file's inode changes as it
   * reads, and an output linking the blob into itself changes it; the
   * saves would be waited for before the build ends all the same.
   */
  async imageMade(): Promise<void> {
    if (!this.cache.remote) return;
    this.left += this.queue.length;
    this.queue.length = 0;
    this.stopped = true;
    await this.done();
  }

  /** Saves not started, and left to later runs. */
  get leftToLater(): number {
    return this.left;
  }

  /** Waits for the saves started; returns the layer keys whose blobs the cache holds now. */
  async done(): Promise<Set<string>> {
    while (this.running.size > 0) await Promise.all(this.running.keys());
    return new Set(this.saved);
  }

  /** Ends the saves: none is started after this, and those running are waited for. */
  async close(): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
    await this.done().catch(() => undefined);
  }

  private pump(): void {
    for (let next = this.nextSave(); next !== undefined; next = this.nextSave()) {
      if (this.running.size === 0) this.busySince = performance.now();
      const job: Promise<void> = next
        .run()
        .then((ok) => {
          if (!ok) return;
          this.saved.add(next.key);
          this.uploaded.bytes += next.bytes;
        }, () => undefined)
        .finally(() => {
          this.running.delete(job);
          if (this.running.size === 0) this.uploaded.busyMs += performance.now() - this.busySince;
          this.pump();
        });
      this.running.set(job, next.bytes);
    }
  }

  /** The next save to start now, taken from the queue; undefined when none may start yet. */
  private nextSave(): QueuedSave | undefined {
    if (!this.cache.remote) return this.running.size < CACHE_CONCURRENCY ? this.queue.shift() : undefined;
    if (this.running.size >= REMOTE_CONCURRENCY || this.queue.length === 0) return undefined;
    const busyMs = this.uploaded.busyMs + (this.running.size > 0 ? performance.now() - this.busySince : 0);
    // Until a save has ended the rate is unknown: one at a time.
    if (this.uploaded.bytes === 0) return this.running.size === 0 ? this.queue.shift() : undefined;
    const bytesPerSecond = (this.uploaded.bytes / busyMs) * 1000;
    const inFlight = [...this.running.values()].reduce((a, b) => a + b, 0);
    const budget = bytesPerSecond * this.coresLeft() - inFlight;
    const at = this.queue.findIndex((s) => s.bytes <= budget);
    return at < 0 ? undefined : this.queue.splice(at, 1)[0];
  }
}
