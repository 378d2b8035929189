import { rmSync } from 'node:fs';

/**
 * Temporary files and folders of builds under way. A build removes its own
 * when it ends; entry points call `removeAllTemporaries` on SIGINT/SIGTERM,
 * when no `finally` runs, so a cancelled build leaves nothing behind.
 */
const live = new Set<string>();

export function trackTemporary(p: string): void {
  live.add(p);
}

export function untrackTemporary(p: string): void {
  live.delete(p);
}

export function removeAllTemporaries(): void {
  for (const p of live) rmSync(p, { recursive: true, force: true });
  live.clear();
}

/** Installs the signal handler once; exits as a killed process would. */
export function cleanUpOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      removeAllTemporaries();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}
