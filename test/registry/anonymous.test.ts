import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { OCI_MANIFEST, RegistryClient, RegistryError } from '../../src/registry/client.js';
import { type TestRegistry, startRegistry } from '../support/registry.js';
import { Said, randomBlob, testImage } from './helpers.js';

describe('registry client, anonymous registry', () => {
  let registry: TestRegistry;
  let client: RegistryClient;
  let work: string;
  const said = new Said();

  before(async () => {
    registry = await startRegistry({ auth: 'none' });
    client = new RegistryClient({ registry: registry.host, retryBaseMs: 1, log: said.log });
    work = await mkdtemp(path.join(tmpdir(), 'registry-anon-'));
  });
  after(async () => {
    await registry.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('uploads a blob in one PUT; HEAD then gives its size', async () => {
    const b = randomBlob(3000, 'mono');
    assert.equal(await client.blobExists('anon/mono', b.digest), undefined);
    await client.uploadBlob('anon/mono', b.digest, b.size, { bytes: b.bytes });
    assert.equal(await client.blobExists('anon/mono', b.digest), b.size);
    assert.deepEqual(await client.getBlob('anon/mono', b.digest, 1 << 20), b.bytes);
    assert.equal(registry.blobUploads('anon/mono'), 1);
    assert.equal(registry.accessLog().filter((l) => l.includes('"PATCH /v2/anon/mono/')).length, 0);
  });

  it('uploads a blob larger than the chunk size in PATCH chunks', async () => {
    const b = randomBlob(1000, 'chunked');
    const chunky = new RegistryClient({ registry: registry.host, chunkSize: 256, log: said.log });
    await chunky.uploadBlob('anon/chunked', b.digest, b.size, { bytes: b.bytes });
    assert.equal(registry.accessLog().filter((l) => /"PATCH \/v2\/anon\/chunked\/blobs\/uploads\/\S+ HTTP\/1\.1" 202/.test(l)).length, 4);
    assert.equal(registry.blobUploads('anon/chunked'), 1);
    assert.deepEqual(await client.getBlob('anon/chunked', b.digest, 1 << 20), b.bytes);
  });

  it('uploads a byte range of a larger file, whole and in chunks', async () => {
    const b = randomBlob(700, 'range');
    const file = path.join(work, 'several-blobs.bin');
    await writeFile(file, Buffer.concat([randomBlob(123, 'before').bytes, b.bytes, randomBlob(55, 'after').bytes]));
    await client.uploadBlob('anon/range', b.digest, b.size, { file, offset: 123 });
    assert.deepEqual(await client.getBlob('anon/range', b.digest, 1 << 20), b.bytes);

    const chunky = new RegistryClient({ registry: registry.host, chunkSize: 300 });
    await chunky.uploadBlob('anon/range-chunked', b.digest, b.size, { file, offset: 123 });
    assert.deepEqual(await client.getBlob('anon/range-chunked', b.digest, 1 << 20), b.bytes);
    assert.equal(registry.accessLog().filter((l) => l.includes('"PATCH /v2/anon/range-chunked/')).length, 3);
  });

  it('uploads an empty blob, and a file from its start', async () => {
    const empty = randomBlob(0, 'empty');
    await client.uploadBlob('anon/edge', empty.digest, 0, { bytes: empty.bytes });
    assert.equal(await client.blobExists('anon/edge', empty.digest), 0);
    const b = randomBlob(64, 'whole-file');
    const file = path.join(work, 'whole.bin');
    await writeFile(file, b.bytes);
    await client.uploadBlob('anon/edge', b.digest, b.size, { file });
    assert.equal(await client.blobExists('anon/edge', b.digest), b.size);
  });

  it('mounts a blob from another repository; a blob it lacks is not mounted', async () => {
    const b = randomBlob(500, 'mount');
    await client.uploadBlob('anon/source', b.digest, b.size, { bytes: b.bytes });
    assert.equal(await client.blobExists('anon/target', b.digest), undefined);
    assert.equal(await client.mountBlob('anon/target', b.digest, 'anon/source'), true);
    assert.equal(await client.blobExists('anon/target', b.digest), b.size);
    assert.equal(registry.blobUploads('anon/target'), 0);

    const missing = randomBlob(10, 'not-there');
    assert.equal(await client.mountBlob('anon/target', missing.digest, 'anon/source'), false);
    // The upload the registry opened instead was cancelled.
    assert.ok(registry.accessLog().some((l) => /"DELETE \/v2\/anon\/target\/blobs\/uploads\/\S+ HTTP\/1\.1" 204/.test(l)));
    assert.equal(await client.blobExists('anon/target', missing.digest), undefined);
  });

  it('pushes an image that skopeo inspects and copies, and umoci unpacks', async () => {
    const image = await testImage('hello from the registry test\n');
    for (const b of [image.layer, image.config]) await client.uploadBlob('anon/app', b.digest, b.size, { bytes: b.bytes });
    const digest = await client.putManifest('anon/app', 'v1', OCI_MANIFEST, image.manifest);
    assert.equal(digest, image.manifestDigest);

    const byTag = await client.getManifest('anon/app', 'v1');
    assert.deepEqual(byTag, { mediaType: OCI_MANIFEST, digest, bytes: image.manifest });
    const byDigest = await client.getManifest('anon/app', digest);
    assert.equal(byDigest?.digest, digest);
    assert.equal(await client.getManifest('anon/app', 'no-such-tag'), undefined);
    assert.deepEqual(await client.getBlob('anon/app', image.config.digest, 4096), image.config.bytes);

    const inspected = JSON.parse(execFileSync('skopeo', ['inspect', '--tls-verify=false', `docker://${registry.host}/anon/app:v1`], { encoding: 'utf8' })) as {
      Digest: string;
      Layers: string[];
    };
    assert.equal(inspected.Digest, digest);
    assert.deepEqual(inspected.Layers, [image.layer.digest]);

    const layout = path.join(work, 'layout');
    execFileSync('skopeo', ['copy', '--quiet', '--src-tls-verify=false', `docker://${registry.host}/anon/app:v1`, `oci:${layout}:v1`], { stdio: 'pipe' });
    const bundle = path.join(work, 'bundle');
    execFileSync('umoci', ['unpack', '--image', `${layout}:v1`, bundle], { stdio: 'pipe' });
    assert.equal(await readFile(path.join(bundle, 'rootfs', image.file.name), 'utf8'), image.file.content);
  });

  it('refuses a blob larger than asked for, and a missing one', async () => {
    const b = randomBlob(2000, 'too-big');
    await client.uploadBlob('anon/big', b.digest, b.size, { bytes: b.bytes });
    const big = await said.failure(client.getBlob('anon/big', b.digest, 1000));
    assert.ok(big instanceof RegistryError);
    assert.match(big.message, /^registry 127\.0\.0\.1:\d+: GET blob anon\/big@sha256:[0-9a-f]{12}: the answer is larger than 1000 bytes$/);
    const missing = await said.failure(client.getBlob('anon/big', randomBlob(1, 'x').digest, 1000));
    assert.match(missing.message, /: 404 Not Found: BLOB_UNKNOWN blob unknown to registry$/);
  });

  it('says who and what when a manifest is refused', async () => {
    const image = await testImage('layer never uploaded\n');
    await client.uploadBlob('anon/refused', image.config.digest, image.config.size, { bytes: image.config.bytes });
    const e = await said.failure(client.putManifest('anon/refused', 'v1', OCI_MANIFEST, image.manifest));
    assert.ok(e instanceof RegistryError);
    assert.equal(e.status, 400);
    assert.match(e.message, /^registry 127\.0\.0\.1:\d+: PUT manifest anon\/refused:v1: 400 Bad Request: MANIFEST_BLOB_UNKNOWN blob unknown to registry$/);
  });
});
