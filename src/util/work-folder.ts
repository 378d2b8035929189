import { createHash, randomBytes } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
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
 * Whose process ids these are: the host and its process-id namespace. A
 * folder shared with another container or machine holds their runs'
 * folders too, whose ids mean nothing here; only ours are judged.
 */
export const OWNER_TAG = ownerTag();

function ownerTag(): string {
  let namespace = '';
  try {
    namespace = readlinkSync('/proc/self/ns/pid');
  } catch {
    // No /proc: the host name alone.
  }
  return createHash('sha256').update(`${hostname()}\0${namespace}`).digest('hex').slice(0, 8);
}

/**
 * `<pid>.<owner>-<random>` and `<pid>.<owner>-<hex>.tmp`, nothing else:
 * `….tmp.old` is an earlier layout that could not be put back, which the
 * user was told to fetch (replace-directory.ts), and names without an id
 * may be anyone's.
 */
const OWNED = /^\.layered-image-(\d+)\.([0-9a-f]{8})-[A-Za-z0-9]+(\.tmp)?$/;

/** A new folder in `parent` for this process's build. */
export function makeWorkFolder(parent: string): Promise<string> {
  return mkdtemp(path.join(parent, `${PREFIX}${process.pid}.${OWNER_TAG}-`));
}

/** A new name in `dir` for an output until it is complete. */
export function outputTempName(dir: string): string {
  return path.join(dir, `${PREFIX}${process.pid}.${OWNER_TAG}-${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Removes the work folders and output temporaries in `parent` whose process
 * is gone. Tidying is no part of the build: nothing here fails it.
 */
export async function removeStaleWorkFolders(parent: string): Promise<void> {
  const names = await readdir(parent).catch(() => [] as string[]);
  await Promise.all(
    names.map(async (name) => {
      const owned = OWNED.exec(name);
      if (owned?.[2] !== OWNER_TAG) return;
      const pid = Number(owned[1]);
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
