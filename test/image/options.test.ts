import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { lstat, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cli.js';
import { runImage } from '../support/consumers.js';
import { closureOf, nixBuild } from '../support/nix.js';
import { CLI, CLOSURE_NIX, GOLDEN } from '../support/paths.js';

interface Report {
  layers: { digest: string; size: number; paths: string[]; source: string }[];
  cache: { restored: number; built: number; saved: number };
}

function build(args: string[]): Report {
  const r = runCli(['build', '--json', ...args]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Report;
}

/** `tar -tv` of the image's last (customisation) layer. */
function lastLayerListing(tarball: string): string {
  const manifest = JSON.parse(execFileSync('tar', ['-xOf', tarball, 'manifest.json'], { encoding: 'utf8' })) as { Layers: string[] }[];
  const layer = execFileSync('tar', ['-xOf', tarball, manifest[0]?.Layers.at(-1) as string], { maxBuffer: 1 << 28 });
  return execFileSync('tar', ['-tv', '--numeric-owner'], { input: layer, encoding: 'utf8' });
}

describe('the customisation layer: extraCommands and includeNixDB', () => {
  let app: string;
  let dir: string;
  const script = 'mkdir -p tmp && chmod 1777 tmp && mkdir -p etc && echo "root:x:0:0::/root:/bin/sh" > etc/passwd && echo made it';
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'options-'));
    app = nixBuild(CLOSURE_NIX, 'app');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('extraCommands output is in the image, packed the same whatever the umask', async () => {
    const a = path.join(dir, 'extra-a.tar');
    const b = path.join(dir, 'extra-b.tar');
    const args = ['--no-cache', '--name', 'extra', '--contents', app, '--config', '{"Cmd":["/bin/app"]}', '--extra-commands', script];
    const r = runCli(['build', ...args, '--output', a]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /--extra-commands: made it/);
    // Another umask and working directory: the same bytes.
    const again = spawnSync('sh', ['-c', 'umask 077; cd / && exec "$@"', 'sh', process.execPath, CLI, 'build', ...args, '--output', b], { encoding: 'utf8' });
    assert.equal(again.status, 0, again.stderr);
    assert.ok((await readFile(a)).equals(await readFile(b)), 'extraCommands made the image irreproducible');

    const listing = lastLayerListing(a);
    assert.match(listing, /^drwxrwxrwt 0\/0 +0 1970-01-01 00:00 tmp\/$/m);
    assert.match(listing, /^-rw-r--r-- 0\/0 +26 1970-01-01 00:00 etc\/passwd$/m);
    const { rootfs } = runImage(a, path.join(dir, 'run-extra'));
    assert.equal(readFileSync(path.join(rootfs, 'etc', 'passwd'), 'utf8'), 'root:x:0:0::/root:/bin/sh\n');
    assert.equal((await stat(path.join(rootfs, 'tmp'))).mode & 0o7777, 0o1777);
    // The contents are still merged in beside what the script made.
    assert.ok((await lstat(path.join(rootfs, 'bin', 'app'))).isSymbolicLink());
  });

  it('a script that does nothing leaves the layer as it is without one', () => {
    const plain = build(['--no-cache', '--name', 'p', '--contents', app, '--output', path.join(dir, 'plain.tar')]);
    const noop = build(['--no-cache', '--name', 'p', '--contents', app, '--extra-commands', 'true', '--output', path.join(dir, 'noop.tar')]);
    assert.deepEqual(noop.layers.map((l) => l.digest), plain.layers.map((l) => l.digest));
  });

  it('a failing script, or one that makes a FIFO, fails the build in one line', () => {
    for (const [bad, says] of [
      ['echo oops >&2; exit 3', /^layered-image: --extra-commands failed \(exit status 3\)$/m],
      ['mkfifo pipe', /^layered-image: --extra-commands made \/pipe, which is neither a file, a directory nor a symlink/m],
    ] as const) {
      const out = path.join(dir, 'never.tar');
      const r = runCli(['build', '--no-cache', '--name', 'x', '--contents', app, '--extra-commands', bad, '--output', out]);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, says);
      assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('layered-image:')).length, 1);
      assert.equal(spawnSync('test', ['-e', out]).status, 1, 'a failed build left an image');
    }
  });

  it('includeNixDB: nix-store answers queries and verifies paths against the unpacked image', async () => {
    const a = path.join(dir, 'db-a.tar');
    const b = path.join(dir, 'db-b.tar');
    const args = ['--no-cache', '--name', 'db', '--contents', app, '--config', '{"Cmd":["/bin/app"]}', '--include-nix-db'];
    build([...args, '--output', a]);
    build([...args, '--output', b]);
    assert.ok((await readFile(a)).equals(await readFile(b)), 'the Nix database made the image irreproducible');
    assert.match(lastLayerListing(a), /nix\/var\/nix\/db\/db\.sqlite$/m);

    const { rootfs } = runImage(a, path.join(dir, 'run-db'));
    const store = ['--store', `local?root=${rootfs}`];
    const refs = execFileSync('nix-store', [...store, '-q', '--references', app], { encoding: 'utf8' }).trim().split('\n').sort();
    const expected = execFileSync('nix-store', ['-q', '--references', app], { encoding: 'utf8' }).trim().split('\n').sort();
    assert.deepEqual(refs, expected);
    const requisites = execFileSync('nix-store', [...store, '-qR', app], { encoding: 'utf8' }).trim().split('\n').sort();
    assert.deepEqual(requisites, closureOf(app));
    // Verifying reads the path's files from the image and checks its hash.
    const verified = spawnSync('nix-store', [...store, '--verify-path', app], { encoding: 'utf8' });
    assert.equal(verified.status, 0, verified.stderr);
  });
});

describe('ownership and time of the layers', () => {
  interface Golden {
    closure: string[];
    custom: { settings: { mtime: number; uid: number; gid: number; uname: string; gname: string }; layers: { paths: string[]; diffId: string }[] };
  }
  const golden = JSON.parse(readFileSync(path.join(GOLDEN, 'expected.json'), 'utf8')) as Golden;
  let app: string;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'owner-'));
    app = nixBuild(path.join(GOLDEN, 'fixture.nix'), 'all');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('uid, gid, uname, gname and mtime give nixpkgs’ own layers for those settings', () => {
    const s = golden.custom.settings;
    const report = build([
      ...['--no-cache', '--name', 'owned', '--contents', app, '--output', path.join(dir, 'owned.tar')],
      ...['--uid', String(s.uid), '--gid', String(s.gid), '--uname', s.uname, '--gname', s.gname, '--mtime', new Date(s.mtime * 1000).toISOString().replace('.000', '')],
    ]);
    const byPaths = new Map(report.layers.map((l) => [l.paths.join(' '), l.digest]));
    for (const layer of golden.custom.layers) assert.equal(byPaths.get(layer.paths.join(' ')), layer.diffId, layer.paths.join(' '));
  });

  it('created changes no layer; mtime and ownership change every layer, and the cache keys with them', () => {
    // An OCI layout, whose blobs the cache keeps.
    const cache = path.join(dir, 'cache');
    const base = build(['--cache-dir', cache, '--name', 't', '--contents', app, '--output-format', 'oci', '--output', path.join(dir, 't1')]);
    const now = build(['--cache-dir', cache, '--name', 't', '--contents', app, '--created', 'now', '--output-format', 'oci', '--output', path.join(dir, 't2')]);
    assert.deepEqual(now.layers.map((l) => l.digest), base.layers.map((l) => l.digest));
    assert.equal(now.cache.built, 0);
    const later = build(['--cache-dir', cache, '--name', 't', '--contents', app, '--mtime', '1700000000', '--output-format', 'oci', '--output', path.join(dir, 't3')]);
    const storeLayers = (r: Report) => r.layers.filter((l) => l.paths.length > 0).map((l) => l.digest);
    assert.equal(storeLayers(later).filter((d) => storeLayers(base).includes(d)).length, 0);
    assert.equal(later.cache.restored, 0, 'a layer cached with another mtime was used');
    const uid = build(['--cache-dir', cache, '--name', 't', '--contents', app, '--uid', '1000', '--output-format', 'oci', '--output', path.join(dir, 't4')]);
    assert.equal(uid.cache.restored, 0, 'a layer cached with another owner was used');
    const again = build(['--cache-dir', cache, '--name', 't', '--contents', app, '--uid', '1000', '--output-format', 'oci', '--output', path.join(dir, 't5')]);
    assert.equal(again.cache.built, 0);
  });
});

describe('platform', () => {
  let app: string;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'platform-'));
    app = nixBuild(CLOSURE_NIX, 'app');
  });
  after(() => rm(dir, { recursive: true, force: true }));
  const configOf = (archive: string) => {
    const manifest = JSON.parse(execFileSync('tar', ['-xOf', archive, 'manifest.json'], { encoding: 'utf8' })) as { Config: string }[];
    return JSON.parse(execFileSync('tar', ['-xOf', archive, manifest[0]?.Config ?? ''], { encoding: 'utf8' })) as Record<string, unknown>;
  };

  it('--platform sets os, architecture and variant in the config; the layers are the same bytes', () => {
    const out = (n: string) => path.join(dir, `${n}.tar`);
    const plain = runCli(['build', '--json', '--no-cache', '--name', 'p', '--contents', app, '--architecture', 'arm', '--output', out('plain')]);
    assert.equal(plain.status, 0, plain.stderr);
    const v7 = runCli(['build', '--json', '--no-cache', '--name', 'p', '--contents', app, '--platform', 'linux/arm/v7', '--output', out('v7')]);
    assert.equal(v7.status, 0, v7.stderr);
    const config = configOf(out('v7'));
    assert.deepEqual([config['os'], config['architecture'], config['variant']], ['linux', 'arm', 'v7']);
    assert.equal(configOf(out('plain'))['variant'], undefined, 'a platform without a variant names none');
    const layers = (r: string) => (JSON.parse(r) as { layerDigests: string[] }).layerDigests;
    assert.deepEqual(layers(v7.stdout), layers(plain.stdout));
    const arm64 = runCli(['build', '--json', '--no-cache', '--name', 'p', '--contents', app, '--platform', 'linux/arm64', '--architecture', 'arm64', '--output', out('arm64')]);
    assert.equal(arm64.status, 0, arm64.stderr);
    assert.deepEqual([configOf(out('arm64'))['architecture'], configOf(out('arm64'))['variant']], ['arm64', undefined]);
  });
});

describe('explain', () => {
  let app: string;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'explain-'));
    app = nixBuild(CLOSURE_NIX, 'app');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('prints every layer, its paths and why, and builds nothing', async () => {
    const out = path.join(dir, 'never.tar');
    const r = runCli(['build', '--name', 'x', '--contents', app, '--max-layers', '10', '--explain', '--output', out]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^x: 10 layers \(maxLayers 10\), layering size$/m);
    assert.match(r.stdout, /one of the \d+ largest paths/);
    assert.match(r.stdout, /the image's own paths/);
    assert.ok(r.stdout.includes(app));
    await assert.rejects(stat(out));
    const json = runCli(['build', '--json', '--name', 'x', '--contents', app, '--max-layers', '10', '--explain', '--layering', 'popularity']);
    const plan = JSON.parse(json.stdout) as { layering: string; layers: { paths: string[]; why: string }[] };
    assert.equal(plan.layering, 'popularity');
    assert.equal(plan.layers.length, 10);
    assert.deepEqual(plan.layers.flatMap((l) => l.paths).sort(), closureOf(app));
    assert.match(plan.layers[0]?.why ?? '', /^popularity rank 1$/);
    assert.match(plan.layers[8]?.why ?? '', /least popular paths share the last store layer/);
  });
});
