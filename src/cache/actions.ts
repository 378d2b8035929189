import * as cache from '@actions/cache';
import { constants } from 'node:fs';
import { copyFile, link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { messageOf } from '../errors.js';
import { capturingFailures } from './actions-output.js';
import type { CachedLayer, LayerCache, LayerMeta } from './cache.js';

/**
 * The GitHub Actions cache through `@actions/cache`: one entry per layer,
 * holding a folder with the layer tar and its metadata (one entry, not two).
 * The folder's path is part of the entry's version, so it is derived from
 * the key alone and is the same on save and restore.
 */
export class ActionsCache implements LayerCache {
  readonly description = 'GitHub Actions cache';
  private restoring = true;
  private saving = true;

  constructor(
    private readonly root: string,
    private readonly warn: (message: string) => void,
  ) {}

  /** After the first failure of a kind, the rest of the run does without it. */
  private failed(kind: 'restore' | 'save', message: string): void {
    if (kind === 'restore' ? !this.restoring : !this.saving) return;
    if (kind === 'restore') this.restoring = false;
    else this.saving = false;
    this.warn(`GitHub Actions cache ${kind} failed (${message}); this run goes on without cache ${kind}s`);
  }

  /** False when the runner offers no cache service (forks, local runs). */
  static available(): boolean {
    return cache.isFeatureAvailable();
  }

  private folder(key: string): string {
    return path.join(this.root, key);
  }

  async restore(key: string): Promise<CachedLayer | undefined> {
    if (!this.restoring) return undefined;
    const folder = this.folder(key);
    try {
      await rm(folder, { recursive: true, force: true });
      // @actions/cache treats keys as prefixes; fixed-length keys make the
      // only possible match the exact one, checked here all the same.
      const hit = await capturingFailures((m) => this.failed('restore', m), () => cache.restoreCache([folder], key, []));
      if (hit !== key) return undefined;
      const meta: unknown = JSON.parse(await readFile(path.join(folder, 'meta.json'), 'utf8').catch(() => 'null'));
      return { meta, file: path.join(folder, 'layer.tar') };
    } catch (e) {
      this.failed('restore', messageOf(e));
      return undefined;
    }
  }

  async save(key: string, layerFile: string, meta: LayerMeta): Promise<boolean> {
    if (!this.saving) return false;
    const folder = this.folder(key);
    try {
      await rm(folder, { recursive: true, force: true });
      await mkdir(folder, { recursive: true });
      // @actions/cache packs the folder itself: a hard link (or a clone) saves a copy.
      const dest = path.join(folder, 'layer.tar');
      await link(layerFile, dest).catch(() => copyFile(layerFile, dest, constants.COPYFILE_FICLONE));
      await writeFile(path.join(folder, 'meta.json'), `${JSON.stringify(meta)}\n`);
      // -1: not saved. A refused reservation (another job is saving the
      // same layer) is normal and only logged as info by @actions/cache.
      const id = await capturingFailures((m) => this.failed('save', m), () => cache.saveCache([folder], key));
      return id !== -1;
    } catch (e) {
      this.failed('save', messageOf(e));
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
