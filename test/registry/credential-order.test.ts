import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RUN_CONTAINERS_ENV, findCredentials, noneFoundNote, refusedHint } from '../../src/registry/credentials.js';

const HOST = 'r.example.com';
const UID = 4242;

/** An auth file (containers' or docker's: the same `auths` shape) with an entry for HOST as `user`. */
async function authFile(file: string, user: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify({ auths: { [HOST]: { auth: Buffer.from(`${user}:${user}-Secret`).toString('base64') } } }));
}

/** Every place credentials are looked for, under one folder of the test's own. */
function places(root: string) {
  const p = {
    home: path.join(root, 'home'),
    runtime: path.join(root, 'xdg-runtime'),
    run: path.join(root, 'run-containers'),
    configHome: path.join(root, 'xdg-config'),
    docker: path.join(root, 'docker-config'),
  };
  return {
    ...p,
    files: {
      registryAuthFile: path.join(root, 'registry-auth.json'),
      runtime: path.join(p.runtime, 'containers', 'auth.json'),
      run: path.join(p.run, String(UID), 'auth.json'),
      configHome: path.join(p.configHome, 'containers', 'auth.json'),
      homeConfig: path.join(p.home, '.config', 'containers', 'auth.json'),
      dockerConfig: path.join(p.docker, 'config.json'),
      homeDocker: path.join(p.home, '.docker', 'config.json'),
    },
  };
}

describe('the files credentials are looked for in, in order', () => {
  let dir: string;
  let n = 0;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'credential-order-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));
  const fresh = () => places(path.join(dir, `case-${n++}`));

  it('finds each file alone, and says it is where the credentials came from', async () => {
    const cases: { name: string; file: (p: ReturnType<typeof places>) => string; env: (p: ReturnType<typeof places>) => NodeJS.ProcessEnv }[] = [
      { name: 'REGISTRY_AUTH_FILE', file: (p) => p.files.registryAuthFile, env: (p) => ({ REGISTRY_AUTH_FILE: p.files.registryAuthFile }) },
      { name: 'XDG_RUNTIME_DIR', file: (p) => p.files.runtime, env: (p) => ({ XDG_RUNTIME_DIR: p.runtime }) },
      { name: '/run/containers/UID', file: (p) => p.files.run, env: () => ({}) },
      { name: 'XDG_CONFIG_HOME', file: (p) => p.files.configHome, env: (p) => ({ XDG_CONFIG_HOME: p.configHome }) },
      { name: 'HOME/.config', file: (p) => p.files.homeConfig, env: () => ({}) },
      { name: 'DOCKER_CONFIG', file: (p) => p.files.dockerConfig, env: (p) => ({ DOCKER_CONFIG: p.docker }) },
      { name: 'HOME/.docker', file: (p) => p.files.homeDocker, env: () => ({}) },
    ];
    for (const c of cases) {
      const p = fresh();
      await authFile(c.file(p), c.name);
      const env = { HOME: p.home, [RUN_CONTAINERS_ENV]: p.run, ...c.env(p) };
      const found = await findCredentials(HOST, { env, uid: UID });
      assert.deepEqual(found.credentials, { username: c.name, password: `${c.name}-Secret` }, c.name);
      assert.equal(found.from, c.file(p), c.name);
      assert.equal(found.searched.at(-1), c.file(p), c.name);
    }
  });

  it('reads $XDG_RUNTIME_DIR, $XDG_CONFIG_HOME, then $DOCKER_CONFIG: the first with an entry wins', async () => {
    const p = fresh();
    const order = [p.files.runtime, p.files.configHome, p.files.dockerConfig];
    for (const [i, file] of order.entries()) await authFile(file, `user${i}`);
    // Where the unset variables would lead: these must never be read.
    await authFile(p.files.run, 'not-read');
    await authFile(p.files.homeConfig, 'not-read');
    await authFile(p.files.homeDocker, 'not-read');
    const env = { HOME: p.home, XDG_RUNTIME_DIR: p.runtime, XDG_CONFIG_HOME: p.configHome, DOCKER_CONFIG: p.docker, [RUN_CONTAINERS_ENV]: p.run };
    for (const [i, file] of order.entries()) {
      const found = await findCredentials(HOST, { env, uid: UID });
      assert.equal(found.from, file);
      assert.deepEqual(found.credentials, { username: `user${i}`, password: `user${i}-Secret` });
      assert.deepEqual(found.searched, order.slice(0, i + 1));
      await rm(file);
    }
    assert.deepEqual(await findCredentials(HOST, { env, uid: UID }), { credentials: undefined, from: undefined, searched: order });
  });

  it('$REGISTRY_AUTH_FILE takes the primary file\'s place, as containers-auth.json(5) says; the search goes on after it', async () => {
    const p = fresh();
    await authFile(p.files.runtime, 'not-read');
    await authFile(p.files.configHome, 'config');
    const env = { HOME: p.home, REGISTRY_AUTH_FILE: p.files.registryAuthFile, XDG_RUNTIME_DIR: p.runtime, XDG_CONFIG_HOME: p.configHome, DOCKER_CONFIG: p.docker, [RUN_CONTAINERS_ENV]: p.run };
    const found = await findCredentials(HOST, { env, uid: UID });
    assert.equal(found.from, p.files.configHome);
    assert.deepEqual(found.searched, [p.files.registryAuthFile, p.files.configHome]);
    await authFile(p.files.registryAuthFile, 'override');
    assert.equal((await findCredentials(HOST, { env, uid: UID })).from, p.files.registryAuthFile);
  });

  it('without XDG_RUNTIME_DIR, XDG_CONFIG_HOME and DOCKER_CONFIG: /run/containers/UID, ~/.config, then ~/.docker', async () => {
    const p = fresh();
    const order = [p.files.run, p.files.homeConfig, p.files.homeDocker];
    for (const [i, file] of order.entries()) await authFile(file, `user${i}`);
    const env = { HOME: p.home, [RUN_CONTAINERS_ENV]: p.run };
    for (const file of order) {
      assert.equal((await findCredentials(HOST, { env, uid: UID })).from, file);
      await rm(file);
    }
    assert.deepEqual((await findCredentials(HOST, { env, uid: UID })).searched, order);
  });

  it("takes this process's uid for /run/containers/UID by default", async () => {
    const p = fresh();
    const file = path.join(p.run, String(process.getuid?.()), 'auth.json');
    await authFile(file, 'me');
    assert.equal((await findCredentials(HOST, { env: { [RUN_CONTAINERS_ENV]: p.run } })).from, file);
  });

  it('reads an --authfile alone', async () => {
    const p = fresh();
    for (const file of Object.values(p.files)) await authFile(file, 'elsewhere');
    const env = { HOME: p.home, REGISTRY_AUTH_FILE: p.files.registryAuthFile, XDG_RUNTIME_DIR: p.runtime, [RUN_CONTAINERS_ENV]: p.run };
    const given = path.join(dir, `given-${n++}.json`);
    await writeFile(given, JSON.stringify({ auths: { 'other.example.com': { auth: Buffer.from('o:o-Secret').toString('base64') } } }));
    assert.deepEqual(await findCredentials(HOST, { env, uid: UID, authFile: given }), { credentials: undefined, from: undefined, searched: [given] });
    await authFile(given, 'given');
    assert.deepEqual(await findCredentials(HOST, { env, uid: UID, authFile: given }), { credentials: { username: 'given', password: 'given-Secret' }, from: given, searched: [given] });
  });

  it('lists a file once when $REGISTRY_AUTH_FILE names another place of the order', async () => {
    const p = fresh();
    const env = { HOME: p.home, REGISTRY_AUTH_FILE: p.files.homeConfig, [RUN_CONTAINERS_ENV]: p.run };
    assert.deepEqual((await findCredentials(HOST, { env, uid: UID })).searched, [p.files.homeConfig, p.files.homeDocker]);
    // Naming docker's config.json, it is read once, in the primary file's place.
    const docker = { HOME: p.home, REGISTRY_AUTH_FILE: p.files.homeDocker, [RUN_CONTAINERS_ENV]: p.run };
    assert.deepEqual((await findCredentials(HOST, { env: docker, uid: UID })).searched, [p.files.homeDocker, p.files.homeConfig]);
  });

  it("words a 401's note: the files looked in, in order, or where the refused credentials came from", () => {
    assert.equal(noneFoundNote(HOST, { from: undefined, searched: ['/a/auth.json', '/b/config.json'] }), `; none for ${HOST} in /a/auth.json, /b/config.json`);
    assert.equal(noneFoundNote(HOST, { from: undefined, searched: [] }), '; no credential file to look in (HOME is not set)');
    assert.equal(refusedHint({ from: '/b/auth.json', searched: ['/a/auth.json', '/b/auth.json'] }), ' (check the credentials from /b/auth.json; looked in /a/auth.json, /b/auth.json)');
    assert.equal(refusedHint({ from: '/a/auth.json', searched: ['/a/auth.json'] }), ' (check the credentials from /a/auth.json)');
    assert.equal(refusedHint({ from: '--username', searched: [] }), ' (check the credentials from --username)');
    assert.equal(refusedHint(undefined), ' (check the credentials)');
  });
});
