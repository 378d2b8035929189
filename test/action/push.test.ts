import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startCacheServer, type CacheServer } from '../support/cache-server.js';
import { pullAndRun } from '../support/consumers.js';
import { closureOf, nixBuild } from '../support/nix.js';
import { CLOSURE_NIX, REPO } from '../support/paths.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

interface Run {
  status: number;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
  temp: string;
}

/** One CI run of the committed bundle: its own RUNNER_TEMP and workspace, inputs in INPUT_* variables. */
async function runAction(root: string, env: Record<string, string>, inputs: Record<string, string>): Promise<Run> {
  const work = await mkdtemp(path.join(root, 'run-'));
  const temp = path.join(work, 'temp');
  const workspace = path.join(work, 'workspace');
  await mkdir(temp);
  await mkdir(workspace);
  const outputFile = path.join(work, 'github-output');
  const summaryFile = path.join(work, 'summary');
  await writeFile(outputFile, '');
  await writeFile(summaryFile, '');
  const childEnv: NodeJS.ProcessEnv = { PATH: process.env['PATH'], HOME: work, GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile, GITHUB_WORKSPACE: workspace, ...env, RUNNER_TEMP: temp };
  for (const [k, v] of Object.entries(inputs)) childEnv[`INPUT_${k.toUpperCase()}`] = v;
  const { status, stdout } = await new Promise<{ status: number; stdout: string }>((resolve) => {
    execFile(process.execPath, [path.join(REPO, 'dist', 'index.js')], { env: childEnv, cwd: workspace, maxBuffer: 64 << 20 }, (err, out) =>
      resolve({ status: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout: out }),
    );
  });
  const outputs: Record<string, string> = {};
  for (const m of (await readFile(outputFile, 'utf8')).matchAll(/^(\w+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) outputs[m[1] as string] = m[3] as string;
  return { status, stdout, outputs, summary: await readFile(summaryFile, 'utf8'), temp };
}

describe('the Action pushing to a registry', () => {
  let root: string;
  let registry: TestRegistry;
  let cache: CacheServer;
  let app: string;
  const config = JSON.stringify({ Cmd: ['/bin/app'] });

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'action-push-'));
    registry = await startRegistry({ auth: { htpasswd: { user: 'bot', password: 'hunter2-very-secret' } } });
    cache = await startCacheServer({ dir: path.join(root, 'cache-service') });
    app = nixBuild(CLOSURE_NIX, 'app');
  });
  after(async () => {
    await cache.close();
    await registry.stop();
  });

  it('pushes on every run with a new tag; the second run, sharing only the Actions cache, uploads and builds only what changed', async () => {
    // 72 MiB of data: a push worth the blob record (64 MiB), which tells
    // the second run what the registry holds, with no tag of it to read.
    const big = (appSalt: string) => nixBuild(CLOSURE_NIX, 'bigApp', { dataMiB: '72', appSalt });
    const storePaths = closureOf(big('')).length;
    const name = `${registry.host}/team/action`;
    const inputs = { name, contents: big(''), config, push: 'true', username: 'bot', password: 'hunter2-very-secret' };
    const first = await runAction(root, cache.env, { ...inputs, tag: 'sha-1' });
    assert.equal(first.status, 0, first.stdout);
    assert.match(first.outputs['digest'] ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.equal(first.outputs['imageRef'], `${name}@${first.outputs['digest'] ?? ''}`);
    assert.equal(first.outputs['imagePath'], '');
    // Only the Actions cache's folders: its unpack folder, and @actions/cache's own scratch folders.
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    assert.deepEqual((await readdir(first.temp)).filter((f) => f !== 'layered-image-cache' && !uuid.test(f)), [], 'no image written under RUNNER_TEMP');
    assert.match(first.stdout, /^::group::Push$/m);
    assert.match(first.summary, new RegExp(`pushed <code>${name.replace(/\./g, '\\.')}:sha-1</code>`));
    await registry.settled();
    const before = registry.blobUploads('team/action');
    assert.equal(before, storePaths + 2);

    const changed = big('-action');
    const second = await runAction(root, cache.env, { ...inputs, contents: changed, tag: 'sha-2' });
    assert.equal(second.status, 0, second.stdout);
    await registry.settled();
    assert.equal(registry.blobUploads('team/action') - before, 3, 'the app layer, the customisation layer and the config');
    assert.equal(second.outputs['layersBuilt'], '1');
    assert.equal(second.outputs['cacheHits'], '0', 'layers the registry has are not restored from the Actions cache');
    const layers = JSON.parse(second.outputs['layers'] ?? '[]') as { source: string; pushed: string }[];
    assert.equal(layers.filter((l) => l.source === 'registry').length, storePaths - 1);
    assert.match(second.summary, /already there/);

    const authfile = path.join(root, 'auth.json');
    await writeFile(authfile, JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from('bot:hunter2-very-secret').toString('base64') } } }));
    assert.equal((await pullAndRun(`${name}:sha-2`, path.join(root, 'pulled'), authfile)).stdout, 'big app-action\ndata.hex\n');

    // The password is masked before anything is printed, and appears nowhere else.
    for (const run of [first, second]) {
      const lines = run.stdout.split('\n');
      assert.equal(lines.findIndex((l) => l.includes('hunter2-very-secret')), lines.indexOf('::add-mask::hunter2-very-secret'));
      assert.equal(lines.filter((l) => l.includes('hunter2-very-secret')).length, 1);
      assert.ok(!run.summary.includes('hunter2-very-secret'));
      assert.ok(!Object.values(run.outputs).some((v) => v.includes('hunter2-very-secret')));
    }
  });

  it('credentials that docker login wrote are used and masked', async () => {
    const docker = await mkdtemp(path.join(root, 'docker-'));
    const auth = Buffer.from('bot:hunter2-very-secret').toString('base64');
    await writeFile(path.join(docker, 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth } } }));
    const r = await runAction(root, { ...cache.env, DOCKER_CONFIG: docker }, { name: `${registry.host}/team/login`, contents: app, config, push: 'true' });
    assert.equal(r.status, 0, r.stdout);
    const lines = r.stdout.split('\n');
    for (const secret of ['hunter2-very-secret', auth]) {
      assert.deepEqual(lines.filter((l) => l.includes(secret)), [`::add-mask::${secret}`]);
    }
    assert.match(r.outputs['digest'] ?? '', /^sha256:/);
  });

  it('a wrong password fails the step with one ::error:: line naming the registry, never the password', async () => {
    const r = await runAction(root, cache.env, { name: `${registry.host}/team/action`, contents: app, config, push: 'true', username: 'bot', password: 'not-the-password-42', retries: '0' });
    assert.equal(r.status, 1);
    const errors = r.stdout.split('\n').filter((l) => l.startsWith('::error::'));
    assert.equal(errors.length, 1);
    assert.match(errors[0] ?? '', new RegExp(`^::error::registry ${registry.host}: .*401`));
    assert.equal(r.stdout.split('\n').filter((l) => l.includes('not-the-password-42')).length, 1, 'only in ::add-mask::');
    assert.equal(r.outputs['digest'], undefined);
  });
});
