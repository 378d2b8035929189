import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { CacheFindings } from '../../src/cache/findings.js';
import type { WantedLayer } from '../../src/cache/restore.js';
import { restoreOrBuild } from '../../src/cache/scheduler.js';
import type { CachedBlob } from '../../src/cache/cache.js';
import { DirectoryCache } from '../../src/cache/directory.js';
import { parseDigest } from '../../src/digest.js';
import { LayerWorkers } from '../../src/layer/workers.js';
import { quietLogger } from '../../src/log.js';
import type { BlobLead } from '../../src/cache/record.js';

/** A real (empty) directory cache that answers as a slow network one would: every restore a miss, after `delayMs`. */
class SlowEmptyCache extends DirectoryCache {
  override readonly remote: boolean = true;
  constructor(
    dir: string,
    private readonly delayMs: number,
  ) {
    super(dir, () => {});
  }
  override async restoreBlob(key: string): Promise<CachedBlob | undefined> {
    await sleep(this.delayMs);
    return super.restoreBlob(key);
  }
}

const layer = (i: number, estimate: number): WantedLayer => ({ index: i, key: `layered-image-layer-${String(i).padStart(64, '0')}`, paths: [`/nix/store/${'a'.repeat(32)}-l${i}`], estimate });
const leadOf = (l: WantedLayer, blobSize: number): BlobLead => ({
  key: l.key,
  diffId: parseDigest(`sha256:${'d'.repeat(64)}`),
  size: l.estimate ?? 0,
  compression: 'gzip',
  digest: parseDigest(`sha256:${'b'.repeat(64)}`),
  blobSize,
  repositories: [],
  cached: true,
});

describe('restoreOrBuild: the network and the cores racing for blobs', () => {
  let dir: string;
  let workers: LayerWorkers;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'race-'));
    workers = new LayerWorkers(1);
  });
  after(async () => {
    await workers.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('builds every layer exactly once when the recorded entries turn out missing, and stops naming them', async () => {
    const wanted = Array.from({ length: 12 }, (_, i) => layer(i, (i + 1) << 20));
    const recorded = wanted.filter((_, i) => i % 2 === 0);
    const built: string[] = [];
    const findings = new CacheFindings('gzip');
    const cache = new SlowEmptyCache(dir, 20);
    await restoreOrBuild(wanted, { cache, leads: recorded.map((l) => leadOf(l, 1 << 20)), compression: 'gzip', workers, log: quietLogger, builders: 2, build: (l) => Promise.resolve(void built.push(l.key)), findings });
    assert.deepEqual([...built].sort(), wanted.map((l) => l.key).sort());
    assert.equal(new Set(built).size, built.length, 'a layer was built twice');
    // Those the restorers reached are refuted; those the builders took first were never asked.
    for (const k of findings.refutedLayers()) assert.ok(recorded.some((l) => l.key === k));
    assert.equal(findings.restoredCount, 0);
  });

  it('the cores take recorded layers from the small end while restores are slow', async () => {
    // 20 recorded layers, restores of 300 ms each, 8 at a time: 900 ms of network; the cores' own work is nothing.
    const wanted = Array.from({ length: 20 }, (_, i) => layer(i, (i + 1) << 20));
    const findings = new CacheFindings('gzip');
    const takenByCores: number[] = [];
    const cache = new SlowEmptyCache(dir, 300);
    const build = async (l: WantedLayer) => {
      if (!findings.refutedLayers().includes(l.key)) takenByCores.push(l.index);
      await sleep(5);
    };
    await restoreOrBuild(wanted, { cache, leads: wanted.map((l) => leadOf(l, l.estimate ?? 0)), compression: 'gzip', workers, log: quietLogger, builders: 2, build, findings });
    assert.ok(takenByCores.length > 0, 'the cores never took a recorded layer');
    // From the small end: the cores' layers are the smallest ones.
    assert.deepEqual([...takenByCores].sort((a, b) => a - b), Array.from({ length: takenByCores.length }, (_, i) => i));
  });

  it('a failing build stops the race, and the error comes only once every job has ended', async () => {
    const wanted = Array.from({ length: 10 }, (_, i) => layer(i, 1 << 20));
    let active = 0;
    let started = 0;
    const build = async (l: WantedLayer) => {
      started++;
      active++;
      try {
        await sleep(30);
        if (l.index === 1) throw new Error('disk full');
      } finally {
        active--;
      }
    };
    const cache = new SlowEmptyCache(dir, 10);
    await assert.rejects(
      restoreOrBuild(wanted, { cache, leads: [], compression: 'gzip', workers, log: quietLogger, builders: 2, build, findings: new CacheFindings('gzip') }).finally(() => assert.equal(active, 0, 'a build was still running')),
      /disk full/,
    );
    assert.ok(started < wanted.length, 'work went on being taken after the failure');
  });
});
