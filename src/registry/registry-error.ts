import { STATUS_CODES } from 'node:http';
import { UserError } from '../errors.js';

/**
 * A registry refused or failed an operation: one line naming the registry,
 * the operation and what went wrong; never a credential, token or URL query.
 */
export class RegistryError extends UserError {
  readonly status: number | undefined;

  constructor(message: string, status?: number) {
    super(message);
    this.status = status;
  }
}

/** `404 Not Found`. */
export function statusText(status: number): string {
  const text = STATUS_CODES[status];
  return text === undefined ? String(status) : `${status} ${text}`;
}

const HINTS: Partial<Record<number, string>> = {
  401: ' (check the credentials)',
  403: ' (the credentials do not allow this)',
  429: ' (rate limited)',
};

/** The first `{code, message}` of an OCI error body, on one short line. */
export function errorBodySummary(body: Buffer): string {
  if (body.length === 0 || body.length > 65536) return '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return '';
  }
  const errors = typeof parsed === 'object' && parsed !== null && 'errors' in parsed ? parsed.errors : undefined;
  const first: unknown = Array.isArray(errors) ? errors[0] : undefined;
  if (typeof first !== 'object' || first === null) return '';
  const code = 'code' in first && typeof first.code === 'string' ? first.code : '';
  const message = 'message' in first && typeof first.message === 'string' ? first.message : '';
  return registryText(`${code} ${message}`, 200);
}

/** Text a registry sent, for one of our one-line messages: it is untrusted, so printable ASCII, bounded. */
export function registryText(text: string, max: number): string {
  const line = text.replace(/[^\x20-\x7e]+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/** The error for an answer the operation cannot use; `hint` in place of the status's usual one. */
export function statusError(prefix: string, status: number, body: Buffer = Buffer.alloc(0), hint?: string): RegistryError {
  const summary = errorBodySummary(body);
  return new RegistryError(`${prefix}: ${statusText(status)}${summary === '' ? '' : `: ${summary}`}${hint ?? HINTS[status] ?? ''}`, status);
}
