import { execFile, spawnSync } from 'node:child_process';
import { CLI } from './paths.js';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment the CLI runs in by default: this process's, with Nix's
 * substituters emptied, so that a path not in the store is never looked
 * for on the network (there is none here); a test that wants a binary
 * cache names it.
 */
export const CLI_ENV: NodeJS.ProcessEnv = { ...process.env, NIX_CONFIG: `${process.env['NIX_CONFIG'] ?? ''}\nsubstituters =\n` };

/** Runs the real CLI in its own process, as a user would. */
export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; cli?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [opts.cli ?? CLI, ...args], {
    encoding: 'utf8',
    env: opts.env ?? CLI_ENV,
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
    const child = execFile(process.execPath, [CLI, ...args], { encoding: 'utf8', env: opts.env ?? CLI_ENV, cwd: opts.cwd, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ status: err === null ? 0 : typeof err.code === 'number' ? err.code : (child.exitCode ?? 1), stdout, stderr });
    });
    // What a user pipes in (`echo "$PASSWORD" | layered-image … --password-stdin`), then end
    // of input, so that a command reading it never waits; one that exits first is no error.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(opts.input ?? '');
  });
}

/**
 * As runCliAsync, in a mount namespace whose /nix/store and Nix database
 * are empty, as on a fresh runner: the CLI finds no store path locally and
 * must read every one from a substituter. Needs root (CI runs as root).
 */
export function runCliWithoutStore(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliResult> {
  const script = 'mount -t tmpfs none /nix/store && mount -t tmpfs none /nix/var/nix && exec "$@"';
  return new Promise((resolve) => {
    const child = execFile('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', process.execPath, CLI, ...args], { encoding: 'utf8', env: opts.env ?? CLI_ENV, cwd: opts.cwd, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ status: err === null ? 0 : typeof err.code === 'number' ? err.code : (child.exitCode ?? 1), stdout, stderr });
    });
    child.stdin?.end();
  });
}
