import path from 'node:path';
import { repoTagsOf } from '../image/config.js';
import { unplacedNote } from '../image/annotations.js';
import type { Image } from '../image/image.js';
import { FileSink } from '../layer/sink.js';
import type { LayerTarget } from '../layer/workers.js';
import { ArchiveStream } from './docker-archive-tar.js';
import type { LayerBed, Sink, SinkContext, SinkReport } from './sink.js';

const LABEL = 'standard output';

/**
 * `--output -`: the image as a docker-archive on standard output, written
 * in one pass and never to disk, as nixpkgs' streamLayeredImage does, for
 * `| docker load`. The stream is in layer order, so layers are written one
 * after another (each on a worker, after every layer was sized in
 * parallel), and all are built from the store, which packs them faster
 * than any cache restores them.
 */
export class DockerStreamSink implements Sink {
  readonly needs = { uncompressed: 'ordered', blobs: 'none' } as const;
  private readonly out = new ArchiveStream(1, LABEL);
  private readonly members: string[] = [];

  bed(ctx: SinkContext): Promise<LayerBed> {
    // Nothing can read a layer once it is streamed: other sinks never read from this bed.
    const { out, members } = this;
    const bed: LayerBed = {
      ordered: true,
      place(size: number): LayerTarget {
        // Named by place: a member's digest is not known before it is written.
        const name = `${String(members.length + 1).padStart(3, '0')}/layer.tar`;
        members.push(name);
        out.begin(name, size);
        return { file: '', label: LABEL, offset: 0, size, stream: out.fd };
      },
      written: (size: number) => out.end(size),
      // Small, and its size must come first: made in the work folder, then sent.
      async last() {
        const file = path.join(ctx.work, 'customisation.tar');
        const sink = await FileSink.create(file);
        const placed = async (layer: { digest: string; size: number }) => {
          const copied = await ctx.workers.copy({ source: { file, offset: 0 }, target: bed.place(layer.size) }, () => {});
          if ('bad' in copied || copied.digest !== layer.digest) throw new Error('the customisation layer changed while it was sent');
          bed.written(layer.size);
          return undefined;
        };
        return { sink, placed };
      },
      bytes: () => undefined,
    };
    return Promise.resolve(bed);
  }

  write(image: Image, ctx: SinkContext): Promise<SinkReport> {
    const repoTags = repoTagsOf(image);
    this.out.finish({ configJson: image.configJson, repoTags, layerFiles: this.members });
    ctx.log.info(`${LABEL}: ${repoTags.join(', ')}, ${image.layers.length} layers`);
    const note = unplacedNote(image.annotations, [], 'a docker-archive');
    if (note !== undefined) ctx.log.info(note);
    return Promise.resolve({ path: '-' });
  }
}
