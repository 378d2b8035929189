import { closeSync, ftruncateSync, openSync } from 'node:fs';
import { digestHex } from '../digest.js';
import type { Layer } from '../layer/layer.js';
import { writeFully } from '../layer/sink.js';
import { asUserError } from '../errors.js';
import { BLOCK, encodeHeader, endOfArchive, headerSize, padding, type TarEntry, type TarSettings } from '../layer/tar-header.js';
import { configDigest, dockerManifestJson } from '../image/config.js';

// Fixed metadata for the archive's own members: nothing here may depend on
// the machine, the clock or the umask.
const MEMBER: TarSettings = { mtime: 1, uid: 0, gid: 0, uname: '', gname: '' };

/*
 * A docker-archive (what `docker save` makes and `docker load`, `podman load`
 * and `skopeo copy docker-archive:` read): each layer as
 * `<diff_id hex>/layer.tar`, then the config, then `manifest.json`, as
 * nixpkgs' stream_layered_image.py orders them.
 *
 * It is written out of order. A layer member's header has the same length
 * whatever its digest (the name is always 74 characters; only a size of
 * 8 GiB or more adds a PAX record), so once the layers' sizes are known
 * every layer has a fixed place: the layer workers write (or copy) each
 * layer straight into it, in parallel, and the headers, which name the
 * digests, are filled in last. No layer is written twice.
 */

const LAYER_MEMBER_NAME = `${'0'.repeat(64)}/layer.tar`;

function member(name: string, size: number): TarEntry {
  return { name, type: 'file', mode: 0o644, size, linkname: '' };
}

/** Bytes of a layer member's header: one block below 8 GiB. */
function layerHeaderSize(size: number): number {
  return headerSize(member(LAYER_MEMBER_NAME, size), MEMBER);
}

/** The largest layer whose place can be known before its size: the last one's. */
export const MAX_LAST_LAYER = 8 ** 11 - 1;

/**
 * Where each layer's bytes start, for layers of these sizes in image order
 * laid out from byte `from` (where the first one's header goes), and `end`,
 * where the member after them puts its header.
 */
export function layerPlaces(sizes: readonly number[], from = 0): { offsets: number[]; end: number } {
  const offsets: number[] = [];
  let at = from;
  for (const size of sizes) {
    offsets.push(at + layerHeaderSize(size));
    at += layerHeaderSize(size) + size + padding(size);
  }
  return { offsets, end: at };
}

/**
 * Completes an archive whose layer bytes are in place: the layer members'
 * headers, the config, the manifest and the end of the archive.
 */
export function finishDockerArchive(
  file: string,
  image: { layers: readonly Pick<Layer, 'digest' | 'size'>[]; configJson: Buffer; repoTags: readonly string[] },
  label = file,
): void {
  let fd: number;
  try {
    fd = openSync(file, 'r+');
  } catch (e) {
    return asUserError(e, `cannot write ${label}`);
  }
  try {
    const { offsets, end: layersEnd } = layerPlaces(image.layers.map((l) => l.size));
    const put = (bytes: Buffer, at: number) => writeFully(fd, label, bytes, at);
    // A header ends where its member's bytes start.
    const header = (name: string, size: number, at: number) => {
      const bytes = encodeHeader(member(name, size), MEMBER);
      put(bytes, at - bytes.length);
    };
    const layerFiles = image.layers.map((layer, i) => {
      const name = `${digestHex(layer.digest)}/layer.tar`;
      const at = offsets[i] as number;
      header(name, layer.size, at);
      put(Buffer.alloc(padding(layer.size)), at + layer.size);
      return name;
    });
    const configName = `${digestHex(configDigest(image.configJson))}.json`;
    const manifest = dockerManifestJson(configName, image.repoTags, layerFiles);
    let at = layersEnd + BLOCK;
    for (const [name, bytes] of [[configName, image.configJson], ['manifest.json', manifest]] as const) {
      header(name, bytes.length, at);
      put(Buffer.concat([bytes, Buffer.alloc(padding(bytes.length))]), at);
      at += bytes.length + padding(bytes.length) + BLOCK;
    }
    const end = at - BLOCK;
    const trailer = endOfArchive(end);
    put(trailer, end);
    // Layers placed again in smaller places leave bytes past the new end.
    ftruncateSync(fd, end + trailer.length);
  } finally {
    closeSync(fd);
  }
}

/**
 * A docker-archive written front to back, in one pass, to a stream that
 * cannot seek (standard output, for `| docker load`): layer members are
 * named by their place, as their digests are not known before they are
 * written, and the config and manifest.json come last, which `docker load`
 * and `podman load` accept. The caller writes each member's data to the
 * same descriptor between `begin` and `end`.
 */
export class ArchiveStream {
  private written = 0;

  constructor(
    readonly fd: number,
    private readonly label: string,
  ) {}

  begin(name: string, size: number): void {
    this.put(encodeHeader(member(name, size), MEMBER));
  }

  /** After a member's `size` bytes of data. */
  end(size: number): void {
    this.written += size;
    this.put(Buffer.alloc(padding(size)));
  }

  file(name: string, bytes: Buffer): void {
    this.begin(name, bytes.length);
    this.put(bytes);
    this.put(Buffer.alloc(padding(bytes.length)));
  }

  /** The config, manifest.json and the end of the archive. */
  finish(image: { configJson: Buffer; repoTags: readonly string[]; layerFiles: readonly string[] }): void {
    const configName = `${digestHex(configDigest(image.configJson))}.json`;
    this.file(configName, image.configJson);
    this.file('manifest.json', dockerManifestJson(configName, image.repoTags, image.layerFiles));
    this.put(endOfArchive(this.written));
  }

  private put(bytes: Buffer): void {
    writeFully(this.fd, this.label, bytes, null);
    this.written += bytes.length;
  }
}
