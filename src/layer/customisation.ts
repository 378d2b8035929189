import { lstat, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import type { Digest } from '../digest.js';
import { UserError } from '../errors.js';
import type { ByteSink } from './sink.js';
import { utf8Name } from './names.js';
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

/**
 * The image root as nixpkgs' symlinkJoin (lndir) makes it from `contents`:
 * directories are real and merged, a file becomes a symlink to its store
 * location, and a symlink is copied with its own target. Two contents that
 * put different things at one path are an error naming both.
 */
export async function mergeContents(contents: readonly string[]): Promise<DirNode> {
  const root: DirNode = { kind: 'dir', children: new Map(), from: '' };
  for (const content of contents) {
    const st = await lstat(content);
    if (!st.isDirectory()) {
      throw new UserError(
        `contents ${content} is not a directory, so it has nothing to merge into the image root; refer to it from the config instead`,
      );
    }
    await mergeDir(root, content, '', content);
  }
  return root;
}

async function mergeDir(into: DirNode, srcDir: string, rel: string, content: string): Promise<void> {
  const names = (await readdir(srcDir, { encoding: 'buffer' })).sort((a, b) => Buffer.compare(a, b)).map((b) => utf8Name(b, srcDir));
  for (const name of names) {
    const src = path.join(srcDir, name);
    const relPath = rel === '' ? name : `${rel}/${name}`;
    const st = await lstat(src);
    const existing = into.children.get(name);
    if (st.isDirectory()) {
      if (existing === undefined) {
        const dir: DirNode = { kind: 'dir', children: new Map(), from: content };
        into.children.set(name, dir);
        await mergeDir(dir, src, relPath, content);
      } else if (existing.kind === 'dir') {
        await mergeDir(existing, src, relPath, content);
      } else {
        throw conflict(relPath, existing, `a directory from ${content}`);
      }
      continue;
    }
    const target = st.isSymbolicLink() ? utf8Name(await readlink(src, { encoding: 'buffer' }), src) : src;
    if (existing === undefined) {
      into.children.set(name, { kind: 'link', target, from: content });
    } else if (existing.kind === 'dir' || existing.target !== target) {
      throw conflict(relPath, existing, `${target} from ${content}`);
    }
  }
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
