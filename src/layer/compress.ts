import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import type { Digest } from '../digest.js';
import { UserError, asUserError } from '../errors.js';
import { input } from '../inputs/marker.js';

export const COMPRESSIONS = ['gzip', 'zstd', 'none'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

/**
 * gzip level 1 packs at about twice the speed of level 6 on these machines
 * (107 against 51 MB/s a core) for a blob 10% larger; compressing is most
 * of a cold push, and every later push reuses the blob.
 */
export const GZIP_LEVEL = 1;
export const ZSTD_LEVEL = 3;

/** A byte range of a local file: where an uncompressed layer or a blob lies. */
export interface FileRange {
  file: string;
  offset: number;
  size: number;
}

type ZstdZlib = typeof zlib & { createZstdCompress?: (opts: { params: Record<number, number> }) => Transform; constants: { ZSTD_c_compressionLevel?: number } };

/** Node has zstd from 22.15 (and the Actions runtime, node24); not 20. */
export function zstdAvailable(): boolean {
  return typeof (zlib as ZstdZlib).createZstdCompress === 'function';
}

export function checkCompression(c: Compression): void {
  if (c === 'zstd' && !zstdAvailable()) {
    throw new UserError(`${input('compression')} "zstd" needs Node 22.15 or later (this is Node ${process.versions.node}); use gzip`);
  }
}

/** The layer media type for a compression, in the OCI or the Docker manifest format. */
export function layerMediaType(c: Compression, format: 'oci' | 'docker'): string {
  if (format === 'docker') {
    // options.ts refuses the pair; reaching here is a bug.
    if (c !== 'gzip') throw new Error(`Docker manifests take gzip layers only, not ${c}`);
    return 'application/vnd.docker.image.rootfs.diff.tar.gzip';
  }
  return c === 'none' ? 'application/vnd.oci.image.layer.v1.tar' : `application/vnd.oci.image.layer.v1.tar+${c}`;
}

/** The compression a layer media type names (OCI or Docker), if it is a layer type at all: layerMediaType's inverse. */
export function compressionOf(mediaType: string): Compression | undefined {
  if (mediaType === 'application/vnd.oci.image.layer.v1.tar+gzip' || mediaType === 'application/vnd.docker.image.rootfs.diff.tar.gzip') return 'gzip';
  if (mediaType === 'application/vnd.oci.image.layer.v1.tar+zstd') return 'zstd';
  if (mediaType === 'application/vnd.oci.image.layer.v1.tar' || mediaType === 'application/vnd.docker.image.rootfs.diff.tar') return 'none';
  return undefined;
}

function compressor(c: Exclude<Compression, 'none'>): Transform {
  // No flushes, so for one zlib the bytes depend on the input alone, not on
  // how it was chunked; zlib's gzip header carries no name and a zero time.
  if (c === 'gzip') return zlib.createGzip({ level: GZIP_LEVEL, chunkSize: 1 << 20 });
  const z = zlib as ZstdZlib;
  if (z.createZstdCompress === undefined || z.constants.ZSTD_c_compressionLevel === undefined) throw new UserError('zstd is not available in this Node');
  return z.createZstdCompress({ params: { [z.constants.ZSTD_c_compressionLevel]: ZSTD_LEVEL } });
}

/**
 * Compresses a range of a file (a layer in its place) into a new file,
 * streaming, and returns the compressed digest and size. Runs on a layer
 * worker, so compression of several layers uses every core.
 */
export async function compressRange(
  source: FileRange,
  c: Exclude<Compression, 'none'>,
  out: string,
  onBytes: (n: number) => void,
): Promise<{ digest: Digest; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  const input = createReadStream(source.file, { start: source.offset, end: source.offset + source.size - 1, highWaterMark: 1 << 20 });
  input.on('data', (chunk) => onBytes(chunk.length));
  try {
    await pipeline(input, compressor(c), counted, createWriteStream(out, { flags: 'wx', mode: 0o644 }));
  } catch (e) {
    asUserError(e, `cannot compress a layer into ${out}`);
  }
  return { digest: `sha256:${hash.digest('hex')}` as Digest, size };
}
