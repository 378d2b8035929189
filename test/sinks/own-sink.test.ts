import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { Image } from '../../src/image/image.js';
import { quietLogger } from '../../src/log.js';
import { parseOptions } from '../../src/options.js';
import { build } from '../../src/pipeline.js';
import { sinksFor } from '../../src/sinks/index.js';
import type { Sink, SinkContext, SinkNeeds, SinkReport } from '../../src/sinks/sink.js';
import { skopeoInspect } from '../support/consumers.js';
import { nixBuild } from '../support/nix.js';
import { CLOSURE_NIX } from '../support/paths.js';

/** SHA-256 of a file's bytes, gunzipped first when asked. */
async function sha256Of(file: string, gunzip: boolean): Promise<string> {
  const hash = createHash('sha256');
  if (gunzip) await pipeline(createReadStream(file), createGunzip(), hash);
  else await pipeline(createReadStream(file), hash);
  return `sha256:${hash.digest('hex')}`;
}

/**
 * A sink of the test's own: it records what the pipeline gave it, and checks
 * every blob it asks for against the layer's diff_id (gunzipped) and the
 * blob's digest, while the blob's bytes are still there to read.
 */
class RecordingSink implements Sink {
  readonly asked: { name: string; layers: { diffId: string; blob: string }[]; workExisted: boolean }[] = [];

  constructor(readonly needs: SinkNeeds) {}

  async write(image: Image, ctx: SinkContext): Promise<SinkReport> {
    const layers = [];
    for (const layer of image.layers) {
      const blob = await layer.compressed();
      assert.ok(blob.bytes !== undefined, 'a blob the sink needs has its bytes here');
      assert.equal(blob.bytes.offset, 0);
      assert.equal(await sha256Of(blob.bytes.file, false), blob.digest, 'the blob hashes to its digest');
      assert.equal(await sha256Of(blob.bytes.file, true), layer.digest, 'the gunzipped blob hashes to the layer diff_id');
      layers.push({ diffId: layer.digest, blob: blob.digest });
    }
    const workExisted = (await readdir(ctx.work).catch(() => undefined)) !== undefined;
    this.asked.push({ name: `${image.name}:${image.tags[0] ?? ''}`, layers, workExisted });
    return {};
  }
}

describe('a sink of its own, given to the pipeline beside (or instead of) the ones the options ask for', () => {
  let app: string;
  let dir: string;
  before(async () => {
    app = nixBuild(CLOSURE_NIX, 'app');
    dir = await mkdtemp(path.join(tmpdir(), 'own-sink-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('alone: it is asked once, for every blob, each made here and matching its layer', async () => {
    const opts = await parseOptions({ name: 'own', tags: ['v1'], contents: [app], cache: false, push: false, output: path.join(dir, 'unused.tar') });
    const sink = new RecordingSink({ uncompressed: 'none', blobs: 'all' });
    const report = await build({ ...opts, output: undefined, scratch: dir }, quietLogger, [sink]);
    assert.equal(sink.asked.length, 1);
    const [asked] = sink.asked;
    assert.equal(asked?.name, 'own:v1');
    assert.equal(asked?.workExisted, true, "the work folder is there while a sink writes");
    assert.deepEqual(asked?.layers.map((l) => l.diffId), report.layerDigests);
    assert.equal(report.imagePath, undefined);
    assert.deepEqual(await readdir(dir), [], 'the build left nothing in its scratch folder');
  });

  it('beside a docker-archive: the same image, whose layers skopeo reads', async () => {
    const out = path.join(dir, 'both.tar');
    const opts = await parseOptions({ name: 'own', tags: ['v2'], contents: [app], cache: false, output: out });
    const sink = new RecordingSink({ uncompressed: 'none', blobs: 'all' });
    const report = await build(opts, quietLogger, [...sinksFor(opts), sink]);
    assert.equal(report.imagePath, out);
    assert.deepEqual(skopeoInspect(out).Layers, report.layerDigests);
    assert.deepEqual(sink.asked[0]?.layers.map((l) => l.diffId), report.layerDigests);
    assert.deepEqual(await readdir(dir), ['both.tar'], 'only the archive is left beside it');
  });

  it('two sinks that each need every layer laid out are refused before anything is written', async () => {
    const out = path.join(dir, 'refused.tar');
    const opts = await parseOptions({ name: 'own', contents: [app], cache: false, output: out });
    const sink = new RecordingSink({ uncompressed: 'in-place', blobs: 'none' });
    await assert.rejects(build(opts, quietLogger, [...sinksFor(opts), sink]), /one image has one bed/);
    assert.deepEqual(await readdir(dir), ['both.tar'], 'nothing new is left');
  });
});
