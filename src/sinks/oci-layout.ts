import { constants, createReadStream, createWriteStream } from 'node:fs';
import { copyFile, link, lstat, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { digestHex, sha256Digest, type Digest } from '../digest.js';
import { UserError, asUserError, errnoCode } from '../errors.js';
import { layerMediaType, type Compression, type FileRange } from '../layer/compress.js';
import { mapLimit } from '../util/pool.js';
import { replaceDirectory } from '../util/replace-directory.js';
import { canonicalJson, tagsOf } from '../image/config.js';
import { layerAnnotations, type Image } from '../image/image.js';
import { imageManifest, INDEX_TYPES } from '../image/manifest.js';
import { annotationsAt } from '../image/annotations.js';
import { input } from '../inputs/marker.js';
import { LocalOutputSink, type OutputPath } from './output-path.js';
import type { Sink } from './sink.js';

const REF_NAME = 'org.opencontainers.image.ref.name';

/**
 * Writes the image as an OCI image layout (`oci-layout`, `index.json`,
 * `blobs/sha256/…`, compressed layers), as `skopeo copy oci:DIR:TAG` and
 * `umoci unpack` read it, one index entry per tag. It is made in `scratch`
 * (a new folder beside `dir`) and renamed into place, so a failed build
 * leaves an existing layout as it was. Compressed blobs made for this build
 * are hard-linked, not copied.
 */
export async function writeOciLayout(
  image: Image,
  opts: { dir: string; scratch: string; compression: Compression; concurrency: number },
): Promise<{ digest: Digest; size: number }> {
  const blobs = path.join(opts.scratch, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true }).catch((e: unknown) => asUserError(e, `cannot write ${input('output')} ${opts.dir}`));
  const put = (digest: Digest) => path.join(blobs, digestHex(digest));
  // Largest first, so the compression of a big layer never starts last.
  const order = image.layers.map((l, i) => i).sort((a, b) => (image.layers[b]?.size ?? 0) - (image.layers[a]?.size ?? 0) || a - b);
  const descriptors = new Array<{ mediaType: string; digest: Digest; size: number; annotations?: Record<string, string> }>(image.layers.length);
  await mapLimit(order, opts.concurrency, async (i) => {
    const layer = image.layers[i] as Image['layers'][number];
    const blob = await layer.compressed();
    if (blob.bytes === undefined) throw new Error(`layer ${i + 1} has no local bytes for an OCI layout`);
    await placeBlob(blob.bytes, blob.own === true, put(blob.digest), opts.dir);
    const annotations = layerAnnotations(layer);
    descriptors[i] = { mediaType: layerMediaType(opts.compression, 'oci'), digest: blob.digest, size: blob.size, ...(annotations === undefined ? {} : { annotations }) };
  });
  const configDigest = sha256Digest(image.configJson);
  const manifest = imageManifest('oci', { digest: configDigest, size: image.configJson.length }, descriptors, annotationsAt(image.annotations, 'manifest'));
  const indexAnnotations = annotationsAt(image.annotations, 'index');
  const index = {
    schemaVersion: 2,
    mediaType: INDEX_TYPES.oci,
    // The tag's ref.name over a user's: skopeo and umoci find the image by it.
    manifests: tagsOf(image).map((tag) => ({
      mediaType: manifest.mediaType,
      digest: manifest.digest,
      size: manifest.size,
      annotations: { ...image.annotations['manifest-descriptor'], [REF_NAME]: tag },
    })),
    ...(indexAnnotations === undefined ? {} : { annotations: indexAnnotations }),
  };
  const write = (file: string, bytes: Buffer | string) => writeFile(file, bytes, { flag: 'wx', mode: 0o644 }).catch((e: unknown) => asUserError(e, `cannot write ${input('output')} ${opts.dir}`));
  await write(put(configDigest), image.configJson);
  await write(put(manifest.digest), manifest.bytes);
  await write(path.join(opts.scratch, 'index.json'), canonicalJson(index));
  await write(path.join(opts.scratch, 'oci-layout'), canonicalJson({ imageLayoutVersion: '1.0.0' }));
  await replaceDirectory(opts.scratch, opts.dir);
  const blobBytes = [...new Map(descriptors.map((d) => [d.digest, d.size])).values()].reduce((a, b) => a + b, 0);
  const size = blobBytes + image.configJson.length + manifest.size + Buffer.byteLength(canonicalJson(index)) + Buffer.byteLength(canonicalJson({ imageLayoutVersion: '1.0.0' }));
  return { digest: manifest.digest, size };
}

/**
 * A whole file of this build's own is linked into the layout; any other
 * (a cache's entry, which a later build may find bad and replace in place)
 * is cloned where the file system can, else copied, so that the layout
 * never shares storage with a cache entry. A range (an uncompressed layer
 * in a larger file) is copied.
 */
async function placeBlob(bytes: FileRange, own: boolean, to: string, dir: string): Promise<void> {
  const whole = bytes.offset === 0 && (await stat(bytes.file)).size === bytes.size;
  try {
    if (whole) {
      const copy = () => copyFile(bytes.file, to, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
      if (!own) await copy();
      else {
        await link(bytes.file, to).catch((e: unknown) => {
          if (errnoCode(e) === 'EEXIST') throw e;
          return copy();
        });
      }
    } else {
      await pipeline(createReadStream(bytes.file, { start: bytes.offset, end: bytes.offset + bytes.size - 1 }), createWriteStream(to, { flags: 'wx', mode: 0o644 }));
    }
  } catch (e) {
    // Two layers with the same bytes share one blob.
    if (errnoCode(e) === 'EEXIST') return;
    asUserError(e, `cannot write ${input('output')} ${dir}`);
  }
}

/** Checks before any work that `dir` may be written: new, or an OCI layout (which is replaced). */
export async function checkLayoutTarget(dir: string): Promise<void> {
  const st = await lstat(dir).catch(() => undefined);
  if (st === undefined) return;
  if (!st.isDirectory()) throw new UserError(`${input('output')} ${dir} exists and is not a directory; an OCI layout is a directory`);
  const isLayout = await lstat(path.join(dir, 'oci-layout')).then(() => true, () => false);
  const empty = (await readdir(dir)).length === 0;
  if (!isLayout && !empty) throw new UserError(`${input('output')} ${dir} is a directory that is not an OCI layout; it is left alone`);
}

/** An OCI image layout folder: every layer's compressed blob, made or restored here. */
export class OciLayoutSink extends LocalOutputSink implements Sink {
  readonly needs = { uncompressed: 'none', blobs: 'all' } as const;
  protected readonly format = 'oci';
  /** Its index.json describes the manifest; nothing describes index.json. */
  protected readonly annotationLevels = ['manifest', 'index', 'manifest-descriptor'] as const;

  constructor(
    path: string,
    private readonly opts: { compression: Compression; concurrency: number },
  ) {
    super(path, { checkFolder: checkLayoutTarget });
  }

  protected async writeTo(out: OutputPath, image: Image): Promise<number> {
    // Twice the cores: placing a blob mostly waits on a compression or the disk.
    const layout = { dir: out.target, scratch: out.tmp, compression: this.opts.compression, concurrency: this.opts.concurrency * 2 };
    return (await writeOciLayout(image, layout)).size;
  }
}
