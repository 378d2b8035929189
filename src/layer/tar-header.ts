/**
 * Tar headers byte-for-byte as Python's `tarfile` writes them in its default
 * PAX format, which is what nixpkgs' stream_layered_image.py produces. Only
 * the few entry kinds of a Nix store exist here: files, directories, symlinks.
 */
export type EntryType = 'file' | 'directory' | 'symlink';

/** Ownership and time applied to every member of a layer. */
export interface TarSettings {
  mtime: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
}

export const DEFAULT_TAR_SETTINGS: Readonly<TarSettings> = Object.freeze({
  mtime: 1,
  uid: 0,
  gid: 0,
  uname: 'root',
  gname: 'root',
});

export interface TarEntry {
  /** Member name; a directory's gets a trailing `/` here, as tarfile adds one. */
  name: string;
  type: EntryType;
  mode: number;
  size: number;
  linkname: string;
}

export const BLOCK = 512;
/** tarfile pads the whole archive to 20 blocks. */
export const RECORD = 20 * BLOCK;

const TYPEFLAG: Record<EntryType | 'pax', number> = {
  file: 0x30, // '0'
  directory: 0x35, // '5'
  symlink: 0x32, // '2'
  pax: 0x78, // 'x'
};

const NUMERIC_LIMITS = { uid: 8 ** 7, gid: 8 ** 7, size: 8 ** 11, mtime: 8 ** 11 } as const;

/** The header block(s) for one entry: a PAX extended header first if needed. */
export function encodeHeader(entry: TarEntry, s: TarSettings): Buffer {
  const { fields, numbers, pax } = headerFields(entry, s);
  const main = ustarBlock({
    ...fields,
    ...numbers,
    mode: entry.mode & 0o7777,
    typeflag: TYPEFLAG[entry.type],
  });
  if (pax.length === 0) return main;
  const records = Buffer.concat(pax.map(([k, v]) => paxRecord(k, v)));
  const paxHeader = ustarBlock({
    name: '././@PaxHeader',
    linkname: '',
    uname: '',
    gname: '',
    mode: 0,
    uid: 0,
    gid: 0,
    size: records.length,
    mtime: 0,
    typeflag: TYPEFLAG.pax,
  });
  return Buffer.concat([paxHeader, records, Buffer.alloc(padding(records.length)), main]);
}

/** How many bytes encodeHeader gives for this entry, without encoding it. */
export function headerSize(entry: TarEntry, s: TarSettings): number {
  const { pax } = headerFields(entry, s);
  if (pax.length === 0) return BLOCK;
  const records = pax.reduce((n, [k, v]) => n + paxRecordLength(k, v), 0);
  return 2 * BLOCK + records + padding(records);
}

/** The ustar fields, and the PAX records for what ustar cannot hold. */
function headerFields(entry: TarEntry, s: TarSettings) {
  const name = entry.type === 'directory' && !entry.name.endsWith('/') ? `${entry.name}/` : entry.name;
  const pax: [string, string][] = [];
  const fields = { name, linkname: entry.linkname, uname: s.uname, gname: s.gname };
  for (const [key, paxKey, length] of [
    ['name', 'path', 100],
    ['linkname', 'linkpath', 100],
    ['uname', 'uname', 32],
    ['gname', 'gname', 32],
  ] as const) {
    const value = fields[key];
    if (!isAscii(value) || value.length > length) pax.push([paxKey, value]);
  }
  const numbers = { uid: s.uid, gid: s.gid, size: entry.size, mtime: s.mtime };
  for (const key of ['uid', 'gid', 'size', 'mtime'] as const) {
    const value = numbers[key];
    if (!(value >= 0 && value < NUMERIC_LIMITS[key])) {
      pax.push([key, String(value)]);
      numbers[key] = 0;
    }
  }
  return { fields, numbers, pax };
}

/** Zero bytes needed after `n` bytes of data to reach a block boundary. */
export function padding(n: number): number {
  return (BLOCK - (n % BLOCK)) % BLOCK;
}

/** The two zero blocks that end an archive plus tarfile's padding to a record. */
export function endOfArchive(bytesSoFar: number): Buffer {
  const withEnd = bytesSoFar + 2 * BLOCK;
  return Buffer.alloc(2 * BLOCK + ((RECORD - (withEnd % RECORD)) % RECORD));
}

interface UstarFields {
  name: string;
  linkname: string;
  uname: string;
  gname: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: number;
}

function ustarBlock(f: UstarFields): Buffer {
  const b = Buffer.alloc(BLOCK);
  putString(b, 0, 100, f.name);
  putOctal(b, 100, 8, f.mode);
  putOctal(b, 108, 8, f.uid);
  putOctal(b, 116, 8, f.gid);
  putOctal(b, 124, 12, f.size);
  putOctal(b, 136, 12, f.mtime);
  b.fill(0x20, 148, 156); // checksum counts as spaces while summing
  b[156] = f.typeflag;
  putString(b, 157, 100, f.linkname);
  b.write('ustar\u000000', 257, 'latin1');
  putString(b, 265, 32, f.uname);
  putString(b, 297, 32, f.gname);
  // devmajor, devminor and prefix stay NUL: tarfile only fills the device
  // fields for device nodes and never splits names into a prefix in PAX mode.
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(`${sum.toString(8).padStart(6, '0')}\u0000`, 148, 'latin1');
  return b;
}

/** tarfile writes header text as ASCII, one `?` per non-ASCII code point. */
function putString(b: Buffer, offset: number, length: number, s: string): void {
  let ascii = '';
  for (const ch of s) ascii += ch.charCodeAt(0) < 0x80 && ch.length === 1 ? ch : '?';
  b.write(ascii.slice(0, length), offset, 'latin1');
}

function putOctal(b: Buffer, offset: number, length: number, n: number): void {
  b.write(`${n.toString(8).padStart(length - 1, '0')}\u0000`, offset, 'latin1');
}

function isAscii(s: string): boolean {
  return /^\p{ASCII}*$/u.test(s);
}

/** `"<len> <key>=<value>\n"` where `<len>` counts its own digits too. */
function paxRecord(key: string, value: string): Buffer {
  return Buffer.from(`${paxRecordLength(key, value)} ${key}=${value}\n`, 'utf8');
}

function paxRecordLength(key: string, value: string): number {
  const body = Buffer.byteLength(key) + Buffer.byteLength(value) + 3;
  let len = body;
  while (len !== body + String(len).length) len = body + String(len).length;
  return len;
}

/*
 * Reading headers back: the strict scan of cached blobs' layers and the lenient
 * reader of base images share these.
 */

export const ZERO_BLOCK: Readonly<Buffer> = Buffer.alloc(BLOCK);

/** An octal numeric field, NUL- or space-terminated; NaN if it is not one. */
export function readOctal(b: Buffer, offset: number, length: number): number {
  const text = b.toString('latin1', offset, offset + length).replace(/[\0 ]+$/, '').replace(/^ +/, '');
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : NaN;
}

/** A text field, up to its first NUL. */
export function readText(b: Buffer, offset: number, length: number): string {
  const end = b.indexOf(0, offset);
  return b.toString('utf8', offset, end === -1 || end > offset + length ? offset + length : end);
}

/** Whether a header block's checksum (its bytes, the checksum field as spaces) is right. */
export function checksumMatches(b: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (b[i] as number);
  return readOctal(b, 148, 8) === sum;
}
