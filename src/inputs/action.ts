import * as core from '@actions/core';
import { UserError } from '../errors.js';
import type { Reader } from './raw.js';
import { INPUTS, ROWS, type Row } from './table.js';

/** Each row from its Action input; nothing else touches core.getInput. */
export function inputReader(): Reader {
  const text = (name: string | undefined) => (name === undefined ? '' : core.getInput(name));
  return {
    text: (row) => text(row.input) || undefined,
    list: (row) => [row.input, row.alsoInput].flatMap((name) => text(name).split(row.split ?? /[\s,]+/).filter((v) => v !== '')),
    switch: (row) => {
      const given = text(row.input);
      if (given === '') return undefined;
      // The YAML 1.2 core schema's booleans, as core.getBooleanInput takes them.
      if (['true', 'True', 'TRUE'].includes(given)) return true;
      if (['false', 'False', 'FALSE'].includes(given)) return false;
      throw new UserError(`${row.input} "${given}" must be true or false`);
    },
  };
}

/** Masked before anything can print it, with the form Basic auth sends. */
export function maskPassword(read: Reader): void {
  const password = read.text(INPUTS.password);
  if (password === undefined) return;
  core.setSecret(password);
  core.setSecret(Buffer.from(`${read.text(INPUTS.username) ?? ''}:${password}`).toString('base64'));
}

/**
 * A step builds an image or makes an index of images built before: an
 * input that only a build reads, given too, is a mistake to say, not to
 * drop. Given means set at all, or a switch turned on; an input with any
 * other default comes from action.yml on every step and says nothing.
 */
export function refuseBuildInputs(read: Reader): void {
  for (const [, row] of ROWS) {
    if (row.input === undefined || row.commands.includes('index') || row.impliedByIndex) continue;
    if (given(row, read)) throw new UserError(`index and ${row.input} cannot go together: a step either builds an image or pushes an index of images pushed before`);
  }
}

function given(row: Row, read: Reader): boolean {
  switch (row.kind) {
    case 'switch':
      return row.default === false && read.switch(row) === true;
    case 'list':
      return (read.list(row) ?? []).length > 0;
    case 'text':
      return row.default === undefined && read.text(row) !== undefined;
  }
}
