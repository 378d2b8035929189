import { lstat, mkdtemp, open, rename, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import { digestHex, type Digest } from './digest.js';
import { UserError, errnoCode } from './errors.js';
import { configDigest, imageConfigJson, pathsComment } from './image/config.js';
import { dockerArchiveSink } from './image/docker-archive.js';
import { mergeContents, writeCustomisationLayer } from './layer/customisation.js';
import { fileLayer, type Layer } from './layer/layer.js';
import { FileSink } from './layer/sink.js';
import { writeStoreLayer } from './layer/store-layer.js';
import { queryClosure } from './nix/closure.js';
import { resolveStorePath, storePathsIn } from './nix/store.js';
import type { BuildOptions } from './options.js';
import { planLayers } from './plan/layers.js';
import { orderByPopularity } from './plan/popularity.js';
import { mapLimit } from './util/pool.js';

export interface LayerReport {
  digest: Digest;
  size: number;
  paths: string[];
  source: 'built' | 'restored';
}

export interface BuildReport {
  imagePath: string;
  imageName: string;
  imageTag: string;
  imageId: Digest;
  layerDigests: Digest[];
  layers: LayerReport[];
}

/** Progress messages; the CLI prints them to stderr, the Action to its log. */
export interface Logger {
  info(message: string): void;
}

const quiet: Logger = { info: () => {} };

/** inputs → closure → plan → layers → image → docker-archive at `output`. */
export async function build(opts: BuildOptions, log: Logger = quiet): Promise<BuildReport> {
  const contents = [...new Set(await Promise.all(opts.contents.map((c) => resolveStorePath(c))))];
  const configRoots = await configStorePaths(opts);
  if (contents.length === 0 && configRoots.length === 0) {
    throw new UserError('nothing to put in the image: give contents, or store paths in the config');
  }

  // Every check of the user's input comes before any work or progress line.
  const root = await mergeContents(contents);
  const outputTmp = await reserveOutput(opts.output);

  const closure = await queryClosure([...contents, ...configRoots]);
  log.info(`closure: ${closure.paths.size} store paths from ${closure.roots.length} roots`);
  const references = new Map([...closure.paths].map(([p, info]) => [p, info.references]));
  const plan = planLayers(orderByPopularity(references).order, opts.maxLayers);
  log.info(`plan: ${plan.length} store layers and the customisation layer (maxLayers ${opts.maxLayers})`);
  const work = await mkdtemp(path.join(path.dirname(opts.output), '.layered-image-'));
  try {
    const storeLayers = await mapLimit(plan, opts.concurrency, async (paths, i): Promise<Layer> => {
      const file = path.join(work, `store-${i}.tar`);
      const sink = await FileSink.create(file);
      const { digest, size } = await writeStoreLayer(paths, opts.storeLayerSettings, sink).finally(() => sink.close());
      log.info(`layer ${i + 1}: ${digestHex(digest).slice(0, 12)} ${size} bytes, ${paths.length} store path(s)`);
      return fileLayer(file, { digest, size, paths, source: 'built', comment: pathsComment('store paths', paths) });
    });
    const customFile = path.join(work, 'customisation.tar');
    const sink = await FileSink.create(customFile);
    const custom = await writeCustomisationLayer(root, opts.storeLayerSettings, sink).finally(() => sink.close());
    const layers = [
      ...storeLayers,
      fileLayer(customFile, { ...custom, paths: [], source: 'built', comment: pathsComment('customisation layer, contents', contents) }),
    ];

    const configJson = imageConfigJson({ architecture: opts.architecture, created: opts.created, config: opts.config, layers });
    const imageId = configDigest(configJson);
    // A tag derived from the config is stable across machines and changes
    // whenever any layer or setting does.
    const imageTag = opts.tag ?? digestHex(imageId).slice(0, 32);
    await dockerArchiveSink(outputTmp).write({ configJson, repoTag: `${opts.name}:${imageTag}`, layers });
    await rename(outputTmp, opts.output);
    log.info(`image: ${opts.output} (${opts.name}:${imageTag})`);
    return {
      imagePath: opts.output,
      imageName: opts.name,
      imageTag,
      imageId,
      layerDigests: layers.map((l) => l.digest),
      layers: layers.map((l) => ({ digest: l.digest, size: l.size, paths: [...l.paths], source: l.source })),
    };
  } finally {
    await rm(work, { recursive: true, force: true });
    await unlink(outputTmp).catch(() => {});
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
 * once complete, and an existing file there is untouched until then.
 */
async function reserveOutput(output: string): Promise<string> {
  const st = await lstat(output).catch(() => undefined);
  if (st?.isDirectory()) throw new UserError(`output ${output} is a directory`);
  const tmp = path.join(path.dirname(output), `.${path.basename(output)}.${process.pid}.tmp`);
  try {
    await (await open(tmp, 'w', 0o644)).close();
    await unlink(tmp);
  } catch (e) {
    throw new UserError(`output ${output} cannot be written: ${errnoCode(e) ?? String(e)}`);
  }
  return tmp;
}
