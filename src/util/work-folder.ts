import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode } from '../errors.js';

/**
 * A build's work folder and its output's temporary name carry the id of
 * the process that owns them. A run killed outright (SIGKILL, the OOM
 * killer, a cancelled job's runner) cleans up nothing, and its leftovers can
 * be a gigabyte of layers; the next run in the same folder tells them from
 * those of runs still going by that id.
 */
const PREFIX = '.layered-image-';

/**
 * `<pid>-<random>` and `<pid>-<hex>.tmp`, nothing else: `….tmp.old` is an
 * earlier layout that could not be put back, which the user was told to
 * fetch (replace-directory.ts), and names without an id may be anyone's.
 */
const OWNED = /^\.layered-image-(\d+)-[A-Za-z0-9]+(\.tmp)?$/;

/** A new folder in `parent` for this process's build. */
export function makeWorkFolder(parent: string): Promise<string> {
  return mkdtemp(path.join(parent, `${PREFIX}${process.pid}-`));
}

/** A new name in `dir` for an output until it is complete. */
export function outputTempName(dir: string): string {
  return path.join(dir, `${PREFIX}${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Removes the work folders and output temporaries in `parent` whose process
 * is gone. Tidying is no part of the build: nothing here fails it.
 */
export async function removeStaleWorkFolders(parent: string): Promise<void> {
  const names = await readdir(parent).catch(() => [] as string[]);
  await Promise.all(
    names.map(async (name) => {
      const pid = Number(OWNED.exec(name)?.[1]);
      // Another build of this process may be under way (a program running several).
      if (!(pid > 0 && pid <= 0x7fffffff) || pid === process.pid || !gone(pid)) return;
      await rm(path.join(parent, name), { recursive: true, force: true }).catch(() => {});
    }),
  );
}

/** EPERM: the process is there, another user's; a pid taken again by another program keeps the folder too, which is only a missed tidy-up. */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return errnoCode(e) === 'ESRCH';
  }
}
