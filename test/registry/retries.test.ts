import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { RegistryClient, RegistryError } from '../../src/registry/client.js';
import { parseRetryAfter } from '../../src/registry/retry.js';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.js';
import { type TestRegistry, freePort, startRegistry } from '../support/registry.js';
import { Said, randomBlob } from './helpers.js';

const UPLOAD_PUT = /\/blobs\/uploads\/[^?]+\?.*digest=/;

describe('registry client, retries through a faulty proxy', () => {
  let registry: TestRegistry;
  let proxy: FaultProxy;
  let client: RegistryClient;
  let work: string;
  const said = new Said();

  before(async () => {
    registry = await startRegistry({ auth: 'none' });
    proxy = await startFaultProxy(registry.host);
    client = new RegistryClient({ registry: proxy.host, retries: 3, retryBaseMs: 5, log: said.log });
    work = await mkdtemp(path.join(tmpdir(), 'registry-retries-'));
  });
  after(async () => {
    await proxy.stop();
    await registry.stop();
    await rm(work, { recursive: true, force: true });
  });
  beforeEach(() => {
    proxy.setRules([]);
    proxy.clearSeen();
  });

  /** The blob is whole in the registry: HEAD has its size and GET its digest. */
  async function assertIntact(repository: string, b: { digest: ReturnType<typeof randomBlob>['digest']; size: number }) {
    assert.equal(await client.blobExists(repository, b.digest), b.size);
    assert.equal((await client.getBlob(repository, b.digest, 1 << 20)).length, b.size);
  }

  const count = (method: string, path: RegExp) => proxy.seen().filter((r) => r.method === method && path.test(r.url)).length;

  it('waits as long as Retry-After says on a 429', async () => {
    const b = randomBlob(100, '429');
    proxy.setRules([{ method: 'HEAD', path: /\/blobs\//, status: 429, retryAfter: 1 }]);
    const started = Date.now();
    assert.equal(await client.blobExists('retry/app', b.digest), undefined);
    assert.ok(Date.now() - started >= 950, `retried after ${Date.now() - started} ms`);
    assert.equal(count('HEAD', /\/blobs\//), 2);
    assert.match(said.lines.at(-1) ?? '', /^registry 127\.0\.0\.1:\d+: HEAD blob retry\/app@sha256:[0-9a-f]{12}: 429, retrying in 1\.0 s$/);
  });

  it('retries a 503 on starting an upload', async () => {
    const b = randomBlob(300, '503');
    proxy.setRules([{ method: 'POST', path: /\/blobs\/uploads\/$/, status: 503 }]);
    await client.uploadBlob('retry/app', b.digest, b.size, { bytes: b.bytes });
    await assertIntact('retry/app', b);
    assert.equal(count('POST', /\/blobs\/uploads\/$/), 2);
  });

  it('starts a fresh upload after the connection drops mid-body', async () => {
    const b = randomBlob(5000, 'reset');
    proxy.setRules([{ method: 'PUT', path: UPLOAD_PUT, reset: 'mid-body' }]);
    await client.uploadBlob('retry/reset', b.digest, b.size, { bytes: b.bytes });
    await assertIntact('retry/reset', b);
    assert.equal(count('POST', /\/blobs\/uploads\/$/), 2);
    assert.equal(count('PUT', UPLOAD_PUT), 2);
    assert.equal(registry.blobUploads('retry/reset'), 1);
    assert.match(said.lines.at(-1) ?? '', /: PUT blob retry\/reset@sha256:[0-9a-f]{12}: (ECONNRESET|EPIPE), retrying in 0\.0 s$/);
  });

  it('starts a fresh chunked upload after the connection drops in a chunk, re-reading the file', async () => {
    const b = randomBlob(3000, 'reset-chunk');
    const chunky = new RegistryClient({ registry: proxy.host, retries: 3, retryBaseMs: 5, chunkSize: 1000, log: said.log });
    const file = path.join(work, 'chunks.bin');
    await writeFile(file, Buffer.concat([Buffer.from('prefix'), b.bytes]));
    proxy.setRules([{ method: 'PATCH', path: /\/blobs\/uploads\//, reset: 'mid-body' }]);
    await chunky.uploadBlob('retry/chunks', b.digest, b.size, { file, offset: 'prefix'.length });
    await assertIntact('retry/chunks', b);
    assert.equal(count('POST', /\/blobs\/uploads\/$/), 2);
    assert.equal(count('PATCH', /\/blobs\/uploads\//), 4);
  });

  it('does not retry a 400 or a 404', async () => {
    const b = randomBlob(100, '400');
    proxy.setRules([{ method: 'PUT', path: UPLOAD_PUT, status: 400, times: Infinity }]);
    const e = await said.failure(client.uploadBlob('retry/app', b.digest, b.size, { bytes: b.bytes }));
    assert.ok(e instanceof RegistryError);
    assert.match(e.message, /^registry 127\.0\.0\.1:\d+: PUT blob retry\/app@sha256:[0-9a-f]{12}: 400 Bad Request: INJECTED injected 400$/);
    assert.equal(count('PUT', UPLOAD_PUT), 1);

    proxy.setRules([{ method: 'POST', path: /\/blobs\/uploads\/$/, status: 404, times: Infinity }]);
    await said.failure(client.uploadBlob('retry/app', b.digest, b.size, { bytes: b.bytes }));
    assert.equal(count('POST', /\/blobs\/uploads\/$/), 2);
  });

  it('gives up after `retries` retries of a 503', async () => {
    proxy.setRules([{ method: 'GET', path: /\/manifests\//, status: 503, times: Infinity }]);
    const before = said.lines.length;
    const e = await said.failure(client.getManifest('retry/app', 'v1'));
    assert.match(e.message, /^registry 127\.0\.0\.1:\d+: GET manifest retry\/app:v1: 503 Service Unavailable: INJECTED injected 503$/);
    assert.equal(count('GET', /\/manifests\//), 4);
    assert.equal(said.lines.length - before, 4, 'three retry lines and the error');
  });

  it('gives up on a registry that never answers', async () => {
    const impatient = new RegistryClient({ registry: proxy.host, retries: 1, retryBaseMs: 5, timeoutMs: 200, log: said.log });
    proxy.setRules([{ method: 'GET', path: /\/manifests\//, stall: true, times: Infinity }]);
    const started = Date.now();
    const e = await said.failure(impatient.getManifest('retry/app', 'v1'));
    assert.match(e.message, /^registry 127\.0\.0\.1:\d+: GET manifest retry\/app:v1: no answer \(ETIMEDOUT\)$/);
    assert.equal(count('GET', /\/manifests\//), 2);
    assert.ok(Date.now() - started < 5000, 'far from the default two minutes');
  });

  it('says in one line that a registry that is down is not reachable', async () => {
    const port = await freePort();
    const down = new RegistryClient({ registry: `127.0.0.1:${port}`, retries: 2, retryBaseMs: 1, log: said.log });
    const before = said.lines.length;
    const e = await said.failure(down.blobExists('retry/app', randomBlob(1, 'down').digest));
    assert.ok(e instanceof RegistryError);
    assert.equal(e.message, `registry 127.0.0.1:${port} is not reachable: ECONNREFUSED`);
    assert.equal(said.lines.length - before, 3);
  });

  it('reads Retry-After as seconds or a date', () => {
    assert.equal(parseRetryAfter('3'), 3000);
    assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6000);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(undefined), undefined);
  });
});
