import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import * as actionsCache from '@actions/cache';
import tar from 'tar-stream';
import { inCacheRoot } from '../../src/cache/actions-root.js';
import { BLOB_FORMAT_VERSION, blobCacheKey, layerCacheKey } from '../../src/cache/key.js';
import { RECORD_FORMAT, recordScope } from '../../src/cache/record.js';
import { sha256Digest } from '../../src/digest.js';
import { DEFAULT_TAR_SETTINGS } from '../../src/layer/tar-header.js';
import { runBundle } from '../support/action.js';
import { startCacheServer, type CacheServer, type Faults } from '../support/cache-server.js';
import { layoutDigest } from '../support/layout.js';
import { closureOf, nixBuild } from '../support/nix.js';
import { CLOSURE_NIX } from '../support/paths.js';

interface Run {
  status: number;
  stdout: string;
  outputs: Record<string, string>;
  /** The OCI layout's digest (layoutDigest), or the docker-archive's bytes' sha256. */
  image: string;
}

/**
 * Runs the committed Action bundle in its own process, as a runner would,
 * without blocking this process: the cache server answers from here.
 */
async function runAction(work: string, env: Record<string, string>, inputs: Record<string, string>): Promise<Run> {
  await mkdir(work, { recursive: true });
  const outputFile = path.join(work, 'github-output');
  await writeFile(outputFile, '');
  const image = path.join(work, inputs['outputFormat'] === 'oci' ? 'layout' : 'image.tar');
  const childEnv: NodeJS.ProcessEnv = { PATH: process.env['PATH'], GITHUB_OUTPUT: outputFile, GITHUB_WORKSPACE: work, ...env };
  const { status, stdout, outputs } = await runBundle({ output: image, ...inputs }, childEnv, work);
  const digest = status !== 0 ? '' : inputs['outputFormat'] === 'oci' ? await layoutDigest(image) : sha256Digest(await readFile(image));
  return { status, stdout, outputs, image: digest };
}

const warnings = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('::warning::'));

/** Saves a folder under `key` as the Action does: named relative to its root. */
async function saveAsTheActionDoes(env: Record<string, string>, folder: string, key: string): Promise<void> {
  const saved = process.env;
  process.env = { ...saved, ...env };
  try {
    assert.notEqual(await inCacheRoot(path.dirname(folder), () => actionsCache.saveCache([path.basename(folder)], key)), -1);
  } finally {
    process.env = saved;
  }
}

describe('GitHub Actions cache, through the real @actions/cache and dist/index.js', () => {
  let root: string;
  let app: string;
  let storeLayers: number;
  let reference: string;
  // Three store layers: busybox (1.9 MiB) and the app script, which pack
  // faster than they restore, and a 9 MiB data path, whose blob is cached.
  const inputs = () => ({ name: 'cached-app', contents: app, config: '{"Cmd":["/bin/app"]}', maxLayers: '4', outputFormat: 'oci' });
  const servers: CacheServer[] = [];

  async function server(dir: string, faults: Faults = []): Promise<CacheServer> {
    const s = await startCacheServer({ dir });
    s.setFaults(faults);
    servers.push(s);
    return s;
  }

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'actions-cache-'));
    app = nixBuild(CLOSURE_NIX, 'bigApp');
    storeLayers = closureOf(app).length;
    assert.equal(storeLayers, 3);
    const plain = await runAction(path.join(root, 'reference'), { RUNNER_TEMP: path.join(root, 'reference-temp') }, { ...inputs(), cache: 'false' });
    assert.equal(plain.status, 0, plain.stdout);
    reference = plain.image;
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await rm(root, { recursive: true, force: true });
  });

  it('an OCI layout: the second CI run restores the blob of the large layer (not built, not compressed) and writes the same layout', async () => {
    const dir = path.join(root, 'two-runs');
    const s1 = await server(dir);
    const first = await runAction(path.join(dir, 'run1'), s1.env, inputs());
    assert.equal(first.status, 0, first.stdout);
    assert.equal(first.outputs['cacheHits'], '0');
    assert.equal(first.outputs['layersBuilt'], String(storeLayers));
    assert.deepEqual(warnings(first.stdout), []);
    assert.equal(first.image, reference);
    // One entry for the 9 MiB layer's blob, one for the record; none for the small layers.
    assert.equal(s1.stats().entriesFinalized, 2);

    // A new server process on the same state: the next workflow run.
    const s2 = await server(dir);
    const second = await runAction(path.join(dir, 'run2'), s2.env, inputs());
    assert.equal(second.status, 0, second.stdout);
    assert.equal(second.outputs['cacheHits'], '1');
    assert.equal(second.outputs['layersBuilt'], String(storeLayers - 1));
    const layers = JSON.parse(second.outputs['layers'] ?? '[]') as { paths: string[]; source: string }[];
    assert.deepEqual(layers.filter((l) => l.source === 'restored').map((l) => l.paths.map((p) => p.replace(/^.*?-/, ''))), [['data-9m-1.0']]);
    assert.deepEqual(warnings(second.stdout), []);
    assert.equal(second.image, reference);
    // Two lookups (the record, the blob); nothing new to save, so nothing saved.
    assert.equal(s2.stats().requests['download-url'], 2);
    assert.equal(s2.stats().requests.create, 0);
  });

  it('a docker-archive neither restores nor saves anything: its layers pack faster than any restore', async () => {
    const dir = path.join(root, 'archive');
    for (const run of ['run1', 'run2']) {
      const s = await server(dir);
      const r = await runAction(path.join(dir, run), s.env, { ...inputs(), outputFormat: 'docker-archive' });
      assert.equal(r.status, 0, r.stdout);
      assert.equal(r.outputs['cacheHits'], '0');
      assert.equal(r.outputs['layersBuilt'], String(storeLayers));
      const { requests } = s.stats();
      assert.deepEqual([requests['download-url'], requests.create, requests.upload], [0, 0, 0]);
    }
  });

  it('no cache service: one warning, same layout', async () => {
    const run = await runAction(path.join(root, 'no-service'), { RUNNER_TEMP: path.join(root, 'no-service-temp') }, inputs());
    assert.equal(run.status, 0, run.stdout);
    assert.deepEqual(warnings(run.stdout), ['::warning::the GitHub Actions cache service is not available here; building every layer without a cache']);
    assert.equal(run.image, reference);
  });

  /** A first run against a healthy cache, then one with `faults`: green, same layout. */
  async function withFaults(name: string, faults: Faults) {
    const dir = path.join(root, name);
    const seed = await server(dir);
    const seeded = await runAction(path.join(dir, 'seed'), seed.env, inputs());
    assert.equal(seeded.status, 0, seeded.stdout);
    // The layer's blob and the record: without them the faulty run would have nothing to download.
    assert.equal(seed.stats().entriesFinalized, 2, `the seed saved ${JSON.stringify(seed.stats())}:\n${seeded.stdout}`);
    const faulty = await server(dir, faults);
    const run = await runAction(path.join(dir, 'run'), faulty.env, inputs());
    assert.equal(run.status, 0, run.stdout);
    assert.equal(run.image, reference, 'the layout differs from the healthy build');
    assert.equal(run.outputs['cacheHits'], '0');
    assert.equal(run.outputs['layersBuilt'], String(storeLayers));
    assert.ok(faulty.stats().faultsInjected > 0, `the fault never fired: ${JSON.stringify(faulty.stats())}\n${run.stdout}`);
    // A failing service costs one warning, not one per layer.
    assert.ok(warnings(run.stdout).length <= 1, run.stdout);
    return run;
  }

  it('HTTP 500 on every download: restores nothing, says so once, stops asking', async () => {
    const run = await withFaults('download-500', [{ endpoint: 'download', kind: 'status', status: 500 }]);
    assert.deepEqual(warnings(run.stdout).map((w) => w.replace(/\(.*\)/, '(…)')), [
      '::warning::GitHub Actions cache restore failed (…); this run goes on without cache restores',
    ]);
    assert.doesNotMatch(run.stdout, /::error::/);
  });

  it('a run whose lookups fail forgets nothing: the next healthy run restores the blob', async () => {
    const dir = path.join(root, 'blip');
    const seeded = await runAction(path.join(dir, 'seed'), (await server(dir)).env, inputs());
    assert.equal(seeded.status, 0, seeded.stdout);
    // It builds everything and may save nothing over what the cache holds, nor a record that forgets it.
    const faulty = await server(dir, [{ endpoint: 'download-url', kind: 'status', status: 500 }]);
    const blip = await runAction(path.join(dir, 'blip'), faulty.env, inputs());
    assert.equal(blip.status, 0, blip.stdout);
    assert.ok(faulty.stats().faultsInjected > 0, 'the fault never fired');
    assert.equal(blip.outputs['cacheHits'], '0');
    const healthy = await runAction(path.join(dir, 'healthy'), (await server(dir)).env, inputs());
    assert.equal(healthy.status, 0, healthy.stdout);
    assert.equal(healthy.outputs['cacheHits'], '1');
    assert.equal(healthy.image, reference);
  });

  it('HTTP 429 on every lookup: restores nothing, still green', async () => {
    await withFaults('lookup-429', [{ endpoint: 'download-url', kind: 'status', status: 429 }]);
  });

  it('corrupted downloads: not used, still green', async () => {
    await withFaults('corrupt', [{ endpoint: 'download', kind: 'corrupt' }]);
  });

  it('truncated downloads: not used, still green', async () => {
    await withFaults('truncate', [{ endpoint: 'download', kind: 'truncate' }]);
  });

  async function coldWithFaults(name: string, faults: Faults) {
    const s = await server(path.join(root, name), faults);
    const run = await runAction(path.join(root, name, 'run'), s.env, inputs());
    assert.equal(run.status, 0, run.stdout);
    assert.equal(run.outputs['layersBuilt'], String(storeLayers));
    assert.equal(run.image, reference);
    assert.ok(s.stats().faultsInjected > 0, 'the fault never fired');
    assert.equal(s.stats().entriesFinalized, 0);
    assert.ok(warnings(run.stdout).length <= 1, run.stdout);
    return run;
  }

  it('409 on save (another job is saving the same entry): green, nothing saved', async () => {
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
    assert.equal(second.outputs['cacheHits'], '1');
    assert.equal(second.image, reference);
  });

  it('a blob entry that lies about its layer is not used and is not saved over', async () => {
    const dir = path.join(root, 'lying');
    const s = await server(dir);
    const runnerTemp = s.env['RUNNER_TEMP'] as string;
    const plain = await runAction(path.join(dir, 'plain'), { RUNNER_TEMP: runnerTemp }, { ...inputs(), cache: 'false' });
    const report = JSON.parse(plain.outputs['layers'] ?? '[]') as { paths: string[]; size: number }[];
    const big = report.reduce((a, b) => (b.size > a.size ? b : a));
    const key = layerCacheKey(big.paths, DEFAULT_TAR_SETTINGS);

    // A poisoned blob under the real key, with metadata that agrees, and a record that names it.
    const pack = tar.pack();
    for (const d of ['/nix/', '/nix/store/', `${big.paths[0]}/`]) pack.entry({ name: d, type: 'directory', mode: 0o755 });
    pack.entry({ name: '/etc/passwd', mode: 0o644 }, 'root::0:0::/:/bin/sh\n');
    pack.finalize();
    const chunks: Buffer[] = [];
    for await (const c of pack) chunks.push(c as Buffer);
    const layer = Buffer.concat(chunks);
    const blob = gzipSync(layer);
    const lead = { key, compression: 'gzip', diffId: sha256Digest(layer), size: layer.length, digest: sha256Digest(blob), blobSize: blob.length };
    const blobKey = blobCacheKey(key, 'gzip');
    const folder = path.join(runnerTemp, 'layered-image-cache', blobKey);
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, 'blob'), blob);
    await writeFile(path.join(folder, 'meta.json'), JSON.stringify({ format: BLOB_FORMAT_VERSION, ...lead, paths: big.paths }));
    await saveAsTheActionDoes(s.env, folder, blobKey);
    const scope = recordScope('', 'amd64');
    const recordFolder = path.join(runnerTemp, 'layered-image-cache', `record-${scope}`);
    await mkdir(recordFolder, { recursive: true });
    await writeFile(path.join(recordFolder, 'record.json'), JSON.stringify({ format: RECORD_FORMAT, leads: [{ ...lead, repositories: [], cached: true }] }));
    await saveAsTheActionDoes(s.env, recordFolder, `layered-image-record-${scope}-t1-000000000000`);

    const run = await runAction(path.join(dir, 'run'), s.env, inputs());
    assert.equal(run.status, 0, run.stdout);
    assert.equal(run.image, plain.image, 'the poisoned layer reached the layout');
    assert.ok(warnings(run.stdout).some((w) => /was not used: it holds a member outside the store paths: \/etc\/passwd/.test(w)), run.stdout);
    assert.equal(run.outputs['cacheHits'], '0');
    // The bad entry is immutable: not saved again; the record is, saying so.
    assert.equal(s.stats().entriesFinalized, 2 + 1);
    for (const again of ['next', 'after-next']) {
      const created = s.stats().entriesFinalized;
      const next = await runAction(path.join(dir, again), s.env, inputs());
      assert.equal(next.status, 0, next.stdout);
      assert.deepEqual(warnings(next.stdout), [], 'the record led to the bad entry again');
      assert.equal(next.outputs['cacheHits'], '0');
      assert.equal(next.image, plain.image);
      // Nothing saved over the bad entry, and the record, unchanged, not saved again.
      assert.equal(s.stats().entriesFinalized, created);
    }
  });
});
