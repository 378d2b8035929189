/**
 * Nix's base-32: its own alphabet (no e, o, u, t) and its own bit order
 * (the last character holds the lowest bits of the first byte), as store
 * path hashes and `sha256:` NAR hashes in narinfos are written.
 */
const ALPHABET = '0123456789abcdfghijklmnpqrsvwxyz';
const VALUE = new Map([...ALPHABET].map((c, i) => [c, i]));

/** The characters `bytes` bytes take. */
export function nix32Length(bytes: number): number {
  return Math.ceil((bytes * 8) / 5);
}

export function toNix32(bytes: Uint8Array): string {
  let out = '';
  for (let n = nix32Length(bytes.length) - 1; n >= 0; n--) {
    const b = n * 5;
    const i = Math.floor(b / 8);
    const j = b % 8;
    const c = ((bytes[i] ?? 0) >> j) | (i + 1 < bytes.length ? (bytes[i + 1] ?? 0) << (8 - j) : 0);
    out += ALPHABET[c & 0x1f] as string;
  }
  return out;
}

/** The bytes of a base-32 text of `size` bytes; undefined when it is not one. */
export function fromNix32(text: string, size: number): Buffer | undefined {
  if (text.length !== nix32Length(size)) return undefined;
  const out = Buffer.alloc(size);
  for (let n = 0; n < text.length; n++) {
    const digit = VALUE.get(text[text.length - n - 1] as string);
    if (digit === undefined) return undefined;
    const b = n * 5;
    const i = Math.floor(b / 8);
    const j = b % 8;
    out[i] = (out[i] as number) | ((digit << j) & 0xff);
    const carry = digit >> (8 - j);
    if (i + 1 < size) out[i + 1] = (out[i + 1] as number) | carry;
    else if (carry !== 0) return undefined;
  }
  return out;
}
