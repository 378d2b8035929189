/**
 * Action runs: the committed bundle (dist/index.js) run as a workflow step
 * runs it, against the test cache service across a hosted runner's network
 * (HOSTED_RUNNER_NETWORK: a latency per request, one capped pipe each way),
 * on the benchmark's closure.
 *
 * For each output (docker-archive, OCI layout, push to a registry on
 * 127.0.0.1), with the cache off and then on, three runs in a row, each on
 * a new runner (its own RUNNER_TEMP, HOME and workspace) sharing only the
 * cache service's state and the registry:
 * - cold: an empty cache service (and, for push, a new repository);
 * - warm: the same inputs again;
 * - incremental: the app changed, every other path the same.
 * A new cache service process per run, so its counts are the run's own.
 * The registry is on loopback and not throttled: push times leave out the
 * network to the registry, in both columns alike.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { HOSTED_RUNNER_NETWORK, startCacheServer, type CacheServerStats, type NetworkModel } from '../test/support/cache-server.js';
import { startRegistry, type TestRegistry } from '../test/support/registry.js';
import type { BenchClosure } from './closure.js';
import { median, settle } from './measure.js';

export const ACTION_MODES = ['docker-archive', 'oci', 'push'] as const;
export const ACTION_KINDS = ['cold', 'warm', 'incremental'] as const;
export type ActionMode = (typeof ACTION_MODES)[number];
export type ActionKind = (typeof ACTION_KINDS)[number];

const MAX_LAYERS = 100;
/** USER_HZ, the unit of /proc/stat: 100 on every Linux that matters here. */
const CLOCK_TICKS = 100;
/**
 * An OCI layout with the cache on, against the cache off: a cold run may
 * cost at most 5 % more (a cache must never make a run slower), a warm
 * one at most 0.65 of it.
 */
const OCI_COLD_TARGET = 1.05;
const OCI_WARM_TARGET = 0.65;
/** BENCH_ACTION_MODES=oci,push: only those outputs (all by default). */
const MODES: readonly ActionMode[] = ACTION_MODES.filter((m) => (process.env['BENCH_ACTION_MODES']?.split(',') ?? ACTION_MODES).includes(m));

/** What one run cost the cache service, from its stats. */
export interface ServiceCount {
  requests: number;
  lookups: number;
  hits: number;
  entriesFinalized: number;
  downloads: number;
  bytesDownloaded: number;
  bytesUploaded: number;
}

export interface ActionRun {
  mode: ActionMode;
  cache: boolean;
  kind: ActionKind;
  rep: number;
  seconds: number;
  maxRssKiB: number;
  /** The Action's cacheHits and layersBuilt outputs. */
  cacheHits: number;
  layersBuilt: number;
  /** Layers by source (built, restored, registry), from the layers output. */
  layerSources: Record<string, number>;
  /** The docker-archive's or OCI layout's bytes; undefined when only pushed. */
  imageBytes: number | undefined;
  service: ServiceCount;
  /** Blob uploads the registry answered 201 in the run's repository (push only). */
  registryUploads: number | undefined;
  /** The Action's ::warning:: lines. */
  warnings: string[];
  /**
   * CPU seconds the machine spent during the run on anything but the
   * Action's process tree and this one (cache service, registry log): other
   * work on the machine, which makes the run slower. Includes the registry
   * for push.
   */
  otherCpuSeconds: number;
  /** CPU seconds of the Action's process tree (GNU time: user + system). */
  actionCpuSeconds: number;
  /**
   * CPU seconds of this process during the run: the stand-in cache service
   * (and, for push, the registry's log reader). A real service runs
   * elsewhere, but this one shares the runner's cores with the Action.
   */
  serviceCpuSeconds: number;
}

export interface ActionCell {
  cacheOff: number;
  cacheOn: number;
  onOverOff: number;
}

export interface ActionResults {
  bundle: string;
  /** Of dist/index.js, the same before and after the runs: which build of the Action these figures are of. */
  bundleSha256: string;
  network: NetworkModel;
  maxLayers: number;
  repetitions: number;
  medianSeconds: Partial<Record<ActionMode, Record<ActionKind, ActionCell>>>;
  /** Target ≤ 1/3. */
  ociWarmOnOverOff: number;
  ociColdOnOverOff: number;
  targetsMet: { ociColdOnOverOff: boolean; ociWarmOnOverOff: boolean };
  runs: ActionRun[];
}

export async function measureAction(opts: {
  v1: BenchClosure;
  /** v1 with the app (the root path) changed, every other path the same. */
  v2: BenchClosure;
  v1Paths: readonly string[];
  v2Paths: readonly string[];
  /** The repository root: dist/index.js is run from there. */
  repo: string;
  work: string;
  reps: number;
  log: (m: string) => void;
}): Promise<ActionResults> {
  const { work, log } = opts;
  const bundle = path.join(opts.repo, 'dist', 'index.js');
  const network = HOSTED_RUNNER_NETWORK;
  const bundleSha256 = sha256(bundle);
  const runs: ActionRun[] = [];
  let runId = 0;
  const registry = await startRegistry();
  try {
    for (let rep = 0; rep < opts.reps; rep++) {
      log(`bench: action round ${rep + 1} of ${opts.reps}`);
      for (const mode of MODES) {
        for (const cache of [false, true]) {
          const serviceDir = path.join(work, `action-service-${mode}-${cache ? 'on' : 'off'}-${rep}`);
          const repository = `bench/app-${cache ? 'cache' : 'nocache'}-${rep}`;
          try {
            for (const kind of ACTION_KINDS) {
              const closure = kind === 'incremental' ? opts.v2 : opts.v1;
              const inputs: Record<string, string> = {
                name: mode === 'push' ? `${registry.host}/${repository}` : 'bench/app',
                contents: closure.root,
                tag: kind === 'incremental' ? 'v2' : 'v1',
                maxLayers: String(MAX_LAYERS),
                cache: String(cache),
              };
              // As a workflow pushes: the commit's tag and latest, which the next run's push starts from.
              if (mode === 'push') Object.assign(inputs, { push: 'true', tags: 'latest' });
              if (mode === 'oci') inputs['outputFormat'] = 'oci';
              const run = await runOnce({
                bundle,
                runDir: path.join(work, `action-run-${++runId}`),
                serviceDir,
                network,
                inputs,
                settleInputs: [...(kind === 'incremental' ? opts.v2Paths : opts.v1Paths), ...(cache ? [serviceDir] : [])],
                registry: mode === 'push' ? { reg: registry, repository } : undefined,
              });
              const result: ActionRun = { mode, cache, kind, rep, ...run };
              if (kind === 'cold' && result.cacheHits !== 0) throw new Error(`a cold ${mode} run restored ${result.cacheHits} layers`);
              if (!cache && result.service.requests !== 0) throw new Error(`a ${mode} run with the cache off asked the cache service ${result.service.requests} times`);
              runs.push(result);
              log(`bench:   ${mode} ${kind}, cache ${cache ? 'on ' : 'off'}: ${summary(result)}`);
              for (const w of result.warnings) log(`bench:     ${w}`);
            }
          } finally {
            rmSync(serviceDir, { recursive: true, force: true });
          }
        }
      }
    }
  } finally {
    await registry.stop();
  }

  if (sha256(bundle) !== bundleSha256) throw new Error(`${bundle} changed while the Action runs were measured`);
  const cellOf = (mode: ActionMode, kind: ActionKind): ActionCell => {
    const sec = (cache: boolean) => median(runs.filter((r) => r.mode === mode && r.kind === kind && r.cache === cache).map((r) => r.seconds));
    const cacheOff = sec(false);
    const cacheOn = sec(true);
    return { cacheOff, cacheOn, onOverOff: cacheOn / cacheOff };
  };
  const medianSeconds = Object.fromEntries(
    MODES.map((mode) => [mode, Object.fromEntries(ACTION_KINDS.map((kind) => [kind, cellOf(mode, kind)]))]),
  ) as ActionResults['medianSeconds'];
  const ociWarmOnOverOff = medianSeconds.oci?.warm.onOverOff ?? NaN;
  const ociColdOnOverOff = medianSeconds.oci?.cold.onOverOff ?? NaN;
  return {
    bundle: path.relative(opts.repo, bundle),
    bundleSha256,
    network,
    maxLayers: MAX_LAYERS,
    repetitions: opts.reps,
    medianSeconds,
    ociWarmOnOverOff,
    ociColdOnOverOff,
    targetsMet: { ociColdOnOverOff: ociColdOnOverOff <= OCI_COLD_TARGET, ociWarmOnOverOff: ociWarmOnOverOff <= OCI_WARM_TARGET },
    runs,
  };
}

/** The printed lines of the Action runs. */
export function actionLines(r: ActionResults): string[] {
  const n = r.network;
  const lines = [
    `action runs (${r.bundle} as a workflow step, each on a new runner; cache service across ${n.latencyMs} ms a request, ` +
      `${mb(n.downloadBytesPerSecond)}/s down, ${mb(n.uploadBytesPerSecond)}/s up; registry on 127.0.0.1, not throttled); maxLayers ${r.maxLayers}; medians of ${r.repetitions}`,
    `${'output'.padEnd(15)} ${'run'.padEnd(12)} ${'cache off'.padStart(10)} ${'cache on'.padStart(10)} ${'on/off'.padStart(7)}   cache on: restored/built, service requests, down/up; registry blobs pushed off/on; other CPU s off/on; CPU s Action+service off/on`,
  ];
  for (const mode of MODES) {
    const cells = r.medianSeconds[mode];
    if (cells === undefined) continue;
    for (const kind of ACTION_KINDS) {
      const c = cells[kind];
      const on = r.runs.filter((x) => x.mode === mode && x.kind === kind && x.cache);
      const off = r.runs.filter((x) => x.mode === mode && x.kind === kind && !x.cache);
      const med = (xs: ActionRun[], f: (x: ActionRun) => number) => median(xs.map(f));
      const pushed = mode === 'push' ? `; ${med(off, (x) => x.registryUploads ?? 0)}/${med(on, (x) => x.registryUploads ?? 0)}` : '';
      const other = `${med(off, (x) => x.otherCpuSeconds).toFixed(1)}/${med(on, (x) => x.otherCpuSeconds).toFixed(1)}`;
      const cpu = (xs: ActionRun[]) => `${med(xs, (x) => x.actionCpuSeconds).toFixed(1)}+${med(xs, (x) => x.serviceCpuSeconds).toFixed(1)}`;
      const note =
        `${med(on, (x) => x.cacheHits)}/${med(on, (x) => x.layersBuilt)}, ${med(on, (x) => x.service.requests)} req, ` +
        `${mb(med(on, (x) => x.service.bytesDownloaded))}/${mb(med(on, (x) => x.service.bytesUploaded))}${pushed}; ${other}; ${cpu(off)}/${cpu(on)}`;
      lines.push(
        `${mode.padEnd(15)} ${kind.padEnd(12)} ${`${c.cacheOff.toFixed(2)} s`.padStart(10)} ${`${c.cacheOn.toFixed(2)} s`.padStart(10)} ${c.onOverOff.toFixed(2).padStart(7)}   ${note}`,
      );
    }
  }
  if (r.medianSeconds.oci !== undefined) {
    lines.push(`oci cold, cache on over cache off: ${r.ociColdOnOverOff.toFixed(2)} (target ≤ ${OCI_COLD_TARGET.toFixed(2)}: ${r.targetsMet.ociColdOnOverOff ? 'met' : 'NOT met'})`);
    lines.push(`oci warm, cache on over cache off: ${r.ociWarmOnOverOff.toFixed(2)} (target ≤ ${OCI_WARM_TARGET.toFixed(2)}: ${r.targetsMet.ociWarmOnOverOff ? 'met' : 'NOT met'})`);
  }
  return lines;
}

function summary(r: ActionRun): string {
  const s = r.service;
  const sources = Object.entries(r.layerSources).map(([k, v]) => `${v} ${k}`).join(', ');
  return [
    `${r.seconds.toFixed(2)} s`,
    `cacheHits ${r.cacheHits}, layersBuilt ${r.layersBuilt} (${sources})`,
    ...(r.cache ? [`service ${s.requests} requests, ${s.hits}/${s.lookups} hits, ${s.entriesFinalized} saved, ${mb(s.bytesDownloaded)} down, ${mb(s.bytesUploaded)} up`] : []),
    ...(r.registryUploads === undefined ? [] : [`${r.registryUploads} blobs pushed`]),
    ...(r.imageBytes === undefined ? [] : [`image ${mb(r.imageBytes)}`]),
    `other work on the machine ${r.otherCpuSeconds.toFixed(1)} CPU s`,
    `CPU s: the Action ${r.actionCpuSeconds.toFixed(1)}, the cache service ${r.serviceCpuSeconds.toFixed(1)}`,
  ].join('; ');
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function mb(bytes: number): string {
  if (bytes === 0) return '0';
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(bytes >= 1e7 ? 0 : 1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`;
}

type RunMeasure = Omit<ActionRun, 'mode' | 'cache' | 'kind' | 'rep'>;

/**
 * One workflow step on a new runner: a cache service process on the shared
 * state, the bundle in a child process of its own (the service and the
 * registry's log reader run in this one), its outputs read back.
 */
async function runOnce(o: {
  bundle: string;
  runDir: string;
  serviceDir: string;
  network: NetworkModel;
  inputs: Record<string, string>;
  settleInputs: readonly string[];
  registry: { reg: TestRegistry; repository: string } | undefined;
}): Promise<RunMeasure> {
  const temp = path.join(o.runDir, 'temp');
  const workspace = path.join(o.runDir, 'workspace');
  mkdirSync(temp, { recursive: true });
  mkdirSync(workspace, { recursive: true });
  const outputFile = path.join(o.runDir, 'github-output');
  const timeFile = path.join(o.runDir, 'time');
  writeFileSync(outputFile, '');
  writeFileSync(path.join(o.runDir, 'summary'), '');
  const service = await startCacheServer({ dir: o.serviceDir, network: o.network, runnerTemp: temp });
  try {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env['PATH'],
      HOME: o.runDir,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: path.join(o.runDir, 'summary'),
      GITHUB_WORKSPACE: workspace,
      GITHUB_RUN_ID: String(Date.now()),
      GITHUB_RUN_ATTEMPT: '1',
      ...service.env,
      RUNNER_TEMP: temp,
    };
    for (const [k, v] of Object.entries(o.inputs)) env[`INPUT_${k.toUpperCase()}`] = v;

    await o.registry?.reg.settled();
    const uploadsBefore = o.registry?.reg.blobUploads(o.registry.repository) ?? 0;
    settle(o.settleInputs);
    const busyBefore = machineBusySeconds();
    const ownBefore = process.cpuUsage();
    const started = process.hrtime.bigint();
    // GNU time writes to its own file, leaving the step's output alone.
    const child = spawn('/usr/bin/time', ['-o', timeFile, '-f', '%M %U %S', process.execPath, o.bundle], { cwd: workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const status = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve(code));
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const busy = machineBusySeconds() - busyBefore;
    const own = process.cpuUsage(ownBefore);
    if (status !== 0) throw new Error(`the Action failed (${status}):\n${stdout.split('\n').slice(-40).join('\n')}\n${stderr}`);

    const outputs: Record<string, string> = {};
    for (const m of readFileSync(outputFile, 'utf8').matchAll(/^(\w+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) outputs[m[1] as string] = m[3] as string;
    const layers = JSON.parse(outputs['layers'] ?? '[]') as { source: string }[];
    const layerSources: Record<string, number> = {};
    for (const l of layers) layerSources[l.source] = (layerSources[l.source] ?? 0) + 1;
    const imagePath = outputs['imagePath'] ?? '';
    const imageBytes = imagePath === '' ? undefined : Number(execFileSync('du', ['-sb', imagePath], { encoding: 'utf8' }).split('\t')[0]);
    let registryUploads: number | undefined;
    if (o.registry !== undefined) {
      await o.registry.reg.settled();
      registryUploads = o.registry.reg.blobUploads(o.registry.repository) - uploadsBefore;
    }
    const [maxRssKiB, userSeconds, systemSeconds] = (readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '').split(' ').map(Number);
    const otherCpuSeconds = busy - (userSeconds ?? 0) - (systemSeconds ?? 0) - (own.user + own.system) / 1e6;
    return {
      seconds,
      maxRssKiB: maxRssKiB ?? NaN,
      cacheHits: Number(outputs['cacheHits']),
      layersBuilt: Number(outputs['layersBuilt']),
      layerSources,
      imageBytes,
      service: serviceCount(service.stats()),
      registryUploads,
      warnings: stdout.split('\n').filter((l) => l.startsWith('::warning::')),
      otherCpuSeconds: Math.max(0, otherCpuSeconds),
      actionCpuSeconds: (userSeconds ?? 0) + (systemSeconds ?? 0),
      serviceCpuSeconds: (own.user + own.system) / 1e6,
    };
  } finally {
    await service.close();
    // The next run is a new runner: nothing of this one's disk is kept.
    rmSync(o.runDir, { recursive: true, force: true });
  }
}

/** CPU seconds of all the machine's cores, busy (not idle or waiting on the disk) since boot. */
function machineBusySeconds(): number {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal; guest time is counted in user already.
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS;
}

function serviceCount(s: CacheServerStats): ServiceCount {
  const requests = Object.values(s.requests).reduce((a, b) => a + b, 0);
  return {
    requests,
    lookups: s.requests['download-url'],
    hits: s.hits,
    entriesFinalized: s.entriesFinalized,
    downloads: s.downloads,
    bytesDownloaded: s.bytesDownloaded,
    bytesUploaded: s.bytesUploaded,
  };
}
