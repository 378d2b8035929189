import { BLOCK, checksumMatches, readOctal, readText, ZERO_BLOCK } from '../layer/tar-header.js';

/** A member as the scanner saw it; `check` may refuse it. */
export interface ScannedMember {
  name: string;
  type: string;
}

/**
 * Walks the members of a cached store layer, strictly, from the chunks it
 * is fed as its blob is decompressed: the blob is read once, for hashing,
 * decompressing and scanning together. The cache only ever holds what our writer
 * wrote — ustar headers, PAX records for long or non-ASCII fields, files,
 * directories and symlinks, zeros after the end — so anything else is
 * refused rather than interpreted: a lenient reader could be shown a member
 * that the container runtime's own tar reader would see differently.
 */
export class LayerScanner {
  /** Bytes of the layer consumed so far. */
  private offset = 0;
  /** What the next bytes are. */
  private state: 'header' | 'pax' | 'skip' | 'zeros' = 'header';
  private readonly block = Buffer.alloc(BLOCK);
  private fill = 0;
  private paxRecords = Buffer.alloc(0);
  private pax: Map<string, string> | undefined;
  /** Bytes of content (and padding) still to pass over. */
  private left = 0;
  private bad: string | undefined;

  constructor(
    /** The layer's size, known before its bytes are: for bounds checks. */
    private readonly size: number,
    /** Returns why a member may not be in this layer, if it may not. */
    private readonly check: (member: ScannedMember) => string | undefined,
  ) {}

  /** The reason the layer is refused, once one is known. */
  get refused(): string | undefined {
    return this.bad;
  }

  feed(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length && this.bad === undefined) {
      switch (this.state) {
        case 'skip': {
          const n = Math.min(this.left, chunk.length - i);
          i += n;
          this.offset += n;
          this.left -= n;
          if (this.left === 0) this.state = 'header';
          break;
        }
        case 'header':
        case 'pax': {
          const into = this.state === 'header' ? this.block : this.paxRecords;
          const n = chunk.copy(into, this.fill, i, i + into.length - this.fill);
          i += n;
          this.offset += n;
          this.fill += n;
          if (this.fill === into.length) {
            this.fill = 0;
            if (this.state === 'header') this.header();
            else this.records();
          }
          break;
        }
        case 'zeros': {
          const rest = chunk.subarray(i);
          if (!isZero(rest)) this.bad = 'it has data after its end';
          i = chunk.length;
          this.offset += rest.length;
          break;
        }
      }
    }
  }

  /** Call after the last chunk: the reason to refuse the layer, if any. */
  end(): string | undefined {
    if (this.bad === undefined && this.state !== 'zeros') {
      this.bad = this.state === 'header' && this.fill === 0 ? 'it ends before its end-of-archive block' : 'it ends inside a tar member';
    }
    return this.bad;
  }

  private header(): void {
    const start = this.offset - BLOCK;
    if (this.block.equals(ZERO_BLOCK)) {
      if (this.pax !== undefined) this.bad = 'it ends after a PAX header';
      this.state = 'zeros';
      return;
    }
    const header = parseHeader(this.block);
    if (typeof header === 'string') {
      this.bad = header;
      return;
    }
    const dataBlocks = Math.ceil(header.size / BLOCK) * BLOCK;
    if (start + BLOCK + dataBlocks > this.size) {
      this.bad = 'a member runs past its end';
      return;
    }
    if (header.type === 'x') {
      if (this.pax !== undefined) this.bad = 'it has two PAX headers in a row';
      else if (header.size > 1 << 20) this.bad = 'it has an oversized PAX header';
      else if (header.size === 0) this.bad = 'a PAX header is empty';
      else {
        this.paxRecords = Buffer.alloc(header.size);
        this.left = dataBlocks - header.size;
        this.state = 'pax';
      }
      return;
    }
    const pax = this.pax;
    this.pax = undefined;
    const name = pax?.get('path') ?? header.name;
    const memberSize = pax?.has('size') ? Number(pax.get('size')) : header.size;
    if (memberSize !== header.size && header.size !== 0) {
      this.bad = `${name} has two sizes`;
      return;
    }
    if (header.type !== 'file' && memberSize !== 0) {
      this.bad = `${name} is a ${header.type} with content`;
      return;
    }
    if (start + BLOCK + Math.ceil(memberSize / BLOCK) * BLOCK > this.size) {
      this.bad = 'a member runs past its end';
      return;
    }
    this.bad = this.check({ name, type: header.type });
    this.left = Math.ceil(memberSize / BLOCK) * BLOCK;
    this.state = this.left > 0 ? 'skip' : 'header';
  }

  private records(): void {
    const parsed = parsePax(this.paxRecords);
    if (typeof parsed === 'string') {
      this.bad = parsed;
      return;
    }
    this.pax = parsed;
    this.state = this.left > 0 ? 'skip' : 'header';
  }
}

// Byte-wise JS loops over every header were a tenth of a warm build's time.
function isZero(bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i += BLOCK) {
    const part = bytes.subarray(i, i + BLOCK);
    if (!part.equals(ZERO_BLOCK.subarray(0, part.length))) return false;
  }
  return true;
}

const TYPES: Record<number, string> = { 0x30: 'file', 0x35: 'directory', 0x32: 'symlink', 0x78: 'x' };
const PAX_KEYS = new Set(['path', 'linkpath', 'uname', 'gname', 'uid', 'gid', 'size', 'mtime']);
const NUMERIC_PAX_KEYS = new Set(['uid', 'gid', 'size', 'mtime']);

function parseHeader(b: Buffer): { name: string; type: string; size: number } | string {
  if (!checksumMatches(b)) return 'a tar header has a wrong checksum';
  if (b.toString('latin1', 257, 265) !== 'ustar\u000000') return 'a tar header is not ustar';
  const type = TYPES[b[156] as number];
  if (type === undefined) return `it holds an entry of type ${JSON.stringify(String.fromCharCode(b[156] as number))}`;
  if (!isZero(b.subarray(345, 500))) return 'a tar header uses the ustar name prefix';
  const size = readOctal(b, 124, 12);
  if (Number.isNaN(size)) return 'a tar header has an unreadable size';
  for (const [offset, length] of [[100, 8], [108, 8], [116, 8], [136, 12]] as const) {
    if (Number.isNaN(readOctal(b, offset, length))) return 'a tar header has an unreadable mode, owner or time';
  }
  return { name: readText(b, 0, 100), type, size };
}

function parsePax(records: Buffer): Map<string, string> | string {
  const out = new Map<string, string>();
  let pos = 0;
  while (pos < records.length) {
    const space = records.indexOf(0x20, pos);
    if (space === -1) return 'a PAX record is malformed';
    // As strict as Go's archive/tar (what docker and podman read with), or
    // stricter: a record it refuses would make an image that does not load.
    const digits = records.toString('latin1', pos, space);
    const length = /^[1-9][0-9]*$/.test(digits) ? Number(digits) : NaN;
    if (!Number.isSafeInteger(length) || pos + length > records.length || records[pos + length - 1] !== 0x0a) {
      return 'a PAX record is malformed';
    }
    const record = records.toString('utf8', space + 1, pos + length - 1);
    const eq = record.indexOf('=');
    const key = record.slice(0, eq);
    if (eq === -1 || !PAX_KEYS.has(key)) return `it has a PAX record we never write (${JSON.stringify(key)})`;
    const value = record.slice(eq + 1);
    if (value.includes('\0')) return `its PAX ${key} holds a NUL`;
    if (NUMERIC_PAX_KEYS.has(key) && !(/^[0-9]+$/.test(value) && Number.isSafeInteger(Number(value)))) return `its PAX ${key} is not a whole number`;
    out.set(key, value);
    pos += length;
  }
  return out;
}
