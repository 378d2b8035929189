import { closeSync, openSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { UserError, asUserError, errnoCode } from '../errors.js';

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

/**
 * A sink writing into a byte range of an existing file (a layer's place in
 * the image), and optionally also to a new file of its own (for the cache).
 * Writes are synchronous: it runs on a layer worker, where nothing else waits.
 * More bytes than the range holds is an error, so a layer can never
 * overwrite its neighbour.
 */
export interface RangeTarget {
  file: string;
  /** What errors call the file. */
  label: string;
  offset: number;
  size: number;
  /** The error when more than `size` bytes come. */
  overflow?: string;
  /**
   * An open descriptor written in order instead of `file` at `offset`: an
   * image streamed to standard output. It is the process's own, shared by
   * every thread, so bytes from a worker land after the main thread's.
   */
  stream?: number;
}

export class RangeSink implements ByteSink {
  private written = 0;

  private constructor(private readonly target: RangeTarget & { fd: number }) {}

  static open(target: RangeTarget): RangeSink {
    return new RangeSink({ ...target, fd: target.stream ?? openFd(target.file, target.label, 'r+') });
  }

  write(chunk: Buffer): Promise<void> {
    const { fd, label, offset, size } = this.target;
    if (this.written + chunk.length > size) {
      throw new UserError(this.target.overflow ?? `a layer came out larger than planned (${size} bytes): its store paths changed while it was being written`);
    }
    writeFully(fd, label, chunk, this.target.stream === undefined ? offset + this.written : null);
    this.written += chunk.length;
    return Promise.resolve();
  }

  close(): Promise<void> {
    if (this.target.stream === undefined) closeSync(this.target.fd);
    return Promise.resolve();
  }
}

function openFd(file: string, label: string, flags: 'r+'): number {
  try {
    return openSync(file, flags, 0o644);
  } catch (e) {
    return asUserError(e, `cannot write ${label}`);
  }
}

/** Writes all of `bytes` at `position` (or the file position, for null); `label` names the file in errors. */
export function writeFully(fd: number, label: string, bytes: Buffer, position: number | null): void {
  let done = 0;
  while (done < bytes.length) {
    try {
      done += writeSync(fd, bytes, done, bytes.length - done, position === null ? null : position + done);
    } catch (e) {
      // A pipe in non-blocking mode (standard output, as a parent may leave
      // it) is full: its reader is slower. Wait a little, as a blocking write would.
      if (errnoCode(e) === 'EAGAIN') {
        Atomics.wait(PAUSE, 0, 0, 2);
        continue;
      }
      if (errnoCode(e) === 'EPIPE') throw new UserError(`cannot write ${label}: its reader has gone (EPIPE)`);
      asUserError(e, `cannot write ${label}`);
    }
  }
}

const PAUSE = new Int32Array(new SharedArrayBuffer(4));
