/**
 * What every measurement of the benchmark shares: the same start (settled
 * page cache), a timer around a command under GNU time, medians and
 * spreads, the machine's description and the results file.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout: this file runs from build/bench/. */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The same start for every measurement: every dirty page written back, so
 * that none pays for the writeback of the one before it (a cold build
 * leaves 1.6 GB to write), and what it reads (`inputs`) in the page cache,
 * so that none pays for a read from disk that the one before it was spared.
 * On these machines the page cache is small and drops files between runs.
 */
export function settle(inputs: readonly string[]): void {
  execFileSync('sync');
  if (inputs.length > 0) execFileSync('sh', ['-c', 'find "$@" -type f -exec cat {} + > /dev/null', 'sh', ...inputs]);
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export function minMax(xs: readonly number[]): [number, number] {
  return [Math.min(...xs), Math.max(...xs)];
}

export function machine() {
  const cpu = cpus()[0]?.model ?? 'unknown';
  const nix = execFileSync('nix-store', ['--version'], { encoding: 'utf8' }).trim();
  const kernel = execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim();
  return { cpu, cores: availableParallelism(), memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, nix, kernel };
}

/** Writes bench/results/<name>; returns its path. */
export function writeResults(name: string, results: object): string {
  mkdirSync(path.join(REPO, 'bench', 'results'), { recursive: true });
  const file = path.join(REPO, 'bench', 'results', name);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}

export interface TimedRun {
  seconds: number;
  maxRssKiB: number;
  stdout: string;
  /** The command's stderr lines, each with the seconds since it started when it arrived. */
  stderr: { at: number; line: string }[];
}

/** The timed commands running now (GNU time, each with its command under it). */
const running = new Set<ChildProcess>();

/**
 * Ends every timed command still running, for a signal's handler: SIGTERM
 * to the command under each GNU time (which would outlive it), then to
 * GNU time itself.
 */
export function stopTimed(): void {
  for (const child of running) {
    if (child.pid === undefined) continue;
    const under = spawnSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' }).stdout ?? '';
    for (const pid of under.split('\n').filter((l) => l !== '')) {
      try {
        process.kill(Number(pid), 'SIGTERM');
      } catch {
        // Gone already.
      }
    }
    child.kill('SIGTERM');
  }
}

/**
 * Runs a command under GNU time, settled first, without blocking this
 * process: a registry started here keeps logging (into a pipe this process
 * must drain) while the command talks to it. Returns wall seconds and peak
 * RSS; fails with the command's stderr when it fails. `stdoutTo`: a file
 * the command's standard output goes to (truncated first), instead of
 * `stdout`.
 */
export async function timedAsync(argv: readonly string[], inputs: readonly string[], env?: NodeJS.ProcessEnv, opts: { stdoutTo?: string } = {}): Promise<TimedRun> {
  settle(inputs);
  const out = opts.stdoutTo === undefined ? 'pipe' : openSync(opts.stdoutTo, 'w');
  const started = process.hrtime.bigint();
  const since = () => Number(process.hrtime.bigint() - started) / 1e9;
  let child: ChildProcess;
  try {
    child = spawn('/usr/bin/time', ['-f', '%M', ...argv], { stdio: ['ignore', out, 'pipe'], env: env ?? process.env });
  } finally {
    if (typeof out === 'number') closeSync(out);
  }
  running.add(child);
  let stdout = '';
  const stderr: TimedRun['stderr'] = [];
  let rest = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop() ?? '';
    const at = since();
    for (const line of parts) stderr.push({ at, line });
  });
  const status = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  }).finally(() => running.delete(child));
  const seconds = since();
  if (rest !== '') stderr.push({ at: seconds, line: rest });
  if (status !== 0) throw new Error(`${argv.join(' ')} failed (${status}):\n${stderr.map((l) => l.line).join('\n')}`);
  const last = stderr.pop();
  return { seconds, maxRssKiB: Number(last?.line), stdout, stderr };
}
