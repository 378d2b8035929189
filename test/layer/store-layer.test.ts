import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileSink } from '../../src/layer/sink.js';
import { packMembers, storeLayerMembers, storeLayerSize, unpackMembers, writeMembers, writeStoreLayer } from '../../src/layer/store-layer.js';
import { DEFAULT_TAR_SETTINGS, type TarSettings } from '../../src/layer/tar-header.js';
import { nixBuild } from '../support/nix.js';
import { COMMITTED_GOLDEN, GOLDEN, SHARED_GOLDEN } from '../support/paths.js';

interface GoldenLayer {
  paths: string[];
  diffId: string;
  size: number;
}
interface Golden {
  closure: string[];
  defaults: TarSettings;
  onePathPerLayer: GoldenLayer[];
  allInOneLayer: GoldenLayer;
  custom: { settings: TarSettings; layers: GoldenLayer[] };
}

const golden = JSON.parse(readFileSync(path.join(GOLDEN, 'expected.json'), 'utf8')) as Golden;

async function layerOf(paths: string[], settings: TarSettings, dir: string) {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.tar`);
  const sink = await FileSink.create(file);
  const result = await writeStoreLayer(paths, settings, sink);
  await sink.close();
  return { ...result, file };
}

describe('store layers match nixpkgs byte for byte (shared/golden)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'golden-'));
    const app = nixBuild(path.join(GOLDEN, 'fixture.nix'), 'all');
    assert.equal(app, '/nix/store/kb94p0rhni13xjl19zn3d2q5dplrvf4p-golden-app-2.0');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('uses the default settings the golden files were made with', () => {
    assert.deepEqual(golden.defaults, { ...DEFAULT_TAR_SETTINGS });
  });

  // storeLayerSize places layers in the image before they are written, so
  // it must agree with the writer to the byte.
  for (const layer of golden.onePathPerLayer) {
    it(`one-path layer ${path.basename(layer.paths[0] ?? '')}`, async () => {
      const got = await layerOf(layer.paths, DEFAULT_TAR_SETTINGS, dir);
      assert.equal(got.digest, layer.diffId);
      assert.equal(got.size, layer.size);
      assert.equal(storeLayerSize(layer.paths, DEFAULT_TAR_SETTINGS), layer.size);
    });
  }

  for (const layer of golden.custom.layers) {
    it(`custom ownership and mtime: ${path.basename(layer.paths[0] ?? '')}`, async () => {
      const got = await layerOf(layer.paths, golden.custom.settings, dir);
      assert.equal(got.digest, layer.diffId);
      assert.equal(got.size, layer.size);
      assert.equal(storeLayerSize(layer.paths, golden.custom.settings), layer.size);
    });
  }

  it('members packed for another thread write the same layer', async () => {
    const { paths, diffId, size } = golden.allInOneLayer;
    const packed = packMembers(storeLayerMembers(paths));
    assert.deepEqual([...unpackMembers(packed).entries], [...storeLayerMembers(paths).entries]);
    const file = path.join(dir, 'packed.tar');
    const sink = await FileSink.create(file);
    const got = await writeMembers(unpackMembers(packed), DEFAULT_TAR_SETTINGS, sink);
    await sink.close();
    assert.deepEqual(got, { digest: diffId, size });
  });

  it('all four paths in one layer: same digest and the very same bytes', async () => {
    const got = await layerOf(golden.allInOneLayer.paths, DEFAULT_TAR_SETTINGS, dir);
    assert.equal(got.digest, golden.allInOneLayer.diffId);
    assert.equal(got.size, golden.allInOneLayer.size);
    const [ours, theirs] = await Promise.all([readFile(got.file), readFile(path.join(GOLDEN, 'all-in-one.layer.tar'))]);
    const firstDiff = ours.findIndex((b, i) => b !== theirs[i]);
    assert.equal(firstDiff, -1, `first differing byte at offset ${firstDiff}`);
    assert.equal(ours.length, theirs.length);
  });
});

describe('the committed copy of the golden files', () => {
  it('is the shared reference, byte for byte, where the reference is beside the checkout', async (t) => {
    if (GOLDEN !== SHARED_GOLDEN) return t.skip('no ../shared/golden beside this checkout');
    for (const f of ['expected.json', 'fixture.nix', 'all-in-one.layer.tar', 'all-in-one.listing.txt']) {
      const [shared, committed] = await Promise.all([readFile(path.join(SHARED_GOLDEN, f)), readFile(path.join(COMMITTED_GOLDEN, f))]);
      assert.ok(shared.equals(committed), `test/golden/${f} differs from ../shared/golden/${f}`);
    }
  });
});
