import { lstat, readlink, realpath } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode, show, UserError } from '../errors.js';
import { input } from '../inputs/marker.js';

/** Where Nix keeps its store; Nix itself honours NIX_STORE_DIR the same way. */
export function storeDir(): string {
  return path.resolve(process.env['NIX_STORE_DIR'] ?? '/nix/store');
}

// Nix's base-32 alphabet omits e, o, u and t; names use a small fixed set.
const HASH = '[0-9a-df-np-sv-z]{32}';
const NAME = '[A-Za-z0-9+\\-_?=][A-Za-z0-9+\\-._?=]*';
const BASENAME_RE = new RegExp(`^${HASH}-${NAME}$`);

/** True when `p` is `<store>/<hash>-<name>` exactly. */
export function isStorePath(p: string, store = storeDir()): boolean {
  return path.dirname(p) === store && BASENAME_RE.test(path.basename(p));
}

/** The `<hash>` part of a store path, the stable identity of its contents. */
export function storePathHash(p: string): string {
  return path.basename(p).slice(0, 32);
}

/** Every store path mentioned anywhere inside a string (e.g. `PATH=…:…`). */
export function storePathsIn(text: string, store = storeDir()): string[] {
  const re = new RegExp(`${escapeRe(store)}/${HASH}-[A-Za-z0-9+\\-._?=]+`, 'g');
  return [...text.matchAll(re)].map((m) => m[0]).filter((p) => isStorePath(p, store));
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const MAX_LINK_HOPS = 40;

/**
 * Resolves a `contents` argument (a store path, or a link to one such as
 * `./result`) to the store path it names. Links are followed one hop at a
 * time, stopping at the first store path, so a store path that is itself a
 * symlink is kept rather than dereferenced.
 */
export async function resolveStorePath(raw: string, store = storeDir()): Promise<string> {
  const found = await resolveRoot(raw, store);
  if (!found.present) await statOrFail(found.path, raw);
  return found.path;
}

/**
 * `resolveStorePath`, but a store path that is not in the local store (a
 * `./result` left by a build on another machine, an out path `nix eval`
 * printed) is returned as missing rather than refused: a substituter may
 * have it.
 */
export async function resolveRoot(raw: string, store = storeDir()): Promise<{ path: string; present: boolean }> {
  const arg = show(raw);
  let p = path.resolve(raw);
  for (let hop = 0; hop <= MAX_LINK_HOPS; hop++) {
    if (p === store) throw new UserError(`${input('contents')} ${arg} is the Nix store itself, not a store path`);
    if (isStorePath(p, store)) {
      const present = await lstat(p).then(() => true, (e: unknown) => (['ENOENT', 'ENOTDIR'].includes(errnoCode(e) ?? '') ? false : statOrFail(p, raw).then(() => true)));
      return { path: p, present };
    }
    const st = await statOrFail(p, raw);
    if (!st.isSymbolicLink()) {
      if (p.startsWith(`${store}/`)) {
        const top = p.slice(store.length + 1).split('/')[0] ?? '';
        if (isStorePath(`${store}/${top}`, store) && p.includes('/', store.length + 1)) {
          throw new UserError(`${input('contents')} ${arg} is inside store path ${store}/${top}; name the store path itself`);
        }
        throw new UserError(`${input('contents')} ${arg} is not a valid store path`);
      }
      throw new UserError(`${input('contents')} ${arg} is not in the Nix store (${store})`);
    }
    const target = await readlink(p);
    p = path.resolve(await realpath(path.dirname(p)), target);
  }
  throw new UserError(`${input('contents')} ${arg}: too many levels of symbolic links (a symlink loop?)`);
}

async function statOrFail(p: string, raw: string) {
  const arg = show(raw);
  try {
    return await lstat(p);
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new UserError(`${input('contents')} ${arg} does not exist${p === path.resolve(raw) ? '' : ` (it leads to ${show(p)})`}`);
    }
    if (code === 'ELOOP') throw new UserError(`${input('contents')} ${arg}: too many levels of symbolic links (a symlink loop?)`);
    throw new UserError(`${input('contents')} ${arg} cannot be read: ${code ?? String(e)}`);
  }
}
