import type { Digest } from '../digest.js';

/** A layer of the image, once its bytes are in place: what the config and the report say of it. */
export interface Layer {
  readonly digest: Digest;
  readonly size: number;
  /** Store paths in the layer; empty for the customisation layer and a base image's. */
  readonly paths: readonly string[];
  readonly source: 'built' | 'restored' | 'base';
  /** What the image history says about this layer. */
  readonly comment: string;
}
