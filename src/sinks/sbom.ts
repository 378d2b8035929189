import { rename, writeFile } from 'node:fs/promises';
import { asUserError } from '../errors.js';
import type { Image } from '../image/image.js';
import { input } from '../inputs/marker.js';
import { pushedSubject, sbomText } from '../sbom/document.js';
import { releaseOutput, reserveOutput, type OutputPath } from './output-path.js';
import type { Sink, SinkContext, SinkReport } from './sink.js';

/**
 * The image's SBOM file: a CycloneDX document of its store paths, written
 * after the image's other outputs so that a push's manifest is its subject
 * (the push attaches the same bytes to it). It needs nothing of the layers.
 */
export class SbomSink implements Sink {
  readonly needs = { uncompressed: 'none', blobs: 'none' } as const;
  private out: OutputPath | undefined;

  constructor(private readonly file: string) {}

  async prepare(): Promise<void> {
    this.out = await reserveOutput(this.file, 'file', 'sbom');
  }

  async write(image: Image, ctx: SinkContext): Promise<SinkReport> {
    const out = this.out;
    if (out === undefined) throw new Error('the SBOM output was not prepared');
    const subject = pushedSubject(ctx.earlier?.find((r) => r.pushed !== undefined)?.pushed);
    const text = await sbomText(image, subject, ctx.storePaths);
    const failed = (e: unknown) => asUserError(e, `cannot write ${input('sbom')} ${this.file}`);
    await writeFile(out.tmp, text, { flag: 'wx', mode: 0o644 }).catch(failed);
    await rename(out.tmp, out.target).catch(failed);
    ctx.log.info(`${this.file}: CycloneDX 1.6 SBOM of ${image.layers.flatMap((l) => l.paths).length} store paths${subject.manifestDigest === undefined ? '' : `, of ${subject.manifestDigest}`}`);
    return { sbom: this.file };
  }

  dispose(): Promise<void> {
    return releaseOutput(this.out);
  }
}
