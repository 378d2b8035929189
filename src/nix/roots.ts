import { lstat } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { readBaseImage, type BaseImage } from '../image/base-image.js';
import { input } from '../inputs/marker.js';
import type { BuildOptions } from '../options.js';
import { resolveStorePath, storePathsIn } from './store.js';

/** The store paths (and base image) the image is built from; every check of the user's input comes before any work. */
export async function resolveRoots(opts: BuildOptions): Promise<{ contents: string[]; configRoots: string[]; base: BaseImage | undefined }> {
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

