import type { InputName } from './names.js';

/*
 * Marking an input's name needs nothing of the table of inputs: this module
 * stays apart so that the layer workers' bundle, whose messages name
 * inputs, does not carry the table.
 */

// Private-use characters: nothing a user types, so nothing to mistake.
const OPEN = '\uE000';
const CLOSE = '\uE001';
export const MARKED = /\uE000(\w+)\uE001/g;

/** An input's name inside a message, to be spelled by `spellInputs`. */
export function input(name: InputName): string {
  return `${OPEN}${name}${CLOSE}`;
}

/** A message with every input named as the Action's user knows it: the name alone. */
export function unmarkInputs(message: string): string {
  return message.replace(MARKED, '$1');
}
