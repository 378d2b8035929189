import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCliAsync } from '../support/cli.js';
import { nixBuild } from '../support/nix.js';
import { CLOSURE_NIX } from '../support/paths.js';

describe('includeNixDB with a TMPDIR a Nix store URL cannot hold', () => {
  let dir: string;
  let app: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'nix-db-tmpdir-'));
    app = nixBuild(CLOSURE_NIX, 'app');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('fails in one line naming the folder, and leaves nothing in it', async () => {
    const odd = path.join(dir, 'with space');
    await mkdir(odd);
    const r = await runCliAsync(['build', '--name', 'nixdb', '--contents', app, '--include-nix-db', '--no-cache', '--output', path.join(dir, 'out.tar')], { env: { ...process.env, TMPDIR: odd } });
    assert.equal(r.status, 1);
    assert.match(r.stderr.trim().split('\n').at(-1) ?? '', /^layered-image: --include-nix-db: the temporary folder .*with space.* cannot hold; set TMPDIR$/);
    assert.deepEqual(await readdir(odd), []);
    assert.deepEqual(await readdir(dir), ['with space']);
  });
});
