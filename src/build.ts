import { link, lstat, open, realpath, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { digestHex, type Digest } from './digest.js';
import { UserError, asUserError, errnoCode } from './errors.js';
import { configDigest, imageConfigJson, mergeBaseConfig, pathsComment } from './image/config.js';
import { ArchiveStream, finishDockerArchive, layerPlaces, MAX_LAST_LAYER } from './image/docker-archive.js';
import { BLOCK } from './layer/tar-header.js';
import type { LayerCache } from './cache/cache.js';
import { layerCacheKey } from './cache/key.js';
import { leadId, mergeRecord, parseRecord, recordScope, sameLeads } from './cache/record.js';
import { BlobSaver, emptyLookup, largestFirst, recordedLayers, restoreBlobs, restoreOrBuild, type RestoredBlob } from './cache/blobs.js';
import type { CompressedBlob, Image, ImageLayer } from './image/image.js';
import { checkLayoutTarget, writeOciLayout } from './image/oci-layout.js';
import type { FileRange } from './layer/compress.js';
import type { PackedMembers } from './layer/store-layer.js';
import { connect } from './registry/connect.js';
import { findKnownLayers, type BlobLead, type KnownLayer } from './registry/known-layers.js';
import { pushImage, type BlobOutcome, type PushReport } from './registry/push.js';
import { DirectoryCache } from './cache/directory.js';
import { copyBaseLayers, writeStoreLayer, writeStoreLayers, type PlannedLayer } from './layer/write-layers.js';
import { readBaseImage, type BaseImage } from './image/base-image.js';
import { LayerWorkers } from './layer/workers.js';
import { addNixDb, customisationDir, packDirectory, runExtraCommands } from './layer/custom-dir.js';
import { mergeContents, writeCustomisationLayer, type DirNode } from './layer/customisation.js';
import type { Layer, LayerSource } from './layer/layer.js';
import { FileSink, RangeSink, type ByteSink } from './layer/sink.js';
import { formatBytes, onceEach, Progress, quietLogger, type Logger } from './log.js';
import { narSizeOf, queryClosure } from './nix/closure.js';
import { resolveStorePath, storePathsIn } from './nix/store.js';
import type { BuildOptions, OutputChoice, PushChoice } from './options.js';
import type { PlanReport } from './plan/explain.js';
import { planStoreLayers } from './plan/layers.js';
import { mapLimit } from './util/pool.js';
import { trackTemporary, untrackTemporary } from './util/temp.js';
import { makeWorkFolder, outputTempName, removeStaleWorkFolders } from './util/work-folder.js';
import { input } from './inputs.js';

export interface LayerReport {
  digest: Digest;
  size: number;
  paths: string[];
  source: LayerSource;
  /** The compressed blob, where this build made or found one (OCI layout, push). */
  compressedDigest?: Digest;
  compressedSize?: number;
  /** What the push did with its blob. */
  pushed?: BlobOutcome;
}

export interface BuildReport {
  /** The docker-archive or OCI layout written; undefined when the image was only pushed. */
  imagePath: string | undefined;
  imageName: string;
  /** The first of imageTags: the docker-archive's RepoTag. */
  imageTag: string;
  imageTags: string[];
  imageId: Digest;
  layerDigests: Digest[];
  layers: LayerReport[];
  /** Bytes of the docker-archive or layout written. */
  imageSize: number | undefined;
  /** Store layers restored, built, and newly saved to the cache. */
  cache: { restored: number; built: number; saved: number };
  push?: Omit<PushReport, 'layers'>;
}

/**
 * inputs → closure → plan → layers → one image value → its sinks: a
 * docker-archive or OCI layout at `output`, and the registry.
 *
 * Layers are laid out in docker-archive order in one file (the archive
 * itself when that is the output, else a work file), so the archive needs no
 * second copy; compressed blobs are made from their ranges, on the workers,
 * when a sink first asks. Store layers the registry has are not made at all
 * unless a local image needs them.
 */
export async function build(opts: BuildOptions, logger: Logger = quietLogger): Promise<BuildReport> {
  const log = onceEach(logger);
  // Only a push or an OCI layout has anything to gain from the cache (a
  // docker-archive's layers pack faster than they restore). The Actions
  // cache's module takes a few tenths of a second to load: begun now, it
  // loads while the closure is queried.
  const cacheUsed = opts.push !== undefined || opts.output?.kind === 'oci';
  if (cacheUsed && opts.cache.kind === 'actions') import('./cache/actions.js').catch(() => undefined);
  const { contents, configRoots, base } = await resolveRoots(opts);
  const root = await mergeContents(contents);
  const output = await reserveOutput(opts.output);
  const push = opts.push === undefined ? undefined : await pushTarget(opts, opts.push, log);
  const { closure, planned: plan } = await closureAndPlan(opts, contents, configRoots, base, log);

  // Beside the output, so that its files can be renamed or linked into it.
  const workParent = output === undefined ? opts.scratch : path.dirname(output.target);
  // What runs killed outright left here: their output temporaries are in this folder too.
  await removeStaleWorkFolders(workParent);
  const work = await makeWorkFolder(workParent).catch((e: unknown) =>
    asUserError(e, `cannot create a work folder in ${workParent}`),
  );
  trackTemporary(work);
  if (output !== undefined) trackTemporary(output.tmp);
  const workers = new LayerWorkers(opts.concurrency);
  // Blob saves run while the image goes to its sinks; they must end before `work` goes.
  let saver: BlobSaver | undefined;
  try {
    if (opts.output?.kind === 'stdout') {
      return await streamImage(opts, { contents, root, base, closurePaths: [...closure.paths.keys()], plan, work, workers, log });
    }
    const cache = cacheUsed ? await openCache(opts, log) : undefined;
    const noCache = cacheUsed || opts.cache.kind === 'none' ? 'no layer cache' : "no cache used: a docker-archive's store layers are built, which is faster than restoring them";
    const keys = plan.map((l) => layerCacheKey(l.paths, opts.storeLayerSettings));
    const local = output?.choice.kind;
    // Which store layers need a blob: all for an OCI layout (it holds every
    // blob), for a push those the registry lacks; and which need their
    // uncompressed bytes: all for a docker-archive, else those whose blob
    // must be made here.
    const blobCompression = opts.compression === 'none' ? undefined : opts.compression;
    // The record serves pushes (what a registry holds) and blob restores
    // (what the cache holds). An OCI layout always reads it: nothing is
    // restored without it. A push reads it only when the layers that its
    // cacheFrom manifests leave unknown are worth it (see RECORD_WORTH_BYTES).
    const usesRecord = cache !== undefined && (push !== undefined || (local === 'oci' && blobCompression !== undefined));
    const scope = usesRecord ? recordScope(push?.registry ?? '', opts.variant === undefined ? opts.architecture : `${opts.architecture}/${opts.variant}`) : undefined;
    let earlier: BlobLead[] | undefined;
    const readRecord = async (): Promise<BlobLead[]> => (earlier ??= scope === undefined || cache === undefined ? [] : parseRecord(await cache.loadRecord(scope)));
    if (local === 'oci') await readRecord();
    const narBytes = (paths: readonly string[]) => narSizeOf(closure, paths);
    const known = new Map<string, KnownLayer>();
    if (push !== undefined) {
      await log.group('Registry', async () => {
        const find = (keySet: Set<string>, leads: readonly BlobLead[], cacheFrom: typeof push.cacheFrom) =>
          findKnownLayers({ target: push, keys: keySet, leads, cacheFrom, compression: opts.compression, platform: push.platform, clientFor: push.clientFor, log });
        for (const [k, v] of await find(new Set(keys), earlier ?? [], push.cacheFrom)) known.set(k, v);
        if (earlier !== undefined || scope === undefined) return;
        const unknown = plan.filter((_, j) => !known.has(keys[j] as string));
        const bytes = unknown.reduce((n, l) => n + narBytes(l.paths), 0);
        if (bytes < RECORD_WORTH_BYTES) {
          if (unknown.length > 0) log.info(`the cache's blob list not read: the ${unknown.length} store layers the registry lacks (${formatBytes(bytes)}) cost less to make than to restore`);
          return;
        }
        const leads = await readRecord();
        if (leads.length > 0) for (const [k, v] of await find(new Set(unknown.map((l) => layerCacheKey(l.paths, opts.storeLayerSettings))), leads, [])) known.set(k, v);
      });
    }
    const storeIndex = (j: number) => (base?.layers.length ?? 0) + j;
    const needsBlob = (key: string) => local === 'oci' || (push !== undefined && !known.has(key));
    const wanted = plan.map((l, j) => ({ index: storeIndex(j), paths: l.paths, key: keys[j] as string, estimate: narBytes(l.paths) })).filter((l) => needsBlob(l.key));
    const restoring = cache === undefined || blobCompression === undefined || wanted.length === 0 ? undefined : { cache, leads: earlier ?? [], compression: blobCompression, workers, log };
    // A docker-archive holds every layer uncompressed: those are built
    // into it, in place. Other outputs need only blobs: a store layer is
    // built (into a file of its own) only when its blob is not restored.
    const inPlace = local === 'docker-archive';
    const lookup = emptyLookup(earlier ?? [], blobCompression);
    await log.group('Cache restore', async () => {
      if (restoring === undefined) log.info(cache === undefined ? noCache : 'no layer blobs wanted from the cache: store layers are built, which is faster than restoring them');
      else if (inPlace) await restoreBlobs(wanted, restoring, lookup);
      else log.info(`${recordedLayers(wanted, restoring).length} of ${wanted.length} layer blobs recorded in the ${restoring.cache.description}: restored while the others are built (see Build layers)`);
    });
    const toBuild = inPlace ? plan.map((l, j): PlannedLayer => ({ index: storeIndex(j), paths: l.paths })) : [];
    const layerFile = inPlace ? (output as LocalOutput).tmp : path.join(work, 'layers.tar');
    // A push reads blobs from the layers' places after the archive is renamed into place: through a second name.
    const readFrom = inPlace && push !== undefined ? path.join(work, 'archive.tar') : layerFile;
    const label = output === undefined ? 'a work file' : `output ${output.choice.path}`;
    const target = { file: layerFile, label };

    // Blobs made now are saved as they are made, when a later run will
    // restore them: for an OCI layout, which needs every blob; a push's
    // later runs find them in the registry instead.
    saver = cache !== undefined && blobCompression !== undefined && local === 'oci' ? new BlobSaver(cache, blobCompression, lookup) : undefined;
    const blobs = new BlobMaker({ workers, work, compression: opts.compression, known: local === 'oci' ? new Map() : known, restored: lookup.restored, saver, log });
    // Store layers built into files of their own. Their blobs are made at
    // once when they race restores (the cores' share must include the
    // compression); for a push alone, as the uploads ask, so that uploads
    // overlap the compression of the layers after them.
    const eager = local === 'oci' || (restoring !== undefined && recordedLayers(wanted, restoring).length > 0);
    const alone = new Map<string, { layer: Layer; bytes: FileRange; compressed: () => Promise<CompressedBlob> }>();
    const buildAlone = async (l: { index: number; key: string; paths: readonly string[] }) => {
      const made = await writeStoreLayer(l, { file: path.join(work, `store-${l.index}.tar`), settings: opts.storeLayerSettings, workers, log });
      const compressed = blobs.forLayer(l.index, made.layer, l.key, made.bytes);
      if (eager) await compressed();
      alone.set(l.key, { ...made, compressed });
    };

    const { baseLayers, storeLayers } = await log.group('Build layers', async () => {
      await (await open(layerFile, 'wx', 0o644).catch((e: unknown) => asUserError(e, `cannot write ${label}`))).close();
      if (layerFile !== readFrom) await link(layerFile, readFrom).catch((e: unknown) => asUserError(e, `cannot write ${label}`));
      const copying = base === undefined ? Promise.resolve([]) : copyBaseLayers(base, { output: target, workers, onBytes: () => {} });
      const from = layerPlaces(base?.layers.map((l) => l.size) ?? []).end;
      const writing = inPlace
        ? writeStoreLayers(toBuild, { output: target, from, settings: opts.storeLayerSettings, workers, concurrency: opts.concurrency, log })
        : (restoring === undefined ? mapLimit([...wanted].sort(largestFirst), opts.concurrency, buildAlone) : restoreOrBuild(wanted, { ...restoring, builders: opts.concurrency, build: buildAlone }, lookup)).then(() => []);
      // Both settle before either failure is reported: no job is left writing.
      const [copied, written] = await Promise.allSettled([copying, writing]);
      if (copied.status === 'rejected') throw copied.reason;
      if (written.status === 'rejected') throw written.reason;
      return { baseLayers: copied.value, storeLayers: written.value };
    });

    const image = await log.group('Assemble image', async () => {
      // The customisation layer is last, so its place is known already: its
      // header is one block, as it may not reach 8 GiB.
      const made = [...baseLayers, ...storeLayers];
      const offset = layerPlaces(made.map((l) => l.size)).end + BLOCK;
      const overflow = `the customisation layer is larger than ${formatBytes(MAX_LAST_LAYER)}; put large files in store paths instead`;
      const sink = RangeSink.open({ ...target, offset, size: MAX_LAST_LAYER, overflow });
      const custom = await customisationLayer(opts, { root, work, contents, closurePaths: [...closure.paths.keys()], log }, sink).finally(() => sink.close());
      const { offsets } = layerPlaces([...made, custom].map((l) => l.size));
      // `at`: its place among the layers made here; `index`: in the image.
      const here = (l: Layer, at: number, index: number, key: string | undefined): ImageLayer => {
        const bytes = { file: readFrom, offset: offsets[at] as number, size: l.size };
        return { ...l, key, bytes, compressed: blobs.forLayer(index, l, key, bytes) };
      };
      const storeLayerValues = plan.map(({ paths }, j): ImageLayer => {
        const key = keys[j] as string;
        const index = storeIndex(j);
        const comment = pathsComment('store paths', paths);
        if (inPlace) return here(storeLayers[j] as Layer, baseLayers.length + j, index, key);
        const own = alone.get(key);
        if (own !== undefined) return { ...own.layer, key, bytes: own.bytes, compressed: own.compressed };
        const cached = lookup.restored.get(key);
        if (cached !== undefined) {
          return { digest: cached.meta.diffId, size: cached.meta.size, paths, source: 'restored', comment, key, bytes: undefined, compressed: blobs.fromCache(index, cached) };
        }
        const k = known.get(key) as KnownLayer;
        return { digest: k.diffId, size: k.size, paths, source: 'registry', comment, key, bytes: undefined, compressed: blobs.inRegistry(index, k) };
      });
      const layers: ImageLayer[] = [
        ...baseLayers.map((l, i) => here(l, i, i, undefined)),
        ...storeLayerValues,
        here({ ...custom, paths: [], source: 'built', comment: pathsComment('customisation layer, contents', contents) }, made.length, baseLayers.length + plan.length, undefined),
      ];
      const configJson = configFor(opts, base, layers);
      const imageId = configDigest(configJson);
      const tags = tagsFor(opts, imageId);
      const value: Image = { name: opts.name, tags, configJson, imageId, layers };
      return { value, blobs };
    });

    /** The record's new leads merged and saved, if worth it; returns what to log. */
    const saveRecord = async (savedKeys: ReadonlySet<string>): Promise<string[]> => {
      if (scope === undefined || cache === undefined) return [];
      const state = (key: string): { cached?: boolean; bad?: boolean } =>
        lookup.restored.has(key)
          ? { cached: true }
          : lookup.unsaveable.has(key)
            ? { cached: false, bad: true }
            : savedKeys.has(key)
              ? { cached: true }
              : lookup.refuted.has(key)
                ? { cached: false }
                : {};
      const now = image.blobs.leads(image.value, push === undefined ? [] : [`${push.registry}/${push.repository}`], state);
      // A push's record is saved only when what it newly says (the blobs
      // compressed here) is worth a later run's restore; the pushed tags'
      // manifests say the rest.
      const had = new Set((earlier ?? []).map(leadId));
      const madeHere = new Set(image.value.layers.filter((l) => l.source === 'built' && l.key !== undefined).map((l) => l.key));
      const newBytes = now.filter((l) => madeHere.has(l.key) && !had.has(leadId(l))).reduce((n, l) => n + l.size, 0);
      // What this run found of the cache's entries is always kept.
      const findings = lookup.refuted.size > 0 || [...lookup.unsaveable].some((k) => !(earlier ?? []).some((l) => l.key === k && l.bad === true));
      if (local !== 'oci' && newBytes < RECORD_WORTH_BYTES && !findings) return [`the cache's blob list not saved: the layers new to it (${formatBytes(newBytes)}) are worth less than a restore`];
      const before = await readRecord();
      const merged = mergeRecord(before, now);
      if (sameLeads(mergeRecord(before, []).leads, merged.leads)) return ["the cache's blob list unchanged; not saved"];
      return (await cache.saveRecord(scope, merged)) ? [`the cache's blob list saved: ${merged.leads.length} layer blobs`] : [];
    };

    // The local image first: a push that fails still leaves it.
    const imageSize = output === undefined ? undefined : await log.group('Write image', () => writeOutput(image.value, output, { work, compression: opts.compression, concurrency: opts.concurrency, log }));
    // A push's record needs only the blobs' digests: saved while the blobs upload.
    const early = push !== undefined && saver === undefined ? Promise.all(image.value.layers.map((l) => l.compressed())).then(() => saveRecord(new Set())) : undefined;
    early?.catch(() => undefined);
    const pushed = push === undefined ? undefined : await log.group('Push', () => pushImage(image.value, { ...push, tags: push.byDigest ? [] : image.value.tags }, log));

    const saved = await log.group('Cache save', async () => {
      if (cache === undefined) {
        log.info(noCache);
        return 0;
      }
      const savedKeys = (await saver?.done()) ?? new Set<string>();
      log.info(saver === undefined ? 'no layer blobs to save: a later run builds these layers, or finds their blobs in the registry' : `${savedKeys.size} new layer blobs saved to the ${cache.description}`);
      for (const line of await (early ?? saveRecord(savedKeys))) log.info(line);
      return savedKeys.size;
    });
    const restored = image.value.layers.filter((l) => l.source === 'restored').length;
    const built = image.value.layers.filter((l) => l.key !== undefined && l.source === 'built').length;
    return {
      imagePath: output?.choice.path,
      imageName: opts.name,
      imageTag: image.value.tags[0] as string,
      imageTags: [...image.value.tags],
      imageId: image.value.imageId,
      imageSize,
      layerDigests: image.value.layers.map((l) => l.digest),
      layers: image.value.layers.map((l, i) => {
        const blob = image.blobs.of(i);
        const outcome = pushed?.layers[i];
        return {
          digest: l.digest,
          size: l.size,
          paths: [...l.paths],
          source: l.source,
          ...(blob === undefined ? {} : { compressedDigest: blob.digest, compressedSize: blob.size }),
          ...(outcome === undefined ? {} : { pushed: outcome }),
        };
      }),
      cache: { restored, built, saved },
      ...(pushed === undefined ? {} : { push: { digest: pushed.digest, refs: pushed.refs, blobs: pushed.blobs } }),
    };
  } finally {
    await workers.close();
    await saver?.done().catch(() => undefined);
    await rm(work, { recursive: true, force: true });
    if (output !== undefined) await rm(output.tmp, { recursive: true, force: true }).catch(() => {});
    untrackTemporary(work);
    if (output !== undefined) untrackTemporary(output.tmp);
  }
}

/** From the merged tree in memory, or through a real directory when a script or the Nix database has to add to it. */
async function customisationLayer(
  opts: BuildOptions,
  ctx: { root: DirNode; work: string; contents: readonly string[]; closurePaths: readonly string[]; log: Logger },
  sink: ByteSink,
): Promise<{ digest: Digest; size: number }> {
  if (opts.extraCommands === undefined && !opts.includeNixDB) return writeCustomisationLayer(ctx.root, opts.storeLayerSettings, sink);
  const dir = await customisationDir(ctx.root, ctx.work);
  // Every path of the closure is in the image, in our layers or the base's.
  if (opts.includeNixDB) await addNixDb(dir, [...ctx.closurePaths].sort(), ctx.contents, opts.storeLayerSettings.mtime);
  if (opts.extraCommands !== undefined) await runExtraCommands(opts.extraCommands, dir, ctx.log);
  return packDirectory(dir, opts.storeLayerSettings, sink);
}

/** The image config for these layers, a base image's first. */
function configFor(opts: BuildOptions, base: BaseImage | undefined, layers: readonly Layer[]): Buffer {
  return imageConfigJson({
    architecture: opts.architecture,
    variant: opts.variant,
    created: opts.created,
    config: base === undefined ? opts.config : mergeBaseConfig(base.config, opts.config),
    layers,
    ...(base === undefined ? {} : { base: { history: base.history, layers: base.layers.length } }),
  });
}

/** A tag derived from the config is stable across machines and changes whenever any layer or setting does. */
function tagsFor(opts: BuildOptions, imageId: Digest): string[] {
  return opts.tags.length > 0 ? opts.tags : [digestHex(imageId).slice(0, 32)];
}

/**
 * `--output -`: the image as a docker-archive on standard output, written in
 * one pass and never to disk, as nixpkgs' streamLayeredImage does, for
 * `| docker load`. The stream is in layer order, so layers are written one
 * after another (each on a worker, after every layer was sized in
 * parallel), and all are built from the store, which packs them faster
 * than any cache restores them.
 */
async function streamImage(
  opts: BuildOptions,
  ctx: { contents: string[]; root: DirNode; base: BaseImage | undefined; closurePaths: string[]; plan: readonly { paths: string[] }[]; work: string; workers: LayerWorkers; log: Logger },
): Promise<BuildReport> {
  const { workers, log, base } = ctx;
  const label = 'standard output';
  const out = new ArchiveStream(1, label);
  const layerFiles: string[] = [];
  const layers: Layer[] = [];
  const place = (size: number) => {
    const name = `${String(layerFiles.length + 1).padStart(3, '0')}/layer.tar`;
    layerFiles.push(name);
    out.begin(name, size);
    return { file: '', label, offset: 0, size, stream: out.fd };
  };
  await log.group('Build layers', async () => {
    const walked = await mapLimit(ctx.plan, opts.concurrency, (l) => workers.walk(l.paths, opts.storeLayerSettings));
    const total = (base?.layers ?? []).reduce((n, l) => n + l.size, 0) + walked.reduce((n, w) => n + w.size, 0);
    const progress = new Progress(log, 'written', total);
    try {
      for (const [i, l] of (base?.layers ?? []).entries()) {
        const copied = await workers.copy({ source: { file: base?.file ?? '', offset: l.offset }, target: place(l.size) }, (n) => progress.add(n));
        if ('bad' in copied || copied.digest !== l.diffId) throw new UserError(`${input('fromImage')} ${base?.file ?? ''}: layer ${l.member} does not hash to the diff_id ${l.diffId} its config gives`);
        out.end(l.size);
        layers.push({ digest: l.diffId, size: l.size, paths: [], source: 'base', comment: `base image ${path.basename(base?.file ?? '')}, layer ${i + 1}` });
      }
      for (const [i, l] of ctx.plan.entries()) {
        const { members, size } = walked[i] as { members: PackedMembers; size: number };
        const written = await workers.write({ members, settings: opts.storeLayerSettings, target: place(size) }, (n) => progress.add(n));
        out.end(size);
        layers.push({ digest: written.digest, size, paths: l.paths, source: 'built', comment: pathsComment('store paths', l.paths) });
      }
    } finally {
      progress.end();
    }
    log.info(`${layers.length} layers written to ${label}`);
  });
  return log.group('Assemble image', async () => {
    // Small, and its size must come first: made in the work folder, then sent.
    const file = path.join(ctx.work, 'customisation.tar');
    const sink = await FileSink.create(file);
    const custom = await customisationLayer(opts, { ...ctx, closurePaths: ctx.closurePaths }, sink).finally(() => sink.close());
    const copied = await workers.copy({ source: { file, offset: 0 }, target: place(custom.size) }, () => {});
    if ('bad' in copied || copied.digest !== custom.digest) throw new Error('the customisation layer changed while it was sent');
    out.end(custom.size);
    layers.push({ ...custom, paths: [], source: 'built', comment: pathsComment('customisation layer, contents', ctx.contents) });
    const configJson = configFor(opts, base, layers);
    const imageId = configDigest(configJson);
    const tags = tagsFor(opts, imageId);
    out.finish({ configJson, repoTag: `${opts.name}:${tags[0] as string}`, layerFiles });
    log.info(`${label}: ${opts.name}:${tags[0] as string}, ${layers.length} layers`);
    return {
      imagePath: '-',
      imageName: opts.name,
      imageTag: tags[0] as string,
      imageTags: tags,
      imageId,
      imageSize: undefined,
      layerDigests: layers.map((l) => l.digest),
      layers: layers.map((l) => ({ digest: l.digest, size: l.size, paths: [...l.paths], source: l.source })),
      cache: { restored: 0, built: ctx.plan.length, saved: 0 },
    };
  });
}

/** The local image: the docker-archive completed and renamed into place, or an OCI layout. Returns its bytes. */
async function writeOutput(
  image: Image,
  output: LocalOutput,
  opts: { work: string; compression: BuildOptions['compression']; concurrency: number; log: Logger },
): Promise<number> {
  const { choice } = output;
  let size: number;
  if (choice.kind === 'docker-archive') {
    finishDockerArchive(output.tmp, { configJson: image.configJson, repoTag: `${image.name}:${image.tags[0] as string}`, layers: image.layers }, `output ${choice.path}`);
    await rename(output.tmp, output.target).catch((e: unknown) => asUserError(e, `cannot write ${input('output')} ${choice.path}`));
    size = (await stat(output.target)).size;
  } else {
    size = (await writeOciLayout(image, { dir: output.target, scratch: output.tmp, compression: opts.compression, concurrency: opts.concurrency * 2 })).size;
  }
  opts.log.info(`${choice.path}: ${choice.kind} ${image.name}:${image.tags.join(', ')}, ${image.layers.length} layers, ${formatBytes(size)}`);
  return size;
}

/**
 * Makes each layer's compressed blob once, on the workers, when a sink first
 * asks for it; a blob the registry is known to hold, or the cache gave, for
 * a layer with the same diff_id is used as it is. Blobs made here go to the
 * saver, if there is one. Layers are named by their index in the image.
 */
class BlobMaker {
  private readonly blobs = new Map<number, CompressedBlob>();

  constructor(
    private readonly opts: {
      workers: LayerWorkers;
      work: string;
      compression: BuildOptions['compression'];
      known: ReadonlyMap<string, KnownLayer>;
      restored: ReadonlyMap<string, RestoredBlob>;
      saver: BlobSaver | undefined;
      log: Logger;
    },
  ) {}

  forLayer(index: number, layer: Layer, key: string | undefined, bytes: FileRange): () => Promise<CompressedBlob> {
    let made: Promise<CompressedBlob> | undefined;
    return () => (made ??= this.make(index, layer, key, bytes));
  }

  /** A layer not made here: its blob is the registry's. */
  inRegistry(index: number, known: KnownLayer): () => Promise<CompressedBlob> {
    const blob: CompressedBlob = { ...known.blob, bytes: undefined, inRegistry: known.inRegistry };
    this.blobs.set(index, blob);
    return () => Promise.resolve(blob);
  }

  /** A layer not made here: its blob came from the cache, checked. */
  fromCache(index: number, restored: RestoredBlob): () => Promise<CompressedBlob> {
    const { digest, blobSize } = restored.meta;
    const blob: CompressedBlob = { digest, size: blobSize, bytes: { file: restored.file, offset: 0, size: blobSize } };
    this.blobs.set(index, blob);
    return () => Promise.resolve(blob);
  }

  private async make(index: number, layer: Layer, key: string | undefined, bytes: FileRange): Promise<CompressedBlob> {
    const { compression, known } = this.opts;
    const k = key === undefined ? undefined : known.get(key);
    const cached = key === undefined ? undefined : this.opts.restored.get(key);
    let blob: CompressedBlob;
    if (k !== undefined && k.diffId === layer.digest) {
      blob = { ...k.blob, bytes: undefined, inRegistry: k.inRegistry };
    } else if (cached !== undefined && cached.meta.diffId === layer.digest) {
      blob = { digest: cached.meta.digest, size: cached.meta.blobSize, bytes: { file: cached.file, offset: 0, size: cached.meta.blobSize } };
    } else if (compression === 'none') {
      blob = { digest: layer.digest, size: layer.size, bytes };
    } else {
      if (k !== undefined) this.opts.log.warning(`the registry's blob for layer ${index + 1} was recorded with another diff_id than the layer built here; compressing this one`);
      const out = path.join(this.opts.work, `blob-${index}.${compression === 'gzip' ? 'gz' : 'zst'}`);
      const made = await this.opts.workers.compress({ source: bytes, compression, out }, () => {});
      blob = { ...made, bytes: { file: out, offset: 0, size: made.size } };
      if (key !== undefined) this.opts.saver?.add({ key, paths: layer.paths, diffId: layer.digest, size: layer.size }, { file: out, digest: made.digest, size: made.size });
    }
    this.blobs.set(index, blob);
    return blob;
  }

  /** The blob of the layer at `index`, if one was made or found. */
  of(index: number): CompressedBlob | undefined {
    return this.blobs.get(index);
  }

  /**
   * Leads for the blob record: every store layer whose blob is known now,
   * where it is pushed, and what this run learned of its cache entry.
   */
  leads(image: Image, pushedTo: readonly string[], state: (key: string) => { cached?: boolean; bad?: boolean }): BlobLead[] {
    if (this.opts.compression === 'none') return [];
    return image.layers.flatMap((layer, i) => {
      const blob = this.blobs.get(i);
      if (layer.key === undefined || blob === undefined) return [];
      const { cached, bad } = state(layer.key);
      return [
        {
          key: layer.key,
          diffId: layer.digest,
          size: layer.size,
          compression: this.opts.compression,
          digest: blob.digest,
          blobSize: blob.size,
          repositories: [...pushedTo],
          ...(cached === undefined ? {} : { cached }),
          ...(bad === true ? { bad } : {}),
        },
      ];
    });
  }
}

/**
 * What a push's blob record must be able to save before it is read or
 * saved: a restore of it costs two service calls and a tar+zstd unpacking
 * (~0.15 s with the bench's network), a save three calls and a packing
 * (~0.35 s); gzip at level 1 makes 64 MiB of layer in about that time on
 * two cores. Below this, the layers are made again instead.
 */
const RECORD_WORTH_BYTES = 64 << 20;

/** What build would make of these options, layer by layer, building nothing. */
export async function explain(opts: BuildOptions, logger: Logger = quietLogger): Promise<PlanReport> {
  const log = onceEach(logger);
  const { contents, configRoots, base } = await resolveRoots(opts);
  await mergeContents(contents); // the same checks as a build makes
  const { closure, planned } = await closureAndPlan(opts, contents, configRoots, base, log);
  return {
    name: opts.name,
    maxLayers: opts.maxLayers,
    layering: opts.layering,
    layers: [
      ...(base?.layers ?? []).map((l, i) => ({ narSize: l.size, paths: [], why: `base image layer ${i + 1} (${l.member}), as it is` })),
      ...planned.map((l) => ({ narSize: narSizeOf(closure, l.paths), paths: l.paths, why: l.why })),
      { narSize: 0, paths: [], why: `customisation layer: ${contents.length} contents merged into / as symlinks` },
    ],
  };
}

/** The store paths (and base image) the image is built from; every check of the user's input comes before any work. */
async function resolveRoots(opts: BuildOptions): Promise<{ contents: string[]; configRoots: string[]; base: BaseImage | undefined }> {
  const contents: string[] = [];
  for (const c of opts.contents) {
    // One at a time, so the first bad argument is the one reported.
    const p = await resolveStorePath(c);
    if (!contents.includes(p)) contents.push(p);
  }
  const configRoots = await configStorePaths(opts);
  if (contents.length === 0 && configRoots.length === 0) {
    throw new UserError(`nothing to put in the image: give ${input('contents')}, or name store paths in ${input('config')}`);
  }
  const base = opts.fromImage === undefined ? undefined : readBaseImage(opts.fromImage);
  if (base !== undefined) {
    if (base.architecture !== undefined && base.architecture !== opts.architecture) {
      throw new UserError(`${input('fromImage')} ${opts.fromImage} is for ${base.architecture}, this image for ${opts.architecture}; set ${input('architecture')} to match`);
    }
    if (opts.maxLayers - 1 - base.layers.length < 1) {
      throw new UserError(`${input('fromImage')} ${opts.fromImage} has ${base.layers.length} layers: ${input('maxLayers')} ${opts.maxLayers} leaves no room for store layers (at least ${base.layers.length + 2})`);
    }
  }
  return { contents, configRoots, base };
}

async function closureAndPlan(opts: BuildOptions, contents: string[], configRoots: string[], base: BaseImage | undefined, log: Logger) {
  const closure = await log.group('Closure', async () => {
    const found = await queryClosure([...contents, ...configRoots]);
    const narBytes = [...found.paths.values()].reduce((n, p) => n + p.narSize, 0);
    log.info(`${found.paths.size} store paths, ${formatBytes(narBytes)}, from ${contents.length} contents and ${configRoots.length} store paths in the config`);
    return found;
  });
  const planned = await log.group('Plan', () => {
    const infos = [...closure.paths.values()];
    const layers = planStoreLayers({
      references: new Map(infos.map((info) => [info.path, info.references])),
      sizes: new Map(infos.map((info) => [info.path, info.narSize])),
      roots: { contents, config: configRoots },
      // The customisation layer and a base image's layers count too.
      layers: opts.maxLayers - 1 - (base?.layers.length ?? 0),
      layering: opts.layering,
      groupPopular: opts.groupPopular,
      hints: opts.hints,
      exclude: base?.storePaths ?? new Set(),
    });
    const shared = layers.filter((l) => l.paths.length > 1).length;
    const fromBase = base === undefined ? '' : `${base.layers.length} base image layers (${[...closure.paths.keys()].filter((p) => base.storePaths.has(p)).length} store paths already in them), `;
    log.info(`${fromBase}${layers.length} store layers and the customisation layer (${opts.maxLayers} layers at most, layering ${opts.layering}); ${shared} store layer(s) hold several paths`);
    return layers;
  });
  return { closure, planned };
}

async function openCache(opts: BuildOptions, log: Logger): Promise<LayerCache | undefined> {
  const warn = (m: string) => log.warning(m);
  switch (opts.cache.kind) {
    case 'none':
      return undefined;
    case 'directory':
      return new DirectoryCache(opts.cache.dir, warn);
    case 'actions': {
      // Loaded only here: its HTTP and Azure clients take longer to load
      // than a warm build of a small image takes to run.
      const { ActionsCache } = await import('./cache/actions.js');
      if (ActionsCache.available()) return new ActionsCache(opts.cache.dir, warn);
      log.warning('the GitHub Actions cache service is not available here; building every layer without a cache');
      return undefined;
    }
  }
}

/** Store paths named anywhere in the config are closure roots too. */
async function configStorePaths(opts: BuildOptions): Promise<string[]> {
  const found = [...new Set(storePathsIn(JSON.stringify(opts.config)))].sort();
  for (const p of found) {
    try {
      await lstat(p);
    } catch {
      throw new UserError(`${input('config')} refers to ${p}, which is not in the Nix store`);
    }
  }
  return found;
}

/** The local image's place: `target` once complete, `tmp` (a file, or a folder for a layout) until then. */
interface LocalOutput {
  choice: Exclude<OutputChoice, { kind: 'stdout' }>;
  target: string;
  tmp: string;
}

/**
 * Checks that the output can be written before any work is done, and keeps
 * a temporary name beside it: the image appears under its real name only
 * once complete, and an existing one there is untouched until then. Only a
 * regular file (or a link to one, which is followed) is ever replaced by an
 * archive, only an OCI layout (or an empty folder) by a layout.
 */
async function reserveOutput(choice: OutputChoice | undefined): Promise<LocalOutput | undefined> {
  if (choice === undefined || choice.kind === 'stdout') return undefined;
  const output = choice.path;
  let target = output;
  const st = await stat(output).catch(() => undefined);
  if (choice.kind === 'oci') {
    await checkLayoutTarget(output);
    if (st !== undefined) target = await realpath(output);
  } else if (st !== undefined) {
    if (st.isDirectory()) throw new UserError(`${input('output')} ${output} is a directory`);
    if (!st.isFile()) throw new UserError(`${input('output')} ${output} exists and is not a regular file; it is left alone`);
    target = await realpath(output);
  }
  if (st === undefined && (await lstat(output).catch(() => undefined))?.isSymbolicLink()) {
    throw new UserError(`${input('output')} ${output} is a symlink to nothing`);
  }
  const tmp = outputTempName(path.dirname(target));
  try {
    await (await open(tmp, 'wx', 0o644)).close();
    await unlink(tmp);
  } catch (e) {
    throw new UserError(`${input('output')} ${output} cannot be written: ${errnoCode(e) ?? String(e)}`);
  }
  return { choice, target, tmp };
}

/** The registry client and repository for `opts.name`, with credentials from inputs or the usual files. */
async function pushTarget(opts: BuildOptions, choice: PushChoice, log: Logger) {
  const connection = await connect(opts.name, choice, choice.cacheFrom.map((r) => r.registry), log);
  return {
    ...connection,
    name: opts.name,
    format: choice.manifestFormat,
    compression: opts.compression,
    cacheFrom: choice.cacheFrom,
    byDigest: choice.byDigest,
    platform: { os: 'linux', architecture: opts.architecture, variant: opts.variant },
  };
}
