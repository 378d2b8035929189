import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, mkdir, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode, messageOf } from '../errors.js';
import type { BlobMeta, CachedBlob, LayerCache } from './cache.js';

const BLOB = 'blob';
const META = 'meta.json';
// Not a key's name: keys start with layered-image-blob-.
const RECORDS = 'records';

/**
 * A cache in a local directory, the CLI's default: one folder per key with
 * a compressed layer blob and its metadata beside it, so what the blob is
 * can be read without reading it. Entries appear whole or not at all
 * (written into a scratch folder, then renamed). An entry costs a folder
 * and a hard link, so every blob is worth one.
 */
export class DirectoryCache implements LayerCache {
  readonly description: string;

  constructor(
    private readonly dir: string,
    private readonly warn: (message: string) => void,
  ) {
    this.description = `directory ${dir}`;
  }

  readonly remote: boolean = false;
  readonly degraded: boolean = false;

  minLayerBytes(): number {
    return 0;
  }

  async restoreBlob(key: string): Promise<CachedBlob | undefined> {
    const entry = path.join(this.dir, key);
    let text: string;
    try {
      text = await readMeta(path.join(entry, META));
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
    return { meta, file: path.join(entry, BLOB) };
  }

  async saveBlob(key: string, blobFile: string, meta: BlobMeta): Promise<boolean> {
    const entry = path.join(this.dir, key);
    const scratch = path.join(this.dir, `.tmp-${key}-${randomBytes(6).toString('hex')}`);
    try {
      await mkdir(this.dir, { recursive: true });
      if (!(await stat(this.dir)).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
      // Not recursive: that form reports a read-only file system as ENOENT.
      await mkdir(scratch);
      // A clone where the file system can, else a copy; never a link: the
      // blob may also be in an output, which must not share storage with
      // an entry that a later build may find bad and replace.
      await copyFile(blobFile, path.join(scratch, BLOB), constants.COPYFILE_FICLONE);
      await writeFile(path.join(scratch, META), `${JSON.stringify(meta)}\n`);
    } catch (e) {
      this.warn(`cannot save to ${this.dir}: ${errnoCode(e) ?? messageOf(e)}`);
      await rm(scratch, { recursive: true, force: true }).catch(() => {});
      return false;
    }
    try {
      // Never remove an entry here: another build may be reading it. A bad
      // one was removed by discard(); a good one makes the rename fail, and
      // then the same (deterministic) entry is there already.
      await rename(scratch, entry);
      return true;
    } catch (e) {
      const code = errnoCode(e);
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') this.warn(`cannot save to ${this.dir}: ${code ?? messageOf(e)}`);
      return code === 'ENOTEMPTY' || code === 'EEXIST';
    } finally {
      await rm(scratch, { recursive: true, force: true }).catch(() => {});
    }
  }

  async discard(key: string): Promise<boolean> {
    await rm(path.join(this.dir, key), { recursive: true, force: true }).catch(() => {});
    return true;
  }

  private recordFile(scope: string): string {
    return path.join(this.dir, RECORDS, `${scope}.json`);
  }

  async loadRecord(scope: string): Promise<unknown> {
    try {
      return JSON.parse(await readMeta(this.recordFile(scope))) as unknown;
    } catch (e) {
      const code = errnoCode(e);
      if (code !== undefined && code !== 'ENOENT' && code !== 'ENOTDIR') this.warn(`cannot read the cache in ${this.dir}: ${code}`);
      return undefined;
    }
  }

  async saveRecord(scope: string, record: unknown): Promise<boolean> {
    const file = this.recordFile(scope);
    const scratch = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(scratch, `${JSON.stringify(record)}\n`, { flag: 'wx' });
      // Whole or not at all; a concurrent build's record may win, which costs only leads.
      await rename(scratch, file);
      return true;
    } catch (e) {
      this.warn(`cannot save to ${this.dir}: ${errnoCode(e) ?? messageOf(e)}`);
      await rm(scratch, { force: true }).catch(() => {});
      return false;
    }
  }
}

const MAX_META_BYTES = 1 << 20;

/** The metadata record, refusing anything but a small regular file (never following a link or waiting on a FIFO). */
async function readMeta(file: string): Promise<string> {
  let fh;
  try {
    fh = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    // A link where the metadata should be: a bad entry, to be replaced.
    if (errnoCode(e) === 'ELOOP') return 'null';
    throw e;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile() || st.size > MAX_META_BYTES) return 'null';
    const buf = Buffer.alloc(st.size);
    const { bytesRead } = await fh.read(buf, 0, st.size, 0);
    return buf.toString('utf8', 0, bytesRead);
  } finally {
    await fh.close();
  }
}
