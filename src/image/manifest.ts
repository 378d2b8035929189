import { sha256Digest } from '../digest.js';
import { canonicalJson } from './config.js';
import type { Descriptor } from './image.js';

export const MANIFEST_FORMATS = ['oci', 'docker'] as const;
export type ManifestFormat = (typeof MANIFEST_FORMATS)[number];

export const MEDIA_TYPES = {
  oci: {
    manifest: 'application/vnd.oci.image.manifest.v1+json',
    config: 'application/vnd.oci.image.config.v1+json',
  },
  docker: {
    manifest: 'application/vnd.docker.distribution.manifest.v2+json',
    config: 'application/vnd.docker.container.image.v1+json',
  },
} as const;

export const INDEX_MEDIA_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];

/** An image manifest (OCI, or Docker v2 schema 2), its bytes canonical so the same image always has the same digest. */
export function imageManifest(format: ManifestFormat, config: { digest: Descriptor['digest']; size: number }, layers: readonly Descriptor[]) {
  const mediaType = MEDIA_TYPES[format].manifest;
  const doc = {
    schemaVersion: 2,
    mediaType,
    config: { mediaType: MEDIA_TYPES[format].config, digest: config.digest, size: config.size },
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size, ...(l.annotations === undefined ? {} : { annotations: l.annotations }) })),
  };
  const bytes = Buffer.from(canonicalJson(doc), 'utf8');
  return { mediaType, bytes, digest: sha256Digest(bytes), size: bytes.length };
}

/** The layer descriptors of a manifest someone else may have written: only what can be used is kept. */
export function manifestLayers(bytes: Buffer): Descriptor[] {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch {
    return [];
  }
  const layers = (doc as { layers?: unknown } | null)?.layers;
  if (!Array.isArray(layers)) return [];
  const found: Descriptor[] = [];
  for (const raw of layers as unknown[]) {
    const l = raw as { mediaType?: unknown; digest?: unknown; size?: unknown; annotations?: unknown } | null;
    if (typeof l?.mediaType !== 'string' || typeof l.digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(l.digest)) continue;
    if (!Number.isSafeInteger(l.size) || (l.size as number) < 0) continue;
    const annotations = l.annotations !== null && typeof l.annotations === 'object' && !Array.isArray(l.annotations)
      ? Object.fromEntries(Object.entries(l.annotations).filter((e): e is [string, string] => typeof e[1] === 'string'))
      : undefined;
    found.push({ mediaType: l.mediaType, digest: l.digest as Descriptor['digest'], size: l.size as number, ...(annotations === undefined ? {} : { annotations }) });
  }
  return found;
}
