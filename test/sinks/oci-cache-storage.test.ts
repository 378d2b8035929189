import assert from 'node:assert/strict';
import { open, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { quietLogger } from '../../src/log.js';
import { parseOptions } from '../../src/options.js';
import { build } from '../../src/pipeline.js';
import { layoutDigest } from '../support/layout.js';
import { nixBuild } from '../support/nix.js';
import { CLOSURE_NIX } from '../support/paths.js';

/** Every blob file of a directory cache's entries. */
async function cachedBlobs(cache: string): Promise<string[]> {
  const entries = await readdir(cache, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name === 'blob').map((e) => path.join(e.parentPath, e.name));
}

/** Overwrites the start of each file where it is (same inode), as a corrupt disk or a tampering process would. */
async function overwriteInPlace(files: readonly string[]): Promise<void> {
  for (const file of files) {
    const fh = await open(file, 'r+');
    try {
      const { size } = await fh.stat();
      await fh.write(Buffer.alloc(Math.min(size, 4096), 0x5a), 0, Math.min(size, 4096), 0);
    } finally {
      await fh.close();
    }
  }
}

describe('an OCI layout never shares storage with a directory cache entry', () => {
  let app: string;
  let dir: string;
  before(async () => {
    app = nixBuild(CLOSURE_NIX, 'app');
    dir = await mkdtemp(path.join(tmpdir(), 'oci-cache-storage-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const layout = async (name: string, cache: string) => {
    const output = path.join(dir, name);
    const opts = await parseOptions({ name: 'stored', tags: ['v1'], contents: [app], output, outputFormat: 'oci', cacheDir: cache });
    const report = await build(opts, quietLogger);
    return { output, report };
  };

  it('blobs saved by the build that wrote the layout: overwriting the entries leaves the layout as it was', async () => {
    const cache = path.join(dir, 'cache-saved');
    const { output, report } = await layout('saved', cache);
    assert.ok(report.cache.saved > 0, 'the cold build saved blobs');
    const before = await layoutDigest(output);
    const blobs = await cachedBlobs(cache);
    assert.equal(blobs.length, report.cache.saved);
    for (const b of blobs) assert.equal((await stat(b)).nlink, 1, `${b} is linked elsewhere`);
    await overwriteInPlace(blobs);
    assert.equal(await layoutDigest(output), before);
    // The next build finds the bad entries and builds instead, byte for byte the same image.
    const again = await layout('rebuilt', cache);
    assert.equal(again.report.cache.restored, 0);
    assert.equal(await layoutDigest(again.output), before);
  });

  it('blobs restored into the layout: overwriting the entries afterwards leaves the layout as it was', async () => {
    const cache = path.join(dir, 'cache-restored');
    const cold = await layout('cold', cache);
    const warm = await layout('warm', cache);
    assert.ok(warm.report.cache.restored > 0, 'the warm build restored blobs');
    const before = await layoutDigest(warm.output);
    assert.equal(before, await layoutDigest(cold.output));
    await overwriteInPlace(await cachedBlobs(cache));
    assert.equal(await layoutDigest(warm.output), before);
    assert.equal(await layoutDigest(cold.output), before);
  });
});
