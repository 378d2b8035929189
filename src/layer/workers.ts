import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { Digest } from '../digest.js';
import { UserError, messageOf } from '../errors.js';
import { FileSink } from './sink.js';
import { writeStoreLayer } from './store-layer.js';
import type { TarSettings } from './tar-header.js';
import { scanAndHash, type ScanResult } from '../cache/verify.js';

/** One store layer to write into `file`. */
export interface LayerTask {
  paths: string[];
  settings: TarSettings;
  file: string;
}

type Job = { kind: 'write'; task: LayerTask } | { kind: 'scan'; file: string; size: number };

type Reply =
  | { id: number; progress: number }
  | { id: number; result: unknown }
  | { id: number; error: string; user: boolean };

const ROLE = 'layered-image-layer-writer';

/**
 * Store layers written, and cached layers read back, on worker threads, one
 * layer per worker at a time: reading, framing and SHA-256 run on every core
 * instead of one. The worker
 * runs this very module, started with a marker in its workerData. From the
 * ncc bundles it runs `dist/layer-writer.js`, a bundle of this module alone,
 * rather than the whole Action with its HTTP and Azure clients.
 */
export class LayerWorkers {
  private readonly idle: Worker[] = [];
  private readonly waiting: (() => void)[] = [];
  private readonly all: Worker[] = [];
  private next = 0;

  constructor(private readonly count: number) {}

  write(task: LayerTask, onBytes: (n: number) => void): Promise<{ digest: Digest; size: number }> {
    return this.run({ kind: 'write', task }, onBytes) as Promise<{ digest: Digest; size: number }>;
  }

  /** A cached layer's members and digest, read on a worker (see verify.ts). */
  scan(file: string, size: number): Promise<ScanResult> {
    return this.run({ kind: 'scan', file, size }, () => {}) as Promise<ScanResult>;
  }

  private async run(job: Job, onBytes: (n: number) => void): Promise<unknown> {
    const worker = await this.acquire();
    const id = this.next++;
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
          reject(e);
        };
        // A worker that dies without a word must not leave the build waiting.
        const onExit = (code: number) => {
          done();
          reject(new Error(`a layer worker exited (code ${code}) in the middle of a layer`));
        };
        worker.on('message', onMessage);
        worker.once('error', onError);
        worker.once('exit', onExit);
        worker.postMessage({ id, job });
      });
    } finally {
      this.release(worker);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((w) => w.terminate()));
  }

  private async acquire(): Promise<Worker> {
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
    this.idle.push(worker);
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
    if (job.kind === 'scan') {
      scanAndHash(job.file, job.size).then(
        (result) => port.postMessage({ id, result } satisfies Reply),
        (e: unknown) => port.postMessage({ id, error: messageOf(e), user: e instanceof UserError } satisfies Reply),
      );
      return;
    }
    const task = job.task;
    void (async () => {
      const sink = await FileSink.create(task.file);
      try {
        const counted = {
          write: (chunk: Buffer) => {
            port.postMessage({ id, progress: chunk.length } satisfies Reply);
            return sink.write(chunk);
          },
          close: () => sink.close(),
        };
        return await writeStoreLayer(task.paths, task.settings, counted);
      } finally {
        await sink.close();
      }
    })().then(
      (result) => port.postMessage({ id, result } satisfies Reply),
      (e: unknown) => port.postMessage({ id, error: messageOf(e), user: e instanceof UserError } satisfies Reply),
    );
  });
}
