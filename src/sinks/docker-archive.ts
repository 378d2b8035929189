import { link, open, rename, stat } from 'node:fs/promises';
import { repoTagsOf } from '../image/config.js';
import path from 'node:path';
import { asUserError } from '../errors.js';
import type { Image } from '../image/image.js';
import { input } from '../inputs/marker.js';
import type { FileRange } from '../layer/compress.js';
import { RangeSink } from '../layer/sink.js';
import { BLOCK } from '../layer/tar-header.js';
import type { LayerTarget } from '../layer/workers.js';
import { formatBytes } from '../log.js';
import { finishDockerArchive, layerPlaces, MAX_LAST_LAYER } from './docker-archive-tar.js';
import { LocalOutputSink, type OutputPath } from './output-path.js';
import type { LayerBed, Sink, SinkContext } from './sink.js';

/**
 * A docker-archive file. Its layers are built straight into their places
 * in the archive (see docker-archive-tar.ts), so it needs no second copy;
 * the archive is completed and renamed into place once the image is made.
 */
export class DockerArchiveSink extends LocalOutputSink implements Sink {
  /** Its manifest.json has no annotations. */
  protected readonly annotationLevels = [] as const;
  readonly needs = { uncompressed: 'in-place', blobs: 'none' } as const;
  protected readonly format = 'docker-archive';

  constructor(path: string) {
    super(path, 'file');
  }

  async bed(ctx: SinkContext, opts: { readLater: boolean }): Promise<LayerBed> {
    const { tmp } = this.reserved();
    const label = `output ${this.path}`;
    await (await open(tmp, 'wx', 0o644).catch((e: unknown) => asUserError(e, `cannot write ${label}`))).close();
    if (!opts.readLater) return new ArchiveBed(tmp, tmp, label);
    // Read after the archive is renamed into place: through a second name.
    const readFrom = path.join(ctx.work, 'archive.tar');
    await link(tmp, readFrom).catch((e: unknown) => asUserError(e, `cannot write ${label}`));
    return new ArchiveBed(tmp, readFrom, label);
  }

  protected async writeTo(out: OutputPath, image: Image): Promise<number> {
    finishDockerArchive(out.tmp, { configJson: image.configJson, repoTags: repoTagsOf(image), layers: image.layers }, `output ${this.path}`);
    await rename(out.tmp, out.target).catch((e: unknown) => asUserError(e, `cannot write ${input('output')} ${this.path}`));
    return (await stat(out.target)).size;
  }
}

/** Layers at their places in the archive: each after its member header, the last one's header a single block. */
class ArchiveBed implements LayerBed {
  readonly ordered = false;
  private readonly placed: FileRange[] = [];
  private end = 0;

  constructor(
    private readonly file: string,
    private readonly readFrom: string,
    private readonly label: string,
  ) {}

  place(size: number): LayerTarget {
    const { offsets, end } = layerPlaces([size], this.end);
    this.end = end;
    const offset = offsets[0] as number;
    this.placed.push({ file: this.readFrom, offset, size });
    return { file: this.file, label: this.label, offset, size };
  }

  written(): void {}

  last() {
    // Its header is one block, as it may not reach 8 GiB.
    const offset = this.end + BLOCK;
    const overflow = `the customisation layer is larger than ${formatBytes(MAX_LAST_LAYER)}; put large files in store paths instead`;
    const sink = RangeSink.open({ file: this.file, label: this.label, offset, size: MAX_LAST_LAYER, overflow });
    return Promise.resolve({
      sink,
      placed: (layer: { size: number }) => {
        this.placed.push({ file: this.readFrom, offset, size: layer.size });
        return Promise.resolve(this.placed[this.placed.length - 1]);
      },
    });
  }

  bytes(index: number): FileRange | undefined {
    return this.placed[index];
  }
}
