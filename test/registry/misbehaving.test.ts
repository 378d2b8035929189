import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { sha256Digest } from '../../src/digest.js';
import { OCI_MANIFEST, RegistryClient, RegistryError } from '../../src/registry/client.js';
import { Said, randomBlob } from './helpers.js';

const WRONG = `sha256:${'0'.repeat(64)}`;

/**
 * Answers a real registry would not give, from a small server on 127.0.0.1:
 * each path says what it does wrong.
 */
describe('registry client, against a registry that misbehaves', () => {
  let server: http.Server;
  let host: string;
  let client: RegistryClient;
  const said = new Said();
  const seen: string[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      const url = req.url ?? '';
      seen.push(`${req.method} ${url}`);
      req.resume();
      if (url.startsWith('/v2/wrong-digest/manifests/')) {
        res.writeHead(req.method === 'PUT' ? 201 : 200, { 'docker-content-digest': WRONG, 'content-type': OCI_MANIFEST });
        res.end(req.method === 'PUT' ? '' : '{}');
      } else if (url.startsWith('/v2/huge/manifests/')) {
        res.writeHead(200, { 'content-type': OCI_MANIFEST });
        res.end(Buffer.alloc(4 * 1024 * 1024 + 1, 0x20));
      } else if (url.startsWith('/v2/json-type/manifests/')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST }));
      } else if (url.startsWith('/v2/shapes/manifests/')) {
        // Documents with no mediaType field (OCI makes it optional) behind a
        // generic header, and one whose header disagrees with its field.
        const docs: Record<string, { type: string; doc: object }> = {
          'oci-manifest': { type: 'application/json', doc: { schemaVersion: 2, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: WRONG, size: 2 }, layers: [] } },
          'docker-manifest': { type: 'text/plain', doc: { schemaVersion: 2, config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: WRONG, size: 2 }, layers: [] } },
          index: { type: 'application/json', doc: { schemaVersion: 2, manifests: [] } },
          'header-disagrees': { type: 'application/vnd.docker.distribution.manifest.v2+json', doc: { schemaVersion: 2, mediaType: OCI_MANIFEST, config: {}, layers: [] } },
          'not-json': { type: 'application/json', doc: {} },
        };
        const shape = docs[url.slice('/v2/shapes/manifests/'.length)];
        res.writeHead(shape === undefined ? 404 : 200, { 'content-type': shape?.type ?? 'text/plain' });
        res.end(shape === undefined ? '' : url.endsWith('not-json') ? 'not json' : JSON.stringify(shape.doc));
      } else if (url.startsWith('/v2/bad-blob/blobs/')) {
        res.writeHead(200);
        res.end('not what was asked for');
      } else if (url.startsWith('/v2/http-realm/')) {
        res.writeHead(401, { 'www-authenticate': 'Bearer realm="http://auth.example.invalid/token",service="reg"' });
        res.end();
      } else if (url === '/v2/relative/blobs/uploads/') {
        res.writeHead(202, { location: '/upload/session-1?_state=a%2Fb%3D%3D' });
        res.end();
      } else if (url.startsWith('/upload/session-1?')) {
        res.writeHead(201, { 'docker-content-digest': new URL(url, 'http://x').searchParams.get('digest') ?? '' });
        res.end();
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    client = new RegistryClient({ registry: host, retries: 0, credentials: { username: 'u', password: 'misbehaving-Secret' }, log: said.log });
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('refuses a manifest digest the registry confirms wrongly', async () => {
    const bytes = Buffer.from('{"schemaVersion":2}');
    const e = await said.failure(client.putManifest('wrong-digest', 'v1', OCI_MANIFEST, bytes));
    assert.ok(e instanceof RegistryError);
    assert.equal(e.message, `registry ${host}: PUT manifest wrong-digest:v1: the registry confirmed ${WRONG}, not ${sha256Digest(bytes)}`);
    const got = await said.failure(client.getManifest('wrong-digest', 'v1'));
    assert.equal(got.message, `registry ${host}: GET manifest wrong-digest:v1: the content does not match Docker-Content-Digest ${WRONG}`);
  });

  it('refuses a manifest over 4 MiB and a blob that is not what was asked for', async () => {
    assert.match((await said.failure(client.getManifest('huge', 'v1'))).message, /: GET manifest huge:v1: the answer is larger than 4194304 bytes$/);
    const b = randomBlob(10, 'asked');
    assert.match((await said.failure(client.getBlob('bad-blob', b.digest, 100))).message, /: GET blob bad-blob@sha256:[0-9a-f]{12}: the content does not match its digest$/);
  });

  it('takes the media type from the manifest when the header is plain JSON', async () => {
    assert.equal((await client.getManifest('json-type', 'v1'))?.mediaType, OCI_MANIFEST);
  });

  it('tells a manifest from an index by its shape when neither field nor header says, and trusts the field over the header', async () => {
    const typeOf = async (reference: string) => (await client.getManifest('shapes', reference))?.mediaType;
    assert.equal(await typeOf('oci-manifest'), OCI_MANIFEST);
    assert.equal(await typeOf('docker-manifest'), 'application/vnd.docker.distribution.manifest.v2+json');
    assert.equal(await typeOf('index'), 'application/vnd.oci.image.index.v1+json');
    assert.equal(await typeOf('header-disagrees'), OCI_MANIFEST);
    assert.equal(await typeOf('not-json'), 'application/json');
  });

  it('sends no credentials to a token server over plain HTTP on another host', async () => {
    const e = await said.failure(client.getManifest('http-realm', 'v1'));
    assert.equal(e.message, `registry ${host}: GET manifest http-realm:v1: token server auth.example.invalid is not HTTPS; not sending credentials there`);
  });

  it('keeps the query of a relative upload Location and adds the digest to it', async () => {
    const b = randomBlob(20, 'relative');
    await client.uploadBlob('relative', b.digest, b.size, { bytes: b.bytes });
    assert.equal(seen.at(-1), `PUT /upload/session-1?_state=a%2Fb%3D%3D&digest=${encodeURIComponent(b.digest)}`);
  });

  it('put no password in any message', () => {
    said.assertNoSecret(['misbehaving-Secret', Buffer.from('u:misbehaving-Secret').toString('base64')]);
  });
});
