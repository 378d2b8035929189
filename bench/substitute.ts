/**
 * Pushes straight from a binary cache against realise-then-push, on the
 * benchmark closure in a binary cache made by `nix copy` (xz, as Nix's
 * default), served by bench/cache-server.ts with a network model (100 MB/s
 * shared, 50 ms a request). Both sides start from a fresh state: an empty
 * Nix store and database (a mount namespace with tmpfs over /nix/store and
 * /nix/var/nix, as root) and no layer cache.
 * - ours: `build --push --substituter …`, nothing realised;
 * - theirs: `nix-store --realise` of the image's root from the same cache,
 *   then the same push from the realised store.
 * Scenarios, each into a repository of its own, interleaved, the side that
 * goes first alternating by round:
 * - unchanged service: the repository holds every layer (v1 pushed before,
 *   untimed), v1 pushed again under a new tag;
 * - app-only change: the repository holds v1, v2 (the app changed) pushed;
 * - cold: an empty repository, v1 pushed.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { startRegistry, type TestRegistry } from '../test/support/registry.js';
import type { BenchClosure } from './closure.js';
import { median, minMax, REPO, timedAsync } from './measure.js';

const RATE = 100e6;
const LATENCY_MS = 50;
const SCENARIOS = ['unchanged', 'appOnly', 'cold'] as const;
type Scenario = (typeof SCENARIOS)[number];
const TARGETS: Record<Scenario, number> = { unchanged: 0.1, appOnly: 0.2, cold: 1.3 };
const NAMES: Record<Scenario, string> = { unchanged: 'unchanged service (registry has every layer)', appOnly: 'app-only change', cold: 'cold (empty repository)' };

interface SideRun {
  seconds: number;
  maxRssKiB: number;
  narBytes: number;
  requests: number;
  uploads: number;
}

export interface SubstituteResults {
  repetitions: number;
  cache: { compression: 'xz'; narBytes: number; fileBytes: number; paths: number };
  network: { bytesPerSecond: number; latencyMs: number };
  runs: Record<Scenario, { ours: SideRun[]; theirs: SideRun[] }>;
  medians: Record<Scenario, { ours: number; theirs: number; ratio: number; target: number; met: boolean }>;
}

/** A binary cache of both closures, made once and kept between runs (xz takes minutes): its folder and public key. */
function binaryCache(roots: readonly string[], log: (m: string) => void): { dir: string; publicKey: string } {
  const id = createHash('sha256').update(roots.join('\n')).digest('hex').slice(0, 16);
  const dir = path.join(homedir(), '.cache', 'layered-image-bench', `binary-cache-xz-${id}`);
  const cache = path.join(dir, 'cache');
  if (!existsSync(path.join(cache, 'nix-cache-info'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    log('bench: making the binary cache (nix copy, xz; minutes, once)');
    execFileSync('nix-store', ['--generate-binary-cache-key', 'bench-cache-1', path.join(dir, 'sk'), path.join(dir, 'pk')]);
    const url = `file://${cache}?compression=xz&parallel-compression=true&secret-key=${path.join(dir, 'sk')}`;
    execFileSync('nix', ['--extra-experimental-features', 'nix-command', 'copy', '--to', url, ...roots], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return { dir: cache, publicKey: readFileSync(path.join(dir, 'pk'), 'utf8').trim() };
}

/** Starts bench/cache-server.js on `dir`; resolves with its URL once it listens. */
function startCacheServer(dir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [path.join(REPO, 'build', 'bench', 'cache-server.js'), dir, String(RATE), String(LATENCY_MS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout?.setEncoding('utf8').once('data', (line: string) => {
      const port = /listening (\d+)/.exec(line)?.[1];
      if (port === undefined) reject(new Error(`cache server: ${line}`));
      else resolve({ url: `http://127.0.0.1:${port}`, child });
    });
  });
}

async function stats(url: string): Promise<{ requests: number; narBytes: number }> {
  return (await fetch(`${url}/_stats`)).json() as Promise<{ requests: number; narBytes: number }>;
}

/** `argv` in a mount namespace whose Nix store and database are empty: a fresh runner's. */
function withoutStore(script: string, args: readonly string[]): string[] {
  return ['unshare', '-m', '--propagation', 'private', 'sh', '-c', `mount -t tmpfs none /nix/store && mount -t tmpfs none /nix/var/nix && ${script}`, 'sh', ...args];
}

export async function measureSubstitute(opts: {
  v1: BenchClosure;
  v2: BenchClosure;
  cli: string;
  reps: number;
  log: (m: string) => void;
}): Promise<SubstituteResults> {
  const { v1, v2, cli, log } = opts;
  const cache = binaryCache([v1.root, v2.root], log);
  const server = await startCacheServer(cache.dir);
  let registry: TestRegistry | undefined;
  try {
    registry = await startRegistry();
    const reg = registry;
    const subs = ['--substituter', server.url, '--trusted-public-key', cache.publicKey];
    const push = (repo: string, root: string, extra: string[]) => [process.execPath, cli, 'build', '--json', '--name', `${reg.host}/${repo}`, '--tag', 'next', '--contents', root, '--max-layers', '100', '--push', '--no-cache', '--cache-from', `${reg.host}/${repo}:v1`, ...extra];
    // v1 in a base repository, mounted from it into each repository a scenario starts from.
    await timedAsync([process.execPath, cli, 'build', '--name', `${reg.host}/base/app`, '--tag', 'v1', '--contents', v1.root, '--max-layers', '100', '--push', '--no-cache'], []);
    const runs = Object.fromEntries(SCENARIOS.map((s) => [s, { ours: [] as SideRun[], theirs: [] as SideRun[] }])) as SubstituteResults['runs'];
    for (let round = 0; round < opts.reps; round++) {
      log(`bench: substitute round ${round + 1} of ${opts.reps}`);
      for (const scenario of SCENARIOS) {
        const sides = round % 2 === 0 ? (['ours', 'theirs'] as const) : (['theirs', 'ours'] as const);
        for (const side of sides) {
          const repo = `r${round}-${scenario.toLowerCase()}-${side}/app`;
          if (scenario !== 'cold') {
            await timedAsync([process.execPath, cli, 'build', '--name', `${reg.host}/${repo}`, '--tag', 'v1', '--contents', v1.root, '--max-layers', '100', '--push', '--no-cache', '--cache-from', `${reg.host}/base/app:v1`], []);
          }
          const root = scenario === 'appOnly' ? v2.root : v1.root;
          const argv = side === 'ours'
            ? withoutStore('exec "$@"', push(repo, root, subs))
            : withoutStore(`nix-store --realise "$ROOT" --option substituters "$URL" --option trusted-public-keys "$KEY" > /dev/null && exec "$@"`, push(repo, root, []));
          await reg.settled();
          const before = reg.blobUploads(repo);
          await fetch(`${server.url}/_reset`, { method: 'POST' });
          // A fresh runner has no narinfo cache of Nix's either (~/.cache/nix).
          const xdg = mkdtempSync(path.join(tmpdir(), 'bench-xdg-'));
          const t = await timedAsync(argv, [], { ...process.env, ROOT: root, URL: server.url, KEY: cache.publicKey, XDG_CACHE_HOME: xdg }).finally(() => rmSync(xdg, { recursive: true, force: true }));
          const served = await stats(server.url);
          await reg.settled();
          const run: SideRun = { seconds: t.seconds, maxRssKiB: t.maxRssKiB, narBytes: served.narBytes, requests: served.requests, uploads: reg.blobUploads(repo) - before };
          runs[scenario][side].push(run);
          log(`bench:   ${NAMES[scenario]}, ${side}: ${run.seconds.toFixed(2)} s, ${size(run.narBytes)} of NARs in ${run.requests} requests, ${run.uploads} blobs uploaded`);
        }
      }
    }
    const medians = Object.fromEntries(SCENARIOS.map((s) => {
      const ours = median(runs[s].ours.map((r) => r.seconds));
      const theirs = median(runs[s].theirs.map((r) => r.seconds));
      return [s, { ours, theirs, ratio: ours / theirs, target: TARGETS[s], met: ours / theirs <= TARGETS[s] }];
    })) as SubstituteResults['medians'];
    return { repetitions: opts.reps, cache: cacheSize(cache.dir), network: { bytesPerSecond: RATE, latencyMs: LATENCY_MS }, runs, medians };
  } finally {
    await registry?.stop();
    server.child.kill('SIGTERM');
  }
}

function cacheSize(dir: string): SubstituteResults['cache'] {
  const infos = execFileSync('sh', ['-c', 'cat "$1"/*.narinfo', 'sh', dir], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const sum = (field: string) => [...infos.matchAll(new RegExp(`^${field}: (\\d+)$`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);
  return { compression: 'xz', narBytes: sum('NarSize'), fileBytes: sum('FileSize'), paths: [...infos.matchAll(/^StorePath: /gm)].length };
}

/** The table the README shows. */
export function substituteLines(r: SubstituteResults): string[] {
  const range = (xs: SideRun[]) => {
    const [lo, hi] = minMax(xs.map((x) => x.seconds));
    return `${median(xs.map((x) => x.seconds)).toFixed(2)} (${lo.toFixed(2)}–${hi.toFixed(2)})`;
  };
  const mb = (xs: SideRun[]) => size(median(xs.map((x) => x.narBytes)));
  const lines = [`substitute: ${r.cache.paths} paths, ${(r.cache.narBytes / 1e9).toFixed(2)} GB of NARs (${(r.cache.fileBytes / 1e9).toFixed(2)} GB xz); ${r.network.bytesPerSecond / 1e6} MB/s, ${r.network.latencyMs} ms a request; wall seconds, medians of ${r.repetitions} (min–max)`];
  lines.push(`  ${'scenario'.padEnd(46)} ${'from the cache'.padEnd(20)} ${'realise, then push'.padEnd(20)} ratio   target`);
  for (const s of SCENARIOS) {
    const m = r.medians[s];
    lines.push(`  ${NAMES[s].padEnd(46)} ${range(r.runs[s].ours).padEnd(20)} ${range(r.runs[s].theirs).padEnd(20)} ${m.ratio.toFixed(3).padEnd(7)} ≤ ${m.target} ${m.met ? 'met' : 'NOT met'}`);
    lines.push(`    NARs downloaded: ${mb(r.runs[s].ours)} against ${mb(r.runs[s].theirs)}; blobs uploaded: ${median(r.runs[s].ours.map((x) => x.uploads))} against ${median(r.runs[s].theirs.map((x) => x.uploads))}`);
  }
  return lines;
}

function size(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(0)} MB` : `${(bytes / 1e3).toFixed(1)} kB`;
}
