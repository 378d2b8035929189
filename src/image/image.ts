import type { Digest } from '../digest.js';
import type { Annotations } from './annotations.js';
import type { FileRange } from '../layer/compress.js';
import type { Layer } from '../layer/layer.js';

/** A content-addressed blob as a manifest names it. */
export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  annotations?: Record<string, string>;
}

/**
 * A layer's compressed blob (of the build's compression; each sink names
 * its media type): where its bytes are here, if they are, and whether the
 * registry held it already.
 */
export interface CompressedBlob {
  digest: Digest;
  size: number;
  /** Undefined when the blob was never made here (the registry has it). */
  bytes: FileRange | undefined;
  /** How the registry came to hold it before this push, if it did. */
  inRegistry?: 'existing' | 'mounted';
  /**
   * Whether `bytes` is a whole file of this build's own, which an output
   * may take by a link; otherwise (a cache's file, a range of a larger
   * file) it is copied, so that no output shares storage with a cache entry.
   */
  own?: boolean;
}

/**
 * A layer as sinks see it: what the config says of it, its uncompressed
 * bytes where they were made here, and its compressed blob, made on the
 * first call (and once), or known already. Sinks never ask how it came to be.
 */
export interface ImageLayer extends Layer {
  /** The layer's cache key: a store layer's, or the customisation layer's where its bytes follow from the contents alone; undefined for base layers. */
  readonly key: string | undefined;
  /** The uncompressed tar, undefined for a layer only the registry has. */
  readonly bytes: FileRange | undefined;
  /** The compressed blob, made on the first call (and once), or known already. */
  compressed(): Promise<CompressedBlob>;
  /** The blob if it is made or known by now; never starts making it. */
  blob(): CompressedBlob | undefined;
}

/** One image value: built once, handed to every sink. */
export interface Image {
  /** The first repository's name. */
  readonly name: string;
  /** The first repository's tags; the first is the docker-archive's first RepoTag. */
  readonly tags: readonly string[];
  /** Every repository the image is named in, with its tags: the first is `name` with `tags`. */
  readonly repositories: readonly { readonly name: string; readonly tags: readonly string[] }[];
  readonly configJson: Buffer;
  readonly imageId: Digest;
  readonly layers: readonly ImageLayer[];
  /** By level, as given: each sink places those its output has room for. */
  readonly annotations: Annotations;
}

// Annotations on pushed store layers: what a later build needs to use the
// blob without building, restoring or compressing the layer.
export const ANNOTATION_KEY = 'org.layered-image.cache-key';
export const ANNOTATION_DIFF_ID = 'org.layered-image.diff-id';
export const ANNOTATION_SIZE = 'org.layered-image.size';
export const ANNOTATION_PATHS = 'org.layered-image.store-paths';

/** A layer's annotations in a pushed manifest: none for base and customisation layers. */
export function layerAnnotations(layer: ImageLayer): Record<string, string> | undefined {
  if (layer.key === undefined) return undefined;
  return {
    [ANNOTATION_KEY]: layer.key,
    [ANNOTATION_DIFF_ID]: layer.digest,
    [ANNOTATION_SIZE]: String(layer.size),
    // The customisation layer holds no store path of its own.
    ...(layer.paths.length === 0 ? {} : { [ANNOTATION_PATHS]: layer.paths.join(' ') }),
  };
}
