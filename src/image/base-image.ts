import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { parseDigest, type Digest } from '../digest.js';
import { UserError, errnoCode, messageOf } from '../errors.js';
import { BLOCK, checksumMatches, readOctal, readText, ZERO_BLOCK } from '../layer/tar-header.js';
import { input } from '../inputs/marker.js';

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
  const what = `${input('fromImage')} ${file}`;
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
      if (isGzip(fd, m.offset, m.size, what)) throw new UserError(`${what}: layer ${name} is compressed; docker-archive layers are plain tar (re-save it with docker save or skopeo copy)`);
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
  let ext: Extended = {};
  while (pos + BLOCK <= size) {
    readAt(fd, block, pos, what);
    if (block.equals(ZERO_BLOCK)) return members;
    const header = parseHeader(block);
    if (header === undefined) throw new UserError(`${what} is not a tar archive (bad header at byte ${pos})`);
    const data = pos + BLOCK;
    const memberSize = ext.size ?? header.size;
    if (data + memberSize > size) throw new UserError(`${what} is cut short: a member runs past its end`);
    if (isExtension(header.type)) {
      ext = extend(ext, header.type, readExtension(fd, data, header.size, what));
    } else {
      const name = normalise(ext.path ?? header.name);
      const type = header.type === '0' || header.type === '\0' ? 'file' : header.type === '1' || header.type === '2' ? 'link' : 'other';
      const target = ext.linkpath ?? header.linkname;
      // Hard link targets are archive paths; relative symlink targets are
      // relative to the member's directory.
      const resolved = header.type === '2' && !target.startsWith('/') ? normalise(path.posix.join(path.posix.dirname(name), target)) : normalise(target);
      members.set(name, { offset: data, size: memberSize, type, target: resolved });
      ext = {};
    }
    pos = data + Math.ceil((isExtension(header.type) ? header.size : memberSize) / BLOCK) * BLOCK;
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
  return readString(fd, m.offset, m.size, what);
}

/**
 * The store paths the base image's file system holds: `/nix/store/<name>`
 * members of its layers, lowest first, with whiteouts in higher layers
 * taking away what lower ones had.
 */
function storePathsIn(fd: number, layers: readonly BaseLayer[], what: string): Set<string> {
  const found = new Set<string>();
  const block = Buffer.alloc(BLOCK);
  for (const layer of layers) {
    const inLayer = new Set<string>();
    const removed = new Set<string>();
    let opaque = false;
    let pos = layer.offset;
    const end = layer.offset + layer.size;
    let ext: Extended = {};
    while (pos + BLOCK <= end) {
      readAt(fd, block, pos, what);
      if (block.equals(ZERO_BLOCK)) break;
      const header = parseHeader(block);
      if (header === undefined) throw new UserError(`${what}: layer ${layer.member} is not a tar archive`);
      const data = pos + BLOCK;
      if (isExtension(header.type)) {
        ext = extend(ext, header.type, readExtension(fd, data, header.size, what));
        pos = data + Math.ceil(header.size / BLOCK) * BLOCK;
        continue;
      }
      const m = /^nix\/store\/([^/]+)/.exec(normalise(ext.path ?? header.name));
      const name = m?.[1];
      if (name === '.wh..wh..opq') opaque = true;
      else if (name?.startsWith('.wh.')) removed.add(`/nix/store/${name.slice(4)}`);
      else if (name !== undefined) inLayer.add(`/nix/store/${name}`);
      pos = data + Math.ceil((ext.size ?? header.size) / BLOCK) * BLOCK;
      ext = {};
    }
    if (opaque) found.clear();
    for (const p of removed) found.delete(p);
    for (const p of inLayer) found.add(p);
  }
  return found;
}

/** What PAX (`x`) and GNU long-name (`L`, `K`) members say of the next member. */
interface Extended {
  path?: string;
  linkpath?: string;
  size?: number;
}

function isExtension(type: string): boolean {
  return type === 'x' || type === 'L' || type === 'K' || type === 'g';
}

function extend(ext: Extended, type: string, text: string): Extended {
  if (type === 'L') return { ...ext, path: text.replace(/\0+$/, '') };
  if (type === 'K') return { ...ext, linkpath: text.replace(/\0+$/, '') };
  if (type === 'g') return ext; // global headers: nothing we use
  const pax = parsePax(text);
  const size = pax.get('size');
  return {
    ...ext,
    ...(pax.has('path') ? { path: pax.get('path') } : {}),
    ...(pax.has('linkpath') ? { linkpath: pax.get('linkpath') } : {}),
    ...(size !== undefined && /^[0-9]+$/.test(size) && Number.isSafeInteger(Number(size)) ? { size: Number(size) } : {}),
  };
}

const MAX_EXTENSION = 1 << 20;

function readExtension(fd: number, offset: number, size: number, what: string): string {
  if (size > MAX_EXTENSION) throw new UserError(`${what} has an extended tar header of ${size} bytes; it is not a docker-archive`);
  return readString(fd, offset, size, what);
}

function parseHeader(b: Buffer): { name: string; type: string; size: number; linkname: string } | undefined {
  if (!checksumMatches(b)) return undefined;
  const field = (offset: number, length: number) => readText(b, offset, length);
  let name = field(0, 100);
  // ustar's prefix field (docker save writes plain ustar names).
  if (b.toString('latin1', 257, 263) === 'ustar\0') {
    const prefix = field(345, 155);
    if (prefix !== '') name = `${prefix}/${name}`;
  }
  const sizeField = b.subarray(124, 136);
  // GNU base-256 sizes for members of 8 GiB and more.
  const blank = /^[\0 ]*$/.test(sizeField.toString('latin1'));
  const size = (sizeField[0] as number) & 0x80 ? Number(sizeField.readBigUInt64BE(4)) : blank ? 0 : readOctal(b, 124, 12);
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

function isGzip(fd: number, offset: number, size: number, what: string): boolean {
  if (size < 2) return false;
  const magic = Buffer.alloc(2);
  readAt(fd, magic, offset, what);
  return magic[0] === 0x1f && magic[1] === 0x8b;
}

function readString(fd: number, offset: number, size: number, what: string): string {
  const buf = Buffer.alloc(size);
  readAt(fd, buf, offset, what);
  return buf.toString('utf8');
}

function readAt(fd: number, buf: Buffer, position: number, what: string): void {
  let done = 0;
  while (done < buf.length) {
    const n = readSync(fd, buf, done, buf.length - done, position + done);
    if (n === 0) throw new UserError(`${what} ends unexpectedly`);
    done += n;
  }
}

function parseJson(text: string, what: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UserError(`${what} is not valid JSON`);
  }
  // The config is copied (and its keys sorted) recursively: no deep nesting.
  if (depth(value) > 64) throw new UserError(`${what} is nested more than 64 levels deep`);
  return value;
}

function depth(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [v, d] = item;
    deepest = Math.max(deepest, d);
    if (deepest > 64) return deepest;
    if (v !== null && typeof v === 'object') for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return deepest;
}
