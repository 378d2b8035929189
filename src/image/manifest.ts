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

export const INDEX_TYPES: Record<ManifestFormat, string> = {
  oci: 'application/vnd.oci.image.index.v1+json',
  docker: 'application/vnd.docker.distribution.manifest.list.v2+json',
};
export const INDEX_MEDIA_TYPES: readonly string[] = Object.values(INDEX_TYPES);
export const IMAGE_MANIFEST_TYPES: readonly string[] = [MEDIA_TYPES.oci.manifest, MEDIA_TYPES.docker.manifest];

/** What an image runs on, as an index entry and an image config say it. */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string | undefined;
}

/** `linux/arm/v7`. */
export function platformString(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant === undefined ? '' : `/${p.variant}`}`;
}

/**
 * Whether two platforms are one to a puller. containerd (and so docker and
 * buildx) reads arm64/v8 as arm64, amd64/v1 as amd64 and a bare arm as
 * arm/v7: an index holding both spellings has two entries for one platform.
 */
export function samePlatform(a: Platform, b: Platform): boolean {
  return platformKey(a) === platformKey(b);
}

/** The platform as a puller matches it (see samePlatform). */
export function platformKey(p: Platform): string {
  const variant = p.variant ?? '';
  const implied = p.architecture === 'arm64' && variant === 'v8' ? '' : p.architecture === 'amd64' && variant === 'v1' ? '' : p.architecture === 'arm' && variant === '' ? 'v7' : variant;
  return platformString({ os: p.os, architecture: p.architecture, variant: implied === '' ? undefined : implied });
}

export interface IndexEntry {
  mediaType: string;
  digest: Descriptor['digest'];
  size: number;
  platform: Platform;
}

/**
 * An image index (OCI) or manifest list (Docker) of one manifest per
 * platform. Entries go in platform order, so the same manifests give the
 * same index whatever order the jobs that pushed them finished in.
 */
export function imageIndex(
  format: ManifestFormat,
  entries: readonly IndexEntry[],
  annotations: { index?: Record<string, string> | undefined; entry?: Record<string, string> | undefined } = {},
) {
  const mediaType = INDEX_TYPES[format];
  const sorted = [...entries].sort((a, b) => compare(platformString(a.platform), platformString(b.platform)) || compare(a.digest, b.digest));
  const doc = {
    schemaVersion: 2,
    mediaType,
    manifests: sorted.map((e) => ({
      mediaType: e.mediaType,
      digest: e.digest,
      size: e.size,
      platform: { os: e.platform.os, architecture: e.platform.architecture, ...(e.platform.variant === undefined ? {} : { variant: e.platform.variant }) },
      ...(annotations.entry === undefined ? {} : { annotations: annotations.entry }),
    })),
    ...(annotations.index === undefined ? {} : { annotations: annotations.index }),
  };
  const bytes = Buffer.from(canonicalJson(doc), 'utf8');
  return { mediaType, bytes, digest: sha256Digest(bytes), size: bytes.length, entries: sorted };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The entries of an index someone else may have written: those with a digest and a platform. */
export function indexEntries(bytes: Buffer): IndexEntry[] {
  const manifests = (parseJson(bytes) as { manifests?: unknown } | undefined)?.manifests;
  if (!Array.isArray(manifests)) return [];
  const found: IndexEntry[] = [];
  for (const raw of manifests as unknown[]) {
    const m = raw as { mediaType?: unknown; digest?: unknown; size?: unknown; platform?: { os?: unknown; architecture?: unknown; variant?: unknown } } | null;
    const p = m?.platform;
    if (typeof m?.mediaType !== 'string' || typeof m.digest !== 'string' || !DIGEST_RE.test(m.digest) || !Number.isSafeInteger(m.size)) continue;
    if (typeof p?.os !== 'string' || typeof p.architecture !== 'string' || (p.variant !== undefined && typeof p.variant !== 'string')) continue;
    found.push({ mediaType: m.mediaType, digest: m.digest as Descriptor['digest'], size: m.size as number, platform: { os: p.os, architecture: p.architecture, variant: p.variant } });
  }
  return found;
}

/** The config descriptor of an image manifest, when it has a usable one. */
export function manifestConfig(bytes: Buffer): { digest: Descriptor['digest']; size: number } | undefined {
  const config = (parseJson(bytes) as { config?: { digest?: unknown; size?: unknown } } | undefined)?.config;
  if (typeof config?.digest !== 'string' || !DIGEST_RE.test(config.digest) || !Number.isSafeInteger(config.size) || (config.size as number) < 0) return undefined;
  return { digest: config.digest as Descriptor['digest'], size: config.size as number };
}

// Platform words as the image spec's values go (GOOS, GOARCH, v7): what a
// registry's config says goes into logs, messages and our index only if it
// is one of these.
const PLATFORM_WORD = /^[a-z0-9][a-z0-9._-]{0,31}$/;

/**
 * The platform an image config gives: its os and architecture, and variant
 * when it has one. `undefined` when the os or architecture is missing;
 * `'unusable'` when a field is not a plain platform word.
 */
export function configPlatform(bytes: Buffer): Platform | 'unusable' | undefined {
  const c = parseJson(bytes) as { os?: unknown; architecture?: unknown; variant?: unknown } | undefined;
  if (typeof c?.os !== 'string' || c.os === '' || typeof c.architecture !== 'string' || c.architecture === '') return undefined;
  const variant = typeof c.variant === 'string' && c.variant !== '' ? c.variant : undefined;
  if (![c.os, c.architecture, ...(variant === undefined ? [] : [variant])].every((w) => PLATFORM_WORD.test(w))) return 'unusable';
  return { os: c.os, architecture: c.architecture, variant };
}

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

function parseJson(bytes: Buffer): unknown {
  try {
    const doc: unknown = JSON.parse(bytes.toString('utf8'));
    return doc !== null && typeof doc === 'object' ? doc : undefined;
  } catch {
    return undefined;
  }
}

/** An image manifest (OCI, or Docker v2 schema 2), its bytes canonical so the same image always has the same digest. */
export function imageManifest(
  format: ManifestFormat,
  config: { digest: Descriptor['digest']; size: number },
  layers: readonly Descriptor[],
  annotations?: Record<string, string>,
) {
  const mediaType = MEDIA_TYPES[format].manifest;
  const doc = {
    schemaVersion: 2,
    mediaType,
    config: { mediaType: MEDIA_TYPES[format].config, digest: config.digest, size: config.size },
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size, ...(l.annotations === undefined ? {} : { annotations: l.annotations }) })),
    ...(annotations === undefined ? {} : { annotations }),
  };
  const bytes = Buffer.from(canonicalJson(doc), 'utf8');
  return { mediaType, bytes, digest: sha256Digest(bytes), size: bytes.length };
}

/** The layer descriptors of a manifest someone else may have written: only what can be used is kept. */
export function manifestLayers(bytes: Buffer): Descriptor[] {
  const layers = (parseJson(bytes) as { layers?: unknown } | undefined)?.layers;
  if (!Array.isArray(layers)) return [];
  const found: Descriptor[] = [];
  for (const raw of layers as unknown[]) {
    const l = raw as { mediaType?: unknown; digest?: unknown; size?: unknown; annotations?: unknown } | null;
    if (typeof l?.mediaType !== 'string' || typeof l.digest !== 'string' || !DIGEST_RE.test(l.digest)) continue;
    if (!Number.isSafeInteger(l.size) || (l.size as number) < 0) continue;
    const annotations = l.annotations !== null && typeof l.annotations === 'object' && !Array.isArray(l.annotations)
      ? Object.fromEntries(Object.entries(l.annotations).filter((e): e is [string, string] => typeof e[1] === 'string'))
      : undefined;
    found.push({ mediaType: l.mediaType, digest: l.digest as Descriptor['digest'], size: l.size as number, ...(annotations === undefined ? {} : { annotations }) });
  }
  return found;
}
