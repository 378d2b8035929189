import { UserError } from '../errors.js';

/**
 * A streaming reader of Nix archives (the Nix manual's NAR format): strings
 * are a 64-bit little-endian length, the bytes, and zeros to a multiple of
 * 8. Nothing is held but the tokens; a file's contents pass through in the
 * chunks they arrive in. A NAR's hash is known only at its end, so what a
 * cache sends is bounded here (token and path lengths) before it is trusted.
 */

/** A store path's NAR, opened when its turn comes: one NAR at a time in a layer. */
export type OpenNar = (storePath: string) => AsyncIterable<Buffer>;

/** Store paths read from binary caches: which, and their NARs. */
export interface NarSource {
  has(storePath: string): boolean;
  open: OpenNar;
  /** What errors call the path's NAR: the path and where it comes from. */
  name(storePath: string): string;
}

/** What a NAR holds, in its order: parents before children, names sorted by their bytes. */
export interface NarVisitor {
  /** `name`: the path inside the NAR, `''` for its root. */
  directory(name: string): Promise<void> | void;
  symlink(name: string, target: string): Promise<void> | void;
  /** `contents` must be read to its end before this resolves. */
  file(name: string, executable: boolean, size: number, contents: AsyncIterable<Buffer>): Promise<void>;
}

// Names and link targets: Nix allows 255-byte names; targets are paths.
const MAX_TOKEN = 64 * 1024;
// A path inside the NAR longer than PATH_MAX could not be in a store, and
// would make a tar that grows with the square of its depth.
const MAX_PATH = 4096;

class NarReader {
  private readonly queue: Buffer[] = [];
  private queued = 0;
  private readonly iterator: AsyncIterator<Buffer>;
  private done = false;

  constructor(source: AsyncIterable<Buffer>, private readonly where: string) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  fail(why: string): never {
    // The cache's data, not a bug here: one line, as bad input is.
    throw new UserError(`${this.where}: not a valid NAR: ${why}`);
  }

  private async more(): Promise<void> {
    const next = this.done ? undefined : await this.iterator.next();
    if (next === undefined || next.done === true) {
      this.done = true;
      this.fail('it ends early');
    }
    if (next.value.length === 0) return;
    this.queue.push(next.value);
    this.queued += next.value.length;
  }

  /** Exactly `n` bytes, as one buffer (n is a token's size). */
  async bytes(n: number): Promise<Buffer> {
    while (this.queued < n) await this.more();
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const head = this.queue[0] as Buffer;
      const take = Math.min(head.length, n - at);
      head.copy(out, at, 0, take);
      at += take;
      this.drop(take);
    }
    return out;
  }

  /** `n` bytes in the slices they came in. */
  async *slices(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.queued === 0) await this.more();
      const head = this.queue[0] as Buffer;
      const take = Math.min(head.length, left);
      const slice = head.subarray(0, take);
      this.drop(take);
      left -= take;
      yield slice;
    }
  }

  private drop(n: number): void {
    const head = this.queue[0] as Buffer;
    if (n === head.length) this.queue.shift();
    else this.queue[0] = head.subarray(n);
    this.queued -= n;
  }

  async u64(): Promise<number> {
    const b = await this.bytes(8);
    const n = b.readBigUInt64LE(0);
    if (n > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`a length of ${n} bytes`);
    return Number(n);
  }

  async padding(n: number): Promise<void> {
    const pad = (8 - (n % 8)) % 8;
    if (pad > 0 && !(await this.bytes(pad)).equals(Buffer.alloc(pad))) this.fail('padding that is not zeros');
  }

  async token(): Promise<Buffer> {
    const n = await this.u64();
    if (n > MAX_TOKEN) this.fail(`a ${n}-byte name or target`);
    const b = await this.bytes(n);
    await this.padding(n);
    return b;
  }

  async expect(word: string): Promise<void> {
    const got = (await this.token()).toString('latin1');
    if (got !== word) this.fail(`"${got.slice(0, 40)}" where "${word}" belongs`);
  }

  /** Ends the source early, if it has not ended; its own clean-up runs now. */
  async close(): Promise<void> {
    if (!this.done) await this.iterator.return?.();
    this.done = true;
  }

  /** After the archive: nothing more may come. */
  async end(): Promise<void> {
    if (this.queued > 0) this.fail('bytes after its end');
    for (;;) {
      const next = await this.iterator.next();
      if (next.done === true) {
        this.done = true;
        return;
      }
      if (next.value.length > 0) this.fail('bytes after its end');
    }
  }
}

/**
 * Reads a whole NAR from `source`, telling `visit` of each entry in order.
 * Whatever happens, the source is ended: a decompressor, a download, a
 * file it reads from stop with it.
 */
export async function readNar(source: AsyncIterable<Buffer>, visit: NarVisitor, where: string): Promise<void> {
  const r = new NarReader(source, where);
  try {
    await r.expect('nix-archive-1');
    await node(r, '', visit);
    await r.end();
  } finally {
    await r.close();
  }
}

async function node(r: NarReader, name: string, visit: NarVisitor): Promise<void> {
  await r.expect('(');
  await r.expect('type');
  const type = (await r.token()).toString('latin1');
  if (type === 'regular') await regular(r, name, visit);
  else if (type === 'symlink') {
    await r.expect('target');
    const target = await r.token();
    if (target.length === 0 || target.includes(0)) r.fail(`a symlink ${name === '' ? 'root' : name} with an empty target or a NUL in it`);
    await visit.symlink(name, utf8(target, r));
    await r.expect(')');
  } else if (type === 'directory') await directory(r, name, visit);
  else r.fail(`an entry of type "${type.slice(0, 40)}"`);
}

async function regular(r: NarReader, name: string, visit: NarVisitor): Promise<void> {
  let word = (await r.token()).toString('latin1');
  const executable = word === 'executable';
  if (executable) {
    if ((await r.token()).length !== 0) r.fail('"executable" with a value');
    word = (await r.token()).toString('latin1');
  }
  if (word !== 'contents') r.fail(`"${word.slice(0, 40)}" where "contents" belongs`);
  const size = await r.u64();
  let read = 0;
  const contents = (async function* () {
    for await (const slice of r.slices(size)) {
      read += slice.length;
      yield slice;
    }
  })();
  await visit.file(name, executable, size, contents);
  if (read !== size) throw new Error(`${name}: its contents were not read to the end`);
  await r.padding(size);
  await r.expect(')');
}

async function directory(r: NarReader, name: string, visit: NarVisitor): Promise<void> {
  await visit.directory(name);
  let previous: Buffer | undefined;
  for (;;) {
    const word = (await r.token()).toString('latin1');
    if (word === ')') return;
    if (word !== 'entry') r.fail(`"${word.slice(0, 40)}" in a directory`);
    await r.expect('(');
    await r.expect('name');
    const child = await r.token();
    // Nix writes names sorted and refuses these: a NAR with them was not made by Nix.
    if (child.length === 0 || child.includes(0x2f) || child.includes(0) || child.equals(Buffer.from('.')) || child.equals(Buffer.from('..'))) r.fail(`an entry named "${child.toString('utf8').slice(0, 40)}"`);
    if (previous !== undefined && Buffer.compare(previous, child) >= 0) r.fail(`entries out of order at "${child.toString('utf8').slice(0, 40)}"`);
    previous = child;
    await r.expect('node');
    const path = `${name}/${utf8(child, r)}`;
    if (Buffer.byteLength(path) > MAX_PATH) r.fail(`a path of over ${MAX_PATH} bytes`);
    await node(r, path, visit);
    await r.expect(')');
  }
}

/** Names and targets must be UTF-8, as the tar members made of them are. */
function utf8(bytes: Buffer, r: NarReader): string {
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes)) r.fail(`a name or target that is not UTF-8`);
  return text;
}
