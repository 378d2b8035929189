/**
 * What every measurement of the benchmark shares: the same start (settled
 * page cache), a timer around a command under GNU time, and medians.
 */
import { execFileSync, spawn } from 'node:child_process';

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

export interface TimedRun {
  seconds: number;
  maxRssKiB: number;
  stdout: string;
  /** The command's stderr lines, each with the seconds since it started when it arrived. */
  stderr: { at: number; line: string }[];
}

/**
 * Runs a command under GNU time, settled first, without blocking this
 * process: a registry started here keeps logging (into a pipe this process
 * must drain) while the command talks to it. Returns wall seconds and peak
 * RSS; fails with the command's stderr when it fails.
 */
export async function timedAsync(argv: readonly string[], inputs: readonly string[], env?: NodeJS.ProcessEnv): Promise<TimedRun> {
  settle(inputs);
  const started = process.hrtime.bigint();
  const since = () => Number(process.hrtime.bigint() - started) / 1e9;
  const child = spawn('/usr/bin/time', ['-f', '%M', ...argv], { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
  let stdout = '';
  const stderr: TimedRun['stderr'] = [];
  let rest = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop() ?? '';
    const at = since();
    for (const line of parts) stderr.push({ at, line });
  });
  const status = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  const seconds = since();
  if (rest !== '') stderr.push({ at: seconds, line: rest });
  if (status !== 0) throw new Error(`${argv.join(' ')} failed (${status}):\n${stderr.map((l) => l.line).join('\n')}`);
  const last = stderr.pop();
  return { seconds, maxRssKiB: Number(last?.line), stdout, stderr };
}
