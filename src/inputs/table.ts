/**
 * Every value a user gives, once: its Action input, its command-line flag,
 * its default and its help line. The Action reads its inputs through this
 * table, the CLI's flags and `--help` are made from it, and options.ts
 * falls back on its defaults; action.yml declares the same inputs with the
 * same defaults (test/inputs/table.test.ts holds the two together).
 *
 * A row's key is its field in the raw shape both front ends hand
 * options.ts (raw.ts); the table's order is `--help`'s.
 */

export type Command = 'build' | 'index';

interface Common {
  /** The commands that take it; an Action step with `index` is the index command. */
  commands: readonly Command[];
  /** The Action input, as action.yml declares it; none: the command line's alone. */
  input?: string;
  /** A second Action input whose values join the first's. */
  alsoInput?: string;
  /** action.yml says `required: true`. */
  required?: true;
  flag: string;
  /** One letter after one dash. */
  short?: string;
  /** The flag's value as `--help` names it. */
  arg?: string;
  /** `--help`'s line; `{default}` is replaced by the default. */
  help: string;
  /** `index --help`'s line, where the index takes the value differently. */
  indexHelp?: string;
  /** The flag is a switch: the value is read from standard input, never from the command line. */
  flagReadsStdin?: true;
  /** The flag is a switch that turns off what the Action's input leaves on. */
  flagTurnsOff?: true;
  /** A switch of the CLI's own (--json, --help): not an option, never in the raw shape. */
  cliOwn?: true;
  /** Beside the Action's `index`, where a build-only input is refused, this one is only said twice. */
  impliedByIndex?: true;
}

/** One value; the default as action.yml writes it, and as the user would type it. */
export interface TextRow extends Common {
  kind: 'text';
  default?: string;
}

/** Several values: a flag given again, or the Action's input one per line or space- or comma-separated. */
export interface ListRow extends Common {
  kind: 'list';
  /** What separates the Action's values, where a comma may be part of one. */
  split?: RegExp;
}

/** On or off: a flag given alone, or the Action's input true or false. */
export interface SwitchRow extends Common {
  kind: 'switch';
  default?: boolean;
}

export type Row = TextRow | ListRow | SwitchRow;

export const MAX_LAYERS_LIMIT = 125;

const BOTH = ['build', 'index'] as const;
const BUILD = ['build'] as const;
// One second past the epoch, as nixpkgs' dockerTools date their images.
const EPOCH_PLUS_ONE = '1970-01-01T00:00:01Z';

export const INPUTS = {
  name: {
    kind: 'text', commands: BOTH, input: 'name', flag: 'name', arg: 'NAME',
    help: 'image name, else from NAME:TAG tags; its host names the registry',
    indexHelp: "image name, else from NAME:TAG tags: the manifests' repository",
  },
  // Each is in the docker-archive's RepoTags; the first is the report's imageTag.
  tags: {
    kind: 'list', commands: BOTH, input: 'tag', alsoInput: 'tags', flag: 'tag', arg: 'TAG',
    help: 'tag or NAME:TAG, repeatable, all pushed (default: from the image id)',
    indexHelp: 'tag the index is pushed under, repeatable (at least one)',
  },
  manifests: { kind: 'list', commands: ['index'], input: 'index', flag: 'manifest', arg: 'DIGEST', help: "a pushed manifest's digest or NAME@DIGEST, repeatable" },
  // A store path may hold a comma.
  contents: { kind: 'list', commands: BUILD, input: 'contents', split: /\s+/, flag: 'contents', arg: 'PATH', help: 'a store path or a link to one, repeatable: its closure goes in' },
  config: { kind: 'text', commands: BUILD, input: 'config', flag: 'config', arg: 'JSON|@FILE', help: 'image config as JSON (Cmd, Env, …), or read from FILE (default {})' },
  // A label's or an annotation's value may hold spaces and commas: one a line.
  labels: {
    kind: 'list', commands: BUILD, input: 'labels', split: /\r?\n/, flag: 'label', arg: 'KEY=VALUE',
    help: "config label, repeatable; over the same key in --config's Labels",
  },
  annotations: {
    kind: 'list', commands: BOTH, input: 'annotations', split: /\r?\n/, flag: 'annotation', arg: 'KEY=VALUE',
    help: 'annotation (manifest:, index:, *-descriptor: first), repeatable',
    indexHelp: 'index annotation (index:) or of each entry (manifest-descriptor:)',
  },
  // The Action's `true` is a file under RUNNER_TEMP (main.ts), and its output names it.
  sbom: { kind: 'text', commands: BUILD, input: 'sbom', flag: 'sbom', arg: 'FILE', help: "write a CycloneDX SBOM of the image's store paths to FILE" },
  maxLayers: {
    kind: 'text', commands: BUILD, input: 'maxLayers', default: '100', flag: 'max-layers', arg: 'N',
    help: `total layers, customisation layer included, 2–${MAX_LAYERS_LIMIT} (default {default})`,
  },
  created: { kind: 'text', commands: BUILD, input: 'created', default: EPOCH_PLUS_ONE, flag: 'created', arg: 'ISO|now', help: 'image creation time, RFC 3339 or now (default {default})' },
  architecture: { kind: 'text', commands: BUILD, input: 'architecture', flag: 'architecture', arg: 'ARCH', help: "GOARCH name for the config, such as arm64 (default this machine's)" },
  platform: { kind: 'text', commands: BUILD, input: 'platform', flag: 'platform', arg: 'OS/ARCH[/VAR]', help: 'image platform: linux/arm64, linux/arm/v7, … (default linux/ARCH)' },
  // No default here: the Action's is under RUNNER_TEMP, the CLI's named after the image.
  output: { kind: 'text', commands: BUILD, input: 'output', flag: 'output', short: 'o', arg: 'FILE|DIR|-', help: 'stdout if -; default ./NAME.tar|-oci, / and : as -; none on --push' },
  outputFormat: {
    kind: 'text', commands: BUILD, input: 'outputFormat', default: 'docker-archive', flag: 'output-format', arg: 'FORMAT',
    help: 'docker-archive, or oci for an OCI layout (default {default})',
  },
  compression: {
    kind: 'text', commands: BUILD, input: 'compression', default: 'gzip', flag: 'compression', arg: 'ALGO',
    help: 'blobs of a push or an OCI layout: gzip, zstd or none (default {default})',
  },
  push: {
    kind: 'switch', commands: BUILD, input: 'push', default: false, impliedByIndex: true, flag: 'push',
    help: 'push NAME:TAG for each tag, uploading only blobs the registry lacks',
  },
  pushByDigest: {
    kind: 'switch', commands: BUILD, input: 'pushByDigest', default: false, flag: 'push-by-digest',
    help: 'push with no tag (an index tags it): the report gives NAME@DIGEST',
  },
  manifestFormat: {
    kind: 'text', commands: BOTH, input: 'manifestFormat', default: 'oci', flag: 'manifest-format', arg: 'FORMAT',
    help: 'manifest of a push: oci, or docker (gzip layers only) (default {default})',
    indexHelp: 'oci, an image index, or docker, a manifest list (default {default})',
  },
  // No default here: the tags being pushed and latest.
  cacheFrom: { kind: 'list', commands: BUILD, input: 'cacheFrom', flag: 'cache-from', arg: 'REF', help: 'image whose layers a push reuses, repeatable (default: TAGs, latest)' },
  insecureRegistries: {
    kind: 'list', commands: BOTH, input: 'insecureRegistries', flag: 'insecure-registry', arg: 'HOST',
    help: 'registry spoken to over plain HTTP, repeatable (loopback always is)',
  },
  retries: { kind: 'text', commands: BOTH, input: 'retries', default: '5', flag: 'retries', arg: 'N', help: 'retries on 429, 5xx or a dropped connection, 0–20 (default {default})' },
  username: { kind: 'text', commands: BOTH, input: 'username', flag: 'username', arg: 'USER', help: 'registry username; its password comes from --password-stdin' },
  // A flag's value shows in a process list and in shell history.
  password: {
    kind: 'text', commands: BOTH, input: 'password', flag: 'password-stdin', flagReadsStdin: true,
    help: "read --username's password from standard input, as docker login",
  },
  authFile: { kind: 'text', commands: BOTH, flag: 'authfile', arg: 'FILE', help: 'the one credential file read, as podman --authfile takes it' },
  substituters: {
    kind: 'list', commands: BUILD, input: 'substituters', flag: 'substituter', arg: 'URL',
    help: "binary cache for paths not in the store, repeatable (default: Nix's)",
  },
  trustedPublicKeys: {
    kind: 'list', commands: BUILD, input: 'trustedPublicKeys', flag: 'trusted-public-key', arg: 'KEY',
    help: "NAME:KEY signing substituters' paths, repeatable (default: Nix's)",
  },
  netrcFile: { kind: 'text', commands: BUILD, input: 'netrcFile', flag: 'netrc', arg: 'FILE', help: "substituters' credentials (default: Nix's netrc-file)" },
  cacheDir: { kind: 'text', commands: BUILD, flag: 'cache-dir', arg: 'DIR', help: 'blob cache (default ${XDG_CACHE_HOME:-~/.cache}/layered-image)' },
  cache: {
    kind: 'switch', commands: BUILD, input: 'cache', default: true, flag: 'no-cache', flagTurnsOff: true,
    help: 'read and keep no cache: every blob made again (not with --cache-dir)',
  },
  json: {
    kind: 'switch', commands: BOTH, flag: 'json', cliOwn: true,
    help: 'print the build report, or the --explain plan, as one JSON object',
    indexHelp: 'print the report (digest, refs, manifests) as one JSON object',
  },
  fromImage: { kind: 'text', commands: BUILD, input: 'fromImage', flag: 'from-image', arg: 'TARBALL', help: 'a docker-archive to build on: its layers go first' },
  extraCommands: { kind: 'text', commands: BUILD, input: 'extraCommands', flag: 'extra-commands', arg: 'SCRIPT', help: "shell script run in the customisation layer's directory" },
  includeNixDB: {
    kind: 'switch', commands: BUILD, input: 'includeNixDB', default: false, flag: 'include-nix-db',
    help: "put a Nix database of the image's store paths in /nix/var/nix/db",
  },
  layering: {
    kind: 'text', commands: BUILD, input: 'layering', default: 'size', flag: 'layering', arg: 'KIND',
    help: 'how store paths fill the layers: size or popularity (default {default})',
  },
  groupPopular: {
    kind: 'text', commands: BUILD, input: 'groupPopular', default: '0', flag: 'group-popular', arg: 'N',
    help: 'the N most popular paths share the lowest layer (default {default}, off)',
  },
  hints: { kind: 'list', commands: BUILD, input: 'hints', flag: 'hint', arg: 'KIND:PATTERN', help: 'deeper: or top: for paths named like PATTERN (glibc-*), repeatable' },
  explain: { kind: 'switch', commands: BUILD, input: 'explain', default: false, flag: 'explain', help: 'print the layer plan (sizes, paths and why) and build nothing' },
  uid: { kind: 'text', commands: BUILD, input: 'uid', default: '0', flag: 'uid', arg: 'N', help: 'owner id of every file in every layer (default {default})' },
  gid: { kind: 'text', commands: BUILD, input: 'gid', default: '0', flag: 'gid', arg: 'N', help: 'group id of every file in every layer (default {default})' },
  uname: { kind: 'text', commands: BUILD, input: 'uname', default: 'root', flag: 'uname', arg: 'NAME', help: 'owner name of every file in every layer (default {default})' },
  gname: { kind: 'text', commands: BUILD, input: 'gname', default: 'root', flag: 'gname', arg: 'NAME', help: 'group name of every file in every layer (default {default})' },
  mtime: { kind: 'text', commands: BUILD, input: 'mtime', default: EPOCH_PLUS_ONE, flag: 'mtime', arg: 'SECONDS|ISO', help: 'mtime of every file in every layer (default {default})' },
  debug: { kind: 'switch', commands: BOTH, flag: 'debug', cliOwn: true, help: 'on an internal error, print its stack' },
  help: { kind: 'switch', commands: BOTH, flag: 'help', short: 'h', cliOwn: true, help: 'print this help' },
} as const satisfies Record<string, Row>;

export type Inputs = typeof INPUTS;
export type Key = keyof Inputs;

/** The rows typed alike, for code that reads any of their fields. */
export const ROWS: readonly (readonly [Key, Row])[] = Object.entries(INPUTS) as [Key, Row][];

/** The rows a command takes, in the table's order. */
export function rowsOf(command: Command): (readonly [Key, Row])[] {
  return ROWS.filter(([, row]) => row.commands.includes(command));
}

type Defaulted = { [K in Key]: Inputs[K] extends { default: unknown } ? K : never }[Key];

/** Each default, as the row has it: text as typed, a switch as on or off. */
export const DEFAULTS = Object.fromEntries(ROWS.flatMap(([key, row]) => ('default' in row && row.default !== undefined ? [[key, row.default]] : []))) as {
  readonly [K in Defaulted]: Inputs[K] extends { default: infer D } ? (D extends string ? string : boolean) : never;
};
