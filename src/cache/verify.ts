import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseDigest, type Digest } from '../digest.js';
import { asUserError, errnoCode, messageOf } from '../errors.js';
import { writeFully } from '../layer/sink.js';
import type { Compression } from '../layer/compress.js';
import type { BlobMeta, CachedBlob } from './cache.js';
import { BLOB_FORMAT_VERSION } from './key.js';
import { LayerScanner, type ScannedMember } from './scan-layer.js';

/**
 * The checks of a restored blob entry that need no reading of it: its
 * metadata must describe exactly the layer asked for (key, format,
 * compression, store paths) and its blob must be a regular file of the
 * recorded size. The bytes are checked by checkBlobBytes, on a worker.
 */
export async function checkCachedBlob(
  entry: CachedBlob,
  expected: { key: string; compression: Compression; paths: readonly string[] },
): Promise<{ ok: true; meta: BlobMeta } | { ok: false; reason: string }> {
  const meta = checkMeta(entry.meta, expected);
  if (typeof meta === 'string') return { ok: false, reason: meta };
  const st = await lstat(entry.file).catch(() => undefined);
  if (st === undefined || !st.isFile()) return { ok: false, reason: 'its blob is missing or not a regular file' };
  if (st.size !== meta.blobSize) return { ok: false, reason: `its blob has ${st.size} bytes, its metadata says ${meta.blobSize}` };
  return { ok: true, meta };
}

const CHUNK = 4 << 20;

type ZstdZlib = typeof zlib & { createZstdDecompress?: () => Transform };

function decompressor(c: Exclude<Compression, 'none'>): Transform {
  if (c === 'gzip') return zlib.createGunzip({ chunkSize: 1 << 20 });
  const make = (zlib as ZstdZlib).createZstdDecompress;
  if (make === undefined) throw new Error('zstd is not available in this Node');
  return make();
}

/**
 * Reads a cached blob once: its bytes are hashed (they must be the blob the
 * metadata names) and decompressed, and the layer that comes out is hashed
 * (it must be the diff_id and size the image config will say) and scanned
 * strictly as tar — every member under the layer's store paths, or `/nix`,
 * `/nix/store`: no `..`, nothing elsewhere — so that a cache that lies
 * cannot put anything in an image. Returns why it may not be used, if so.
 */
export async function checkBlobBytes(file: string, meta: BlobMeta): Promise<{ bad?: string }> {
  let fh;
  try {
    // Checked before by name; the name may have been given another file
    // since: never follow a link or wait on a FIFO.
    fh = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    return { bad: `its blob cannot be read (${errnoCode(e) ?? messageOf(e)})` };
  }
  try {
    if (!(await fh.stat()).isFile()) return { bad: 'its blob changed after it was checked' };
    const blobHash = createHash('sha256');
    let blobBytes = 0;
    const layerHash = createHash('sha256');
    let layerBytes = 0;
    const members = memberCheck(meta.paths);
    const scanner = new LayerScanner(meta.size, members.check);
    let refused: string | undefined;
    const hashed = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        blobHash.update(chunk);
        blobBytes += chunk.length;
        done(null, chunk);
      },
    });
    // Refusing a layer ends the pipeline early: the rest is not read.
    const scanned = new Writable({
      write(chunk: Buffer, _encoding, done) {
        layerBytes += chunk.length;
        if (layerBytes > meta.size) refused = `its layer is larger than the ${meta.size} bytes its metadata says`;
        else scanner.feed(chunk);
        refused ??= scanner.refused;
        layerHash.update(chunk);
        done(refused === undefined ? null : new Error(refused));
      },
    });
    try {
      await pipeline(fh.createReadStream({ autoClose: false, highWaterMark: 1 << 20 }), hashed, decompressor(meta.compression), scanned);
    } catch (e) {
      return { bad: refused ?? `its blob does not decompress (${messageOf(e)})` };
    }
    const blobDigest = `sha256:${blobHash.digest('hex')}`;
    if (blobBytes !== meta.blobSize || blobDigest !== meta.digest) return { bad: `its blob hashes to ${blobDigest}, its metadata says ${meta.digest}` };
    const bad = scanner.end() ?? members.missing();
    if (bad !== undefined) return { bad };
    const diffId = `sha256:${layerHash.digest('hex')}`;
    if (layerBytes !== meta.size || diffId !== meta.diffId) return { bad: `its layer hashes to ${diffId} (${layerBytes} bytes), its metadata says ${meta.diffId} (${meta.size})` };
    return {};
  } finally {
    await fh.close();
  }
}

/**
 * Copies a base image's layer from its place in the base tarball into its
 * place in the image, reading it once: the same chunks are hashed and
 * written. Returns the digest, which the caller compares with the base
 * config's diff_id, or why the layer cannot be read.
 */
export function copyBaseLayer(
  source: { file: string; offset: number },
  target: { file: string; label: string; offset: number; size: number; stream?: number },
  onBytes: (n: number) => void,
): { digest: Digest } | { bad: string } {
  const hash = createHash('sha256');
  let from: number;
  try {
    from = openSync(source.file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    return { bad: `its layer cannot be read (${errnoCode(e) ?? messageOf(e)})` };
  }
  let to: number | undefined;
  try {
    const st = fstatSync(from);
    if (!st.isFile() || st.size < source.offset + target.size) return { bad: 'its layer changed after it was checked' };
    try {
      to = target.stream ?? openSync(target.file, 'r+');
    } catch (e) {
      return asUserError(e, `cannot write ${target.label}`);
    }
    const buf = Buffer.allocUnsafe(CHUNK);
    let done = 0;
    while (done < target.size) {
      let n;
      try {
        n = readSync(from, buf, 0, Math.min(CHUNK, target.size - done), source.offset + done);
      } catch (e) {
        return { bad: `its layer cannot be read (${errnoCode(e) ?? messageOf(e)})` };
      }
      if (n === 0) return { bad: `its layer ends after ${done} bytes` };
      const chunk = buf.subarray(0, n);
      hash.update(chunk);
      writeFully(to, target.label, chunk, target.stream === undefined ? target.offset + done : null);
      done += n;
      onBytes(n);
    }
    return { digest: `sha256:${hash.digest('hex')}` as Digest };
  } finally {
    closeSync(from);
    if (to !== undefined && target.stream === undefined) closeSync(to);
  }
}

function checkMeta(raw: unknown, expected: { key: string; compression: Compression; paths: readonly string[] }): BlobMeta | string {
  if (raw === null || typeof raw !== 'object') return 'its metadata is missing or not an object';
  const m = raw as Record<string, unknown>;
  if (m['format'] !== BLOB_FORMAT_VERSION) return `its metadata has format ${String(m['format'])}, not ${BLOB_FORMAT_VERSION}`;
  if (m['key'] !== expected.key) return 'its metadata names another key';
  if (m['compression'] !== expected.compression || expected.compression === 'none') return `its metadata names another compression (${String(m['compression'])})`;
  const paths = m['paths'];
  if (!Array.isArray(paths) || paths.length !== expected.paths.length || paths.some((p, i) => p !== expected.paths[i])) {
    return 'its metadata names other store paths than the key was made from';
  }
  for (const n of ['size', 'blobSize']) {
    if (!Number.isSafeInteger(m[n]) || (m[n] as number) < 0) return `its metadata has no valid ${n}`;
  }
  let digest, diffId;
  try {
    digest = parseDigest(String(m['digest']));
    diffId = parseDigest(String(m['diffId']));
  } catch {
    return 'its metadata has no valid digest';
  }
  return { format: BLOB_FORMAT_VERSION, key: expected.key, compression: expected.compression, diffId, size: m['size'] as number, digest, blobSize: m['blobSize'] as number, paths: [...expected.paths] };
}

/**
 * The members a cached layer may hold: `/nix`, `/nix/store` and its store
 * paths' trees, each member under a directory seen before it (never under a
 * symlink, which a runtime would follow out of the store path), no name
 * twice, and every store path present.
 */
function memberCheck(paths: readonly string[]): { check: (m: ScannedMember) => string | undefined; missing: () => string | undefined } {
  const seen = new Map<string, string>([['/', 'directory']]);
  const check = (header: ScannedMember): string | undefined => {
    const name = header.name.replace(/\/+$/, '');
    const kind = header.type;
    if (!name.startsWith('/') || name.split('/').some((c) => c === '..' || c === '.') || path.posix.normalize(name) !== name) {
      return `it holds a member outside the store paths: ${header.name}`;
    }
    const store = name === '/nix' || name === '/nix/store';
    if (!store && !paths.some((p) => name === p || name.startsWith(`${p}/`))) return `it holds a member outside the store paths: ${header.name}`;
    if (store && kind !== 'directory') return `it holds a ${kind} at ${name}`;
    if (seen.has(name)) return `it holds ${name} twice`;
    if (seen.get(path.posix.dirname(name)) !== 'directory') return `it holds ${name} without its directory before it (or under a symlink)`;
    seen.set(name, kind);
    return undefined;
  };
  const missing = () => {
    const absent = paths.find((p) => !seen.has(p));
    return absent === undefined ? undefined : `it lacks ${absent}`;
  };
  return { check, missing };
}
