import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { UserError } from '../errors.js';
import path from 'node:path';
import { fromNix32, toNix32 } from './nix32.js';
import { isStorePath } from './store.js';

/** What a binary cache says of one store path (the Nix manual's `.narinfo`). */
export interface NarInfo {
  storePath: string;
  /** The NAR file, relative to the cache's URL. */
  url: string;
  compression: string;
  /** The uncompressed NAR's SHA-256, in hex. */
  narHash: string;
  narSize: number;
  /** Full store paths, self included where the path refers to itself. */
  references: string[];
  deriver: string | undefined;
  /** `NAME:BASE64` each. */
  sigs: string[];
}

/** Parses a narinfo; `where` names it in errors (the cache and path, never credentials). */
export function parseNarInfo(text: string, where: string): NarInfo {
  const fields = new Map<string, string>();
  const sigs: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const colon = line.indexOf(': ');
    if (colon < 0) throw new UserError(`${where}: "${line.slice(0, 80)}" is not a narinfo line`);
    const key = line.slice(0, colon);
    const value = line.slice(colon + 2);
    if (key === 'Sig') sigs.push(value);
    else fields.set(key, value);
  }
  const need = (key: string): string => {
    const v = fields.get(key);
    if (v === undefined || v === '') throw new UserError(`${where}: the narinfo has no ${key}`);
    return v;
  };
  const storePath = need('StorePath');
  const storeDir = path.dirname(storePath);
  if (!isStorePath(storePath, storeDir)) throw new UserError(`${where}: StorePath ${storePath} is not a store path`);
  const size = (key: string) => {
    const n = Number(need(key));
    if (!Number.isSafeInteger(n) || n < 0) throw new UserError(`${where}: ${key} ${fields.get(key) ?? ''} is not a size`);
    return n;
  };
  const refs = (fields.get('References') ?? '').split(' ').filter((r) => r !== '');
  const deriver = fields.get('Deriver');
  return {
    storePath,
    url: need('URL'),
    // The manual's default: a narinfo without Compression names a bzip2 NAR.
    compression: fields.get('Compression') ?? 'bzip2',
    narHash: hashHex(need('NarHash'), where),
    narSize: size('NarSize'),
    references: refs.map((r) => `${storeDir}/${r}`),
    // Not signed: kept only when it is a derivation's store path name.
    deriver: deriver !== undefined && deriver.endsWith('.drv') && isStorePath(`${storeDir}/${deriver}`, storeDir) ? `${storeDir}/${deriver}` : undefined,
    sigs,
  };
}

/** `sha256:` with 52 base-32, 64 hex or (SRI `sha256-`) base-64 characters, as hex. */
function hashHex(text: string, where: string): string {
  const sri = /^sha256-([A-Za-z0-9+/]{43}=)$/.exec(text);
  if (sri !== null) return Buffer.from(sri[1] as string, 'base64').toString('hex');
  const m = /^sha256:(.+)$/.exec(text);
  const body = m?.[1] ?? '';
  if (/^[0-9a-f]{64}$/.test(body)) return body;
  const bytes = fromNix32(body, 32);
  if (bytes === undefined) throw new UserError(`${where}: NarHash ${text} is not a SHA-256 hash`);
  return bytes.toString('hex');
}

/** What a cache's key signs: Nix's fingerprint of a path's NAR and references. */
export function fingerprint(info: Pick<NarInfo, 'storePath' | 'narHash' | 'narSize' | 'references'>): string {
  // Nix signs its references as a sorted set, whatever order a narinfo lists them in.
  return `1;${info.storePath};sha256:${toNix32(Buffer.from(info.narHash, 'hex'))};${info.narSize};${[...info.references].sort().join(',')}`;
}

/** Public keys by name, from `NAME:BASE64` as `trusted-public-keys` lists them. */
export type TrustedKeys = ReadonlyMap<string, KeyObject>;

/** Parses `trusted-public-keys` entries; a malformed one is named in the error. */
export function parseTrustedKeys(entries: readonly string[], what: string): TrustedKeys {
  const keys = new Map<string, KeyObject>();
  for (const entry of entries) {
    const colon = entry.indexOf(':');
    const raw = colon > 0 ? Buffer.from(entry.slice(colon + 1), 'base64') : Buffer.alloc(0);
    if (raw.length !== 32 || raw.toString('base64') !== entry.slice(colon + 1)) throw new UserError(`${what} "${entry}" is not NAME:KEY with a base64 ed25519 public key`);
    keys.set(entry.slice(0, colon), createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' }));
  }
  return keys;
}

/**
 * Whether a trusted key signed the narinfo: `signed`, or why not. A
 * signature by a key not trusted is not checked, as Nix does not.
 */
export function checkSignatures(info: NarInfo, keys: TrustedKeys): 'signed' | 'unsigned' | 'untrusted' | 'bad' {
  if (info.sigs.length === 0) return 'unsigned';
  const message = Buffer.from(fingerprint(info));
  let trustedSeen = false;
  for (const sig of info.sigs) {
    const colon = sig.indexOf(':');
    const key = colon > 0 ? keys.get(sig.slice(0, colon)) : undefined;
    if (key === undefined) continue;
    trustedSeen = true;
    const bytes = Buffer.from(sig.slice(colon + 1), 'base64');
    if (bytes.length === 64 && verify(null, message, key, bytes)) return 'signed';
  }
  return trustedSeen ? 'bad' : 'untrusted';
}
