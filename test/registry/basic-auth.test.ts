import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { UserError } from '../../src/errors.js';
import { OCI_MANIFEST, RegistryClient, RegistryError } from '../../src/registry/client.js';
import { RUN_CONTAINERS_ENV, findCredentials } from '../../src/registry/credentials.js';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.js';
import { type TestRegistry, startRegistry } from '../support/registry.js';
import { Said, randomBlob, secretForms, testImage } from './helpers.js';

const USER = 'pusher';
const PASSWORD = 'basic-Secret-7f3a9c';

describe('registry client, htpasswd Basic auth', () => {
  let registry: TestRegistry;
  const said = new Said();
  const right = { username: USER, password: PASSWORD };

  before(async () => {
    registry = await startRegistry({ auth: { htpasswd: { user: USER, password: PASSWORD } } });
  });
  after(() => registry.stop());

  it('pushes and reads back an image with the right credentials', async () => {
    const client = new RegistryClient({ registry: registry.host, credentials: right, log: said.log });
    const image = await testImage('basic\n');
    for (const b of [image.layer, image.config]) await client.uploadBlob('basic/app', b.digest, b.size, { bytes: b.bytes });
    assert.equal(await client.putManifest('basic/app', 'v1', OCI_MANIFEST, image.manifest), image.manifestDigest);
    assert.equal((await client.getManifest('basic/app', 'v1'))?.digest, image.manifestDigest);
    assert.equal(await client.blobExists('basic/app', image.layer.digest), image.layer.size);
  });

  it('uses credentials found in a docker config.json', async () => {
    const home = await mkdtemp(path.join(tmpdir(), 'basic-home-'));
    try {
      const auth = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
      await writeFile(path.join(home, 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth } } }));
      const found = await findCredentials(registry.host, { env: { DOCKER_CONFIG: home, [RUN_CONTAINERS_ENV]: home } });
      const client = new RegistryClient({ registry: registry.host, credentials: found.credentials, credentialsSource: found, log: said.log });
      const b = randomBlob(100, 'from-config');
      await client.uploadBlob('basic/config', b.digest, b.size, { bytes: b.bytes });
      assert.equal(await client.blobExists('basic/config', b.digest), b.size);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it('names the registry and the 401 for a wrong password, and never the password', async () => {
    const client = new RegistryClient({ registry: registry.host, credentials: { username: USER, password: `${PASSWORD}-wrong` }, log: said.log });
    const b = randomBlob(10, 'wrong');
    const e = await said.failure(client.uploadBlob('basic/app', b.digest, b.size, { bytes: b.bytes }));
    assert.ok(e instanceof RegistryError && e instanceof UserError);
    assert.equal(e.message, `registry ${registry.host}: POST upload basic/app: 401 Unauthorized: UNAUTHORIZED authentication required (check the credentials)`);
    assert.ok(!e.message.includes(PASSWORD));
  });

  it('says that credentials are needed when there are none', async () => {
    const client = new RegistryClient({ registry: registry.host, log: said.log });
    const e = await said.failure(client.getManifest('basic/app', 'v1'));
    assert.ok(e instanceof RegistryError);
    assert.equal(e.message, `registry ${registry.host}: GET manifest basic/app:v1: needs credentials (401 Unauthorized)`);
  });

  it('names the file that gave refused credentials, and the files looked in when there were none', async () => {
    const home = await mkdtemp(path.join(tmpdir(), 'basic-refused-'));
    try {
      const first = path.join(home, 'registry-auth.json');
      await writeFile(first, '{}');
      await writeFile(path.join(home, 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`${USER}:${PASSWORD}-stale`).toString('base64') } } }));
      const env = { REGISTRY_AUTH_FILE: first, DOCKER_CONFIG: home, [RUN_CONTAINERS_ENV]: home };
      const refused = await findCredentials(registry.host, { env, uid: 0 });
      const stale = new RegistryClient({ registry: registry.host, credentials: refused.credentials, credentialsSource: refused, log: said.log });
      const e = await said.failure(stale.getManifest('basic/app', 'v1'));
      // $REGISTRY_AUTH_FILE stands where /run/containers/0/auth.json would.
      const looked = `${first}, ${path.join(home, 'config.json')}`;
      assert.equal(e.message, `registry ${registry.host}: GET manifest basic/app:v1: 401 Unauthorized: UNAUTHORIZED authentication required (check the credentials from ${path.join(home, 'config.json')}; looked in ${looked})`);

      const none = await findCredentials(registry.host, { env: { ...env, DOCKER_CONFIG: path.join(home, 'none') }, uid: 0 });
      const anonymous = new RegistryClient({ registry: registry.host, credentials: none.credentials, credentialsSource: none, log: said.log });
      const e2 = await said.failure(anonymous.getManifest('basic/app', 'v1'));
      assert.equal(e2.message, `registry ${registry.host}: GET manifest basic/app:v1: needs credentials (401 Unauthorized); none for ${registry.host} in ${first}, ${path.join(home, 'none', 'config.json')}`);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it('will not offer an identity token as a password', async () => {
    const client = new RegistryClient({ registry: registry.host, credentials: { identityToken: 'identity-Secret-1' }, log: said.log });
    const e = await said.failure(client.getManifest('basic/app', 'v1'));
    assert.match(e.message, /needs a username and password; an identity token works only with token auth$/);
    assert.ok(!e.message.includes('identity-Secret-1'));
  });

  describe('redirected to blob storage on another host', () => {
    let proxy: FaultProxy;
    let storage: http.Server;
    let storageUrl: string;
    const storageSaw: { url: string; authorization: string | undefined }[] = [];
    const stored = randomBlob(300, 'stored');

    before(async () => {
      proxy = await startFaultProxy(registry.host);
      storage = http.createServer((req, res) => {
        storageSaw.push({ url: req.url ?? '', authorization: req.headers.authorization });
        res.writeHead(200, { 'content-length': stored.size, 'content-type': 'application/octet-stream' });
        res.end(stored.bytes);
      });
      await new Promise<void>((resolve) => storage.listen(0, '127.0.0.1', resolve));
      storageUrl = `http://127.0.0.1:${(storage.address() as AddressInfo).port}`;
    });
    after(async () => {
      await proxy.stop();
      await new Promise<void>((resolve) => storage.close(() => resolve()));
    });

    it('follows the redirect without the credentials', async () => {
      const client = new RegistryClient({ registry: proxy.host, credentials: right, log: said.log });
      await client.uploadBlob('basic/redirect', stored.digest, stored.size, { bytes: stored.bytes });
      proxy.setRules([{ method: 'GET', path: /\/blobs\/sha256:/, redirect: storageUrl }]);
      assert.deepEqual(await client.getBlob('basic/redirect', stored.digest, 4096), stored.bytes);
      assert.deepEqual(storageSaw, [{ url: `/v2/basic/redirect/blobs/${stored.digest}`, authorization: undefined }]);
      // The registry itself did get credentials: the upload went through.
      assert.ok(proxy.seen().some((r) => r.method === 'PUT' && r.status === 201));
    });
  });

  it('put no password or base64 user:password in any message or log line', () => {
    said.assertNoSecret([...secretForms(USER, PASSWORD), ...secretForms(USER, `${PASSWORD}-wrong`), ...secretForms(USER, `${PASSWORD}-stale`), 'identity-Secret-1']);
  });
});
