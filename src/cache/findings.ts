import type { BlobMeta } from './cache.js';
import type { BlobLead } from './record.js';

/** A blob restored from the cache and checked through: usable as it is. */
export interface RestoredBlob {
  meta: BlobMeta;
  file: string;
  /** Whether the file is this run's alone (unpacked for it), so an output may link it rather than copy it. */
  own: boolean;
}

/** What a layer's cache entry turned out to be, for the blob record. */
export interface EntryState {
  cached?: boolean;
  bad?: boolean;
}

/**
 * What this run learned of the cache's entries, layer by layer: restored,
 * refuted (recorded but missing or refused), unsaveable (bad and
 * immutable), or on the record. Restores write it; the saver and the
 * record read it through the questions below, never the sets themselves.
 */
export class CacheFindings {
  private readonly restoredBlobs = new Map<string, RestoredBlob>();
  private readonly refutedKeys = new Set<string>();
  private readonly unsaveableKeys = new Set<string>();
  private readonly recordedKeys = new Set<string>();
  /** Entries earlier runs found bad: a finding this run repeats is not news. */
  private readonly knownBad = new Set<string>();

  constructor(private readonly compression: string | undefined) {}

  /** What the record says: entries earlier runs found bad are never saved over. */
  learn(leads: readonly BlobLead[]): void {
    for (const l of leads) {
      if (l.bad !== true || l.compression !== this.compression) continue;
      this.knownBad.add(l.key);
      this.unsaveableKeys.add(l.key);
    }
  }

  restored(key: string, blob: RestoredBlob): void {
    this.restoredBlobs.set(key, blob);
  }

  /** The record said the entry was there; it was missing or refused. */
  refuted(key: string): void {
    this.refutedKeys.add(key);
  }

  /** The entry is bad and cannot be replaced. */
  unsaveable(key: string): void {
    this.unsaveableKeys.add(key);
  }

  recorded(key: string): void {
    this.recordedKeys.add(key);
  }

  /** Whether the layer's blob is restored, or on the record and not yet found missing or bad. */
  expected(key: string): boolean {
    return this.restoredBlobs.has(key) || (this.recordedKeys.has(key) && !this.refutedKeys.has(key));
  }

  blob(key: string): RestoredBlob | undefined {
    return this.restoredBlobs.get(key);
  }

  get restoredCount(): number {
    return this.restoredBlobs.size;
  }

  get restoredBytes(): number {
    return [...this.restoredBlobs.values()].reduce((n, b) => n + b.meta.blobSize, 0);
  }

  get refutedCount(): number {
    return this.refutedKeys.size;
  }

  /** The layers whose recorded entries were missing or refused. */
  refutedLayers(): string[] {
    return [...this.refutedKeys];
  }

  /** Whether a blob of this layer made here should go to the cache: not if it is there (restored, or on the record unrefuted) or cannot be replaced. */
  worthSaving(key: string): boolean {
    if (this.restoredBlobs.has(key) || this.unsaveableKeys.has(key)) return false;
    return !this.recordedKeys.has(key) || this.refutedKeys.has(key);
  }

  /** What the record should now say of this layer's entry, given the keys saved this run. */
  state(key: string, saved: ReadonlySet<string>): EntryState {
    if (this.restoredBlobs.has(key)) return { cached: true };
    if (this.unsaveableKeys.has(key)) return { cached: false, bad: true };
    if (saved.has(key)) return { cached: true };
    if (this.refutedKeys.has(key)) return { cached: false };
    return {};
  }

  /** Whether this run found anything of the cache the record must keep, whatever else it says. */
  get news(): boolean {
    return this.refutedKeys.size > 0 || [...this.unsaveableKeys].some((k) => !this.knownBad.has(k));
  }
}
