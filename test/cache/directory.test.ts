import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import tar from 'tar-stream';
import { sha256Digest } from '../../src/digest.js';
import { DEFAULT_TAR_SETTINGS, encodeHeader, endOfArchive } from '../../src/layer/tar-header.js';
import { runCli } from '../support/cli.js';
import { closureOf, nixBuild } from '../support/nix.js';
import { CLI, CLOSURE_NIX } from '../support/paths.js';

interface Report {
  imagePath: string;
  layerDigests: string[];
  layers: { digest: string; paths: string[]; source: string }[];
  cache: { restored: number; built: number; saved: number };
}

function build(args: string[]): { report: Report; stderr: string } {
  const r = runCli(['build', '--json', '--name', 'cached', ...args]);
  assert.equal(r.status, 0, r.stderr);
  return { report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
}

/** The metadata record of a directory cache entry. */
interface Meta {
  key: string;
  digest: string;
  size: number;
  paths: string[];
}

const warnings = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('layered-image: warning:'));

describe('local directory cache', () => {
  let dir: string;
  let app: string;
  let reference: Buffer;
  before(async () => {
    app = nixBuild(CLOSURE_NIX, 'app');
    dir = await mkdtemp(path.join(tmpdir(), 'dircache-'));
    build(['--contents', app, '--no-cache', '--output', path.join(dir, 'reference.tar')]);
    reference = await readFile(path.join(dir, 'reference.tar'));
  });

  async function freshCache(): Promise<string> {
    const cache = await mkdtemp(path.join(dir, 'cache-'));
    const first = build(['--contents', app, '--cache-dir', cache, '--output', path.join(cache, '..', `${path.basename(cache)}-first.tar`)]);
    assert.equal(first.report.cache.built, closureOf(app).length);
    assert.equal(first.report.cache.saved, first.report.cache.built);
    return cache;
  }

  it('restores every store layer on the second build and writes the same bytes', async () => {
    const cache = await freshCache();
    const out = path.join(dir, 'second.tar');
    const { report, stderr } = build(['--contents', app, '--cache-dir', cache, '--output', out]);
    assert.deepEqual(report.cache, { restored: closureOf(app).length, built: 0, saved: 0 });
    assert.ok(report.layers.slice(0, -1).every((l) => l.source === 'restored'));
    assert.deepEqual(warnings(stderr), []);
    assert.ok((await readFile(out)).equals(reference));
  });

  it('keeps a metadata record readable without the layer', async () => {
    const cache = await freshCache();
    const entries = (await readdir(cache)).filter((e) => !e.startsWith('.'));
    assert.equal(entries.length, closureOf(app).length);
    for (const e of entries) {
      assert.match(e, /^layered-image-layer-[0-9a-f]{64}$/);
      const meta = JSON.parse(await readFile(path.join(cache, e, 'meta.json'), 'utf8')) as Meta;
      assert.equal(meta.key, e);
      assert.equal(meta.digest, sha256Digest(await readFile(path.join(cache, e, 'layer.tar'))));
    }
  });

  it('after a mid-level package changes, builds only the layers whose store paths changed', async () => {
    const cache = await freshCache();
    const changed = nixBuild(CLOSURE_NIX, 'app', { salt: '-patched' });
    const before = new Set(closureOf(app));
    const newPaths = closureOf(changed).filter((p) => !before.has(p));
    assert.ok(newPaths.length >= 3 && newPaths.length < closureOf(changed).length / 2, `${newPaths.length} paths changed`);
    const { report } = build(['--contents', changed, '--cache-dir', cache, '--output', path.join(dir, 'changed.tar')]);
    const built = report.layers.filter((l) => l.source === 'built' && l.paths.length > 0);
    assert.deepEqual(built.flatMap((l) => l.paths).sort(), newPaths.sort());
    assert.equal(report.cache.restored, closureOf(changed).length - newPaths.length);
    assert.equal(report.cache.saved, newPaths.length);
  });

  /** Damages one cache entry, rebuilds, and checks the image is untouched by it. */
  async function damaged(damage: (entry: string, meta: Meta) => Promise<void>, says: RegExp) {
    const cache = await freshCache();
    const victims = (await readdir(cache)).filter((e) => !e.startsWith('.')).sort();
    const entry = path.join(cache, victims[victims.length >> 1] as string);
    const meta = JSON.parse(await readFile(path.join(entry, 'meta.json'), 'utf8')) as Meta;
    await damage(entry, meta);
    const out = path.join(dir, `damaged-${path.basename(cache)}.tar`);
    const { report, stderr } = build(['--contents', app, '--cache-dir', cache, '--output', out]);
    assert.ok((await readFile(out)).equals(reference), 'a damaged entry changed the image');
    assert.equal(report.cache.built, 1);
    const said = warnings(stderr);
    assert.equal(said.length, 1, stderr);
    assert.match(said[0] ?? '', says);
    // The bad entry was replaced: the next build restores everything.
    const again = build(['--contents', app, '--cache-dir', cache, '--output', out]);
    assert.equal(again.report.cache.built, 0);
    assert.deepEqual(warnings(again.stderr), []);
  }

  it('never uses an entry whose bytes were flipped', () =>
    damaged(async (entry) => {
      const file = path.join(entry, 'layer.tar');
      const bytes = await readFile(file);
      bytes[600] = (bytes[600] as number) ^ 0xff;
      await writeFile(file, bytes);
    }, /was not used: (its layer hashes to|a tar header has a wrong checksum)/));

  it('never uses a truncated entry', () =>
    damaged(async (entry) => {
      const file = path.join(entry, 'layer.tar');
      await writeFile(file, (await readFile(file)).subarray(0, 1024));
    }, /was not used: its layer has 1024 bytes/));

  it('never uses an entry with members outside its store paths, even with a matching digest', () =>
    damaged(async (entry, meta) => {
      const bytes = await tarOf([
        ...STORE_DIRS,
        { name: `${meta.paths[0]}/`, type: 'directory' },
        { name: '/etc/passwd', type: 'file', content: 'root::0:0::/:/bin/sh\n' },
      ]);
      await rewrite(entry, meta, bytes);
    }, /member outside the store paths: \/etc\/passwd/));

  it('never uses an entry that climbs out with ..', () =>
    damaged(async (entry, meta) => {
      await rewrite(entry, meta, await tarOf([{ name: `${meta.paths[0]}/../../etc/x`, type: 'file', content: 'x' }]));
    }, /member outside the store paths/));

  it('never uses an entry holding a kind of member our writer never writes (a hard link)', () =>
    damaged(async (entry, meta) => {
      const bytes = await tarOf([
        ...STORE_DIRS,
        { name: `${meta.paths[0]}/`, type: 'directory' },
        { name: `${meta.paths[0]}/passwd`, type: 'link', linkname: '/etc/passwd' },
      ]);
      await rewrite(entry, meta, bytes);
    }, /holds an entry of type "1"/));

  it('never uses an entry that hides a member in the "content" of a symlink', () =>
    damaged(async (entry, meta) => {
      // Readers that take symlinks as header-only read the hidden header as a
      // member; a lenient checker skips it as content.
      const hidden = encodeHeader({ name: '/etc/evil', type: 'file', mode: 0o644, size: 0, linkname: '' }, DEFAULT_TAR_SETTINGS);
      const link = encodeHeader({ name: `${meta.paths[0]}/link`, type: 'symlink', mode: 0o777, size: hidden.length, linkname: 'x' }, DEFAULT_TAR_SETTINGS);
      const bytes = Buffer.concat([link, hidden, endOfArchive(link.length + hidden.length)]);
      await rewrite(entry, meta, bytes);
    }, /is a symlink with content/));

  it('never uses an entry that puts a file under a symlink (which a runtime would follow out of the store path)', () =>
    damaged(async (entry, meta) => {
      const bytes = await tarOf([
        ...STORE_DIRS,
        { name: `${meta.paths[0]}/`, type: 'directory' },
        { name: `${meta.paths[0]}/x`, type: 'symlink', linkname: '/etc' },
        { name: `${meta.paths[0]}/x/passwd`, type: 'file', content: 'root::0:0::/:/bin/sh\n' },
      ]);
      await rewrite(entry, meta, bytes);
    }, /holds \/nix\/store\/[^ ]+\/x\/passwd without its directory before it \(or under a symlink\)/));

  it('never uses an entry that lacks its store path', () =>
    damaged(async (entry, meta) => rewrite(entry, meta, await tarOf([...STORE_DIRS])), /it lacks \/nix\/store\//));

  it('never uses an entry with data after its end, and writes no byte of it past the image end', () =>
    damaged(async (entry, meta) => {
      // Bigger than the layer it claims to be: the layers after it move down.
      const bytes = Buffer.concat([await readFile(path.join(entry, 'layer.tar')), Buffer.alloc(20480, 0x41)]);
      await rewrite(entry, meta, bytes);
    }, /it has data after its end/));

  it('never uses an entry whose metadata names other store paths', () =>
    damaged(async (entry) => {
      const file = path.join(entry, 'meta.json');
      const m = JSON.parse(await readFile(file, 'utf8')) as Meta;
      m.paths = ['/nix/store/00000000000000000000000000000000-other'];
      await writeFile(file, JSON.stringify(m));
    }, /names other store paths/));

  it('never uses an entry with unreadable metadata', () =>
    damaged(async (entry) => writeFile(path.join(entry, 'meta.json'), '{not json'), /metadata is missing/));

  /** Runs the CLI in a private mount namespace, with `mount` applied to the cache folder. */
  function buildWithMount(mountArgs: string, cache: string, out: string) {
    const script = `mount ${mountArgs} tmpfs "$1" && shift && exec "$@"`;
    const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', cache, process.execPath, CLI,
      'build', '--json', '--name', 'cached', '--contents', app, '--cache-dir', cache, '--output', out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return { report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
  }

  it('a read-only cache directory: one warning, same image', async () => {
    const cache = await mkdtemp(path.join(dir, 'ro-'));
    const out = path.join(dir, 'ro.tar');
    const { report, stderr } = buildWithMount('-t tmpfs -o ro', cache, out);
    assert.equal(report.cache.saved, 0);
    assert.deepEqual(warnings(stderr).length, 1, stderr);
    assert.match(warnings(stderr)[0] ?? '', /cannot save to .*EROFS/);
    assert.ok((await readFile(out)).equals(reference));
  });

  it('a full cache directory: one warning, same image', async () => {
    const cache = await mkdtemp(path.join(dir, 'full-'));
    const out = path.join(dir, 'full.tar');
    const { report, stderr } = buildWithMount('-t tmpfs -o size=64k', cache, out);
    assert.ok(report.cache.saved < report.cache.built);
    assert.deepEqual(warnings(stderr).length, 1, stderr);
    assert.match(warnings(stderr)[0] ?? '', /cannot save to .*ENOSPC/);
    assert.ok((await readFile(out)).equals(reference));
  });

  it('a cache path that cannot be a directory: one warning, same image', async () => {
    const blocker = path.join(dir, 'a-file');
    await writeFile(blocker, 'not a directory');
    const out = path.join(dir, 'notdir.tar');
    const { report, stderr } = build(['--contents', app, '--cache-dir', path.join(blocker, 'cache'), '--output', out]);
    assert.equal(report.cache.saved, 0);
    assert.equal(warnings(stderr).length, 1, stderr);
    assert.ok((await readFile(out)).equals(reference));
  });

  it('--no-cache reads and writes no cache', async () => {
    const home = await mkdtemp(path.join(dir, 'home-'));
    const r = runCli(['build', '--json', '--name', 'cached', '--contents', app, '--no-cache', '--output', path.join(dir, 'nocache.tar')], {
      env: { ...process.env, XDG_CACHE_HOME: home },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual((JSON.parse(r.stdout) as Report).cache, { restored: 0, built: closureOf(app).length, saved: 0 });
    assert.deepEqual(await readdir(home), []);
  });
});

async function tarOf(members: { name: string; type: 'file' | 'directory' | 'link' | 'symlink'; content?: string; linkname?: string }[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const m of members) pack.entry({ name: m.name, type: m.type, mode: 0o755, linkname: m.linkname }, m.content ?? '');
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const STORE_DIRS = [
  { name: '/nix/', type: 'directory' as const },
  { name: '/nix/store/', type: 'directory' as const },
];

/** Replaces an entry's layer and makes its metadata agree, as a lying cache would. */
async function rewrite(entry: string, meta: Meta, bytes: Buffer): Promise<void> {
  await writeFile(path.join(entry, 'layer.tar'), bytes);
  const m = JSON.parse(await readFile(path.join(entry, 'meta.json'), 'utf8')) as Meta;
  await writeFile(path.join(entry, 'meta.json'), JSON.stringify({ ...m, digest: sha256Digest(bytes), size: bytes.length, paths: meta.paths }));
}
