import { parseDigest, type Digest } from '../digest.js';
import { messageOf } from '../errors.js';
import { ANNOTATION_DIFF_ID, ANNOTATION_KEY, ANNOTATION_SIZE } from '../image/image.js';
import { indexEntries, INDEX_MEDIA_TYPES, manifestLayers, platformString, samePlatform, type Platform } from '../image/manifest.js';
import { compressionOf, type Compression } from '../layer/compress.js';
import type { Logger } from '../log.js';
import { mapLimit } from '../util/pool.js';
import { RegistryError, type RegistryClient } from './client.js';
import { input } from '../inputs/marker.js';
import type { BlobLead } from '../cache/record.js';
import { refString, type ImageRef } from './reference.js';

/** A store layer the registry holds as a blob: enough to push a manifest naming it without making it. */
export interface KnownLayer {
  diffId: Digest;
  size: number;
  blob: { digest: Digest; size: number };
  inRegistry: 'existing' | 'mounted';
}

/** Where blobs are pushed: a repository of a registry. */
export interface BlobTarget {
  client: RegistryClient;
  registry: string;
  repository: string;
}

/** Per repository (`registry/repository`), the blobs confirmed there, and how they got there. */
export type HeldBlobs = Map<string, Map<Digest, KnownLayer['inRegistry']>>;

// HEADs and mounts are small requests that wait on the network.
const CONCURRENCY = 8;

/**
 * The store layers (by cache key) whose blobs every target repository
 * holds, or can mount from another repository of the same registry: leads
 * come from the manifests of `cacheFrom` refs (their layers carry our
 * annotations) and from what earlier runs recorded. Every lead is
 * confirmed with a HEAD (or a mount) before it is used, so a blob the
 * registry has since lost is built and uploaded instead. A cacheFrom ref
 * that cannot be read is a warning: it is a cache. Targets are asked in
 * order, a later one only for what the earlier ones hold, and may mount
 * from them; `held` learns what each holds.
 */
export async function findKnownLayers(opts: {
  targets: readonly BlobTarget[];
  keys: ReadonlySet<string>;
  leads: readonly BlobLead[];
  cacheFrom: readonly ImageRef[];
  compression: Compression;
  /** Of the image being pushed: a cacheFrom index is followed to this platform's manifest. */
  platform: Platform;
  clientFor: (registry: string) => RegistryClient;
  held: HeldBlobs;
  log: Logger;
}): Promise<Map<string, KnownLayer>> {
  const { log } = opts;
  let candidates = new Map<string, BlobLead[]>();
  const add = (lead: BlobLead) => {
    if (!opts.keys.has(lead.key) || lead.compression !== opts.compression) return;
    candidates.set(lead.key, [...(candidates.get(lead.key) ?? []), lead]);
  };
  for (const ref of opts.cacheFrom) {
    for (const lead of await leadsFromManifest(ref, opts.platform, opts.clientFor(ref.registry), log)) add(lead);
  }
  opts.leads.forEach(add);

  const named = candidates.size;
  let known = new Map<string, KnownLayer>();
  const before: string[] = [];
  for (const [i, target] of opts.targets.entries()) {
    const here = `${target.registry}/${target.repository}`;
    const found = await confirmLeads(target, candidates, before, log);
    const held = opts.held.get(here) ?? new Map<Digest, KnownLayer['inRegistry']>();
    for (const k of found.values()) held.set(k.blob.digest, k.inRegistry);
    opts.held.set(here, held);
    // Known: in every target, as the same blob.
    known = i === 0 ? found : new Map([...known].filter(([key, k]) => found.get(key)?.blob.digest === k.blob.digest));
    const mounted = [...found.values()].filter((k) => k.inRegistry === 'mounted').length;
    const more = i === 0 ? `; ${named - found.size} more named by cacheFrom images or the cache's blob list but not there` : '';
    log.info(`${found.size} of ${opts.keys.size} layers are in ${here} already${mounted > 0 ? ` (${mounted} mounted from other repositories)` : ''}${more}`);
    // A later target is asked only for the blobs every earlier one holds.
    candidates = new Map([...known].map(([key, k]) => [key, (candidates.get(key) ?? []).filter((l) => l.digest === k.blob.digest)]));
    before.push(here);
  }
  return known;
}

/** The leads the target holds (by a HEAD), or can mount from where a lead or an earlier target says the blob is. */
async function confirmLeads(target: BlobTarget, candidates: ReadonlyMap<string, readonly BlobLead[]>, earlier: readonly string[], log: Logger): Promise<Map<string, KnownLayer>> {
  const found = new Map<string, KnownLayer>();
  const here = `${target.registry}/${target.repository}`;
  await mapLimit([...candidates.values()], CONCURRENCY, async (leads) => {
    for (const lead of leads) {
      const hold = (inRegistry: KnownLayer['inRegistry']) =>
        found.set(lead.key, { diffId: lead.diffId, size: lead.size, blob: { digest: lead.digest, size: lead.blobSize }, inRegistry });
      if ((await target.client.blobExists(target.repository, lead.digest)) === lead.blobSize) return void hold('existing');
      for (const where of new Set([...earlier, ...lead.repositories])) {
        if (where === here || !where.startsWith(`${target.registry}/`)) continue;
        if (await tryMount(target, lead.digest, where.slice(target.registry.length + 1), log)) return void hold('mounted');
      }
    }
  });
  return found;
}

/** A mount is a shortcut: one the registry refuses (no pull right there, say) means a HEAD and an upload instead. */
export async function tryMount(target: { client: RegistryClient; repository: string }, digest: Digest, from: string, log: Logger): Promise<boolean> {
  try {
    return await target.client.mountBlob(target.repository, digest, from);
  } catch (e) {
    if (!(e instanceof RegistryError) || e.status === undefined) throw e;
    log.info(`cannot mount ${digest.slice(0, 19)}… from ${from} into ${target.repository} (${e.status})`);
    return false;
  }
}

/**
 * The leads of a cacheFrom image; of an index (a multi-platform tag), those
 * of its manifest for our platform: another platform's store paths differ,
 * so none of its layers would be ours.
 */
async function leadsFromManifest(ref: ImageRef, platform: Platform, client: RegistryClient, log: Logger): Promise<BlobLead[]> {
  let manifest;
  try {
    manifest = await client.getManifest(ref.repository, ref.reference);
    if (manifest !== undefined && INDEX_MEDIA_TYPES.includes(manifest.mediaType)) {
      const entry = indexEntries(manifest.bytes).find((e) => samePlatform(e.platform, platform));
      if (entry === undefined) {
        log.info(`cacheFrom ${refString(ref)} is an image index with no manifest for ${platformString(platform)}`);
        return [];
      }
      manifest = await client.getManifest(ref.repository, entry.digest);
      if (manifest === undefined || INDEX_MEDIA_TYPES.includes(manifest.mediaType)) {
        log.info(`cacheFrom ${refString(ref)}: its manifest for ${platformString(platform)} is not an image manifest in the registry`);
        return [];
      }
    }
  } catch (e) {
    log.warning(`${input('cacheFrom')} ${refString(ref)} cannot be read, so it is not used: ${messageOf(e)}`);
    return [];
  }
  if (manifest === undefined) {
    log.info(`cacheFrom ${refString(ref)}: not in the registry (yet)`);
    return [];
  }
  const leads: BlobLead[] = [];
  for (const layer of manifestLayers(manifest.bytes)) {
    const a = layer.annotations ?? {};
    const compression = compressionOf(layer.mediaType);
    const size = Number(a[ANNOTATION_SIZE]);
    const key = a[ANNOTATION_KEY];
    if (compression === undefined || key === undefined || !Number.isSafeInteger(size) || size < 0) continue;
    let diffId: Digest;
    try {
      diffId = parseDigest(a[ANNOTATION_DIFF_ID] ?? '');
    } catch {
      continue;
    }
    leads.push({ key, diffId, size, compression, digest: layer.digest, blobSize: layer.size, repositories: [`${ref.registry}/${ref.repository}`] });
  }
  return leads;
}
