import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RUN_CONTAINERS_ENV } from '../../src/registry/credentials.js';
import { runCliAsync, type CliResult } from '../support/cli.js';
import { nixBuild } from '../support/nix.js';
import { CLI, CLOSURE_NIX } from '../support/paths.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

const USER = 'newcomer';
const PASSWORD = 'cli-Pa55word-never-printed';
const WRONG = 'cli-wrong-Pa55word-never-printed';
const b64 = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString('base64');
const SECRETS = [PASSWORD, WRONG, b64(USER, PASSWORD), b64(USER, WRONG)];
const ZERO_DIGEST = `sha256:${'0'.repeat(64)}`;

/** What `podman login` and `docker login` write: an `auths` entry for the registry. */
async function authFile(file: string, host: string, password: string): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify({ auths: { [host]: { auth: b64(USER, password) } } }));
  return file;
}

/** The lines a run printed to stderr. */
const lines = (r: CliResult) => r.stderr.split('\n').filter((l) => l !== '');

describe('the CLI with registry credentials: flags, the auth files, and what a 401 says', () => {
  let registry: TestRegistry;
  let dir: string;
  let app: string;
  let n = 0;
  const runs: CliResult[] = [];
  const config = JSON.stringify({ Cmd: ['/bin/app'] });

  before(async () => {
    registry = await startRegistry({ auth: { htpasswd: { user: USER, password: PASSWORD } } });
    dir = await mkdtemp(path.join(tmpdir(), 'cli-credentials-'));
    app = nixBuild(CLOSURE_NIX, 'app');
  });
  after(async () => {
    await registry.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /**
   * A fresh, empty home for one run: none of this machine's credential
   * variables or files, and a /run/containers of the test's own.
   */
  async function place() {
    const root = path.join(dir, `run-${n++}`);
    const home = path.join(root, 'home');
    await mkdir(home, { recursive: true });
    const run = path.join(root, 'run-containers');
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, [RUN_CONTAINERS_ENV]: run };
    for (const name of ['REGISTRY_AUTH_FILE', 'XDG_RUNTIME_DIR', 'XDG_CONFIG_HOME', 'DOCKER_CONFIG']) delete env[name];
    return { root, home, run, env, uidFile: path.join(run, String(process.getuid?.()), 'auth.json') };
  }

  async function cli(args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<CliResult> {
    const r = await runCliAsync(args, { env, ...(input === undefined ? {} : { input }) });
    runs.push(r);
    return r;
  }

  const pushArgs = (tag: string, more: string[] = []) =>
    ['build', '--json', '--name', `${registry.host}/creds/app`, '--tag', tag, '--contents', app, '--config', config, '--push', '--no-cache', ...more];

  /** The registry holds the tag: asked with the right credentials, not the CLI's. */
  async function assertPushed(r: CliResult, tag: string): Promise<void> {
    assert.equal(r.status, 0, `${tag}: ${r.stderr}`);
    assert.deepEqual((JSON.parse(r.stdout) as { push: { refs: string[] } }).push.refs, [`${registry.host}/creds/app:${tag}`]);
    const res = await fetch(`http://${registry.host}/v2/creds/app/manifests/${tag}`, {
      method: 'HEAD',
      headers: { authorization: `Basic ${b64(USER, PASSWORD)}`, accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    assert.equal(res.status, 200);
  }

  it('--username with --password-stdin pushes, the password piped in with its newline', async () => {
    const { env } = await place();
    await assertPushed(await cli(pushArgs('stdin', ['--username', USER, '--password-stdin']), env, `${PASSWORD}\n`), 'stdin');
    // Typed on Windows, or by printf without \n: one line ending goes, nothing more.
    await assertPushed(await cli(pushArgs('stdin-crlf', ['--username', USER, '--password-stdin']), env, `${PASSWORD}\r\n`), 'stdin-crlf');
    await assertPushed(await cli(pushArgs('stdin-bare', ['--username', USER, '--password-stdin']), env, PASSWORD), 'stdin-bare');
  });

  it('a wrong password on stdin: one line that names --username, exit 1', async () => {
    const { env } = await place();
    const r = await cli(pushArgs('wrong', ['--username', USER, '--password-stdin']), env, `${WRONG}\n`);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.equal(lines(r).at(-1), `layered-image: registry ${registry.host}: GET /v2/: 401 Unauthorized: UNAUTHORIZED authentication required (check the credentials from --username)`);
  });

  it('--authfile FILE pushes with that file', async () => {
    const p = await place();
    const file = await authFile(path.join(p.root, 'my-auth.json'), registry.host, PASSWORD);
    await assertPushed(await cli(pushArgs('authfile', ['--authfile', file]), p.env), 'authfile');
  });

  it('--authfile FILE is read alone: right credentials elsewhere are not used', async () => {
    const p = await place();
    const elsewhere = await authFile(path.join(p.root, 'registry-auth.json'), registry.host, PASSWORD);
    await authFile(path.join(p.home, '.docker', 'config.json'), registry.host, PASSWORD);
    const file = await authFile(path.join(p.root, 'other-auth.json'), 'other.example.com', PASSWORD);
    const r = await cli(pushArgs('authfile-alone', ['--authfile', file]), { ...p.env, REGISTRY_AUTH_FILE: elsewhere });
    assert.equal(r.status, 1);
    assert.equal(lines(r).at(-1), `layered-image: registry ${registry.host}: GET /v2/: needs credentials (401 Unauthorized); none for ${registry.host} in ${file}`);
  });

  it('finds each file of the lookup order alone, and pushes with it', async () => {
    const cases: { name: string; setup: (p: Awaited<ReturnType<typeof place>>) => Promise<NodeJS.ProcessEnv> }[] = [
      { name: 'REGISTRY_AUTH_FILE', setup: async (p) => ({ REGISTRY_AUTH_FILE: await authFile(path.join(p.root, 'auth.json'), registry.host, PASSWORD) }) },
      { name: 'XDG_RUNTIME_DIR', setup: async (p) => (await authFile(path.join(p.root, 'xdg-runtime', 'containers', 'auth.json'), registry.host, PASSWORD), { XDG_RUNTIME_DIR: path.join(p.root, 'xdg-runtime') }) },
      { name: 'run-containers-uid', setup: async (p) => (await authFile(p.uidFile, registry.host, PASSWORD), {}) },
      { name: 'XDG_CONFIG_HOME', setup: async (p) => (await authFile(path.join(p.root, 'xdg-config', 'containers', 'auth.json'), registry.host, PASSWORD), { XDG_CONFIG_HOME: path.join(p.root, 'xdg-config') }) },
      { name: 'home-config', setup: async (p) => (await authFile(path.join(p.home, '.config', 'containers', 'auth.json'), registry.host, PASSWORD), {}) },
      { name: 'DOCKER_CONFIG', setup: async (p) => (await authFile(path.join(p.root, 'docker', 'config.json'), registry.host, PASSWORD), { DOCKER_CONFIG: path.join(p.root, 'docker') }) },
      { name: 'home-docker', setup: async (p) => (await authFile(path.join(p.home, '.docker', 'config.json'), registry.host, PASSWORD), {}) },
    ];
    for (const c of cases) {
      const p = await place();
      const tag = c.name.toLowerCase().replace(/_/g, '-');
      await assertPushed(await cli(pushArgs(tag), { ...p.env, ...(await c.setup(p)) }), tag);
    }
  });

  it('the first file with an entry wins: $REGISTRY_AUTH_FILE before docker config.json, the runtime file before ~/.config', async () => {
    const p = await place();
    const first = await authFile(path.join(p.root, 'registry-auth.json'), registry.host, WRONG);
    await authFile(path.join(p.home, '.docker', 'config.json'), registry.host, PASSWORD);
    const refused = await cli(pushArgs('order-1'), { ...p.env, REGISTRY_AUTH_FILE: first });
    assert.equal(refused.status, 1);
    assert.match(lines(refused).at(-1) ?? '', new RegExp(`: 401 Unauthorized: .*\\(check the credentials from ${escape(first)}\\)$`));

    const q = await place();
    await authFile(q.uidFile, registry.host, PASSWORD);
    await authFile(path.join(q.home, '.config', 'containers', 'auth.json'), registry.host, WRONG);
    await assertPushed(await cli(pushArgs('order-2'), q.env), 'order-2');
  });

  it('refused credentials from a later file: the line names it and the files looked in before it', async () => {
    const p = await place();
    const docker = await authFile(path.join(p.home, '.docker', 'config.json'), registry.host, WRONG);
    const r = await cli(pushArgs('refused'), p.env);
    assert.equal(r.status, 1);
    const looked = [p.uidFile, path.join(p.home, '.config', 'containers', 'auth.json'), docker].join(', ');
    assert.equal(lines(r).at(-1), `layered-image: registry ${registry.host}: GET /v2/: 401 Unauthorized: UNAUTHORIZED authentication required (check the credentials from ${docker}; looked in ${looked})`);
  });

  it('no credentials anywhere: the 401 line lists the files looked in, in order', async () => {
    const p = await place();
    const r = await cli(pushArgs('none'), { ...p.env, REGISTRY_AUTH_FILE: path.join(p.root, 'absent.json'), XDG_CONFIG_HOME: path.join(p.root, 'cfg') });
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    // $REGISTRY_AUTH_FILE stands where /run/containers/UID would.
    const looked = [path.join(p.root, 'absent.json'), path.join(p.root, 'cfg', 'containers', 'auth.json'), path.join(p.home, '.docker', 'config.json')];
    assert.equal(lines(r).at(-1), `layered-image: registry ${registry.host}: GET /v2/: needs credentials (401 Unauthorized); none for ${registry.host} in ${looked.join(', ')}`);
  });

  it('index takes --username with --password-stdin too', async () => {
    const { env } = await place();
    const byDigest = await cli(['build', '--json', '--name', `${registry.host}/creds/app`, '--contents', app, '--config', config, '--push-by-digest', '--no-cache', '--username', USER, '--password-stdin'], env, `${PASSWORD}\n`);
    assert.equal(byDigest.status, 0, byDigest.stderr);
    const { digest } = (JSON.parse(byDigest.stdout) as { push: { digest: string } }).push;
    const index = await cli(['index', '--json', '--name', `${registry.host}/creds/app`, '--tag', 'multi', '--manifest', digest, '--username', USER, '--password-stdin'], env, `${PASSWORD}\n`);
    assert.equal(index.status, 0, index.stderr);
    const wrong = await cli(['index', '--name', `${registry.host}/creds/app`, '--tag', 'multi', '--manifest', digest, '--username', USER, '--password-stdin'], env, `${WRONG}\n`);
    assert.equal(wrong.status, 1);
    assert.match(lines(wrong).at(-1) ?? '', /401 Unauthorized.*\(check the credentials from --username\)$/);
  });

  describe('flags that do not go together: one line naming them, exit 1, nothing pushed', () => {
    const cases: { what: string; flags: (root: string) => string[]; input?: string; says: string }[] = [
      { what: '--username alone', flags: () => ['--username', USER], says: '--username needs --password-stdin: the password is read from standard input, never from a flag' },
      { what: '--password-stdin alone', flags: () => ['--password-stdin'], input: `${PASSWORD}\n`, says: '--password-stdin needs --username' },
      { what: 'nothing on stdin', flags: () => ['--username', USER, '--password-stdin'], input: '', says: '--password-stdin read an empty password from standard input' },
      { what: 'an empty line on stdin', flags: () => ['--username', USER, '--password-stdin'], input: '\n', says: '--password-stdin read an empty password from standard input' },
      { what: '--authfile with --username', flags: (root) => ['--authfile', path.join(root, 'auth.json'), '--username', USER, '--password-stdin'], input: `${PASSWORD}\n`, says: '--authfile cannot go with --username: credentials come from one or the other' },
      { what: 'an --authfile that does not exist', flags: (root) => ['--authfile', path.join(root, 'missing.json')], says: '--authfile ROOT/missing.json: no such file' },
      { what: 'an --authfile that is a folder', flags: (root) => ['--authfile', root], says: '--authfile ROOT is not a file' },
    ];
    for (const command of ['build', 'index'] as const) {
      for (const c of cases) {
        it(`${command}: ${c.what}`, async () => {
          const p = await place();
          await authFile(path.join(p.root, 'auth.json'), registry.host, PASSWORD);
          const base = command === 'build'
            ? pushArgs(`bad-${n}`)
            : ['index', '--name', `${registry.host}/creds/app`, '--tag', `bad-${n}`, '--manifest', ZERO_DIGEST];
          await registry.settled();
          const before = registry.accessLog().length;
          const r = await cli([...base, ...c.flags(p.root)], p.env, c.input);
          assert.equal(r.status, 1);
          assert.equal(r.stdout, '');
          assert.equal(r.stderr, `layered-image: ${c.says.replace('ROOT', p.root)}\n`);
          await registry.settled();
          assert.equal(registry.accessLog().length, before + 1, 'the registry was not asked anything (but the settling request)');
        });
      }
    }
  });

  it('build: credential flags without a push are refused before standard input is read', async () => {
    const p = await place();
    for (const flags of [['--username', USER, '--password-stdin'], ['--authfile', path.join(p.root, 'auth.json')]]) {
      const r = await cli(['build', '--name', `${registry.host}/creds/app`, '--contents', app, '--config', config, '--no-cache', '--explain', ...flags], p.env, `${PASSWORD}\n`);
      assert.equal(r.status, 1);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, `layered-image: ${flags[0] as string} is for a push: add --push or --push-by-digest\n`);
    }
  });

  it('--password-stdin at a terminal is refused rather than echoed; more than a password on stdin is refused', async () => {
    const p = await place();
    const args = [process.execPath, CLI, ...pushArgs('tty'), '--username', USER, '--password-stdin'];
    // script(1) gives the command a real terminal for standard input.
    const tty = spawnSync('script', ['-qec', args.map((a) => `'${a}'`).join(' '), '/dev/null'], { env: { ...process.env, ...p.env }, encoding: 'utf8', input: '' });
    assert.match(tty.stdout, /layered-image: --password-stdin reads standard input, which is a terminal here; pipe the password in/);
    assert.notEqual(tty.status, 0);
    const flood = await cli([...pushArgs('flood'), '--username', USER, '--password-stdin'], p.env, 'x'.repeat(70_000));
    assert.equal(flood.status, 1);
    assert.equal(flood.stderr, 'layered-image: --password-stdin read more than 65536 bytes from standard input; a password is one line\n');
  });

  it('printed no password and no base64 user:password, on stdout or stderr, in any run', () => {
    assert.ok(runs.length >= 20, `only ${runs.length} runs`);
    for (const r of runs) {
      for (const secret of SECRETS) assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret), 'a secret was printed');
    }
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
