import { closeSync, lstatSync, openSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import type { Digest } from '../digest.js';
import { UserError, asUserError } from '../errors.js';
import { utf8Name } from './names.js';
import type { ByteSink } from './sink.js';
import type { TarSettings } from './tar-header.js';
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
  for (const dir of ['/nix', '/nix/store']) {
    await tar.entry({ name: dir, type: 'directory', mode: 0o755, size: 0, linkname: '' });
  }
  for (const p of paths) await writeTree(tar, p);
  return tar.finish();
}

async function writeTree(tar: TarWriter, p: string): Promise<void> {
  let st;
  try {
    st = lstatSync(p);
  } catch (e) {
    asUserError(e, `cannot read ${p}`);
  }
  if (st.isSymbolicLink()) {
    await tar.entry({ name: p, type: 'symlink', mode: st.mode, size: 0, linkname: readlinkSync(p) });
  } else if (st.isDirectory()) {
    await tar.entry({ name: p, type: 'directory', mode: st.mode, size: 0, linkname: '' });
    // Sorting the raw UTF-8 bytes gives Python's code-point order of names.
    const names = readdirSync(p, { encoding: 'buffer' }).sort((a, b) => Buffer.compare(a, b));
    for (const raw of names) await writeTree(tar, path.join(p, utf8Name(raw, p)));
  } else if (st.isFile()) {
    let fd;
    try {
      fd = openSync(p, 'r');
    } catch (e) {
      asUserError(e, `cannot read ${p}`);
    }
    try {
      await tar.entry({ name: p, type: 'file', mode: st.mode, size: st.size, linkname: '' }, fd);
    } finally {
      closeSync(fd);
    }
  } else {
    throw new UserError(`${p} is neither a file, a directory nor a symlink; the Nix store holds no such thing`);
  }
}
