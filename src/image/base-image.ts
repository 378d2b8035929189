import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { parseDigest, type Digest } from '../digest.js';
import { UserError, errnoCode, messageOf } from '../errors.js';
import { BLOCK } from '../layer/tar-header.js';

/** A layer of the base image, where its bytes sit in the base tarball. */
export interface BaseLayer {
  offset: number;
  size: number;
  diffId: Digest;
  /** The member name in the base tarball, for messages. */
  member: string;
}

/** What a build takes from a docker-archive it builds on (`fromImage`). */
export interface BaseImage {
  file: string;
  layers: BaseLayer[];
  architecture: string | undefined;
  /** The base config's `config` section: Env, Cmd, …, as it is. */
  config: Record<string, unknown>;
  /** The base config's history, kept as it is, ahead of ours. */
  history: unknown[];
  /** Store paths found in the base layers: they get no layer of ours. */
  storePaths: Set<string>;
}

interface Member {
  offset: number;
  size: number;
  type: 'file' | 'link' | 'other';
  target: string;
}

/**
 * Reads a docker-archive (`docker save`, `skopeo copy … docker-archive:`,
 * nixpkgs' image tarballs, ours) for use as a base: its manifest, config and
 * where each layer's bytes are. Layers stay in the tarball and are copied
 * from there, and checked against their diff_ids, as the image is written.
 * Layers must be uncompressed tar, as the Docker archive format has them.
 */
export function readBaseImage(file: string): BaseImage {
  const what = `fromImage ${file}`;
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw new UserError(`${what} cannot be read: ${errnoCode(e) ?? messageOf(e)}`);
  }
  try {
    if (!fstatSync(fd).isFile()) throw new UserError(`${what} is not a file`);
    const members = indexTar(fd, fstatSync(fd).size, what);
    const manifestText = readMember(fd, members, 'manifest.json', what, 1 << 20);
    if (manifestText === undefined) throw new UserError(`${what} has no manifest.json: it is not a docker-archive`);
    const manifest = parseJson(manifestText, `${what}: manifest.json`);
    if (!Array.isArray(manifest) || manifest.length !== 1) {
      throw new UserError(`${what}: manifest.json must describe exactly one image, it describes ${Array.isArray(manifest) ? manifest.length : 'none'}`);
    }
    const entry = manifest[0] as { Config?: unknown; Layers?: unknown };
    if (typeof entry.Config !== 'string' || !Array.isArray(entry.Layers) || entry.Layers.some((l) => typeof l !== 'string')) {
      throw new UserError(`${what}: manifest.json has no Config and Layers`);
    }
    const configText = readMember(fd, members, entry.Config, what, 16 << 20);
    if (configText === undefined) throw new UserError(`${what}: its config ${entry.Config} is missing`);
    const config = parseJson(configText, `${what}: config`) as Record<string, unknown>;
    const rootfs = config['rootfs'] as { diff_ids?: unknown } | undefined;
    const diffIds = Array.isArray(rootfs?.diff_ids) ? (rootfs.diff_ids as unknown[]) : undefined;
    const names = entry.Layers as string[];
    if (diffIds === undefined || diffIds.length !== names.length) {
      throw new UserError(`${what}: its config lists ${diffIds?.length ?? 'no'} diff_ids for ${names.length} layers`);
    }
    const layers = names.map((name, i): BaseLayer => {
      const m = resolve(members, name);
      if (m === undefined) throw new UserError(`${what}: layer ${name} named in manifest.json is missing`);
      let diffId: Digest;
      try {
        diffId = parseDigest(String(diffIds[i]));
      } catch {
        throw new UserError(`${what}: diff_id ${i + 1} is not a sha256 digest`);
      }
      if (isGzip(fd, m.offset, m.size)) throw new UserError(`${what}: layer ${name} is compressed; docker-archive layers are plain tar (re-save it with docker save or skopeo copy)`);
      return { offset: m.offset, size: m.size, diffId, member: name };
    });
    const inner = config['config'];
    const history = Array.isArray(config['history']) ? (config['history'] as unknown[]) : [];
    return {
      file,
      layers,
      architecture: typeof config['architecture'] === 'string' ? config['architecture'] : undefined,
      config: inner !== null && typeof inner === 'object' && !Array.isArray(inner) ? (inner as Record<string, unknown>) : {},
      history,
      storePaths: storePathsIn(fd, layers, what),
    };
  } finally {
    closeSync(fd);
  }
}

/** Every member of the outer tarball, by normalised name. */
function indexTar(fd: number, size: number, what: string): Map<string, Member> {
  const members = new Map<string, Member>();
  const block = Buffer.alloc(BLOCK);
  let pos = 0;
  let longName: string | undefined;
  let longLink: string | undefined;
  while (pos + BLOCK <= size) {
    readAt(fd, block, pos);
    if (block.every((b) => b === 0)) return members;
    const header = parseHeader(block);
    if (header === undefined) throw new UserError(`${what} is not a tar archive (bad header at byte ${pos})`);
    const data = pos + BLOCK;
    if (data + header.size > size) throw new UserError(`${what} is cut short: a member runs past its end`);
    const next = data + Math.ceil(header.size / BLOCK) * BLOCK;
    if (header.type === 'x' || header.type === 'L' || header.type === 'K') {
      const text = readString(fd, data, header.size);
      if (header.type === 'L') longName = text.replace(/\0+$/, '');
      else if (header.type === 'K') longLink = text.replace(/\0+$/, '');
      else {
        const pax = parsePax(text);
        longName = pax.get('path') ?? longName;
        longLink = pax.get('linkpath') ?? longLink;
      }
    } else if (header.type !== 'g') {
      const name = normalise(longName ?? header.name);
      const type = header.type === '0' || header.type === '\0' ? 'file' : header.type === '1' || header.type === '2' ? 'link' : 'other';
      const target = longLink ?? header.linkname;
      // Hard link targets are archive paths; symlink targets are relative to the member.
      const resolved = header.type === '2' ? normalise(path.posix.join(path.posix.dirname(name), target)) : normalise(target);
      members.set(name, { offset: data, size: header.size, type, target: resolved });
      longName = undefined;
      longLink = undefined;
    }
    pos = next;
  }
  throw new UserError(`${what} is not a tar archive, or is cut short`);
}

function resolve(members: ReadonlyMap<string, Member>, name: string): Member | undefined {
  let m = members.get(normalise(name));
  for (let hops = 0; m?.type === 'link' && hops < 8; hops++) m = members.get(m.target);
  return m?.type === 'file' ? m : undefined;
}

function readMember(fd: number, members: ReadonlyMap<string, Member>, name: string, what: string, limit: number): string | undefined {
  const m = resolve(members, name);
  if (m === undefined) return undefined;
  if (m.size > limit) throw new UserError(`${what}: ${name} is too large (${m.size} bytes)`);
  return readString(fd, m.offset, m.size);
}

/** The store paths a base layer holds: `/nix/store/<name>` members, at any depth. */
function storePathsIn(fd: number, layers: readonly BaseLayer[], what: string): Set<string> {
  const found = new Set<string>();
  for (const layer of layers) {
    const block = Buffer.alloc(BLOCK);
    let pos = layer.offset;
    const end = layer.offset + layer.size;
    let longName: string | undefined;
    while (pos + BLOCK <= end) {
      readAt(fd, block, pos);
      if (block.every((b) => b === 0)) break;
      const header = parseHeader(block);
      if (header === undefined) throw new UserError(`${what}: layer ${layer.member} is not a tar archive`);
      const data = pos + BLOCK;
      if (header.type === 'x' || header.type === 'L') {
        const text = readString(fd, data, Math.min(header.size, 1 << 20));
        longName = header.type === 'L' ? text.replace(/\0+$/, '') : (parsePax(text).get('path') ?? longName);
      } else {
        const m = /^nix\/store\/([^/]+)/.exec(normalise(longName ?? header.name));
        if (m !== null && !m[1]?.startsWith('.wh.')) found.add(`/nix/store/${m[1]}`);
        longName = undefined;
      }
      pos = data + Math.ceil(header.size / BLOCK) * BLOCK;
    }
  }
  return found;
}

function parseHeader(b: Buffer): { name: string; type: string; size: number; linkname: string } | undefined {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (b[i] as number);
  const stored = parseInt(b.toString('latin1', 148, 156).replace(/[\0 ]+$/, '').trim(), 8);
  if (stored !== sum) return undefined;
  const field = (offset: number, length: number) => {
    const end = b.indexOf(0, offset);
    return b.toString('utf8', offset, end === -1 || end > offset + length ? offset + length : end);
  };
  let name = field(0, 100);
  // ustar's prefix field (docker save writes plain ustar names).
  if (b.toString('latin1', 257, 262) === 'ustar') {
    const prefix = field(345, 155);
    if (prefix !== '') name = `${prefix}/${name}`;
  }
  const sizeField = b.subarray(124, 136);
  // GNU base-256 sizes for members of 8 GiB and more.
  const size = (sizeField[0] as number) & 0x80 ? Number(sizeField.readBigUInt64BE(4)) : parseInt(sizeField.toString('latin1').replace(/[\0 ]+$/, '').trim() || '0', 8);
  if (!Number.isSafeInteger(size) || size < 0) return undefined;
  return { name, type: String.fromCharCode(b[156] as number), size, linkname: field(157, 100) };
}

function parsePax(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\d+ ([^=]+)=(.*)$/s.exec(line);
    if (m !== null) out.set(m[1] as string, m[2] as string);
  }
  return out;
}

function normalise(name: string): string {
  return path.posix.normalize(`/${name}`).slice(1).replace(/\/$/, '');
}

function isGzip(fd: number, offset: number, size: number): boolean {
  if (size < 2) return false;
  const magic = Buffer.alloc(2);
  readAt(fd, magic, offset);
  return magic[0] === 0x1f && magic[1] === 0x8b;
}

function readString(fd: number, offset: number, size: number): string {
  const buf = Buffer.alloc(size);
  readAt(fd, buf, offset);
  return buf.toString('utf8');
}

function readAt(fd: number, buf: Buffer, position: number): void {
  let done = 0;
  while (done < buf.length) {
    const n = readSync(fd, buf, done, buf.length - done, position + done);
    if (n === 0) throw new UserError('unexpected end of the base image');
    done += n;
  }
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UserError(`${what} is not valid JSON`);
  }
}
