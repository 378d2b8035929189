import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { type Digest, parseDigest, sha256Digest } from '../digest.js';
import { asUserError } from '../errors.js';
import { IMAGE_MANIFEST_TYPES, INDEX_MEDIA_TYPES, INDEX_TYPES, MEDIA_TYPES } from '../image/manifest.js';
import type { Credentials, CredentialsSource } from './credentials.js';
import { type Body, bufferBody } from './http.js';
import { RegistryError, statusError } from './registry-error.js';
import { Transport, type TransportResponse } from './transport.js';

export { RegistryError } from './registry-error.js';

export interface RegistryOptions {
  /** As the user wrote it: `127.0.0.1:5000`, `ghcr.io`, `docker.io`. */
  registry: string;
  credentials?: Credentials | undefined;
  /** Where the credentials came from, or where none were found: named when the registry answers 401. */
  credentialsSource?: CredentialsSource | undefined;
  /** Hosts (`host` or `host:port`) reached over plain HTTP; loopback always is. */
  insecureRegistries?: readonly string[];
  /** Tries after the first for 429, 5xx and dropped connections; default 5. */
  retries?: number;
  /** First backoff; doubles per try. Default 500 ms. */
  retryBaseMs?: number;
  /** Blobs larger than this go up in PATCH chunks of this size; default 64 MiB. */
  chunkSize?: number;
  /** Longest silence on a connection; default 120 s. */
  timeoutMs?: number;
  /** One line per retry. */
  log?: (m: string) => void;
}

export type BlobSource = { file: string; offset?: number } | { bytes: Buffer };

export interface Manifest {
  mediaType: string;
  digest: Digest;
  bytes: Buffer;
}

export const OCI_MANIFEST = MEDIA_TYPES.oci.manifest;
const MANIFEST_TYPES = [...IMAGE_MANIFEST_TYPES, ...INDEX_MEDIA_TYPES];

// Registries refuse larger manifests; distribution's own limit.
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const DEFAULT_CHUNK_SIZE = 64 * 1024 * 1024;

/** The verbs of pushing an image: blobs exist, mount, upload; manifests get and put. */
export class RegistryClient {
  private readonly transport: Transport;
  private readonly chunkSize: number;

  constructor(opts: RegistryOptions) {
    this.transport = new Transport({
      registry: opts.registry,
      credentials: opts.credentials,
      credentialsSource: opts.credentialsSource,
      insecureRegistries: opts.insecureRegistries,
      retries: opts.retries ?? 5,
      retryBaseMs: opts.retryBaseMs ?? 500,
      timeoutMs: opts.timeoutMs ?? 120_000,
      log: opts.log,
    });
    this.chunkSize = opts.chunkSize ?? DEFAULT_CHUNK_SIZE;
  }

  /**
   * Checks, before any work is done, that the registry answers and takes
   * our credentials for pushing to `repository`.
   */
  async ping(repository: string): Promise<void> {
    const op = 'GET /v2/';
    const res = await this.transport.request({ op, method: 'GET', url: '/v2/', scopes: push(repository) });
    if (res.status !== 200) throw statusError(this.transport.prefix(op), res.status, res.body);
  }

  /** The blob's size when the repository has it. */
  async blobExists(repository: string, digest: Digest): Promise<number | undefined> {
    const op = `HEAD blob ${blobName(repository, digest)}`;
    const res = await this.transport.request({ op, method: 'HEAD', url: `/v2/${repository}/blobs/${digest}`, scopes: push(repository), followRedirects: true });
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw statusError(this.transport.prefix(op), res.status, res.body);
    const size = Number(res.headers['content-length']);
    if (!Number.isSafeInteger(size) || size < 0) throw new RegistryError(`${this.transport.prefix(op)}: the answer has no Content-Length`);
    return size;
  }

  /** Links a blob from another repository of the same registry; false when the registry would not. */
  async mountBlob(repository: string, digest: Digest, from: string): Promise<boolean> {
    const op = `POST mount ${blobName(from, digest)} into ${repository}`;
    const query = `mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`;
    const scopes = [...push(repository), `repository:${from}:pull`];
    const res = await this.transport.request({ op, method: 'POST', url: `/v2/${repository}/blobs/uploads/?${query}`, scopes });
    if (res.status === 201) return true;
    if (res.status !== 202) throw statusError(this.transport.prefix(op), res.status, res.body);
    // The registry opened an upload instead; the caller will upload, so drop this one.
    const location = res.headers.location;
    if (location !== undefined) {
      const url = new URL(location, res.url).href;
      await this.transport.request({ op: `DELETE upload ${repository}`, method: 'DELETE', url, scopes, retry: false }).catch(() => undefined);
    }
    return false;
  }

  /**
   * Uploads `size` bytes: one PUT, or PATCH chunks then a PUT when larger
   * than the chunk size. A failure part way starts a new upload session.
   */
  async uploadBlob(repository: string, digest: Digest, size: number, source: BlobSource): Promise<void> {
    const slice = await sliceOf(source, size);
    const name = blobName(repository, digest);
    const scopes = push(repository);
    const prefix = (op: string) => this.transport.prefix(op);
    await this.transport.retrying(async () => {
      const started = await this.transport.request({ op: `POST upload ${repository}`, method: 'POST', url: `/v2/${repository}/blobs/uploads/`, scopes, retry: false });
      if (started.status !== 202) throw statusError(prefix(`POST upload ${repository}`), started.status, started.body);
      let location = nextLocation(started, prefix(`POST upload ${repository}`));
      let last: Body | undefined = slice(0, size);
      if (size > this.chunkSize) {
        for (let offset = 0; offset < size; offset += this.chunkSize) {
          const length = Math.min(this.chunkSize, size - offset);
          const op = `PATCH blob ${name}`;
          const res = await this.transport.request({
            op,
            method: 'PATCH',
            url: location,
            scopes,
            headers: { 'content-type': 'application/octet-stream', 'content-range': `${offset}-${offset + length - 1}` },
            body: slice(offset, length),
            retry: false,
          });
          if (res.status !== 202) throw statusError(prefix(op), res.status, res.body);
          location = nextLocation(res, prefix(op));
        }
        last = undefined;
      }
      const op = `PUT blob ${name}`;
      const res = await this.transport.request({
        op,
        method: 'PUT',
        url: withQuery(location, `digest=${encodeURIComponent(digest)}`),
        scopes,
        headers: last === undefined ? {} : { 'content-type': 'application/octet-stream' },
        body: last,
        retry: false,
      });
      if (res.status !== 201 && res.status !== 204) throw statusError(prefix(op), res.status, res.body);
      const confirmed = res.headers['docker-content-digest'];
      if (typeof confirmed === 'string' && confirmed !== digest) throw new RegistryError(`${prefix(op)}: the registry stored ${confirmed}`);
    });
  }

  /** A manifest or index by tag or digest; undefined when there is none. */
  async getManifest(repository: string, reference: string, accept: readonly string[] = MANIFEST_TYPES): Promise<Manifest | undefined> {
    const op = `GET manifest ${manifestName(repository, reference)}`;
    const res = await this.transport.request({
      op,
      method: 'GET',
      url: `/v2/${repository}/manifests/${reference}`,
      // Reading asks for no more: a cacheFrom may be a repository we can only pull.
      scopes: pull(repository),
      headers: { accept: accept.join(', ') },
      maxBody: MAX_MANIFEST_BYTES,
      followRedirects: true,
    });
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw statusError(this.transport.prefix(op), res.status, res.body);
    const digest = sha256Digest(res.body);
    const claimed = res.headers['docker-content-digest'];
    if (typeof claimed === 'string' && claimed.startsWith('sha256:') && claimed !== digest) {
      throw new RegistryError(`${this.transport.prefix(op)}: the content does not match Docker-Content-Digest ${claimed}`);
    }
    if (reference.startsWith('sha256:') && reference !== digest) throw new RegistryError(`${this.transport.prefix(op)}: the content does not match the digest asked for`);
    return { mediaType: mediaTypeOf(res), digest, bytes: res.body };
  }

  /**
   * The referrers API's index of the manifests whose subject is `digest`;
   * undefined where the registry does not answer it (distribution 2.8,
   * GHCR and Docker Hub answer 404), and a referrers tag stands in.
   */
  async getReferrers(repository: string, digest: Digest): Promise<Buffer | undefined> {
    const op = `GET referrers ${blobName(repository, digest)}`;
    const res = await this.transport.request({
      op,
      method: 'GET',
      url: `/v2/${repository}/referrers/${digest}`,
      scopes: pull(repository),
      headers: { accept: INDEX_TYPES.oci },
      maxBody: MAX_MANIFEST_BYTES,
      followRedirects: true,
    });
    // Anything but an index (a 404, a proxy's page, a refusal) is no answer: the tag stands in.
    if (res.status !== 200 || mediaTypeOf(res) !== INDEX_TYPES.oci) return undefined;
    return res.body;
  }

  /** A small blob (an image config), checked against its digest. */
  async getBlob(repository: string, digest: Digest, maxBytes: number): Promise<Buffer> {
    const op = `GET blob ${blobName(repository, digest)}`;
    const res = await this.transport.request({ op, method: 'GET', url: `/v2/${repository}/blobs/${digest}`, scopes: pull(repository), maxBody: maxBytes, followRedirects: true });
    if (res.status !== 200) throw statusError(this.transport.prefix(op), res.status, res.body);
    if (sha256Digest(res.body) !== digest) throw new RegistryError(`${this.transport.prefix(op)}: the content does not match its digest`);
    return res.body;
  }

  /** Stores a manifest under a tag or digest; the digest the registry confirms. */
  async putManifest(repository: string, reference: string, mediaType: string, bytes: Buffer): Promise<Digest> {
    return (await this.putManifestSaying(repository, reference, mediaType, bytes)).digest;
  }

  /**
   * As putManifest, with what the registry said of a manifest that has a
   * subject: a registry with the referrers API names it in `OCI-Subject`.
   */
  async putManifestSaying(repository: string, reference: string, mediaType: string, bytes: Buffer): Promise<{ digest: Digest; ociSubject: string | undefined }> {
    const op = `PUT manifest ${manifestName(repository, reference)}`;
    const res = await this.transport.request({
      op,
      method: 'PUT',
      url: `/v2/${repository}/manifests/${reference}`,
      scopes: push(repository),
      headers: { 'content-type': mediaType },
      body: bufferBody(bytes),
    });
    if (res.status !== 201 && res.status !== 200) throw statusError(this.transport.prefix(op), res.status, res.body);
    const digest = sha256Digest(bytes);
    const confirmed = res.headers['docker-content-digest'];
    if (typeof confirmed === 'string' && confirmed !== digest) throw new RegistryError(`${this.transport.prefix(op)}: the registry confirmed ${confirmed}, not ${digest}`);
    const subject = res.headers['oci-subject'];
    return { digest, ociSubject: typeof subject === 'string' ? subject : undefined };
  }
}

function push(repository: string): string[] {
  return [`repository:${repository}:pull,push`];
}

function pull(repository: string): string[] {
  return [`repository:${repository}:pull`];
}

/** `team/app@sha256:0123456789ab`: enough of the digest to tell blobs apart in a message. */
function blobName(repository: string, digest: Digest): string {
  return `${repository}@${digest.slice(0, 'sha256:'.length + 12)}`;
}

function manifestName(repository: string, reference: string): string {
  return reference.startsWith('sha256:') ? blobName(repository, parseDigest(reference)) : `${repository}:${reference}`;
}

/** Upload URLs carry the session state in their query; the digest is added to it, not put in its place. */
function withQuery(url: string, param: string): string {
  const hash = url.indexOf('#');
  const bare = hash < 0 ? url : url.slice(0, hash);
  return `${bare}${bare.includes('?') ? '&' : '?'}${param}`;
}

function nextLocation(res: TransportResponse, prefix: string): string {
  const location = res.headers.location;
  if (location === undefined || location === '') throw new RegistryError(`${prefix}: the answer has no Location`);
  try {
    return new URL(location, res.url).href;
  } catch {
    throw new RegistryError(`${prefix}: the registry sent a Location that is not a URL`);
  }
}

/**
 * What a manifest is. Its own mediaType field wins: that is what its digest
 * covers. OCI makes the field optional, so without it a specific
 * Content-Type is taken, and without that (a registry that says
 * application/json) the document's shape tells.
 */
function mediaTypeOf(res: TransportResponse): string {
  const header = (res.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
  let doc: { mediaType?: unknown; manifests?: unknown; config?: { mediaType?: unknown } | null; layers?: unknown } | undefined;
  try {
    const parsed: unknown = JSON.parse(res.body.toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) doc = parsed;
  } catch {
    // Not JSON: the header is all there is.
  }
  if (typeof doc?.mediaType === 'string' && doc.mediaType !== '') return doc.mediaType;
  if (header !== '' && header !== 'application/json' && header !== 'text/plain') return header;
  if (Array.isArray(doc?.manifests)) return INDEX_TYPES.oci;
  if (typeof doc?.config === 'object' && doc.config !== null && Array.isArray(doc.layers)) {
    return doc.config.mediaType === MEDIA_TYPES.docker.config ? MEDIA_TYPES.docker.manifest : MEDIA_TYPES.oci.manifest;
  }
  return header;
}

/** Bodies for byte ranges of the blob, each opened afresh per send. */
async function sliceOf(source: BlobSource, size: number): Promise<(offset: number, length: number) => Body> {
  if ('bytes' in source) {
    if (source.bytes.length !== size) throw new Error(`blob source has ${source.bytes.length} bytes, not ${size}`);
    return (offset, length) => bufferBody(source.bytes.subarray(offset, offset + length));
  }
  const { file } = source;
  const start = source.offset ?? 0;
  const fileSize = await stat(file).then(
    (s) => s.size,
    (e: unknown) => asUserError(e, `read ${file}`),
  );
  if (start + size > fileSize) throw new Error(`${file} has ${fileSize} bytes, fewer than ${start} + ${size}`);
  return (offset, length) => ({
    length,
    open: () => (length === 0 ? Readable.from([]) : createReadStream(file, { start: start + offset, end: start + offset + length - 1 })),
  });
}
