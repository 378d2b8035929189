import type { Digest } from '../digest.js';
import type { Compression } from '../layer/compress.js';

/**
 * What is stored beside a compressed layer blob: enough to put the blob in
 * an image without building, reading or compressing its layer.
 */
export interface BlobMeta {
  format: number;
  /** The store layer's cache key (key.ts), which the entry's key is made from. */
  key: string;
  compression: Exclude<Compression, 'none'>;
  /** The uncompressed layer: the config's diff_id and its size. */
  diffId: Digest;
  size: number;
  /** The blob. */
  digest: Digest;
  blobSize: number;
  /** Store paths in the layer, in layer order. */
  paths: string[];
}

/** A cache entry as a backend hands it back: unverified. */
export interface CachedBlob {
  meta: unknown;
  /** The blob, in a file the build may read until it ends. */
  file: string;
  /**
   * Whether the file is this run's alone (unpacked for it): an output may
   * then take it by a link. A file the cache keeps is copied instead, so
   * that no output shares storage with a cache entry.
   */
  own?: boolean;
}

/**
 * Storage for compressed store-layer blobs and the blob record. Only
 * blobs are kept: with its store paths on the machine (always, as the
 * closure was just queried), an uncompressed layer packs faster than any
 * cache restores it, while compression costs tens of MB/s a core. A miss is
 * `undefined`, never an error: backends turn their own failures into
 * warnings through `warn` and report a miss or an unsaved entry, because
 * caching must never fail a build.
 */
export interface LayerCache {
  /** Human name for logs: "directory /x", "GitHub Actions cache". */
  readonly description: string;
  /**
   * The smallest uncompressed layer whose blob is worth an entry here:
   * below it, compressing the layer again costs less than restoring it.
   */
  minLayerBytes(compression: Exclude<Compression, 'none'>): number;
  /**
   * Whether a restore waits on a network: then the cores race it, building
   * recorded layers too (see restoreOrBuild); a local one always wins.
   */
  readonly remote: boolean;
  /** True once the backend has stopped asking its service (after a failure): its misses are no longer news. */
  readonly degraded: boolean;
  restoreBlob(key: string): Promise<CachedBlob | undefined>;
  /** Returns whether the entry is stored (or was there already). */
  saveBlob(key: string, blobFile: string, meta: BlobMeta): Promise<boolean>;
  /**
   * Called when an entry failed verification. Returns whether a new save
   * can replace it (a directory can; Actions cache entries are immutable).
   */
  discard(key: string): Promise<boolean>;
  /** The blob record of one scope (see record.ts), unverified; undefined when there is none. */
  loadRecord(scope: string): Promise<unknown>;
  /** Returns whether the record was stored. */
  saveRecord(scope: string, record: unknown): Promise<boolean>;
}
