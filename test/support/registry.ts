/**
 * A real registry for tests: Debian's `docker-registry` (CNCF distribution
 * 2.8) on 127.0.0.1, filesystem storage in a temporary folder, with no
 * auth, htpasswd Basic auth, or token auth against a TokenServer.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TokenServer } from './token-server.js';

export type RegistryAuth = 'none' | { htpasswd: { user: string; password: string } } | { token: TokenServer };

export interface TestRegistry {
  /** `127.0.0.1:PORT` */
  host: string;
  dir: string;
  stop(): Promise<void>;
  /** The registry's access lines, `… "PUT /v2/… HTTP/1.1" 201 …`, one per request. */
  accessLog(): string[];
  /** Completed blob upload PUTs (201) into a repository. */
  blobUploads(repository: string): number;
  /** Blobs mounted (a POST with `mount=`, answered 201) into a repository. */
  blobMounts(repository: string): number;
  /**
   * Resolves once the log holds every request answered so far: the
   * registry writes a line after each answer, and its output arrives here
   * later, so a request of our own is sent and waited for.
   */
  settled(): Promise<void>;
}

const STARTUP_MS = 20_000;

/** A port nothing listens on now, found by binding 127.0.0.1:0. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** `port`: a fixed one, where a workflow names it (a job's service); by default any free one. */
export async function startRegistry(opts: { auth?: RegistryAuth; deleteEnabled?: boolean; port?: number } = {}): Promise<TestRegistry> {
  const dir = await mkdtemp(path.join(tmpdir(), 'registry-'));
  try {
    return await serve(dir, opts);
  } catch (e) {
    // A registry that never answered: its folder goes too.
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
    throw e;
  }
}

async function serve(dir: string, opts: { auth?: RegistryAuth; deleteEnabled?: boolean; port?: number }): Promise<TestRegistry> {
  const port = opts.port ?? (await freePort());
  const host = `127.0.0.1:${port}`;
  const config = [
    'version: 0.1',
    'log:',
    '  level: warn',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${path.join(dir, 'data')}`,
    ...(opts.deleteEnabled === true ? ['  delete:', '    enabled: true'] : []),
    'http:',
    `  addr: ${host}`,
    '  secret: layered-image-test-secret',
    ...authConfig(opts.auth ?? 'none', dir),
  ];
  const configFile = path.join(dir, 'config.yml');
  await writeFile(configFile, `${config.join('\n')}\n`);

  // distribution writes access lines to stdout and its own log to stderr.
  const lines: string[] = [];
  const child = spawn('/usr/bin/docker-registry', ['serve', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      lines.push(...parts);
    });
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A test process that ends without stop() must not leave a registry behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  try {
    await waitUntilServing(host, child, lines);
  } catch (e) {
    process.off('exit', killOnExit);
    child.kill('SIGKILL');
    // Gone before its folder is removed; never waited on for long (a child that never started sends no exit).
    await Promise.race([exited, sleep(5_000)]);
    throw e;
  }

  const accessLog = () => lines.filter((l) => /"[A-Z]+ \/\S* HTTP\/1\.1" \d{3}/.test(l));
  let marks = 0;
  return {
    host,
    dir,
    accessLog,
    async settled() {
      const mark = `/v2/?settled=${++marks}`;
      await fetch(`http://${host}${mark}`).then((r) => r.arrayBuffer()).catch(() => undefined);
      for (let i = 0; i < 200 && !lines.some((l) => l.includes(`"GET ${mark} `)); i++) await sleep(25);
    },
    blobUploads(repository: string) {
      const put = new RegExp(`"PUT /v2/${escape(repository)}/blobs/uploads/\\S*digest=\\S* HTTP/1\\.1" 201`);
      return accessLog().filter((l) => put.test(l)).length;
    },
    blobMounts(repository: string) {
      const post = new RegExp(`"POST /v2/${escape(repository)}/blobs/uploads/\\?mount=\\S* HTTP/1\\.1" 201`);
      return accessLog().filter((l) => post.test(l)).length;
    },
    async stop() {
      process.off('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function authConfig(auth: RegistryAuth, dir: string): string[] {
  if (auth === 'none') return [];
  if ('htpasswd' in auth) {
    const file = path.join(dir, 'htpasswd');
    execFileSync('htpasswd', ['-Bbc', file, auth.htpasswd.user, auth.htpasswd.password], { stdio: 'pipe' });
    return ['auth:', '  htpasswd:', '    realm: test-registry', `    path: ${file}`];
  }
  const t = auth.token;
  return ['auth:', '  token:', `    realm: ${t.realm}`, `    service: ${t.service}`, `    issuer: ${t.issuer}`, `    rootcertbundle: ${t.certFile}`];
}

async function waitUntilServing(host: string, child: ChildProcess, lines: string[]): Promise<void> {
  const deadline = Date.now() + STARTUP_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}:\n${lines.join('\n')}`);
    const status = await new Promise<number | undefined>((resolve) => {
      const req = http.get(`http://${host}/v2/`, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', () => resolve(undefined));
    });
    if (status === 200 || status === 401) return;
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error(`docker-registry did not answer on ${host}:\n${lines.join('\n')}`);
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
