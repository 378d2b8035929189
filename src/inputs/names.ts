import { MARKED } from './marker.js';
import { ROWS, type Inputs, type Key } from './table.js';

/**
 * The names a user gives values by. A message names an input with
 * `input(NAME)`, and the front end that prints it spells it as its user
 * typed it: `maxLayers` in the Action's log, `--max-layers` on the command line.
 */

/** The Action inputs whose flag gives the same value; --no-cache says the opposite of cache. */
type Spelled<R> = R extends { flagTurnsOff: true }
  ? never
  : (R extends { input: infer I extends string } ? I : never) | (R extends { alsoInput: infer A extends string } ? A : never);

export type InputName = { [K in Key]: Spelled<Inputs[K]> }[Key];

export { input } from './marker.js';

/** Each Action input with the CLI flag that gives the same value. */
export const INPUT_FLAGS = Object.fromEntries(
  ROWS.flatMap(([, row]) => (row.flagTurnsOff ? [] : [row.input, row.alsoInput].flatMap((name) => (name === undefined ? [] : [[name, row.flag]])))),
) as Readonly<Record<InputName, string>>;

/** Whose words a message is printed in. */
export type Spelling = 'action' | 'cli';

/** A message with each input named as the front end's user knows it. */
export function spellInputs(message: string, spelling: Spelling): string {
  return message.replace(MARKED, (_, name: string) => {
    if (spelling === 'action' || !Object.hasOwn(INPUT_FLAGS, name)) return name;
    return `--${INPUT_FLAGS[name as InputName]}`;
  });
}
