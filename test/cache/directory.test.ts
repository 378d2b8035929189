import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { sha256Digest } from '../../src/digest.js';
import { DEFAULT_TAR_SETTINGS, encodeHeader, endOfArchive } from '../../src/layer/tar-header.js';
import { runCli } from '../support/cli.js';
import { layoutDigest } from '../support/layout.js';
import { closureOf, nixBuild } from '../support/nix.js';
import { CLI, CLOSURE_NIX } from '../support/paths.js';

interface Report {
  imagePath: string;
  layerDigests: string[];
  layers: { digest: string; paths: string[]; source: string; compressedDigest?: string }[];
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
  compression: string;
  diffId: string;
  size: number;
  digest: string;
  blobSize: number;
  paths: string[];
}

const warnings = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('layered-image: warning:'));
const entriesOf = async (cache: string) => (await readdir(cache)).filter((e) => e.startsWith('layered-image-blob-')).sort();

describe('local directory cache', () => {
  let dir: string;
  let app: string;
  let reference: string;
  const oci = (out: string) => ['--output-format', 'oci', '--output', out];
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'dircache-'));
    app = nixBuild(CLOSURE_NIX, 'app');
    build(['--contents', app, '--no-cache', ...oci(path.join(dir, 'reference'))]);
    reference = await layoutDigest(path.join(dir, 'reference'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  let fresh = 0;
  async function freshCache(): Promise<string> {
    const cache = await mkdtemp(path.join(dir, 'cache-'));
    const first = build(['--contents', app, '--cache-dir', cache, ...oci(path.join(dir, `first-${fresh++}`))]);
    assert.equal(first.report.cache.built, closureOf(app).length);
    assert.equal(first.report.cache.saved, first.report.cache.built);
    return cache;
  }

  it('an OCI layout: the second build restores the blob of every store layer, builds none, and writes the same layout', async () => {
    const cache = await freshCache();
    const out = path.join(dir, 'second');
    const { report, stderr } = build(['--contents', app, '--cache-dir', cache, ...oci(out)]);
    assert.deepEqual(report.cache, { restored: closureOf(app).length, built: 0, saved: 0 });
    assert.ok(report.layers.slice(0, -1).every((l) => l.source === 'restored'));
    assert.deepEqual(warnings(stderr), []);
    assert.equal(await layoutDigest(out), reference);
  });

  it('a docker-archive build neither reads nor writes the cache: its layers pack faster than they restore', async () => {
    const cache = path.join(await mkdtemp(path.join(dir, 'archive-')), 'cache');
    for (let i = 0; i < 2; i++) {
      const { report, stderr } = build(['--contents', app, '--cache-dir', cache, '--output', path.join(dir, `archive-${i}.tar`)]);
      assert.deepEqual(report.cache, { restored: 0, built: closureOf(app).length, saved: 0 });
      assert.deepEqual(warnings(stderr), []);
    }
    assert.deepEqual(await readdir(cache).catch(() => []), []);
  });

  it('keeps metadata readable without the blob, and one record of the blobs', async () => {
    const cache = await freshCache();
    const entries = await entriesOf(cache);
    assert.equal(entries.length, closureOf(app).length);
    assert.deepEqual((await readdir(cache)).filter((e) => !e.startsWith('layered-image-blob-') && !e.startsWith('.')), ['records']);
    for (const e of entries) {
      assert.match(e, /^layered-image-blob-[0-9a-f]{64}$/);
      const meta = JSON.parse(await readFile(path.join(cache, e, 'meta.json'), 'utf8')) as Meta;
      assert.match(meta.key, /^layered-image-layer-[0-9a-f]{64}$/);
      assert.equal(meta.compression, 'gzip');
      const blob = await readFile(path.join(cache, e, 'blob'));
      assert.equal(meta.digest, sha256Digest(blob));
      assert.equal(meta.blobSize, blob.length);
      const layer = gunzipSync(blob);
      assert.equal(meta.diffId, sha256Digest(layer));
      assert.equal(meta.size, layer.length);
    }
  });

  it('after a mid-level package changes, builds only the layers whose store paths changed', async () => {
    const cache = await freshCache();
    const changed = nixBuild(CLOSURE_NIX, 'app', { salt: '-patched' });
    const before = new Set(closureOf(app));
    const newPaths = closureOf(changed).filter((p) => !before.has(p));
    assert.ok(newPaths.length >= 3 && newPaths.length < closureOf(changed).length / 2, `${newPaths.length} paths changed`);
    const out = path.join(dir, 'changed');
    const { report } = build(['--contents', changed, '--cache-dir', cache, ...oci(out)]);
    const built = report.layers.filter((l) => l.source === 'built' && l.paths.length > 0);
    assert.deepEqual(built.flatMap((l) => l.paths).sort(), newPaths.sort());
    assert.equal(report.cache.restored, closureOf(changed).length - newPaths.length);
    assert.equal(report.cache.saved, newPaths.length);
    const plain = build(['--contents', changed, '--no-cache', ...oci(path.join(dir, 'changed-plain'))]);
    assert.deepEqual(report.layers.map((l) => l.compressedDigest), plain.report.layers.map((l) => l.compressedDigest));
    assert.equal(await layoutDigest(out), await layoutDigest(path.join(dir, 'changed-plain')));
  });

  /** Damages one cache entry, rebuilds, and checks the layout is untouched by it. */
  async function damaged(damage: (entry: string, meta: Meta) => Promise<void>, says: RegExp) {
    const cache = await freshCache();
    const victims = await entriesOf(cache);
    const entry = path.join(cache, victims[victims.length >> 1] as string);
    const meta = JSON.parse(await readFile(path.join(entry, 'meta.json'), 'utf8')) as Meta;
    await damage(entry, meta);
    const out = path.join(dir, `damaged-${path.basename(cache)}`);
    const { report, stderr } = build(['--contents', app, '--cache-dir', cache, ...oci(out)]);
    assert.equal(await layoutDigest(out), reference, 'a damaged entry changed the layout');
    assert.equal(report.cache.built, 1);
    const said = warnings(stderr);
    assert.equal(said.length, 1, stderr);
    assert.match(said[0] ?? '', says);
    // The bad entry was replaced: the next build restores everything.
    const again = build(['--contents', app, '--cache-dir', cache, ...oci(out)]);
    assert.equal(again.report.cache.built, 0);
    assert.deepEqual(warnings(again.stderr), []);
  }

  it('never uses an entry whose blob bytes were flipped', () =>
    damaged(async (entry) => {
      const file = path.join(entry, 'blob');
      const bytes = await readFile(file);
      bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] as number) ^ 0xff;
      await writeFile(file, bytes);
    }, /was not used: (its blob hashes to|its blob does not decompress|its layer hashes to|a tar header has a wrong checksum)/));

  it('never uses a truncated entry', () =>
    damaged(async (entry) => {
      const file = path.join(entry, 'blob');
      await writeFile(file, (await readFile(file)).subarray(0, 20));
    }, /was not used: its blob has 20 bytes/));

  it('never uses a blob that is not the layer its metadata names, even with its own digest right', () =>
    damaged(async (entry, meta) => {
      const m = JSON.parse(await readFile(path.join(entry, 'meta.json'), 'utf8')) as Meta;
      await writeFile(path.join(entry, 'meta.json'), JSON.stringify({ ...m, diffId: sha256Digest(Buffer.from('another layer')), paths: meta.paths }));
    }, /was not used: its layer hashes to sha256:[0-9a-f]{64} \(\d+ bytes\), its metadata says/));

  it('never uses an entry with members outside its store paths, even with matching digests', () =>
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

  it('never uses an entry with data after its end', () =>
    damaged(async (entry, meta) => {
      const layer = gunzipSync(await readFile(path.join(entry, 'blob')));
      await rewrite(entry, meta, Buffer.concat([layer, Buffer.alloc(20480, 0x41)]));
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
      'build', '--json', '--name', 'cached', '--contents', app, '--cache-dir', cache, ...oci(out)], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return { report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
  }

  it('a read-only cache directory: one warning, same layout', async () => {
    const cache = await mkdtemp(path.join(dir, 'ro-'));
    const out = path.join(dir, 'ro');
    const { report, stderr } = buildWithMount('-t tmpfs -o ro', cache, out);
    assert.equal(report.cache.saved, 0);
    assert.deepEqual(warnings(stderr).length, 1, stderr);
    assert.match(warnings(stderr)[0] ?? '', /cannot save to .*EROFS/);
    assert.equal(await layoutDigest(out), reference);
  });

  it('a full cache directory: one warning, same layout', async () => {
    const cache = await mkdtemp(path.join(dir, 'full-'));
    const out = path.join(dir, 'full');
    const { report, stderr } = buildWithMount('-t tmpfs -o size=64k', cache, out);
    assert.ok(report.cache.saved < report.cache.built);
    assert.deepEqual(warnings(stderr).length, 1, stderr);
    assert.match(warnings(stderr)[0] ?? '', /cannot save to .*ENOSPC/);
    assert.equal(await layoutDigest(out), reference);
  });

  it('a cache path that cannot be a directory: one warning, same layout', async () => {
    const blocker = path.join(dir, 'a-file');
    await writeFile(blocker, 'not a directory');
    const out = path.join(dir, 'notdir');
    const { report, stderr } = build(['--contents', app, '--cache-dir', path.join(blocker, 'cache'), ...oci(out)]);
    assert.equal(report.cache.saved, 0);
    assert.equal(warnings(stderr).length, 1, stderr);
    assert.equal(await layoutDigest(out), reference);
  });

  it('--no-cache reads and writes no cache', async () => {
    const home = await mkdtemp(path.join(dir, 'home-'));
    const r = runCli(['build', '--json', '--name', 'cached', '--contents', app, '--no-cache', ...oci(path.join(dir, 'nocache'))], {
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

/** Replaces an entry's blob by this layer, compressed, and makes its metadata agree, as a lying cache would. */
async function rewrite(entry: string, meta: Meta, layer: Buffer): Promise<void> {
  const blob = gzipSync(layer);
  await writeFile(path.join(entry, 'blob'), blob);
  const m = JSON.parse(await readFile(path.join(entry, 'meta.json'), 'utf8')) as Meta;
  const agreeing = { ...m, diffId: sha256Digest(layer), size: layer.length, digest: sha256Digest(blob), blobSize: blob.length, paths: meta.paths };
  await writeFile(path.join(entry, 'meta.json'), JSON.stringify(agreeing));
}
