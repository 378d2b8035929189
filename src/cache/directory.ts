import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode, messageOf } from '../errors.js';
import type { CachedLayer, LayerCache, LayerMeta } from './cache.js';

const LAYER = 'layer.tar';
const META = 'meta.json';

/**
 * A cache in a local directory, the CLI's default: one folder per key with
 * the layer tar and its metadata beside it, so a layer's digest can be read
 * without reading the layer. Entries appear whole or not at all (written
 * into a scratch folder, then renamed).
 */
export class DirectoryCache implements LayerCache {
  readonly description: string;

  constructor(
    private readonly dir: string,
    private readonly warn: (message: string) => void,
  ) {
    this.description = `directory ${dir}`;
  }

  async restore(key: string): Promise<CachedLayer | undefined> {
    const entry = path.join(this.dir, key);
    let text: string;
    try {
      text = await readFile(path.join(entry, META), 'utf8');
    } catch (e) {
      if (errnoCode(e) !== 'ENOENT' && errnoCode(e) !== 'ENOTDIR') this.warn(`cannot read the cache in ${this.dir}: ${errnoCode(e) ?? messageOf(e)}`);
      return undefined;
    }
    let meta: unknown;
    try {
      meta = JSON.parse(text);
    } catch {
      meta = undefined; // reported by verification as missing metadata
    }
    return { meta, file: path.join(entry, LAYER) };
  }

  async save(key: string, layerFile: string, meta: LayerMeta): Promise<boolean> {
    const entry = path.join(this.dir, key);
    const scratch = path.join(this.dir, `.tmp-${key}-${randomBytes(6).toString('hex')}`);
    try {
      await mkdir(this.dir, { recursive: true });
      // Not recursive: that form reports a read-only file system as ENOENT.
      await mkdir(scratch);
      // A copy, not a link: the build's own file is removed when it ends.
      await copyFile(layerFile, path.join(scratch, LAYER), constants.COPYFILE_FICLONE);
      await writeFile(path.join(scratch, META), `${JSON.stringify(meta)}\n`);
      await rm(entry, { recursive: true, force: true });
      await rename(scratch, entry);
      return true;
    } catch (e) {
      // Another build may have stored the same (deterministic) entry first.
      if (errnoCode(e) === 'ENOTEMPTY' || errnoCode(e) === 'EEXIST') return true;
      this.warn(`cannot save to ${this.dir}: ${errnoCode(e) ?? messageOf(e)}`);
      return false;
    } finally {
      await rm(scratch, { recursive: true, force: true }).catch(() => {});
    }
  }

  async discard(key: string): Promise<boolean> {
    await rm(path.join(this.dir, key), { recursive: true, force: true }).catch(() => {});
    return true;
  }
}
