import type { Digest } from '../digest.js';

/** What is stored beside a layer tar: enough to use it without reading it. */
export interface LayerMeta {
  format: number;
  key: string;
  digest: Digest;
  size: number;
  /** Store paths in the layer, in layer order. */
  paths: string[];
}

/** A cache entry as a backend hands it back: unverified. */
export interface CachedLayer {
  meta: unknown;
  /** The layer tar, in a file the build may read until it ends. */
  file: string;
}

/**
 * Storage for packed store layers. A miss is `undefined`, never an error:
 * backends turn their own failures into warnings through `warn` and report
 * a miss or an unsaved layer, because caching must never fail a build.
 */
export interface LayerCache {
  /** Human name for logs: "directory /x", "GitHub Actions cache". */
  readonly description: string;
  restore(key: string): Promise<CachedLayer | undefined>;
  /** Returns whether the entry was stored. */
  save(key: string, layerFile: string, meta: LayerMeta): Promise<boolean>;
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
