import { createHash } from 'node:crypto';

declare const digestBrand: unique symbol;

/** A content digest in OCI form, `sha256:<64 hex>`, validated once. */
export type Digest = string & { readonly [digestBrand]: true };

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

export function parseDigest(s: string): Digest {
  if (!DIGEST_RE.test(s)) throw new Error(`not a sha256 digest: ${s}`);
  return s as Digest;
}

/** The hex part, as used for file names inside a docker-archive. */
export function digestHex(d: Digest): string {
  return d.slice('sha256:'.length);
}

export function sha256Digest(bytes: Uint8Array | string): Digest {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}` as Digest;
}
