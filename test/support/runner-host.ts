/**
 * The machine a stand-in job runs on (see workflow-runner.ts): a checkout
 * of this repository's tracked files, RUNNER_TEMP, a HOME, `sudo` and
 * `docker` on PATH, the job's services, and the Actions cache service.
 * Everything lives in one temporary folder; `close()` ends every process
 * and removes it.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startCacheServer } from './cache-server.js';
import { REPO } from './paths.js';
import { freePort, startRegistry } from './registry.js';

export interface RunnerHost {
  root: string;
  workspace: string;
  temp: string;
  home: string;
  /** Folder of the shims, first on PATH. */
  bin: string;
  /** Environment the Actions cache service gives an action. */
  cacheEnv: Record<string, string>;
  /** Ends the services, removes every file. */
  close(): Promise<void>;
}

/** A service as ci.yml declares one. */
export interface ServiceSpec {
  image?: string;
  ports?: (string | number)[];
}

/** Each of them undone in reverse order by close(), whatever failed. */
type Undo = () => Promise<unknown>;

export async function startHost(services: Record<string, ServiceSpec>): Promise<RunnerHost & { portRewrites: Map<string, string> }> {
  // A short name: podman takes a run root (root/podman/runroot) of at most 50 characters.
  const root = await mkdtemp(path.join(tmpdir(), 'job-'));
  const undo: Undo[] = [() => rm(root, { recursive: true, force: true })];
  const close = async () => {
    for (const u of undo.reverse()) await u().catch(() => undefined);
  };
  try {
    const [workspace, temp, home, bin] = ['workspace', 'temp', 'home', 'bin'].map((d) => path.join(root, d)) as [string, string, string, string];
    for (const d of [workspace, temp, home, bin]) await mkdir(d);
    // actions/checkout, as done: the tracked files as they are in this worktree.
    execFileSync('bash', ['-c', 'git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$0"', workspace], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
    const podman = path.join(root, 'podman');
    await writeShims(bin, podman);
    undo.push(() => removeContainers(podman));
    const portRewrites = await startServices(services, undo);
    const cache = await startCacheServer({ dir: path.join(root, 'cache-service'), runnerTemp: temp });
    undo.push(() => cache.close());
    return { root, workspace, temp, home, bin, cacheEnv: cache.env, portRewrites, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * `sudo` runs its command (the tests run as root; what apt-get is asked to
 * install is installed already). `docker` is podman in the job's own
 * storage: no engine runs here. docker takes loopback registries over
 * plain HTTP; podman is told so.
 */
async function writeShims(bin: string, podman: string): Promise<void> {
  const sudo = ['#!/bin/bash', 'while [[ "$1" == -* ]]; do shift; done', 'exec "$@"'];
  const docker = [
    '#!/bin/bash',
    `export CONTAINERS_CONF=${quote(path.join(podman, 'containers.conf'))}`,
    `podman=(podman --root ${quote(path.join(podman, 'root'))} --runroot ${quote(path.join(podman, 'runroot'))})`,
    'if [ "$1" = pull ] && [[ "${*: -1}" == localhost[:/]* || "${*: -1}" == 127.* ]]; then shift; exec "${podman[@]}" pull --tls-verify=false "$@"; fi',
    'exec "${podman[@]}" "$@"',
  ];
  await mkdir(podman);
  // This sandbox refuses to set rlimits (see shared/consumers.md).
  await writeFile(path.join(podman, 'containers.conf'), '[containers]\ndefault_ulimits = []\n');
  for (const [name, lines] of [['sudo', sudo], ['docker', docker]] as const) {
    await writeFile(path.join(bin, name), `${lines.join('\n')}\n`);
    await chmod(path.join(bin, name), 0o755);
  }
}

/** Containers a failed step left running would keep their mounts: removed before the files. */
async function removeContainers(podman: string): Promise<void> {
  const args = ['--root', path.join(podman, 'root'), '--runroot', path.join(podman, 'runroot'), 'rm', '--all', '--force'];
  await promisify(execFile)('podman', args, { env: { ...process.env, CONTAINERS_CONF: path.join(podman, 'containers.conf') } });
}

/**
 * Services our workflows use: `registry:2` on 5000:5000 is Debian's
 * docker-registry on 127.0.0.1:5000. Where 5000 is taken, on another
 * port, and the job's text says `localhost:PORT` for `localhost:5000`.
 */
async function startServices(services: Record<string, ServiceSpec>, undo: Undo[]): Promise<Map<string, string>> {
  const rewrites = new Map<string, string>();
  for (const [name, spec] of Object.entries(services)) {
    const ports = (spec.ports ?? []).map(String);
    if (spec.image !== 'registry:2' || ports.length !== 1 || ports[0] !== '5000:5000') {
      throw new Error(`service ${name}: the stand-in runner has only registry:2 on ports 5000:5000`);
    }
    const port = (await isFree(5000)) ? 5000 : await freePort();
    const registry = await startRegistry({ port });
    undo.push(() => registry.stop());
    if (port !== 5000) rewrites.set('localhost:5000', `localhost:${port}`);
  }
  return rewrites;
}

async function isFree(port: number): Promise<boolean> {
  const server = net.createServer();
  const free = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => resolve(true));
  });
  if (free) await new Promise<void>((resolve) => server.close(() => resolve()));
  return free;
}

function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
