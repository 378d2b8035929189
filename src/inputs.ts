/**
 * The names a user gives values by: each Action input with the CLI flag
 * that gives the same value. A message names an input with `input(NAME)`,
 * and the front end that prints it spells it as its user typed it:
 * `maxLayers` in the Action's log, `--max-layers` on the command line.
 */
export const INPUT_FLAGS = {
  name: 'name',
  tag: 'tag',
  tags: 'tag',
  contents: 'contents',
  config: 'config',
  maxLayers: 'max-layers',
  created: 'created',
  architecture: 'architecture',
  platform: 'platform',
  output: 'output',
  outputFormat: 'output-format',
  compression: 'compression',
  push: 'push',
  pushByDigest: 'push-by-digest',
  manifestFormat: 'manifest-format',
  cacheFrom: 'cache-from',
  insecureRegistries: 'insecure-registry',
  retries: 'retries',
  username: 'username',
  password: 'password-stdin',
  fromImage: 'from-image',
  extraCommands: 'extra-commands',
  includeNixDB: 'include-nix-db',
  layering: 'layering',
  groupPopular: 'group-popular',
  hints: 'hint',
  uid: 'uid',
  gid: 'gid',
  uname: 'uname',
  gname: 'gname',
  mtime: 'mtime',
  index: 'manifest',
} as const;

export type InputName = keyof typeof INPUT_FLAGS;

/** Whose words a message is printed in. */
export type Spelling = 'action' | 'cli';

// Private-use characters: nothing a user types, so nothing to mistake.
const OPEN = '\uE000';
const CLOSE = '\uE001';
const MARKED = /\uE000(\w+)\uE001/g;

/** An input's name inside a message, to be spelled by `spellInputs`. */
export function input(name: InputName): string {
  return `${OPEN}${name}${CLOSE}`;
}

/** A message with each input named as the front end's user knows it. */
export function spellInputs(message: string, spelling: Spelling): string {
  return message.replace(MARKED, (_, name: string) => {
    if (spelling === 'action' || !Object.hasOwn(INPUT_FLAGS, name)) return name;
    return `--${INPUT_FLAGS[name as InputName]}`;
  });
}
