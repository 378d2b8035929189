import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { Digest } from '../digest.js';
import { UserError, messageOf } from '../errors.js';
import type { BlobMeta } from '../cache/cache.js';
import { checkBlobBytes, copyBaseLayer } from '../cache/verify.js';
import { compressRange, type Compression, type FileRange } from './compress.js';
import { RangeSink } from './sink.js';
import { membersSize, packMembers, storeLayerMembers, unpackMembers, writeMembers, type PackedMembers } from './store-layer.js';
import type { TarSettings } from './tar-header.js';

/** A layer's place in the image file. */
export interface LayerTarget {
  file: string;
  /** What errors call the file: the output's name, not its temporary one. */
  label: string;
  offset: number;
  size: number;
  /** Written in order to this descriptor instead (see RangeTarget). */
  stream?: number;
}

type Job =
  | { kind: 'walk'; paths: string[]; settings: TarSettings }
  | { kind: 'write'; members: PackedMembers; settings: TarSettings; target: LayerTarget }
  | { kind: 'copy'; source: { file: string; offset: number }; target: LayerTarget }
  | { kind: 'compress'; source: FileRange; compression: Exclude<Compression, 'none'>; out: string }
  | { kind: 'check-blob'; file: string; meta: BlobMeta };

type Reply =
  | { id: number; progress: number }
  | { id: number; result: unknown }
  | { id: number; error: string; user: boolean };

const ROLE = 'layered-image-layer-writer';

/**
 * Store layers written, and base layers copied, straight into their place
 * in the image on worker threads, one layer per worker at a time: reading,
 * framing, SHA-256 and writing run on every core instead of one. The worker
 * runs this very module, started with a marker in its workerData. From the
 * ncc bundles it runs `dist/layer-writer.js`, a bundle of this module alone,
 * rather than the whole Action with its HTTP and Azure clients.
 */
export class LayerWorkers {
  private readonly idle: Worker[] = [];
  private readonly waiting: (() => void)[] = [];
  private readonly all: Worker[] = [];
  private next = 0;
  private closed = false;

  constructor(private readonly count: number) {}

  /**
   * A store layer's members and exact size, from one walk of its trees: the
   * size places the layer in the image, and the members are handed to
   * `write`, which so never walks the trees again.
   */
  walk(paths: string[], settings: TarSettings): Promise<{ members: PackedMembers; size: number }> {
    return this.run({ kind: 'walk', paths, settings }, () => {}) as Promise<{ members: PackedMembers; size: number }>;
  }

  /** Writes a layer's members into its place. */
  write(
    job: { members: PackedMembers; settings: TarSettings; target: LayerTarget },
    onBytes: (n: number) => void,
  ): Promise<{ digest: Digest; size: number }> {
    // The members move to the worker: this thread's copy is gone after.
    return this.run({ kind: 'write', ...job }, onBytes, [job.members.bytes.buffer as ArrayBuffer]) as Promise<{ digest: Digest; size: number }>;
  }

  /** Copies a base image's layer into its place, hashing it (see copyBaseLayer). */
  copy(job: { source: { file: string; offset: number }; target: LayerTarget }, onBytes: (n: number) => void): Promise<{ digest: Digest } | { bad: string }> {
    return this.run({ kind: 'copy', ...job }, onBytes) as Promise<{ digest: Digest } | { bad: string }>;
  }

  /** Reads a cached blob through and checks it against its metadata (see checkBlobBytes). */
  checkBlob(file: string, meta: BlobMeta): Promise<{ bad?: string }> {
    return this.run({ kind: 'check-blob', file, meta }, () => {}) as Promise<{ bad?: string }>;
  }

  /** Compresses a layer from its place into the file `out`. */
  compress(job: { source: FileRange; compression: Exclude<Compression, 'none'>; out: string }, onBytes: (n: number) => void): Promise<{ digest: Digest; size: number }> {
    return this.run({ kind: 'compress', ...job }, onBytes) as Promise<{ digest: Digest; size: number }>;
  }

  private async run(job: Job, onBytes: (n: number) => void, transfer: ArrayBuffer[] = []): Promise<unknown> {
    const worker = await this.acquire();
    const id = this.next++;
    let dead = false;
    try {
      return await new Promise<unknown>((resolve, reject) => {
        const done = () => {
          worker.off('message', onMessage);
          worker.off('error', onError);
          worker.off('exit', onExit);
        };
        const onMessage = (reply: Reply) => {
          if (reply.id !== id) return;
          if ('progress' in reply) return onBytes(reply.progress);
          done();
          if ('result' in reply) resolve(reply.result);
          else reject(reply.user ? new UserError(reply.error) : new Error(reply.error));
        };
        const onError = (e: Error) => {
          done();
          dead = true;
          reject(e);
        };
        // A worker that dies without a word must not leave the build waiting.
        const onExit = (code: number) => {
          done();
          dead = true;
          reject(new Error(`a layer worker exited (code ${code}) in the middle of a layer`));
        };
        worker.on('message', onMessage);
        worker.once('error', onError);
        worker.once('exit', onExit);
        worker.postMessage({ id, job }, transfer);
      });
    } finally {
      // A dead worker never goes back to the pool: the next job gets a new one.
      if (dead) this.retire(worker);
      else this.release(worker);
    }
  }

  /**
   * Ends every worker; jobs in flight fail, and no job starts after this,
   * so nothing (a queued compression, a retired worker's replacement) can
   * start a worker that this never saw.
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.waiting.splice(0)) wake();
    const all = this.all.splice(0);
    this.idle.length = 0;
    await Promise.all(all.map((w) => w.terminate()));
  }

  private async acquire(): Promise<Worker> {
    if (this.closed) throw new Error('the layer workers were closed: the build is ending');
    const free = this.idle.pop();
    if (free !== undefined) return free;
    if (this.all.length < this.count) {
      const worker = new Worker(workerScript(), { workerData: { role: ROLE } });
      this.all.push(worker);
      return worker;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    return this.acquire();
  }

  private release(worker: Worker): void {
    if (this.closed) return;
    this.idle.push(worker);
    this.waiting.shift()?.();
  }

  private retire(worker: Worker): void {
    const at = this.all.indexOf(worker);
    if (at >= 0) this.all.splice(at, 1);
    void worker.terminate();
    this.waiting.shift()?.();
  }
}

function workerScript(): string {
  const self = fileURLToPath(import.meta.url);
  return path.basename(self) === 'workers.js' ? self : path.join(path.dirname(self), 'layer-writer.js');
}

/** True on a thread started by LayerWorkers, where entry points must stay idle. */
export function isLayerWorkerThread(): boolean {
  return !isMainThread && (workerData as { role?: string } | null)?.role === ROLE;
}

if (isLayerWorkerThread()) {
  const port = parentPort;
  port?.on('message', (message: { id: number; job: Job }) => {
    const { id, job } = message;
    const progress = (n: number) => port.postMessage({ id, progress: n } satisfies Reply);
    runJob(job, progress).then(
      (result) => port.postMessage({ id, result } satisfies Reply, transferable(result)),
      (e: unknown) => port.postMessage({ id, error: e instanceof UserError ? e.marked : messageOf(e), user: e instanceof UserError } satisfies Reply),
    );
  });
}

/** A walk's packed members move to the main thread rather than being copied. */
function transferable(result: unknown): ArrayBuffer[] {
  const bytes = (result as { members?: PackedMembers } | null)?.members?.bytes;
  return bytes === undefined ? [] : [bytes.buffer as ArrayBuffer];
}

async function runJob(job: Job, progress: (n: number) => void): Promise<unknown> {
  switch (job.kind) {
    case 'walk': {
      const members = storeLayerMembers(job.paths);
      return { members: packMembers(members), size: membersSize(members, job.settings) };
    }
    case 'copy':
      return copyBaseLayer(job.source, job.target, progress);
    case 'check-blob':
      return checkBlobBytes(job.file, job.meta);
    case 'compress':
      return compressRange(job.source, job.compression, job.out, progress);
    case 'write': {
      const sink = RangeSink.open(job.target);
      try {
        const counted = {
          write: (chunk: Buffer) => {
            progress(chunk.length);
            return sink.write(chunk);
          },
          close: () => sink.close(),
        };
        const written = await writeMembers(unpackMembers(job.members), job.settings, counted);
        if (written.size !== job.target.size) {
          throw new UserError(`a layer came out at ${written.size} bytes, not the ${job.target.size} planned: its store paths changed while it was being written`);
        }
        return written;
      } finally {
        await sink.close();
      }
    }
  }
}
