// Drives the real @actions/cache client (cache service v2) against the test
// cache server, to check that the server is faithful enough to be trusted by
// the rest of the suite.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, afterEach, before, describe, it } from 'node:test';
import * as cache from '@actions/cache';
import { startCacheServer, type CacheServer, type NetworkModel } from './cache-server.js';

const SERVICE = 'github.actions.results.api.v1.CacheService';

/** Runs `fn` with @actions/core's stdout lines captured (binary writes pass through). */
async function capture<T>(fn: () => Promise<T>): Promise<{ value: T; out: string; warnings: string[] }> {
  const chunks: string[] = [];
  const original = process.stdout.write.bind(process.stdout);
  process.stdout.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
    if (typeof chunk === 'string') {
      chunks.push(chunk);
      const cb = rest.find((r): r is () => void => typeof r === 'function');
      if (cb) cb();
      return true;
    }
    return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
  };
  let value: T;
  try {
    value = await fn();
  } catch (e) {
    process.stderr.write(chunks.join(''));
    throw e;
  } finally {
    process.stdout.write = original;
  }
  const out = chunks.join('');
  const warnings = out
    .split(/\r?\n/)
    .filter((l) => l.startsWith('::warning::') || l.startsWith('::error::'))
    .map((l) => decodeURIComponent(l.replace(/^::\w+::/, '')));
  return { value, out, warnings };
}

const savedEnv = new Map<string, string | undefined>();
function useEnv(env: Record<string, string>): void {
  for (const [k, v] of Object.entries(env)) {
    if (!savedEnv.has(k)) savedEnv.set(k, process.env[k]);
    process.env[k] = v;
  }
}
function restoreEnv(): void {
  for (const [k, v] of savedEnv) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  savedEnv.clear();
}

async function rpc(server: CacheServer, method: string, body: unknown, token = server.env['ACTIONS_RUNTIME_TOKEN']) {
  const res = await fetch(new URL(`/twirp/${SERVICE}/${method}`, server.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('test cache server with the real @actions/cache (v2)', () => {
  let root: string;
  let stateDir: string;
  let server: CacheServer;
  let paths: string[];
  let small: string;
  let big: string;
  let smallData: Buffer;
  let bigData: Buffer;

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cache-server-test-'));
    stateDir = path.join(root, 'state');
    const work = path.join(root, 'work');
    fs.mkdirSync(path.join(work, 'sub'), { recursive: true });
    small = path.join(work, 'small.txt');
    big = path.join(work, 'sub', 'data.bin');
    smallData = Buffer.from('hello from the layer cache\n');
    bigData = crypto.randomBytes(300 * 1024);
    paths = [small, path.join(work, 'sub')];
    writeFiles();
    server = await startCacheServer({ dir: stateDir });
    useEnv(server.env);
  });

  after(async () => {
    restoreEnv();
    await server?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  afterEach(() => {
    server.setFaults([]);
    useEnv(server.env);
  });

  function writeFiles(): void {
    fs.writeFileSync(small, smallData);
    fs.writeFileSync(big, bigData);
  }
  function removeFiles(): void {
    fs.rmSync(small, { force: true });
    fs.rmSync(big, { force: true });
  }
  function assertFilesRestored(): void {
    assert.deepEqual(fs.readFileSync(small), smallData);
    assert.ok(fs.readFileSync(big).equals(bigData), 'data.bin differs after restore');
  }
  const save = (key: string) => capture(() => cache.saveCache(paths, key));
  const restore = (key: string, restoreKeys: string[] = [], options?: cache.DownloadOptions) =>
    capture(() => cache.restoreCache(paths, key, restoreKeys, options));

  it('uses cache service v2 with the env it hands out', () => {
    assert.equal(server.env['ACTIONS_RESULTS_URL'], server.url);
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal(cache.isFeatureAvailable(), true);
  });

  it('saves, then restores the same files', async () => {
    const saved = await save('layer-0001');
    assert.ok(saved.value > 0, `saveCache returned ${saved.value}: ${saved.warnings.join('; ')}`);
    assert.deepEqual(saved.warnings, []);
    removeFiles();
    const restored = await restore('layer-0001');
    assert.equal(restored.value, 'layer-0001', restored.warnings.join('; '));
    assertFilesRestored();
    const s = server.stats();
    assert.equal(s.entriesCreated, 1);
    assert.equal(s.entriesFinalized, 1);
    assert.equal(s.downloads, 1);
    assert.equal(s.rejected, 0);
  });

  it('answers lookupOnly without downloading', async () => {
    removeFiles();
    const before = server.stats().downloads;
    const r = await restore('layer-0001', [], { lookupOnly: true });
    assert.equal(r.value, 'layer-0001');
    assert.equal(fs.existsSync(small), false);
    assert.equal(server.stats().downloads, before);
    writeFiles();
  });

  it('misses unknown keys and entries saved for other paths (version)', async () => {
    const miss = await restore('layer-9999');
    assert.equal(miss.value, undefined);
    assert.deepEqual(miss.warnings, []);
    const otherPaths = await capture(() => cache.restoreCache([small], 'layer-0001'));
    assert.equal(otherPaths.value, undefined);
  });

  it('matches restore keys as prefixes, newest first', async () => {
    assert.ok((await save('deps-a')).value > 0);
    assert.ok((await save('deps-b')).value > 0);
    const r = await restore('nothing-like-it', ['nope-', 'deps-']);
    assert.equal(r.value, 'deps-b');
    const exact = await restore('deps-a', ['deps-']);
    assert.equal(exact.value, 'deps-a');
    // like GitHub, the primary key also matches as a prefix
    const prefix = await restore('deps-', []);
    assert.equal(prefix.value, 'deps-b');
  });

  it('refuses to overwrite an existing entry: saveCache logs and returns -1', async () => {
    const before = server.stats();
    const r = await save('layer-0001');
    assert.equal(r.value, -1);
    // ReserveCacheError is logged with core.info, not as a warning
    assert.deepEqual(r.warnings, []);
    assert.match(r.out, /Failed to save: Unable to reserve cache with key layer-0001, another job may be creating this cache/);
    assert.match(r.out, /\(409\) Conflict: cache entry with the same key, version, and scope already exists/);
    const after = server.stats();
    assert.equal(after.entriesCreated, before.entriesCreated);
    assert.equal(after.rejected, before.rejected + 1);
    assert.equal(after.rejections.at(-1)?.status, 409);
  });

  it('rejects a wrong runtime token with a Twirp unauthenticated 401', async () => {
    const raw = await rpc(server, 'GetCacheEntryDownloadURL', { key: 'x', version: 'v' }, 'wrong');
    assert.equal(raw.status, 401);
    assert.equal(raw.body['code'], 'unauthenticated');

    useEnv({ ACTIONS_RUNTIME_TOKEN: 'wrong-token' });
    const r = await restore('layer-0001');
    assert.equal(r.value, undefined);
    assert.match(r.warnings.join('\n'), /Failed to restore: .*\(401\)/);
    const s = await save('layer-wrong-token');
    assert.equal(s.value, -1);
    assert.match(s.out, /Unable to reserve cache with key layer-wrong-token/);
  });

  it('lets a second server on the same directory see what the first saved', async () => {
    const second = await startCacheServer({ dir: stateDir });
    try {
      assert.notEqual(second.url, server.url);
      useEnv(second.env);
      removeFiles();
      const r = await restore('layer-0001');
      assert.equal(r.value, 'layer-0001', r.warnings.join('; '));
      assertFilesRestored();
      assert.equal(second.stats().downloads, 1);
      const again = await save('layer-0001');
      assert.equal(again.value, -1);
    } finally {
      useEnv(server.env);
      await second.close();
    }
  });

  it('takes a real saveCache over 128 MiB as staged blocks and a block list', async () => {
    // The client (uploadUtils) uploads in one PUT up to a fixed 128 MiB and in
    // 64 MiB blocks above; neither is configurable through saveCache in v2.
    const dir = path.join(root, 'large');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'random.bin');
    const fd = fs.openSync(file, 'w');
    const hash = crypto.createHash('sha256');
    for (let i = 0; i < 130; i++) {
      const part = crypto.randomBytes(1 << 20);
      fs.writeSync(fd, part);
      hash.update(part);
    }
    fs.closeSync(fd);
    const digest = hash.digest('hex');
    try {
      const before = server.stats().requests.upload;
      const saved = await capture(() => cache.saveCache([dir], 'large-1'));
      assert.ok(saved.value > 0, saved.warnings.join('; '));
      assert.equal(server.stats().requests.upload - before, 4, '3 blocks of <= 64 MiB and a block list');
      fs.rmSync(dir, { recursive: true });
      const restored = await capture(() => cache.restoreCache([dir], 'large-1'));
      assert.equal(restored.value, 'large-1', restored.warnings.join('; '));
      const got = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
      assert.equal(got, digest);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('faults', () => {
    it('create 409: saveCache logs "another job may be creating this cache" and returns -1', async () => {
      server.setFaults([{ endpoint: 'create', kind: 'status', status: 409 }]);
      const r = await save('fault-create-409');
      assert.equal(r.value, -1);
      assert.match(r.out, /Unable to reserve cache with key fault-create-409, another job may be creating this cache/);
      assert.equal(server.stats().requests.create >= 1, true);
    });

    it('create 429: rate limit is not retried; saveCache returns -1 (ReserveCacheError)', async () => {
      server.setFaults([{ endpoint: 'create', kind: 'status', status: 429, retryAfterSeconds: 30 }]);
      const before = server.stats().requests.create;
      const r = await save('fault-create-429');
      assert.equal(r.value, -1);
      assert.equal(server.stats().requests.create - before, 1);
      assert.match(r.warnings.join('\n'), /rate limit will reset in 30 seconds/);
      assert.match(r.out, /Unable to reserve cache with key fault-create-429/);
    });

    it('create 503 once: the Twirp client retries and the save succeeds', async () => {
      server.setFaults([{ endpoint: 'create', kind: 'status', status: 503, times: 1 }]);
      const before = server.stats().requests.create;
      const r = await save('fault-create-503');
      assert.ok(r.value > 0, r.warnings.join('; '));
      assert.equal(server.stats().requests.create - before, 2);
    });

    it('create write-denied: saveCache warns "cache write denied" and returns -1', async () => {
      server.setFaults([{ endpoint: 'create', kind: 'write-denied' }]);
      const r = await save('fault-write-denied');
      assert.equal(r.value, -1);
      assert.match(
        r.warnings.join('\n'),
        /Failed to save: Unable to reserve cache with key fault-write-denied\. More details: cache write denied: /,
      );
    });

    it('finalize 409: saveCache warns, returns -1, and the entry never becomes visible', async () => {
      server.setFaults([{ endpoint: 'finalize', kind: 'status', status: 409 }]);
      const r = await save('fault-finalize');
      assert.equal(r.value, -1);
      assert.match(r.warnings.join('\n'), /Failed to save: Failed to FinalizeCacheEntryUpload: .*\(409\)/);
      server.setFaults([]);
      assert.equal((await restore('fault-finalize')).value, undefined);
      // the reservation still blocks the key, as on GitHub
      assert.equal((await save('fault-finalize')).value, -1);
    });

    it('upload 500 once: the Azure SDK retries and the save succeeds', async () => {
      server.setFaults([{ endpoint: 'upload', kind: 'status', status: 500, times: 1 }]);
      const before = server.stats().requests.upload;
      const r = await save('fault-upload-500');
      assert.ok(r.value > 0, r.warnings.join('; '));
      assert.equal(server.stats().requests.upload - before, 2);
    });

    it('upload 403: saveCache warns and returns -1', async () => {
      server.setFaults([{ endpoint: 'upload', kind: 'status', status: 403 }]);
      const r = await save('fault-upload-403');
      assert.equal(r.value, -1);
      assert.match(r.warnings.join('\n'), /uploadCacheArchiveSDK: internal error uploading cache archive/);
      assert.match(r.warnings.join('\n'), /Failed to save: /);
    });

    it('download-url 429: restoreCache warns and reports a miss', async () => {
      server.setFaults([{ endpoint: 'download-url', kind: 'status', status: 429 }]);
      const r = await restore('layer-0001');
      assert.equal(r.value, undefined);
      assert.match(r.warnings.join('\n'), /Failed to restore: Failed to GetCacheEntryDownloadURL: Rate limited: .*\(429\)/);
    });

    it('download-url 500 once: the Twirp client retries and the restore succeeds', async () => {
      server.setFaults([{ endpoint: 'download-url', kind: 'status', status: 500, times: 1 }]);
      removeFiles();
      const r = await restore('layer-0001');
      assert.equal(r.value, 'layer-0001', r.warnings.join('; '));
      assertFilesRestored();
    });

    it('download-url read-denied: restoreCache warns "cache read denied" and reports a miss', async () => {
      server.setFaults([{ endpoint: 'download-url', kind: 'read-denied' }]);
      const r = await restore('layer-0001');
      assert.equal(r.value, undefined);
      assert.match(r.warnings.join('\n'), /Failed to restore: .*cache read denied: /);
    });

    it('download 500: not retried; restoreCache warns and reports a miss', async () => {
      server.setFaults([{ endpoint: 'download', kind: 'status', status: 500 }]);
      const r = await restore('layer-0001');
      assert.equal(r.value, undefined);
      assert.match(r.warnings.join('\n'), /Failed to restore: downloadCache failed: Cache service responded with 500/);
    });

    it('download corrupt: extraction fails; restoreCache warns and reports a miss', async () => {
      server.setFaults([{ endpoint: 'download', kind: 'corrupt', times: 1 }]);
      const r = await restore('layer-0001');
      assert.equal(r.value, undefined);
      assert.match(r.warnings.join('\n'), /Failed to restore: /);
      assert.equal(server.stats().faultsInjected > 0, true);
    });

    it('download truncate: extraction fails; restoreCache warns and reports a miss', async () => {
      server.setFaults([{ endpoint: 'download', kind: 'truncate', times: 1 }]);
      const r = await restore('layer-0001');
      assert.equal(r.value, undefined);
      assert.match(r.warnings.join('\n'), /Failed to restore: /);
      // the fault was used up: the next restore works
      removeFiles();
      const ok = await restore('layer-0001');
      assert.equal(ok.value, 'layer-0001');
      assertFilesRestored();
    });
  });
});

describe('test cache server with a network model', () => {
  const MiB = 1 << 20;
  const FAST = 1 << 30;
  let root: string;
  let dir: string;
  let plain: CacheServer;
  const servers: CacheServer[] = [];
  const data = crypto.randomBytes(4 * MiB);
  let downloadUrl: string;

  /** A server on the shared state with `network`: a new "CI run" across that network. */
  async function across(network: NetworkModel): Promise<CacheServer> {
    const s = await startCacheServer({ dir, network });
    servers.push(s);
    return s;
  }
  const seconds = async (fn: () => Promise<unknown>): Promise<number> => {
    const t0 = performance.now();
    await fn();
    return (performance.now() - t0) / 1000;
  };
  /** The download URL's host is the server that handed it out; another server on the same state takes the same path and signature. */
  const via = (server: CacheServer, url: string) => new URL(new URL(url).pathname + new URL(url).search, server.url).href;
  const get = async (url: string) => Buffer.from(await (await fetch(url)).arrayBuffer());

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cache-server-network-'));
    dir = path.join(root, 'state');
    // Seeded at loopback speed, so only the measured requests cross the network.
    plain = await startCacheServer({ dir });
    servers.push(plain);
    const created = await rpc(plain, 'CreateCacheEntry', { key: 'blob-4mib', version: 'v1' });
    const put = await fetch(String(created.body['signed_upload_url']), { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: data });
    assert.equal(put.status, 201);
    await put.arrayBuffer();
    assert.equal((await rpc(plain, 'FinalizeCacheEntryUpload', { key: 'blob-4mib', version: 'v1', size_bytes: String(data.length) })).status, 200);
    downloadUrl = String((await rpc(plain, 'GetCacheEntryDownloadURL', { key: 'blob-4mib', version: 'v1' })).body['signed_download_url']);
  });

  after(async () => {
    restoreEnv();
    await Promise.all(servers.map((s) => s.close()));
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('delays every request, RPC or blob, by the latency; without a network model it does not', async () => {
    const slow = await across({ latencyMs: 300, downloadBytesPerSecond: FAST, uploadBytesPerSecond: FAST });
    const rpcSeconds = await seconds(() => rpc(slow, 'GetCacheEntryDownloadURL', { key: 'absent', version: 'v1' }));
    assert.ok(rpcSeconds >= 0.29, `an RPC took ${rpcSeconds} s`);
    const getSeconds = await seconds(() => fetch(via(slow, downloadUrl), { method: 'HEAD' }).then((r) => r.arrayBuffer()));
    assert.ok(getSeconds >= 0.29, `a blob HEAD took ${getSeconds} s`);
    const plainSeconds = await seconds(() => rpc(plain, 'GetCacheEntryDownloadURL', { key: 'absent', version: 'v1' }));
    assert.ok(plainSeconds < 0.2, `an RPC without a network model took ${plainSeconds} s`);
  });

  it('caps downloads at the download rate, and counts the bytes', async () => {
    const s = await across({ latencyMs: 0, downloadBytesPerSecond: 8 * MiB, uploadBytesPerSecond: FAST });
    let got = Buffer.alloc(0);
    const t = await seconds(async () => (got = await get(via(s, downloadUrl))));
    assert.ok(got.equals(data), 'the downloaded bytes differ');
    // 4 MiB at 8 MiB/s: 0.5 s.
    assert.ok(t >= 0.45 && t < 2.5, `4 MiB at 8 MiB/s took ${t} s`);
    assert.equal(s.stats().bytesDownloaded, data.length);
    assert.equal(s.stats().downloads, 1);
  });

  it('caps uploads at the upload rate, and counts the bytes', async () => {
    const s = await across({ latencyMs: 0, downloadBytesPerSecond: FAST, uploadBytesPerSecond: 8 * MiB });
    const created = await rpc(s, 'CreateCacheEntry', { key: 'upload-4mib', version: 'v1' });
    let status = 0;
    const t = await seconds(async () => {
      const put = await fetch(String(created.body['signed_upload_url']), { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: data });
      status = put.status;
      await put.arrayBuffer();
    });
    assert.equal(status, 201);
    assert.ok(t >= 0.45 && t < 2.5, `4 MiB at 8 MiB/s took ${t} s`);
    assert.equal(s.stats().bytesUploaded, data.length);
    assert.equal((await rpc(s, 'FinalizeCacheEntryUpload', { key: 'upload-4mib', version: 'v1' })).status, 200);
    const url = String((await rpc(s, 'GetCacheEntryDownloadURL', { key: 'upload-4mib', version: 'v1' })).body['signed_download_url']);
    assert.ok((await get(url)).equals(data), 'the stored bytes differ');
  });

  it('counts the bytes of concurrent uploads', async () => {
    const s = await across({ latencyMs: 0, downloadBytesPerSecond: FAST, uploadBytesPerSecond: 64 * MiB });
    const statuses = await Promise.all(
      ['concurrent-1', 'concurrent-2', 'concurrent-3'].map(async (key) => {
        const created = await rpc(s, 'CreateCacheEntry', { key, version: 'v1' });
        const put = await fetch(String(created.body['signed_upload_url']), { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: data });
        await put.arrayBuffer();
        return put.status;
      }),
    );
    assert.deepEqual(statuses, [201, 201, 201]);
    assert.equal(s.stats().bytesUploaded, 3 * data.length);
  });

  it('shares one pipe among concurrent downloads, which take turns', async () => {
    const s = await across({ latencyMs: 0, downloadBytesPerSecond: 16 * MiB, uploadBytesPerSecond: FAST });
    const t0 = performance.now();
    const done: number[] = [];
    const bodies = await Promise.all(
      [0, 1].map(async () => {
        const b = await get(via(s, downloadUrl));
        done.push((performance.now() - t0) / 1000);
        return b;
      }),
    );
    assert.ok(bodies.every((b) => b.equals(data)));
    // Alone, each would take 0.25 s; together, 8 MiB through 16 MiB/s take 0.5 s, and both end near the end.
    assert.ok(Math.max(...done) >= 0.45, `both took ${Math.max(...done)} s`);
    assert.ok(Math.min(...done) >= 0.3, `the first ended after ${Math.min(...done)} s: the transfers did not take turns`);
    assert.equal(s.stats().bytesDownloaded, 2 * data.length);
  });

  it('serves the real @actions/cache save and restore across the network model', async () => {
    const s = await across({ latencyMs: 20, downloadBytesPerSecond: 32 * MiB, uploadBytesPerSecond: 32 * MiB });
    const work = path.join(root, 'work');
    const file = path.join(work, 'data.bin');
    fs.mkdirSync(work, { recursive: true });
    fs.writeFileSync(file, data.subarray(0, MiB));
    useEnv(s.env);
    try {
      const saved = await capture(() => cache.saveCache([work], 'network-1'));
      assert.ok(saved.value > 0, saved.warnings.join('; '));
      fs.rmSync(work, { recursive: true });
      const restored = await capture(() => cache.restoreCache([work], 'network-1'));
      assert.equal(restored.value, 'network-1', restored.warnings.join('; '));
      assert.ok(fs.readFileSync(file).equals(data.subarray(0, MiB)));
      const st = s.stats();
      assert.equal(st.entriesFinalized, 1);
      assert.ok(st.bytesUploaded > 0 && st.bytesDownloaded === st.bytesUploaded, JSON.stringify(st));
    } finally {
      restoreEnv();
    }
  });
});
