import { createHash } from 'node:crypto';
import { parseDigest } from '../digest.js';
import { COMPRESSIONS, type Compression } from '../layer/compress.js';
import type { Digest } from '../digest.js';

/**
 * The blob record: what earlier runs learned of store layers' compressed
 * blobs (digest, size, where they were pushed, whether the layer cache holds
 * them), kept as one small entry per registry and platform rather than one
 * per layer, so that a run can find the blobs a registry or the cache has
 * without a lookup per layer, and without restoring, building or
 * compressing anything. Read as leads: each is confirmed with the registry,
 * or checked through when restored, before it is used.
 */
/** What some earlier run says of a layer's blob: a lead, confirmed before it is used. */
export interface BlobLead {
  key: string;
  diffId: Digest;
  size: number;
  compression: Compression;
  digest: Digest;
  blobSize: number;
  /** Where it was pushed: `registry/repository`. */
  repositories: readonly string[];
  /** Whether the layer cache holds the blob (true), does not (false), or this run did not learn (absent). */
  cached?: boolean;
  /** The cache's entry for this layer was found bad, and cannot be replaced (Actions cache entries are immutable). */
  bad?: boolean;
}

export const RECORD_FORMAT = 2;
/** The newest leads kept: about 350 bytes each, so the record stays under the 1 MiB a cache reads of it. */
const MAX_LEADS = 2500;

/**
 * One record per registry and architecture, shared by the images of a
 * matrix: a layer one repository pushed (glibc, say) is then mounted into
 * another rather than uploaded again. Layers of one architecture never
 * serve another's (their store paths differ), so each has its own. Builds
 * that push nowhere share the registry "".
 */
export function recordScope(registry: string, architecture: string): string {
  return createHash('sha256').update(JSON.stringify([registry, architecture])).digest('hex').slice(0, 32);
}

/** The leads of a stored record; anything malformed is dropped, never trusted. */
export function parseRecord(raw: unknown): BlobLead[] {
  // Format 1 had no word of the cache: its leads are read as they are.
  const format = (raw as { format?: unknown } | null)?.format;
  const leads = format === RECORD_FORMAT || format === 1 ? (raw as { leads: unknown }).leads : undefined;
  if (!Array.isArray(leads)) return [];
  const out: BlobLead[] = [];
  for (const l of leads as Record<string, unknown>[]) {
    try {
      if (typeof l['key'] !== 'string' || !(COMPRESSIONS as readonly unknown[]).includes(l['compression'])) continue;
      const sizes = [l['size'], l['blobSize']];
      if (!sizes.every((n) => Number.isSafeInteger(n) && (n as number) >= 0)) continue;
      const repositories = Array.isArray(l['repositories']) ? l['repositories'].filter((r): r is string => typeof r === 'string') : [];
      out.push({
        key: l['key'],
        diffId: parseDigest(String(l['diffId'])),
        size: l['size'] as number,
        compression: l['compression'] as Compression,
        digest: parseDigest(String(l['digest'])),
        blobSize: l['blobSize'] as number,
        repositories,
        ...(typeof l['cached'] === 'boolean' ? { cached: l['cached'] } : {}),
        ...(l['bad'] === true ? { bad: true } : {}),
      });
    } catch {
      continue;
    }
  }
  return out;
}

/**
 * This run's leads first, then the earlier ones not superseded, with their
 * repositories joined. What this run learned of a layer's cache entry (one
 * per layer and compression) overrides what earlier runs said of it,
 * whichever blob they named. Leads that name neither a repository nor a
 * cached blob lead nowhere and are dropped.
 */
/** Which blob a lead names: leads with the same id are one lead. */
export function leadId(l: BlobLead): string {
  return `${l.compression} ${l.key} ${l.digest}`;
}

export function mergeRecord(earlier: readonly BlobLead[], now: readonly BlobLead[]): { format: number; leads: BlobLead[] } {
  const entry = (l: BlobLead) => `${l.compression} ${l.key}`;
  const learned = new Map<string, BlobLead>();
  for (const l of now) if (l.cached !== undefined) learned.set(entry(l), l);
  const byBlob = new Map<string, BlobLead>();
  for (const lead of [...now, ...earlier]) {
    const id = leadId(lead);
    const had = byBlob.get(id);
    const known = learned.get(entry(lead));
    const cached = known === undefined ? (had?.cached ?? lead.cached) : known.cached === true && known.digest === lead.digest;
    // A bad entry stays bad: it is immutable, and no save can replace it.
    const bad = known === undefined ? had?.bad === true || lead.bad === true : known.bad === true;
    const repositories = [...new Set([...(had?.repositories ?? []), ...lead.repositories])];
    const { bad: _wasBad, cached: _wasCached, ...rest } = had ?? lead;
    byBlob.set(id, { ...rest, repositories, ...(cached === undefined ? {} : { cached }), ...(bad ? { bad } : {}) });
  }
  const leads = [...byBlob.values()].filter((l) => l.repositories.length > 0 || l.cached === true || l.bad === true);
  return { format: RECORD_FORMAT, leads: leads.slice(0, MAX_LEADS) };
}

/** Whether a merged record says no more than the leads it was made from: then it need not be saved. */
export function sameLeads(a: readonly BlobLead[], b: readonly BlobLead[]): boolean {
  const norm = (leads: readonly BlobLead[]) =>
    leads
      .map((l) => JSON.stringify([l.compression, l.key, l.digest, l.diffId, l.size, l.blobSize, [...l.repositories].sort(), l.cached === true, l.bad === true]))
      .sort()
      .join('\n');
  return norm(a) === norm(b);
}
