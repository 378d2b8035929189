import { setTimeout as sleep } from 'node:timers/promises';
import type { UserError } from '../errors.js';
import { RegistryError } from './registry-error.js';

/** A failure worth another try (429, most 5xx, a dropped connection), and the error to give when tries run out. */
export class Retryable extends Error {
  constructor(
    readonly op: string,
    readonly what: string,
    readonly final: UserError,
    readonly retryAfterMs?: number,
  ) {
    super(final.message);
  }
}

export interface RetryPolicy {
  /** What the log calls the server: `registry HOST`, `substituter URL`. */
  who: string;
  /** Tries after the first. */
  retries: number;
  baseMs: number;
  log?: ((m: string) => void) | undefined;
}

const MAX_DELAY_MS = 30_000;

/** 501 and 505 say the server never will. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599 && status !== 501 && status !== 505);
}

/** Runs `fn` until it ends without a Retryable, backing off exponentially or as the server asks. */
export async function withRetries<T>(policy: RetryPolicy, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof Retryable)) throw e;
      if (attempt >= policy.retries) throw e.final;
      const ms = Math.min(MAX_DELAY_MS, e.retryAfterMs ?? policy.baseMs * 2 ** attempt);
      policy.log?.(`${policy.who}: ${e.op}: ${e.what}, retrying in ${(ms / 1000).toFixed(1)} s`);
      await sleep(ms);
    }
  }
}

/** `Retry-After` as delta-seconds or an HTTP date. */
export function parseRetryAfter(header: string | string[] | undefined, now = Date.now()): number | undefined {
  if (typeof header !== 'string') return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

// The host is not there at all, as opposed to a connection that broke.
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const TRANSIENT = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * The error for a failed connection: a Retryable for the transient kinds.
 * `who` names the server (`registry HOST`, `registry HOST: token server
 * S`, `substituter URL`).
 */
export function connectionFailure(opts: { who: string; op: string; code: string }): Retryable | RegistryError {
  const { who, op, code } = opts;
  let message: string;
  if (UNREACHABLE.has(code)) message = `${who} is not reachable: ${code}`;
  else if (code === 'ETIMEDOUT') message = `${who}: ${op}: no answer (ETIMEDOUT)`;
  else message = `${who}: ${op}: connection failed: ${code}`;
  const final = new RegistryError(message);
  return TRANSIENT.has(code) ? new Retryable(op, code, final) : final;
}
