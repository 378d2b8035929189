import { setTimeout as sleep } from 'node:timers/promises';
import { RegistryError } from './registry-error.js';

/** A failure worth another try (429, most 5xx, a dropped connection), and the error to give when tries run out. */
export class Retryable extends Error {
  constructor(
    readonly op: string,
    readonly what: string,
    readonly final: RegistryError,
    readonly retryAfterMs?: number,
  ) {
    super(final.message);
  }
}

export interface RetryPolicy {
  registry: string;
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
      policy.log?.(`registry ${policy.registry}: ${e.op}: ${e.what}, retrying in ${(ms / 1000).toFixed(1)} s`);
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
 * `server` names a host other than the registry (a token server).
 */
export function connectionFailure(opts: { registry: string; op: string; code: string; server?: string }): Retryable | RegistryError {
  const { registry, op, code } = opts;
  const who = opts.server === undefined ? `registry ${registry}` : `registry ${registry}: token server ${opts.server}`;
  let message: string;
  if (UNREACHABLE.has(code)) message = `${who} is not reachable: ${code}`;
  else if (code === 'ETIMEDOUT') message = `${who}: ${op}: no answer (ETIMEDOUT)`;
  else message = `${who}: ${op}: connection failed: ${code}`;
  const final = new RegistryError(message);
  return TRANSIENT.has(code) ? new Retryable(op, code, final) : final;
}
