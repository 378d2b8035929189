import { digestHex, type Digest } from '../digest.js';
import { addNixDb, customisationDir, packDirectory, runExtraCommands } from '../layer/custom-dir.js';
import { writeCustomisationLayer, type DirNode } from '../layer/customisation.js';
import type { Layer } from '../layer/layer.js';
import type { ByteSink } from '../layer/sink.js';
import type { Logger } from '../log.js';
import type { BuildOptions } from '../options.js';
import type { BaseImage } from './base-image.js';
import { configDigest, imageConfigJson, mergeBaseConfig, pathsComment } from './config.js';
import { customisationKey } from '../cache/key.js';
import type { Image, ImageLayer } from './image.js';

/** The one image value every sink takes: its layers, config, id and tags. */
export function assembleImage(opts: BuildOptions, base: BaseImage | undefined, layers: readonly ImageLayer[]): Image {
  const configJson = configFor(opts, base, layers);
  const imageId = configDigest(configJson);
  const tags = tagsFor(opts, imageId);
  const repositories = [{ name: opts.name, tags }, ...opts.repositories.slice(1)];
  return { name: opts.name, tags, repositories, configJson, imageId, layers, annotations: opts.annotations };
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
 * The customisation layer: from the merged tree in memory, or through a
 * real directory (in `work`) when a script or the Nix database has to add to it.
 */
export function customisation(
  opts: BuildOptions,
  ctx: { root: () => Promise<DirNode>; work: string; contents: readonly string[]; closurePaths: readonly string[]; log: Logger },
): { write(sink: ByteSink): Promise<{ digest: Digest; size: number }>; comment: string; key: string | undefined } {
  const write = async (sink: ByteSink) => {
    // The tree is read only now: a push that finds the layer in the registry never reads it.
    const root = await ctx.root();
    if (opts.extraCommands === undefined && !opts.includeNixDB) return writeCustomisationLayer(root, opts.storeLayerSettings, sink);
    const dir = await customisationDir(root, ctx.work);
    // Every path of the closure is in the image, in our layers or the base's.
    if (opts.includeNixDB) await addNixDb(dir, [...ctx.closurePaths].sort(), ctx.contents, opts.storeLayerSettings.mtime);
    if (opts.extraCommands !== undefined) await runExtraCommands(opts.extraCommands, dir, ctx.log);
    return packDirectory(dir, opts.storeLayerSettings, sink);
  };
  return { write, comment: pathsComment('customisation layer, contents', ctx.contents), key: customisationKey(ctx.contents, opts.storeLayerSettings, opts) };
}
