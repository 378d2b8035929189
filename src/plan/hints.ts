import path from 'node:path';
import { UserError } from '../errors.js';
import { input } from '../inputs/marker.js';

/**
 * A user's say on where store paths belong: `deeper:PATTERN` ranks matching
 * paths as the most popular (low in the stack, a layer of their own where
 * one is free), `top:PATTERN` keeps them on top with the image's own paths.
 * Patterns match the name after the hash (`glibc-2.39`), with `*` for any
 * run of characters and `?` for one.
 */
export interface Hint {
  kind: 'deeper' | 'top';
  pattern: string;
  matches(storePath: string): boolean;
}

const FORM = /^(deeper|top):(.+)$/;

export function parseHints(raw: readonly string[]): Hint[] {
  return raw.map((text) => {
    const m = FORM.exec(text.trim());
    const pattern = m?.[2]?.trim() ?? '';
    if (m === null || pattern === '' || pattern.includes('/') || /\s/.test(pattern)) {
      throw new UserError(`${input('hints')} "${text}" must be deeper:PATTERN or top:PATTERN, PATTERN a store path name such as glibc-* (no / or spaces)`);
    }
    const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
    return { kind: m[1] as Hint['kind'], pattern, matches: (p: string) => re.test(nameOf(p)) };
  });
}

/** `/nix/store/<hash>-glibc-2.39` → `glibc-2.39` */
function nameOf(storePath: string): string {
  const base = path.basename(storePath);
  const dash = base.indexOf('-');
  return dash === -1 ? base : base.slice(dash + 1);
}

/** The first hint that matches, if any: the first one given wins. */
export function hintFor(hints: readonly Hint[], storePath: string): Hint | undefined {
  return hints.find((h) => h.matches(storePath));
}
