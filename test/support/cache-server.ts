/**
 * A loopback-only stand-in for GitHub's Actions cache service v2, for tests.
 *
 * It speaks just enough of the protocol for the real `@actions/cache` client
 * (with ACTIONS_CACHE_SERVICE_V2 set) to save and restore caches:
 *
 * - Twirp JSON RPCs, authenticated with `Authorization: Bearer <token>`:
 *   POST /twirp/github.actions.results.api.v1.CacheService/CreateCacheEntry
 *   POST /twirp/github.actions.results.api.v1.CacheService/FinalizeCacheEntryUpload
 *   POST /twirp/github.actions.results.api.v1.CacheService/GetCacheEntryDownloadURL
 *   Field names are the protobuf ones (`signed_upload_url`, `restore_keys`, ...);
 *   int64 fields travel as JSON strings.
 * - A "signed" blob URL handed out by CreateCacheEntry, which the client's Azure
 *   BlockBlobClient writes to: a single-shot `PUT` (x-ms-blob-type: BlockBlob), or
 *   `PUT ?comp=block&blockid=…` per block followed by `PUT ?comp=blocklist` with
 *   an XML <BlockList>. The client switches to blocks above 128 MiB.
 * - A "signed" download URL handed out by GetCacheEntryDownloadURL. The client
 *   only uses the Azure SDK for *.blob.core.windows.net hosts; for this server it
 *   does one plain GET and checks the byte count against Content-Length. HEAD and
 *   single `Range: bytes=a-b` requests are supported as well, for other readers.
 *
 * State lives on disk under `dir` (index.json, written atomically, plus blob
 * files), so a second server on the same directory — a second "CI run" — sees
 * what the first one committed. Only finalized entries can be found; entries are
 * immutable, and creating one that exists (or is being uploaded) answers 409
 * `already_exists`, as GitHub does.
 *
 * With `network`, it answers as the service does across a runner's network:
 * each request waits a latency first, and blob bytes flow through one pipe per
 * direction, shared by every transfer (see HOSTED_RUNNER_NETWORK).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';

export type CacheEndpoint = 'create' | 'finalize' | 'download-url' | 'upload' | 'download';

/** One injected failure. `times` limits how often it fires (default: always). */
export type Fault =
  /** Answer with this HTTP status: a Twirp error body on RPCs, a storage XML error on uploads, text on downloads. */
  | { endpoint: CacheEndpoint; kind: 'status'; status: number; retryAfterSeconds?: number; times?: number }
  /** Serve the blob with some bytes in its middle inverted. */
  | { endpoint: 'download'; kind: 'corrupt'; times?: number }
  /** Serve only the first half of the blob, with a Content-Length matching what is sent. */
  | { endpoint: 'download'; kind: 'truncate'; times?: number }
  /** Answer CreateCacheEntry as the service does for a read-only token: 200, ok=false, "cache write denied: …". */
  | { endpoint: 'create'; kind: 'write-denied'; times?: number }
  /** Answer GetCacheEntryDownloadURL as the service does for a token without readable scopes: 403 "cache read denied: …". */
  | { endpoint: 'download-url'; kind: 'read-denied'; times?: number };

export type Faults = Fault[];

export interface CacheServerStats {
  /** Requests received per endpoint, including rejected and faulted ones. */
  requests: Record<CacheEndpoint | 'other', number>;
  /** CreateCacheEntry calls that reserved a new entry. */
  entriesCreated: number;
  /** FinalizeCacheEntryUpload calls that committed an entry. */
  entriesFinalized: number;
  /** Lookups that found an entry / found none. */
  hits: number;
  misses: number;
  /** Complete, unfaulted GETs of a committed blob. */
  downloads: number;
  /** Blob bytes sent (GET bodies, faulted ones included) and blob bytes received (upload and block bodies). */
  bytesDownloaded: number;
  bytesUploaded: number;
  /** Requests refused by the service's own rules (auth, conflicts, bad signatures, bad input). */
  rejected: number;
  /** Requests answered by an injected fault. */
  faultsInjected: number;
  /** Why requests were refused, in order. */
  rejections: { endpoint: CacheEndpoint | 'other'; status: number; reason: string }[];
}

export interface CacheServer {
  /** The ACTIONS_RESULTS_URL value, e.g. http://127.0.0.1:40123/ */
  url: string;
  /** Environment a client process needs to use this server with @actions/cache. */
  env: Record<string, string>;
  /** Replaces the active faults. */
  setFaults(f: Faults): void;
  stats(): CacheServerStats;
  close(): Promise<void>;
}

export interface CacheServerOptions {
  /** Where entries, blobs and the index live. Created if missing. */
  dir: string;
  /** Port on 127.0.0.1; 0 or omitted picks a free one. */
  port?: number;
  /** The runtime token clients must present. */
  token?: string;
  /**
   * Keep reservations (created but never finalized entries) left by an earlier
   * server on the same dir. By default they are dropped on start, as if they had
   * expired between CI runs.
   */
  keepReservations?: boolean;
  /** RUNNER_TEMP for clients (the client creates its archives there); default `<dir>/runner-temp`. */
  runnerTemp?: string;
  /** A network between clients and the service; default none (loopback speed, no added latency). */
  network?: NetworkModel;
}

/** What a runner's network adds to the service: see HOSTED_RUNNER_NETWORK. */
export interface NetworkModel {
  /** Added before every request is handled (RPCs and blob requests alike): a round trip plus the service's own time. */
  latencyMs: number;
  /** Blob bytes per second to clients, all downloads together. */
  downloadBytesPerSecond: number;
  /** Blob bytes per second from clients, all uploads together. */
  uploadBytesPerSecond: number;
}

/**
 * The cache service as a GitHub-hosted Linux runner sees it.
 *
 * Download: single restores on hosted runners are reported at 50 MB/s
 * (actions/cache#928), 59–92 MB/s (#944), 88 MB/s over 2.2 GB (#1141) and
 * climbing to 98 MB/s over 5 GB (#810), as the client counts them
 * (MiB/s): 100 MB/s is the top of that range, the service's own cap rather
 * than the runner's NIC (several Gbit/s), so every transfer shares it.
 * Upload: no public figure was found; half the download rate, as blob
 * stores and the suggested model both take uploads to be slower.
 * Latency: every call is a separate HTTPS request from the runner's region
 * to the results service or to blob storage; 50 ms per request is a round
 * trip across a region plus the service's handling. A restore costs two
 * requests (look-up, GET) and a save three (create, PUT, finalize).
 */
export const HOSTED_RUNNER_NETWORK: NetworkModel = {
  latencyMs: 50,
  downloadBytesPerSecond: 100e6,
  uploadBytesPerSecond: 50e6,
};

const SERVICE = 'github.actions.results.api.v1.CacheService';
const BLOB_PREFIX = '/_blob/actions-cache/';
const MAX_KEY_LENGTH = 512;
const MAX_RPC_BODY = 1 << 20;
/** The most bytes a transfer sends before others get their turn on a shared pipe. */
const SLICE = 64 << 10;
/** An idle pipe keeps this much credit (timer lateness is made up from it); no more, so the cap holds over any longer span. */
const BURST_MS = 10;

interface StoredEntry {
  id: number;
  key: string;
  version: string;
  state: 'reserved' | 'committed';
  createdAt: string;
  finalizedAt?: string;
  sizeBytes?: number;
  uploadSig: string;
  downloadSig: string;
}

interface IndexFile {
  format: 1;
  nextId: number;
  entries: StoredEntry[];
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const TWIRP_CODES: Record<number, string> = {
  400: 'invalid_argument',
  401: 'unauthenticated',
  403: 'permission_denied',
  404: 'not_found',
  408: 'deadline_exceeded',
  409: 'already_exists',
  412: 'failed_precondition',
  429: 'resource_exhausted',
  500: 'internal',
  501: 'unimplemented',
  503: 'unavailable',
  504: 'deadline_exceeded',
};

const STORAGE_CODES: Record<number, string> = {
  400: 'InvalidInput',
  403: 'AuthenticationFailed',
  404: 'BlobNotFound',
  409: 'BlobAlreadyExists',
  412: 'ConditionNotMet',
  429: 'ServerBusy',
  500: 'InternalError',
  503: 'ServerBusy',
};

export async function startCacheServer(opts: CacheServerOptions): Promise<CacheServer> {
  const dir = path.resolve(opts.dir);
  const token = opts.token ?? 'test-runtime-token';
  const blobsDir = path.join(dir, 'blobs');
  const uploadsDir = path.join(dir, 'uploads');
  const indexPath = path.join(dir, 'index.json');
  const runnerTemp = opts.runnerTemp ?? path.join(dir, 'runner-temp');
  for (const d of [dir, blobsDir, uploadsDir, runnerTemp]) fs.mkdirSync(d, { recursive: true });

  const index = loadIndex(indexPath);
  if (!opts.keepReservations) {
    for (const e of index.entries.filter((x) => x.state === 'reserved')) {
      fs.rmSync(uploadPath(e.id), { recursive: true, force: true });
      fs.rmSync(blocksDir(e.id), { recursive: true, force: true });
    }
    index.entries = index.entries.filter((x) => x.state === 'committed');
  }
  saveIndex();

  let faults: { fault: Fault; remaining: number }[] = [];
  const downPipe = opts.network && new Pipe(opts.network.downloadBytesPerSecond);
  const upPipe = opts.network && new Pipe(opts.network.uploadBytesPerSecond);
  const stats: CacheServerStats = {
    requests: { create: 0, finalize: 0, 'download-url': 0, upload: 0, download: 0, other: 0 },
    entriesCreated: 0,
    entriesFinalized: 0,
    hits: 0,
    misses: 0,
    downloads: 0,
    bytesDownloaded: 0,
    bytesUploaded: 0,
    rejected: 0,
    faultsInjected: 0,
    rejections: [],
  };

  function blobPath(id: number): string {
    return path.join(blobsDir, `${id}.bin`);
  }
  function uploadPath(id: number): string {
    return path.join(uploadsDir, `${id}.bin`);
  }
  function blocksDir(id: number): string {
    return path.join(uploadsDir, `${id}.blocks`);
  }

  function saveIndex(): void {
    const tmp = `${indexPath}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(index, null, 2));
    fs.renameSync(tmp, indexPath);
  }

  function takeFault(endpoint: CacheEndpoint): Fault | undefined {
    const slot = faults.find((f) => f.fault.endpoint === endpoint && f.remaining > 0);
    if (!slot) return undefined;
    slot.remaining--;
    stats.faultsInjected++;
    return slot.fault;
  }

  function reject(endpoint: CacheEndpoint | 'other', status: number, reason: string): HttpError {
    stats.rejected++;
    stats.rejections.push({ endpoint, status, reason });
    return new HttpError(status, reason);
  }

  // ---------------------------------------------------------------- Twirp --

  function findEntry(key: string, version: string, state?: StoredEntry['state']): StoredEntry | undefined {
    return index.entries.find((e) => e.key === key && e.version === version && (!state || e.state === state));
  }

  /** GitHub's matching: exact key, then key as a prefix, then each restore key as a prefix; newest first. */
  function lookup(key: string, restoreKeys: string[], version: string): StoredEntry | undefined {
    const committed = index.entries
      .filter((e) => e.state === 'committed' && e.version === version)
      .sort((a, b) => b.id - a.id);
    const exact = committed.find((e) => e.key === key);
    if (exact) return exact;
    for (const prefix of [key, ...restoreKeys]) {
      const hit = committed.find((e) => e.key.startsWith(prefix));
      if (hit) return hit;
    }
    return undefined;
  }

  function blobUrl(e: StoredEntry, sig: string, perms: string): string {
    return `${baseUrl}${BLOB_PREFIX.slice(1)}${e.id}?sv=2024-11-04&sr=b&sp=${perms}&sig=${sig}`;
  }

  function stringField(body: Record<string, unknown>, name: string, endpoint: CacheEndpoint): string {
    const v = body[name];
    if (v === undefined) return '';
    if (typeof v !== 'string') throw reject(endpoint, 400, `${name} must be a string`);
    return v;
  }

  async function handleTwirp(req: http.IncomingMessage, res: http.ServerResponse, method: string): Promise<void> {
    const endpoint: CacheEndpoint | 'other' =
      method === 'CreateCacheEntry'
        ? 'create'
        : method === 'FinalizeCacheEntryUpload'
          ? 'finalize'
          : method === 'GetCacheEntryDownloadURL'
            ? 'download-url'
            : 'other';
    stats.requests[endpoint]++;
    const raw = await readBody(req, MAX_RPC_BODY);
    if (endpoint === 'other') throw reject('other', 404, `no such method: ${method}`);
    if (req.method !== 'POST') throw reject(endpoint, 404, `unsupported method ${req.method}`);
    if (req.headers.authorization !== `Bearer ${token}`) {
      throw reject(endpoint, 401, 'the bearer token is missing or invalid');
    }

    const fault = takeFault(endpoint);
    if (fault?.kind === 'status') {
      const headers: Record<string, string> = {};
      if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
      sendTwirpError(res, fault.status, `injected fault (${fault.status})`, headers);
      return;
    }
    if (fault?.kind === 'write-denied') {
      sendJson(res, 200, { ok: false, signed_upload_url: '', message: 'cache write denied: token has no writable scopes' });
      return;
    }
    if (fault?.kind === 'read-denied') {
      sendTwirpError(res, 403, 'cache read denied: token has no readable scopes');
      return;
    }

    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      throw reject(endpoint, 400, 'only application/json requests are supported');
    }
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(raw.toString('utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      body = parsed as Record<string, unknown>;
    } catch {
      throw reject(endpoint, 400, 'the request body is not a JSON object');
    }
    const key = stringField(body, 'key', endpoint);
    const version = stringField(body, 'version', endpoint);
    if (!key) throw reject(endpoint, 400, 'key is required');
    if (key.length > MAX_KEY_LENGTH) throw reject(endpoint, 400, 'key is too long');
    if (!version) throw reject(endpoint, 400, 'version is required');

    switch (endpoint) {
      case 'create': {
        if (findEntry(key, version)) {
          throw reject(endpoint, 409, 'cache entry with the same key, version, and scope already exists');
        }
        const entry: StoredEntry = {
          id: index.nextId++,
          key,
          version,
          state: 'reserved',
          createdAt: new Date().toISOString(),
          uploadSig: crypto.randomBytes(16).toString('hex'),
          downloadSig: crypto.randomBytes(16).toString('hex'),
        };
        index.entries.push(entry);
        saveIndex();
        stats.entriesCreated++;
        sendJson(res, 200, { ok: true, signed_upload_url: blobUrl(entry, entry.uploadSig, 'cw'), message: '' });
        return;
      }
      case 'finalize': {
        const entry = findEntry(key, version);
        if (!entry) throw reject(endpoint, 404, 'cache entry not found');
        if (entry.state === 'committed') throw reject(endpoint, 409, 'cache entry is already finalized');
        let size: number;
        try {
          size = storedSize(uploadPath(entry.id));
        } catch {
          throw reject(endpoint, 412, 'no blob has been uploaded for this cache entry');
        }
        const claimed = body['size_bytes'];
        if (claimed !== undefined && Number(claimed) !== size) {
          throw reject(endpoint, 412, `size_bytes ${JSON.stringify(claimed)} does not match the uploaded blob (${size} bytes)`);
        }
        fs.renameSync(uploadPath(entry.id), blobPath(entry.id));
        fs.rmSync(blocksDir(entry.id), { recursive: true, force: true });
        entry.state = 'committed';
        entry.sizeBytes = size;
        entry.finalizedAt = new Date().toISOString();
        saveIndex();
        stats.entriesFinalized++;
        sendJson(res, 200, { ok: true, entry_id: String(entry.id), message: '' });
        return;
      }
      case 'download-url': {
        const rk = body['restore_keys'] ?? [];
        if (!Array.isArray(rk) || rk.some((k) => typeof k !== 'string')) {
          throw reject(endpoint, 400, 'restore_keys must be a list of strings');
        }
        const entry = lookup(key, rk as string[], version);
        if (!entry) {
          stats.misses++;
          sendJson(res, 200, { ok: false, signed_download_url: '', matched_key: '' });
          return;
        }
        stats.hits++;
        sendJson(res, 200, { ok: true, signed_download_url: blobUrl(entry, entry.downloadSig, 'r'), matched_key: entry.key });
        return;
      }
    }
  }

  // ---------------------------------------------------------------- blobs --

  function entryForBlob(idText: string, sig: string | null, want: 'upload' | 'download'): StoredEntry {
    const id = /^\d+$/.test(idText) ? Number(idText) : NaN;
    const entry = index.entries.find((e) => e.id === id);
    const expected = entry && (want === 'upload' ? entry.uploadSig : entry.downloadSig);
    if (!entry || !sig || !expected || !timingSafeEqualText(sig, expected)) {
      throw reject(want, 403, 'Server failed to authenticate the request. Make sure the signature is formed correctly.');
    }
    if (want === 'upload' && entry.state !== 'reserved') {
      throw reject(want, 409, 'The blob has been committed and is immutable.');
    }
    if (want === 'download' && entry.state !== 'committed') {
      throw reject(want, 404, 'The specified blob does not exist.');
    }
    return entry;
  }

  async function handleUpload(req: http.IncomingMessage, res: http.ServerResponse, url: URL, idText: string): Promise<void> {
    stats.requests.upload++;
    const fault = takeFault('upload');
    if (fault?.kind === 'status') {
      await drain(req);
      sendStorageError(res, fault.status, STORAGE_CODES[fault.status] ?? 'InjectedFault', `injected fault (${fault.status})`);
      return;
    }
    if (req.method !== 'PUT') {
      await drain(req);
      throw reject('upload', 405, `unsupported method ${req.method}`);
    }
    let entry: StoredEntry;
    try {
      entry = entryForBlob(idText, url.searchParams.get('sig'), 'upload');
    } catch (e) {
      await drain(req);
      throw e;
    }
    const comp = url.searchParams.get('comp');
    if (comp === null) {
      if (req.headers['x-ms-blob-type'] !== 'BlockBlob') {
        await drain(req);
        throw reject('upload', 400, 'x-ms-blob-type must be BlockBlob');
      }
      const received = await receiveFile(req, uploadPath(entry.id), upPipe);
      stats.bytesUploaded += received;
      sendCreated(res, req.headers['content-md5']);
      return;
    }
    if (comp === 'block') {
      const blockId = url.searchParams.get('blockid');
      if (!blockId) {
        await drain(req);
        throw reject('upload', 400, 'blockid is required');
      }
      fs.mkdirSync(blocksDir(entry.id), { recursive: true });
      const received = await receiveFile(req, path.join(blocksDir(entry.id), blockFileName(blockId)), upPipe);
      stats.bytesUploaded += received;
      sendCreated(res, req.headers['content-md5']);
      return;
    }
    if (comp === 'blocklist') {
      const xml = (await readBody(req, MAX_RPC_BODY)).toString('utf8');
      const ids = [...xml.matchAll(/<(Latest|Uncommitted|Committed)>([^<]*)<\/\1>/g)].map((m) => decodeXml(m[2] ?? ''));
      if (!/<BlockList>/.test(xml)) throw reject('upload', 400, 'the body is not a BlockList');
      const files = ids.map((id) => path.join(blocksDir(entry.id), blockFileName(id)));
      const missing = files.findIndex((f) => !fs.existsSync(f));
      if (missing >= 0) throw reject('upload', 400, `The specified block list is invalid: unknown block ${ids[missing]}`);
      // The blocks become the blob's parts, linked in order and never
      // copied into one file: a real service's commit costs the runner
      // nothing, and a copy here would take the cores the run is measured on.
      const tmp = `${uploadPath(entry.id)}.${crypto.randomBytes(4).toString('hex')}.tmp`;
      fs.mkdirSync(tmp);
      try {
        files.forEach((f, i) => fs.linkSync(f, path.join(tmp, String(i).padStart(6, '0'))));
        fs.rmSync(uploadPath(entry.id), { recursive: true, force: true });
        fs.renameSync(tmp, uploadPath(entry.id));
      } catch (e) {
        fs.rmSync(tmp, { recursive: true, force: true });
        throw e;
      }
      sendCreated(res, undefined);
      return;
    }
    await drain(req);
    throw reject('upload', 400, `unsupported comp=${comp}`);
  }

  async function handleDownload(req: http.IncomingMessage, res: http.ServerResponse, url: URL, idText: string): Promise<void> {
    stats.requests.download++;
    await drain(req);
    if (req.method !== 'GET' && req.method !== 'HEAD') throw reject('download', 405, `unsupported method ${req.method}`);
    const fault = req.method === 'GET' ? takeFault('download') : undefined;
    if (fault?.kind === 'status') {
      res.writeHead(fault.status, { 'content-type': 'text/plain' });
      res.end(`injected fault (${fault.status})\n`);
      return;
    }
    const entry = entryForBlob(idText, url.searchParams.get('sig'), 'download');
    const file = blobPath(entry.id);
    const size = storedSize(file);
    const common = {
      'content-type': 'application/octet-stream',
      'accept-ranges': 'bytes',
      etag: `"0x${entry.downloadSig.slice(0, 16).toUpperCase()}"`,
      'last-modified': new Date(entry.finalizedAt ?? entry.createdAt).toUTCString(),
      'x-ms-blob-type': 'BlockBlob',
      'x-ms-request-id': crypto.randomUUID(),
      'x-ms-version': '2024-11-04',
    };

    if (fault?.kind === 'corrupt' || fault?.kind === 'truncate') {
      let data = Buffer.concat(storedParts(file).map((p) => fs.readFileSync(p.file)));
      if (fault.kind === 'corrupt') {
        const mid = Math.floor(data.length / 2);
        for (let i = Math.max(0, mid - 32); i < Math.min(data.length, mid + 32); i++) data[i] = (data[i] ?? 0) ^ 0xff;
      } else {
        data = data.subarray(0, Math.floor(data.length / 2));
      }
      res.writeHead(200, { ...common, 'content-length': String(data.length) });
      stats.bytesDownloaded += data.length;
      if (downPipe) await pipeline(Readable.from([data]), throttle(downPipe), res);
      else res.end(data);
      return;
    }

    let start = 0;
    let end = size - 1;
    let status = 200;
    const extra: Record<string, string> = {};
    const range = req.headers.range ?? (req.headers['x-ms-range'] as string | undefined);
    if (range) {
      const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
      const a = m?.[1] ?? '';
      const b = m?.[2] ?? '';
      if (!m || (a === '' && b === '')) {
        throw reject('download', 416, `unsupported range ${range}`);
      }
      if (a === '') {
        start = Math.max(0, size - Number(b));
      } else {
        start = Number(a);
        if (b !== '') end = Math.min(end, Number(b));
      }
      if (start >= size || start > end) {
        res.writeHead(416, { 'content-range': `bytes */${size}` });
        res.end();
        stats.rejected++;
        stats.rejections.push({ endpoint: 'download', status: 416, reason: `unsatisfiable range ${range}` });
        return;
      }
      status = 206;
      extra['content-range'] = `bytes ${start}-${end}/${size}`;
    }
    const length = size === 0 ? 0 : end - start + 1;
    res.writeHead(status, { ...common, ...extra, 'content-length': String(length) });
    if (req.method === 'HEAD' || length === 0) {
      res.end();
      if (req.method === 'GET') stats.downloads++;
      return;
    }
    const body = readStored(file, start, end);
    // Counted as the bytes are handed to the response, not once it has
    // finished: the client may hold every byte before the server's side ends.
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        stats.bytesDownloaded += chunk.length;
        done(null, chunk);
      },
      flush(done) {
        if (status === 200) stats.downloads++;
        done();
      },
    });
    await (downPipe ? pipeline(body, throttle(downPipe), counted, res) : pipeline(body, counted, res));
  }

  // --------------------------------------------------------------- server --

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (opts.network && opts.network.latencyMs > 0) await sleep(opts.network.latencyMs);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const twirp = new RegExp(`^/twirp/${SERVICE.replace(/\./g, '\\.')}/([A-Za-z]+)$`).exec(url.pathname);
    try {
      if (twirp) {
        await handleTwirp(req, res, twirp[1] ?? '');
        return;
      }
      if (url.pathname.startsWith(BLOB_PREFIX)) {
        const idText = url.pathname.slice(BLOB_PREFIX.length);
        if (req.method === 'PUT') await handleUpload(req, res, url, idText);
        else await handleDownload(req, res, url, idText);
        return;
      }
      stats.requests.other++;
      await drain(req);
      throw reject('other', 404, `no route for ${req.method} ${url.pathname}`);
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const status = err instanceof HttpError ? err.status : 500;
      const message = err instanceof Error ? err.message : String(err);
      if (twirp) sendTwirpError(res, status, message);
      else if (url.pathname.startsWith(BLOB_PREFIX)) sendStorageError(res, status, STORAGE_CODES[status] ?? 'InternalError', message);
      else {
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(`${message}\n`);
      }
    }
  }

  const server = http.createServer((req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}/`;

  const env: Record<string, string> = {
    ACTIONS_CACHE_SERVICE_V2: 'true',
    ACTIONS_RESULTS_URL: baseUrl,
    ACTIONS_RUNTIME_TOKEN: token,
    // v2 is only used when this is github.com (or *.ghe.com); a GHES URL forces v1.
    GITHUB_SERVER_URL: 'https://github.com',
    // An inherited read-only/none mode would make the client skip saves or restores.
    ACTIONS_CACHE_MODE: 'write',
    // The client builds its archives under RUNNER_TEMP (default /home/actions/temp).
    RUNNER_TEMP: runnerTemp,
  };
  const proxied = ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy'].some((v) => process.env[v]);
  if (proxied) {
    // The Azure SDK only skips its proxy for hosts in NO_PROXY.
    const existing = process.env['NO_PROXY'] ?? process.env['no_proxy'] ?? '';
    env['NO_PROXY'] = [existing, '127.0.0.1'].filter(Boolean).join(',');
  }

  return {
    url: baseUrl,
    env,
    setFaults(f: Faults): void {
      faults = f.map((fault) => ({ fault: { ...fault }, remaining: fault.times ?? Number.POSITIVE_INFINITY }));
    },
    stats(): CacheServerStats {
      return structuredClone(stats);
    },
    close(): Promise<void> {
      return new Promise((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

function loadIndex(indexPath: string): IndexFile {
  let text: string;
  try {
    text = fs.readFileSync(indexPath, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { format: 1, nextId: 1, entries: [] };
    throw e;
  }
  const parsed = JSON.parse(text) as IndexFile;
  if (parsed.format !== 1 || !Array.isArray(parsed.entries)) throw new Error(`${indexPath}: unknown index format`);
  return parsed;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(data.length), ...headers });
  res.end(data);
}

function sendTwirpError(res: http.ServerResponse, status: number, msg: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { code: TWIRP_CODES[status] ?? 'unknown', msg }, headers);
}

function sendStorageError(res: http.ServerResponse, status: number, code: string, message: string): void {
  const body = Buffer.from(
    `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${encodeXml(message)}</Message></Error>`,
  );
  res.writeHead(status, {
    'content-type': 'application/xml',
    'content-length': String(body.length),
    'x-ms-error-code': code,
    'x-ms-request-id': crypto.randomUUID(),
    'x-ms-version': '2024-11-04',
  });
  res.end(body);
}

function sendCreated(res: http.ServerResponse, contentMd5: string | string[] | undefined): void {
  const headers: Record<string, string> = {
    etag: `"0x${crypto.randomBytes(8).toString('hex').toUpperCase()}"`,
    'last-modified': new Date().toUTCString(),
    'x-ms-request-id': crypto.randomUUID(),
    'x-ms-version': '2024-11-04',
    'x-ms-request-server-encrypted': 'true',
    'content-length': '0',
  };
  if (typeof contentMd5 === 'string') headers['content-md5'] = contentMd5;
  res.writeHead(201, headers);
  res.end();
}

async function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    total += b.length;
    if (total <= limit) chunks.push(b);
  }
  if (total > limit) throw new HttpError(413, 'request body too large');
  return Buffer.concat(chunks);
}

async function drain(req: http.IncomingMessage): Promise<void> {
  if (req.readableEnded) return;
  for await (const _chunk of req) {
    // discard
  }
}

/** Streams the request body to `dest` via a temp file, so a broken upload leaves nothing behind; returns its size. */
async function receiveFile(req: http.IncomingMessage, dest: string, pipe: Pipe | undefined): Promise<number> {
  const tmp = `${dest}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    const out = fs.createWriteStream(tmp);
    await (pipe ? pipeline(req, throttle(pipe), out) : pipeline(req, out));
    const size = fs.statSync(tmp).size;
    const expected = req.headers['content-length'];
    if (expected !== undefined && size !== Number(expected)) {
      throw new HttpError(400, 'the body is shorter than Content-Length');
    }
    fs.rmSync(dest, { recursive: true, force: true });
    fs.renameSync(tmp, dest);
    return size;
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * One direction of the network, shared by every transfer: a token bucket
 * kept as the time at which the bytes granted so far are through. Transfers
 * ask for a slice at a time, so concurrent ones take turns.
 */
class Pipe {
  private through = 0;

  constructor(private readonly bytesPerSecond: number) {}

  /** Resolves once `bytes` more have passed, after those granted before them. */
  async pass(bytes: number): Promise<void> {
    const now = performance.now();
    this.through = Math.max(this.through, now - BURST_MS) + (bytes * 1000) / this.bytesPerSecond;
    const wait = this.through - now;
    // Waits under a millisecond are left to the bucket's credit: timers are not finer.
    if (wait >= 1) await sleep(wait);
  }
}

/** Passes a stream through `pipe`, a slice at a time, holding each until the pipe has carried it. */
function throttle(pipe: Pipe): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const slices: Buffer[] = [];
      for (let at = 0; at < chunk.length; at += SLICE) slices.push(chunk.subarray(at, at + SLICE));
      void (async () => {
        for (const slice of slices) {
          await pipe.pass(slice.length);
          this.push(slice);
        }
      })().then(
        () => done(),
        (e: unknown) => done(e instanceof Error ? e : new Error(String(e))),
      );
    },
  });
}

/**
 * A stored blob is one file (a single-shot upload) or a folder of its
 * blocks in order (a committed block list); its parts with their sizes.
 */
function storedParts(stored: string): { file: string; size: number }[] {
  const st = fs.statSync(stored);
  if (!st.isDirectory()) return [{ file: stored, size: st.size }];
  return fs
    .readdirSync(stored)
    .sort()
    .map((name) => ({ file: path.join(stored, name), size: fs.statSync(path.join(stored, name)).size }));
}

function storedSize(stored: string): number {
  return storedParts(stored).reduce((n, p) => n + p.size, 0);
}

/** Bytes `start` to `end` (inclusive) of a stored blob, read across its parts. */
function readStored(stored: string, start: number, end: number): Readable {
  const parts = storedParts(stored);
  return Readable.from(
    (async function* () {
      let at = 0;
      for (const p of parts) {
        const from = Math.max(start, at);
        const to = Math.min(end, at + p.size - 1);
        if (from <= to) yield* fs.createReadStream(p.file, { start: from - at, end: to - at });
        at += p.size;
      }
    })(),
  );
}

function blockFileName(blockId: string): string {
  return Buffer.from(blockId, 'utf8').toString('hex');
}

function timingSafeEqualText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

function encodeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function decodeXml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}
