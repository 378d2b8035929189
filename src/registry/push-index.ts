import type { Digest } from '../digest.js';
import { UserError } from '../errors.js';
import {
  configPlatform,
  imageIndex,
  IMAGE_MANIFEST_TYPES,
  INDEX_MEDIA_TYPES,
  manifestConfig,
  MEDIA_TYPES,
  platformString,
  type IndexEntry,
  type ManifestFormat,
} from '../image/manifest.js';
import type { Logger } from '../log.js';
import { mapLimit } from '../util/pool.js';
import type { RegistryClient } from './client.js';

export interface IndexTarget {
  client: RegistryClient;
  repository: string;
  /** The name as given (`host/team/app`), for refs and messages. */
  name: string;
  tags: readonly string[];
  format: ManifestFormat;
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
  const entries = await mapLimit(digests, READS, async (digest): Promise<IndexEntry> => {
    const manifest = await client.getManifest(repository, digest);
    if (manifest === undefined) throw new UserError(`manifest ${digest} is not in ${name}`);
    if (INDEX_MEDIA_TYPES.includes(manifest.mediaType)) throw new UserError(`manifest ${digest} in ${name} is itself an image index; give the digests of image manifests`);
    if (!IMAGE_MANIFEST_TYPES.includes(manifest.mediaType)) throw new UserError(`manifest ${digest} in ${name} is ${manifest.mediaType === '' ? 'of no media type' : manifest.mediaType}, not an image manifest`);
    // A Docker manifest list names Docker manifests; clients may refuse an OCI one in it.
    if (target.format === 'docker' && manifest.mediaType !== MEDIA_TYPES.docker.manifest) {
      throw new UserError(`manifest ${digest} in ${name} is an OCI manifest; a Docker manifest list (manifestFormat docker) takes Docker manifests only`);
    }
    const config = manifestConfig(manifest.bytes);
    if (config === undefined) throw new UserError(`manifest ${digest} in ${name} has no config descriptor`);
    const platform = configPlatform(await client.getBlob(repository, config.digest, MAX_CONFIG_BYTES));
    if (platform === undefined) throw new UserError(`the config of manifest ${digest} in ${name} names no os and architecture`);
    log.info(`${digest}: ${platformString(platform)}`);
    return { mediaType: manifest.mediaType, digest, size: manifest.bytes.length, platform };
  });
  const byPlatform = new Map<string, Digest>();
  for (const e of entries) {
    const platform = platformString(e.platform);
    const other = byPlatform.get(platform);
    if (other !== undefined) throw new UserError(`manifests ${other} and ${e.digest} are both for ${platform}; an index takes one manifest per platform`);
    byPlatform.set(platform, e.digest);
  }
  const index = imageIndex(target.format, entries);
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
