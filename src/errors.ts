/**
 * Bad input from the user: rendered as one line naming the bad value, never
 * with a stack trace. Anything that is not a UserError is a bug.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
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
