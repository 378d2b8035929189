import { closeSync, openSync, readSync } from 'node:fs';
import { BLOCK } from '../layer/tar-header.js';

/**
 * Walks the members of a cached store layer, strictly. The cache only ever
 * holds what our writer wrote — ustar headers, PAX records for long or
 * non-ASCII fields, files, directories and symlinks — so anything else is
 * refused rather than interpreted: a lenient reader could be shown a member
 * that the container runtime's own tar reader would see differently.
 * Returns the member names, or the reason the layer is not one of ours.
 */
export function scanLayerMembers(file: string, size: number): { names: { name: string; type: string }[] } | { bad: string } {
  const fd = openSync(file, 'r');
  try {
    const names: { name: string; type: string }[] = [];
    const block = Buffer.alloc(BLOCK);
    let pos = 0;
    let pax: Map<string, string> | undefined;
    for (;;) {
      if (pos + BLOCK > size) return { bad: 'it ends inside a tar header' };
      readExactly(fd, block, pos);
      if (block.every((b) => b === 0)) {
        if (pax !== undefined) return { bad: 'it ends after a PAX header' };
        return { names };
      }
      const header = parseHeader(block);
      if (typeof header === 'string') return { bad: header };
      const dataBlocks = Math.ceil(header.size / BLOCK) * BLOCK;
      if (pos + BLOCK + dataBlocks > size) return { bad: 'a member runs past its end' };
      if (header.type === 'x') {
        if (pax !== undefined) return { bad: 'it has two PAX headers in a row' };
        if (header.size > 1 << 20) return { bad: 'it has an oversized PAX header' };
        const records = Buffer.alloc(header.size);
        readExactly(fd, records, pos + BLOCK);
        const parsed = parsePax(records);
        if (typeof parsed === 'string') return { bad: parsed };
        pax = parsed;
      } else {
        const name = pax?.get('path') ?? header.name;
        const memberSize = pax?.has('size') ? Number(pax.get('size')) : header.size;
        if (memberSize !== header.size && header.size !== 0) return { bad: `${name} has two sizes` };
        if (header.type !== 'file' && memberSize !== 0) return { bad: `${name} is a ${header.type} with content` };
        names.push({ name, type: header.type });
        pax = undefined;
        pos += BLOCK + Math.ceil(memberSize / BLOCK) * BLOCK;
        continue;
      }
      pos += BLOCK + dataBlocks;
    }
  } finally {
    closeSync(fd);
  }
}

const TYPES: Record<number, string> = { 0x30: 'file', 0x35: 'directory', 0x32: 'symlink', 0x78: 'x' };
const PAX_KEYS = new Set(['path', 'linkpath', 'uname', 'gname', 'uid', 'gid', 'size', 'mtime']);

function parseHeader(b: Buffer): { name: string; type: string; size: number } | string {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (b[i] as number);
  if (octal(b, 148, 8) !== sum) return 'a tar header has a wrong checksum';
  if (b.toString('latin1', 257, 265) !== 'ustar\u000000') return 'a tar header is not ustar';
  const type = TYPES[b[156] as number];
  if (type === undefined) return `it holds an entry of type ${JSON.stringify(String.fromCharCode(b[156] as number))}`;
  if (b.subarray(345, 500).some((x) => x !== 0)) return 'a tar header uses the ustar name prefix';
  const size = octal(b, 124, 12);
  if (Number.isNaN(size)) return 'a tar header has an unreadable size';
  const end = b.indexOf(0, 0);
  const name = b.toString('utf8', 0, end === -1 || end > 100 ? 100 : end);
  return { name, type, size };
}

function octal(b: Buffer, offset: number, length: number): number {
  const text = b.toString('latin1', offset, offset + length).replace(/[\0 ]+$/, '');
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : NaN;
}

function parsePax(records: Buffer): Map<string, string> | string {
  const out = new Map<string, string>();
  let pos = 0;
  while (pos < records.length) {
    const space = records.indexOf(0x20, pos);
    if (space === -1) return 'a PAX record is malformed';
    const length = Number(records.toString('latin1', pos, space));
    if (!Number.isSafeInteger(length) || length <= 0 || pos + length > records.length || records[pos + length - 1] !== 0x0a) {
      return 'a PAX record is malformed';
    }
    const record = records.toString('utf8', space + 1, pos + length - 1);
    const eq = record.indexOf('=');
    const key = record.slice(0, eq);
    if (eq === -1 || !PAX_KEYS.has(key)) return `it has a PAX record we never write (${JSON.stringify(key)})`;
    out.set(key, record.slice(eq + 1));
    pos += length;
  }
  return out;
}

function readExactly(fd: number, buf: Buffer, position: number): void {
  let done = 0;
  while (done < buf.length) {
    const n = readSync(fd, buf, done, buf.length - done, position + done);
    if (n === 0) throw new Error('unexpected end of file');
    done += n;
  }
}
