import { randomBytes } from 'node:crypto';
import { lstat, mkdtemp, open, realpath, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { digestHex, type Digest } from './digest.js';
import { UserError, asUserError, errnoCode } from './errors.js';
import { configDigest, imageConfigJson, mergeBaseConfig, pathsComment } from './image/config.js';
import { finishDockerArchive, layerPlaces, MAX_LAST_LAYER } from './image/docker-archive.js';
import { BLOCK } from './layer/tar-header.js';
import type { LayerCache } from './cache/cache.js';
import { DirectoryCache } from './cache/directory.js';
import { copyBaseLayers, lookupStoreLayers, saveNewLayers, writeStoreLayers } from './cache/layers.js';
import { readBaseImage, type BaseImage } from './image/base-image.js';
import { LayerWorkers } from './layer/workers.js';
import { addNixDb, customisationDir, packDirectory, runExtraCommands } from './layer/custom-dir.js';
import { mergeContents, writeCustomisationLayer, type DirNode } from './layer/customisation.js';
import type { Layer } from './layer/layer.js';
import { RangeSink, type ByteSink } from './layer/sink.js';
import { formatBytes, onceEach, quietLogger, type Logger } from './log.js';
import { queryClosure } from './nix/closure.js';
import { resolveStorePath, storePathsIn } from './nix/store.js';
import type { BuildOptions } from './options.js';
import type { PlanReport } from './plan/explain.js';
import { planStoreLayers } from './plan/layers.js';
import { trackTemporary, untrackTemporary } from './util/temp.js';

export interface LayerReport {
  digest: Digest;
  size: number;
  paths: string[];
  source: 'built' | 'restored' | 'base';
}

export interface BuildReport {
  imagePath: string;
  imageName: string;
  imageTag: string;
  imageId: Digest;
  layerDigests: Digest[];
  layers: LayerReport[];
  /** Bytes of the docker-archive written. */
  imageSize: number;
  /** Store layers restored, built, and newly saved to the cache. */
  cache: { restored: number; built: number; saved: number };
}

/** inputs → closure → plan → layers → image → docker-archive at `output`. */
export async function build(opts: BuildOptions, logger: Logger = quietLogger): Promise<BuildReport> {
  const log = onceEach(logger);
  const { contents, configRoots, base } = await resolveRoots(opts);
  const root = await mergeContents(contents);
  const output = await reserveOutput(opts.output);
  const { closure, planned: plan } = await closureAndPlan(opts, contents, configRoots, base, log);

  const work = await mkdtemp(path.join(path.dirname(output.target), '.layered-image-')).catch((e: unknown) =>
    asUserError(e, `cannot create a work folder beside ${opts.output}`),
  );
  trackTemporary(work);
  trackTemporary(output.tmp);
  let saving: Promise<number> = Promise.resolve(0);
  const workers = new LayerWorkers(opts.concurrency);
  try {
    const cache = await openCache(opts, log);
    const planned = await log.group('Cache restore', async () => {
      if (cache === undefined) log.info('no layer cache');
      return lookupStoreLayers(plan.map((l) => l.paths), opts.storeLayerSettings, cache, log);
    });
    const target = { file: output.tmp, label: `output ${opts.output}` };
    const { baseLayers, storeLayers } = await log.group('Build layers', async () => {
      await (await open(output.tmp, 'wx', 0o644).catch((e: unknown) => asUserError(e, `cannot write output ${opts.output}`))).close();
      const copying = base === undefined ? Promise.resolve([]) : copyBaseLayers(base, { output: target, workers, onBytes: () => {} });
      const from = layerPlaces(base?.layers.map((l) => l.size) ?? []).end;
      const writing = writeStoreLayers(planned, { output: target, from, settings: opts.storeLayerSettings, work, cache, workers, concurrency: opts.concurrency, log });
      // Both settle before either failure is reported: no job is left writing.
      const [copied, written] = await Promise.allSettled([copying, writing]);
      if (copied.status === 'rejected') throw copied.reason;
      if (written.status === 'rejected') throw written.reason;
      return { baseLayers: copied.value, storeLayers: written.value };
    });
    // Saves run in the background while the image is assembled; they must
    // finish before `work` goes.
    saving = saveNewLayers(planned, storeLayers, cache, work);

    // From the merged tree in memory, or through a real directory when a
    // script or the Nix database has to add to it.
    const customisationLayer = async (tree: DirNode, sink: ByteSink) => {
      if (opts.extraCommands === undefined && !opts.includeNixDB) return writeCustomisationLayer(tree, opts.storeLayerSettings, sink);
      const dir = await customisationDir(tree, work);
      if (opts.includeNixDB) {
        // Every path of the closure is in the image, in our layers or the base's.
        await addNixDb(dir, [...closure.paths.keys()].sort(), contents, opts.storeLayerSettings.mtime);
      }
      if (opts.extraCommands !== undefined) await runExtraCommands(opts.extraCommands, dir, log);
      return packDirectory(dir, opts.storeLayerSettings, sink);
    };

    const image = await log.group('Assemble image', async () => {
      // The customisation layer is last, so its place is known already: its
      // header is one block, as it may not reach 8 GiB.
      const offset = layerPlaces([...baseLayers, ...storeLayers].map((l) => l.size)).end + BLOCK;
      const overflow = `the customisation layer is larger than ${formatBytes(MAX_LAST_LAYER)}; put large files in store paths instead`;
      const sink = RangeSink.open({ ...target, offset, size: MAX_LAST_LAYER, overflow });
      const custom = await customisationLayer(root, sink).finally(() => sink.close());
      const layers: Layer[] = [
        ...baseLayers,
        ...storeLayers,
        { ...custom, paths: [], source: 'built', comment: pathsComment('customisation layer, contents', contents) },
      ];
      const configJson = imageConfigJson({
        architecture: opts.architecture,
        created: opts.created,
        config: base === undefined ? opts.config : mergeBaseConfig(base.config, opts.config),
        layers,
        ...(base === undefined ? {} : { base: { history: base.history, layers: base.layers.length } }),
      });
      const imageId = configDigest(configJson);
      // A tag derived from the config is stable across machines and changes
      // whenever any layer or setting does.
      const imageTag = opts.tag ?? digestHex(imageId).slice(0, 32);
      finishDockerArchive(output.tmp, { configJson, repoTag: `${opts.name}:${imageTag}`, layers }, target.label);
      await rename(output.tmp, output.target).catch((e: unknown) => asUserError(e, `cannot write output ${opts.output}`));
      const imageSize = (await stat(output.target)).size;
      log.info(`${opts.output}: ${opts.name}:${imageTag}, ${layers.length} layers, ${formatBytes(imageSize)}`);
      return { layers, imageId, imageTag, imageSize };
    });

    const saved = await log.group('Cache save', async () => {
      const n = await saving;
      if (cache !== undefined) log.info(`${n} new store layers saved to the ${cache.description}`);
      else log.info('no layer cache');
      return n;
    });
    const restored = storeLayers.filter((l) => l.source === 'restored').length;
    return {
      imagePath: opts.output,
      imageName: opts.name,
      imageTag: image.imageTag,
      imageId: image.imageId,
      imageSize: image.imageSize,
      layerDigests: image.layers.map((l) => l.digest),
      layers: image.layers.map((l) => ({ digest: l.digest, size: l.size, paths: [...l.paths], source: l.source })),
      cache: { restored, built: storeLayers.length - restored, saved },
    };
  } finally {
    await workers.close();
    await saving.catch(() => 0);
    await rm(work, { recursive: true, force: true });
    await unlink(output.tmp).catch(() => {});
    untrackTemporary(work);
    untrackTemporary(output.tmp);
  }
}

/** What build would make of these options, layer by layer, building nothing. */
export async function explain(opts: BuildOptions, logger: Logger = quietLogger): Promise<PlanReport> {
  const log = onceEach(logger);
  const { contents, configRoots, base } = await resolveRoots(opts);
  await mergeContents(contents); // the same checks as a build makes
  const { closure, planned } = await closureAndPlan(opts, contents, configRoots, base, log);
  const narSize = (paths: readonly string[]) => paths.reduce((n, p) => n + (closure.paths.get(p)?.narSize ?? 0), 0);
  return {
    name: opts.name,
    maxLayers: opts.maxLayers,
    layering: opts.layering,
    layers: [
      ...(base?.layers ?? []).map((l, i) => ({ narSize: l.size, paths: [], why: `base image layer ${i + 1} (${l.member}), as it is` })),
      ...planned.map((l) => ({ narSize: narSize(l.paths), paths: l.paths, why: l.why })),
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
    throw new UserError('nothing to put in the image: give contents, or store paths in the config');
  }
  const base = opts.fromImage === undefined ? undefined : readBaseImage(opts.fromImage);
  if (base !== undefined) {
    if (base.architecture !== undefined && base.architecture !== opts.architecture) {
      throw new UserError(`fromImage ${opts.fromImage} is for ${base.architecture}, this image for ${opts.architecture}; set architecture to match`);
    }
    if (opts.maxLayers - 1 - base.layers.length < 1) {
      throw new UserError(`fromImage ${opts.fromImage} has ${base.layers.length} layers: maxLayers ${opts.maxLayers} leaves no room for store layers (at least ${base.layers.length + 2})`);
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
    log.info(`${fromBase}${layers.length} store layers and the customisation layer (maxLayers ${opts.maxLayers}, layering ${opts.layering}); ${shared} store layer(s) hold several paths`);
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
      throw new UserError(`config refers to ${p}, which is not in the Nix store`);
    }
  }
  return found;
}

/**
 * Checks that the output can be written before any work is done, and keeps
 * a temporary name beside it: the image appears under its real name only
 * once complete, and an existing file there is untouched until then. Only a
 * regular file (or a link to one, which is followed) is ever replaced.
 */
async function reserveOutput(output: string): Promise<{ target: string; tmp: string }> {
  let target = output;
  const st = await stat(output).catch(() => undefined);
  if (st !== undefined) {
    if (st.isDirectory()) throw new UserError(`output ${output} is a directory`);
    if (!st.isFile()) throw new UserError(`output ${output} exists and is not a regular file; it is left alone`);
    target = await realpath(output);
  } else if ((await lstat(output).catch(() => undefined))?.isSymbolicLink()) {
    throw new UserError(`output ${output} is a symlink to nothing`);
  }
  const tmp = path.join(path.dirname(target), `.layered-image-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    await (await open(tmp, 'wx', 0o644)).close();
    await unlink(tmp);
  } catch (e) {
    throw new UserError(`output ${output} cannot be written: ${errnoCode(e) ?? String(e)}`);
  }
  return { target, tmp };
}
