import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runImage, skopeoInspect } from '../support/consumers.js';
import { nixBuild } from '../support/nix.js';
import { CLOSURE_NIX, REPO } from '../support/paths.js';

/**
 * `npm run local-action`, as the README's "Trying the Action locally" has a
 * newcomer run it: `.env.example` copied, INPUT_CONTENTS pointed at a store
 * path. The env file is a temporary copy (LOCAL_ACTION_ENV names it), so a
 * developer's own .env is never touched.
 */
describe('npm run local-action with the .env example', () => {
  let dir: string;
  let app: string;
  // The script compiles src/ into lib/; a lib/ this test made goes with it.
  const lib = path.join(REPO, 'lib');
  const hadLib = existsSync(lib);
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'local-action-'));
    app = nixBuild(CLOSURE_NIX, 'app');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
    if (!hadLib) await rm(lib, { recursive: true, force: true });
  });

  it('builds an image that runs, with its outputs printed', async () => {
    const example = await readFile(path.join(REPO, '.env.example'), 'utf8');
    assert.match(example, /^INPUT_CONTENTS=/m);
    // RUNNER_TEMP names a folder that does not exist yet, as it may on a laptop.
    const temp = path.join(dir, 'runner-temp');
    const envFile = path.join(dir, 'env');
    await writeFile(envFile, example.replace(/^INPUT_CONTENTS=.*$/m, `INPUT_CONTENTS=${app}`).replace(/^RUNNER_TEMP=.*$/m, `RUNNER_TEMP=${temp}`));
    const stdout = await new Promise<string>((resolve, reject) => {
      // tsx, which local-action runs on, caches its compiles under TMPDIR: here, to go with dir.
      const env = { ...process.env, LOCAL_ACTION_ENV: envFile, TMPDIR: dir };
      execFile('npm', ['run', '--silent', 'local-action'], { cwd: REPO, env, maxBuffer: 64 << 20 }, (err, out, errOut) =>
        err === null ? resolve(out) : reject(new Error(`npm run local-action failed: ${errOut}`)),
      );
    });
    // local-action exits 0 whatever the Action did: its outputs tell.
    assert.doesNotMatch(stdout, /::error::/);
    const imagePath = /::set-output name=imagePath::(.*)$/m.exec(stdout)?.[1];
    assert.equal(imagePath, path.join(temp, 'layered-image.tar'));
    assert.equal(/::set-output name=imageName::(.*)$/m.exec(stdout)?.[1], 'local/app');
    const digests = JSON.parse(/::set-output name=layerDigests::(.*)$/m.exec(stdout)?.[1] ?? '[]') as string[];
    assert.deepEqual(skopeoInspect(imagePath).Layers, digests);
    assert.equal(runImage(imagePath, path.join(dir, 'bundle')).stdout, 'hello from app\nlibrary 1\n');
  });
});
