/**
 * `npm run bench`: each output of a build measured against what it should
 * cost, on a realistic closure, several runs each, medians, ratios and
 * min–max spreads printed and written to bench/results/:
 * - docker-archive: cold (nothing is cached for it: its layers pack faster
 *   than they restore) against the machine's floor, reading and hashing the
 *   same bytes once with tar and openssl plus copying the image once with cat;
 * - OCI layout with a directory cache: cold (an empty cache), warm (the same
 *   closure again), after an app-only change and after a change to a library
 *   half the closure uses;
 * - pushes to a registry against our docker-archive and skopeo (bench/push.ts);
 * - the Action's runs against the test cache service across a hosted
 *   runner's network (bench/action.ts);
 * - pushes straight from a binary cache against realise-then-push
 *   (bench/substitute.ts).
 *
 * BENCH_REPS (5): runs of each build measurement; BENCH_PUSH_REPS (3):
 * rounds of push measurements; BENCH_ACTION_REPS (1): rounds of Action
 * runs; BENCH_SUBSTITUTE_REPS (3): rounds of binary-cache pushes;
 * BENCH_ONLY=reuse, build, push, action or substitute: only the layer
 * reuse, only the builds (written to <date>-build.json), only the pushes
 * (<date>-push.json), only the Action runs (<date>-action.json), or only
 * the pushes from a binary cache (<date>-substitute.json).
 *
 * BENCH_AGAINST=<git revision>: instead, this checkout against that
 * revision, in one run (bench/compare.ts). The revision is checked out in a
 * temporary git worktree, with this checkout's node_modules linked in (or
 * its own installed, when package.json's dependencies differ), compiled by
 * its own tsconfig.json, and removed at the end, on failure and on SIGINT
 * or SIGTERM. Both CLIs run with the same arguments, interleaved (before,
 * current, before, current, …), BENCH_REPS runs each, in five scenarios:
 * docker-archive cold (`--no-cache`); the same to standard output,
 * redirected to a file; OCI layout cold with an empty `--cache-dir`; push
 * cold (`--no-cache`, a new repository); push warm (the same image again,
 * nothing to upload). Printed: medians, min–max and current/before per
 * scenario; written to <date>-compare.json with both commits. A warning,
 * not a failure, when the two revisions' docker-archives differ in bytes.
 * BENCH_ONLY does not apply to it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildClosure, checkRealistic, type BenchClosure } from './closure.js';
import { measureReuse, REUSE_MAX_LAYERS, type ReuseRow } from './reuse.js';
import { machine, median, minMax, REPO, settle, writeResults } from './measure.js';
import { measurePush, pushLines } from './push.js';
import { measureSubstitute, substituteLines } from './substitute.js';
import { actionLines, measureAction } from './action.js';
import { compareAgainst } from './compare.js';

const CLI = path.join(REPO, 'build', 'src', 'cli.js');
const REPS = Number(process.env['BENCH_REPS'] ?? 5);
const PUSH_REPS = Number(process.env['BENCH_PUSH_REPS'] ?? 3);
const ACTION_REPS = Number(process.env['BENCH_ACTION_REPS'] ?? 1);
const SUBSTITUTE_REPS = Number(process.env['BENCH_SUBSTITUTE_REPS'] ?? 3);
const ONLY = process.env['BENCH_ONLY'];
const AGAINST = process.env['BENCH_AGAINST'] ?? '';

interface Timed {
  seconds: number;
  maxRssKiB: number;
}

interface Report {
  layers: { digest: string; size: number; paths: string[]; source: string }[];
  cache: { restored: number; built: number; saved: number };
}

/** Runs a command under GNU time, settled first; returns wall seconds and peak RSS. */
function timed(argv: string[], opts: { shell?: boolean; inputs: readonly string[] }): Timed & { stdout: string } {
  const cmd = opts.shell ? ['sh', '-c', argv[0] as string] : argv;
  settle(opts.inputs);
  const started = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', ...cmd], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd.join(' ')} failed: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  return { seconds, maxRssKiB: Number(lines[lines.length - 1]), stdout: r.stdout };
}

type BuildRun = Timed & { report: Report };

function cliBuild(closure: BenchClosure, out: string, flags: string[], inputs: readonly string[]): BuildRun {
  // Replacing a 1.6 GB image frees its blocks inside the timed rename, at a
  // cost of 1–2 s on these disks: each build writes a new file or folder,
  // as the copy floor does.
  rmSync(out, { recursive: true, force: true });
  const t = timed([process.execPath, CLI, 'build', '--json', '--name', 'bench', '--contents', closure.root, '--max-layers', '100', '--output', out, ...flags], { inputs });
  return { ...t, report: JSON.parse(t.stdout) as Report };
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'layered-image-bench-'));
  try {
    process.stderr.write('bench: building the closures in the Nix store (slow the first time only)\n');
    const v1 = buildClosure(work, { scale: 1 });
    // The app only (the root path) changed, every other path the same.
    const appChanged = buildClosure(work, { scale: 1, salt: 'changed', salted: 'bench-app-1.0' });
    checkRealistic(v1);
    const closureOf = (root: string) => execFileSync('nix-store', ['-qR', root], { encoding: 'utf8' }).trim().split('\n');
    const push = () => {
      process.stderr.write(`bench: pushes, ${PUSH_REPS} rounds\n`);
      return measurePush({
        v1,
        v2: appChanged,
        v1Paths: closureOf(v1.root),
        v2Paths: closureOf(appChanged.root),
        cli: CLI,
        work,
        reps: PUSH_REPS,
        log: (m) => process.stderr.write(`${m}\n`),
      });
    };
    const action = () => {
      process.stderr.write(`bench: Action runs, ${ACTION_REPS} round${ACTION_REPS === 1 ? '' : 's'}\n`);
      return measureAction({
        v1,
        v2: appChanged,
        v1Paths: closureOf(v1.root),
        v2Paths: closureOf(appChanged.root),
        repo: REPO,
        work,
        reps: ACTION_REPS,
        log: (m) => process.stderr.write(`${m}\n`),
      });
    };
    const substitute = () => {
      process.stderr.write(`bench: pushes from a binary cache, ${SUBSTITUTE_REPS} rounds\n`);
      return measureSubstitute({ v1, v2: appChanged, cli: CLI, reps: SUBSTITUTE_REPS, log: (m) => process.stderr.write(`${m}\n`) });
    };
    if (ONLY === 'substitute') {
      const substituted = await substitute();
      const results = { date: new Date().toISOString().slice(0, 10), machine: machine(), closure: v1, substitute: substituted };
      const file = writeResults(`${results.date}-substitute.json`, results);
      process.stdout.write(`${[...substituteLines(substituted), `results: ${path.relative(REPO, file)}`].join('\n')}\n`);
      return;
    }
    if (ONLY === 'action') {
      process.stderr.write(`bench: closure ${v1.paths} paths, ${v1.files} files, ${(v1.bytes / 1e9).toFixed(2)} GB\n`);
      const acted = await action();
      const results = { date: new Date().toISOString().slice(0, 10), machine: machine(), closure: v1, action: acted };
      const file = writeResults(`${results.date}-action.json`, results);
      process.stdout.write(`${[...actionLines(acted), `results: ${path.relative(REPO, file)}`].join('\n')}\n`);
      return;
    }
    if (ONLY === 'push') {
      process.stderr.write(`bench: closure ${v1.paths} paths, ${v1.files} files, ${(v1.bytes / 1e9).toFixed(2)} GB\n`);
      const pushed = await push();
      const results = { date: new Date().toISOString().slice(0, 10), machine: machine(), closure: v1, push: pushed };
      const file = writeResults(`${results.date}-push.json`, results);
      process.stdout.write(`${[...pushLines(pushed), `results: ${path.relative(REPO, file)}`].join('\n')}\n`);
      return;
    }
    const v2 = buildClosure(work, { scale: 1, salt: 'changed' });
    const big = buildClosure(work, { scale: 2 });
    process.stderr.write(`bench: closure ${v1.paths} paths, ${v1.files} files, ${(v1.bytes / 1e9).toFixed(2)} GB; twice-size closure ${(big.bytes / 1e9).toFixed(2)} GB\n`);
    process.stderr.write('bench: layer reuse by layering strategy\n');
    const reuse = await measureReuse(v1.root, [
      { name: 'app only', root: appChanged.root },
      { name: 'one mid-level package (lib5)', root: v2.root },
    ]);
    process.stdout.write(reuseTable(reuse));
    if (ONLY === 'reuse') return;

    const builds = measureBuilds({ v1, appChanged, v2, big, closureOf, work });
    if (ONLY === 'build') {
      const results = { date: new Date().toISOString().slice(0, 10), machine: machine(), closure: builds.closure, ...builds.results, reuse };
      const file = writeResults(`${results.date}-build.json`, results);
      process.stdout.write(`${[...builds.lines, `results: ${path.relative(REPO, file)}`].join('\n')}\n`);
      return;
    }
    const pushed = await push();
    const acted = await action();
    const substituted = await substitute();
    const results = { date: new Date().toISOString().slice(0, 10), machine: machine(), closure: builds.closure, ...builds.results, reuse, push: pushed, action: acted, substitute: substituted };
    const file = writeResults(`${results.date}.json`, results);
    process.stdout.write(`${[...builds.lines, ...pushLines(pushed), ...actionLines(acted), ...substituteLines(substituted), `results: ${path.relative(REPO, file)}`].join('\n')}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The builds, REPS rounds: a docker-archive cold with its floors, then an
 * OCI layout cold, warm, and after each change, each from a cache seeded by
 * one build of v1.
 */
function measureBuilds(o: {
  v1: BenchClosure;
  appChanged: BenchClosure;
  v2: BenchClosure;
  big: BenchClosure;
  closureOf: (root: string) => string[];
  work: string;
}) {
  const { v1, appChanged, v2, big, work } = o;
  const storePaths = o.closureOf(v1.root);
  const v1Paths = new Set(storePaths);
  const newIn = (root: string) => o.closureOf(root).filter((p) => !v1Paths.has(p));
  const out = (name: string) => path.join(work, name);

  const archiveCold: BuildRun[] = [];
  const hashFloor: number[] = [];
  const copyFloor: number[] = [];
  const ociCold: BuildRun[] = [];
  const ociWarm: BuildRun[] = [];
  const ociAppChanged: BuildRun[] = [];
  const ociLibChanged: BuildRun[] = [];

  // A docker-archive never opens the cache: this folder must stay absent.
  const unused = path.join(work, 'cache-unused');
  // A cache holding every blob of v1's OCI layout; each changed build gets
  // a copy of it in hard links (entries are never written in place), so
  // that what one saves helps no other.
  const seeded = path.join(work, 'cache-v1');
  cliBuild(v1, out('oci-seed'), ['--output-format', 'oci', '--cache-dir', seeded], []);
  rmSync(out('oci-seed'), { recursive: true, force: true });
  const oci = (closure: BenchClosure, name: string, cache: string, inputs: readonly string[]) =>
    cliBuild(closure, out(name), ['--output-format', 'oci', '--cache-dir', cache], inputs);
  const copyOfSeed = (name: string) => {
    const dir = path.join(work, name);
    execFileSync('cp', ['-al', seeded, dir]);
    return dir;
  };

  for (let rep = 0; rep < REPS; rep++) {
    process.stderr.write(`bench: build round ${rep + 1} of ${REPS}\n`);
    const a = cliBuild(v1, out('cold.tar'), ['--cache-dir', unused], storePaths);
    if (existsSync(unused) || a.report.cache.restored + a.report.cache.saved !== 0) throw new Error('a docker-archive build used the cache');
    archiveCold.push(a);
    hashFloor.push(timed([`tar -cf - -P ${storePaths.join(' ')} | openssl dgst -sha256 > /dev/null`], { shell: true, inputs: storePaths }).seconds);
    copyFloor.push(timed([`cat ${out('cold.tar')} > ${out('copy.tar')}`], { shell: true, inputs: [out('cold.tar')] }).seconds);
    rmSync(out('copy.tar'), { force: true });

    const empty = path.join(work, `cache-empty-${rep}`);
    const c = oci(v1, 'oci-cold', empty, storePaths);
    if (c.report.cache.restored !== 0) throw new Error('a cold OCI layout build restored blobs');
    ociCold.push(c);
    rmSync(empty, { recursive: true, force: true });

    const w = oci(v1, 'oci-warm', seeded, [seeded]);
    if (w.report.cache.built !== 0) throw new Error(`a warm OCI layout build built ${w.report.cache.built} store layers`);
    ociWarm.push(w);

    // It reads the cache and the store paths v1 did not have (the rest
    // come from the cache): those, and no more, are read in first.
    for (const [closure, runs, name] of [[appChanged, ociAppChanged, 'app'], [v2, ociLibChanged, 'lib5']] as const) {
      const cache = copyOfSeed(`cache-${name}-${rep}`);
      const r = oci(closure, `oci-${name}`, cache, [cache, ...newIn(closure.root)]);
      if (r.report.cache.restored === 0) throw new Error(`the ${name} change restored no blob from the cache`);
      runs.push(r);
      rmSync(cache, { recursive: true, force: true });
    }
  }
  process.stderr.write('bench: peak memory of a cold build of the twice-size closure\n');
  const bigCold = cliBuild(big, out('big.tar'), ['--no-cache'], []);
  const imageBytes = statSync(out('cold.tar')).size;
  const layoutBytes = Number(execFileSync('du', ['-sb', out('oci-cold')], { encoding: 'utf8' }).split('\t')[0]);
  // Builds' files go first: the pushes need the disk's room and a quiet page cache.
  for (const name of ['cold.tar', 'big.tar', 'oci-cold', 'oci-warm', 'oci-app', 'oci-lib5']) rmSync(out(name), { recursive: true, force: true });
  rmSync(seeded, { recursive: true, force: true });

  const secs = (xs: readonly { seconds: number }[]) => xs.map((x) => x.seconds);
  // Each measurement's seconds, once: its median and its spread come from the same runs.
  const series = {
    archiveCold: secs(archiveCold),
    hashFloor,
    copyFloor,
    ociCold: secs(ociCold),
    ociWarm: secs(ociWarm),
    ociAppChanged: secs(ociAppChanged),
    ociLibChanged: secs(ociLibChanged),
  };
  const each = <T>(f: (xs: readonly number[]) => T) => Object.fromEntries(Object.entries(series).map(([k, xs]) => [k, f(xs)])) as Record<keyof typeof series, T>;
  const m = each(median);
  const spread = each(minMax);
  const peak = (xs: readonly BuildRun[]) => Math.max(...xs.map((t) => t.maxRssKiB)) / 1024;
  const rss = {
    archiveColdMiB: peak(archiveCold),
    ociColdMiB: peak(ociCold),
    ociWarmMiB: peak(ociWarm),
    archiveColdTwiceSizeMiB: bigCold.maxRssKiB / 1024,
  };
  const ratios = {
    archiveColdOverFloors: m.archiveCold / (m.hashFloor + m.copyFloor),
    ociWarmOverCold: m.ociWarm / m.ociCold,
    ociAppChangedOverCold: m.ociAppChanged / m.ociCold,
    ociLibChangedOverCold: m.ociLibChanged / m.ociCold,
  };
  const targets = {
    archiveColdOverFloors: ratios.archiveColdOverFloors <= 1.5,
    peakMemory: Math.max(...Object.values(rss)) <= 256,
  };
  // What each changed build built and restored: the same in every round.
  const counts = (xs: readonly BuildRun[]) => xs[0]?.report.cache ?? { restored: 0, built: 0, saved: 0 };
  const cacheCounts = { ociCold: counts(ociCold), ociWarm: counts(ociWarm), ociAppChanged: counts(ociAppChanged), ociLibChanged: counts(ociLibChanged) };
  const runs = { archiveCold, hashFloor, copyFloor, ociCold, ociWarm, ociAppChanged, ociLibChanged };
  const strip = (xs: readonly BuildRun[]) => xs.map(({ seconds, maxRssKiB }) => ({ seconds, maxRssKiB }));

  const s = (k: keyof typeof m) => `${m[k].toFixed(2).padStart(6)} s  (${spread[k][0].toFixed(2)}–${spread[k][1].toFixed(2)})`;
  const row = (name: string, k: keyof typeof m, note: string) => `  ${name.padEnd(40)} ${s(k)}   ${note}`.trimEnd();
  const cc = (c: { restored: number; built: number; saved: number }) => `store layers restored ${c.restored}, built ${c.built}, saved ${c.saved}`;
  const lines = [
    `closure: ${v1.paths} store paths, ${v1.files} files, ${(v1.bytes / 1e9).toFixed(2)} GB; docker-archive ${(imageBytes / 1e9).toFixed(2)} GB, OCI layout ${(layoutBytes / 1e9).toFixed(2)} GB; maxLayers 100; medians of ${REPS} (min–max)`,
    'docker-archive (nothing cached for it)',
    row('cold', 'archiveCold', `${ratios.archiveColdOverFloors.toFixed(2)} × (hash + copy floor), target ≤ 1.5`),
    row('hash floor (tar | sha256)', 'hashFloor', ''),
    row('copy floor (cat image)', 'copyFloor', ''),
    'OCI layout, gzip, directory cache',
    row('cold (empty cache)', 'ociCold', cc(cacheCounts.ociCold)),
    row('warm (same closure)', 'ociWarm', `${ratios.ociWarmOverCold.toFixed(2)} × cold; ${cc(cacheCounts.ociWarm)}`),
    row('app only changed', 'ociAppChanged', `${ratios.ociAppChangedOverCold.toFixed(2)} × cold; ${cc(cacheCounts.ociAppChanged)}`),
    row('lib5 changed (half the closure uses it)', 'ociLibChanged', `${ratios.ociLibChangedOverCold.toFixed(2)} × cold; ${cc(cacheCounts.ociLibChanged)}`),
    `peak RSS: docker-archive cold ${rss.archiveColdMiB.toFixed(0)} MiB, at twice the size ${rss.archiveColdTwiceSizeMiB.toFixed(0)} MiB; OCI layout cold ${rss.ociColdMiB.toFixed(0)} MiB, warm ${rss.ociWarmMiB.toFixed(0)} MiB (target ≤ 256)`,
  ];
  return {
    closure: { ...v1, imageBytes, layoutBytes, twiceSize: { paths: big.paths, files: big.files, bytes: big.bytes } },
    results: {
      repetitions: REPS,
      medianSeconds: m,
      spreadSeconds: spread,
      cacheCounts,
      peakRss: rss,
      ratios,
      targetsMet: targets,
      runs: { ...runs, archiveCold: strip(runs.archiveCold), ociCold: strip(runs.ociCold), ociWarm: strip(runs.ociWarm), ociAppChanged: strip(runs.ociAppChanged), ociLibChanged: strip(runs.ociLibChanged) },
    },
    lines,
  };
}

/** Reuse as a share of v2's bytes, and as a share of the ideal, per change, layering and maxLayers. */
function reuseTable(rows: readonly ReuseRow[]): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`.padStart(6);
  const lines = [`layer reuse: share of v2's bytes in layers v1 had (share of the ideal in brackets); maxLayers ${REUSE_MAX_LAYERS.join(', ')}`];
  for (const change of [...new Set(rows.map((r) => r.change))]) {
    const some = rows.filter((r) => r.change === change);
    lines.push(`  ${change}: ideal ${pct(some[0]?.ideal ?? 0).trim()}`);
    for (const layering of [...new Set(some.map((r) => r.layering))]) {
      const cells = some.filter((r) => r.layering === layering).map((r) => `${pct(r.reused)} (${pct(r.reused / r.ideal).trim()})`);
      lines.push(`    ${layering.padEnd(11)} ${cells.join('   ')}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

if (AGAINST !== '') await compareAgainst({ against: AGAINST, cli: CLI, reps: REPS, log: (m) => process.stderr.write(`${m}\n`) });
else await main();
