import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { statSync, watch } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCliAsync } from '../support/cli.js';
import { nixBuild } from '../support/nix.js';
import { CLI, CLOSURE_NIX } from '../support/paths.js';
import { OWNER_TAG } from '../../src/util/work-folder.js';

describe('a build killed outright: the next build in the same folder removes what it left', () => {
  let app: string;
  let dir: string;
  const children: ChildProcess[] = [];
  before(async () => {
    // 72 MiB of data: writing and compressing its layer keeps a run going for a second or two after its work folder is made.
    app = nixBuild(CLOSURE_NIX, 'bigApp', { dataMiB: '72' });
    dir = await mkdtemp(path.join(tmpdir(), 'stale-work-'));
  });
  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  const args = (out: string) => ['build', '--no-cache', '--name', 'stale/work', '--contents', app, '--output-format', 'oci', '--output', out];

  /**
   * Starts a build of `out` and kills it with SIGKILL (no handler runs) as
   * soon as its work folder appears; whether it was killed rather than done
   * first. The folder is named by the run alone: no other is made here.
   */
  async function killMidway(out: string): Promise<{ pid: number; killed: boolean }> {
    const child = spawn(process.execPath, [CLI, ...args(out)], { stdio: 'ignore' });
    children.push(child);
    const isWork = (name: string) => name.startsWith('.layered-image-') && !name.endsWith('.tmp') && statSync(path.join(dir, name), { throwIfNoEntry: false })?.isDirectory();
    // Synchronous from the event: the run is stopped where it is.
    const watcher = watch(dir, (_event, name) => {
      if (name !== null && isWork(name)) child.kill('SIGKILL');
    });
    try {
      const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
      assert.ok(signal === 'SIGKILL' || code === 0, `the build failed before it was killed: ${code}`);
      return { pid: child.pid as number, killed: signal === 'SIGKILL' };
    } finally {
      watcher.close();
    }
  }

  it("the dead run's work folder is gone after the next build", async () => {
    const out = path.join(dir, 'layout');
    let dead: { pid: number; killed: boolean } | undefined;
    // A run can outpace the watcher on a fast machine: then it is tried again.
    for (let attempt = 0; attempt < 3 && !dead?.killed; attempt++) {
      await rm(out, { recursive: true, force: true });
      dead = await killMidway(out);
    }
    assert.ok(dead?.killed, 'every build ended before it could be killed');
    // Its work folder, and its output's temporary if it had got that far.
    const left = (await readdir(dir)).filter((n) => n.startsWith('.layered-image-'));
    const work = left.filter((n) => !n.endsWith('.tmp'));
    assert.equal(work.length, 1, `the killed run left ${left.join(', ')}`);
    assert.ok((await stat(path.join(dir, work[0] as string))).isDirectory());

    const next = await runCliAsync(args(out));
    assert.equal(next.status, 0, next.stderr);
    assert.deepEqual(await readdir(dir), ['layout'], `the next build left the dead run's ${left.join(', ')}`);
    for (const n of left) assert.match(n, new RegExp(`^\\.layered-image-${dead.pid}\\.${OWNER_TAG}-`), 'a work folder without its owner in its name');
  });
});
