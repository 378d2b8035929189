import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createReadStream, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { FileSink } from '../../src/layer/sink.js';
import { writeNarLayer, type NarSource, type OpenNar } from '../../src/layer/nar-layer.js';
import { writeStoreLayer } from '../../src/layer/store-layer.js';
import { DEFAULT_TAR_SETTINGS } from '../../src/layer/tar-header.js';
import { queryClosure } from '../../src/nix/closure.js';
import { decompressed, verifiedNar } from '../../src/nix/decompress.js';
import { readNar } from '../../src/nix/nar.js';
import { checkSignatures, parseNarInfo, parseTrustedKeys, type NarInfo } from '../../src/nix/narinfo.js';
import { fromNix32, toNix32 } from '../../src/nix/nix32.js';
import { makeBinaryCache, makeCacheKey, narInfoFile, type CacheKey } from '../support/binary-cache.js';
import { closureOf, nixBuild } from '../support/nix.js';
import { CLOSURE_NIX, GOLDEN } from '../support/paths.js';

interface GoldenLayer {
  paths: string[];
  diffId: string;
  size: number;
}
const golden = JSON.parse(readFileSync(path.join(GOLDEN, 'expected.json'), 'utf8')) as { closure: string[]; onePathPerLayer: GoldenLayer[]; allInOneLayer: GoldenLayer };

const COMPRESSIONS = ['xz', 'zstd', 'bzip2', 'none'] as const;

function narInfo(cache: string, storePath: string): NarInfo {
  return parseNarInfo(readFileSync(narInfoFile(cache, storePath), 'utf8'), storePath);
}

/** Each path's NAR from the file cache, decompressed and checked as it streams. */
function opener(cache: string): NarSource {
  return {
    has: () => true,
    name: (storePath) => storePath,
    open: (storePath) => {
      const info = narInfo(cache, storePath);
      return verifiedNar(decompressed(createReadStream(path.join(cache, info.url)), info.compression, storePath), info, storePath);
    },
  };
}

const only = (open: OpenNar): NarSource => ({ has: () => true, name: (p) => p, open });

async function layer(dir: string, write: (sink: FileSink) => Promise<{ digest: string; size: number }>) {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.tar`);
  const sink = await FileSink.create(file);
  try {
    return { ...(await write(sink)), file };
  } finally {
    await sink.close();
  }
}

describe("store layers made from a binary cache's NARs (caches made by nix copy)", () => {
  let dir: string;
  let key: CacheKey;
  let app: string[];
  const caches: Record<string, string> = {};

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'nar-layer-'));
    nixBuild(path.join(GOLDEN, 'fixture.nix'), 'all');
    app = closureOf(nixBuild(CLOSURE_NIX, 'app'));
    key = await makeCacheKey(dir, 'test-cache-1');
    for (const compression of COMPRESSIONS) caches[compression] = makeBinaryCache(path.join(dir, compression), [...golden.closure, ...app], { compression, key });
  });
  after(() => rm(dir, { recursive: true, force: true }));

  for (const compression of COMPRESSIONS) {
    it(`${compression}: every golden layer, byte for byte`, async () => {
      const cache = caches[compression] as string;
      for (const expected of [...golden.onePathPerLayer, golden.allInOneLayer]) {
        const got = await layer(dir, (sink) => writeNarLayer(expected.paths, opener(cache), DEFAULT_TAR_SETTINGS, sink));
        assert.deepEqual({ digest: got.digest, size: got.size }, { digest: expected.diffId, size: expected.size }, expected.paths.join(' '));
      }
      const all = await layer(dir, (sink) => writeNarLayer(golden.allInOneLayer.paths, opener(cache), DEFAULT_TAR_SETTINGS, sink));
      assert.ok((await readFile(all.file)).equals(await readFile(path.join(GOLDEN, 'all-in-one.layer.tar'))));
    });
  }

  it("the test closure's paths: each layer from its NAR equals the layer walked from the realised path, and one of them all too", async () => {
    const settings = { ...DEFAULT_TAR_SETTINGS, mtime: 1704067200, uid: 1000, gid: 100, uname: 'user', gname: 'users' };
    for (const paths of [...app.map((p) => [p]), app]) {
      const fromNar = await layer(dir, (sink) => writeNarLayer(paths, opener(caches['xz'] as string), settings, sink));
      const fromStore = await layer(dir, (sink) => writeStoreLayer(paths, settings, sink));
      assert.deepEqual({ digest: fromNar.digest, size: fromNar.size }, { digest: fromStore.digest, size: fromStore.size }, paths.join(' '));
    }
  });

  it('a layer of paths some of which are read from NARs and the others walked in the store: the same bytes again', async () => {
    const remote = new Set(app.filter((_, i) => i % 2 === 0));
    const nars: NarSource = { ...opener(caches['zstd'] as string), has: (p) => remote.has(p) };
    const mixed = await layer(dir, (sink) => writeNarLayer(app, nars, DEFAULT_TAR_SETTINGS, sink));
    const fromStore = await layer(dir, (sink) => writeStoreLayer(app, DEFAULT_TAR_SETTINGS, sink));
    assert.ok((await readFile(mixed.file)).equals(await readFile(fromStore.file)));
  });

  it("narinfos: the store's NAR hash, size and references, signed by the cache's key and by no other", async () => {
    const closure = await queryClosure(app);
    const keys = parseTrustedKeys([key.publicKey], 'key');
    const other = await makeCacheKey(dir, 'test-cache-2');
    const sameName = await makeCacheKey(dir, 'test-cache-1');
    for (const p of app) {
      const info = narInfo(caches['xz'] as string, p);
      const local = closure.paths.get(p);
      assert.equal(info.storePath, p);
      assert.equal(info.narHash, local?.narHash);
      assert.equal(info.narSize, local?.narSize);
      assert.deepEqual(info.references.filter((r) => r !== p), local?.references);
      assert.equal(checkSignatures(info, keys), 'signed');
      assert.equal(checkSignatures(info, parseTrustedKeys([other.publicKey], 'key')), 'untrusted');
      // The same name with another key, as a cache whose key was replaced would be.
      assert.equal(checkSignatures(info, parseTrustedKeys([sameName.publicKey], 'key')), 'bad');
      assert.equal(checkSignatures({ ...info, narSize: info.narSize + 1 }, keys), 'bad');
      assert.equal(checkSignatures({ ...info, references: [] }, keys), info.references.length === 0 ? 'signed' : 'bad');
      assert.equal(checkSignatures({ ...info, sigs: [] }, keys), 'unsigned');
    }
  });

  it("Nix's base-32 both ways, as narinfos and store paths write it", () => {
    for (const p of app) {
      const text = readFileSync(narInfoFile(caches['none'] as string, p), 'utf8');
      const nix32 = /^NarHash: sha256:([0-9a-z]{52})$/m.exec(text)?.[1] ?? '';
      const bytes = fromNix32(nix32, 32);
      assert.equal(bytes?.toString('hex'), narInfo(caches['none'] as string, p).narHash);
      assert.equal(toNix32(bytes ?? Buffer.alloc(0)), nix32);
      // nix-hash agrees on the conversion.
      assert.equal(execFileSync('nix-hash', ['--type', 'sha256', '--to-base32', bytes?.toString('hex') ?? ''], { encoding: 'utf8' }).trim(), nix32);
    }
    assert.equal(fromNix32('e'.repeat(52), 32), undefined);
    assert.equal(fromNix32('0'.repeat(51), 32), undefined);
  });

  it('a NAR that is not what its narinfo says fails naming the path, and leaves no decompressor running', async () => {
    const cache = caches['xz'] as string;
    // The largest, so that its decompressor is still at work when the reader stops.
    const victim = [...app].sort((a, b) => narInfo(cache, b).narSize - narInfo(cache, a).narSize)[0] as string;
    const info = narInfo(cache, victim);
    const narBytes = execFileSync('xz', ['-dc', path.join(cache, info.url)], { maxBuffer: 1 << 28 });
    const flipped = Buffer.from(narBytes);
    flipped[flipped.length - 200] = (flipped[flipped.length - 200] as number) ^ 1;
    const cases: [Buffer, RegExp][] = [
      [flipped, new RegExp(`^${victim}: its NAR's SHA-256 is [0-9a-f]{64}, not the ${info.narHash} its narinfo gives$`)],
      [narBytes.subarray(0, narBytes.length - 100), new RegExp(`^${victim}: not a valid NAR: it ends early$|^${victim}: its NAR has \\d+ bytes, not the ${info.narSize}`)],
      [Buffer.concat([narBytes, Buffer.alloc(8)]), new RegExp(`^${victim}: its NAR is larger than the ${info.narSize} bytes its narinfo gives$`)],
    ];
    for (const [bytes, message] of cases) {
      const file = path.join(dir, 'bad.nar.xz');
      await writeFile(file, execFileSync('xz', ['-c'], { input: bytes, maxBuffer: 1 << 28 }));
      const open: OpenNar = () => verifiedNar(decompressed(createReadStream(file), 'xz', victim), info, victim);
      await assert.rejects(layer(dir, (sink) => writeNarLayer([victim], only(open), DEFAULT_TAR_SETTINGS, sink)), (e: Error) => message.test(e.message));
    }
    // A NAR that stops parsing half way (a token spoilt in its middle): its decompressor is ended too.
    // A 1 MiB file, a bad token, and 16 MiB more that xz has yet to give when the reader stops.
    const spoilt = Buffer.concat([nar('nix-archive-1', '(', 'type', 'directory', 'entry', '(', 'name', 'a', 'node', '(', 'type', 'regular', 'contents', Buffer.alloc(1 << 20), ')', ')', 'xentry'), Buffer.alloc(16 << 20)]);
    const spoiltFile = path.join(dir, 'spoilt.nar.xz');
    await writeFile(spoiltFile, execFileSync('xz', ['-c'], { input: spoilt, maxBuffer: 1 << 28 }));
    await assert.rejects(layer(dir, (sink) => writeNarLayer([victim], only(() => decompressed(createReadStream(spoiltFile), 'xz', victim)), DEFAULT_TAR_SETTINGS, sink)), /not a valid NAR: "xentry" in a directory/);
    assert.equal(childrenNamed('xz'), 0);
    // A consumer that stops early ends the decompressor it started.
    const stream = decompressed(createReadStream(path.join(cache, info.url)), 'xz', victim);
    for await (const chunk of stream) if (chunk.length > 0) break;
    assert.equal(childrenNamed('xz'), 0);
    await assert.rejects(layer(dir, (sink) => writeNarLayer([victim], only(() => decompressed(createReadStream(path.join(dir, 'absent.nar.xz')), 'xz', victim)), DEFAULT_TAR_SETTINGS, sink)), /ENOENT|ends early/);
    assert.equal(childrenNamed('xz'), 0);
  });
});

/** A NAR's bytes from its tokens: strings (length, bytes, zero padding), as Nix writes them. */
function nar(...tokens: (string | Buffer)[]): Buffer {
  return Buffer.concat(tokens.flatMap((t) => {
    const bytes = Buffer.isBuffer(t) ? t : Buffer.from(t);
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(bytes.length));
    return [length, bytes, Buffer.alloc((8 - (bytes.length % 8)) % 8)];
  }));
}

describe('the NAR reader refuses what Nix never writes, naming the path', () => {
  const file = (name: string, body = 'x') => ['entry', '(', 'name', name, 'node', '(', 'type', 'regular', 'contents', body, ')', ')'];
  const dirOf = (...entries: (string | Buffer)[][]) => nar('nix-archive-1', '(', 'type', 'directory', ...entries.flat(), ')');
  const cases: [string, Buffer, RegExp][] = [
    ['another magic', nar('nix-archive-2', '(', 'type', 'regular', 'contents', 'x', ')'), /"nix-archive-2" where "nix-archive-1" belongs/],
    ['a name with a slash', dirOf(file('a/b')), /an entry named "a\/b"/],
    ['a name ..', dirOf(file('..')), /an entry named "\.\."/],
    ['an empty name', dirOf(file('')), /an entry named ""/],
    ['names out of order', dirOf(file('b'), file('a')), /entries out of order at "a"/],
    ['the same name twice', dirOf(file('a'), file('a')), /entries out of order at "a"/],
    ['an empty symlink target', nar('nix-archive-1', '(', 'type', 'symlink', 'target', '', ')'), /a symlink root with an empty target/],
    ['padding that is not zeros', Buffer.concat([nar('nix-archive-1', '(', 'type', 'regular', 'contents'), Buffer.from([1, 0, 0, 0, 0, 0, 0, 0, 0x78, 1, 0, 0, 0, 0, 0, 0]), nar(')')]), /padding that is not zeros/],
    ['bytes after its end', Buffer.concat([nar('nix-archive-1', '(', 'type', 'regular', 'contents', 'x', ')'), Buffer.alloc(8)]), /bytes after its end/],
    ['a path over 4096 bytes', nar('nix-archive-1', '(', 'type', 'directory', ...Array.from({ length: 20 }, () => ['entry', '(', 'name', 'd'.repeat(250), 'node', '(', 'type', 'directory']).flat(), ')'), /a path of over 4096 bytes/],
    ['a name that is not UTF-8', dirOf(['entry', '(', 'name', Buffer.from([0xff]), 'node', '(', 'type', 'symlink', 'target', 'x', ')', ')']), /a name or target that is not UTF-8/],
  ];
  for (const [what, bytes, says] of cases) {
    it(what, async () => {
      const visit = { directory: () => undefined, symlink: () => undefined, file: async (_n: string, _e: boolean, _s: number, c: AsyncIterable<Buffer>) => { for await (const chunk of c) void chunk; } };
      await assert.rejects(readNar(Readable.from([bytes]), visit, '/nix/store/x-test'), (e: Error) => e.message.startsWith('/nix/store/x-test: not a valid NAR: ') && says.test(e.message));
    });
  }
});

/** This process's children running `name`. */
function childrenNamed(name: string): number {
  const out = execFileSync('ps', ['-o', 'comm=', '--ppid', String(process.pid)], { encoding: 'utf8' }).split('\n');
  return out.filter((l) => l.trim() === name).length;
}
