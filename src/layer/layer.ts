import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Digest } from '../digest.js';

/**
 * A layer as sinks see it: its identity, its size and a way to read its
 * (uncompressed tar) bytes. Nothing is read until a sink calls `open`, and a
 * sink never learns whether the bytes were built now or restored.
 */
export interface Layer {
  readonly digest: Digest;
  readonly size: number;
  /** Store paths in the layer; empty for the customisation layer. */
  readonly paths: readonly string[];
  readonly source: 'built' | 'restored';
  /** What the image history says about this layer. */
  readonly comment: string;
  open(): Readable;
  /** Where the bytes sit, when they sit in a file: sinks may copy it directly. */
  readonly file?: string;
}

/** A layer whose bytes sit in a file. */
export function fileLayer(file: string, fields: Omit<Layer, 'open' | 'file'>): Layer {
  return { ...fields, file, open: () => createReadStream(file, { highWaterMark: 1 << 20 }) };
}
