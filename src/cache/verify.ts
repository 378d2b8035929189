import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { parseDigest, type Digest } from '../digest.js';
import { asUserError, errnoCode, messageOf } from '../errors.js';
import { writeFully } from '../layer/sink.js';
import type { CachedLayer, LayerMeta } from './cache.js';
import { LAYER_FORMAT_VERSION } from './key.js';
import { LayerScanner, type ScannedMember } from './scan-layer.js';

/**
 * The checks of a restored entry that need no reading of the layer: its
 * metadata must describe exactly the layer asked for (key, format, store
 * paths) and its layer file must be a regular file of the recorded size.
 * The bytes are checked as they are copied into the image (copyCachedLayer).
 */
export async function checkCachedLayer(
  entry: CachedLayer,
  expected: { key: string; paths: readonly string[] },
): Promise<{ ok: true; meta: LayerMeta } | { ok: false; reason: string }> {
  const meta = checkMeta(entry.meta, expected);
  if (typeof meta === 'string') return { ok: false, reason: meta };
  const st = await lstat(entry.file).catch(() => undefined);
  if (st === undefined || !st.isFile()) return { ok: false, reason: 'its layer is missing or not a regular file' };
  if (st.size !== meta.size) return { ok: false, reason: `its layer has ${st.size} bytes, its metadata says ${meta.size}` };
  return { ok: true, meta };
}

const CHUNK = 4 << 20;

/**
 * Copies a cached layer (or a base image's, from its place in the base
 * tarball) into its place in the image, reading it once: the
 * same chunks are hashed, scanned strictly as tar (every member must lie
 * under the layer's store paths, or be `/nix`, `/nix/store`: no `..`,
 * nothing elsewhere) and written. Returns the digest, which the caller
 * compares with the metadata, or why the layer may not be used; then the
 * bytes already written are garbage to be overwritten.
 */
export function copyCachedLayer(
  source: { file: string; offset: number; paths: readonly string[] | undefined },
  target: { file: string; label: string; offset: number; size: number; stream?: number },
  onBytes: (n: number) => void,
): { digest: Digest } | { bad: string } {
  const { file, paths } = source;
  // A base image's layers are whatever its author put there: hashed, not scanned.
  const members = paths === undefined ? undefined : memberCheck(paths);
  const scanner = members === undefined ? undefined : new LayerScanner(target.size, members.check);
  const hash = createHash('sha256');
  let from: number;
  try {
    // Checked before by name; the name may have been given another file
    // since: never follow a link or wait on a FIFO, and look again.
    from = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
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
        // The cache's failure, never the build's.
        return { bad: `its layer cannot be read (${errnoCode(e) ?? messageOf(e)})` };
      }
      if (n === 0) return { bad: `its layer ends after ${done} bytes` };
      const chunk = buf.subarray(0, n);
      scanner?.feed(chunk);
      if (scanner?.refused !== undefined) return { bad: scanner.refused };
      hash.update(chunk);
      writeFully(to, target.label, chunk, target.stream === undefined ? target.offset + done : null);
      done += n;
      onBytes(n);
    }
    const bad = scanner?.end() ?? members?.missing();
    if (bad !== undefined) return { bad };
    return { digest: `sha256:${hash.digest('hex')}` as Digest };
  } finally {
    closeSync(from);
    if (to !== undefined && target.stream === undefined) closeSync(to);
  }
}

function checkMeta(raw: unknown, expected: { key: string; paths: readonly string[] }): LayerMeta | string {
  if (raw === null || typeof raw !== 'object') return 'its metadata is missing or not an object';
  const m = raw as Record<string, unknown>;
  if (m['format'] !== LAYER_FORMAT_VERSION) return `its metadata has format ${String(m['format'])}, not ${LAYER_FORMAT_VERSION}`;
  if (m['key'] !== expected.key) return 'its metadata names another key';
  const paths = m['paths'];
  if (!Array.isArray(paths) || paths.length !== expected.paths.length || paths.some((p, i) => p !== expected.paths[i])) {
    return 'its metadata names other store paths than the key was made from';
  }
  if (!Number.isSafeInteger(m['size']) || (m['size'] as number) < 0) return 'its metadata has no valid size';
  let digest;
  try {
    digest = parseDigest(String(m['digest']));
  } catch {
    return 'its metadata has no valid digest';
  }
  return { format: LAYER_FORMAT_VERSION, key: expected.key, digest, size: m['size'] as number, paths: [...expected.paths] };
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
