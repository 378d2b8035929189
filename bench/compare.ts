/**
 * `BENCH_AGAINST=<git revision> npm run bench`: this checkout against the
 * commit before a change, in one run, so that whatever the machine does in
 * the meantime hits both alike.
 *
 * The revision is checked out in a temporary git worktree under the system
 * temp dir, this checkout's node_modules linked into it when package.json's
 * dependencies are the same (else `npm ci` there), and compiled with its
 * own `tsc -p tsconfig.json` (its CLI found where that config puts
 * src/cli.ts). The worktree is removed at the end, on failure, and on
 * SIGINT or SIGTERM.
 *
 * Both CLIs run with the same arguments on the benchmark's closure, each
 * output in a new temporary folder removed after the run, timed as every
 * measurement is (bench/measure.ts). Each round runs every scenario once a
 * side, before then current, for BENCH_REPS rounds:
 * - docker-archive cold (`--no-cache`, a new file);
 * - docker-archive to standard output (`--output -`), redirected to a file,
 *   as `docker load` would read it;
 * - OCI layout cold, an empty directory as `--cache-dir`;
 * - push cold: a new registry and repository for each side, `--no-cache`;
 * - push warm: the same image pushed again to that repository, with
 *   nothing to upload.
 * Both revisions must write the same docker-archive bytes, in each of the
 * two scenarios (the stream names its layers 001/…, so it is not the
 * file's bytes): a line warns when they do not. The manifests pushed are
 * compared too, and a line notes when they differ.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, lstatSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, unlinkSync, existsSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import path from 'node:path';
import { startRegistry, type TestRegistry } from '../test/support/registry.js';
import { buildClosure, checkRealistic, type BenchClosure } from './closure.js';
import { machine, median, minMax, REPO, stopTimed, timedAsync, writeResults } from './measure.js';

const SCENARIOS = {
  archiveCold: 'docker-archive cold (--no-cache)',
  archiveStdout: 'docker-archive to stdout, into a file',
  ociCold: 'OCI layout cold (empty --cache-dir)',
  pushCold: 'push cold (new repository, --no-cache)',
  pushWarm: 'push warm (same image, nothing to upload)',
} as const;
type Scenario = keyof typeof SCENARIOS;
type SideName = 'before' | 'current';

interface Digested {
  scenario: Scenario;
  round: number;
  sha256: string;
}

interface Side {
  name: SideName;
  cli: string;
}

interface Run {
  seconds: number;
  maxRssKiB: number;
}

/** Each scenario's runs, per side, in the order they ran. */
type Series = Record<Scenario, Record<SideName, Run[]>>;

interface Context {
  closure: BenchClosure;
  storePaths: readonly string[];
  work: string;
  /** sha256 of every docker-archive written and every manifest pushed, per side. */
  digests: Record<SideName, Digested[]>;
  /** Folders of the registries running now, removed on a signal. */
  registries: Set<string>;
  log: (m: string) => void;
}

const MAX_LAYERS = '100';

export async function compareAgainst(o: { against: string; cli: string; reps: number; log: (m: string) => void }): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'layered-image-bench-'));
  const worktree = mkdtempSync(path.join(tmpdir(), 'layered-image-before-'));
  const registries = new Set<string>();
  let cleaned = false;
  const cleanUp = () => {
    if (cleaned) return;
    cleaned = true;
    stopTimed();
    for (const dir of registries) rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    removeWorktree(worktree);
    rmSync(work, { recursive: true, force: true, maxRetries: 5 });
  };
  const offSignals = onSignals(o.log, cleanUp);
  try {
    o.log(`bench: checking out ${o.against} in ${worktree} and compiling it`);
    const before = checkOut(o.against, worktree, o.log);
    o.log('bench: building the closure in the Nix store (slow the first time only)');
    const closure = buildClosure(work, { scale: 1 });
    checkRealistic(closure);
    const storePaths = execFileSync('nix-store', ['-qR', closure.root], { encoding: 'utf8' }).trim().split('\n');
    const ctx: Context = { closure, storePaths, work, digests: { before: [], current: [] }, registries, log: o.log };
    const sides: Side[] = [{ name: 'before', cli: before.cli }, { name: 'current', cli: o.cli }];
    const series = Object.fromEntries(Object.keys(SCENARIOS).map((k) => [k, { before: [], current: [] }])) as unknown as Series;
    for (let round = 0; round < o.reps; round++) {
      o.log(`bench: compare round ${round + 1} of ${o.reps}`);
      await measureRound(round, sides, ctx, series);
    }
    report({ ...o, before, closure, series, digests: ctx.digests, worktree });
  } finally {
    cleanUp();
    offSignals();
  }
}

/** On SIGINT or SIGTERM: `cleanUp`, then exit as the signal would have. */
function onSignals(log: (m: string) => void, cleanUp: () => void): () => void {
  const handler = (signal: NodeJS.Signals) => {
    log(`bench: ${signal}: removing the temporary worktree and files`);
    cleanUp();
    process.exit(128 + constants.signals[signal as 'SIGINT' | 'SIGTERM']);
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

interface Checkout {
  revision: string;
  commit: string;
  /** this checkout's node_modules linked in, or installed there. */
  dependencies: 'linked' | 'installed';
  cli: string;
}

/** `revision` in a new worktree at `dir` (an empty folder), with dependencies, compiled. */
function checkOut(revision: string, dir: string, log: (m: string) => void): Checkout {
  const commit = git('rev-parse', '--verify', '--end-of-options', `${revision}^{commit}`);
  const toStderr = { stdio: ['ignore', 2, 2] as ['ignore', number, number] };
  execFileSync('git', ['-C', REPO, 'worktree', 'add', '--detach', dir, commit], toStderr);
  const deps = (root: string) => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    return JSON.stringify(['dependencies', 'devDependencies'].map((k) => Object.entries(pkg[k] ?? {}).sort()));
  };
  let dependencies: Checkout['dependencies'] = 'linked';
  if (deps(REPO) === deps(dir)) {
    symlinkSync(realpathSync(path.join(REPO, 'node_modules')), path.join(dir, 'node_modules'), 'dir');
  } else {
    log(`bench: ${revision} has other dependencies: installing them in its worktree`);
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, ...toStderr });
    dependencies = 'installed';
  }
  execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: dir, ...toStderr });
  return { revision, commit, dependencies, cli: compiledCli(dir) };
}

/** Where `tsc -p tsconfig.json` put src/cli.ts's output, by that config's outDir and rootDir. */
function compiledCli(dir: string): string {
  const shown = JSON.parse(execFileSync('npx', ['tsc', '-p', 'tsconfig.json', '--showConfig'], { cwd: dir, encoding: 'utf8' })) as {
    compilerOptions?: { outDir?: string; rootDir?: string };
  };
  const outDir = path.resolve(dir, shown.compilerOptions?.outDir ?? '.');
  const rootDir = shown.compilerOptions?.rootDir;
  const candidates =
    rootDir === undefined
      ? [path.join(outDir, 'cli.js'), path.join(outDir, 'src', 'cli.js')]
      : [path.join(outDir, path.relative(path.resolve(dir, rootDir), path.join(dir, 'src', 'cli.js')))];
  const cli = candidates.find((c) => existsSync(c));
  if (cli === undefined) throw new Error(`no compiled CLI in ${dir}: looked for ${candidates.join(', ')}`);
  return cli;
}

/** The worktree at `dir` gone: its node_modules link first (never what it points to), then the worktree, then git's record of it. */
function removeWorktree(dir: string): void {
  const link = path.join(dir, 'node_modules');
  let isLink = false;
  try {
    isLink = lstatSync(link).isSymbolicLink();
  } catch {
    // No node_modules: nothing to unlink.
  }
  if (isLink) unlinkSync(link);
  spawnSync('git', ['-C', REPO, 'worktree', 'remove', '--force', dir], { stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  spawnSync('git', ['-C', REPO, 'worktree', 'prune'], { stdio: 'ignore' });
}

function git(...args: string[]): string {
  return execFileSync('git', ['-C', REPO, ...args], { encoding: 'utf8' }).trim();
}

/** One round: each scenario once a side, before then current. */
async function measureRound(round: number, sides: readonly Side[], ctx: Context, series: Series): Promise<void> {
  for (const scenario of ['archiveCold', 'archiveStdout', 'ociCold'] as const) {
    for (const side of sides) {
      const run = await buildOnce(scenario, side, round, ctx);
      series[scenario][side.name].push(run);
      ctx.log(`bench:   ${SCENARIOS[scenario]}, ${side.name}: ${run.seconds.toFixed(2)} s`);
    }
  }
  // A registry for each side, so that neither is sent a blob the other sent.
  const started: [Side, TestRegistry][] = [];
  try {
    for (const side of sides) {
      const reg = await startRegistry();
      ctx.registries.add(reg.dir);
      started.push([side, reg]);
    }
    for (const scenario of ['pushCold', 'pushWarm'] as const) {
      for (const [side, reg] of started) {
        const { digest, ...run } = await pushOnce(scenario, side, reg, round, ctx);
        series[scenario][side.name].push(run);
        ctx.digests[side.name].push({ scenario, round, sha256: digest.replace(/^sha256:/, '') });
        ctx.log(`bench:   ${SCENARIOS[scenario]}, ${side.name}: ${run.seconds.toFixed(2)} s`);
      }
    }
  } finally {
    for (const [, reg] of started) {
      await reg.stop();
      ctx.registries.delete(reg.dir);
    }
  }
}

interface Report {
  cache: { restored: number; built: number; saved: number };
  push?: { digest: string; blobs: { uploaded: number; mounted: number; existing: number } };
}

function cliArgs(side: Side, name: string, ctx: Context): string[] {
  return [process.execPath, side.cli, 'build', '--name', name, '--tag', 'bench', '--contents', ctx.closure.root, '--max-layers', MAX_LAYERS];
}

/** A docker-archive or OCI layout build in a new folder, removed after it (its archive hashed first). */
async function buildOnce(scenario: 'archiveCold' | 'archiveStdout' | 'ociCold', side: Side, round: number, ctx: Context): Promise<Run> {
  const dir = mkdtempSync(path.join(ctx.work, `${scenario}-${side.name}-`));
  try {
    const base = cliArgs(side, 'bench', ctx);
    const archive = path.join(dir, 'image.tar');
    if (scenario === 'ociCold') {
      const cache = path.join(dir, 'cache');
      mkdirSync(cache);
      const t = await timedAsync([...base, '--json', '--output-format', 'oci', '--cache-dir', cache, '--output', path.join(dir, 'image-oci')], ctx.storePaths);
      const r = JSON.parse(t.stdout) as Report;
      if (r.cache.restored !== 0 || r.cache.built === 0) throw new Error(`${side.name}: a cold OCI layout build restored ${r.cache.restored} and built ${r.cache.built} store layers`);
      return { seconds: t.seconds, maxRssKiB: t.maxRssKiB };
    }
    const t =
      scenario === 'archiveCold'
        ? await timedAsync([...base, '--json', '--no-cache', '--output', archive], ctx.storePaths)
        : await timedAsync([...base, '--no-cache', '--output', '-'], ctx.storePaths, undefined, { stdoutTo: archive });
    if (scenario === 'archiveCold') {
      const r = JSON.parse(t.stdout) as Report;
      if (r.cache.restored + r.cache.saved !== 0) throw new Error(`${side.name}: a docker-archive build used the cache`);
    }
    ctx.digests[side.name].push({ scenario, round, sha256: await sha256(archive) });
    return { seconds: t.seconds, maxRssKiB: t.maxRssKiB };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A push of the closure into `<registry>/<side>/app-<round>`: cold must
 * upload every blob, warm none; counted by the registry's log as well as
 * by the push report. Cold reads the store paths; warm reads none.
 */
async function pushOnce(scenario: 'pushCold' | 'pushWarm', side: Side, reg: TestRegistry, round: number, ctx: Context): Promise<Run & { digest: string }> {
  const repository = `${side.name}/app-${round}`;
  await reg.settled();
  const uploadsBefore = reg.blobUploads(repository);
  const argv = [...cliArgs(side, `${reg.host}/${repository}`, ctx), '--json', '--push', '--no-cache'];
  const t = await timedAsync(argv, scenario === 'pushCold' ? ctx.storePaths : []);
  await reg.settled();
  const uploads = reg.blobUploads(repository) - uploadsBefore;
  const pushed = (JSON.parse(t.stdout) as Report).push;
  if (pushed === undefined) throw new Error(`${side.name}: a push reported no push`);
  const b = pushed.blobs;
  const ok = scenario === 'pushCold' ? uploads > 0 && b.uploaded === uploads && b.mounted + b.existing === 0 : uploads === 0 && b.uploaded === 0;
  if (!ok) throw new Error(`${side.name}: ${SCENARIOS[scenario]}: the registry saw ${uploads} uploads, the report says ${JSON.stringify(b)}`);
  return { seconds: t.seconds, maxRssKiB: t.maxRssKiB, digest: pushed.digest };
}

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The table on standard output and <date>-compare.json. */
function report(r: {
  against: string;
  reps: number;
  cli: string;
  before: Checkout;
  worktree: string;
  closure: BenchClosure;
  series: Series;
  digests: Context['digests'];
}): void {
  const head = git('rev-parse', 'HEAD');
  const uncommitted = git('status', '--porcelain', '--untracked-files=no') !== '';
  const summary = (runs: readonly Run[]) => {
    const secs = runs.map((x) => x.seconds);
    const [min, max] = minMax(secs);
    return { medianSeconds: median(secs), minSeconds: min, maxSeconds: max, runs };
  };
  const scenarios = Object.fromEntries(
    (Object.keys(SCENARIOS) as Scenario[]).map((k) => {
      const before = summary(r.series[k].before);
      const current = summary(r.series[k].current);
      return [k, { title: SCENARIOS[k], before, current, ratio: current.medianSeconds / before.medianSeconds }];
    }),
  ) as Record<Scenario, { title: string; before: ReturnType<typeof summary>; current: ReturnType<typeof summary>; ratio: number }>;
  const sameness = compareDigests(r.digests);
  const date = new Date().toISOString().slice(0, 10);
  const results = {
    date,
    machine: machine(),
    closure: r.closure,
    revisions: {
      before: { revision: r.against, commit: r.before.commit, dependencies: r.before.dependencies, cli: path.relative(r.worktree, r.before.cli) },
      current: { commit: head, uncommittedChanges: uncommitted, cli: path.relative(REPO, r.cli) },
    },
    repetitions: r.reps,
    order: 'rounds; in each, every scenario once a side, before then current',
    stdout: 'docker-archive to standard output redirected to a file in a new temporary folder',
    scenarios,
    sameBytes: Object.fromEntries(sameness.map((s) => [s.scenario, { same: s.same, before: s.before, current: s.current }])),
    digests: r.digests,
  };
  const file = writeResults(`${date}-compare.json`, results);
  const cell = (s: ReturnType<typeof summary>) => `${s.medianSeconds.toFixed(2)} (${s.minSeconds.toFixed(2)}–${s.maxSeconds.toFixed(2)})`.padEnd(22);
  const lines = [
    `compare: before ${r.against} (${r.before.commit.slice(0, 12)}), current ${head.slice(0, 12)}${uncommitted ? ' with uncommitted changes' : ''}`,
    `closure: ${r.closure.paths} store paths, ${r.closure.files} files, ${(r.closure.bytes / 1e9).toFixed(2)} GB; maxLayers ${MAX_LAYERS}; wall seconds, medians of ${r.reps} a side (min–max), interleaved`,
    `  ${'scenario'.padEnd(44)}${'before'.padEnd(22)}${'current'.padEnd(22)}current/before`,
    ...(Object.keys(SCENARIOS) as Scenario[]).map((k) => {
      const s = scenarios[k];
      return `  ${s.title.padEnd(44)}${cell(s.before)}${cell(s.current)}${s.ratio.toFixed(2)}`;
    }),
    ...sameness.map((s) => s.line),
    `results: ${path.relative(REPO, file)}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/**
 * Per scenario that has them, whether every digest of both sides is the
 * same: a docker-archive must be (a warning when not), a pushed manifest
 * is noted.
 */
function compareDigests(digests: Context['digests']): { scenario: Scenario; same: boolean; before: string[]; current: string[]; line: string }[] {
  const scenarios = [...new Set([...digests.before, ...digests.current].map((d) => d.scenario))];
  return scenarios.map((scenario) => {
    const of = (side: SideName) => [...new Set(digests[side].filter((d) => d.scenario === scenario).map((d) => d.sha256))];
    const before = of('before');
    const current = of('current');
    const same = before.length === 1 && current.length === 1 && before[0] === current[0];
    const what = scenario === 'archiveCold' || scenario === 'archiveStdout' ? 'docker-archive' : 'pushed manifest';
    const title = SCENARIOS[scenario];
    const line = same
      ? `same bytes in both revisions: ${title}: ${what} sha256 ${before[0]}`
      : `${what === 'docker-archive' ? 'WARNING' : 'note'}: ${title}: the ${what}s differ: sha256 before ${before.join(', ')}; current ${current.join(', ')}`;
    return { scenario, same, before, current, line };
  });
}
