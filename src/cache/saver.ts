import type { Compression } from '../layer/compress.js';
import { RateLimit } from '../util/rate-limit.js';
import type { BlobMeta, LayerCache } from './cache.js';
import type { CacheFindings } from './findings.js';
import { BLOB_FORMAT_VERSION, blobCacheKey } from './key.js';
import { CACHE_CONCURRENCY } from './restore.js';

const SAVES_PER_MINUTE = new RateLimit(200, 60_000);

interface QueuedSave {
  key: string;
  run: () => Promise<boolean>;
}

/**
 * Saves blobs as they are made, in the background, so that uploads overlap
 * the compression of the layers after them; throttled to the Actions
 * cache's rate limit. Only layers at least the backend's `minLayerBytes`
 * get an entry: a later run would rather compress a smaller one again.
 *
 * A remote cache gets what the network carries while the cores work: once
 * the image is made (`imageMade`), saves not yet started are left to later
 * runs, which restore what this one saved and so have time to save more.
 * A cache must never make a run slower than no cache.
 */
export class BlobSaver {
  private readonly queue: QueuedSave[] = [];
  private readonly running = new Set<Promise<void>>();
  private readonly saved = new Set<string>();
  private stopped = false;
  private left = 0;

  constructor(
    private readonly cache: LayerCache,
    private readonly compression: Exclude<Compression, 'none'>,
    private readonly findings: CacheFindings,
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
    this.queue.push({ key: layer.key, run });
    this.pump();
  }

  /** The image is made: a remote cache takes no more new saves (see above). */
  imageMade(): void {
    if (!this.cache.remote) return;
    this.left += this.queue.length;
    this.queue.length = 0;
    this.stopped = true;
  }

  /** Saves not started, and left to later runs. */
  get leftToLater(): number {
    return this.left;
  }

  /** Waits for the saves started; returns the layer keys whose blobs the cache holds now. */
  async done(): Promise<Set<string>> {
    while (this.running.size > 0) await Promise.all(this.running);
    return new Set(this.saved);
  }

  /** Ends the saves: none is started after this, and those running are waited for. */
  async close(): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
    await this.done().catch(() => undefined);
  }

  private pump(): void {
    while (this.running.size < CACHE_CONCURRENCY && this.queue.length > 0) {
      const next = this.queue.shift() as QueuedSave;
      const job: Promise<void> = next
        .run()
        .then((ok) => void (ok && this.saved.add(next.key)), () => undefined)
        .finally(() => {
          this.running.delete(job);
          this.pump();
        });
      this.running.add(job);
    }
  }
}
