import { sha256Digest, type Digest } from '../digest.js';
import { layerMediaType, type Compression } from '../layer/compress.js';
import { formatBytes, Progress, type Logger } from '../log.js';
import { layerAnnotations, type CompressedBlob, type Descriptor, type Image } from '../image/image.js';
import { imageManifest, type ManifestFormat } from '../image/manifest.js';
import { annotationsAt } from '../image/annotations.js';
import { mapLimit } from '../util/pool.js';
import type { RegistryClient } from '../registry/client.js';
import { tryMount } from '../registry/known-layers.js';

/** Where and how an image is pushed. */
export interface PushTarget {
  client: RegistryClient;
  /** The registry as the user named it, for refs and messages. */
  registry: string;
  repository: string;
  /** The name as given (`host/team/app`), for refs. */
  name: string;
  /** Every one is pushed; none: the manifest is pushed by its digest alone. */
  tags: readonly string[];
  format: ManifestFormat;
  compression: Compression;
  /** The blobs found here before the push (a HEAD or a mount): not asked for again. */
  held?: ReadonlyMap<Digest, 'existing' | 'mounted'> | undefined;
}

export type BlobOutcome = 'uploaded' | 'mounted' | 'existing';

type BlobCounts = { uploaded: number; uploadedBytes: number; mounted: number; existing: number };

export interface PushReport {
  /** The manifest digest the registry confirmed: the same in every repository. */
  digest: Digest;
  /** Every reference pushed, repository by repository. */
  refs: string[];
  /** Over every repository. */
  blobs: BlobCounts;
  /** What happened to each layer's blob in the first repository, in layer order. */
  layers: BlobOutcome[];
  /** The manifest as a descriptor: what an artifact attached to it names as its subject. */
  manifest: { mediaType: string; digest: Digest; size: number };
  /** An SBOM attached to the manifest (in the first repository): its artifact's digest, and the referrers tag that lists it where the registry has no referrers API. */
  sbom?: { digest: Digest; tag: string | undefined };
}

// Uploads wait on the network; compressions, which they wait for first,
// are bounded by the layer workers.
const UPLOADS = 4;

/**
 * Pushes the image to each target: each layer's blob unless the
 * repository has it (mounted from a target pushed before it in the same
 * registry where it can be), the config, the manifest, then, once every
 * repository holds all of that, the tags. Blobs come before the manifest
 * and manifests before any tag, so an interrupted push leaves only blobs
 * and untagged manifests that the next push finds and reuses, never a tag
 * naming something missing. `beforeTags` hangs what belongs on the
 * manifest (its SBOM) in each repository before a tag names it.
 */
export async function pushImage(image: Image, targets: readonly PushTarget[], log: Logger, beforeTags?: (target: PushTarget, manifest: PushReport['manifest']) => Promise<void>): Promise<PushReport> {
  const blobs: BlobCounts = { uploaded: 0, uploadedBytes: 0, mounted: 0, existing: 0 };
  const byDigestFirst = targets.length > 1 || beforeTags !== undefined;
  let first: { manifest: ReturnType<typeof imageManifest>; layers: BlobOutcome[] } | undefined;
  for (const [i, target] of targets.entries()) {
    const mountFrom = targets.slice(0, i).filter((t) => t.registry === target.registry).map((t) => t.repository);
    const pushed = await pushContent(image, target, { log, mountFrom, first: i === 0 });
    for (const k of ['uploaded', 'uploadedBytes', 'mounted', 'existing'] as const) blobs[k] += pushed.blobs[k];
    const { manifest } = pushed;
    if (first !== undefined && first.manifest.digest !== manifest.digest) throw new Error(`the manifest for ${target.name} (${manifest.digest}) differs from the first one's (${first.manifest.digest})`);
    first ??= { manifest, layers: pushed.layers };
    if (target.tags.length === 0 || byDigestFirst) await target.client.putManifest(target.repository, manifest.digest, manifest.mediaType, manifest.bytes);
    await beforeTags?.(target, { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.size });
    if (targets.length > 1) log.info(`${target.name}: ${pushed.blobs.uploaded} blobs uploaded (${formatBytes(pushed.blobs.uploadedBytes)}), ${pushed.blobs.mounted} mounted, ${pushed.blobs.existing} already there`);
  }
  if (first === undefined) throw new Error('a push with no repository');
  const { manifest } = first;
  const refs: string[] = [];
  for (const target of targets) {
    // The client checks that the registry confirms this manifest's digest.
    for (const tag of target.tags) {
      await target.client.putManifest(target.repository, tag, manifest.mediaType, manifest.bytes);
      refs.push(`${target.name}:${tag}`);
    }
    if (target.tags.length === 0) refs.push(`${target.name}@${manifest.digest}`);
  }
  log.info(`pushed ${refs.join(', ')} (${manifest.digest}): ${blobs.uploaded} blobs uploaded (${formatBytes(blobs.uploadedBytes)}), ${blobs.mounted} mounted, ${blobs.existing} already there`);
  return { digest: manifest.digest, refs, blobs, layers: first.layers, manifest: { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.size } };
}

/** The layers' blobs and the config in one repository, and the manifest naming them (not yet put). */
async function pushContent(image: Image, target: PushTarget, opts: { log: Logger; mountFrom: readonly string[]; first: boolean }) {
  const { log } = opts;
  const blobs: BlobCounts = { uploaded: 0, uploadedBytes: 0, mounted: 0, existing: 0 };
  const outcomes = new Array<BlobOutcome>(image.layers.length);
  const descriptors = new Array<Descriptor>(image.layers.length);
  // Layers whose blob the repository is known to hold are neither compressed nor uploaded: not counted.
  // After the first repository every blob is made; only the uploads are left.
  const counted = image.layers.map((l) => (opts.first ? l.blob()?.inRegistry === undefined : target.held?.get(l.blob()?.digest as Digest) === undefined));
  const progress = new Progress(log, opts.first ? 'compressed and uploaded' : `uploaded to ${target.name}`, image.layers.reduce((n, l, i) => n + (counted[i] === true ? l.size : 0), 0));
  const prefix = opts.first ? '' : `${target.name}: `;
  // Largest first: the longest compression and upload never start last.
  const order = image.layers.map((_, i) => i).sort((a, b) => (image.layers[b]?.size ?? 0) - (image.layers[a]?.size ?? 0) || a - b);
  // The first failed upload ends the push: uploads still waiting for their
  // compression stop waiting, so the build ends now, not once every
  // compression in flight is done.
  let fail: (e: unknown) => void = () => {};
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => undefined);
  try {
    await mapLimit(order, UPLOADS, async (i) => {
      const layer = image.layers[i] as Image['layers'][number];
      try {
        const blob = await Promise.race([layer.compressed(), failed]);
        const annotations = layerAnnotations(layer);
        descriptors[i] = { mediaType: layerMediaType(target.compression, target.format), digest: blob.digest, size: blob.size, ...(annotations === undefined ? {} : { annotations }) };
        const outcome = await pushBlob(target, blob, { index: i, mountFrom: opts.mountFrom, log });
        if (outcome === 'uploaded') blobs.uploadedBytes += blob.size;
        blobs[outcome]++;
        outcomes[i] = outcome;
        if (counted[i] === true) progress.add(layer.size);
        log.info(`${prefix}layer ${i + 1}: ${blob.digest.slice(0, 19)}… ${outcome}${outcome === 'uploaded' ? ` (${formatBytes(blob.size)})` : ''}`);
      } catch (e) {
        fail(e);
        throw e;
      }
    });
  } finally {
    progress.end();
  }
  const configDigest = sha256Digest(image.configJson);
  const config = await pushBlob(target, { digest: configDigest, size: image.configJson.length, bytes: image.configJson }, { mountFrom: opts.mountFrom, log });
  blobs[config]++;
  if (config === 'uploaded') blobs.uploadedBytes += image.configJson.length;
  const manifest = imageManifest(target.format, { digest: configDigest, size: image.configJson.length }, descriptors, annotationsAt(image.annotations, 'manifest'));
  return { manifest, blobs, layers: outcomes };
}

/**
 * One blob: there already (found before the push, or by a HEAD), else
 * mounted from a repository this push filled before, else uploaded.
 */
async function pushBlob(target: PushTarget, blob: { digest: Digest; size: number; bytes: CompressedBlob['bytes'] | Buffer }, how: { index?: number; mountFrom: readonly string[]; log: Logger }): Promise<BlobOutcome> {
  const { client, repository } = target;
  const held = target.held?.get(blob.digest);
  if (held !== undefined) return held;
  if ((await client.blobExists(repository, blob.digest)) === blob.size) return 'existing';
  for (const from of how.mountFrom) if (await tryMount(target, blob.digest, from, how.log)) return 'mounted';
  if (blob.bytes === undefined) throw new Error(`layer ${(how.index ?? 0) + 1}'s blob is neither here nor in the registry`);
  await client.uploadBlob(repository, blob.digest, blob.size, Buffer.isBuffer(blob.bytes) ? { bytes: blob.bytes } : { file: blob.bytes.file, offset: blob.bytes.offset });
  return 'uploaded';
}
