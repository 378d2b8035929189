import { lstat, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import type { Digest } from '../digest.js';
import { UserError } from '../errors.js';
import type { ByteSink } from './sink.js';
import { utf8Name } from './names.js';
import { readNar, type NarSource } from '../nix/nar.js';
import { writeMembers } from './store-layer.js';
import type { TarEntry, TarSettings } from './tar-header.js';
import { input } from '../inputs/marker.js';

export interface DirNode {
  kind: 'dir';
  children: Map<string, TreeNode>;
  from: string;
}
interface LinkNode {
  kind: 'link';
  target: string;
  from: string;
}
export type TreeNode = DirNode | LinkNode;

/** One entry of a content's tree: a directory, or what a link in the image root points to (a file's store location, a symlink's own target). */
interface TreeEntry {
  name: string;
  kind: 'dir' | 'link';
  target: string;
}

/** A content's tree, read from the local store or from its NAR. */
interface ContentTree {
  isDirectory: boolean;
  /** The entries of the directory at `rel` ('' for the root), sorted by their bytes. */
  list(rel: string): Promise<TreeEntry[]>;
}

/**
 * The image root as nixpkgs' symlinkJoin (lndir) makes it from `contents`:
 * directories are real and merged, a file becomes a symlink to its store
 * location, and a symlink is copied with its own target. Two contents that
 * put different things at one path are an error naming both. A content
 * `nars` has (not in the local store) is read from its NAR.
 */
export async function mergeContents(contents: readonly string[], nars?: NarSource): Promise<DirNode> {
  const root: DirNode = { kind: 'dir', children: new Map(), from: '' };
  for (const content of contents) {
    const tree = nars?.has(content) === true ? await narTree(content, nars) : await localTree(content);
    if (!tree.isDirectory) {
      throw new UserError(
        `contents ${content} is not a directory, so it has nothing to merge into the image root; refer to it from the config instead`,
      );
    }
    await mergeDir(root, tree, '', content);
  }
  return root;
}

async function mergeDir(into: DirNode, tree: ContentTree, rel: string, content: string): Promise<void> {
  for (const { name, kind, target } of await tree.list(rel)) {
    const relPath = rel === '' ? name : `${rel}/${name}`;
    const existing = into.children.get(name);
    if (kind === 'dir') {
      if (existing === undefined) {
        const dir: DirNode = { kind: 'dir', children: new Map(), from: content };
        into.children.set(name, dir);
        await mergeDir(dir, tree, relPath, content);
      } else if (existing.kind === 'dir') {
        await mergeDir(existing, tree, relPath, content);
      } else {
        throw conflict(relPath, existing, `a directory from ${content}`);
      }
      continue;
    }
    if (existing === undefined) {
      into.children.set(name, { kind: 'link', target, from: content });
    } else if (existing.kind === 'dir' || existing.target !== target) {
      throw conflict(relPath, existing, `${target} from ${content}`);
    }
  }
}

/** A content in the local store, read as it is merged. */
async function localTree(content: string): Promise<ContentTree> {
  const st = await lstat(content);
  return {
    isDirectory: st.isDirectory(),
    async list(rel) {
      const dir = rel === '' ? content : path.join(content, rel);
      const names = (await readdir(dir, { encoding: 'buffer' })).sort((a, b) => Buffer.compare(a, b)).map((b) => utf8Name(b, dir));
      const entries: TreeEntry[] = [];
      for (const name of names) {
        const src = path.join(dir, name);
        const entry = await lstat(src);
        const target = entry.isSymbolicLink() ? utf8Name(await readlink(src, { encoding: 'buffer' }), src) : src;
        entries.push({ name, kind: entry.isDirectory() ? 'dir' : 'link', target });
      }
      return entries;
    },
  };
}

/** A content read from its NAR, once: only names and link targets are kept, never a file's bytes. */
async function narTree(content: string, nars: NarSource): Promise<ContentTree> {
  const dirs = new Map<string, TreeEntry[]>();
  let isDirectory = false;
  const add = (name: string, kind: TreeEntry['kind'], target: string) => {
    const slash = name.lastIndexOf('/');
    dirs.get(name.slice(1, Math.max(slash, 0)))?.push({ name: name.slice(slash + 1), kind, target });
  };
  await readNar(nars.open(content), {
    directory: (name) => {
      if (name === '') isDirectory = true;
      else add(name, 'dir', '');
      dirs.set(name.slice(1), []);
    },
    symlink: (name, target) => add(name, 'link', target),
    file: async (name, _executable, _size, bytes) => {
      for await (const chunk of bytes) void chunk;
      add(name, 'link', content + name);
    },
  }, nars.name(content));
  return { isDirectory, list: (rel) => Promise.resolve(dirs.get(rel) ?? []) };
}

function conflict(relPath: string, existing: TreeNode, other: string): UserError {
  const first = existing.kind === 'dir' ? `a directory from ${existing.from}` : `${existing.target} from ${existing.from}`;
  return new UserError(`${input('contents')} collide at /${relPath}: ${first} and ${other}`);
}

/** Writes the merged tree as the customisation layer, parents before children. */
export function writeCustomisationLayer(root: DirNode, settings: TarSettings, sink: ByteSink): Promise<{ digest: Digest; size: number }> {
  const entries: TarEntry[] = [];
  const walk = (dir: DirNode, prefix: string): void => {
    const names = [...dir.children.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    for (const name of names) {
      const node = dir.children.get(name) as TreeNode;
      const rel = `${prefix}${name}`;
      if (node.kind === 'dir') {
        entries.push({ name: rel, type: 'directory', mode: 0o755, size: 0, linkname: '' });
        walk(node, `${rel}/`);
      } else {
        entries.push({ name: rel, type: 'symlink', mode: 0o777, size: 0, linkname: node.target });
      }
    }
  };
  walk(root, '');
  // Directories and symlinks only: no file is read.
  return writeMembers({ root: '', entries }, settings, sink);
}
