import type { BlobLead } from '../cache/record.js';
import type { StorePathInfo } from '../nix/closure.js';
import type { Digest } from '../digest.js';
import type { Image } from '../image/image.js';
import type { ByteSink } from '../layer/sink.js';
import type { FileRange } from '../layer/compress.js';
import type { LayerTarget, LayerWorkers } from '../layer/workers.js';
import type { Logger } from '../log.js';
import type { KnownLayer } from '../registry/known-layers.js';
import type { PushReport } from './push.js';

/**
 * What a sink needs of the layers. The pipeline reads only this, never
 * which sink it is: `uncompressed` says whether every layer's tar is laid
 * into the sink's own bed (at its final place, or in image order), `blobs`
 * which compressed blobs it takes (every layer's, only those its store
 * lacks, or none).
 */
export interface SinkNeeds {
  readonly uncompressed: 'none' | 'in-place' | 'ordered';
  readonly blobs: 'all' | 'missing' | 'none';
}

/** What every sink may use while it works; the pipeline owns all of it. */
export interface SinkContext {
  /** A folder of this build's, removed when it ends. */
  readonly work: string;
  readonly workers: LayerWorkers;
  readonly log: Logger;
  /** What the sinks before this one reported: a later one may name what an earlier one made (the SBOM, the pushed manifest). */
  readonly earlier?: readonly SinkReport[];
  /** The closure the image was planned from, by store path: what an output says of its paths (the SBOM) needs no second query. */
  readonly storePaths?: ReadonlyMap<string, StorePathInfo>;
}

/**
 * Where the uncompressed layers are laid, one after another in image
 * order: `place` is called once per layer, in that order, with its size,
 * and (for an ordered bed) right before its bytes are written.
 */
export interface LayerBed {
  /** Whether layers must be written one at a time, in image order (a stream). */
  readonly ordered: boolean;
  place(size: number): LayerTarget;
  /** After the layer last placed has all its bytes (an ordered bed pads it). */
  written(size: number): void;
  /**
   * The last layer (the customisation layer), whose size is known only
   * once it is made: its bytes go to `sink`, then `placed` puts them where
   * they belong and says where they can be read.
   */
  last(): Promise<{ sink: ByteSink; placed(layer: { digest: Digest; size: number }): Promise<FileRange | undefined> }>;
  /** Where the layer placed `index`-th can be read once the sink has written the image; undefined for a stream. */
  bytes(index: number): FileRange | undefined;
}

/**
 * A store of blobs that answers which layers it holds (a registry): the
 * pipeline then makes only the others' blobs.
 */
export interface BlobStore {
  /** Names the store in the blob record's scope, so images pushed to it share leads. */
  readonly scope: string;
  /** Where the store keeps blobs, for the record's leads (`registry/repository`, one per repository pushed to). */
  readonly locations: readonly string[];
  /** `leads` are confirmed; with `cacheFrom`, so are the leads of the images the options name to take blobs from. */
  known(keys: ReadonlySet<string>, leads: readonly BlobLead[], log: Logger, opts: { cacheFrom: boolean }): Promise<Map<string, KnownLayer>>;
}

export interface SinkReport {
  /** The file or folder written, or `-` for standard output. */
  path?: string;
  /** Bytes written there, when known. */
  size?: number;
  /** What a push did: the manifest digest, references, and each layer's blob. */
  pushed?: PushReport;
  /** The SBOM file written. */
  sbom?: string;
}

/**
 * One output of the image: a docker-archive file or stream, an OCI layout,
 * a registry. Each takes the same image value; what it needs of the layers
 * is in `needs`, and anything that only one output needs (a tar's member
 * placement, a registry's uploads) lives in its own module.
 */
export interface Sink {
  readonly needs: SinkNeeds;
  /** Checks before any work that the sink can be written (a path, a registry's credentials). */
  prepare?(log: Logger): Promise<void>;
  /** The folder it writes in, once prepared: work files go beside it, on the same file system, to be linked or renamed into it. */
  folder?(): string;
  /**
   * The sink's own bed, when `needs.uncompressed` is not 'none'.
   * `readLater`: other sinks read the layers from it after this one has
   * written the image, so they must still be readable then.
   */
  bed?(ctx: SinkContext, opts: { readLater: boolean }): Promise<LayerBed>;
  /** Set when the sink keeps blobs it can be asked about. */
  readonly store?: BlobStore;
  write(image: Image, ctx: SinkContext): Promise<SinkReport>;
  /** Removes anything the sink left half-written; called once, whatever happened. */
  dispose?(): Promise<void>;
}
