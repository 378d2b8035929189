/**
 * `npm run bench`: cold, warm and incremental builds of a realistic closure
 * against the machine's floor (reading and hashing the same bytes once with
 * tar and openssl, and copying the image once with cat), then pushes to a
 * registry against our docker-archive and skopeo (bench/push.ts), several
 * runs each, medians and ratios printed and written to bench/results/.
 *
 * Last, the Action's runs against the test cache service across a hosted
 * runner's network (bench/action.ts).
 *
 * BENCH_REPS (5): runs of each build measurement; BENCH_PUSH_REPS (3):
 * rounds of push measurements; BENCH_ACTION_REPS (1): rounds of Action
 * runs; BENCH_ONLY=reuse, BENCH_ONLY=push or BENCH_ONLY=action: only the
 * layer reuse, only the pushes (written to <date>-push.json), or only the
 * Action runs (written to <date>-action.json).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LayerWorkers } from '../src/layer/workers.js';
import { DEFAULT_TAR_SETTINGS } from '../src/layer/tar-header.js';
import { mapLimit } from '../src/util/pool.js';
import { buildClosure, type BenchClosure } from './closure.js';
import { measureReuse, REUSE_MAX_LAYERS, type ReuseRow } from './reuse.js';
import { median, settle } from './measure.js';
import { measurePush, pushLines } from './push.js';
import { actionLines, measureAction } from './action.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');
const CLI = path.join(REPO, 'build', 'src', 'cli.js');
const REPS = Number(process.env['BENCH_REPS'] ?? 5);
const PUSH_REPS = Number(process.env['BENCH_PUSH_REPS'] ?? 3);
const ACTION_REPS = Number(process.env['BENCH_ACTION_REPS'] ?? 1);
const ONLY = process.env['BENCH_ONLY'];

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

function cliBuild(closure: BenchClosure, out: string, cache: string[], inputs: readonly string[]): Timed & { report: Report } {
  // Replacing a 1.6 GB image frees its blocks inside the timed rename, at a
  // cost of 1–2 s on these disks: each build writes a new file, as the copy
  // floor does.
  rmSync(out, { force: true });
  const t = timed([process.execPath, CLI, 'build', '--json', '--name', 'bench', '--contents', closure.root, '--max-layers', '100', '--output', out, ...cache], { inputs });
  return { ...t, report: JSON.parse(t.stdout) as Report };
}

function machine() {
  const cpu = cpus()[0]?.model ?? 'unknown';
  const nix = execFileSync('nix-store', ['--version'], { encoding: 'utf8' }).trim();
  const kernel = execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim();
  return { cpu, cores: availableParallelism(), memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, nix, kernel };
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'layered-image-bench-'));
  try {
    process.stderr.write('bench: building the closures in the Nix store (slow the first time only)\n');
    const v1 = buildClosure(work, { scale: 1 });
    // The app only (the root path) changed, every other path the same.
    const appChanged = buildClosure(work, { scale: 1, salt: 'changed', salted: 'bench-app-1.0' });
    if (v1.paths < 150 || v1.files < 40_000 || v1.bytes < 1e9) {
      throw new Error('this machine lacks the file trees for a closure of 150 paths, 40,000 files and 1 GB');
    }
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

    const storePaths = closureOf(v1.root);
    const v2Paths = closureOf(v2.root);
    const v1Paths = new Set(storePaths);

    const cold: Timed[] = [];
    const warm: Timed[] = [];
    const incremental: Timed[] = [];
    const changedAlone: number[] = [];
    const hashFloor: number[] = [];
    const copyFloor: number[] = [];
    const out = (name: string) => path.join(work, `${name}.tar`);

    // A cache holding every layer of v1, copied afresh for each incremental run.
    const seeded = path.join(work, 'cache-v1');
    cliBuild(v1, out('seed'), ['--cache-dir', seeded], []);

    for (let rep = 0; rep < REPS; rep++) {
      process.stderr.write(`bench: round ${rep + 1} of ${REPS}\n`);
      cold.push(cliBuild(v1, out('cold'), ['--no-cache'], storePaths));
      const w = cliBuild(v1, out('warm'), ['--cache-dir', seeded], [seeded]);
      if (w.report.cache.built !== 0) throw new Error('warm build built layers');
      warm.push(w);

      const cache = path.join(work, `cache-inc-${rep}`);
      cpSync(seeded, cache, { recursive: true });
      // It reads the cache and the store paths v1 did not have (the rest
      // come from the cache): those, and no more, are read in first.
      const inc = cliBuild(v2, out('incremental'), ['--cache-dir', cache], [cache, ...v2Paths.filter((p) => !v1Paths.has(p))]);
      incremental.push(inc);
      rmSync(cache, { recursive: true, force: true });

      // The changed layers alone, built the way the incremental build builds
      // them: sized, then written on the layer workers into a file.
      const changed = inc.report.layers.filter((l) => l.source === 'built' && l.paths.length > 0).map((l) => l.paths);
      settle(changed.flat());
      const t0 = process.hrtime.bigint();
      const workers = new LayerWorkers(availableParallelism());
      try {
        await mapLimit(changed, availableParallelism(), async (paths, i) => {
          const file = path.join(work, `changed-${rep}-${i}.tar`);
          writeFileSync(file, '');
          const { members, size } = await workers.walk(paths, DEFAULT_TAR_SETTINGS);
          const target = { file, label: file, offset: 0, size };
          await workers.write({ members, settings: DEFAULT_TAR_SETTINGS, target }, () => {});
        });
      } finally {
        await workers.close();
      }
      changedAlone.push(Number(process.hrtime.bigint() - t0) / 1e9);
      for (let i = 0; i < changed.length; i++) {
        rmSync(path.join(work, `changed-${rep}-${i}.tar`), { force: true });
      }

      hashFloor.push(timed([`tar -cf - -P ${storePaths.join(' ')} | openssl dgst -sha256 > /dev/null`], { shell: true, inputs: storePaths }).seconds);
      copyFloor.push(timed([`cat ${out('cold')} > ${out('copy')}`], { shell: true, inputs: [out('cold')] }).seconds);
      rmSync(out('copy'), { force: true });
    }
    process.stderr.write('bench: peak memory of a cold build of the twice-size closure\n');
    const bigCold = cliBuild(big, out('big'), ['--no-cache'], []);
    const imageBytes = statSync(out('cold')).size;
    // Builds' files go first: the pushes need the disk's room and a quiet page cache.
    for (const name of ['seed', 'cold', 'warm', 'incremental', 'big']) rmSync(out(name), { force: true });
    rmSync(seeded, { recursive: true, force: true });
    const pushed = await push();
    const acted = await action();

    const m = {
      cold: median(cold.map((t) => t.seconds)),
      warm: median(warm.map((t) => t.seconds)),
      incremental: median(incremental.map((t) => t.seconds)),
      changedLayersAlone: median(changedAlone),
      hashFloor: median(hashFloor),
      copyFloor: median(copyFloor),
    };
    const rss = {
      coldMiB: Math.max(...cold.map((t) => t.maxRssKiB)) / 1024,
      warmMiB: Math.max(...warm.map((t) => t.maxRssKiB)) / 1024,
      coldTwiceSizeMiB: bigCold.maxRssKiB / 1024,
    };
    const ratios = {
      coldOverFloors: m.cold / (m.hashFloor + m.copyFloor),
      warmOverCopyFloor: m.warm / m.copyFloor,
      incrementalOverWarmPlusChanged: m.incremental / (m.warm + m.changedLayersAlone),
    };
    const targets = {
      coldOverFloors: ratios.coldOverFloors <= 1.5,
      warmOverCopyFloor: ratios.warmOverCopyFloor <= 2,
      incrementalOverWarmPlusChanged: ratios.incrementalOverWarmPlusChanged <= 1,
      peakMemory: Math.max(rss.coldMiB, rss.warmMiB, rss.coldTwiceSizeMiB) <= 256,
    };
    const results = {
      date: new Date().toISOString().slice(0, 10),
      machine: machine(),
      closure: { ...v1, imageBytes, twiceSize: { paths: big.paths, files: big.files, bytes: big.bytes } },
      repetitions: REPS,
      medianSeconds: m,
      peakRss: rss,
      ratios,
      targetsMet: targets,
      reuse,
      push: pushed,
      action: acted,
      runs: { cold, warm, incremental, changedAlone, hashFloor, copyFloor },
    };
    const file = writeResults(`${results.date}.json`, results);

    const row = (name: string, s: number, note: string) => `${name.padEnd(26)} ${s.toFixed(2).padStart(7)} s   ${note}`;
    const lines = [
      `closure: ${v1.paths} store paths, ${v1.files} files, ${(v1.bytes / 1e9).toFixed(2)} GB; image ${(imageBytes / 1e9).toFixed(2)} GB; medians of ${REPS}`,
      row('cold (no cache)', m.cold, `${ratios.coldOverFloors.toFixed(2)} × (hash + copy floor), target ≤ 1.5`),
      row('warm (all layers cached)', m.warm, `${ratios.warmOverCopyFloor.toFixed(2)} × copy floor, target ≤ 2`),
      row('incremental (lib5 changed)', m.incremental, `${ratios.incrementalOverWarmPlusChanged.toFixed(2)} × (warm + changed layers alone), target ≤ 1`),
      row('changed layers alone', m.changedLayersAlone, ''),
      row('hash floor (tar | sha256)', m.hashFloor, ''),
      row('copy floor (cat image)', m.copyFloor, ''),
      `peak RSS: cold ${rss.coldMiB.toFixed(0)} MiB, warm ${rss.warmMiB.toFixed(0)} MiB, cold at twice the size ${rss.coldTwiceSizeMiB.toFixed(0)} MiB (target ≤ 256, flat)`,
      ...pushLines(pushed),
      ...actionLines(acted),
      `results: ${path.relative(REPO, file)}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function writeResults(name: string, results: object): string {
  mkdirSync(path.join(REPO, 'bench', 'results'), { recursive: true });
  const file = path.join(REPO, 'bench', 'results', name);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
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

await main();
