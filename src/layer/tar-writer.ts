import { createHash, type Hash } from 'node:crypto';
import { readSync } from 'node:fs';
import type { Digest } from '../digest.js';
import { UserError } from '../errors.js';
import type { ByteSink } from './sink.js';
import { encodeHeader, endOfArchive, padding, type TarEntry, type TarSettings } from './tar-header.js';

const STAGING = 1 << 20;

/**
 * Frames tar members into a sink through one staging buffer and hashes the
 * bytes on their way out, so each file is read once, straight into the buffer
 * that is hashed and written. Files are read synchronously: from the page
 * cache that costs microseconds, where a promise per read costs far more
 * than the read itself on trees of many small files.
 */
export class TarWriter {
  private readonly buf = Buffer.allocUnsafe(STAGING);
  private fill = 0;
  private total = 0;
  private readonly hash: Hash = createHash('sha256');

  constructor(
    private readonly sink: ByteSink,
    private readonly settings: TarSettings,
  ) {}

  /** `fd`: an open descriptor of the file's content, for files. */
  async entry(entry: TarEntry, fd?: number): Promise<void> {
    await this.put(encodeHeader(entry, this.settings));
    if (entry.type !== 'file' || entry.size === 0) return;
    if (fd === undefined) throw new Error(`no content for ${entry.name}`);
    let left = entry.size;
    let position = 0;
    while (left > 0) {
      if (this.fill === STAGING) await this.flush();
      const want = Math.min(left, STAGING - this.fill);
      const bytesRead = readSync(fd, this.buf, this.fill, want, position);
      if (bytesRead === 0) throw new UserError(`${entry.name} shrank while it was being read`);
      this.fill += bytesRead;
      position += bytesRead;
      left -= bytesRead;
    }
    await this.put(Buffer.alloc(padding(entry.size)));
  }

  /** A file whose content arrives in chunks (from a NAR) rather than from a descriptor. */
  async entryFrom(entry: TarEntry, chunks: AsyncIterable<Buffer>): Promise<void> {
    await this.put(encodeHeader(entry, this.settings));
    let got = 0;
    for await (const chunk of chunks) {
      got += chunk.length;
      if (got > entry.size) throw new Error(`${entry.name} has more than its ${entry.size} bytes`);
      await this.put(chunk);
    }
    if (got !== entry.size) throw new Error(`${entry.name} has ${got} of its ${entry.size} bytes`);
    await this.put(Buffer.alloc(padding(entry.size)));
  }

  /** Ends the archive and returns the digest and size of everything written. */
  async finish(): Promise<{ digest: Digest; size: number }> {
    await this.put(endOfArchive(this.total + this.fill));
    await this.flush();
    return { digest: `sha256:${this.hash.digest('hex')}` as Digest, size: this.total };
  }

  private async put(bytes: Buffer): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) {
      if (this.fill === STAGING) await this.flush();
      const n = bytes.copy(this.buf, this.fill, offset);
      this.fill += n;
      offset += n;
    }
  }

  private async flush(): Promise<void> {
    if (this.fill === 0) return;
    const chunk = this.buf.subarray(0, this.fill);
    this.hash.update(chunk);
    await this.sink.write(chunk);
    this.total += this.fill;
    this.fill = 0;
  }
}
