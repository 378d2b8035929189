import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeWorkFolder, outputTempName, OWNER_TAG, removeStaleWorkFolders } from '../../src/util/work-folder.js';

/** The id of a process that has run and is gone (reaped: its id names no process). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(child, 'exit');
  assert.ok(child.pid !== undefined);
  return child.pid;
}

describe('work folders named after their process; those of gone processes removed', () => {
  let root: string;
  let sleeper: ChildProcess;
  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'work-folder-'));
    sleeper = spawn('sleep', ['600'], { stdio: 'ignore' });
    await once(sleeper, 'spawn');
  });
  after(async () => {
    sleeper.kill('SIGKILL');
    await rm(root, { recursive: true, force: true });
  });

  it('makes folders and temporary names that carry this process id', async () => {
    const parent = path.join(root, 'names');
    await mkdir(parent);
    const a = await makeWorkFolder(parent);
    const b = await makeWorkFolder(parent);
    assert.notEqual(a, b);
    for (const f of [a, b]) {
      assert.equal(path.dirname(f), parent);
      assert.match(path.basename(f), new RegExp(`^\\.layered-image-${process.pid}\\.${OWNER_TAG}-[A-Za-z0-9]+$`));
      assert.ok((await stat(f)).isDirectory());
    }
    const tmp = outputTempName(parent);
    assert.equal(path.dirname(tmp), parent);
    assert.match(path.basename(tmp), new RegExp(`^\\.layered-image-${process.pid}\\.${OWNER_TAG}-[0-9a-f]+\\.tmp$`));
    assert.notEqual(outputTempName(parent), tmp);
  });

  it("removes a gone process's folders and temporaries, and nothing else", async () => {
    const parent = path.join(root, 'mixed');
    await mkdir(parent);
    const dead = await deadPid();
    const live = sleeper.pid as number;
    const stale = [`.layered-image-${dead}.${OWNER_TAG}-Ab12cD`, `.layered-image-${dead}.${OWNER_TAG}-0123abcd.tmp`, `.layered-image-${dead}.${OWNER_TAG}-4567ef01.tmp`];
    const kept = [
      // Running processes': this one's, another's.
      `.layered-image-${process.pid}.${OWNER_TAG}-Xy34zW`,
      `.layered-image-${process.pid}.${OWNER_TAG}-89abcdef.tmp`,
      `.layered-image-${live}.${OWNER_TAG}-Qr56sT`,
      `.layered-image-${live}.${OWNER_TAG}-23456789.tmp`,
      // An earlier layout that could not be put back: the user's to fetch.
      `.layered-image-${dead}.${OWNER_TAG}-0123abcd.tmp.old`,
      // A gone id of another host or container: it may be running there.
      `.layered-image-${dead}.${OWNER_TAG === '00000000' ? '11111111' : '00000000'}-Ab12cD`,
      `.layered-image-${dead}-Ab12cD`,
      // Names without an owner, or not ours.
      '.layered-image-Ab12cD',
      `.layered-image-${dead}-Ab12cD.txt`,
      `layered-image-${dead}-Ab12cD`,
      '.layered-image-0-Ab12cD',
      'image.tar',
    ];
    // A work folder with layers in it, a docker-archive's temporary (a file), a layout's (a folder).
    await mkdir(path.join(parent, stale[0] as string, 'layers'), { recursive: true });
    await writeFile(path.join(parent, stale[0] as string, 'layers', 'all.tar'), Buffer.alloc(1 << 16));
    await writeFile(path.join(parent, stale[1] as string), 'half an archive');
    await mkdir(path.join(parent, stale[2] as string, 'blobs'), { recursive: true });
    for (const name of kept) await mkdir(path.join(parent, name));
    const mine = await makeWorkFolder(parent);

    await removeStaleWorkFolders(parent);
    assert.deepEqual((await readdir(parent)).sort(), [...kept, path.basename(mine)].sort());
  });

  it('never fails: a folder that is not there, a file where a folder should be', async () => {
    await removeStaleWorkFolders(path.join(root, 'nowhere'));
    const file = path.join(root, 'a-file');
    await writeFile(file, '');
    await removeStaleWorkFolders(file);
  });
});
