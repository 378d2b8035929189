import type { Reader } from './raw.js';
import { rowsOf, type Command, type Row } from './table.js';

/** A flag as node:util's parseArgs takes it. */
export interface Flag {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
}

export type Flags = Record<string, Flag>;

/** The parsed command line: each flag's value by its name. */
export type FlagValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

function flagOf(row: Row): Flag {
  const type = row.kind === 'switch' || row.flagReadsStdin ? 'boolean' : 'string';
  return { type, ...(row.kind === 'list' && { multiple: true }), ...(row.short !== undefined && { short: row.short }) };
}

/** A command's flags, in the table's order: `--help`'s. */
export function flagsOf(command: Command): Flags {
  return Object.fromEntries(rowsOf(command).map(([, row]) => [row.flag, flagOf(row)]));
}

/** `--help`: the usage line, then one line to each flag the command takes. */
export function flagHelp(usage: string, command: Command): string {
  const rows = rowsOf(command).map(([, row]) => {
    const text = (command === 'index' ? (row.indexHelp ?? row.help) : row.help).replace('{default}', String('default' in row ? row.default : ''));
    return { head: `${row.short === undefined ? '    ' : `-${row.short}, `}--${row.flag}${row.arg === undefined ? '' : ` ${row.arg}`}`, text };
  });
  const width = Math.max(...rows.map((r) => r.head.length)) + 2;
  return `${usage}\n\nflags:\n${rows.map((r) => `  ${r.head.padEnd(width)}${r.text}\n`).join('')}`;
}

/**
 * Reads each row from its flag. The password is never a flag's value:
 * cli-credentials.ts reads it from standard input.
 */
export function flagReader(values: FlagValues): Reader {
  return {
    text: (row) => {
      const value = values[row.flag];
      return row.flagReadsStdin || typeof value !== 'string' ? undefined : value;
    },
    list: (row) => {
      const value = values[row.flag];
      return Array.isArray(value) ? value.filter((v) => typeof v === 'string') : undefined;
    },
    switch: (row) => (values[row.flag] === true ? !row.flagTurnsOff : undefined),
  };
}
