import { unmarkInputs } from './inputs/marker.js';

/**
 * Bad input from the user: rendered as one line naming the bad value, never
 * with a stack trace. Anything that is not a UserError is a bug.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  /** The message with its inputs marked (inputs.ts), for the CLI to name by their flags. */
  readonly marked: string;

  /** `message` may name inputs with input(NAME); `.message` names them as the Action's inputs. */
  constructor(message: string, options?: ErrorOptions) {
    super(unmarkInputs(message), options);
    this.marked = message;
  }
}

/** A user's value as it should appear in a one-line message. */
export function show(value: string): string {
  return /^[\x21-\x7e]+$/.test(value) ? value : JSON.stringify(value);
}

/** Message of an unknown thrown value, without assuming it is an Error. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The errno code (`ENOENT`, …) of a failed system call, if it is one. */
export function errnoCode(e: unknown): string | undefined {
  if (e instanceof Error && 'code' in e && typeof e.code === 'string') return e.code;
  return undefined;
}

// Failures of the machine rather than of the program: a full disk, a
// read-only or vanished file system, missing permissions.
const ENVIRONMENT_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EIO', 'EACCES', 'EPERM', 'ENOENT', 'ENOTDIR', 'EMFILE', 'ENFILE']);

/** Rethrows a file-system failure as one line saying what could not be done. */
export function asUserError(e: unknown, what: string): never {
  const code = errnoCode(e);
  if (code !== undefined && ENVIRONMENT_ERRORS.has(code)) throw new UserError(`${what}: ${code}`);
  throw e;
}
