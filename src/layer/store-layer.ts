import { closeSync, lstatSync, openSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import type { Digest } from '../digest.js';
import { UserError, asUserError } from '../errors.js';
import { utf8Name } from './names.js';
import type { ByteSink } from './sink.js';
import { BLOCK, endOfArchive, headerSize, type TarEntry, type TarSettings } from './tar-header.js';
import { TarWriter } from './tar-writer.js';

/**
 * A layer's members in order, read from metadata alone: enough to know its
 * exact size before writing it, and to write it without walking the trees
 * again. A file's bytes are read from `root` joined with its name (from the
 * name itself, for store layers, whose names are absolute paths).
 */
export interface LayerMembers {
  root: string;
  entries: Iterable<TarEntry>;
}

/**
 * Members packed into one buffer: what a walk hands, through the main
 * thread, to the worker that writes the layer. Its memory can move between
 * threads without a copy, and it takes a fraction of what as many objects
 * would (the main thread holds every unwritten layer's members at once).
 */
export interface PackedMembers {
  root: string;
  bytes: Uint8Array;
}

const TYPES = ['file', 'directory', 'symlink'] as const;
// type (u8), mode (u32), size (f64), name and link lengths (u32 each)
const FIXED = 1 + 4 + 8 + 4 + 4;

export function packMembers(members: LayerMembers): PackedMembers {
  const entries = [...members.entries];
  const total = entries.reduce((n, e) => n + FIXED + Buffer.byteLength(e.name) + Buffer.byteLength(e.linkname), 0);
  const bytes = Buffer.from(new ArrayBuffer(total));
  let at = 0;
  for (const e of entries) {
    at = bytes.writeUInt8(TYPES.indexOf(e.type), at);
    at = bytes.writeUInt32LE(e.mode, at);
    at = bytes.writeDoubleLE(e.size, at);
    const nameLength = bytes.write(e.name, at + 8, 'utf8');
    const linkLength = bytes.write(e.linkname, at + 8 + nameLength, 'utf8');
    bytes.writeUInt32LE(nameLength, at);
    bytes.writeUInt32LE(linkLength, at + 4);
    at += 8 + nameLength + linkLength;
  }
  return { root: members.root, bytes };
}

export function unpackMembers(packed: PackedMembers): LayerMembers {
  const bytes = Buffer.from(packed.bytes.buffer, packed.bytes.byteOffset, packed.bytes.byteLength);
  function* entries(): Generator<TarEntry> {
    let at = 0;
    while (at < bytes.length) {
      const type = TYPES[bytes.readUInt8(at)] as TarEntry['type'];
      const mode = bytes.readUInt32LE(at + 1);
      const size = bytes.readDoubleLE(at + 5);
      const nameLength = bytes.readUInt32LE(at + 13);
      const linkLength = bytes.readUInt32LE(at + 17);
      at += FIXED;
      const name = bytes.toString('utf8', at, at + nameLength);
      const linkname = bytes.toString('utf8', at + nameLength, at + nameLength + linkLength);
      at += nameLength + linkLength;
      yield { name, type, mode, size, linkname };
    }
  }
  return { root: packed.root, entries: { [Symbol.iterator]: entries } };
}

/**
 * The members of a store layer as nixpkgs' stream_layered_image.py writes
 * them: `/nix` and `/nix/store` first, then each path in the order given,
 * its tree in Python's `sorted(Path)` order (component by component), hard
 * links as plain files, modes from the store.
 */
export function storeLayerMembers(paths: readonly string[]): LayerMembers {
  const entries = storeLayerStart();
  const other = (p: string) => new UserError(`${p} is neither a file, a directory nor a symlink; the Nix store holds no such thing`);
  for (const p of paths) walk(p, p, entries, other);
  return { root: '', entries };
}

/** The members every store layer starts with, as nixpkgs writes them: `/nix` and `/nix/store`. */
export function storeLayerStart(): TarEntry[] {
  return ['/nix', '/nix/store'].map((name) => ({ name, type: 'directory', mode: 0o755, size: 0, linkname: '' }));
}

/** The members of one store path's tree, without the `/nix` and `/nix/store` a layer starts with. */
export function storePathMembers(p: string): LayerMembers {
  const entries: TarEntry[] = [];
  walk(p, p, entries, (name) => new UserError(`${name} is neither a file, a directory nor a symlink; the Nix store holds no such thing`));
  return { root: '', entries };
}

/** The members of a directory's contents, named relative to it (the customisation layer). */
export function directoryMembers(dir: string, other: (name: string) => UserError): LayerMembers {
  const entries: TarEntry[] = [];
  for (const name of sortedNames(dir)) walk(path.join(dir, name), name, entries, other);
  return { root: dir, entries };
}

/** The exact number of bytes writeMembers gives. */
export function membersSize(members: LayerMembers, settings: TarSettings): number {
  let size = 0;
  for (const entry of members.entries) size += headerSize(entry, settings) + Math.ceil(entry.size / BLOCK) * BLOCK;
  return size + endOfArchive(size).length;
}

/** Writes the members as one layer tar; each file is read once, as it is framed and hashed. */
export async function writeMembers(members: LayerMembers, settings: TarSettings, sink: ByteSink): Promise<{ digest: Digest; size: number }> {
  const tar = new TarWriter(sink, settings);
  await writeEntries(tar, members);
  return tar.finish();
}

/** Frames the members into `tar`, each file read once. */
export async function writeEntries(tar: TarWriter, members: LayerMembers): Promise<void> {
  for (const entry of members.entries) {
    if (entry.type !== 'file') {
      await tar.entry(entry);
      continue;
    }
    const file = members.root === '' ? entry.name : path.join(members.root, entry.name);
    let fd;
    try {
      fd = openSync(file, 'r');
    } catch (e) {
      asUserError(e, `cannot read ${file}`);
    }
    try {
      await tar.entry(entry, fd);
    } finally {
      closeSync(fd);
    }
  }
}

/** A store layer of these paths, walked and written. */
export function writeStoreLayer(paths: readonly string[], settings: TarSettings, sink: ByteSink): Promise<{ digest: Digest; size: number }> {
  return writeMembers(storeLayerMembers(paths), settings, sink);
}

/** The exact size writeStoreLayer gives, from metadata alone. */
export function storeLayerSize(paths: readonly string[], settings: TarSettings): number {
  return membersSize(storeLayerMembers(paths), settings);
}

/** Appends `fsPath`'s tree, parents before children, as members named from `name`. */
function walk(fsPath: string, name: string, out: TarEntry[], other: (name: string) => UserError): void {
  let st;
  try {
    st = lstatSync(fsPath);
  } catch (e) {
    asUserError(e, `cannot read ${fsPath}`);
  }
  if (st.isSymbolicLink()) {
    // Targets, like names, must be UTF-8: decoding would change them silently.
    out.push({ name, type: 'symlink', mode: st.mode, size: 0, linkname: utf8Name(readlinkSync(fsPath, { encoding: 'buffer' }), fsPath) });
  } else if (st.isDirectory()) {
    out.push({ name, type: 'directory', mode: st.mode, size: 0, linkname: '' });
    for (const child of sortedNames(fsPath)) walk(path.join(fsPath, child), `${name}/${child}`, out, other);
  } else if (st.isFile()) {
    out.push({ name, type: 'file', mode: st.mode, size: st.size, linkname: '' });
  } else {
    throw other(name);
  }
}

/** Sorting the raw UTF-8 bytes gives Python's code-point order of names. */
function sortedNames(dir: string): string[] {
  let raw;
  try {
    raw = readdirSync(dir, { encoding: 'buffer' });
  } catch (e) {
    asUserError(e, `cannot read ${dir}`);
  }
  return raw.sort((a, b) => Buffer.compare(a, b)).map((b) => utf8Name(b, dir));
}
