import { createHash } from 'node:crypto';
import { GZIP_LEVEL, ZSTD_LEVEL, type Compression } from '../layer/compress.js';
import { storeDir, storePathHash } from '../nix/store.js';
import type { TarSettings } from '../layer/tar-header.js';

/**
 * Bump whenever the store layer writer, or the customisation layer's,
 * changes its bytes, so entries and pushed layers written by an older
 * writer are never mistaken for current ones.
 */
export const LAYER_FORMAT_VERSION = 1;
/** Bump whenever a blob entry's layout or metadata changes. */
export const BLOB_FORMAT_VERSION = 1;

const PREFIX = 'layered-image-layer-';
const BLOB_PREFIX = 'layered-image-blob-';

/**
 * The cache key of a store layer: everything that decides its bytes (the
 * writer's format, the store directory, the tar settings and the store-path
 * hashes in layer order) hashed to a fixed length, so no key is a prefix of
 * another — the Actions cache matches keys by prefix.
 */
export function layerCacheKey(paths: readonly string[], settings: TarSettings): string {
  const material = JSON.stringify({
    format: LAYER_FORMAT_VERSION,
    store: storeDir(),
    settings: [settings.mtime, settings.uid, settings.gid, settings.uname, settings.gname],
    paths: paths.map(storePathHash),
  });
  return PREFIX + createHash('sha256').update(material).digest('hex');
}

/**
 * The key of the customisation layer where its bytes follow from the
 * contents alone (no script, no Nix database): their store-path hashes in
 * order and the tar settings. Pushed on the layer's annotations, it lets a
 * later push know the registry holds the layer without reading the
 * contents' trees (from their NARs, where they are not in the store).
 */
export function customisationKey(contents: readonly string[], settings: TarSettings, opts: { extraCommands: string | undefined; includeNixDB: boolean }): string | undefined {
  if (opts.extraCommands !== undefined || opts.includeNixDB) return undefined;
  const material = JSON.stringify({
    format: LAYER_FORMAT_VERSION,
    kind: 'customisation',
    store: storeDir(),
    settings: [settings.mtime, settings.uid, settings.gid, settings.uname, settings.gname],
    contents: contents.map(storePathHash),
  });
  return PREFIX + createHash('sha256').update(material).digest('hex');
}

/**
 * The key of a layer's compressed blob: the layer's key, the compression,
 * its level and the compressor's version (another zlib or zstd may pack the
 * same layer into other bytes, and a restored blob must be the one this
 * machine would make); fixed-length too.
 */
export function blobCacheKey(layerKey: string, compression: Exclude<Compression, 'none'>): string {
  const level = compression === 'gzip' ? GZIP_LEVEL : ZSTD_LEVEL;
  const versions = process.versions as NodeJS.ProcessVersions & { zstd?: string };
  const compressor = compression === 'gzip' ? `zlib ${versions.zlib}` : `zstd ${versions.zstd ?? process.versions.node}`;
  const material = JSON.stringify({ format: BLOB_FORMAT_VERSION, layer: layerKey, compression, level, compressor });
  return BLOB_PREFIX + createHash('sha256').update(material).digest('hex');
}
