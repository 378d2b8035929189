import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cli.js';
import { pullAndRun, removePodmanWork, runLayout } from '../support/consumers.js';
import { closureOf, nixBuild } from '../support/nix.js';
import { CLOSURE_NIX } from '../support/paths.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

interface Report {
  imagePath?: string;
  imageTag: string;
  imageTags: string[];
  layerDigests: string[];
  layers: { digest: string; size: number; source: string; compressedDigest?: string; compressedSize?: number; pushed?: string }[];
  cache: { restored: number; built: number; saved: number };
  push?: { digest: string; refs: string[]; blobs: { uploaded: number; uploadedBytes: number; mounted: number; existing: number } };
}

let registry: TestRegistry | undefined;
const reg = (): TestRegistry => {
  assert.ok(registry !== undefined);
  return registry;
};

/** Runs the CLI; returns once the registry's log holds every request it made. */
async function build(args: string[], cwd?: string): Promise<Report> {
  const r = runCli(['build', '--json', ...args], cwd === undefined ? {} : { cwd });
  assert.equal(r.status, 0, r.stderr);
  await registry?.settled();
  return JSON.parse(r.stdout) as Report;
}

/** Completed blob uploads since `before`, from the registry's own log. */
const uploadsSince = (repository: string, before: number) => reg().blobUploads(repository) - before;

const manifestPuts = (repository: string) =>
  reg().accessLog().filter((l) => l.includes(`"PUT /v2/${repository}/manifests/`) && / 201 /.test(l)).length;

describe('pushing to a real registry (docker-registry on loopback)', () => {
  let dir: string;
  let app: string;
  let storePaths: number;
  const config = JSON.stringify({ Cmd: ['/bin/app'] });
  const appWith = (salt: string) => nixBuild(CLOSURE_NIX, 'app', { appSalt: salt });

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'push-'));
    registry = await startRegistry({ deleteEnabled: true });
    app = appWith('');
    storePaths = closureOf(app).length;
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
    await reg().stop();
    registry = undefined;
  });

  it('pushes an image skopeo pulls and runc runs, writing nothing local; an app-only change on a new tag uploads only what changed', async () => {
    const name = `${reg().host}/team/app`;
    const cwd = await mkdtemp(path.join(dir, 'cwd-'));
    const first = await build(['--name', name, '--tag', 'v1', '--contents', app, '--config', config, '--push', '--no-cache'], cwd);
    assert.equal(first.imagePath, undefined);
    assert.deepEqual(await readdir(cwd), [], 'a push with no --output writes nothing here');
    assert.deepEqual(first.push?.refs, [`${name}:v1`]);
    assert.match(first.push?.digest ?? '', /^sha256:[0-9a-f]{64}$/);
    // Every layer and the config, nothing else.
    assert.equal(first.push?.blobs.uploaded, storePaths + 2);
    assert.equal(reg().blobUploads('team/app'), storePaths + 2);
    assert.ok(first.layers.every((l) => l.pushed === 'uploaded' && l.compressedDigest !== undefined));
    assert.equal((await pullAndRun(`${name}:v1`, path.join(dir, 'run-v1'))).stdout, 'hello from app\nlibrary 1\n');

    // The registry confirms the digest we computed, and serves the manifest we made.
    const raw = execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${name}:v1`], { encoding: 'utf8' });
    const manifest = JSON.parse(raw) as { mediaType: string; layers: { mediaType: string; digest: string; annotations?: Record<string, string> }[] };
    assert.equal(manifest.mediaType, 'application/vnd.oci.image.manifest.v1+json');
    assert.deepEqual(manifest.layers.map((l) => l.digest), first.layers.map((l) => l.compressedDigest));
    assert.ok(manifest.layers.slice(0, -1).every((l) => l.mediaType === 'application/vnd.oci.image.layer.v1.tar+gzip' && l.annotations?.['org.layered-image.cache-key'] !== undefined));

    // A fresh state: no cache at all, only --cache-from the first tag.
    const before = reg().blobUploads('team/app');
    const changed = appWith('-2');
    const second = await build(['--name', name, '--tag', 'v2', '--contents', changed, '--config', config, '--push', '--no-cache', '--cache-from', `${name}:v1`]);
    // The app's layer, the customisation layer (its symlinks point at the new app) and the config.
    assert.equal(uploadsSince('team/app', before), 3);
    assert.equal(second.push?.blobs.uploaded, 3);
    assert.equal(second.push?.blobs.existing, storePaths - 1);
    assert.equal(second.cache.built, 1, 'only the changed store layer is built');
    assert.equal(second.layers.filter((l) => l.source === 'registry').length, storePaths - 1);
    assert.equal((await pullAndRun(`${name}:v2`, path.join(dir, 'run-v2'))).stdout, 'hello from app-2\nlibrary 1\n');
    assert.equal(manifestPuts('team/app'), 2);
  });

  it('with the cache directory of an earlier push and no tag of it to read, the blob list in the cache says what the registry holds: only the changed layer is built', async () => {
    // 72 MiB of data: enough layer to be worth the blob list (64 MiB).
    const big = (appSalt: string) => nixBuild(CLOSURE_NIX, 'bigApp', { dataMiB: '72', appSalt });
    const name = `${reg().host}/team/cached`;
    const cacheDir = await mkdtemp(path.join(dir, 'cache-'));
    await build(['--name', name, '--tag', 'a', '--contents', big(''), '--config', config, '--push', '--cache-dir', cacheDir]);
    assert.equal((await readdir(path.join(cacheDir, 'records'))).length, 1);
    const before = reg().blobUploads('team/cached');
    const next = await build(['--name', name, '--tag', 'b', '--contents', big('-3'), '--config', config, '--push', '--cache-dir', cacheDir]);
    assert.equal(uploadsSince('team/cached', before), 3);
    assert.equal(next.cache.built, 1);
    assert.equal(next.cache.restored, 0, 'layers the registry has are not even restored');
    assert.deepEqual(next.layers.map((l) => l.source).sort(), ['built', 'built', 'registry', 'registry']);
    assert.equal((await pullAndRun(`${name}:b`, path.join(dir, 'run-b'))).stdout.split('\n')[0], 'big app-3');
  });

  it('a small image neither reads nor saves the blob list: making its few layers again costs less', async () => {
    const name = `${reg().host}/team/small`;
    const cacheDir = await mkdtemp(path.join(dir, 'cache-'));
    const args = ['--name', name, '--contents', app, '--config', config, '--push', '--cache-dir', cacheDir];
    const first = runCli(['build', '--json', '--tag', 'a', ...args]);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stderr, /the cache's blob list not saved/);
    const second = runCli(['build', '--json', '--tag', 'b', ...args]);
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stderr, /the cache's blob list not read/);
    assert.equal((JSON.parse(second.stdout) as Report).cache.built, storePaths);
    assert.deepEqual(await readdir(cacheDir), []);
    await reg().settled();
  });

  it('uploads again a reused blob that the registry has lost, and the image still pulls and runs', async () => {
    const name = `${reg().host}/team/lost`;
    const first = await build(['--name', name, '--tag', 'v1', '--contents', app, '--config', config, '--push', '--no-cache']);
    const lost = first.layers[0]?.compressedDigest ?? '';
    const del = await fetch(`http://${reg().host}/v2/team/lost/blobs/${lost}`, { method: 'DELETE' });
    assert.equal(del.status, 202);
    assert.equal((await fetch(`http://${reg().host}/v2/team/lost/blobs/${lost}`, { method: 'HEAD' })).status, 404);
    const before = reg().blobUploads('team/lost');
    const second = await build(['--name', name, '--tag', 'v2', '--contents', appWith('-4'), '--config', config, '--push', '--no-cache', '--cache-from', `${name}:v1`]);
    assert.equal(second.layers[0]?.source, 'built');
    assert.equal(second.layers[0]?.compressedDigest, lost, 'gzip of the same layer gives the same blob');
    assert.equal(uploadsSince('team/lost', before), 4);
    assert.equal((await pullAndRun(`${name}:v2`, path.join(dir, 'run-lost'))).stdout, 'hello from app-4\nlibrary 1\n');
  });

  it('mounts blobs another repository of the registry has, when a cacheFrom there names them', async () => {
    const from = `${reg().host}/team/source`;
    await build(['--name', from, '--tag', 'v1', '--contents', app, '--config', config, '--push', '--no-cache']);
    const name = `${reg().host}/other/app`;
    const r = await build(['--name', name, '--tag', 'v1', '--contents', app, '--config', config, '--push', '--no-cache', '--cache-from', `${from}:v1`]);
    // The customisation layer too: its key is on the source's manifest, as the store layers' are.
    assert.equal(r.push?.blobs.mounted, storePaths + 1);
    assert.equal(reg().blobUploads('other/app'), 1, 'the config');
    assert.equal((await pullAndRun(`${name}:v1`, path.join(dir, 'run-mounted'))).stdout, 'hello from app\nlibrary 1\n');
  });

  it('pushes every tag, and Docker v2 schema 2 manifests on request', async () => {
    const name = `${reg().host}/team/docker`;
    const r = await build(['--name', name, '--tag', 'one', '--tag', 'two', '--contents', app, '--config', config, '--push', '--no-cache', '--manifest-format', 'docker']);
    assert.deepEqual(r.push?.refs, [`${name}:one`, `${name}:two`]);
    for (const tag of ['one', 'two']) {
      const raw = JSON.parse(execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${name}:${tag}`], { encoding: 'utf8' })) as { mediaType: string; config: { mediaType: string }; layers: { mediaType: string }[] };
      assert.equal(raw.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
      assert.equal(raw.config.mediaType, 'application/vnd.docker.container.image.v1+json');
      assert.ok(raw.layers.every((l) => l.mediaType === 'application/vnd.docker.image.rootfs.diff.tar.gzip'));
    }
    assert.equal((await pullAndRun(`${name}:two`, path.join(dir, 'run-docker'))).stdout, 'hello from app\nlibrary 1\n');
  });

  it('with --output too, writes the complete local image and pushes the same layers', async () => {
    const name = `${reg().host}/team/both`;
    const out = path.join(dir, 'both.tar');
    const r = await build(['--name', name, '--tag', 'v1', '--contents', app, '--config', config, '--push', '--no-cache', '--output', out]);
    assert.equal(r.imagePath, out);
    const pushedConfig = JSON.parse(execFileSync('skopeo', ['inspect', '--config', '--tls-verify=false', `docker://${name}:v1`], { encoding: 'utf8' })) as { rootfs: { diff_ids: string[] } };
    assert.deepEqual(pushedConfig.rootfs.diff_ids, r.layerDigests);
    const local = JSON.parse(execFileSync('skopeo', ['inspect', `docker-archive:${out}`], { encoding: 'utf8' })) as { Layers: string[] };
    assert.deepEqual(local.Layers, r.layerDigests);
  });

  it('a warm push with an OCI layout too: the layout is complete, and only what changed goes up', async () => {
    const name = `${reg().host}/team/layout`;
    await build(['--name', name, '--tag', 'v1', '--contents', app, '--config', config, '--push', '--no-cache']);
    const before = reg().blobUploads('team/layout');
    const out = path.join(dir, 'warm-layout');
    const r = await build(['--name', name, '--tag', 'v2', '--contents', appWith('-5'), '--config', config, '--push', '--no-cache', '--cache-from', `${name}:v1`, '--output-format', 'oci', '--output', out]);
    assert.equal(r.imagePath, out);
    assert.equal(uploadsSince('team/layout', before), 3);
    assert.equal((await readdir(path.join(out, 'blobs', 'sha256'))).length, r.layers.length + 2);
    assert.equal(runLayout(out, 'v2', path.join(dir, 'run-warm-layout')).stdout, 'hello from app-5\nlibrary 1\n');
  });
});

describe('OCI image layout output', () => {
  let dir: string;
  let app: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'oci-'));
    app = nixBuild(CLOSURE_NIX, 'app');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('writes a layout that skopeo and umoci accept and runc runs, with the same bytes every time', async () => {
    const out = path.join(dir, 'layout');
    const args = ['--name', 'team/app', '--tag', 'v1', '--contents', app, '--config', JSON.stringify({ Cmd: ['/bin/app'] }), '--output-format', 'oci', '--no-cache'];
    const r = await build([...args, '--output', out]);
    assert.equal(r.imagePath, out);
    assert.deepEqual((await readdir(out)).sort(), ['blobs', 'index.json', 'oci-layout']);
    const index = JSON.parse(await readFile(path.join(out, 'index.json'), 'utf8')) as { manifests: { digest: string; annotations: Record<string, string> }[] };
    assert.equal(index.manifests[0]?.annotations['org.opencontainers.image.ref.name'], 'v1');
    const inspected = JSON.parse(execFileSync('skopeo', ['inspect', `oci:${out}:v1`], { encoding: 'utf8' })) as { Layers: string[] };
    assert.deepEqual(inspected.Layers, r.layers.map((l) => l.compressedDigest));
    assert.equal(runLayout(out, 'v1', path.join(dir, 'run')).stdout, 'hello from app\nlibrary 1\n');
    execFileSync('skopeo', ['copy', '--quiet', `oci:${out}:v1`, `oci:${path.join(dir, 'copied')}:v1`]);

    // Again, elsewhere: the same blobs, so the same manifest.
    const again = path.join(dir, 'again');
    const r2 = await build([...args, '--output', again]);
    assert.deepEqual(r2.layers.map((l) => l.compressedDigest), r.layers.map((l) => l.compressedDigest));
    assert.equal(await readFile(path.join(again, 'index.json'), 'utf8'), await readFile(path.join(out, 'index.json'), 'utf8'));
    // Written again over itself: replaced whole.
    await build([...args, '--output', out]);
    assert.equal((await readdir(path.join(out, 'blobs', 'sha256'))).length, r.layers.length + 2);
  });

  it('gives the same blobs whether a layer was built (compressed as it was written) or restored from the cache (compressed after)', async () => {
    const cacheDir = await mkdtemp(path.join(dir, 'cache-'));
    const args = ['--name', 'team/app', '--tag', 'v1', '--contents', app, '--output-format', 'oci', '--cache-dir', cacheDir];
    const built = await build([...args, '--output', path.join(dir, 'built')]);
    const restored = await build([...args, '--output', path.join(dir, 'restored')]);
    assert.equal(built.cache.built, restored.cache.restored);
    assert.ok(restored.cache.restored > 0);
    assert.deepEqual(restored.layers.map((l) => l.compressedDigest), built.layers.map((l) => l.compressedDigest));
  });

  it('refuses a directory that is not an OCI layout, and leaves it alone', async () => {
    const had = (await readdir(dir)).sort();
    const r = runCli(['build', '--name', 'x', '--contents', app, '--output-format', 'oci', '--output', dir, '--no-cache']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^layered-image: --output .* is a directory that is not an OCI layout; it is left alone\n$/);
    assert.deepEqual((await readdir(dir)).sort(), had);
  });
});

describe('push options: bad values are one line, exit 1, nothing pushed or written', () => {
  let dir: string;
  let app: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'push-bad-'));
    app = nixBuild(CLOSURE_NIX, 'app');
  });
  after(() => rm(dir, { recursive: true, force: true }));
  const cases: [string, string[], RegExp][] = [
    ['an unknown compression', ['--compression', 'brotli'], /^layered-image: --compression "brotli" must be one of gzip, zstd, none$/],
    ['docker manifests with uncompressed layers', ['--manifest-format', 'docker', '--compression', 'none'], /^layered-image: --manifest-format docker takes gzip layers only, not --compression none$/],
    ['an unknown manifest format', ['--manifest-format', 'v1'], /^layered-image: --manifest-format "v1" must be one of oci, docker$/],
    ['a cacheFrom that is not a reference', ['--cache-from', 'UP/Case:Tag!'], /^layered-image: --cache-from "UP\/Case:Tag!" has an invalid tag "Tag!"$/],
    ['a cacheFrom digest that is not sha256', ['--cache-from', 'x/y@md5:abc'], /^layered-image: --cache-from "x\/y@md5:abc" has a digest that is not sha256: and 64 hex digits$/],
    ['an insecure registry that is not a host', ['--insecure-registry', 'http://x/'], /^layered-image: --insecure-registry "http:\/\/x\/" must be a host or host:port$/],
    ['retries out of range', ['--retries', '99'], /^layered-image: --retries "99" must be a whole number from 0 to 20$/],
    ['an unknown output format', ['--output-format', 'tarball'], /^layered-image: --output-format "tarball" must be one of docker-archive, oci$/],
  ];
  for (const [what, extra, message] of cases) {
    it(what, async () => {
      const cwd = await mkdtemp(path.join(dir, 'cwd-'));
      const r = runCli(['build', '--name', '127.0.0.1:9/team/app', '--contents', app, '--push', '--no-cache', ...extra], { cwd });
      assert.equal(r.status, 1);
      assert.equal(r.stdout, '');
      assert.match(r.stderr.trim(), message);
      assert.deepEqual(await readdir(cwd), []);
    });
  }

  it('zstd: layers of the +zstd media type, which podman runs, where Node has zstd; one line where it does not', async (t) => {
    const zlib = await import('node:zlib');
    if (typeof (zlib as { createZstdCompress?: unknown }).createZstdCompress !== 'function') {
      const r = runCli(['build', '--name', 'x', '--contents', app, '--no-cache', '--compression', 'zstd', '--output-format', 'oci']);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /^layered-image: --compression "zstd" needs Node 22\.15 or later \(this is Node [\d.]+\); use gzip\n$/);
      return;
    }
    // podman's run root is 50 characters at most.
    const work = path.join(tmpdir(), `zstd-${process.pid}-${Date.now().toString(36)}`);
    await mkdir(work);
    // podman's storage is work/root, its run root work/runroot.
    t.after(() => removePodmanWork(work));
    const out = path.join(work, 'layout');
    const r = runCli(['build', '--json', '--name', 'x', '--tag', 'z', '--contents', app, '--config', JSON.stringify({ Cmd: ['/bin/app'] }), '--no-cache', '--compression', 'zstd', '--output-format', 'oci', '--output', out]);
    assert.equal(r.status, 0, r.stderr);
    const index = JSON.parse(await readFile(path.join(out, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    const manifest = JSON.parse(await readFile(path.join(out, 'blobs', 'sha256', (index.manifests[0]?.digest ?? '').slice(7)), 'utf8')) as { layers: { mediaType: string }[] };
    assert.ok(manifest.layers.every((l) => l.mediaType === 'application/vnd.oci.image.layer.v1.tar+zstd'));
    // podman reads zstd layers (umoci 0.4.7 does not).
    const conf = path.join(work, 'containers.conf');
    await writeFile(conf, '[containers]\ndefault_ulimits = []\n');
    const podman = (...args: string[]) => execFileSync('podman', ['--root', path.join(work, 'root'), '--runroot', path.join(work, 'runroot'), ...args], { encoding: 'utf8', cwd: work, env: { ...process.env, CONTAINERS_CONF: conf } });
    // A path relative to work: podman names the image after it, and TMPDIR may hold capitals.
    const id = podman('pull', '-q', 'oci:layout:z').trim();
    assert.equal(podman('run', '--rm', '--network=none', id), 'hello from app\nlibrary 1\n');
  });
});
