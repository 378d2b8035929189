import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { digestHex } from '../digest.js';
import type { Layer } from '../layer/layer.js';
import { encodeHeader, endOfArchive, padding, type TarSettings } from '../layer/tar-header.js';
import { configDigest, dockerManifestJson } from './config.js';
import type { ImageParts, ImageSink } from './sink.js';

// Fixed metadata for the archive's own members: nothing here may depend on
// the machine, the clock or the umask.
const MEMBER: TarSettings = { mtime: 1, uid: 0, gid: 0, uname: '', gname: '' };
const CHUNK = 8 << 20;

/**
 * A docker-archive (what `docker save` makes and `docker load`, `podman load`
 * and `skopeo copy docker-archive:` read) in a new file: each layer as
 * `<diff_id hex>/layer.tar`, then the config, then `manifest.json`, as
 * nixpkgs' stream_layered_image.py orders them.
 *
 * The archive's headers come from the same encoder as the layers, and a
 * layer kept in a file is copied with large synchronous reads and writes:
 * from the page cache that runs near the speed of `cat`, where a stream
 * pipeline through a tar packer took several times as long.
 */
export function dockerArchiveSink(file: string, opts: { onBytes?: (n: number) => void } = {}): ImageSink {
  return { write: (parts) => writeDockerArchive(file, parts, opts.onBytes ?? (() => {})) };
}

async function writeDockerArchive(file: string, parts: ImageParts, onBytes: (n: number) => void): Promise<void> {
  const fd = openSync(file, 'wx', 0o644);
  let offset = 0;
  const put = (bytes: Buffer) => {
    writeAll(fd, bytes);
    offset += bytes.length;
  };
  const member = (name: string, size: number) => put(encodeHeader({ name, type: 'file', mode: 0o644, size, linkname: '' }, MEMBER));
  try {
    const layerFiles: string[] = [];
    for (const layer of parts.layers) {
      const name = `${digestHex(layer.digest)}/layer.tar`;
      layerFiles.push(name);
      member(name, layer.size);
      const copied = layer.file !== undefined ? await copyFile(layer.file, fd, onBytes) : await copyStream(layer, fd, onBytes);
      if (copied !== layer.size) throw new Error(`layer ${name} has ${copied} bytes, expected ${layer.size}`);
      offset += copied;
      put(Buffer.alloc(padding(copied)));
    }
    const configName = `${digestHex(configDigest(parts.configJson))}.json`;
    const manifest = dockerManifestJson(configName, parts.repoTag, layerFiles);
    for (const [name, bytes] of [[configName, parts.configJson], ['manifest.json', manifest]] as const) {
      member(name, bytes.length);
      put(bytes);
      put(Buffer.alloc(padding(bytes.length)));
    }
    put(endOfArchive(offset));
  } finally {
    closeSync(fd);
  }
}

async function copyFile(source: string, fd: number, onBytes: (n: number) => void): Promise<number> {
  const from = openSync(source, 'r');
  const buf = Buffer.allocUnsafe(CHUNK);
  let total = 0;
  try {
    for (;;) {
      const n = readSync(from, buf, 0, CHUNK, null);
      if (n === 0) return total;
      writeAll(fd, buf.subarray(0, n));
      total += n;
      onBytes(n);
      // Let timers (progress) and background cache saves run between chunks.
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    closeSync(from);
  }
}

async function copyStream(layer: Layer, fd: number, onBytes: (n: number) => void): Promise<number> {
  let total = 0;
  for await (const chunk of layer.open()) {
    const bytes = chunk as Buffer;
    writeAll(fd, bytes);
    total += bytes.length;
    onBytes(bytes.length);
  }
  return total;
}

function writeAll(fd: number, bytes: Buffer): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}
