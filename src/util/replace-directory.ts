import { lstat, rename as renameFile, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError, asUserError, errnoCode, messageOf } from '../errors.js';
import { input } from '../inputs/marker.js';

type Rename = (from: string, to: string) => Promise<void>;

/**
 * Waits before each new try at putting the earlier folder back: a folder
 * held a moment (a virus scanner, a network file system) is let go within
 * them, and a build that already failed can spare a second.
 */
const PUT_BACK_WAITS_MS = [50, 200, 1000];

/**
 * `from` takes the place of `to`; should that fail, the folder that was
 * there is put back. `rename` is there for tests: no file system fails
 * these renames on demand.
 */
export async function replaceDirectory(from: string, to: string, rename: Rename = renameFile): Promise<void> {
  const old = `${from}.old`;
  const had = await lstat(to).then(() => true, () => false);
  if (had) await rename(to, old).catch((e: unknown) => asUserError(e, `cannot write ${input('output')} ${to}`));
  try {
    await rename(from, to);
  } catch (e) {
    if (had) await putBack(old, to, e, rename);
    throw new UserError(`cannot write ${input('output')} ${to}: ${reason(e)}`);
  }
  if (had) await rm(old, { recursive: true, force: true });
}

/** Where the earlier folder cannot go back, the user is told where it is: under its hidden name it would be lost. */
async function putBack(old: string, to: string, cause: unknown, rename: Rename): Promise<void> {
  let last: unknown;
  for (const wait of [0, ...PUT_BACK_WAITS_MS]) {
    await sleep(wait);
    try {
      await rename(old, to);
      return;
    } catch (e) {
      last = e;
    }
  }
  throw new UserError(`cannot write ${input('output')} ${to} (${reason(cause)}); what was there could not be put back (${reason(last)}) and is now ${old}`);
}

function reason(e: unknown): string {
  return errnoCode(e) ?? messageOf(e).split('\n')[0] ?? '';
}
