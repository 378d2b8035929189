import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { input } from '../../src/inputs.js';
import { UserError } from '../../src/errors.js';
import { RUN_CONTAINERS_ENV, findCredentials, type FindCredentialsOptions } from '../../src/registry/credentials.js';
import { Said } from './helpers.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const find = async (registry: string, opts: FindCredentialsOptions) => (await findCredentials(registry, opts)).credentials;

/**
 * A stand-in for docker-credential-pass and friends: answers for the
 * servers it knows, records what it was asked, fails for the rest the way
 * the real ones do.
 */
const HELPER = `#!/bin/sh
[ "$1" = get ] || exit 2
read -r server
echo "$server" >> "$(dirname "$0")/asked"
case "$server" in
  helper.example.com) echo '{"ServerURL":"helper.example.com","Username":"helper-user","Secret":"helper-Secret"}' ;;
  token.example.com) echo '{"ServerURL":"token.example.com","Username":"<token>","Secret":"identity-Secret"}' ;;
  store.example.com) echo '{"ServerURL":"store.example.com","Username":"store-user","Secret":"store-Secret"}' ;;
  https://index.docker.io/v1/) echo '{"Username":"hub-user","Secret":"hub-Secret"}' ;;
  *) echo "credentials not found in native keychain, leaked-Secret" >&2; exit 1 ;;
esac
`;

describe('finding registry credentials', () => {
  let dir: string;
  let bin: string;
  const said = new Said();

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'credentials-'));
    bin = path.join(dir, 'bin');
    await mkdir(bin);
    await writeFile(path.join(bin, 'docker-credential-test'), HELPER);
    await chmod(path.join(bin, 'docker-credential-test'), 0o755);
    await writeFile(path.join(bin, 'docker-credential-broken'), '#!/bin/sh\necho "not json, broken-Secret"\n');
    await chmod(path.join(bin, 'docker-credential-broken'), 0o755);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  let n = 0;
  /** A HOME with this docker config.json, and an environment that finds the fake helpers. */
  async function home(config: unknown): Promise<NodeJS.ProcessEnv> {
    const h = path.join(dir, `home-${n++}`);
    await mkdir(path.join(h, '.docker'), { recursive: true });
    await writeFile(path.join(h, '.docker', 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
    // Never the real /run/containers/UID: a folder of this test's, empty.
    return { HOME: h, PATH: `${bin}:/usr/bin:/bin`, [RUN_CONTAINERS_ENV]: path.join(dir, 'no-run') };
  }

  it('reads `auths` entries: auth, username/password, identitytoken, URL-shaped keys', async () => {
    const env = await home({
      auths: {
        '127.0.0.1:5000': { auth: b64('alice:pass:with:colons') },
        'https://plain.example.com': { username: 'bob', password: 'bob-Secret' },
        'http://old.example.com/v1/': { auth: b64('carol:carol-Secret') },
        'id.example.com': { identitytoken: 'id-Secret' },
        'https://index.docker.io/v1/': { auth: b64('hubby:hub-file-Secret') },
      },
    });
    assert.deepEqual(await find('127.0.0.1:5000', { env }), { username: 'alice', password: 'pass:with:colons' });
    assert.deepEqual(await find('plain.example.com', { env }), { username: 'bob', password: 'bob-Secret' });
    assert.deepEqual(await find('old.example.com', { env }), { username: 'carol', password: 'carol-Secret' });
    assert.deepEqual(await find('id.example.com', { env }), { identityToken: 'id-Secret' });
    assert.deepEqual(await find('docker.io', { env }), { username: 'hubby', password: 'hub-file-Secret' });
    assert.equal(await find('127.0.0.1:5001', { env }), undefined);
  });

  it('prefers $DOCKER_CONFIG to ~/.docker', async () => {
    const env = await home({ auths: { 'r.example.com': { auth: b64('home:home-Secret') } } });
    const other = path.join(dir, 'docker-config');
    await mkdir(other, { recursive: true });
    await writeFile(path.join(other, 'config.json'), JSON.stringify({ auths: { 'r.example.com': { auth: b64('dc:dc-Secret') } } }));
    assert.deepEqual(await find('r.example.com', { env: { ...env, DOCKER_CONFIG: other } }), { username: 'dc', password: 'dc-Secret' });
  });

  it('asks a credHelpers helper with the server on stdin; `<token>` means an identity token', async () => {
    const env = await home({
      credHelpers: { 'helper.example.com': 'test', 'token.example.com': 'test', 'https://index.docker.io/v1/': 'test' },
      auths: { 'helper.example.com': { auth: b64('file:file-Secret') } },
    });
    assert.deepEqual(await find('helper.example.com', { env }), { username: 'helper-user', password: 'helper-Secret' });
    assert.deepEqual(await find('token.example.com', { env }), { identityToken: 'identity-Secret' });
    assert.deepEqual(await find('docker.io', { env }), { username: 'hub-user', password: 'hub-Secret' });
    const asked = (await readFile(path.join(bin, 'asked'), 'utf8')).trim().split('\n');
    assert.deepEqual(asked.slice(-3), ['helper.example.com', 'token.example.com', 'https://index.docker.io/v1/']);
    assert.equal((await findCredentials('helper.example.com', { env })).from, `docker-credential-test (credHelpers of ${path.join(env.HOME ?? '', '.docker', 'config.json')})`);
  });

  it('uses credsStore after credHelpers and auths', async () => {
    const env = await home({ credsStore: 'test', auths: { 'file.example.com': { auth: b64('file:file-Secret') } } });
    assert.deepEqual(await find('store.example.com', { env }), { username: 'store-user', password: 'store-Secret' });
    assert.deepEqual(await find('file.example.com', { env }), { username: 'file', password: 'file-Secret' });
    const file = path.join(env.HOME ?? '', '.docker', 'config.json');
    assert.equal((await findCredentials('store.example.com', { env })).from, `docker-credential-test (credsStore of ${file})`);
    assert.equal((await findCredentials('file.example.com', { env })).from, file);
  });

  it('goes on past a helper that is missing, fails or answers garbage, without throwing', async () => {
    const env = await home({
      credHelpers: { 'missing.example.com': 'nonexistent', 'failing.example.com': 'test', 'broken.example.com': 'broken' },
      auths: { 'failing.example.com': { auth: b64('fallback:fallback-Secret') } },
    });
    assert.equal(await find('missing.example.com', { env }), undefined);
    assert.equal(await find('broken.example.com', { env }), undefined);
    assert.deepEqual(await find('failing.example.com', { env }), { username: 'fallback', password: 'fallback-Secret' });
  });

  it('lets explicit credentials win', async () => {
    const env = await home({ auths: { 'e.example.com': { auth: b64('file:file-Secret') } } });
    const explicit = { username: 'me', password: 'explicit-Secret' };
    assert.deepEqual(await findCredentials('e.example.com', { env, explicit }), { credentials: { username: 'me', password: 'explicit-Secret' }, from: input('username'), searched: [] });
  });

  it('names a malformed file in one line, without its content', async () => {
    const env = await home('{"auths": {"m.example.com": {"auth": "bWFsZm9ybWVkLVNlY3JldA=="}}');
    const file = path.join(env.HOME ?? '', '.docker', 'config.json');
    const e = await said.failure(find('m.example.com', { env }));
    assert.ok(e instanceof UserError);
    assert.equal(e.message, `${file} is not valid JSON`);

    const badAuth = await home({ auths: { 'm.example.com': { auth: b64('no-colon-Secret') } } });
    const e2 = await said.failure(find('m.example.com', { env: badAuth }));
    assert.match(e2.message, /config\.json: auths entry for m\.example\.com has an "auth" value that is not base64 of user:password$/);

    const notObject = await home({ auths: ['x'] });
    assert.match((await said.failure(find('m.example.com', { env: notObject }))).message, /config\.json: "auths" is not an object$/);
  });

  it('put no secret in any message', () => {
    said.assertNoSecret(['Secret', b64('no-colon-Secret'), 'bWFsZm9ybWVkLVNlY3JldA==']);
  });
});
