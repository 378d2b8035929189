import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RUN_CONTAINERS_ENV } from '../../src/registry/credentials.js';
import { runCliAsync, type CliResult } from '../support/cli.js';
import { pullAndRun } from '../support/consumers.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { nixBuild } from '../support/nix.js';
import { CLOSURE_NIX } from '../support/paths.js';
import { freePort, startRegistry, type TestRegistry } from '../support/registry.js';
import { startTokenServer, type TokenServer } from '../support/token-server.js';

const USER = 'ci-bot';
const PASSWORD = 'Pa55-w0rd-that-must-never-show';
const secrets = [PASSWORD, Buffer.from(`${USER}:${PASSWORD}`).toString('base64')];

/** An auth file as docker login, podman login and skopeo's --authfile take it. */
async function authFile(dir: string, host: string, user: string, password: string): Promise<string> {
  const file = path.join(dir, `auth-${user}-${host.replace(/\W/g, '-')}.json`);
  await writeFile(file, JSON.stringify({ auths: { [host]: { auth: Buffer.from(`${user}:${password}`).toString('base64') } } }));
  return file;
}

/** Everything a run printed must be free of the secrets. */
function assertNoSecret(r: CliResult, extra: readonly string[] = []): void {
  for (const s of [...secrets, ...extra]) {
    assert.ok(!r.stdout.includes(s) && !r.stderr.includes(s), 'a secret was printed');
  }
}

describe('pushing with credentials, and when the registry fails', () => {
  let dir: string;
  let app: string;
  const config = JSON.stringify({ Cmd: ['/bin/app'] });
  const stops: (() => Promise<void>)[] = [];
  const push = (name: string, tag: string, env: NodeJS.ProcessEnv, more: string[] = []) =>
    runCliAsync(['build', '--json', '--name', name, '--tag', tag, '--contents', app, '--config', config, '--push', '--no-cache', ...more], { env: { ...process.env, ...hermetic(), ...env } });
  // The credential files of the machine running the tests are never read: podman's, for one, come before docker's.
  const hermetic = () => ({ [RUN_CONTAINERS_ENV]: path.join(dir, 'no-run'), XDG_CONFIG_HOME: path.join(dir, 'no-config'), XDG_RUNTIME_DIR: '' });

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'push-auth-'));
    app = nixBuild(CLOSURE_NIX, 'app');
  });
  after(async () => {
    for (const stop of stops.reverse()) await stop();
    await rm(dir, { recursive: true, force: true });
  });

  describe('htpasswd Basic auth', () => {
    let registry: TestRegistry;
    before(async () => {
      registry = await startRegistry({ auth: { htpasswd: { user: USER, password: PASSWORD } } });
      stops.push(() => registry.stop());
    });

    it('pushes with the credentials docker login wrote ($DOCKER_CONFIG/config.json)', async () => {
      const docker = await mkdtemp(path.join(dir, 'docker-'));
      const file = await authFile(dir, registry.host, USER, PASSWORD);
      await copyFile(file, path.join(docker, 'config.json'));
      const r = await push(`${registry.host}/team/app`, 'v1', { DOCKER_CONFIG: docker });
      assert.equal(r.status, 0, r.stderr);
      assertNoSecret(r);
      assert.equal((await pullAndRun(`${registry.host}/team/app:v1`, path.join(dir, 'run-basic'), file)).stdout, 'hello from app\nlibrary 1\n');
    });

    it('wrong credentials: one line naming the registry and the status, never the password, exit 1', async () => {
      const wrong = await authFile(dir, registry.host, USER, `${PASSWORD}-wrong`);
      const r = await push(`${registry.host}/team/app`, 'v2', { REGISTRY_AUTH_FILE: wrong, DOCKER_CONFIG: path.join(dir, 'none') });
      assert.equal(r.status, 1);
      assert.match(r.stderr.split('\n').at(-2) ?? '', new RegExp(`^layered-image: registry ${registry.host}: .*401`));
      assert.equal(r.stdout, '');
      assert.doesNotMatch(r.stderr, /^build layers:/m, 'found out before any work');
      assertNoSecret(r, [`${PASSWORD}-wrong`, Buffer.from(`${USER}:${PASSWORD}-wrong`).toString('base64')]);
    });

    it('no credentials at all: says the registry needs them', async () => {
      const r = await push(`${registry.host}/team/app`, 'v3', { DOCKER_CONFIG: path.join(dir, 'none'), REGISTRY_AUTH_FILE: path.join(dir, 'none.json'), XDG_RUNTIME_DIR: path.join(dir, 'none'), XDG_CONFIG_HOME: path.join(dir, 'none') });
      assert.equal(r.status, 1);
      assert.match(r.stderr, new RegExp(`layered-image: registry ${registry.host}: .*needs credentials`));
    });
  });

  describe('token auth (a token server signing JWTs for the registry)', () => {
    let registry: TestRegistry;
    let tokens: TokenServer;
    before(async () => {
      tokens = await startTokenServer({ user: USER, password: PASSWORD });
      registry = await startRegistry({ auth: { token: tokens } });
      stops.push(() => tokens.stop(), () => registry.stop());
    });

    it('pushes with a Bearer token got through the challenge, then pushes again reusing every unchanged layer', async () => {
      const file = await authFile(dir, registry.host, USER, PASSWORD);
      const env = { REGISTRY_AUTH_FILE: file, DOCKER_CONFIG: path.join(dir, 'none') };
      const first = await push(`${registry.host}/team/app`, 'v1', env);
      assert.equal(first.status, 0, first.stderr);
      assert.ok(tokens.requests().some((t) => t.granted && t.scopes.includes('repository:team/app:pull,push')));
      const changed = nixBuild(CLOSURE_NIX, 'app', { appSalt: '-token' });
      const second = await runCliAsync(['build', '--json', '--name', `${registry.host}/team/app`, '--tag', 'v2', '--contents', changed, '--config', config, '--push', '--no-cache', '--cache-from', `${registry.host}/team/app:v1`], { env: { ...process.env, ...env } });
      assert.equal(second.status, 0, second.stderr);
      assert.equal((JSON.parse(second.stdout) as { push: { blobs: { uploaded: number } } }).push.blobs.uploaded, 3);
      for (const r of [first, second]) assertNoSecret(r, tokens.issued());
      assert.equal((await pullAndRun(`${registry.host}/team/app:v2`, path.join(dir, 'run-token'), file)).stdout, 'hello from app-token\nlibrary 1\n');
    });
  });

  describe('a flaky registry (a fault-injecting proxy in front of a real one)', () => {
    let registry: TestRegistry;
    let proxy: FaultProxy;
    before(async () => {
      registry = await startRegistry();
      proxy = await startFaultProxy(registry.host);
      stops.push(() => proxy.stop(), () => registry.stop());
    });

    it('429 with Retry-After, a 503 and a connection reset mid-upload are retried; the image is intact', async () => {
      proxy.setRules([
        { method: 'POST', path: /\/blobs\/uploads\/$/, status: 429, retryAfter: 1 },
        { method: 'PUT', path: /\/blobs\/uploads\/.*digest=/, reset: 'mid-body' },
        { method: 'PUT', path: /\/manifests\//, status: 503 },
      ]);
      const r = await push(`${proxy.host}/team/flaky`, 'v1', {}, ['--retries', '3']);
      assert.equal(r.status, 0, r.stderr);
      const faults = proxy.seen().filter((s) => s.fault !== undefined).map((s) => s.fault);
      assert.equal(faults.length, 3, JSON.stringify(faults));
      assert.match(r.stderr, /retrying in/);
      // Pulled from the registry itself, not through the proxy.
      assert.equal((await pullAndRun(`${registry.host}/team/flaky:v1`, path.join(dir, 'run-flaky'))).stdout, 'hello from app\nlibrary 1\n');
    });

    it('a registry that answers 503 until the retries run out: one line, exit 1, no manifest', async () => {
      proxy.setRules([{ method: 'PUT', path: /\/manifests\//, status: 503, times: Infinity }]);
      const r = await push(`${proxy.host}/team/down`, 'v1', {}, ['--retries', '1']);
      assert.equal(r.status, 1);
      assert.match(r.stderr.split('\n').at(-2) ?? '', new RegExp(`^layered-image: registry ${proxy.host}: PUT manifest team/down:v1: 503`));
      assert.equal((await fetch(`http://${registry.host}/v2/team/down/manifests/v1`, { method: 'HEAD' })).status, 404);
      proxy.setRules([]);
    });

    it('an unreachable registry: one line, exit 1', async () => {
      const host = `127.0.0.1:${await freePort()}`;
      const r = await push(`${host}/team/app`, 'v1', {}, ['--retries', '1']);
      assert.equal(r.status, 1);
      assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('layered-image: ') && !l.includes('warning')).at(-1), `layered-image: registry ${host} is not reachable: ECONNREFUSED`);
      assert.doesNotMatch(r.stderr, /^(closure|build layers):/m, 'found out before any work');
    });
  });
});
