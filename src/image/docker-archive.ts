import { closeSync, openSync } from 'node:fs';
import { digestHex } from '../digest.js';
import type { Layer } from '../layer/layer.js';
import { writeFully } from '../layer/sink.js';
import { BLOCK, encodeHeader, endOfArchive, padding, type TarSettings } from '../layer/tar-header.js';
import { configDigest, dockerManifestJson } from './config.js';

// Fixed metadata for the archive's own members: nothing here may depend on
// the machine, the clock or the umask.
const MEMBER: TarSettings = { mtime: 1, uid: 0, gid: 0, uname: '', gname: '' };

/*
 * A docker-archive (what `docker save` makes and `docker load`, `podman load`
 * and `skopeo copy docker-archive:` read): each layer as
 * `<diff_id hex>/layer.tar`, then the config, then `manifest.json`, as
 * nixpkgs' stream_layered_image.py orders them.
 *
 * It is written out of order. A layer member's header is one block whatever
 * its digest (the name is always 74 characters), so once the layers' sizes
 * are known every layer has a fixed place: the layer workers write (or copy)
 * each layer straight into it, in parallel, and the headers, which name the
 * digests, are filled in last. No layer is written twice.
 */

/**
 * Where each layer's bytes start, for layers of these sizes in image order
 * (the first at `first`), followed by where the next layer's would start.
 */
export function layerOffsets(sizes: readonly number[], first = BLOCK): number[] {
  const offsets = [first];
  for (const size of sizes) offsets.push((offsets[offsets.length - 1] as number) + size + padding(size) + BLOCK);
  return offsets;
}

/**
 * Completes an archive whose layer bytes are in place: the layer members'
 * headers, the config, the manifest and the end of the archive.
 */
export function finishDockerArchive(
  file: string,
  image: { layers: readonly Pick<Layer, 'digest' | 'size'>[]; configJson: Buffer; repoTag: string },
  label = file,
): void {
  const fd = openSync(file, 'r+');
  try {
    const offsets = layerOffsets(image.layers.map((l) => l.size));
    const put = (bytes: Buffer, at: number) => writeFully(fd, label, bytes, at);
    const member = (name: string, size: number, at: number) =>
      put(encodeHeader({ name, type: 'file', mode: 0o644, size, linkname: '' }, MEMBER), at - BLOCK);
    const layerFiles = image.layers.map((layer, i) => {
      const name = `${digestHex(layer.digest)}/layer.tar`;
      const at = offsets[i] as number;
      member(name, layer.size, at);
      put(Buffer.alloc(padding(layer.size)), at + layer.size);
      return name;
    });
    const configName = `${digestHex(configDigest(image.configJson))}.json`;
    const manifest = dockerManifestJson(configName, image.repoTag, layerFiles);
    let at = offsets[offsets.length - 1] as number;
    for (const [name, bytes] of [[configName, image.configJson], ['manifest.json', manifest]] as const) {
      member(name, bytes.length, at);
      put(Buffer.concat([bytes, Buffer.alloc(padding(bytes.length))]), at);
      at += bytes.length + padding(bytes.length) + BLOCK;
    }
    const end = at - BLOCK;
    put(endOfArchive(end), end);
  } finally {
    closeSync(fd);
  }
}
