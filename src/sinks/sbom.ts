import { lstat, rename, writeFile } from 'node:fs/promises';
import { asUserError } from '../errors.js';
import type { Image } from '../image/image.js';
import { input } from '../inputs/marker.js';
import { queryClosure, type StorePathInfo } from '../nix/closure.js';
import { cycloneDx, type SbomPath, type SbomSubject } from '../sbom/cyclonedx.js';
import { derivedFacts } from '../sbom/deriver.js';
import { mapLimit } from '../util/pool.js';
import { version } from '../version.js';
import { releaseOutput, reserveOutput, type OutputPath } from './output-path.js';
import type { Sink, SinkContext, SinkReport } from './sink.js';

/** Derivers read at once: small files, mostly waiting on the disk. */
const READS = 8;

/**
 * The image's SBOM: a CycloneDX document of its store paths, written after
 * the image's other outputs so that a push's manifest digest is its subject.
 * It needs nothing of the layers' bytes.
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
    const pushed = ctx.earlier?.find((r) => r.pushed !== undefined)?.pushed;
    const subject: SbomSubject = pushed === undefined ? {} : { manifestDigest: pushed.digest, repository: pushed.refs[0]?.replace(/[:@][^/]*$/, '') };
    const paths = await describePaths(image);
    const text = cycloneDx(image, paths, subject, version());
    await writeFile(out.tmp, text, { flag: 'wx', mode: 0o644 }).catch((e: unknown) => asUserError(e, `cannot write ${input('sbom')} ${this.file}`));
    await rename(out.tmp, out.target).catch((e: unknown) => asUserError(e, `cannot write ${input('sbom')} ${this.file}`));
    ctx.log.info(`${this.file}: CycloneDX 1.6 SBOM, ${paths.size} store paths${subject.manifestDigest === undefined ? '' : `, of ${subject.manifestDigest}`}`);
    return { sbom: this.file };
  }

  dispose(): Promise<void> {
    return releaseOutput(this.out);
  }
}

/** Every store path of the image's own layers, with the store's facts of it and, where present, its deriver's. */
async function describePaths(image: Image): Promise<Map<string, SbomPath>> {
  const storePaths = [...new Set(image.layers.flatMap((l) => l.paths))].sort();
  const closure = await queryClosure(storePaths);
  const described = await mapLimit(storePaths, READS, async (p): Promise<[string, SbomPath]> => {
    const info = closure.paths.get(p) as StorePathInfo;
    const isFile = (await lstat(p).catch(() => undefined))?.isFile() ?? false;
    const derived = info.deriver === undefined ? undefined : await derivedFacts(info.deriver);
    return [p, { info, isFile, ...(derived === undefined ? {} : { derived }) }];
  });
  return new Map(described);
}
