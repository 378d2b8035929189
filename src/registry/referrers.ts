import { sha256Digest, type Digest } from '../digest.js';
import { canonicalJson } from '../image/config.js';
import { INDEX_TYPES, MEDIA_TYPES } from '../image/manifest.js';
import { UserError } from '../errors.js';
import type { RegistryClient } from './client.js';
import { registryText } from './registry-error.js';

/** A descriptor as an artifact's subject and a referrers index name it. */
export interface Subject {
  mediaType: string;
  digest: Digest;
  size: number;
}

// The OCI 1.1 empty config: the two bytes `{}`, for artifacts that need no config.
const EMPTY_CONFIG = Buffer.from('{}');
const EMPTY_TYPE = 'application/vnd.oci.empty.v1+json';

/**
 * Pushes `bytes` as an OCI 1.1 artifact whose subject is `subject`: the
 * empty config, one layer of `artifactType`, pushed by digest. Where the
 * registry answers the referrers API, it lists the artifact itself; where
 * it does not, the referrers tag (`sha256-<hex of the subject>`) is kept
 * as the distribution spec says: an index of the subject's referrers, this
 * one merged into what is there, none twice.
 */
export async function attachArtifact(
  client: RegistryClient,
  repository: string,
  subject: Subject,
  artifact: { artifactType: string; bytes: Buffer },
): Promise<{ digest: Digest; tag: string | undefined }> {
  const layer = { mediaType: artifact.artifactType, digest: sha256Digest(artifact.bytes), size: artifact.bytes.length };
  const config = { mediaType: EMPTY_TYPE, digest: sha256Digest(EMPTY_CONFIG), size: EMPTY_CONFIG.length };
  for (const [blob, bytes] of [[config, EMPTY_CONFIG], [layer, artifact.bytes]] as const) {
    if ((await client.blobExists(repository, blob.digest)) !== bytes.length) await client.uploadBlob(repository, blob.digest, bytes.length, { bytes });
  }
  const manifest = Buffer.from(canonicalJson({ schemaVersion: 2, mediaType: MEDIA_TYPES.oci.manifest, artifactType: artifact.artifactType, config, layers: [layer], subject }));
  const digest = sha256Digest(manifest);
  // The API asked first; a registry with it also names the subject when it
  // takes the artifact (OCI-Subject), which the spec makes the last word.
  const answered = (await client.getReferrers(repository, subject.digest)) !== undefined;
  const put = await client.putManifestSaying(repository, digest, MEDIA_TYPES.oci.manifest, manifest);
  if (answered || put.ociSubject === subject.digest) return { digest, tag: undefined };
  const tag = `sha256-${subject.digest.slice('sha256:'.length)}`;
  const entry = { mediaType: MEDIA_TYPES.oci.manifest, digest, size: manifest.length, artifactType: artifact.artifactType };
  const there = await client.getManifest(repository, tag);
  // Something else under the tag is not ours to replace.
  if (there !== undefined && there.mediaType !== INDEX_TYPES.oci) {
    throw new UserError(`${repository}:${tag} holds ${there.mediaType === '' ? 'a document of no media type' : registryText(there.mediaType, 100)}, not the referrers index the OCI distribution spec puts there; it is left alone`);
  }
  const listed = there === undefined ? [] : referrersOf(there.bytes);
  if (listed.some((d) => d['digest'] === digest)) return { digest, tag };
  const index = Buffer.from(canonicalJson({ schemaVersion: 2, mediaType: INDEX_TYPES.oci, manifests: [...listed, entry] }));
  await client.putManifest(repository, tag, INDEX_TYPES.oci, index);
  return { digest, tag };
}

/** The descriptors a referrers index holds, each kept as it is (another tool's fields too); nothing from a document that is not one. */
function referrersOf(bytes: Buffer): Record<string, unknown>[] {
  try {
    const doc = JSON.parse(bytes.toString('utf8')) as { manifests?: unknown };
    if (!Array.isArray(doc.manifests)) return [];
    return (doc.manifests as unknown[]).filter(
      (m): m is Record<string, unknown> => m !== null && typeof m === 'object' && typeof (m as { digest?: unknown }).digest === 'string',
    );
  } catch {
    return [];
  }
}
