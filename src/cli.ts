#!/usr/bin/env node
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build, explain, type BuildReport } from './pipeline.js';
import { formatPlan } from './plan/explain.js';
import { UserError, errnoCode, messageOf } from './errors.js';
import { spellInputs } from './inputs.js';
import { checkFlagNames, closest } from './unknown-flags.js';
import { credentialFlags } from './cli-credentials.js';
import type { Logger } from './log.js';
import { makeIndex } from './make-index.js';
import { DEFAULT_CREATED, DEFAULT_LAYERING, DEFAULT_MAX_LAYERS, MAX_LAYERS_LIMIT, parseIndexOptions, parseOptions } from './options.js';
import { DEFAULT_TAR_SETTINGS } from './layer/tar-header.js';
import { isLayerWorkerThread } from './layer/workers.js';
import { cleanUpOnSignals } from './util/temp.js';

export const FLAGS = {
  name: { type: 'string' },
  tag: { type: 'string', multiple: true },
  contents: { type: 'string', multiple: true },
  config: { type: 'string' },
  'max-layers': { type: 'string' },
  created: { type: 'string' },
  architecture: { type: 'string' },
  platform: { type: 'string' },
  output: { type: 'string', short: 'o' },
  'output-format': { type: 'string' },
  compression: { type: 'string' },
  push: { type: 'boolean' },
  'push-by-digest': { type: 'boolean' },
  'manifest-format': { type: 'string' },
  'cache-from': { type: 'string', multiple: true },
  'insecure-registry': { type: 'string', multiple: true },
  retries: { type: 'string' },
  username: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  authfile: { type: 'string' },
  'cache-dir': { type: 'string' },
  'no-cache': { type: 'boolean' },
  json: { type: 'boolean' },
  'from-image': { type: 'string' },
  'extra-commands': { type: 'string' },
  'include-nix-db': { type: 'boolean' },
  layering: { type: 'string' },
  'group-popular': { type: 'string' },
  hint: { type: 'string', multiple: true },
  explain: { type: 'boolean' },
  uid: { type: 'string' },
  gid: { type: 'string' },
  uname: { type: 'string' },
  gname: { type: 'string' },
  mtime: { type: 'string' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** A line of `build --help` for each flag: a flag missing here does not compile. */
const HELP: Record<keyof typeof FLAGS, { arg?: string; text: string }> = {
  name: { arg: 'NAME', text: 'image name (required); with --push, its host names the registry' },
  tag: { arg: 'TAG', text: 'image tag, repeatable; all are pushed (default: from the image id)' },
  contents: { arg: 'PATH', text: 'a store path or a link to one, repeatable: its closure goes in' },
  config: { arg: 'JSON|@FILE', text: 'image config as JSON (Cmd, Env, …), or read from FILE (default {})' },
  'max-layers': { arg: 'N', text: `total layers, customisation layer included, 2–${MAX_LAYERS_LIMIT} (default ${DEFAULT_MAX_LAYERS})` },
  created: { arg: 'ISO|now', text: `image creation time, RFC 3339 or now (default ${DEFAULT_CREATED})` },
  architecture: { arg: 'ARCH', text: "GOARCH name for the config, such as arm64 (default this machine's)" },
  platform: { arg: 'OS/ARCH[/VAR]', text: 'image platform: linux/arm64, linux/arm/v7, … (default linux/ARCH)' },
  output: { arg: 'FILE|DIR|-', text: 'stdout if -; default ./NAME.tar|-oci, / and : as -; none on --push' },
  'output-format': { arg: 'FORMAT', text: 'docker-archive, or oci for an OCI layout (default docker-archive)' },
  compression: { arg: 'ALGO', text: 'blobs of a push or an OCI layout: gzip, zstd or none (default gzip)' },
  push: { text: 'push NAME:TAG for each tag, uploading only blobs the registry lacks' },
  'push-by-digest': { text: 'push with no tag (an index tags it): the report gives NAME@DIGEST' },
  'manifest-format': { arg: 'FORMAT', text: 'manifest of a push: oci, or docker (gzip layers only) (default oci)' },
  'cache-from': { arg: 'REF', text: 'image whose layers a push reuses, repeatable (default: TAGs, latest)' },
  'insecure-registry': { arg: 'HOST', text: 'registry spoken to over plain HTTP, repeatable (loopback always is)' },
  retries: { arg: 'N', text: 'retries on 429, 5xx or a dropped connection, 0–20 (default 5)' },
  username: { arg: 'USER', text: 'registry username; its password comes from --password-stdin' },
  'password-stdin': { text: "read --username's password from standard input, as docker login" },
  authfile: { arg: 'FILE', text: 'the one credential file read, as podman --authfile takes it' },
  'cache-dir': { arg: 'DIR', text: 'blob cache (default ${XDG_CACHE_HOME:-~/.cache}/layered-image)' },
  'no-cache': { text: 'read and keep no cache: every blob made again (not with --cache-dir)' },
  json: { text: 'print the build report, or the --explain plan, as one JSON object' },
  'from-image': { arg: 'TARBALL', text: 'a docker-archive to build on: its layers go first' },
  'extra-commands': { arg: 'SCRIPT', text: "shell script run in the customisation layer's directory" },
  'include-nix-db': { text: "put a Nix database of the image's store paths in /nix/var/nix/db" },
  layering: { arg: 'KIND', text: `how store paths fill the layers: size or popularity (default ${DEFAULT_LAYERING})` },
  'group-popular': { arg: 'N', text: 'the N most popular paths share the lowest layer (default 0, off)' },
  hint: { arg: 'KIND:PATTERN', text: 'deeper: or top: for paths named like PATTERN (glibc-*), repeatable' },
  explain: { text: 'print the layer plan (sizes, paths and why) and build nothing' },
  uid: { arg: 'N', text: `owner id of every file in every layer (default ${DEFAULT_TAR_SETTINGS.uid})` },
  gid: { arg: 'N', text: `group id of every file in every layer (default ${DEFAULT_TAR_SETTINGS.gid})` },
  uname: { arg: 'NAME', text: `owner name of every file in every layer (default ${DEFAULT_TAR_SETTINGS.uname})` },
  gname: { arg: 'NAME', text: `group name of every file in every layer (default ${DEFAULT_TAR_SETTINGS.gname})` },
  mtime: { arg: 'SECONDS|ISO', text: `mtime of every file in every layer, seconds or RFC 3339 (default ${DEFAULT_TAR_SETTINGS.mtime})` },
  debug: { text: 'on an internal error, print its stack' },
  help: { text: 'print this help' },
};

export const INDEX_FLAGS = {
  name: { type: 'string' },
  tag: { type: 'string', multiple: true },
  manifest: { type: 'string', multiple: true },
  'manifest-format': { type: 'string' },
  'insecure-registry': { type: 'string', multiple: true },
  retries: { type: 'string' },
  username: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  authfile: { type: 'string' },
  json: { type: 'boolean' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const INDEX_HELP: Record<keyof typeof INDEX_FLAGS, { arg?: string; text: string }> = {
  name: { arg: 'NAME', text: 'image name (required): the repository holding the manifests' },
  tag: { arg: 'TAG', text: 'tag the index is pushed under, repeatable (at least one)' },
  manifest: { arg: 'DIGEST', text: "a pushed manifest's digest or NAME@DIGEST, repeatable" },
  'manifest-format': { arg: 'FORMAT', text: 'oci, an image index, or docker, a manifest list (default oci)' },
  'insecure-registry': HELP['insecure-registry'],
  retries: HELP.retries,
  username: HELP.username,
  'password-stdin': HELP['password-stdin'],
  authfile: HELP.authfile,
  json: { text: 'print the report (digest, refs, manifests) as one JSON object' },
  debug: HELP.debug,
  help: HELP.help,
};

const COMMANDS = ['build', 'index', 'version', 'help'];

const USAGE = 'usage: layered-image build --name NAME [--contents PATH ...] [flag ...]';
const INDEX_USAGE = 'usage: layered-image index --name NAME --tag TAG --manifest DIGEST [--manifest DIGEST ...]';

const GENERAL_HELP = `${USAGE}
       ${INDEX_USAGE.slice('usage: '.length)}
       layered-image --version
       layered-image --help

Builds a layered Docker/OCI image from Nix store closures, making only what changed.

commands:
  build     build an image (layered-image build --help lists its flags)
  index     push one tag for images of several platforms, pushed by digest (index --help)
  version   print the version (also --version)
  help      print this help (also --help, -h)
`;

type Flags = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;

function flagHelp(usage: string, flags: Flags, help: Record<string, { arg?: string; text: string }>): string {
  const rows = Object.entries(help).map(([flag, { arg, text }]) => {
    const short = flags[flag]?.short;
    return { head: `${short === undefined ? '    ' : `-${short}, `}--${flag}${arg === undefined ? '' : ` ${arg}`}`, text };
  });
  const width = Math.max(...rows.map((r) => r.head.length)) + 2;
  return `${usage}\n\nflags:\n${rows.map((r) => `  ${r.head.padEnd(width)}${r.text}\n`).join('')}`;
}

/** package.json's version: of the checkout, or of the installed package (dist/ has a package.json too, nameless). */
function version(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const pkg = readPackage(path.join(dir, 'package.json'));
    if (pkg?.name === 'layered-image' && typeof pkg.version === 'string') return pkg.version;
    if (path.dirname(dir) === dir) throw new Error(`no package.json of layered-image above ${fileURLToPath(import.meta.url)}`);
  }
}

function readPackage(file: string): { name?: unknown; version?: unknown } | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return undefined;
    throw e;
  }
}

/** Runs the CLI and returns its exit status; never exits the process itself. */
export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    const [command, ...rest] = argv;
    if (command === '--version' || command === 'version') {
      process.stdout.write(`layered-image ${version()}\n`);
      return 0;
    }
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      // No command at all is a usage error: the help goes to stderr then.
      (command === undefined ? process.stderr : process.stdout).write(GENERAL_HELP);
      return command === undefined ? 2 : 0;
    }
    if (command === 'index') return await indexCommand(rest);
    if (command !== 'build') {
      // `layered-image --name x …`: the flags are right, the command is missing.
      if (command.startsWith('-')) throw new UserError(`a command comes first: layered-image build ${command} … (layered-image --help lists them)`);
      const meant = closest(command, COMMANDS);
      throw new UserError(`unknown command "${command}"${meant === undefined ? '' : `; did you mean ${meant}?`} (layered-image --help lists them)`);
    }
    return await buildCommand(rest);
  } catch (e) {
    if (e instanceof UserError) {
      process.stderr.write(`layered-image: ${spellInputs(e.marked.split('\n')[0] ?? '', 'cli')}\n`);
      return 1;
    }
    process.stderr.write(
      debug && e instanceof Error ? `${e.stack}\n` : `layered-image: internal error: ${messageOf(e)} (--debug shows where)\n`,
    );
    return 70;
  }
}

/** `layered-image build`: flags to options, then the build or its plan. */
async function buildCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, FLAGS, 'build');
  if (values.help) {
    process.stdout.write(flagHelp(USAGE, FLAGS, HELP));
    return 0;
  }
  if (positionals.length > 0) throw new UserError(`unexpected argument "${positionals[0]}"`);
  const opts = await parseOptions({
    name: values.name,
    tags: values.tag,
    contents: values.contents ?? [],
    config: values.config,
    maxLayers: values['max-layers'],
    created: values.created,
    architecture: values.architecture,
    platform: values.platform,
    output: values.output,
    stdoutAllowed: true,
    outputFormat: values['output-format'],
    compression: values.compression,
    push: values.push,
    pushByDigest: values['push-by-digest'],
    manifestFormat: values['manifest-format'],
    cacheFrom: values['cache-from'],
    insecureRegistries: values['insecure-registry'],
    retries: values.retries,
    ...(await credentialFlags(values, values.push === true || values['push-by-digest'] === true)),
    cacheDir: values['cache-dir'],
    noCache: values['no-cache'],
    fromImage: values['from-image'],
    extraCommands: values['extra-commands'],
    includeNixDB: values['include-nix-db'],
    layering: values.layering,
    groupPopular: values['group-popular'],
    hints: values.hint,
    explain: values.explain,
    uid: values.uid,
    gid: values.gid,
    uname: values.uname,
    gname: values.gname,
    mtime: values.mtime,
  });
  if (opts.explain) {
    const plan = await explain(opts, stderrLogger());
    process.stdout.write(values.json ? `${JSON.stringify(plan)}\n` : formatPlan(plan));
    return 0;
  }
  const toStdout = opts.output?.kind === 'stdout';
  if (toStdout && values.json) throw new UserError('--json prints to standard output, which --output - gives to the image');
  const report = await build(opts, stderrLogger());
  // With --output -, standard output carries the image alone.
  (toStdout ? process.stderr : process.stdout).write(values.json ? `${JSON.stringify(report)}\n` : humanReport(report));
  return 0;
}

/** `layered-image index`: reads the manifests, checks them, pushes the index. */
async function indexCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, INDEX_FLAGS, 'index');
  if (values.help) {
    process.stdout.write(flagHelp(INDEX_USAGE, INDEX_FLAGS, INDEX_HELP));
    return 0;
  }
  if (positionals.length > 0) throw new UserError(`unexpected argument "${positionals[0]}"`);
  const opts = parseIndexOptions({
    name: values.name,
    tags: values.tag,
    manifests: values.manifest ?? [],
    manifestFormat: values['manifest-format'],
    insecureRegistries: values['insecure-registry'],
    retries: values.retries,
    ...(await credentialFlags(values, true)),
  });
  const report = await makeIndex(opts, stderrLogger());
  const rows = report.manifests.map((m) => `  ${m.platform.padEnd(16)}  ${m.digest}`);
  process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : [`pushed ${report.refs.join(', ')}`, `  ${report.digest}`, ...rows, ''].join('\n'));
  return 0;
}

function parseFlags<F extends Flags>(args: string[], flags: F, command: 'build' | 'index') {
  const joined = joinDashValues(args, flags);
  checkFlagNames(joined, flags, command);
  let parsed;
  try {
    parsed = parseArgs({ args: joined, options: flags, strict: true, allowPositionals: true });
  } catch (e) {
    // parseArgs' own messages run over several lines; keep the first, and
    // say a forgotten value plainly (`--tag --push`, `--name` last).
    const first = messageOf(e).split('\n')[0] ?? 'bad arguments';
    const forgotten = /^Option '(?:-\w, )?(--[\w-]+)(?: <value>)?' argument (?:missing|is ambiguous)/.exec(first);
    const boolean = /^Option '(?:-\w, )?(--[\w-]+)' does not take an argument/.exec(first);
    if (boolean !== null) throw new UserError(`${boolean[1] as string} takes no value: give it alone to turn it on`);
    throw new UserError(forgotten === null ? first : `${forgotten[1] as string} needs a value`);
  }
  for (const [flag, value] of Object.entries(parsed.values)) {
    const values = Array.isArray(value) ? value : [value];
    if (values.some((v) => v === '')) throw new UserError(`--${flag} needs a value, got an empty one`);
  }
  return parsed;
}

/**
 * `--tag -v1` or `--max-layers -1`: a value that starts with a dash but is
 * not a flag belongs to the flag before it, so the value gets checked and
 * named rather than parseArgs calling the command line ambiguous.
 */
function joinDashValues(args: string[], flags: Flags): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const next = args[i + 1];
    const option = arg.startsWith('--') ? flags[arg.slice(2)] : undefined;
    // `--tag --contnets` is left to checkFlagNames: a slip, not a value.
    if (option?.type === 'string' && next !== undefined && next.startsWith('-') && !next.startsWith('--') && !isFlag(next, flags)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

function isFlag(arg: string, flags: Flags): boolean {
  if (arg.startsWith('--')) return Object.hasOwn(flags, arg.slice(2).split('=')[0] as string);
  return Object.values(flags).some((f) => f.short !== undefined && arg === `-${f.short}`);
}

/** Progress on stderr, each line led by its phase: `closure: 32 store paths, …`. */
function stderrLogger(): Logger {
  let phase = '';
  return {
    info: (m) => process.stderr.write(`${phase}${spellInputs(m, 'cli')}\n`),
    warning: (m) => process.stderr.write(`layered-image: warning: ${spellInputs(m, 'cli')}\n`),
    group: async (name, run) => {
      phase = `${name.toLowerCase()}: `;
      try {
        return await run();
      } finally {
        phase = '';
      }
    },
  };
}

function humanReport(r: BuildReport): string {
  const rows = r.layers.map((l, i) => {
    const what = l.source === 'base' ? '(base image layer)' : l.paths.length === 0 ? '(customisation layer)' : l.paths.length === 1 ? l.paths[0] : `${l.paths.length} store paths`;
    return `${String(i + 1).padStart(3)}  ${l.digest.slice(7, 19)}  ${String(l.size).padStart(12)}  ${l.source.padEnd(8)}  ${what}`;
  });
  const cache = `  store layers: ${r.cache.restored} restored, ${r.cache.built} built, ${r.cache.saved} saved to the cache`;
  const b = r.push?.blobs;
  const pushed = r.push === undefined || b === undefined ? [] : [`pushed ${r.push.refs.join(', ')}`, `  ${r.push.digest}: ${b.uploaded} blobs uploaded (${b.uploadedBytes} bytes), ${b.mounted} mounted, ${b.existing} already there`];
  const image = r.imagePath === undefined ? [] : [`image ${r.imagePath}`];
  return [...image, ...pushed, `  ${r.imageName}:${r.imageTag}  ${r.imageId}`, cache, ...rows, ''].join('\n');
}

function isEntryPoint(): boolean {
  const argv1 = process.argv[1];
  if (argv1 === undefined) return false;
  try {
    return realpathSync(argv1) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint() && !isLayerWorkerThread()) {
  cleanUpOnSignals();
  process.exitCode = await main(process.argv.slice(2));
}
