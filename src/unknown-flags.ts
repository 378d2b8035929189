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
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') return;
    if (!arg.startsWith('-') || arg === '-') continue;
    const long = arg.startsWith('--');
    // `-oFILE` is -o with its value; `-contents` is a long flag with one dash.
    const known = long ? flags[arg.slice(2).split('=')[0] as string] : Object.values(flags).find((f) => f.short === arg[1]);
    if (known === undefined || (!long && known.type === 'boolean' && arg.length > 2)) {
      const typed = arg.split('=')[0] as string;
      const meant = closest(typed.replace(/^--?/, ''), Object.keys(flags), INPUT_FLAGS);
      throw new UserError(`unknown flag ${typed}${meant === undefined ? '' : `; did you mean --${meant}?`} (layered-image ${command} --help lists every flag)`);
    }
    // `--tag VALUE`: the value is not a flag, whatever it looks like; but
    // `--tag --contnets` is a tag forgotten, and the slip is what to name.
    const next = args[i + 1];
    if (known.type === 'string' && !arg.includes('=') && (long || arg.length === 2) && !next?.startsWith('--')) i++;
  }
}

/**
 * The known word a typed one most likely meant: another spelling's
 * (an Action input's name for its flag), else the nearest by edits, if it
 * is near enough to be a slip of the keyboard rather than another word.
 */
export function closest(typed: string, known: readonly string[], aliases: Readonly<Record<string, string>> = {}): string | undefined {
  const alias = aliases[typed];
  if (alias !== undefined && known.includes(alias)) return alias;
  const wanted = typed.toLowerCase();
  let best: { word: string; distance: number } | undefined;
  for (const word of known) {
    const distance = editDistance(wanted, word);
    if (best === undefined || distance < best.distance) best = { word, distance };
  }
  return best !== undefined && best.distance <= Math.max(1, Math.floor(best.word.length / 3)) ? best.word : undefined;
}

/** Edits (insert, delete, replace, swap two neighbours) from a to b: `contnets` is one from `contents`. */
function editDistance(a: string, b: string): number {
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
