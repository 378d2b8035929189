import { UserError } from '../errors.js';

/** A directory entry's name, refusing names that are not UTF-8 rather than mangling them. */
export function utf8Name(raw: Buffer, dir: string): string {
  const name = raw.toString('utf8');
  if (!Buffer.from(name, 'utf8').equals(raw)) {
    throw new UserError(`a file name in ${dir} is not valid UTF-8 (${raw.toString('hex')}); such names are not supported`);
  }
  return name;
}
