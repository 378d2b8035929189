import { open } from 'node:fs/promises';
import path from 'node:path';
import { asUserError } from '../errors.js';
import type { LayerBed } from '../sinks/sink.js';
import type { FileRange } from './compress.js';
import { FileSink } from './sink.js';
import type { LayerTarget } from './workers.js';

/**
 * A bed in the work folder, for an image no sink takes uncompressed: a
 * base image's layers packed end to end in one file, the customisation
 * layer in a file of its own. Their blobs are made from there.
 */
export async function workBed(work: string): Promise<LayerBed> {
  const file = path.join(work, 'base-layers');
  const label = 'a work file';
  await (await open(file, 'wx', 0o644).catch((e: unknown) => asUserError(e, `cannot write ${label} in ${work}`))).close();
  const placed: FileRange[] = [];
  let at = 0;
  return {
    ordered: false,
    place(size: number): LayerTarget {
      placed.push({ file, offset: at, size });
      at += size;
      return { file, label, offset: at - size, size };
    },
    written(): void {},
    async last() {
      const custom = path.join(work, 'customisation.tar');
      const sink = await FileSink.create(custom);
      return {
        sink,
        placed: (layer: { size: number }) => {
          placed.push({ file: custom, offset: 0, size: layer.size });
          return Promise.resolve(placed[placed.length - 1]);
        },
      };
    },
    bytes: (index: number) => placed[index],
  };
}
