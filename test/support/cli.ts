import { execFile, spawnSync } from 'node:child_process';
import { CLI } from './paths.js';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI in its own process, as a user would. */
export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; cli?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [opts.cli ?? CLI, ...args], {
    encoding: 'utf8',
    env: opts.env ?? process.env,
    cwd: opts.cwd,
    maxBuffer: 64 << 20,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * As runCli, without blocking this process: for tests whose servers (a
 * token server, a fault proxy) answer the CLI from here.
 */
export function runCliAsync(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI, ...args], { encoding: 'utf8', env: opts.env ?? process.env, cwd: opts.cwd, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ status: err === null ? 0 : typeof err.code === 'number' ? err.code : (child.exitCode ?? 1), stdout, stderr });
    });
    // What a user pipes in (`echo "$PASSWORD" | layered-image … --password-stdin`), then end
    // of input, so that a command reading it never waits; one that exits first is no error.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(opts.input ?? '');
  });
}
