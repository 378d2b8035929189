import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * @actions/cache reports its failures itself, one line per call, and tells
 * its caller only "miss" or "not saved". While its calls run, this takes
 * those failure lines off stdout and hands them to the cache, which stops
 * using the service after the first one and says so once: a down service
 * should cost one warning, not one per layer and a retry storm.
 */
const FAILURE = /^::(warning|error)::(Failed to (restore|save): .*|Cache reservation failed: .*|uploadCacheArchiveSDK: .*)$/;

let inFlight = 0;
let original: typeof process.stdout.write | undefined;
/**
 * Restores and saves run side by side, and a failure of one must not stop
 * the other: a line goes to the call whose async context writes it.
 */
const caller = new AsyncLocalStorage<(message: string) => void>();

function install(): void {
  const write = process.stdout.write.bind(process.stdout);
  original = write;
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]): boolean => {
    if (typeof chunk === 'string') {
      const kept = chunk
        .split('\n')
        .filter((line) => {
          const m = FAILURE.exec(line.replace(/\r$/, ''));
          const onFailure = caller.getStore();
          // A line from outside every call is no failure of ours: it is printed as written.
          if (m === null || onFailure === undefined) return true;
          onFailure(decodeCommand(m[2] as string));
          return false;
        })
        .join('\n');
      if (kept.trim() === '') {
        const callback = rest.find((r): r is () => void => typeof r === 'function');
        callback?.();
        return true;
      }
      return (write as (...args: unknown[]) => boolean)(kept, ...rest);
    }
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  });
}

/** Runs one @actions/cache call with its failure lines sent to `onFailure`. */
export async function capturingFailures<T>(onFailure: (message: string) => void, call: () => Promise<T>): Promise<T> {
  if (inFlight++ === 0) install();
  try {
    return await caller.run(onFailure, call);
  } finally {
    if (--inFlight === 0 && original !== undefined) {
      process.stdout.write = original;
      original = undefined;
    }
  }
}

/** Workflow commands escape %, CR and LF in their message. */
function decodeCommand(s: string): string {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%').split('\n')[0] ?? s;
}
