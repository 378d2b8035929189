import type { Digest } from '../digest.js';

/**
 * Where a layer came from: built now, its compressed blob restored from the
 * layer cache (and so not built), taken from a base image, or known to the
 * registry already (and so not made here).
 */
export type LayerSource = 'built' | 'restored' | 'base' | 'registry';

/** A layer of the image: what the config and the report say of it. */
export interface Layer {
  /** The diff_id: the digest of the uncompressed tar. */
  readonly digest: Digest;
  readonly size: number;
  /** Store paths in the layer; empty for the customisation layer and a base image's. */
  readonly paths: readonly string[];
  readonly source: LayerSource;
  /** What the image history says about this layer. */
  readonly comment: string;
}
