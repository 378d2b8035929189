import type { Digest } from '../digest.js';
import { readNar, type NarSource } from '../nix/nar.js';

export type { NarSource, OpenNar } from '../nix/nar.js';
import type { ByteSink } from './sink.js';
import { storeLayerStart, storePathMembers, writeEntries } from './store-layer.js';
import type { TarEntry, TarSettings } from './tar-header.js';
import { TarWriter } from './tar-writer.js';

// The modes the store gives every entry of a path (canonicalised by Nix):
// what a layer walked from the realised path carries.
const MODE = { directory: 0o40555, file: 0o100444, executable: 0o100555, symlink: 0o120777 } as const;

const entry = (name: string, type: TarEntry['type'], mode: number, size = 0, linkname = ''): TarEntry => ({ name, type, mode, size, linkname });

/**
 * A store layer of `paths` with some (or all) made from their NARs: the
 * same members, in the same order, with the same bytes as writeStoreLayer
 * gives from the realised paths (`/nix`, `/nix/store`, then each path's
 * tree, names sorted by their bytes, which is the order a NAR holds them
 * in). Paths `nars` does not have are walked in the local store.
 */
export async function writeNarLayer(paths: readonly string[], nars: NarSource, settings: TarSettings, sink: ByteSink): Promise<{ digest: Digest; size: number }> {
  const tar = new TarWriter(sink, settings);
  for (const start of storeLayerStart()) await tar.entry(start);
  for (const storePath of paths) {
    if (!nars.has(storePath)) {
      await writeEntries(tar, storePathMembers(storePath));
      continue;
    }
    await readNar(nars.open(storePath), {
      directory: (name) => tar.entry(entry(storePath + name, 'directory', MODE.directory)),
      symlink: (name, target) => tar.entry(entry(storePath + name, 'symlink', MODE.symlink, 0, target)),
      file: (name, executable, size, contents) => tar.entryFrom(entry(storePath + name, 'file', executable ? MODE.executable : MODE.file, size), contents),
    }, nars.name(storePath));
  }
  return tar.finish();
}
