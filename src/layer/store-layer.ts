import { closeSync, lstatSync, openSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import type { Digest } from '../digest.js';
import { UserError, asUserError } from '../errors.js';
import { utf8Name } from './names.js';
import type { ByteSink } from './sink.js';
import { BLOCK, endOfArchive, headerSize, type TarEntry, type TarSettings } from './tar-header.js';
import { TarWriter } from './tar-writer.js';

/**
 * Writes store paths as one layer tar, byte-identical to nixpkgs'
 * stream_layered_image.py: `/nix` and `/nix/store` first, then each path in
 * the order given, its tree in Python's `sorted(Path)` order (component by
 * component), hard links as plain files, modes from the store.
 */
export async function writeStoreLayer(
  paths: readonly string[],
  settings: TarSettings,
  sink: ByteSink,
): Promise<{ digest: Digest; size: number }> {
  const tar = new TarWriter(sink, settings);
  await walkStoreLayer(paths, async (entry, file) => {
    if (file === undefined) return tar.entry(entry);
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
  });
  return tar.finish();
}

/**
 * The exact size writeStoreLayer will give, from metadata alone: so that
 * every layer's place in the image is known before any layer is written.
 */
export async function storeLayerSize(paths: readonly string[], settings: TarSettings): Promise<number> {
  let size = 0;
  await walkStoreLayer(paths, (entry) => {
    size += headerSize(entry, settings) + Math.ceil(entry.size / BLOCK) * BLOCK;
  });
  return size + endOfArchive(size).length;
}

/** Every member of the layer in order; `file` is set for regular files. */
async function walkStoreLayer(
  paths: readonly string[],
  visit: (entry: TarEntry, file?: string) => Promise<void> | void,
): Promise<void> {
  for (const dir of ['/nix', '/nix/store']) {
    await visit({ name: dir, type: 'directory', mode: 0o755, size: 0, linkname: '' });
  }
  const walk = async (p: string): Promise<void> => {
    let st;
    try {
      st = lstatSync(p);
    } catch (e) {
      asUserError(e, `cannot read ${p}`);
    }
    if (st.isSymbolicLink()) {
      // Targets, like names, must be UTF-8: decoding would change them silently.
      await visit({ name: p, type: 'symlink', mode: st.mode, size: 0, linkname: utf8Name(readlinkSync(p, { encoding: 'buffer' }), p) });
    } else if (st.isDirectory()) {
      await visit({ name: p, type: 'directory', mode: st.mode, size: 0, linkname: '' });
      // Sorting the raw UTF-8 bytes gives Python's code-point order of names.
      const names = readdirSync(p, { encoding: 'buffer' }).sort((a, b) => Buffer.compare(a, b));
      for (const raw of names) await walk(path.join(p, utf8Name(raw, p)));
    } else if (st.isFile()) {
      await visit({ name: p, type: 'file', mode: st.mode, size: st.size, linkname: '' }, p);
    } else {
      throw new UserError(`${p} is neither a file, a directory nor a symlink; the Nix store holds no such thing`);
    }
  };
  for (const p of paths) await walk(p);
}
