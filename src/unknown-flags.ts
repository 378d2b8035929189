import { UserError } from './errors.js';
import { INPUT_FLAGS } from './inputs.js';

type Flags = Record<string, { type: 'string' | 'boolean'; short?: string }>;

/**
 * Refuses the first flag the command does not know, in one line with the
 * known flag it most likely meant: a typo (`--contnets`), an Action input's
 * spelling (`--maxLayers`), or one dash for two (`-contents`). Values are
 * skipped, and nothing after `--` is a flag.
 */
export function checkFlagNames(args: readonly string[], flags: Flags, command: string): void {
  const help = `layered-image ${command} --help lists every flag`;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') return;
    if (!arg.startsWith('-') || arg === '-') continue;
    const long = arg.startsWith('--');
    const name = long ? (arg.slice(2).split('=')[0] as string) : arg.slice(1);
    const known = long ? flags[name] : Object.values(flags).find((f) => f.short === name);
    if (known !== undefined) {
      // `--name VALUE`: the value is not a flag, whatever it looks like.
      if (known.type === 'string' && !arg.includes('=')) i++;
      continue;
    }
    const meant = suggest(name, flags);
    throw new UserError(`unknown flag ${arg.split('=')[0] as string}${meant === undefined ? '' : `; did you mean --${meant}?`} (${help})`);
  }
}

function suggest(typed: string, flags: Flags): string | undefined {
  const names = Object.keys(flags);
  const fromInput = (INPUT_FLAGS as Record<string, string>)[typed];
  if (fromInput !== undefined && names.includes(fromInput)) return fromInput;
  const wanted = typed.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const name of names) {
    const distance = editDistance(wanted, name);
    if (best === undefined || distance < best.distance) best = { name, distance };
  }
  // Close enough to be a slip of the keyboard, not another word.
  return best !== undefined && best.distance <= Math.max(1, Math.floor(best.name.length / 3)) ? best.name : undefined;
}

/** Edits (insert, delete, replace, swap two neighbours) from a to b: `contnets` is one from `contents`. */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number) => (rows[i] as number[])[j] as number;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, at(i - 2, j - 2) + 1);
      (rows[i] as number[])[j] = d;
    }
  }
  return at(a.length, b.length);
}
