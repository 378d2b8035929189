import { spawn } from 'node:child_process';
import { outsideCacheRoot } from '../cache/actions-root.js';
import { chmod, copyFile, lstat, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Digest } from '../digest.js';
import { UserError, asUserError, errnoCode } from '../errors.js';
import type { Logger } from '../log.js';
import type { DirNode } from './customisation.js';
import type { ByteSink } from './sink.js';
import { directoryMembers, writeMembers } from './store-layer.js';
import type { TarSettings } from './tar-header.js';
import { input } from '../inputs/marker.js';

/*
 * The customisation layer as a real directory, for what needs one: a user's
 * extraCommands and the Nix database. It holds the merged contents (as
 * symlinks), then the database, then whatever the script made, and is packed
 * the way the in-memory tree is: names sorted by bytes, directories we make
 * 0755, the script's files with the modes it gave them under umask 022, and
 * every owner and time from the layer settings, never from the disk.
 */

/**
 * A new directory holding the merged tree, 0755 whatever the umask (and
 * without a setgid bit inherited from where it was made).
 */
export async function customisationDir(tree: DirNode, scratch: string): Promise<string> {
  const dir = await mkdtemp(path.join(scratch, 'root-'));
  try {
    await chmod(dir, 0o755);
    await materialise(tree, dir);
  } catch (e) {
    asUserError(e, `cannot make the customisation layer in ${scratch}`);
  }
  return dir;
}

/** Creates the merged tree (directories and symlinks) under `dir`. */
async function materialise(node: DirNode, dir: string): Promise<void> {
  for (const [name, child] of [...node.children].sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)))) {
    const at = path.join(dir, name);
    if (child.kind === 'dir') {
      await mkdir(at);
      await chmod(at, 0o755); // whatever the umask
      await materialise(child, at);
    } else {
      await symlink(child.target, at);
    }
  }
}

/**
 * Registers `paths` (a closure) in a Nix database at `dir/nix/var/nix/db`,
 * as nixpkgs' includeNixDB does, with every registration time set to
 * `mtime` so the layer stays reproducible, and the contents as GC roots.
 */
export async function addNixDb(dir: string, paths: readonly string[], contents: readonly string[], mtime: number): Promise<void> {
  // The contents may have put a link where the database goes: never write through it.
  for (const d of ['nix', 'nix/var', 'nix/var/nix', 'nix/var/nix/db', 'nix/var/nix/gcroots', 'nix/var/nix/gcroots/docker']) {
    const st = await lstat(path.join(dir, d)).catch(() => undefined);
    if (st !== undefined && !st.isDirectory()) throw new UserError(`${input('includeNixDB')}: the image's contents put something other than a directory at /${d}`);
  }
  // In the system's temporary folder: a store URL cannot hold every path.
  const store = await mkdtemp(path.join(tmpdir(), 'layered-image-nix-db-'));
  try {
    if (!/^[A-Za-z0-9/._+-]+$/.test(store)) throw new UserError(`${input('includeNixDB')}: the temporary folder ${store} has characters a Nix store URL cannot hold; set TMPDIR`);
    await loadDb(store, dir, paths, contents, mtime);
  } catch (e) {
    asUserError(e, input('includeNixDB'));
  } finally {
    await rm(store, { recursive: true, force: true });
  }
}

async function loadDb(store: string, dir: string, paths: readonly string[], contents: readonly string[], mtime: number): Promise<void> {
  const dump = await run('nix-store', ['--dump-db', ...paths], {}, 'includeNixDB: nix-store --dump-db');
  // A store rooted in scratch: the database lands in store/nix/var/nix/db.
  await run('nix-store', ['--store', `local?root=${store}`, '--load-db'], { input: dump, env: { USER: process.env['USER'] ?? 'nobody' } }, 'includeNixDB: nix-store --load-db');
  const db = path.join(store, 'nix', 'var', 'nix', 'db');
  // Registration times are when the database was made, and derivers are
  // whatever this machine built or fetched the paths with: neither may
  // change the layer.
  await run('sqlite3', [path.join(db, 'db.sqlite'), `UPDATE ValidPaths SET registrationTime = ${Math.trunc(mtime)}, deriver = NULL;`], {}, 'includeNixDB: sqlite3');
  const into = path.join(dir, 'nix', 'var', 'nix');
  for (const d of ['nix', 'nix/var', 'nix/var/nix', 'nix/var/nix/db', 'nix/var/nix/gcroots', 'nix/var/nix/gcroots/docker']) {
    await mkdir(path.join(dir, d), { recursive: true });
    await chmod(path.join(dir, d), 0o755);
  }
  // Only the database and its schema version: the lock and the 8 MiB
  // reserved-space file are made again by Nix where it needs them.
  for (const f of ['db.sqlite', 'schema']) {
    await copyFile(path.join(db, f), path.join(into, 'db', f));
    await chmod(path.join(into, 'db', f), 0o644);
  }
  for (const c of contents) {
    const root = path.join(into, 'gcroots', 'docker', path.basename(c));
    if ((await lstat(root).catch(() => undefined)) === undefined) await symlink(c, root);
  }
}

/** Runs the user's script in `dir` with umask 022; its output goes to the log. */
export async function runExtraCommands(script: string, dir: string, log: Logger): Promise<void> {
  await run('/bin/sh', ['-c', `umask 022\n${script}`], { cwd: dir, log }, input('extraCommands'));
}

function run(
  command: string,
  args: readonly string[],
  opts: { cwd?: string; input?: Buffer; env?: NodeJS.ProcessEnv; log?: Logger },
  what: string,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // As outside cache calls: a background cache save may have moved them.
    const outside = outsideCacheRoot();
    const child = spawn(command, args, { cwd: opts.cwd ?? outside.cwd, env: { ...outside.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const say = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') opts.log?.info(`${what}: ${line}`);
    };
    child.stdout.on('data', (c: Buffer) => (opts.log === undefined ? out.push(c) : say(c)));
    child.stderr.on('data', (c: Buffer) => (opts.log === undefined ? err.push(c) : say(c)));
    child.on('error', (e) => reject(new UserError(`${what}: cannot run ${command}: ${errnoCode(e) ?? e.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) return resolve(Buffer.concat(out));
      const detail = Buffer.concat(err).toString('utf8').trim().split('\n')[0] ?? '';
      reject(new UserError(`${what} failed (${signal ?? `exit status ${code}`})${detail === '' ? '' : `: ${detail}`}`));
    });
    child.stdin.on('error', () => {}); // a command that exits early closes its input
    child.stdin.end(opts.input);
  });
}

/**
 * Packs `dir` as the customisation layer, as store layers are packed (hard
 * links as plain files, each with its content), with names relative to it.
 */
export async function packDirectory(dir: string, settings: TarSettings, sink: ByteSink): Promise<{ digest: Digest; size: number }> {
  const other = (name: string) => new UserError(`${input('extraCommands')} made /${name}, which is neither a file, a directory nor a symlink; a layer holds only those`);
  try {
    return await writeMembers(directoryMembers(dir, other), settings, sink);
  } catch (e) {
    return asUserError(e, 'cannot pack the customisation layer');
  }
}
