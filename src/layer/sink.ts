import { open, type FileHandle } from 'node:fs/promises';
import { asUserError } from '../errors.js';

/**
 * Where layer bytes go. `write` resolves once the sink no longer needs the
 * buffer, so writers may reuse it; that keeps one staging buffer per layer
 * instead of a fresh allocation per chunk.
 */
export interface ByteSink {
  write(chunk: Buffer): Promise<void>;
  close(): Promise<void>;
}

/** A sink writing to a new file. */
export class FileSink implements ByteSink {
  private constructor(
    private readonly fh: FileHandle,
    private readonly file: string,
  ) {}

  static async create(file: string): Promise<FileSink> {
    const fh = await open(file, 'wx', 0o644).catch((e: unknown) => asUserError(e, `cannot write ${file}`));
    return new FileSink(fh, file);
  }

  async write(chunk: Buffer): Promise<void> {
    let done = 0;
    try {
      while (done < chunk.length) {
        const { bytesWritten } = await this.fh.write(chunk, done, chunk.length - done);
        done += bytesWritten;
      }
    } catch (e) {
      asUserError(e, `cannot write ${this.file}`);
    }
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}
