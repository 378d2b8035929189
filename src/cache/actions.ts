import * as cache from '@actions/cache';
import { constants } from 'node:fs';
import { copyFile, link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { messageOf } from '../errors.js';
import type { CachedLayer, LayerCache, LayerMeta } from './cache.js';

/**
 * The GitHub Actions cache through `@actions/cache`: one entry per layer,
 * holding a folder with the layer tar and its metadata (one entry, not two).
 * The folder's path is part of the entry's version, so it is derived from
 * the key alone and is the same on save and restore.
 */
export class ActionsCache implements LayerCache {
  readonly description = 'GitHub Actions cache';

  constructor(
    private readonly root: string,
    private readonly warn: (message: string) => void,
  ) {}

  /** False when the runner offers no cache service (forks, local runs). */
  static available(): boolean {
    return cache.isFeatureAvailable();
  }

  private folder(key: string): string {
    return path.join(this.root, key);
  }

  async restore(key: string): Promise<CachedLayer | undefined> {
    const folder = this.folder(key);
    try {
      await rm(folder, { recursive: true, force: true });
      // @actions/cache treats keys as prefixes; fixed-length keys make the
      // only possible match the exact one, checked here all the same.
      const hit = await cache.restoreCache([folder], key, []);
      if (hit !== key) return undefined;
      const meta: unknown = JSON.parse(await readFile(path.join(folder, 'meta.json'), 'utf8').catch(() => 'null'));
      return { meta, file: path.join(folder, 'layer.tar') };
    } catch (e) {
      this.warn(`GitHub Actions cache restore failed: ${messageOf(e)}`);
      return undefined;
    }
  }

  async save(key: string, layerFile: string, meta: LayerMeta): Promise<boolean> {
    const folder = this.folder(key);
    try {
      await rm(folder, { recursive: true, force: true });
      await mkdir(folder, { recursive: true });
      // @actions/cache packs the folder itself: a hard link (or a clone) saves a copy.
      const dest = path.join(folder, 'layer.tar');
      await link(layerFile, dest).catch(() => copyFile(layerFile, dest, constants.COPYFILE_FICLONE));
      await writeFile(path.join(folder, 'meta.json'), `${JSON.stringify(meta)}\n`);
      // -1 means @actions/cache could not save and has said why in the log.
      return (await cache.saveCache([folder], key)) !== -1;
    } catch (e) {
      this.warn(`GitHub Actions cache save failed: ${messageOf(e)}`);
      return false;
    }
  }

  async discard(key: string): Promise<boolean> {
    // Entries in the Actions cache are immutable: the bad one is skipped for
    // the rest of this run, and saving under its key would only be refused.
    await rm(this.folder(key), { recursive: true, force: true }).catch(() => {});
    return false;
  }
}
