import type { Digest } from '../digest.js';
import { annotationsAt, NO_ANNOTATIONS, type Annotations } from '../image/annotations.js';
import { UserError } from '../errors.js';
import {
  configPlatform,
  imageIndex,
  IMAGE_MANIFEST_TYPES,
  INDEX_MEDIA_TYPES,
  manifestConfig,
  MEDIA_TYPES,
  platformKey,
  platformString,
  type Platform,
  type IndexEntry,
  type ManifestFormat,
} from '../image/manifest.js';
import type { Logger } from '../log.js';
import { mapLimit } from '../util/pool.js';
import type { RegistryClient } from './client.js';
import { registryText } from './registry-error.js';
import { input } from '../inputs/marker.js';

export interface IndexTarget {
  client: RegistryClient;
  repository: string;
  /** The name as given (`host/team/app`), for refs and messages. */
  name: string;
  tags: readonly string[];
  format: ManifestFormat;
  annotations?: Annotations;
}

export interface IndexReport {
  /** The index digest the registry confirmed. */
  digest: Digest;
  mediaType: string;
  refs: string[];
  /** In the index's order. */
  manifests: { platform: string; digest: Digest; size: number; mediaType: string }[];
}

// Image configs are small; a bound keeps a hostile registry from filling memory.
const MAX_CONFIG_BYTES = 8 * 1024 * 1024;
const READS = 4;

/**
 * Reads each manifest and its config from the repository, checks that each
 * is an image manifest and that no platform comes twice, and only then
 * pushes the index under every tag: bad input pushes nothing.
 */
export async function pushIndex(target: IndexTarget, digests: readonly Digest[], log: Logger): Promise<IndexReport> {
  const { client, repository, name } = target;
  // Every read settles before a verdict, and the first bad manifest in the
  // order given is the one named: the same input gives the same message.
  const read = await mapLimit(digests, READS, (digest) => readEntry(target, digest).then(
    (entry) => ({ entry }),
    (error: unknown) => ({ error }),
  ));
  const entries: IndexEntry[] = [];
  for (const r of read) {
    if ('error' in r) throw r.error;
    entries.push(r.entry);
  }
  for (const e of entries) log.info(`${e.digest}: ${platformString(e.platform)}`);
  const byPlatform = new Map<string, IndexEntry>();
  for (const e of entries) {
    const other = byPlatform.get(platformKey(e.platform));
    if (other !== undefined) {
      const as = (p: Platform) => platformString(p) === platformString(e.platform) ? '' : ` (as ${platformString(p)})`;
      throw new UserError(`manifests ${other.digest}${as(other.platform)} and ${e.digest} are both for ${platformString(e.platform)}; an index takes one manifest per platform`);
    }
    byPlatform.set(platformKey(e.platform), e);
  }
  const a = target.annotations ?? NO_ANNOTATIONS;
  const index = imageIndex(target.format, entries, { index: annotationsAt(a, 'index'), entry: annotationsAt(a, 'manifest-descriptor') });
  const refs: string[] = [];
  for (const tag of target.tags) {
    // The client checks that the registry confirms this index's digest.
    await client.putManifest(repository, tag, index.mediaType, index.bytes);
    refs.push(`${name}:${tag}`);
  }
  log.info(`pushed ${refs.join(', ')} (${index.digest}): an index of ${index.entries.length} manifests`);
  return {
    digest: index.digest,
    mediaType: index.mediaType,
    refs,
    manifests: index.entries.map((e) => ({ platform: platformString(e.platform), digest: e.digest, size: e.size, mediaType: e.mediaType })),
  };
}

/** One manifest of the index to be: in the repository, an image manifest, of a platform its config names. */
async function readEntry(target: IndexTarget, digest: Digest): Promise<IndexEntry> {
  const { client, repository, name } = target;
  const manifest = await client.getManifest(repository, digest);
  if (manifest === undefined) throw new UserError(`manifest ${digest} is not in ${name}`);
  if (INDEX_MEDIA_TYPES.includes(manifest.mediaType)) throw new UserError(`manifest ${digest} in ${name} is itself an image index; give the digests of image manifests`);
  if (!IMAGE_MANIFEST_TYPES.includes(manifest.mediaType)) throw new UserError(`manifest ${digest} in ${name} is ${manifest.mediaType === '' ? 'of no media type' : registryText(manifest.mediaType, 100)}, not an image manifest`);
  // A Docker manifest list names Docker manifests; clients may refuse an OCI one in it.
  if (target.format === 'docker' && manifest.mediaType !== MEDIA_TYPES.docker.manifest) {
    throw new UserError(`manifest ${digest} in ${name} is an OCI manifest; a Docker manifest list (${input('manifestFormat')} docker) takes Docker manifests only`);
  }
  const config = manifestConfig(manifest.bytes);
  if (config === undefined) throw new UserError(`manifest ${digest} in ${name} has no config descriptor`);
  const platform = configPlatform(await client.getBlob(repository, config.digest, MAX_CONFIG_BYTES));
  if (platform === undefined) throw new UserError(`the config of manifest ${digest} in ${name} names no os and architecture`);
  if (platform === 'unusable') throw new UserError(`the config of manifest ${digest} in ${name} names an os, architecture or variant that is not a platform name`);
  return { mediaType: manifest.mediaType, digest, size: manifest.bytes.length, platform };
}
