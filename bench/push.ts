/**
 * Push measurements on the benchmark's closure, against a real registry
 * (Debian's docker-registry on 127.0.0.1, storage in a temporary folder on
 * the same disk), and against the way images were pushed before: our
 * docker-archive, then `skopeo copy` into the registry.
 *
 * Every round starts new registries, one per scenario, so that no blob
 * one scenario sent helps another:
 * - ours (registry A, `team/app`): a cold push of v1 (`--push --no-cache`,
 *   nothing local), then a warm push of v2 (the app changed, every other
 *   path the same) under a new tag, from a fresh state: `--no-cache
 *   --cache-from` the first tag;
 * - skopeo with its blob-info cache kept (registry B, `cmp/app`): our
 *   docker-archive build of v1, a cold `skopeo copy` of it (its blob-info
 *   cache removed first), then v2's archive under a new tag;
 * - skopeo on a fresh runner (registry C, `cmpfresh/app`): a cold copy of
 *   v1 as in B (a second cold sample), then the blob-info cache removed
 *   and v2's archive under a new tag.
 * What each push uploaded is counted from the registry's access log (blob
 * upload PUTs answered 201, their digests' sizes from its storage), and
 * checked against our push report.
 */
import { closeSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { LayerWorkers } from '../src/layer/workers.js';
import { mapLimit } from '../src/util/pool.js';
import { startRegistry, type TestRegistry } from '../test/support/registry.js';
import type { BenchClosure } from './closure.js';
import { median, settle, timedAsync, type TimedRun } from './measure.js';

/** skopeo's blob-info cache, as root: it tells skopeo which compressed blobs a registry has. */
export const SKOPEO_CACHE_DIR = '/var/lib/containers/cache';

/** What one push sent, as the registry saw it. */
export interface RegistryCount {
  /** Blob upload PUTs answered 201 in the repository. */
  uploads: number;
  /** The sizes of those blobs, from the registry's storage. */
  uploadedBytes: number;
  /** Blob HEADs answered 200: blobs the pusher found there already. */
  found: number;
  /** Cross-repository mounts answered 201. */
  mounted: number;
  /** Every request of the push. */
  requests: number;
}

export interface PushRun {
  seconds: number;
  maxRssKiB: number;
  registry: RegistryCount;
}

export interface OurPushRun extends PushRun {
  report: { uploaded: number; uploadedBytes: number; mounted: number; existing: number };
  /** The report and the registry's log agree on blobs and bytes uploaded. */
  agrees: boolean;
  /** Seconds from the start to the first and the last stderr line of each phase. */
  phases: Record<string, [number, number]>;
}

export type SkopeoRun = PushRun;

export interface PushResults {
  repetitions: number;
  medianSeconds: {
    ourColdPush: number;
    ourWarmPush: number;
    /** The same pushes with --sbom, into a repository of their own. */
    ourColdPushSbom: number;
    ourWarmPushSbom: number;
    archiveBuild: number;
    skopeoColdCopy: number;
    skopeoWarmKeptCache: number;
    skopeoWarmFreshRunner: number;
    /** Diagnostic: our compression of every layer of the image alone, on the layer workers, as the push does it. */
    compressionAlone: number;
  };
  /** Medians of what each scenario uploaded, from the registry log. */
  uploaded: Record<'ourColdPush' | 'ourWarmPush' | 'skopeoColdCopy' | 'skopeoWarmKeptCache' | 'skopeoWarmFreshRunner', RegistryCount>;
  ratios: {
    /** Target ≤ 2. */
    ourWarmOverSkopeoWarmKeptCache: number;
    /** Target ≤ 1.2. */
    ourColdOverArchiveBuildPlusSkopeoColdCopy: number;
    ourWarmOverSkopeoWarmFreshRunner: number;
  };
  /** Seconds --sbom adds to a push (medians): its SBOM written and attached. Target ≤ 0.3. */
  sbomCost: { cold: number; warm: number };
  targetsMet: { ourWarmOverSkopeoWarmKeptCache: boolean; ourColdOverArchiveBuildPlusSkopeoColdCopy: boolean; sbomCost: boolean };
  /** Our report and the registry's log agreed on every push. */
  reportsAgreeWithRegistryLog: boolean;
  runs: {
    ourColdPush: OurPushRun[];
    ourWarmPush: OurPushRun[];
    ourColdPushSbom: OurPushRun[];
    ourWarmPushSbom: OurPushRun[];
    archiveBuild: { seconds: number; maxRssKiB: number }[];
    skopeoColdCopy: SkopeoRun[];
    skopeoWarmKeptCache: SkopeoRun[];
    skopeoWarmFreshRunner: SkopeoRun[];
    compressionAlone: number[];
  };
}

interface PushReportJson {
  push: { digest: string; refs: string[]; blobs: { uploaded: number; uploadedBytes: number; mounted: number; existing: number } };
}

const MAX_LAYERS = '100';

export async function measurePush(opts: {
  v1: BenchClosure;
  /** v1 with the root path changed, every other path the same. */
  v2: BenchClosure;
  v1Paths: readonly string[];
  v2Paths: readonly string[];
  cli: string;
  work: string;
  reps: number;
  log: (m: string) => void;
}): Promise<PushResults> {
  const { v1, v2, cli, work, log } = opts;
  const inV1 = new Set(opts.v1Paths);
  const newInV2 = opts.v2Paths.filter((p) => !inV1.has(p));
  if (newInV2.length !== 1 || newInV2[0] !== v2.root || opts.v1Paths.length !== opts.v2Paths.length) {
    throw new Error(`the app-only variant changes more than its root: ${newInV2.join(', ')}`);
  }
  const cliArgs = (name: string, tag: string, root: string, rest: string[]) =>
    [process.execPath, cli, 'build', '--json', '--name', name, '--tag', tag, '--contents', root, '--max-layers', MAX_LAYERS, ...rest];
  const archive = (name: string) => path.join(work, `push-${name}.tar`);

  // v2's docker-archive, for skopeo's warm pushes: built once, not timed.
  rmSync(archive('v2'), { force: true });
  await timedAsync(cliArgs('cmp/app', 'v2', v2.root, ['--no-cache', '--output', archive('v2')]), []);

  const runs: PushResults['runs'] = { ourColdPush: [], ourWarmPush: [], ourColdPushSbom: [], ourWarmPushSbom: [], archiveBuild: [], skopeoColdCopy: [], skopeoWarmKeptCache: [], skopeoWarmFreshRunner: [], compressionAlone: [] };
  for (let rep = 0; rep < opts.reps; rep++) {
    log(`bench: push round ${rep + 1} of ${opts.reps}`);

    // Ours: cold, then warm from a fresh state, into registry A.
    const plainPair = () => withRegistry(async (reg) => {
      const name = `${reg.host}/team/app`;
      const cold = await ourPush(reg, 'team/app', cliArgs(name, 'v1', v1.root, ['--push', '--no-cache']), opts.v1Paths);
      if (cold.report.mounted + cold.report.existing !== 0 || cold.registry.uploads === 0) throw new Error('the cold push did not upload every blob');
      runs.ourColdPush.push(cold);
      log(`bench:   our cold push ${cold.seconds.toFixed(2)} s, ${cold.registry.uploads} blobs, ${mb(cold.registry.uploadedBytes)}`);
      const warm = await ourPush(reg, 'team/app', cliArgs(name, 'v2', v2.root, ['--push', '--no-cache', '--cache-from', `${name}:v1`]), newInV2);
      runs.ourWarmPush.push(warm);
      log(`bench:   our warm push ${warm.seconds.toFixed(2)} s, ${warm.registry.uploads} blobs, ${mb(warm.registry.uploadedBytes)}`);
    });

    // The same two pushes with an SBOM written and attached, into a registry
    // of their own: one that holds the blobs already would take them faster.
    const sbomPair = () => withRegistry(async (reg) => {
      const sbomName = `${reg.host}/team/app`;
      const sbomFile = path.join(work, 'push-sbom.cdx.json');
      const coldSbom = await ourPush(reg, 'team/app', cliArgs(sbomName, 'v1', v1.root, ['--push', '--no-cache', '--sbom', sbomFile]), opts.v1Paths);
      runs.ourColdPushSbom.push(coldSbom);
      const warmSbom = await ourPush(reg, 'team/app', cliArgs(sbomName, 'v2', v2.root, ['--push', '--no-cache', '--cache-from', `${sbomName}:v1`, '--sbom', sbomFile]), newInV2);
      runs.ourWarmPushSbom.push(warmSbom);
      rmSync(sbomFile, { force: true });
      log(`bench:   with --sbom: cold push ${coldSbom.seconds.toFixed(2)} s, warm push ${warmSbom.seconds.toFixed(2)} s`);
    });
    // Each pair first in every other round: the first push of a round meets
    // the disk still writing back the round before.
    for (const pair of rep % 2 === 0 ? [plainPair, sbomPair] : [sbomPair, plainPair]) await pair();

    // Our docker-archive of v1, then skopeo: cold, and warm with its blob-info cache kept, into registry B.
    rmSync(archive('v1'), { force: true });
    const built = await timedAsync(cliArgs('cmp/app', 'v1', v1.root, ['--no-cache', '--output', archive('v1')]), opts.v1Paths);
    runs.archiveBuild.push({ seconds: built.seconds, maxRssKiB: built.maxRssKiB });
    log(`bench:   our docker-archive build ${built.seconds.toFixed(2)} s`);
    await withRegistry(async (reg) => {
      rmSync(SKOPEO_CACHE_DIR, { recursive: true, force: true });
      const cold = await skopeoCopy(reg, 'cmp/app', 'v1', archive('v1'));
      runs.skopeoColdCopy.push(cold);
      log(`bench:   skopeo cold copy ${cold.seconds.toFixed(2)} s, ${cold.registry.uploads} blobs, ${mb(cold.registry.uploadedBytes)}`);
      const warm = await skopeoCopy(reg, 'cmp/app', 'v2', archive('v2'));
      runs.skopeoWarmKeptCache.push(warm);
      log(`bench:   skopeo warm, blob-info cache kept ${warm.seconds.toFixed(2)} s, ${warm.registry.uploads} blobs, ${mb(warm.registry.uploadedBytes)}`);
    });

    // skopeo on a fresh runner, into registry C: v1 copied as before, then v2 with no blob-info cache.
    await withRegistry(async (reg) => {
      rmSync(SKOPEO_CACHE_DIR, { recursive: true, force: true });
      const cold = await skopeoCopy(reg, 'cmpfresh/app', 'v1', archive('v1'));
      runs.skopeoColdCopy.push(cold);
      log(`bench:   skopeo cold copy ${cold.seconds.toFixed(2)} s, ${cold.registry.uploads} blobs, ${mb(cold.registry.uploadedBytes)}`);
      rmSync(SKOPEO_CACHE_DIR, { recursive: true, force: true });
      const warm = await skopeoCopy(reg, 'cmpfresh/app', 'v2', archive('v2'));
      runs.skopeoWarmFreshRunner.push(warm);
      log(`bench:   skopeo warm, fresh runner ${warm.seconds.toFixed(2)} s, ${warm.registry.uploads} blobs, ${mb(warm.registry.uploadedBytes)}`);
    });

    // Where a cold push's time goes: the compression of every layer alone.
    runs.compressionAlone.push(await compressionAlone(archive('v1'), work));
    log(`bench:   compression alone ${(runs.compressionAlone.at(-1) ?? 0).toFixed(2)} s`);
  }
  rmSync(archive('v1'), { force: true });
  rmSync(archive('v2'), { force: true });

  const sec = (xs: { seconds: number }[]) => median(xs.map((x) => x.seconds));
  const m: PushResults['medianSeconds'] = {
    ourColdPush: sec(runs.ourColdPush),
    ourWarmPush: sec(runs.ourWarmPush),
    ourColdPushSbom: sec(runs.ourColdPushSbom),
    ourWarmPushSbom: sec(runs.ourWarmPushSbom),
    archiveBuild: sec(runs.archiveBuild),
    skopeoColdCopy: sec(runs.skopeoColdCopy),
    skopeoWarmKeptCache: sec(runs.skopeoWarmKeptCache),
    skopeoWarmFreshRunner: sec(runs.skopeoWarmFreshRunner),
    compressionAlone: median(runs.compressionAlone),
  };
  const counted = (xs: PushRun[]): RegistryCount => ({
    uploads: median(xs.map((x) => x.registry.uploads)),
    uploadedBytes: median(xs.map((x) => x.registry.uploadedBytes)),
    found: median(xs.map((x) => x.registry.found)),
    mounted: median(xs.map((x) => x.registry.mounted)),
    requests: median(xs.map((x) => x.registry.requests)),
  });
  const ratios = {
    ourWarmOverSkopeoWarmKeptCache: m.ourWarmPush / m.skopeoWarmKeptCache,
    ourColdOverArchiveBuildPlusSkopeoColdCopy: m.ourColdPush / (m.archiveBuild + m.skopeoColdCopy),
    ourWarmOverSkopeoWarmFreshRunner: m.ourWarmPush / m.skopeoWarmFreshRunner,
  };
  const sbomCost = { cold: m.ourColdPushSbom - m.ourColdPush, warm: m.ourWarmPushSbom - m.ourWarmPush };
  return {
    repetitions: opts.reps,
    medianSeconds: m,
    sbomCost,
    uploaded: {
      ourColdPush: counted(runs.ourColdPush),
      ourWarmPush: counted(runs.ourWarmPush),
      skopeoColdCopy: counted(runs.skopeoColdCopy),
      skopeoWarmKeptCache: counted(runs.skopeoWarmKeptCache),
      skopeoWarmFreshRunner: counted(runs.skopeoWarmFreshRunner),
    },
    ratios,
    targetsMet: {
      ourWarmOverSkopeoWarmKeptCache: ratios.ourWarmOverSkopeoWarmKeptCache <= 2,
      ourColdOverArchiveBuildPlusSkopeoColdCopy: ratios.ourColdOverArchiveBuildPlusSkopeoColdCopy <= 1.2,
      sbomCost: Math.max(sbomCost.cold, sbomCost.warm) <= 0.3,
    },
    reportsAgreeWithRegistryLog: [...runs.ourColdPush, ...runs.ourWarmPush].every((r) => r.agrees),
    runs,
  };
}

/** The printed lines of the push measurements. */
export function pushLines(p: PushResults): string[] {
  const m = p.medianSeconds;
  const u = p.uploaded;
  const up = (c: RegistryCount) => `${c.uploads} blobs, ${mb(c.uploadedBytes)} uploaded, ${c.found + c.mounted} found`;
  const row = (name: string, s: number, note: string) => `${name.padEnd(40)} ${s.toFixed(2).padStart(7)} s   ${note}`;
  return [
    `push (docker-registry on 127.0.0.1, maxLayers ${MAX_LAYERS}, app-only change for warm pushes); medians of ${p.repetitions}`,
    row('our cold push (--no-cache)', m.ourColdPush, `${up(u.ourColdPush)}; ${p.ratios.ourColdOverArchiveBuildPlusSkopeoColdCopy.toFixed(2)} × (archive build + skopeo cold copy), target ≤ 1.2`),
    row('our warm push (--no-cache --cache-from)', m.ourWarmPush, `${up(u.ourWarmPush)}; ${p.ratios.ourWarmOverSkopeoWarmKeptCache.toFixed(2)} × skopeo warm with its cache kept, target ≤ 2`),
    row('our cold push with --sbom', m.ourColdPushSbom, `${(p.sbomCost.cold >= 0 ? '+' : '') + p.sbomCost.cold.toFixed(2)} s over the same push without, target ≤ 0.3`),
    row('our warm push with --sbom', m.ourWarmPushSbom, `${(p.sbomCost.warm >= 0 ? '+' : '') + p.sbomCost.warm.toFixed(2)} s over the same push without, target ≤ 0.3`),
    row('our docker-archive build (--no-cache)', m.archiveBuild, ''),
    row('skopeo cold copy', m.skopeoColdCopy, up(u.skopeoColdCopy)),
    row('skopeo warm, blob-info cache kept', m.skopeoWarmKeptCache, up(u.skopeoWarmKeptCache)),
    row('skopeo warm, fresh runner', m.skopeoWarmFreshRunner, `${up(u.skopeoWarmFreshRunner)}; ours is ${p.ratios.ourWarmOverSkopeoWarmFreshRunner.toFixed(2)} × this`),
    row('compression alone (our layer workers)', m.compressionAlone, 'gzip of every layer, as the cold push does it'),
    `our push reports agree with the registry log: ${p.reportsAgreeWithRegistryLog ? 'yes' : 'NO'}`,
  ];
}

function mb(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`;
}

async function withRegistry(run: (reg: TestRegistry) => Promise<void>): Promise<void> {
  const reg = await startRegistry();
  try {
    await run(reg);
  } finally {
    await reg.stop();
  }
}

/** Runs one push against `reg` and counts, from its log, what it did in `repository`. */
async function counting(reg: TestRegistry, repository: string, push: () => Promise<TimedRun>): Promise<{ run: TimedRun; registry: RegistryCount }> {
  await reg.settled();
  const before = reg.accessLog().length;
  const uploadsBefore = reg.blobUploads(repository);
  const run = await push();
  await reg.settled();
  const lines = reg.accessLog().slice(before).filter((l) => !l.includes('"GET /v2/?settled='));
  const repo = repository.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const put = new RegExp(`"PUT /v2/${repo}/blobs/uploads/\\S*[?&]digest=sha256%3A([0-9a-f]{64})\\S* HTTP/1\\.1" 201`);
  const head = new RegExp(`"HEAD /v2/${repo}/blobs/sha256:[0-9a-f]{64} HTTP/1\\.1" 200`);
  const mount = new RegExp(`"POST /v2/${repo}/blobs/uploads/\\?\\S*mount=\\S* HTTP/1\\.1" 201`);
  const digests = lines.flatMap((l) => {
    const hex = put.exec(l)?.[1];
    return hex === undefined ? [] : [hex];
  });
  if (digests.length !== reg.blobUploads(repository) - uploadsBefore) throw new Error(`the registry log's uploads into ${repository} do not add up`);
  const blobFile = (hex: string) => path.join(reg.dir, 'data', 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
  const uploadedBytes = digests.reduce((n, hex) => n + statSync(blobFile(hex)).size, 0);
  const count = (re: RegExp) => lines.filter((l) => re.test(l)).length;
  return { run, registry: { uploads: digests.length, uploadedBytes, found: count(head), mounted: count(mount), requests: lines.length } };
}

async function ourPush(reg: TestRegistry, repository: string, argv: string[], inputs: readonly string[]): Promise<OurPushRun> {
  const { run, registry } = await counting(reg, repository, () => timedAsync(argv, inputs));
  const report = (JSON.parse(run.stdout) as PushReportJson).push.blobs;
  const phases: Record<string, [number, number]> = {};
  for (const { at, line } of run.stderr) {
    const phase = /^([a-z][a-z ]*): /.exec(line)?.[1];
    if (phase === undefined) continue;
    const seen = phases[phase];
    phases[phase] = seen === undefined ? [at, at] : [seen[0], at];
  }
  return {
    seconds: run.seconds,
    maxRssKiB: run.maxRssKiB,
    registry,
    report,
    agrees: report.uploaded === registry.uploads && report.uploadedBytes === registry.uploadedBytes,
    phases,
  };
}

async function skopeoCopy(reg: TestRegistry, repository: string, tag: string, archive: string): Promise<SkopeoRun> {
  const argv = ['skopeo', 'copy', '--dest-tls-verify=false', `docker-archive:${archive}`, `docker://${reg.host}/${repository}:${tag}`];
  const { run, registry } = await counting(reg, repository, () => timedAsync(argv, [archive]));
  return { seconds: run.seconds, maxRssKiB: run.maxRssKiB, registry };
}

/**
 * Every layer of a docker-archive compressed on the layer workers (gzip, as
 * a push compresses it), largest first, into files of their own: the part
 * of a cold push that is not building the layers or uploading. Settled
 * first, its input in the page cache.
 */
async function compressionAlone(archive: string, work: string): Promise<number> {
  const layers = layerRanges(archive).sort((a, b) => b.size - a.size);
  settle([archive]);
  const started = process.hrtime.bigint();
  const workers = new LayerWorkers(availableParallelism());
  const outs: string[] = [];
  try {
    await mapLimit(layers, availableParallelism(), async (source, i) => {
      const out = path.join(work, `compressed-${i}.gz`);
      outs.push(out);
      await workers.compress({ source, compression: 'gzip', out }, () => {});
    });
  } finally {
    await workers.close();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  for (const out of outs) rmSync(out, { force: true });
  return seconds;
}

/** Where each `…/layer.tar` of a docker-archive lies in it (ustar headers; layer names are short). */
function layerRanges(file: string): { file: string; offset: number; size: number }[] {
  const fd = openSync(file, 'r');
  const header = Buffer.alloc(512);
  const ranges: { file: string; offset: number; size: number }[] = [];
  try {
    const end = statSync(file).size;
    for (let at = 0; at + 512 <= end; ) {
      if (readSync(fd, header, 0, 512, at) !== 512 || header.every((b) => b === 0)) break;
      const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
      const size = parseInt(header.subarray(124, 136).toString('ascii').replace(/\0.*$/s, '').trim() || '0', 8);
      if (name.endsWith('/layer.tar') && String.fromCharCode(header[156] ?? 0) !== 'x') ranges.push({ file, offset: at + 512, size });
      at += 512 + Math.ceil(size / 512) * 512;
    }
  } finally {
    closeSync(fd);
  }
  if (ranges.length === 0) throw new Error(`no layers found in ${file}`);
  return ranges;
}
