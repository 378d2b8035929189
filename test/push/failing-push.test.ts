import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RegistryClient } from '../../src/registry/client.js';
import { runCliAsync } from '../support/cli.js';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.js';
import { nixBuild } from '../support/nix.js';
import { CLOSURE_NIX } from '../support/paths.js';
import { type TestRegistry, startRegistry } from '../support/registry.js';

describe('a push whose every upload fails (503), with no retries', () => {
  let registry: TestRegistry;
  let proxy: FaultProxy;
  let dir: string;
  let contents: string[];
  before(async () => {
    registry = await startRegistry({ auth: 'none' });
    proxy = await startFaultProxy(registry.host);
    proxy.setRules([{ method: 'POST', path: /\/blobs\/uploads\/$/, status: 503, times: Infinity }]);
    dir = await mkdtemp(path.join(tmpdir(), 'failing-push-'));
    // A large layer (bigApp's data) still compressing when the first upload fails.
    contents = [nixBuild(CLOSURE_NIX, 'bigApp', { dataMiB: '64' }), nixBuild(CLOSURE_NIX, 'tool')];
  });
  after(async () => {
    await proxy.stop();
    await registry.stop();
    await rm(dir, { recursive: true, force: true });
  });

  for (const cache of ['none', 'directory'] as const) {
    // Before the workers could not start after close(), such a run never exited: a bound makes that a failure, not a hang.
    it(`fails in one line, pushes no manifest, and leaves no work folder (cache: ${cache})`, { timeout: 120_000 }, async () => {
      const scratch = path.join(dir, `scratch-${cache}`);
      await mkdir(scratch);
      const repository = `fail/${cache}`;
      const cacheArgs = cache === 'none' ? ['--no-cache'] : ['--cache-dir', path.join(dir, 'cache')];
      const args = ['build', '--name', `${proxy.host}/${repository}`, '--tag', 'v1', ...contents.flatMap((c) => ['--contents', c]), '--push', '--retries', '0', ...cacheArgs];
      const r = await runCliAsync(args, { env: { ...process.env, TMPDIR: scratch } });
      assert.notEqual(r.status, 0);
      // The log goes to standard error too: the failure is its last line, and the only error.
      const lines = r.stderr.trim().split('\n');
      assert.deepEqual(lines.filter((l) => l.startsWith('layered-image:') || /^\s+at /.test(l)), [lines.at(-1)], r.stderr);
      assert.match(lines.at(-1) ?? '', /^layered-image: registry .*: 503 /);
      assert.deepEqual(await readdir(scratch), [], 'the work folder is gone');
      const client = new RegistryClient({ registry: registry.host, retries: 0, log: () => {} });
      assert.equal(await client.getManifest(repository, 'v1'), undefined, 'no manifest was pushed');
    });
  }
});
