import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LayerWorkers } from '../../src/layer/workers.js';

describe('layer workers, closed while jobs are running and queued', () => {
  let dir: string;
  let big: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'workers-close-'));
    big = path.join(dir, 'big');
    // Random bytes compress slowly: the job is still running when close() comes.
    await writeFile(big, randomBytes(48 << 20));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('fails every job, and starts none after close(), not even in a retired worker’s place', async () => {
    const workers = new LayerWorkers(1);
    const size = 48 << 20;
    const running = workers.compress({ source: { file: big, offset: 0, size }, compression: 'gzip', out: path.join(dir, 'a.gz') }, () => {});
    const queued = workers.compress({ source: { file: big, offset: 0, size: 1 << 20 }, compression: 'gzip', out: path.join(dir, 'b.gz') }, () => {});
    const settled = Promise.allSettled([running, queued]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await workers.close();
    const [a, b] = await settled;
    assert.equal(a?.status, 'rejected', 'the running job fails');
    assert.equal(b?.status, 'rejected', 'the queued job never runs');
    await assert.rejects(workers.walk([dir], { mtime: 1, uid: 0, gid: 0, uname: '', gname: '' }), /closed/);
  });
});
