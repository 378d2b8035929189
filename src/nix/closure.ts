import { execFile } from 'node:child_process';
import { UserError } from '../errors.js';
import type { RemotePath } from './substituters.js';

/** One store path of the closure with its direct references (self excluded). */
export interface StorePathInfo {
  path: string;
  narSize: number;
  references: string[];
  /** The NAR's SHA-256 in hex, as the store's registration gives it; absent when it gives another form. */
  narHash?: string;
  /** The derivation that built it, when the store names one. */
  deriver?: string;
}

/** The runtime closure of some roots, keyed and sorted by store path. */
export interface Closure {
  roots: string[];
  paths: Map<string, StorePathInfo>;
  /** The paths read from binary caches, not being in the local store; none when every root is local. */
  remote?: ReadonlyMap<string, RemotePath>;
}

/**
 * Queries the closure and its reference graph with two `nix-store` calls in
 * all, whatever the number of paths. `--requisites` and `--dump-db` print
 * plain text whose format has not changed since Nix 2.0, unlike
 * `nix path-info --json` (a list up to 2.18, an object keyed by path since,
 * and a versioned format after that), so the same code serves Nix 2.8 and
 * current Nix without experimental flags.
 */
export async function queryClosure(roots: readonly string[]): Promise<Closure> {
  const sortedRoots = [...new Set(roots)].sort();
  if (sortedRoots.length === 0) return { roots: [], paths: new Map() };
  const requisites = (await nixStore(['--query', '--requisites', ...sortedRoots]))
    .split('\n')
    .filter((l) => l !== '');
  const dump = await nixStore(['--dump-db', ...requisites]);
  const paths = parseDumpDb(dump);
  for (const p of requisites) {
    if (!paths.has(p)) throw new Error(`nix-store --dump-db did not describe ${p}`);
  }
  return { roots: sortedRoots, paths: new Map([...paths].sort(([a], [b]) => cmp(a, b))) };
}

/**
 * Parses the registration format of `nix-store --dump-db` (the one
 * `--register-validity` reads): path, NAR hash, NAR size, deriver, the number
 * of references, then the references, one per line.
 */
export function parseDumpDb(text: string): Map<string, StorePathInfo> {
  const lines = text.split('\n');
  const out = new Map<string, StorePathInfo>();
  let i = 0;
  const next = (): string => {
    const l = lines[i++];
    if (l === undefined) throw new Error('nix-store --dump-db output ended early');
    return l;
  };
  while (i < lines.length) {
    const p = next();
    if (p === '') continue;
    const hash = next().replace(/^sha256:/, '');
    const narSize = Number(next());
    const deriver = next();
    const count = Number(next());
    if (!Number.isInteger(count) || count < 0 || !Number.isFinite(narSize)) {
      throw new Error(`unexpected nix-store --dump-db record for ${p}`);
    }
    const refs: string[] = [];
    for (let k = 0; k < count; k++) refs.push(next());
    out.set(p, {
      path: p,
      narSize,
      references: [...new Set(refs)].filter((r) => r !== p).sort(cmp),
      ...(/^[0-9a-f]{64}$/.test(hash) ? { narHash: hash } : {}),
      ...(deriver === '' ? {} : { deriver }),
    });
  }
  return out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// eslint-disable-next-line no-control-regex -- Nix may colour its messages
const ANSI_ESCAPES = /\x1b\[[0-9;]*m/g;

function nixStore(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('nix-store', args, { maxBuffer: 1 << 30, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      if ('code' in err && err.code === 'ENOENT') {
        return reject(new UserError('nix-store was not found on PATH; install Nix first'));
      }
      const plain = stderr.replace(ANSI_ESCAPES, '');
      const line = plain.split('\n').find((l) => l.startsWith('error:')) ?? plain.trim().split('\n')[0] ?? '';
      reject(new UserError(`nix-store ${args[0]} failed: ${line.trim() || err.message}`));
    });
  });
}

/** The NAR bytes of these store paths of the closure: a layer's size, near enough, before it is walked. */
export function narSizeOf(closure: Closure, paths: readonly string[]): number {
  return paths.reduce((n, p) => n + (closure.paths.get(p)?.narSize ?? 0), 0);
}
