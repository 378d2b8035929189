import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { type Digest, sha256Digest } from '../../src/digest.js';
import { OCI_MANIFEST } from '../../src/registry/client.js';

/**
 * Everything the client said: error messages and log lines, kept to check
 * at the end of a file that no secret is in any of them.
 */
export class Said {
  readonly lines: string[] = [];
  readonly log = (m: string): void => {
    this.lines.push(m);
  };

  /** The error `p` rejects with, kept. */
  async failure(p: Promise<unknown>): Promise<Error> {
    try {
      await p;
    } catch (e) {
      assert.ok(e instanceof Error, `not an Error: ${String(e)}`);
      this.lines.push(e.message);
      return e;
    }
    assert.fail('expected a failure');
  }

  assertNoSecret(secrets: readonly string[]): void {
    assert.ok(this.lines.length > 0, 'nothing was collected');
    for (const line of this.lines) {
      for (const secret of secrets) assert.ok(!line.includes(secret), `a secret is in: ${line.replace(secret, '<SECRET>')}`);
    }
  }
}

/** The forms a password can leak in: itself, and base64 of user:password. */
export function secretForms(user: string, password: string): string[] {
  return [password, Buffer.from(`${user}:${password}`).toString('base64')];
}

export interface Blob {
  digest: Digest;
  size: number;
  bytes: Buffer;
}

export function blob(bytes: Buffer | string): Blob {
  const b = Buffer.from(bytes);
  return { digest: sha256Digest(b), size: b.length, bytes: b };
}

/** Distinct bytes, so each test's blob is new to the registry. */
export function randomBlob(size: number, seed: string): Blob {
  const out = Buffer.alloc(size);
  let x = 0;
  for (const c of seed) x = (x * 31 + c.charCodeAt(0)) >>> 0;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return blob(out);
}

export interface TestImage {
  config: Blob;
  layer: Blob;
  manifest: Buffer;
  manifestDigest: Digest;
  /** The one file in the layer. */
  file: { name: string; content: string };
}

/** A small OCI image: one gzip layer holding one file, its config, and the manifest. */
export async function testImage(content: string): Promise<TestImage> {
  const file = { name: 'hello.txt', content };
  const pack = tar.pack();
  pack.entry({ name: file.name, mode: 0o644, mtime: new Date(0) }, content);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  const tarBytes = Buffer.concat(chunks);
  const layer = blob(gzipSync(tarBytes));
  const config = blob(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: ['/bin/true'] },
      rootfs: { type: 'layers', diff_ids: [sha256Digest(tarBytes)] },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: config.size },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layer.digest, size: layer.size }],
    }),
  );
  return { config, layer, manifest, manifestDigest: sha256Digest(manifest), file };
}
