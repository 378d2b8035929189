import { open } from 'node:fs/promises';
import path from 'node:path';
import { pathsComment } from '../image/config.js';
import { layerPlaces } from '../image/docker-archive.js';
import { UserError, asUserError } from '../errors.js';
import type { BaseImage } from '../image/base-image.js';
import { formatBytes, Progress, type Logger } from '../log.js';
import { mapLimit } from '../util/pool.js';
import type { FileRange } from './compress.js';
import type { Layer } from './layer.js';
import type { PackedMembers } from './store-layer.js';
import type { TarSettings } from './tar-header.js';
import type { LayerWorkers, LayerTarget } from './workers.js';
import { input } from '../inputs.js';

/** A store layer to build: its place in the image and its store paths. */
export interface PlannedLayer {
  index: number;
  paths: string[];
}

/**
 * Builds every store layer into its place in the image file `output`, in
 * parallel on the layer workers, largest first so that no big layer starts
 * last while the other core idles. Each layer's trees are walked once, for
 * its size (which places it) and its members (which the write takes).
 */
export async function writeStoreLayers(
  planned: readonly PlannedLayer[],
  opts: {
    output: { file: string; label: string };
    /** Where the first store layer's header goes (after any base image's layers). */
    from: number;
    settings: TarSettings;
    workers: LayerWorkers;
    concurrency: number;
    log: Logger;
  },
): Promise<Layer[]> {
  const { log, workers } = opts;
  // Each walk's members go to its write, once: held only until then.
  const walked = new Map<number, PackedMembers>();
  const sizes = await mapLimit(planned, opts.concurrency, async (l) => {
    const { members, size } = await workers.walk(l.paths, opts.settings);
    walked.set(l.index, members);
    return size;
  });
  log.info(`${planned.length} store layers to build (${formatBytes(sizes.reduce((a, b) => a + b, 0))})`);
  const { offsets } = layerPlaces(sizes, opts.from);
  const layers = new Array<Layer>(planned.length);
  const progress = new Progress(log, 'written', sizes.reduce((a, b) => a + b, 0));
  const order = planned.map((_, i) => i).sort((a, b) => (sizes[b] as number) - (sizes[a] as number) || a - b);
  try {
    await mapLimit(order, opts.concurrency, async (i) => {
      const layer = planned[i] as PlannedLayer;
      const target: LayerTarget = { ...opts.output, offset: offsets[i] as number, size: sizes[i] as number };
      const members = walked.get(layer.index) as PackedMembers;
      walked.delete(layer.index);
      const { digest, size } = await workers.write({ members, settings: opts.settings, target }, (n) => progress.add(n));
      log.info(`layer ${layer.index + 1}: ${digest} ${formatBytes(size)}, ${layer.paths.length} store path(s)`);
      layers[i] = { digest, size, paths: layer.paths, source: 'built', comment: pathsComment('store paths', layer.paths) };
    });
  } finally {
    progress.end();
  }
  return layers;
}

/** Copies a base image's layers into their places, each checked against its diff_id. */
export async function copyBaseLayers(
  base: BaseImage,
  opts: { output: { file: string; label: string }; workers: LayerWorkers; onBytes: (n: number) => void },
): Promise<Layer[]> {
  const { offsets } = layerPlaces(base.layers.map((l) => l.size));
  return Promise.all(
    base.layers.map(async (layer, i): Promise<Layer> => {
      const target: LayerTarget = { ...opts.output, offset: offsets[i] as number, size: layer.size };
      const copied = await opts.workers.copy({ source: { file: base.file, offset: layer.offset }, target }, opts.onBytes);
      if ('bad' in copied) throw new UserError(`${input('fromImage')} ${base.file}: layer ${layer.member} ${copied.bad.replace(/^its layer /, '')}`);
      if (copied.digest !== layer.diffId) {
        throw new UserError(`${input('fromImage')} ${base.file}: layer ${layer.member} hashes to ${copied.digest}, not the diff_id ${layer.diffId} its config gives`);
      }
      return { digest: layer.diffId, size: layer.size, paths: [], source: 'base', comment: `base image ${path.basename(base.file)}, layer ${i + 1}` };
    }),
  );
}

/**
 * Builds one store layer into a file of its own, for an output that needs
 * only its compressed blob (an OCI layout, a push): walked, then written on
 * a layer worker. Returns the layer and where its bytes are.
 */
export async function writeStoreLayer(
  layer: { index: number; paths: readonly string[] },
  opts: { file: string; settings: TarSettings; workers: LayerWorkers; log: Logger },
): Promise<{ layer: Layer; bytes: FileRange }> {
  const { workers, settings, file } = opts;
  const paths = [...layer.paths];
  const { members, size } = await workers.walk(paths, settings);
  await (await open(file, 'wx', 0o644).catch((e: unknown) => asUserError(e, `cannot write a work file in ${path.dirname(file)}`))).close();
  const { digest } = await workers.write({ members, settings, target: { file, label: 'a work file', offset: 0, size } }, () => {});
  opts.log.info(`layer ${layer.index + 1}: ${digest} ${formatBytes(size)}, ${paths.length} store path(s)`);
  return { layer: { digest, size, paths, source: 'built', comment: pathsComment('store paths', paths) }, bytes: { file, offset: 0, size } };
}
