import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { UserError } from '../../src/errors.js';
import { replaceDirectory } from '../../src/util/replace-directory.js';

/** Every file under `dir`, by relative path, with its bytes: what a layout is to its readers. */
async function snapshot(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const file = path.join(e.parentPath, e.name);
    files.set(path.relative(dir, file), await readFile(file));
  }
  return files;
}

async function layout(dir: string, tag: string): Promise<void> {
  await mkdir(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  await writeFile(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  await writeFile(path.join(dir, 'index.json'), JSON.stringify({ tag }));
  await writeFile(path.join(dir, 'blobs', 'sha256', tag.repeat(8)), Buffer.from(tag.repeat(1000)));
}

/** The earlier layout is at `out`, byte for byte. */
async function assertBack(out: string, earlier: Map<string, Buffer>): Promise<void> {
  const now = await snapshot(out).catch(() => undefined);
  assert.ok(now !== undefined, `nothing is at ${out}: the earlier layout was not put back`);
  assert.deepEqual(now, earlier);
}

// Without the paths: the message thrown must name them itself.
const failure = (code: string) => Object.assign(new Error(`${code}: injected`), { code });

/**
 * A real rename that fails with `code` while `fails(from, to)` says so.
 * The seam: no file system makes the rename of the new layout into place
 * (or the one putting the earlier layout back) fail on demand.
 */
function renameFailing(code: string, fails: (from: string, to: string) => boolean) {
  return async (from: string, to: string): Promise<void> => {
    if (fails(from, to)) throw failure(code);
    await rename(from, to);
  };
}

describe('replaceDirectory: the new layout takes the place of the earlier one, or the earlier one stays', () => {
  let root: string;
  let n = 0;
  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'replace-directory-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  /** An earlier layout at `out` and a new one in `scratch`, beside it, as a build leaves them. */
  async function scene() {
    const dir = path.join(root, `case-${n++}`);
    const out = path.join(dir, 'layout');
    const scratch = path.join(dir, '.layered-image-1-abcd.tmp');
    await layout(out, 'a');
    await layout(scratch, 'b');
    return { dir, out, scratch, earlier: await snapshot(out), next: await snapshot(scratch) };
  }

  it('replaces the earlier layout and leaves nothing beside it', async () => {
    const s = await scene();
    await replaceDirectory(s.scratch, s.out);
    assert.deepEqual(await snapshot(s.out), s.next);
    assert.deepEqual(await readdir(s.dir), ['layout']);
  });

  it('a new layout that cannot be renamed into place: the earlier one is back, and the error is one line naming the output', async () => {
    const s = await scene();
    const err = await replaceDirectory(s.scratch, s.out, renameFailing('EIO', (from) => from === s.scratch)).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof UserError, `not a one-line error: ${String(err)}`);
    assert.doesNotMatch(err.message, /\n/);
    assert.ok(err.message.includes(s.out), err.message);
    assert.match(err.message, /EIO/);
    await assertBack(s.out, s.earlier);
    assert.deepEqual((await readdir(s.dir)).filter((f) => f.endsWith('.old')), []);
  });

  it('putting the earlier layout back fails once: it is tried again, and is back', async () => {
    const s = await scene();
    let putBacks = 0;
    const rename = renameFailing('EBUSY', (from, to) => from === s.scratch || (to === s.out && putBacks++ === 0));
    const err = await replaceDirectory(s.scratch, s.out, rename).then(() => undefined, (e: unknown) => e);
    await assertBack(s.out, s.earlier);
    assert.equal(putBacks, 2);
    assert.ok(err instanceof UserError, `not a one-line error: ${String(err)}`);
    assert.equal(err.message, `cannot write output ${s.out}: EBUSY`);
    assert.deepEqual((await readdir(s.dir)).filter((f) => f.endsWith('.old')), []);
  });

  it('putting the earlier layout back never succeeds: the error says where it is', async () => {
    const s = await scene();
    const rename = renameFailing('EIO', (from, to) => from === s.scratch || to === s.out);
    const err = await replaceDirectory(s.scratch, s.out, rename).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof UserError, `not a one-line error: ${String(err)}`);
    assert.doesNotMatch(err.message, /\n/);
    assert.ok(err.message.includes(s.out), err.message);
    const kept = (await readdir(s.dir)).filter((f) => f.endsWith('.old'));
    assert.equal(kept.length, 1, 'the earlier layout is gone');
    const where = path.join(s.dir, kept[0] as string);
    assert.ok(err.message.includes(where), `the message does not say where the earlier layout is: ${err.message}`);
    assert.equal(err.message, `cannot write output ${s.out} (EIO); what was there could not be put back (EIO) and is now ${where}`);
    assert.deepEqual(await snapshot(where), s.earlier);
  });
});
