import { lstat, open, realpath, rm, stat, unlink } from 'node:fs/promises';
import path, { dirname } from 'node:path';
import { UserError, errnoCode } from '../errors.js';
import type { Image } from '../image/image.js';
import { input } from '../inputs/marker.js';
import { formatBytes } from '../log.js';
import { unplacedNote, type AnnotationLevel } from '../image/annotations.js';
import type { SinkContext, SinkReport } from './sink.js';
import { trackTemporary, untrackTemporary } from '../util/temp.js';
import { outputTempName } from '../util/work-folder.js';

/** A local image's place: `target` once complete, `tmp` (a file, or a folder for a layout) until then. */
export interface OutputPath {
  /** As the user gave it, for messages. */
  path: string;
  target: string;
  tmp: string;
}

/**
 * Checks that the output can be written before any work is done, and keeps
 * a temporary name beside it: the image appears under its real name only
 * once complete, and an existing one there is untouched until then. Only a
 * regular file (or a link to one, which is followed) is ever replaced by an
 * archive; a folder is checked by `checkFolder`.
 */
export async function reserveOutput(output: string, kind: 'file' | { checkFolder: (dir: string) => Promise<void> }, what: 'output' | 'sbom' = 'output'): Promise<OutputPath> {
  let target = output;
  const st = await stat(output).catch(() => undefined);
  if (kind !== 'file') {
    await kind.checkFolder(output);
    if (st !== undefined) target = await realpath(output);
  } else if (st !== undefined) {
    if (st.isDirectory()) throw new UserError(`${input(what)} ${output} is a directory`);
    if (!st.isFile()) throw new UserError(`${input(what)} ${output} exists and is not a regular file; it is left alone`);
    target = await realpath(output);
  }
  if (st === undefined && (await lstat(output).catch(() => undefined))?.isSymbolicLink()) {
    throw new UserError(`${input(what)} ${output} is a symlink to nothing`);
  }
  const tmp = outputTempName(path.dirname(target));
  try {
    await (await open(tmp, 'wx', 0o644)).close();
    await unlink(tmp);
  } catch (e) {
    throw new UserError(`${input(what)} ${output} cannot be written: ${errnoCode(e) ?? String(e)}`);
  }
  trackTemporary(tmp);
  return { path: output, target, tmp };
}

/** Removes whatever is left under the temporary name. */
export async function releaseOutput(out: OutputPath | undefined): Promise<void> {
  if (out === undefined) return;
  await rm(out.tmp, { recursive: true, force: true }).catch(() => {});
  untrackTemporary(out.tmp);
}

/**
 * An output written under a temporary name beside its place and renamed
 * into it once complete: a docker-archive file, an OCI layout folder.
 */
export abstract class LocalOutputSink {
  private out: OutputPath | undefined;

  constructor(
    protected readonly path: string,
    private readonly kind: Parameters<typeof reserveOutput>[1],
  ) {}

  /** The format's name, for the log. */
  protected abstract readonly format: string;
  /** The annotation levels the format has a place for. */
  protected abstract readonly annotationLevels: readonly AnnotationLevel[];

  /** Writes the image at `out.tmp` and puts it in place at `out.target`; returns its bytes. */
  protected abstract writeTo(out: OutputPath, image: Image, ctx: SinkContext): Promise<number>;

  async prepare(): Promise<void> {
    this.out = await reserveOutput(this.path, this.kind);
  }

  folder(): string {
    return dirname(this.reserved().target);
  }

  write(image: Image, ctx: SinkContext): Promise<SinkReport> {
    return ctx.log.group('Write image', async () => {
      const size = await this.writeTo(this.reserved(), image, ctx);
      ctx.log.info(`${this.path}: ${this.format} ${image.repositories.map((r) => `${r.name}:${r.tags.join(', ')}`).join('; ')}, ${image.layers.length} layers, ${formatBytes(size)}`);
      const note = unplacedNote(image.annotations, this.annotationLevels, this.format === 'oci' ? 'an OCI layout' : `a ${this.format}`);
      if (note !== undefined) ctx.log.info(note);
      return { path: this.path, size };
    });
  }

  dispose(): Promise<void> {
    return releaseOutput(this.out);
  }

  protected reserved(): OutputPath {
    if (this.out === undefined) throw new Error(`the ${this.format} output was not prepared`);
    return this.out;
  }
}
