import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as actionsCache from '@actions/cache';
import tar from 'tar-stream';
import { inCacheRoot } from '../../src/cache/actions-root.js';
import { LAYER_FORMAT_VERSION, layerCacheKey } from '../../src/cache/key.js';
import { sha256Digest } from '../../src/digest.js';
import { DEFAULT_TAR_SETTINGS } from '../../src/layer/tar-header.js';
import { startCacheServer, type CacheServer, type Faults } from '../support/cache-server.js';
import { closureOf, nixBuild } from '../support/nix.js';
import { CLOSURE_NIX, REPO } from '../support/paths.js';

interface Run {
  status: number;
  stdout: string;
  outputs: Record<string, string>;
  image: Buffer;
}

/**
 * Runs the committed Action bundle in its own process, as a runner would,
 * without blocking this process: the cache server answers from here.
 */
async function runAction(work: string, env: Record<string, string>, inputs: Record<string, string>): Promise<Run> {
  await mkdir(work, { recursive: true });
  const outputFile = path.join(work, 'github-output');
  await writeFile(outputFile, '');
  const image = path.join(work, 'image.tar');
  const childEnv: NodeJS.ProcessEnv = { PATH: process.env['PATH'], GITHUB_OUTPUT: outputFile, GITHUB_WORKSPACE: work, ...env };
  for (const [k, v] of Object.entries({ output: image, ...inputs })) childEnv[`INPUT_${k.toUpperCase()}`] = v;
  const { status, stdout } = await new Promise<{ status: number; stdout: string }>((resolve) => {
    execFile(process.execPath, [path.join(REPO, 'dist', 'index.js')], { env: childEnv, cwd: work, maxBuffer: 64 << 20 }, (err, out) =>
      resolve({ status: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout: out }),
    );
  });
  const outputs: Record<string, string> = {};
  for (const m of (await readFile(outputFile, 'utf8')).matchAll(/^(\w+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) outputs[m[1] as string] = m[3] as string;
  const bytes = status === 0 ? await readFile(image) : Buffer.alloc(0);
  return { status, stdout, outputs, image: bytes };
}

const warnings = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('::warning::'));

describe('GitHub Actions cache, through the real @actions/cache and dist/index.js', () => {
  let root: string;
  let app: string;
  let storeLayers: number;
  let reference: Buffer;
  const inputs = () => ({ name: 'cached-app', contents: app, config: '{"Cmd":["/bin/app"]}', maxLayers: '100' });
  const servers: CacheServer[] = [];

  async function server(dir: string, faults: Faults = []): Promise<CacheServer> {
    const s = await startCacheServer({ dir });
    s.setFaults(faults);
    servers.push(s);
    return s;
  }

  before(async () => {
    app = nixBuild(CLOSURE_NIX, 'app');
    storeLayers = closureOf(app).length;
    root = await mkdtemp(path.join(tmpdir(), 'actions-cache-'));
    const plain = await runAction(path.join(root, 'reference'), { RUNNER_TEMP: path.join(root, 'reference-temp') }, { ...inputs(), cache: 'false' });
    assert.equal(plain.status, 0, plain.stdout);
    reference = plain.image;
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it('a second CI run restores every store layer and writes the same image', async () => {
    const dir = path.join(root, 'two-runs');
    const first = await runAction(path.join(dir, 'run1'), (await server(dir)).env, inputs());
    assert.equal(first.status, 0, first.stdout);
    assert.equal(first.outputs['cacheHits'], '0');
    assert.equal(first.outputs['layersBuilt'], String(storeLayers));
    assert.deepEqual(warnings(first.stdout), []);
    assert.ok(first.image.equals(reference));

    // A new server process on the same state: the next workflow run.
    const second = await runAction(path.join(dir, 'run2'), (await server(dir)).env, inputs());
    assert.equal(second.status, 0, second.stdout);
    assert.equal(second.outputs['cacheHits'], String(storeLayers));
    assert.equal(second.outputs['layersBuilt'], '0');
    assert.deepEqual(warnings(second.stdout), []);
    assert.ok(second.image.equals(reference));
  });

  it('no cache service: one warning, same image', async () => {
    const run = await runAction(path.join(root, 'no-service'), { RUNNER_TEMP: path.join(root, 'no-service-temp') }, inputs());
    assert.equal(run.status, 0, run.stdout);
    assert.deepEqual(warnings(run.stdout), ['::warning::the GitHub Actions cache service is not available here; building every layer without a cache']);
    assert.ok(run.image.equals(reference));
  });

  /** A first run against a healthy cache, then one with `faults`: green, same image. */
  async function withFaults(name: string, faults: Faults, expectRestored: number) {
    const dir = path.join(root, name);
    const seeded = await runAction(path.join(dir, 'seed'), (await server(dir)).env, { ...inputs(), maxLayers: '4' });
    assert.equal(seeded.status, 0, seeded.stdout);
    const faulty = await server(dir, faults);
    const run = await runAction(path.join(dir, 'run'), faulty.env, { ...inputs(), maxLayers: '4' });
    assert.equal(run.status, 0, run.stdout);
    assert.ok(run.image.equals(seeded.image), 'the image differs from the healthy build');
    assert.equal(run.outputs['cacheHits'], String(expectRestored));
    assert.ok(faulty.stats().faultsInjected > 0, 'the fault never fired');
    // A failing service costs one warning, not one per layer.
    assert.ok(warnings(run.stdout).length <= 1, run.stdout);
    return run;
  }

  it('HTTP 500 on every download: restores nothing, says so once, stops asking', async () => {
    const run = await withFaults('download-500', [{ endpoint: 'download', kind: 'status', status: 500 }], 0);
    assert.deepEqual(warnings(run.stdout).map((w) => w.replace(/\(.*\)/, '(…)')), [
      '::warning::GitHub Actions cache restore failed (…); this run goes on without cache restores',
    ]);
    assert.doesNotMatch(run.stdout, /::error::/);
  });

  it('HTTP 429 on every lookup: restores nothing, still green', async () => {
    await withFaults('lookup-429', [{ endpoint: 'download-url', kind: 'status', status: 429 }], 0);
  });

  it('corrupted downloads: not used, still green', async () => {
    await withFaults('corrupt', [{ endpoint: 'download', kind: 'corrupt' }], 0);
  });

  it('truncated downloads: not used, still green', async () => {
    await withFaults('truncate', [{ endpoint: 'download', kind: 'truncate' }], 0);
  });

  async function coldWithFaults(name: string, faults: Faults) {
    const s = await server(path.join(root, name), faults);
    const run = await runAction(path.join(root, name, 'run'), s.env, { ...inputs(), maxLayers: '4' });
    assert.equal(run.status, 0, run.stdout);
    assert.equal(run.outputs['layersBuilt'], '3');
    assert.ok(s.stats().faultsInjected > 0, 'the fault never fired');
    assert.equal(s.stats().entriesFinalized, 0);
    assert.ok(warnings(run.stdout).length <= 1, run.stdout);
    return run;
  }

  it('409 on save (another job is saving the same layer): green, nothing saved', async () => {
    await coldWithFaults('create-409', [{ endpoint: 'create', kind: 'status', status: 409 }]);
  });

  it('429 on save: green, nothing saved', async () => {
    await coldWithFaults('create-429', [{ endpoint: 'create', kind: 'status', status: 429 }]);
  });

  it('a token that may not write: green, warned, nothing saved', async () => {
    const run = await coldWithFaults('write-denied', [{ endpoint: 'create', kind: 'write-denied' }]);
    assert.ok(warnings(run.stdout).some((w) => /cache write denied/.test(w)));
  });

  it('HTTP 500 on every upload: green, nothing saved', async () => {
    await coldWithFaults('upload-500', [{ endpoint: 'upload', kind: 'status', status: 500 }]);
  });

  it('an entry saved under one RUNNER_TEMP is restored under another (container jobs, self-hosted runners)', async () => {
    const dir = path.join(root, 'other-temp');
    const s = await server(dir);
    const first = await runAction(path.join(dir, 'run1'), { ...s.env, RUNNER_TEMP: path.join(dir, 'home-runner-work-_temp') }, inputs());
    assert.equal(first.status, 0, first.stdout);
    const second = await runAction(path.join(dir, 'run2'), { ...s.env, RUNNER_TEMP: path.join(dir, '__w', '_temp') }, inputs());
    assert.equal(second.status, 0, second.stdout);
    assert.equal(second.outputs['cacheHits'], String(storeLayers));
    assert.ok(second.image.equals(reference));
  });

  it('an entry that lies about its layer is not used and is not saved over', async () => {
    const dir = path.join(root, 'lying');
    const s = await server(dir);
    const runnerTemp = s.env['RUNNER_TEMP'] as string;
    const plain = await runAction(path.join(dir, 'plain'), { RUNNER_TEMP: runnerTemp }, { ...inputs(), cache: 'false', maxLayers: '4' });
    const report = JSON.parse(plain.outputs['layers'] ?? '[]') as { paths: string[] }[];
    const paths = report[0]?.paths ?? [];
    const key = layerCacheKey(paths, DEFAULT_TAR_SETTINGS);

    // Save a poisoned entry under the real key, with metadata that agrees.
    const folder = path.join(runnerTemp, 'layered-image-cache', key);
    await mkdir(folder, { recursive: true });
    const pack = tar.pack();
    for (const d of ['/nix/', '/nix/store/', `${paths[0]}/`]) pack.entry({ name: d, type: 'directory', mode: 0o755 });
    pack.entry({ name: '/etc/passwd', mode: 0o644 }, 'root::0:0::/:/bin/sh\n');
    pack.finalize();
    const chunks: Buffer[] = [];
    for await (const c of pack) chunks.push(c as Buffer);
    const layer = Buffer.concat(chunks);
    await writeFile(path.join(folder, 'layer.tar'), layer);
    await writeFile(path.join(folder, 'meta.json'), JSON.stringify({ format: LAYER_FORMAT_VERSION, key, digest: sha256Digest(layer), size: layer.length, paths }));
    // Saved as the Action saves: the folder named relative to its root.
    const workspace = path.join(dir, 'run');
    await mkdir(workspace, { recursive: true });
    const saved = process.env;
    process.env = { ...saved, ...s.env };
    try {
      assert.notEqual(await inCacheRoot(path.dirname(folder), () => actionsCache.saveCache([key], key)), -1);
    } finally {
      process.env = saved;
    }

    const run = await runAction(workspace, s.env, { ...inputs(), maxLayers: '4' });
    assert.equal(run.status, 0, run.stdout);
    assert.ok(run.image.equals(plain.image), 'the poisoned layer reached the image');
    assert.ok(warnings(run.stdout).some((w) => /was not used: it holds a member outside the store paths: \/etc\/passwd/.test(w)), run.stdout);
    assert.equal(run.outputs['cacheHits'], '0');
    // The bad entry is immutable: the run saved the other two layers, not that one.
    assert.equal(s.stats().entriesFinalized, 1 + 2);
  });
});
