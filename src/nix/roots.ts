import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { show, UserError } from '../errors.js';
import { readBaseImage, type BaseImage } from '../image/base-image.js';
import { input } from '../inputs/marker.js';
import type { BuildOptions } from '../options.js';
import { resolveRoot, storePathsIn } from './store.js';

/** The roots of the image: contents, store paths named in the config, and those of them not in the local store. */
export interface Roots {
  contents: string[];
  configRoots: string[];
  /** Roots a substituter must give, not being in the local store, with how the input named each (for errors). */
  missing: Map<string, string>;
  base: BaseImage | undefined;
}

/** The store paths (and base image) the image is built from; every check of the user's input comes before any work. */
export async function resolveRoots(opts: BuildOptions): Promise<Roots> {
  const contents: string[] = [];
  const missing = new Map<string, string>();
  for (const c of opts.contents) {
    // One at a time, so the first bad argument is the one reported.
    const found = await resolveRoot(c);
    if (!found.present) missing.set(found.path, `${input('contents')} ${show(c)}${found.path === path.resolve(c) ? '' : ` (${found.path})`}`);
    if (!contents.includes(found.path)) contents.push(found.path);
  }
  const configRoots = await configStorePaths(opts, missing);
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
  return { contents, configRoots, missing, base };
}

/** Store paths named anywhere in the config are closure roots too; those not in the local store join `missing` where substituters may give them. */
async function configStorePaths(opts: BuildOptions, missing: Map<string, string>): Promise<string[]> {
  const found = [...new Set(storePathsIn(JSON.stringify(opts.config)))].sort();
  for (const p of found) {
    try {
      await lstat(p);
    } catch {
      if (!missing.has(p)) missing.set(p, `${input('config')} refers to ${p}`);
    }
  }
  return found;
}

