import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { digestHex, sha256Digest } from '../digest.js';
import { dockerManifestJson } from './config.js';
import type { ImageParts, ImageSink } from './sink.js';

// Fixed metadata for the archive's own members: nothing here may depend on
// the machine, the clock or the umask.
const MEMBER = { mtime: new Date(1000), mode: 0o644, uid: 0, gid: 0, uname: '', gname: '' } as const;

/**
 * A docker-archive (what `docker save` makes and `docker load`, `podman load`
 * and `skopeo copy docker-archive:` read) in a new file: each layer as
 * `<diff_id hex>/layer.tar`, then the config, then `manifest.json`, as
 * nixpkgs' stream_layered_image.py orders them.
 */
export function dockerArchiveSink(file: string): ImageSink {
  return { write: (parts) => writeDockerArchive(file, parts) };
}

async function writeDockerArchive(file: string, parts: ImageParts): Promise<void> {
  const pack = tar.pack();
  const out = createWriteStream(file, { flags: 'wx', mode: 0o644, highWaterMark: 1 << 20 });
  // Whichever fails first, writing or feeding, fails the whole and the
  // pipeline destroys both ends so the file can be removed.
  const writing = pipeline(pack, out);
  const feeding = (async () => {
    const layerFiles: string[] = [];
    for (const layer of parts.layers) {
      const name = `${digestHex(layer.digest)}/layer.tar`;
      layerFiles.push(name);
      await addStream(pack, name, layer.size, layer.open());
    }
    const configName = `${digestHex(sha256Digest(parts.configJson))}.json`;
    await addBytes(pack, configName, parts.configJson);
    await addBytes(pack, 'manifest.json', dockerManifestJson(configName, parts.repoTag, layerFiles));
    pack.finalize();
  })();
  try {
    await Promise.all([writing, feeding]);
  } catch (e) {
    pack.destroy();
    out.destroy();
    feeding.catch(() => {});
    writing.catch(() => {});
    throw e;
  }
}

function addBytes(pack: tar.Pack, name: string, bytes: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry({ ...MEMBER, name, size: bytes.length }, bytes, (err) => (err ? reject(err) : resolve()));
  });
}

async function addStream(pack: tar.Pack, name: string, size: number, source: AsyncIterable<Buffer>): Promise<void> {
  let written = 0;
  const finished = new Promise<void>((resolve, reject) => {
    const entry = pack.entry({ ...MEMBER, name, size }, (err) => (err ? reject(err) : resolve()));
    entry.on('error', reject);
    void (async () => {
      for await (const chunk of source) {
        written += chunk.length;
        if (!entry.write(chunk)) await once(entry, 'drain');
      }
      if (written !== size) throw new Error(`layer ${name} has ${written} bytes, expected ${size}`);
      entry.end(null);
    })().catch((e: unknown) => {
      const error = e instanceof Error ? e : new Error(String(e));
      entry.destroy(error);
      reject(error);
    });
  });
  await finished;
}
