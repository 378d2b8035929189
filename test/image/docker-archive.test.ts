import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, openSync, readSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sha256Digest } from '../../src/digest.js';
import { readBaseImage } from '../../src/image/base-image.js';
import { imageConfigJson } from '../../src/image/config.js';
import { finishDockerArchive, layerPlaces } from '../../src/sinks/docker-archive-tar.js';
import { BLOCK } from '../../src/layer/tar-header.js';

describe('the docker-archive layout', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'archive-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('places layers one header block apart below 8 GiB', () => {
    const { offsets, end } = layerPlaces([10240, 20480], 0);
    assert.deepEqual(offsets, [BLOCK, BLOCK + 10240 + BLOCK]);
    assert.equal(end, 2 * BLOCK + 10240 + 20480);
  });

  it('leaves room for the PAX size record of a layer of 8 GiB or more, and reads back as written', async () => {
    // Layers of zeros in a sparse file: the layout is what is under test.
    const sizes = [10240, 8 * 2 ** 30 + 10240, 10240];
    const layers = sizes.map((size, i) => ({ digest: sha256Digest(`layer ${i}`), size, comment: `layer ${i}` }));
    const { offsets, end } = layerPlaces(sizes);
    assert.equal(offsets[1], BLOCK + 10240 + 3 * BLOCK, 'a PAX header, its record block, then the ustar header');
    const file = path.join(dir, 'big.tar');
    const fd = openSync(file, 'w');
    ftruncateSync(fd, end + 3 * 10240);
    closeSync(fd);
    const configJson = imageConfigJson({ architecture: 'amd64', created: '1970-01-01T00:00:01Z', config: {}, layers });
    finishDockerArchive(file, { layers, configJson, repoTags: ['big:1'] });

    // Our own base-image reader (a lenient tar indexer) finds every layer where it was placed.
    const read = readBaseImage(file);
    assert.deepEqual(read.layers.map((l) => [l.offset, l.size, l.diffId]), layers.map((l, i) => [offsets[i], l.size, l.digest]));
    // The header of the big layer carries its size in a PAX record.
    const pax = Buffer.alloc(BLOCK);
    const rfd = openSync(file, 'r');
    readSync(rfd, pax, 0, BLOCK, (offsets[1]) - 2 * BLOCK);
    closeSync(rfd);
    assert.match(pax.toString('latin1'), new RegExp(`size=${sizes[1]}\\n`));
    // The file ends at the end of the archive: nothing left from before.
    assert.equal((await stat(file)).size % 10240, 0);
    assert.ok((await stat(file)).size < end + 3 * 10240);
  });
});
