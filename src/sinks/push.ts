import { sha256Digest, type Digest } from '../digest.js';
import { layerMediaType, type Compression } from '../layer/compress.js';
import { formatBytes, Progress, type Logger } from '../log.js';
import { layerAnnotations, type CompressedBlob, type Descriptor, type Image } from '../image/image.js';
import { imageManifest, type ManifestFormat } from '../image/manifest.js';
import { annotationsAt } from '../image/annotations.js';
import { mapLimit } from '../util/pool.js';
import type { RegistryClient } from '../registry/client.js';

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
}

export type BlobOutcome = 'uploaded' | 'mounted' | 'existing';

export interface PushReport {
  /** The manifest digest the registry confirmed. */
  digest: Digest;
  refs: string[];
  blobs: { uploaded: number; uploadedBytes: number; mounted: number; existing: number };
  /** What happened to each layer's blob, in layer order. */
  layers: BlobOutcome[];
  /** The manifest as a descriptor: what an artifact attached to it names as its subject. */
  manifest: { mediaType: string; digest: Digest; size: number };
  /** An SBOM attached to the manifest: its artifact's digest, and the referrers tag that lists it where the registry has no referrers API. */
  sbom?: { digest: Digest; tag: string | undefined };
}

// Uploads wait on the network; compressions, which they wait for first,
// are bounded by the layer workers.
const UPLOADS = 4;

/**
 * Pushes the image: each layer's blob unless the registry has it, the
 * config, then the manifest under every tag. Blobs come before the manifest,
 * so an interrupted push leaves only blobs that the next push finds and
 * reuses, never a tag naming something missing.
 */
export async function pushImage(image: Image, target: PushTarget, log: Logger, beforeTags?: (manifest: PushReport['manifest']) => Promise<void>): Promise<PushReport> {
  const { client, repository } = target;
  const blobs = { uploaded: 0, uploadedBytes: 0, mounted: 0, existing: 0 };
  const outcomes = new Array<BlobOutcome>(image.layers.length);
  const descriptors = new Array<Descriptor>(image.layers.length);
  // Layers whose blob the registry is known to hold are neither compressed nor uploaded: not counted.
  const counted = image.layers.map((l) => l.blob()?.inRegistry === undefined);
  const progress = new Progress(log, 'compressed and uploaded', image.layers.reduce((n, l, i) => n + (counted[i] === true ? l.size : 0), 0));
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
        const outcome = await pushBlob(target, blob, i);
        if (outcome === 'uploaded') blobs.uploadedBytes += blob.size;
        blobs[outcome]++;
        outcomes[i] = outcome;
        if (counted[i] === true) progress.add(layer.size);
        log.info(`layer ${i + 1}: ${blob.digest.slice(0, 19)}… ${outcome}${outcome === 'uploaded' ? ` (${formatBytes(blob.size)})` : ''}`);
      } catch (e) {
        fail(e);
        throw e;
      }
    });
  } finally {
    progress.end();
  }
  const configDigest = sha256Digest(image.configJson);
  if ((await client.blobExists(repository, configDigest)) !== image.configJson.length) {
    await client.uploadBlob(repository, configDigest, image.configJson.length, { bytes: image.configJson });
    blobs.uploaded++;
    blobs.uploadedBytes += image.configJson.length;
  } else {
    blobs.existing++;
  }
  const manifest = imageManifest(target.format, { digest: configDigest, size: image.configJson.length }, descriptors, annotationsAt(image.annotations, 'manifest'));
  const descriptor = { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.size };
  // What hangs on the manifest (its SBOM) goes on before any tag names it:
  // the manifest by its digest first, then that, then the tags.
  if (target.tags.length === 0 || beforeTags !== undefined) await client.putManifest(repository, manifest.digest, manifest.mediaType, manifest.bytes);
  await beforeTags?.(descriptor);
  const refs: string[] = [];
  for (const tag of target.tags) {
    // The client checks that the registry confirms this manifest's digest.
    await client.putManifest(repository, tag, manifest.mediaType, manifest.bytes);
    refs.push(`${target.name}:${tag}`);
  }
  if (target.tags.length === 0) refs.push(`${target.name}@${manifest.digest}`);
  log.info(`pushed ${refs.join(', ')} (${manifest.digest}): ${blobs.uploaded} blobs uploaded (${formatBytes(blobs.uploadedBytes)}), ${blobs.mounted} mounted, ${blobs.existing} already there`);
  return { digest: manifest.digest, refs, blobs, layers: outcomes, manifest: descriptor };
}

/** One layer's blob: there already (known, or found by a HEAD), else uploaded. */
async function pushBlob(target: PushTarget, blob: CompressedBlob, i: number): Promise<BlobOutcome> {
  const { client, repository } = target;
  if (blob.inRegistry !== undefined) return blob.inRegistry;
  if ((await client.blobExists(repository, blob.digest)) === blob.size) return 'existing';
  if (blob.bytes === undefined) throw new Error(`layer ${i + 1}'s blob is neither here nor in the registry`);
  await client.uploadBlob(repository, blob.digest, blob.size, { file: blob.bytes.file, offset: blob.bytes.offset });
  return 'uploaded';
}
