import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { OCI_MANIFEST, RegistryClient, RegistryError } from '../../src/registry/client.js';
import { type TestRegistry, startRegistry } from '../support/registry.js';
import { type TokenServer, type TokenServerOptions, startTokenServer } from '../support/token-server.js';
import { Said, randomBlob, secretForms, testImage } from './helpers.js';

const USER = 'token-user';
const PASSWORD = 'token-Secret-5b21e8';
const REFRESH_TOKEN = 'refresh-Secret-90ac4d';

interface Pair {
  tokens: TokenServer;
  registry: TestRegistry;
}

async function startPair(opts: Partial<TokenServerOptions> = {}): Promise<Pair> {
  const tokens = await startTokenServer({ user: USER, password: PASSWORD, ...opts });
  const registry = await startRegistry({ auth: { token: tokens } });
  return { tokens, registry };
}

async function stopPair(p: Pair): Promise<void> {
  await p.registry.stop();
  await p.tokens.stop();
}

/** How many token requests asked for exactly this set of scopes. */
function asked(tokens: TokenServer, scopes: string[]): number {
  const want = [...scopes].sort().join(' ');
  return tokens.requests().filter((r) => [...r.scopes].sort().join(' ') === want).length;
}

describe('registry client, token auth', () => {
  const said = new Said();
  const credentials = { username: USER, password: PASSWORD };
  const issued: string[] = [];

  describe('one token server', () => {
    let pair: Pair;
    before(async () => {
      pair = await startPair();
    });
    after(async () => {
      issued.push(...pair.tokens.issued());
      await stopPair(pair);
    });

    it('pushes an image asking for one token per set of scopes', async () => {
      const client = new RegistryClient({ registry: pair.registry.host, credentials, log: said.log });
      const image = await testImage('token\n');
      for (const b of [image.layer, image.config]) {
        assert.equal(await client.blobExists('tok/app', b.digest), undefined);
        await client.uploadBlob('tok/app', b.digest, b.size, { bytes: b.bytes });
        assert.equal(await client.blobExists('tok/app', b.digest), b.size);
      }
      assert.equal(await client.putManifest('tok/app', 'v1', OCI_MANIFEST, image.manifest), image.manifestDigest);
      assert.equal((await client.getManifest('tok/app', 'v1'))?.digest, image.manifestDigest);
      // Reads ask for pull alone (a cacheFrom may be read-only to us): one more token, once.
      assert.deepEqual(pair.tokens.requests(), [
        { method: 'GET', scopes: ['repository:tok/app:pull,push'], granted: true },
        { method: 'GET', scopes: ['repository:tok/app:pull'], granted: true },
      ]);
      await client.getManifest('tok/app', 'v1');
      assert.equal(pair.tokens.requests().length, 2);
    });

    it('asks for pull on the source repository to mount from it', async () => {
      const client = new RegistryClient({ registry: pair.registry.host, credentials, log: said.log });
      const b = randomBlob(200, 'token-mount');
      await client.uploadBlob('tok/source', b.digest, b.size, { bytes: b.bytes });
      assert.equal(await client.mountBlob('tok/target', b.digest, 'tok/source'), true);
      assert.equal(await client.blobExists('tok/target', b.digest), b.size);
      assert.equal(asked(pair.tokens, ['repository:tok/target:pull,push', 'repository:tok/source:pull']), 1);
      assert.equal(pair.registry.blobUploads('tok/target'), 0);
    });

    it('concurrent requests share one token request', async () => {
      const client = new RegistryClient({ registry: pair.registry.host, credentials, log: said.log });
      const blobs = [1, 2, 3, 4, 5].map((i) => randomBlob(50, `concurrent-${i}`));
      // All start before the challenge is known: each is refused, and they wait for one token.
      await Promise.all(blobs.map((b) => client.uploadBlob('tok/many', b.digest, b.size, { bytes: b.bytes })));
      assert.equal(asked(pair.tokens, ['repository:tok/many:pull,push']), 1);
      assert.equal(pair.registry.blobUploads('tok/many'), 5);
    });

    it('names the token server and the 401 for a wrong password, and never the password', async () => {
      const client = new RegistryClient({ registry: pair.registry.host, credentials: { username: USER, password: 'not-the-Secret' }, log: said.log });
      const e = await said.failure(client.blobExists('tok/app', randomBlob(1, 'w').digest));
      assert.ok(e instanceof RegistryError);
      const tokenHost = new URL(pair.tokens.realm).host;
      assert.match(e.message, new RegExp(`^registry ${pair.registry.host}: HEAD blob tok/app@sha256:[0-9a-f]{12}: token server ${tokenHost}: 401 Unauthorized \\(check the credentials\\)$`));
    });

    it('says that credentials are needed when there are none', async () => {
      const client = new RegistryClient({ registry: pair.registry.host, log: said.log });
      const e = await said.failure(client.getManifest('tok/app', 'v1'));
      assert.equal(e.message, `registry ${pair.registry.host}: GET manifest tok/app:v1: needs credentials (token server: 401 Unauthorized)`);
    });
  });

  it('fetches a new token when the cached one is about to expire', async () => {
    const pair = await startPair({ expiresIn: 1 });
    try {
      const client = new RegistryClient({ registry: pair.registry.host, credentials, log: said.log });
      const b = randomBlob(40, 'expiring');
      await client.uploadBlob('tok/expiring', b.digest, b.size, { bytes: b.bytes });
      const before = pair.tokens.requests().length;
      assert.ok(before >= 1);
      // expires_in 1 s: the client renews a quarter of the lifetime early.
      await sleep(1000);
      assert.equal(await client.blobExists('tok/expiring', b.digest), b.size);
      assert.equal(pair.tokens.requests().length, before + 1);
    } finally {
      issued.push(...pair.tokens.issued());
      await stopPair(pair);
    }
  });

  it('replaces a token the registry rejects, once', async () => {
    const pair = await startPair({ expiredTokens: 1 });
    try {
      const client = new RegistryClient({ registry: pair.registry.host, credentials, log: said.log });
      const b = randomBlob(40, 'rejected-token');
      await client.uploadBlob('tok/rejected', b.digest, b.size, { bytes: b.bytes });
      assert.equal(await client.blobExists('tok/rejected', b.digest), b.size);
      assert.equal(pair.tokens.requests().length, 2);
    } finally {
      issued.push(...pair.tokens.issued());
      await stopPair(pair);
    }
  });

  it('gives up when every token is rejected', async () => {
    const pair = await startPair({ expiredTokens: 100 });
    try {
      const client = new RegistryClient({ registry: pair.registry.host, credentials, log: said.log });
      const e = await said.failure(client.getManifest('tok/app', 'v1'));
      assert.match(e.message, /^registry 127\.0\.0\.1:\d+: GET manifest tok\/app:v1: 401 Unauthorized: UNAUTHORIZED authentication required \(check the credentials\)$/);
      assert.equal(pair.tokens.requests().length, 2);
    } finally {
      issued.push(...pair.tokens.issued());
      await stopPair(pair);
    }
  });

  it('exchanges an identity token with the OAuth2 POST form', async () => {
    const pair = await startPair({ refreshToken: REFRESH_TOKEN });
    try {
      const client = new RegistryClient({ registry: pair.registry.host, credentials: { identityToken: REFRESH_TOKEN }, log: said.log });
      const b = randomBlob(40, 'identity');
      await client.uploadBlob('tok/identity', b.digest, b.size, { bytes: b.bytes });
      assert.equal(await client.blobExists('tok/identity', b.digest), b.size);
      assert.deepEqual(pair.tokens.requests(), [{ method: 'POST', scopes: ['repository:tok/identity:pull,push'], granted: true }]);

      const wrong = new RegistryClient({ registry: pair.registry.host, credentials: { identityToken: 'stale-Secret' }, log: said.log });
      const e = await said.failure(wrong.blobExists('tok/identity', b.digest));
      assert.match(e.message, /token server 127\.0\.0\.1:\d+: 401 Unauthorized \(check the credentials\)$/);
    } finally {
      issued.push(...pair.tokens.issued());
      await stopPair(pair);
    }
  });

  it('put no password, identity token or issued token in any message or log line', () => {
    assert.ok(issued.length >= 5);
    said.assertNoSecret([...secretForms(USER, PASSWORD), 'not-the-Secret', REFRESH_TOKEN, 'stale-Secret', ...issued]);
  });
});
