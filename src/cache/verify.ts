import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { parseDigest } from '../digest.js';
import type { CachedLayer, LayerMeta } from './cache.js';
import { LAYER_FORMAT_VERSION } from './key.js';
import { scanLayerMembers } from './scan-layer.js';

/**
 * Decides whether a restored entry may go into an image. It must describe
 * exactly the layer asked for (key, format, store paths), its bytes must
 * hash to its recorded digest, and every tar member must lie under those
 * store paths (or be `/nix`, `/nix/store`): no `..`, nothing elsewhere.
 * Returns the metadata when it passes, otherwise the reason it does not.
 */
export async function verifyCachedLayer(
  entry: CachedLayer,
  expected: { key: string; paths: readonly string[] },
  readLayer: LayerReader = scanAndHash,
): Promise<{ ok: true; meta: LayerMeta } | { ok: false; reason: string }> {
  const meta = checkMeta(entry.meta, expected);
  if (typeof meta === 'string') return { ok: false, reason: meta };
  const st = await lstat(entry.file).catch(() => undefined);
  if (st === undefined || !st.isFile()) return { ok: false, reason: 'its layer is missing or not a regular file' };
  const size = st.size;
  if (size !== meta.size) return { ok: false, reason: `its layer has ${size} bytes, its metadata says ${meta.size}` };

  const read = await readLayer(entry.file, size);
  if ('bad' in read) return { ok: false, reason: read.bad };
  for (const member of read.names) {
    const bad = checkMember(member, meta.paths);
    if (bad !== undefined) return { ok: false, reason: bad };
  }
  const digest = read.digest;
  if (digest !== meta.digest) return { ok: false, reason: `its layer hashes to ${digest}, its metadata says ${meta.digest}` };
  return { ok: true, meta };
}

/** Reads a layer once: its members (strictly) and its digest. */
export type LayerReader = (file: string, size: number) => Promise<ScanResult>;
export type ScanResult = { names: { name: string; type: string }[]; digest: string } | { bad: string };

/** The reader on this thread; LayerWorkers runs the same on a worker. */
export function scanAndHash(file: string, size: number): Promise<ScanResult> {
  const scan = scanLayerMembers(file, size);
  if ('bad' in scan) return Promise.resolve(scan);
  const hash = createHash('sha256');
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(8 << 20);
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) hash.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return Promise.resolve({ names: scan.names, digest: `sha256:${hash.digest('hex')}` });
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

function checkMember(header: { name: string; type: string }, paths: readonly string[]): string | undefined {
  const name = header.name.replace(/\/+$/, '');
  const kind = header.type;
  if (!name.startsWith('/') || name.split('/').some((c) => c === '..' || c === '.') || path.posix.normalize(name) !== name) {
    return `it holds a member outside the store paths: ${header.name}`;
  }
  if (name === '/nix' || name === '/nix/store') return kind === 'directory' ? undefined : `it holds a ${kind} at ${name}`;
  if (paths.some((p) => name === p || name.startsWith(`${p}/`))) return undefined;
  return `it holds a member outside the store paths: ${header.name}`;
}
