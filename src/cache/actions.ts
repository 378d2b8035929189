import * as cache from '@actions/cache';
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { messageOf } from '../errors.js';
import { capturingFailures } from './actions-output.js';
import { inCacheRoot } from './actions-root.js';
import type { BlobMeta, CachedBlob, LayerCache } from './cache.js';
import type { Compression } from '../layer/compress.js';

const RECORD_PREFIX = 'layered-image-record-';

/** A new key for every run and attempt; a run outside Actions (tests, local) gets the clock's. */
function runId(): string {
  const run = process.env['GITHUB_RUN_ID'];
  return run ? `${run}-${process.env['GITHUB_RUN_ATTEMPT'] ?? '1'}` : `t${Date.now()}`;
}

/**
 * Below these uncompressed sizes a layer's blob gets no entry: restoring one
 * costs two service calls, a download and an unpacking by tar and zstd
 * processes, about as long as gzip (at level 1, ~100 MB/s a core) takes
 * for 8 MiB, or zstd (~350 MB/s) for 32 MiB. bench/action.ts measures it.
 */
const MIN_LAYER_BYTES: Record<Exclude<Compression, 'none'>, number> = { gzip: 8 << 20, zstd: 32 << 20 };

/**
 * The GitHub Actions cache through `@actions/cache`: one entry per large
 * layer blob, holding a folder with the blob and its metadata (one entry, not two).
 * The folder's path is part of the entry's version, so @actions/cache is
 * given it relative to our root, named by the key alone: the same string on
 * save and restore, on every runner, whatever its RUNNER_TEMP.
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

  /** Runs an @actions/cache call on a folder under the root (see actions-root.ts). */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    await mkdir(this.root, { recursive: true });
    return inCacheRoot(this.root, fn);
  }

  private folder(key: string): string {
    return path.join(this.root, key);
  }

  readonly remote = true;

  /** After a restore failed, a miss says nothing of what the cache holds. */
  get degraded(): boolean {
    return !this.restoring;
  }

  minLayerBytes(compression: Exclude<Compression, 'none'>): number {
    return MIN_LAYER_BYTES[compression];
  }

  async restoreBlob(key: string): Promise<CachedBlob | undefined> {
    // @actions/cache treats keys as prefixes; fixed-length keys make the
    // only possible match the exact one, checked here all the same.
    const folder = await this.restoreFolder(key, key, [], (hit) => hit === key);
    if (folder === undefined) return undefined;
    const meta = parseOrNull(await readFile(path.join(folder, 'meta.json'), 'utf8').catch(() => 'null'));
    return { meta, file: path.join(folder, 'blob'), own: true };
  }

  saveBlob(key: string, blobFile: string, meta: BlobMeta): Promise<boolean> {
    return this.saveFolder(key, key, async (folder) => {
      // @actions/cache packs the folder itself: a hard link (or a clone) saves a copy.
      const dest = path.join(folder, 'blob');
      await link(blobFile, dest).catch(() => copyFile(blobFile, dest, constants.COPYFILE_FICLONE));
      await writeFile(path.join(folder, 'meta.json'), `${JSON.stringify(meta)}\n`);
    });
  }

  /**
   * The record is saved under a new key each run (entries are immutable)
   * and restored by its scope's prefix, which gives the newest.
   */
  async loadRecord(scope: string): Promise<unknown> {
    const prefix = `${RECORD_PREFIX}${scope}-`;
    const folder = await this.restoreFolder(`record-${scope}`, `${prefix}${runId()}`, [prefix], (hit) => hit !== undefined);
    if (folder === undefined) return undefined;
    return parseOrNull(await readFile(path.join(folder, 'record.json'), 'utf8').catch(() => 'null'));
  }

  saveRecord(scope: string, record: unknown): Promise<boolean> {
    const text = JSON.stringify(record);
    // The content in the key too: matrix jobs of one run each save theirs.
    const key = `${RECORD_PREFIX}${scope}-${runId()}-${createHash('sha256').update(text).digest('hex').slice(0, 12)}`;
    return this.saveFolder(`record-${scope}`, key, (folder) => writeFile(path.join(folder, 'record.json'), `${text}\n`));
  }

  /** Restores an entry into its folder, emptied first; the folder when `accept` takes the key that matched. */
  private async restoreFolder(name: string, key: string, restoreKeys: string[], accept: (hit: string | undefined) => boolean): Promise<string | undefined> {
    if (!this.restoring) return undefined;
    const folder = this.folder(name);
    try {
      await rm(folder, { recursive: true, force: true });
      const hit = await capturingFailures((m) => this.failed('restore', m), () => this.call(() => cache.restoreCache([name], key, restoreKeys)));
      return accept(hit) ? folder : undefined;
    } catch (e) {
      this.failed('restore', messageOf(e));
      return undefined;
    }
  }

  /** Fills a new folder and saves it under `key`; whether it was stored. */
  private async saveFolder(name: string, key: string, fill: (folder: string) => Promise<void>): Promise<boolean> {
    if (!this.saving) return false;
    const folder = this.folder(name);
    try {
      await rm(folder, { recursive: true, force: true });
      await mkdir(folder, { recursive: true });
      await fill(folder);
      // -1: not saved. A refused reservation (another job saved or is
      // saving the same key) is normal and only logged as info by
      // @actions/cache; one lookup tells whether the entry is there, so the
      // record can name it rather than have every later run make it again.
      const id = await capturingFailures((m) => this.failed('save', m), () => this.call(() => cache.saveCache([name], key)));
      if (id !== -1) return true;
      if (!this.saving || !this.restoring) return false;
      const there = await capturingFailures((m) => this.failed('restore', m), () => this.call(() => cache.restoreCache([name], key, [], { lookupOnly: true })));
      return there === key;
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

/** What a restored entry's JSON says; a malformed one is no entry (verification reports it), never an error. */
function parseOrNull(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
