import path from 'node:path';
import type { CachePolicy } from '../cache/policy.js';
import type { RestoredBlob } from '../cache/findings.js';
import type { CompressedBlob, ImageLayer } from '../image/image.js';
import type { Logger } from '../log.js';
import type { KnownLayer } from '../registry/known-layers.js';
import type { Compression, FileRange } from './compress.js';
import type { Layer } from './layer.js';
import type { LayerWorkers } from './workers.js';

/*
 * Layers by origin, as one type (ImageLayer): made here (built from the
 * store, copied from a base image, the customisation layer), restored from
 * the cache, or already in the registry. Each opens its compressed blob
 * lazily; nothing outside this module asks where a layer came from.
 */

/** A layer that is not made here: its blob, known already, is all there is of it. */
function fixed(layer: Layer, key: string, blob: CompressedBlob): ImageLayer {
  return { ...layer, key, bytes: undefined, compressed: () => Promise.resolve(blob), blob: () => blob };
}

/**
 * A store layer not laid in a bed: the one built here if it was, else
 * the blob the cache gave, else the registry's.
 */
export function storeLayer(key: string, paths: readonly string[], comment: string, found: { built?: ImageLayer | undefined; restored?: RestoredBlob | undefined; known?: KnownLayer | undefined }): ImageLayer {
  if (found.built !== undefined) return found.built;
  if (found.restored !== undefined) return restoredLayer(key, paths, comment, found.restored);
  if (found.known !== undefined) return registryLayer(key, paths, comment, found.known);
  throw new Error(`store layer ${paths[0] ?? key} was neither built, restored nor found in the registry`);
}

/** A store layer whose blob the cache gave, checked through. */
function restoredLayer(key: string, paths: readonly string[], comment: string, restored: RestoredBlob): ImageLayer {
  const { diffId, size, digest, blobSize } = restored.meta;
  const blob: CompressedBlob = { digest, size: blobSize, bytes: { file: restored.file, offset: 0, size: blobSize }, own: restored.own };
  return fixed({ digest: diffId, size, paths, source: 'restored', comment }, key, blob);
}

/** A store layer the registry holds: named in the manifest, never made. */
function registryLayer(key: string, paths: readonly string[], comment: string, known: KnownLayer): ImageLayer {
  const blob: CompressedBlob = { ...known.blob, bytes: undefined, inRegistry: known.inRegistry };
  return fixed({ digest: known.diffId, size: known.size, paths, source: 'registry', comment }, key, blob);
}

/**
 * Makes the compressed blobs of layers whose bytes are here, once each, on
 * the workers, when a sink first asks (or at once, where asked: see
 * `eager`). A blob the registry is known to hold, or the cache gave, for a
 * layer with the same diff_id is used as it is. The cache policy hears of
 * every blob made.
 */
export class BlobMaker {
  constructor(
    private readonly opts: {
      workers: LayerWorkers;
      work: string;
      compression: Compression;
      /** Blobs the registry holds; empty when a sink needs every blob's bytes. */
      known: ReadonlyMap<string, KnownLayer>;
      policy: CachePolicy;
      log: Logger;
    },
  ) {}

  /** A layer whose uncompressed bytes are at `bytes`: `index` is its place in the image, `key` its cache key (a store layer's, or the customisation layer's). */
  layer(index: number, layer: Layer, key: string | undefined, bytes: FileRange | undefined): ImageLayer {
    let made: Promise<CompressedBlob> | undefined;
    let blob: CompressedBlob | undefined;
    const compressed = () => (made ??= this.make(index, layer, key, bytes).then((b) => (blob = b)));
    return { ...layer, key, bytes, compressed, blob: () => blob };
  }

  private async make(index: number, layer: Layer, key: string | undefined, bytes: FileRange | undefined): Promise<CompressedBlob> {
    const { compression, known, policy } = this.opts;
    const k = key === undefined ? undefined : known.get(key);
    const cached = key === undefined ? undefined : policy.restored(key);
    if (k !== undefined && k.diffId === layer.digest) return { ...k.blob, bytes: undefined, inRegistry: k.inRegistry };
    if (cached !== undefined && cached.meta.diffId === layer.digest) {
      return { digest: cached.meta.digest, size: cached.meta.blobSize, bytes: { file: cached.file, offset: 0, size: cached.meta.blobSize }, own: cached.own };
    }
    // A stream's layers are gone once written; no sink of such an image takes blobs.
    if (bytes === undefined) throw new Error(`layer ${index + 1} was not kept, so it has no blob`);
    if (compression === 'none') return { digest: layer.digest, size: layer.size, bytes, own: true };
    if (k !== undefined) this.opts.log.warning(`the registry's blob for layer ${index + 1} was recorded with another diff_id than the layer built here; compressing this one`);
    const out = path.join(this.opts.work, `blob-${index}.${compression === 'gzip' ? 'gz' : 'zst'}`);
    const made = await this.opts.workers.compress({ source: bytes, compression, out }, () => {});
    // Store layers only: the cache restores nothing else (the customisation layer's key is for the registry).
    if (key !== undefined && layer.paths.length > 0) policy.blobMade({ key, paths: layer.paths, diffId: layer.digest, size: layer.size }, { file: out, digest: made.digest, size: made.size });
    return { ...made, bytes: { file: out, offset: 0, size: made.size }, own: true };
  }
}
