import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Builds the benchmark closure in the local Nix store from file trees found
 * on this machine, shaped like a nixpkgs closure: one libc everything uses,
 * libraries that use each other, a Python with its packages, leaf paths of
 * docs, man pages and locales, applications that pull a bit of everything,
 * and one root application.
 */
export interface BenchClosure {
  root: string;
  paths: number;
  files: number;
  bytes: number;
}

interface Source {
  from: string;
  to: string;
}
interface Package {
  name: string;
  sources: Source[];
  deps: number[];
}

const HERE = path.dirname(fileURLToPath(import.meta.url));
const NIX_FILE = path.resolve(HERE, '..', '..', 'bench', 'closure.nix');
const SAFE = /^[A-Za-z0-9._+@-]+$/;

/** Splits a directory's entries into `buckets` groups by a stable hash of their names. */
function bucketed(dir: string, buckets: number, to: string): Source[][] {
  const groups: Source[][] = Array.from({ length: buckets }, () => []);
  if (!existsSync(dir)) return groups;
  for (const entry of readdirSync(dir).sort()) {
    const from = path.join(dir, entry);
    const st = lstatSync(from);
    if (!SAFE.test(entry) || !(st.isFile() || st.isDirectory() || st.isSymbolicLink())) continue;
    const stem = entry.split(/[.-]/)[0] ?? entry;
    const b = createHash('sha256').update(stem).digest().readUInt32BE(0) % buckets;
    groups[b]?.push({ from, to: `${to}/${entry}` });
  }
  return groups;
}

export function manifest(scale: 1 | 2): { packages: Package[]; salted: string } {
  const packages: Package[] = [];
  const add = (name: string, sources: Source[], deps: number[]): number => {
    packages.push({ name, sources, deps: [...new Set(deps)].sort((a, b) => a - b) });
    return packages.length - 1;
  };
  const libdir = '/usr/lib/x86_64-linux-gnu';
  const libGroups = bucketed(libdir, 41, 'lib');
  const libc = add('glibc-2.36', libGroups[0] ?? [], []);
  const libs: number[] = [];
  for (let i = 1; i < libGroups.length; i++) {
    const j = i - 1;
    const deps = [libc, ...(j > 0 ? [libs[Math.floor((j - 1) / 2)] as number, libs[Math.floor((j - 1) / 3)] as number] : [])];
    libs.push(add(`lib${j}-1.${j}`, libGroups[i] ?? [], deps));
  }
  const python = add('python3-3.11', [{ from: '/usr/lib/python3.11', to: 'lib/python3.11' }], [libc, ...libs.slice(0, 5)]);
  const pyPackages = bucketed('/usr/lib/python3/dist-packages', 20, 'lib/python3.11/site-packages').map((s, j) =>
    add(`python3.11-pkg${j}-1.0`, s, [python, libs[j % libs.length] as number]),
  );
  const leaves = (dir: string, n: number, to: string, prefix: string) => bucketed(dir, n, to).map((s, j) => add(`${prefix}${j}`, s, []));
  const man = leaves('/usr/share/man', 15, 'share/man', 'man-pages-part');
  const locales = leaves('/usr/share/locale', 15, 'share/locale', 'locales-part');
  const docs = leaves('/usr/share/doc', 30, 'share/doc', 'docs-part');
  const headers = leaves('/usr/include', 10, 'include', 'headers-part');
  const extra: number[] = [];
  for (const [dir, name] of [['/usr/share/i18n', 'i18n'], ['/usr/share/perl', 'perl-5.36'], ['/usr/share/zoneinfo', 'tzdata'], ['/usr/lib/node_modules', 'node-modules']] as const) {
    if (existsSync(dir)) extra.push(add(name, [{ from: dir, to: `share/${path.basename(dir)}` }], []));
  }
  if (scale === 2) {
    for (const [dir, name] of [['/usr/lib/jvm', 'openjdk-17'], ['/usr/lib/llvm-14', 'llvm-14'], ['/usr/lib/gcc', 'gcc-12']] as const) {
      if (existsSync(dir)) extra.push(add(name, [{ from: dir, to: `lib/${path.basename(dir)}` }], [libc]));
    }
    bucketed('/usr/lib/google-cloud-sdk/lib', 10, 'lib/google-cloud-sdk').forEach((s, j) => extra.push(add(`cloud-sdk-part${j}`, s, [python])));
  }
  const apps = Array.from({ length: 20 }, (_, k) =>
    add(`app${k}-2.${k}`, [], [
      libs[(2 * k) % libs.length] as number,
      libs[(2 * k + 1) % libs.length] as number,
      pyPackages[k % pyPackages.length] as number,
      docs[k % docs.length] as number,
      man[k % man.length] as number,
      locales[k % locales.length] as number,
    ]),
  );
  add('bench-app-1.0', [], [...apps, ...headers, ...docs, ...extra]);
  // A library half the others depend on, as openssl or zlib would be.
  return { packages, salted: 'lib5-1.5' };
}

/** Fails unless the closure is as large as the benchmark's figures assume. */
export function checkRealistic(c: BenchClosure): void {
  if (c.paths < 150 || c.files < 40_000 || c.bytes < 1e9) {
    throw new Error('this machine lacks the file trees for a closure of 150 paths, 40,000 files and 1 GB');
  }
}

/** Builds (or finds, when already built) the closure; returns its root. */
export function buildClosure(workDir: string, opts: { scale: 1 | 2; salt?: string; salted?: string }): BenchClosure {
  const file = path.join(workDir, `manifest-${opts.scale}.json`);
  writeFileSync(file, JSON.stringify(manifest(opts.scale)));
  const root = execFileSync(
    'nix-build',
    [NIX_FILE, '--arg', 'manifest', file, '--argstr', 'salt', opts.salt ?? '', '--argstr', 'salted', opts.salted ?? '', '--no-out-link', '--quiet',
      // Root builds: some of the copied files are readable by root only.
      '--option', 'sandbox', 'false', '--option', 'build-users-group', '', '--option', 'substitute', 'false'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 },
  ).trim();
  const paths = execFileSync('nix-store', ['-qR', root], { encoding: 'utf8' }).trim().split('\n');
  const counted = execFileSync('sh', ['-c', 'find "$@" -type f | wc -l; du -scb "$@" | tail -1 | cut -f1', 'sh', ...paths], { encoding: 'utf8', maxBuffer: 1 << 26 })
    .trim()
    .split('\n');
  return { root, paths: paths.length, files: Number(counted[0]), bytes: Number(counted[1]) };
}
