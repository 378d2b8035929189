import { open, type FileHandle } from 'node:fs/promises';

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
  private constructor(private readonly fh: FileHandle) {}

  static async create(file: string): Promise<FileSink> {
    return new FileSink(await open(file, 'wx', 0o644));
  }

  async write(chunk: Buffer): Promise<void> {
    let done = 0;
    while (done < chunk.length) {
      const { bytesWritten } = await this.fh.write(chunk, done, chunk.length - done);
      done += bytesWritten;
    }
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}
