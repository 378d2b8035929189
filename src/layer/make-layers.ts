import path from 'node:path';
import type { CachePolicy, PlannedStoreLayer } from '../cache/policy.js';
import type { WantedLayer } from '../cache/restore.js';
import type { BaseImage } from '../image/base-image.js';
import { pathsComment } from '../image/config.js';
import type { ImageLayer } from '../image/image.js';
import type { KnownLayer } from '../registry/known-layers.js';
import type { LayerBed, SinkContext, SinkNeeds } from '../sinks/sink.js';
import type { Compression } from './compress.js';
import type { Digest } from '../digest.js';
import type { Layer } from './layer.js';
import type { NarSource } from '../nix/nar.js';
import type { ByteSink } from './sink.js';
import type { TarSettings } from './tar-header.js';
import { BlobMaker, storeLayer } from './origins.js';
import { fillBed, writeStoreLayer, type BedLayer } from './write-layers.js';

/** Everything the layers are made from. */
export interface LayerSources {
  base: BaseImage | undefined;
  store: readonly PlannedStoreLayer[];
  /** Store layers the sinks' store holds already, by key. */
  known: ReadonlyMap<string, KnownLayer>;
  /** The customisation layer, written to the sink given; `comment` for the history; `key` where its bytes follow from the contents alone. */
  customisation: { write(sink: ByteSink): Promise<{ digest: Digest; size: number }>; comment: string; key: string | undefined };
  /** Store paths read from binary caches: a layer holding any is made from their NARs. */
  nars?: NarSource | undefined;
}

export interface LayerSetup {
  needs: readonly SinkNeeds[];
  /** The bed of the sink that needs every layer's bytes, else one of the work folder's for the base and customisation layers. */
  bed: LayerBed;
  policy: CachePolicy;
  settings: TarSettings;
  compression: Compression;
  concurrency: number;
}

/**
 * The image's layers, each by its origin: a base image's and the
 * customisation layer laid in the bed; store layers built into it too when
 * a sink needs every layer's bytes, else only those whose blob a sink needs
 * and neither the registry holds nor the cache gives, each in a file of its
 * own, raced against the cache's restores.
 */
export async function makeLayers(src: LayerSources, setup: LayerSetup, ctx: SinkContext): Promise<ImageLayer[]> {
  const { log, workers, work } = ctx;
  const { policy, bed } = setup;
  const inBed = setup.needs.some((n) => n.uncompressed !== 'none');
  const everyBlob = setup.needs.some((n) => n.blobs === 'all');
  const missing = setup.needs.some((n) => n.blobs === 'missing');
  const wanted = src.store.filter((l) => everyBlob || (missing && !src.known.has(l.key)));
  const { racing } = await log.group('Cache restore', () => policy.restore(wanted, { inPlace: inBed, workers }));
  const blobs = new BlobMaker({ workers, work, compression: setup.compression, known: everyBlob ? new Map() : src.known, policy, log });
  // Store layers built into files of their own. Their blobs are made at
  // once when a sink needs every blob or they race restores (the cores'
  // share must include the compression); for a push alone, as the uploads
  // ask, so that uploads overlap the compression of the layers after them.
  const alone = new Map<string, ImageLayer>();
  const buildAlone = async (l: WantedLayer) => {
    const made = await writeStoreLayer(l, { file: path.join(work, `store-${l.index}.tar`), settings: setup.settings, workers, log, nars: src.nars });
    const layer = blobs.layer(l.index, made.layer, l.key, made.bytes);
    if (everyBlob || racing) await layer.compressed();
    alone.set(l.key, layer);
  };
  const fill = { settings: setup.settings, workers, concurrency: setup.concurrency, log, nars: src.nars, work };
  const laid = await log.group('Build layers', async () => {
    if (inBed) return fillBed(bed, src.base, src.store, fill);
    const building = policy.provide(wanted, { workers, concurrency: setup.concurrency, build: buildAlone });
    const [copied, built] = await Promise.allSettled([fillBed(bed, src.base, [], fill), building]);
    if (copied.status === 'rejected') throw copied.reason;
    if (built.status === 'rejected') throw built.reason;
    return copied.value;
  });
  return log.group('Assemble image', async () => {
    const local = (l: BedLayer, index: number, key?: string) => blobs.layer(index, l.layer, key, l.bytes);
    const base = src.base?.layers.length ?? 0;
    // A push that finds the customisation layer in the registry neither makes it nor reads the contents' trees.
    const { key } = src.customisation;
    const held = key === undefined || inBed || everyBlob ? undefined : src.known.get(key);
    const custom = held === undefined ? local(await customisationLayer(src, bed), base + src.store.length, key) : storeLayer(key as string, [], src.customisation.comment, { known: held });
    const store = src.store.map((l, j): ImageLayer => {
      const comment = pathsComment('store paths', l.paths);
      if (inBed) return local(laid[base + j] as BedLayer, l.index, l.key);
      return storeLayer(l.key, l.paths, comment, { built: alone.get(l.key), restored: policy.restored(l.key), known: src.known.get(l.key) });
    });
    return [...laid.slice(0, base).map((l, i) => local(l, i)), ...store, custom];
  });
}

/** The customisation layer, last in the bed: its size is known only once it is made. */
async function customisationLayer(src: LayerSources, bed: LayerBed): Promise<BedLayer> {
  const last = await bed.last();
  const made = await src.customisation.write(last.sink).finally(() => last.sink.close());
  const layer: Layer = { ...made, paths: [], source: 'built', comment: src.customisation.comment };
  return { layer, bytes: await last.placed(made) };
}
