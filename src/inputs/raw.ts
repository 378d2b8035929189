import { rowsOf, type Command, type Inputs, type Key, type ListRow, type Row, type SwitchRow, type TextRow } from './table.js';

type ValueOf<R> = R extends { kind: 'list' } ? readonly string[] : R extends { kind: 'switch' } ? boolean : string;

type OptionKey<C extends Command> = {
  [K in Key]: Inputs[K] extends { cliOwn: true } ? never : C extends Inputs[K]['commands'][number] ? K : never;
}[Key];

/**
 * What a front end hands options.ts for a command, still unchecked: one
 * field for each row of the table the command takes. Undefined is a value
 * not given; options.ts then takes the table's default.
 */
export type RawValues<C extends Command> = { [K in OptionKey<C>]?: ValueOf<Inputs[K]> | undefined };

/** How a front end reads a row's value: undefined when its user gave none. */
export interface Reader {
  text(row: TextRow): string | undefined;
  list(row: ListRow): readonly string[] | undefined;
  switch(row: SwitchRow): boolean | undefined;
}

/**
 * Every option of a command, read through the front end's reader, with
 * the table's default for each one not given: the CLI and the Action hand
 * options.ts the same shape, the same values for the same request.
 */
export function collect<C extends Command>(command: C, read: Reader): RawValues<C> {
  const raw: Record<string, unknown> = {};
  for (const [key, row] of rowsOf(command)) {
    if (row.cliOwn) continue;
    raw[key] = readRow(row, read);
  }
  return raw as RawValues<C>;
}

function readRow(row: Row, read: Reader): string | readonly string[] | boolean | undefined {
  switch (row.kind) {
    case 'text':
      return read.text(row) ?? row.default;
    case 'list':
      return read.list(row) ?? [];
    case 'switch':
      return read.switch(row) ?? row.default;
  }
}
