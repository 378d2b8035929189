import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ActionsCache } from '../../src/cache/actions.js';
import type { BlobMeta } from '../../src/cache/cache.js';
import { parseDigest } from '../../src/digest.js';
import { startCacheServer, type CacheServer, type Faults, type NetworkModel } from '../support/cache-server.js';

const blobKey = (c: string) => `layered-image-blob-test-${c.repeat(64)}`;
const meta = (key: string): BlobMeta => ({
  format: 1,
  key,
  compression: 'gzip',
  diffId: parseDigest(`sha256:${'d'.repeat(64)}`),
  size: 1,
  digest: parseDigest(`sha256:${'b'.repeat(64)}`),
  blobSize: 1,
  paths: [],
});

/** Blob bytes at 1 MB/s: a 1 MiB transfer keeps its call in flight for a second, long after a refused one has ended. */
const slow = (direction: 'download' | 'upload'): NetworkModel => ({
  latencyMs: 0,
  downloadBytesPerSecond: direction === 'download' ? 1e6 : 1e9,
  uploadBytesPerSecond: direction === 'upload' ? 1e6 : 1e9,
});

/**
 * @actions/cache writes its debug commands and progress to this process's
 * stdout, where the test runner would show them; the failure lines it
 * prints still reach the hook under test, installed over this one.
 */
function quietCacheChatter(): () => void {
  const write = process.stdout.write.bind(process.stdout);
  const chatter = /^(::debug::|::add-mask::|\[command\]|Sent \d|Received \d|Cache (Size|restored|saved|hit))/;
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]): boolean => {
    const send = (c: unknown) => (write as (...args: unknown[]) => boolean)(c, ...rest);
    if (typeof chunk !== 'string') return send(chunk);
    const kept = chunk.split('\n').filter((l) => !chatter.test(l)).join('\n');
    return kept !== chunk && kept.trim() === '' ? true : send(kept);
  });
  return () => {
    process.stdout.write = write;
  };
}

describe('ActionsCache: a failure in one direction leaves the other one working', () => {
  const env = process.env;
  let loud: () => void;
  const servers: CacheServer[] = [];
  let root: string;
  let big: Buffer;
  let bigFile: string;
  let smallFile: string;

  before(async () => {
    loud = quietCacheChatter();
    root = await mkdtemp(path.join(tmpdir(), 'actions-directions-'));
    // Random bytes: compression cannot shrink what the slow pipe has to carry.
    big = randomBytes(1 << 20);
    bigFile = path.join(root, 'big');
    smallFile = path.join(root, 'small');
    await writeFile(bigFile, big);
    await writeFile(smallFile, 'small\n');
  });
  after(async () => {
    loud();
    process.env = env;
    await Promise.all(servers.map((s) => s.close()));
    await rm(root, { recursive: true, force: true });
  });

  /** A cache on a (new) service over the state in `name`, as the Action makes it: the service is found through the environment. */
  async function open(name: string, faults: Faults = [], network?: NetworkModel) {
    const server = await startCacheServer({ dir: path.join(root, name), ...(network === undefined ? {} : { network }) });
    server.setFaults(faults);
    servers.push(server);
    process.env = { ...env, ...server.env };
    const warnings: string[] = [];
    const cache = new ActionsCache(path.join(root, name, 'cache-root'), (m) => warnings.push(m));
    return { server, cache, warnings };
  }

  /** Both calls at once; which one ended first. */
  async function together<A, B>(a: Promise<A>, b: Promise<B>): Promise<{ a: A; b: B; first: 'a' | 'b' }> {
    let first: 'a' | 'b' | undefined;
    const [ra, rb] = await Promise.all([a.finally(() => (first ??= 'a')), b.finally(() => (first ??= 'b'))]);
    return { a: ra, b: rb, first: first as 'a' | 'b' };
  }

  it('a save that fails while a restore runs leaves restores on', async () => {
    const seed = await open('save-fails');
    assert.equal(await seed.cache.saveBlob(blobKey('a'), bigFile, meta(blobKey('a'))), true);

    const { cache, warnings, server } = await open('save-fails', [{ endpoint: 'create', kind: 'write-denied' }], slow('download'));
    const run = await together(cache.restoreBlob(blobKey('a')), cache.saveBlob(blobKey('b'), smallFile, meta(blobKey('b'))));
    assert.equal(run.first, 'b', 'the save did not fail while the restore was in flight');
    assert.equal(run.b, false);
    assert.ok(run.a !== undefined, 'the restore running beside the failed save missed');
    assert.deepEqual(await readFile(run.a.file), big);
    assert.equal(server.stats().faultsInjected, 1);
    assert.equal(cache.degraded, false, 'the failed save switched restores off');

    const again = await cache.restoreBlob(blobKey('a'));
    assert.ok(again !== undefined, 'a restore after the failed save was not even tried');
    assert.deepEqual(await readFile(again.file), big);
    assert.deepEqual(warnings.map((w) => w.replace(/\(.*\)/, '(…)')), ['GitHub Actions cache save failed (…); this run goes on without cache saves']);
  });

  it('a restore that fails while a save runs leaves saves on', async () => {
    const { cache, warnings, server } = await open('restore-fails', [{ endpoint: 'download-url', kind: 'read-denied' }], slow('upload'));
    const run = await together(cache.saveBlob(blobKey('c'), bigFile, meta(blobKey('c'))), cache.restoreBlob(blobKey('d')));
    assert.equal(run.first, 'b', 'the restore did not fail while the save was in flight');
    assert.equal(run.b, undefined);
    assert.equal(run.a, true, 'the save running beside the failed restore was not stored');
    assert.equal(server.stats().faultsInjected, 1);

    assert.equal(await cache.saveBlob(blobKey('e'), smallFile, meta(blobKey('e'))), true, 'a save after the failed restore was not stored');
    assert.equal(server.stats().entriesFinalized, 2);
    assert.deepEqual(warnings.map((w) => w.replace(/\(.*\)/, '(…)')), ['GitHub Actions cache restore failed (…); this run goes on without cache restores']);
  });
});
