import type { Digest } from '../digest.js';
import { readNar } from '../nix/nar.js';
import type { ByteSink } from './sink.js';
import type { TarEntry, TarSettings } from './tar-header.js';
import { TarWriter } from './tar-writer.js';

/** A store path's NAR, opened when its turn comes: one NAR streams at a time. */
export type OpenNar = (storePath: string) => AsyncIterable<Buffer>;

// The modes the store gives every entry of a path (canonicalised by Nix):
// what a layer walked from the realised path carries.
const MODE = { directory: 0o40555, file: 0o100444, executable: 0o100555, symlink: 0o120777 } as const;

/**
 * A store layer of `paths` made from their NARs: the same members, in the
 * same order, with the same bytes as writeStoreLayer gives from the
 * realised paths (`/nix`, `/nix/store`, then each path's tree, names
 * sorted by their bytes, which is the order a NAR holds them in).
 */
export async function writeNarLayer(paths: readonly string[], open: OpenNar, settings: TarSettings, sink: ByteSink): Promise<{ digest: Digest; size: number }> {
  const tar = new TarWriter(sink, settings);
  const entry = (name: string, type: TarEntry['type'], mode: number, size = 0, linkname = ''): TarEntry => ({ name, type, mode, size, linkname });
  for (const name of ['/nix', '/nix/store']) await tar.entry(entry(name, 'directory', 0o40755));
  for (const storePath of paths) {
    await readNar(open(storePath), {
      directory: (name) => tar.entry(entry(storePath + name, 'directory', MODE.directory)),
      symlink: (name, target) => tar.entry(entry(storePath + name, 'symlink', MODE.symlink, 0, target)),
      file: (name, executable, size, contents) => tar.entryFrom(entry(storePath + name, 'file', executable ? MODE.executable : MODE.file, size), contents),
    }, storePath);
  }
  return tar.finish();
}
