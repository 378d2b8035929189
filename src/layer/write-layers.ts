import { open, rm } from 'node:fs/promises';
import path from 'node:path';
import { pathsComment } from '../image/config.js';
import { UserError, asUserError } from '../errors.js';
import type { BaseImage, BaseLayer } from '../image/base-image.js';
import { formatBytes, Progress, type Logger } from '../log.js';
import type { LayerBed } from '../sinks/sink.js';
import { mapLimit } from '../util/pool.js';
import type { FileRange } from './compress.js';
import type { Layer } from './layer.js';
import type { PackedMembers } from './store-layer.js';
import type { TarSettings } from './tar-header.js';
import type { LayerWorkers, LayerTarget } from './workers.js';
import type { NarSource } from '../nix/nar.js';
import { writeNarLayer } from './nar-layer.js';
import { FileSink } from './sink.js';
import { input } from '../inputs/marker.js';

/** A store layer to build: its place in the image and its store paths. */
export interface PlannedLayer {
  index: number;
  paths: readonly string[];
}

/** A layer laid in a bed: what the config says of it, and where its bytes are read from once the bed is complete. */
export interface BedLayer {
  layer: Layer;
  bytes: FileRange | undefined;
}

interface FillOptions {
  settings: TarSettings;
  workers: LayerWorkers;
  concurrency: number;
  log: Logger;
  /** Store paths read from binary caches; a layer holding any is made from NARs in `work` first, then copied into place. */
  nars?: NarSource | undefined;
  work?: string;
}

/**
 * Lays a base image's layers, then `store` (the store layers, built from
 * the store), into `bed`, in image order. Each store layer's trees are
 * walked once, for its size (which places it) and its members (which the
 * write takes). A bed written in place takes every layer at once, on the
 * layer workers, largest first so that no big layer starts last while the
 * other core idles; an ordered bed (a stream) one after another.
 */
export async function fillBed(bed: LayerBed, base: BaseImage | undefined, store: readonly PlannedLayer[], opts: FillOptions): Promise<BedLayer[]> {
  const baseLayers = base?.layers ?? [];
  // Each walk's members go to its write, once: held only until then.
  // A layer of paths read from binary caches is made whole first: its size is known only then.
  const walked: ({ members: PackedMembers; size: number } | { made: BedLayer & { bytes: FileRange }; size: number } | undefined)[] = [];
  const copy = (l: BaseLayer, i: number, onBytes: (n: number) => void) => copyBaseLayer(base as BaseImage, l, i, bed.place(l.size), opts.workers, onBytes);
  const write = async (l: PlannedLayer, i: number, target: LayerTarget, onBytes: (n: number) => void): Promise<Layer> => {
    const prepared = walked[i];
    walked[i] = undefined;
    if (prepared !== undefined && 'made' in prepared) return copyMadeLayer(prepared.made, target, opts.workers, onBytes);
    const { members } = prepared as { members: PackedMembers };
    const { digest, size } = await opts.workers.write({ members, settings: opts.settings, target }, onBytes);
    opts.log.info(`layer ${l.index + 1}: ${digest} ${formatBytes(size)}, ${l.paths.length} store path(s)`);
    return { digest, size, paths: l.paths, source: 'built', comment: pathsComment('store paths', l.paths) };
  };
  const walk = () => mapLimit(store, opts.concurrency, async (l, i) => (walked[i] = await walkOrMake(l, opts)).size);
  const total = (sizes: readonly number[]) => baseLayers.reduce((n, l) => n + l.size, 0) + sizes.reduce((a, b) => a + b, 0);
  let layers: Layer[];
  if (bed.ordered) {
    const sizes = await walk();
    const progress = new Progress(opts.log, 'written', total(sizes));
    layers = [];
    try {
      for (const [i, l] of baseLayers.entries()) layers.push(await copy(l, i, (n) => progress.add(n)).then(settled(bed, l.size)));
      for (const [i, l] of store.entries()) layers.push(await write(l, i, bed.place(sizes[i] as number), (n) => progress.add(n)).then(settled(bed, sizes[i] as number)));
    } finally {
      progress.end();
    }
  } else {
    // Base layers come first: placed now, copied while the store layers are walked.
    const copying = Promise.all(baseLayers.map((l, i) => copy(l, i, () => {})));
    const writing = walk().then((sizes) => writeInPlace(bed, store, sizes, write, opts));
    // Both settle before either failure is reported: no job is left writing.
    const [copied, written] = await Promise.allSettled([copying, writing]);
    if (copied.status === 'rejected') throw copied.reason;
    if (written.status === 'rejected') throw written.reason;
    layers = [...copied.value, ...written.value];
  }
  return layers.map((layer, i) => ({ layer, bytes: bed.bytes(i) }));
}

function settled<T>(bed: LayerBed, size: number): (value: T) => T {
  return (value) => {
    bed.written(size);
    return value;
  };
}

async function writeInPlace(
  bed: LayerBed,
  store: readonly PlannedLayer[],
  sizes: readonly number[],
  write: (l: PlannedLayer, i: number, target: LayerTarget, onBytes: (n: number) => void) => Promise<Layer>,
  opts: FillOptions,
): Promise<Layer[]> {
  const all = sizes.reduce((a, b) => a + b, 0);
  if (store.length > 0) opts.log.info(`${store.length} store layers to build (${formatBytes(all)})`);
  const targets = sizes.map((size) => bed.place(size));
  const layers = new Array<Layer>(store.length);
  const progress = new Progress(opts.log, 'written', all);
  const order = store.map((_, i) => i).sort((a, b) => (sizes[b] as number) - (sizes[a] as number) || a - b);
  try {
    await mapLimit(order, opts.concurrency, async (i) => {
      layers[i] = await write(store[i] as PlannedLayer, i, targets[i] as LayerTarget, (n) => progress.add(n));
    });
  } finally {
    progress.end();
  }
  return layers;
}

/** Copies a base image's layer into its place, checked against its diff_id. */
async function copyBaseLayer(base: BaseImage, layer: BaseLayer, i: number, target: LayerTarget, workers: LayerWorkers, onBytes: (n: number) => void): Promise<Layer> {
  const copied = await workers.copy({ source: { file: base.file, offset: layer.offset }, target }, onBytes);
  if ('bad' in copied) throw new UserError(`${input('fromImage')} ${base.file}: layer ${layer.member} ${copied.bad.replace(/^its layer /, '')}`);
  if (copied.digest !== layer.diffId) {
    throw new UserError(`${input('fromImage')} ${base.file}: layer ${layer.member} hashes to ${copied.digest}, not the diff_id ${layer.diffId} its config gives`);
  }
  return { digest: layer.diffId, size: layer.size, paths: [], source: 'base', comment: `base image ${path.basename(base.file)}, layer ${i + 1}` };
}

/**
 * Builds one store layer into a file of its own, for an image whose sinks
 * need only its compressed blob (an OCI layout, a push): walked, then
 * written on a layer worker. Returns the layer and where its bytes are.
 */
export async function writeStoreLayer(
  layer: PlannedLayer,
  opts: { file: string; settings: TarSettings; workers: LayerWorkers; log: Logger; nars?: NarSource | undefined },
): Promise<BedLayer & { bytes: FileRange }> {
  const { workers, settings, file } = opts;
  const paths = [...layer.paths];
  if (opts.nars !== undefined && paths.some((p) => opts.nars?.has(p))) return writeFromNars(layer, { ...opts, nars: opts.nars });
  const { members, size } = await workers.walk(paths, settings);
  await (await open(file, 'wx', 0o644).catch((e: unknown) => asUserError(e, `cannot write a work file in ${path.dirname(file)}`))).close();
  const { digest } = await workers.write({ members, settings, target: { file, label: 'a work file', offset: 0, size } }, () => {});
  opts.log.info(`layer ${layer.index + 1}: ${digest} ${formatBytes(size)}, ${paths.length} store path(s)`);
  return { layer: { digest, size, paths, source: 'built', comment: pathsComment('store paths', paths) }, bytes: { file, offset: 0, size } };
}

/**
 * A store layer holding paths read from binary caches, made from their
 * NARs as they download (the others walked in the local store) into a file
 * of its own. This thread frames and hashes; the decompressor is a process
 * of its own, so the layer workers stay free for the other layers.
 */
async function writeFromNars(layer: PlannedLayer, opts: { file: string; settings: TarSettings; log: Logger; nars: NarSource }): Promise<BedLayer & { bytes: FileRange }> {
  const paths = [...layer.paths];
  const sink = await FileSink.create(opts.file).catch((e: unknown) => asUserError(e, `cannot write a work file in ${path.dirname(opts.file)}`));
  let made;
  try {
    made = await writeNarLayer(paths, opts.nars, opts.settings, sink);
  } finally {
    await sink.close();
  }
  const fetched = paths.filter((p) => opts.nars.has(p)).length;
  opts.log.info(`layer ${layer.index + 1}: ${made.digest} ${formatBytes(made.size)}, ${paths.length} store path(s), ${fetched} from their NARs`);
  return { layer: { digest: made.digest, size: made.size, paths, source: 'built', comment: pathsComment('store paths', paths) }, bytes: { file: opts.file, offset: 0, size: made.size } };
}

/** A store layer's members and size from a walk; or, holding paths read from binary caches, the layer made in the work folder. */
async function walkOrMake(l: PlannedLayer, opts: FillOptions): Promise<{ members: PackedMembers; size: number } | { made: BedLayer & { bytes: FileRange }; size: number }> {
  const { nars, work } = opts;
  if (nars === undefined || work === undefined || !l.paths.some((p) => nars.has(p))) return opts.workers.walk([...l.paths], opts.settings);
  const made = await writeFromNars(l, { file: path.join(work, `nar-layer-${l.index}.tar`), settings: opts.settings, log: opts.log, nars });
  return { made, size: made.bytes.size };
}

/** A layer made from NARs, copied into its place in the bed and checked against its digest on the way. */
async function copyMadeLayer(made: BedLayer & { bytes: FileRange }, target: LayerTarget, workers: LayerWorkers, onBytes: (n: number) => void): Promise<Layer> {
  const copied = await workers.copy({ source: { file: made.bytes.file, offset: 0 }, target }, onBytes);
  if ('bad' in copied || copied.digest !== made.layer.digest) throw new Error(`the layer made from NARs in ${made.bytes.file} changed before it was copied`);
  await rm(made.bytes.file, { force: true });
  return made.layer;
}
