#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build, explain, type BuildReport } from './pipeline.js';
import { formatPlan } from './plan/explain.js';
import { UserError, messageOf } from './errors.js';
import { spellInputs } from './inputs.js';
import { checkFlagNames, closest } from './unknown-flags.js';
import { credentialFlags } from './cli-credentials.js';
import type { Logger } from './log.js';
import { makeIndex } from './make-index.js';
import { parseIndexOptions, parseOptions } from './options.js';
import { flagHelp, flagReader, flagsOf, type Flags, type FlagValues } from './inputs/flags.js';
import { collect } from './inputs/raw.js';
import { INPUTS } from './inputs/table.js';
import { isLayerWorkerThread } from './layer/workers.js';
import { cleanUpOnSignals } from './util/temp.js';
import { version } from './version.js';

/** Each command's flags, made from the table of inputs, as parseArgs takes them. */
export const FLAGS = flagsOf('build');
export const INDEX_FLAGS = flagsOf('index');

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
    process.stdout.write(flagHelp(USAGE, 'build'));
    return 0;
  }
  if (positionals.length > 0) throw new UserError(`unexpected argument "${positionals[0]}"`);
  const raw = collect('build', flagReader(values));
  const credentials = await credentialFlags(raw, values[INPUTS.password.flag] === true, raw.push === true || raw.pushByDigest === true);
  const opts = await parseOptions({ ...raw, ...credentials, stdoutAllowed: true });
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
    process.stdout.write(flagHelp(INDEX_USAGE, 'index'));
    return 0;
  }
  if (positionals.length > 0) throw new UserError(`unexpected argument "${positionals[0]}"`);
  const raw = collect('index', flagReader(values));
  const opts = parseIndexOptions({ ...raw, ...(await credentialFlags(raw, values[INPUTS.password.flag] === true, true)) });
  const report = await makeIndex(opts, stderrLogger());
  const rows = report.manifests.map((m) => `  ${m.platform.padEnd(16)}  ${m.digest}`);
  process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : [`pushed ${report.refs.join(', ')}`, `  ${report.digest}`, ...rows, ''].join('\n'));
  return 0;
}

export function parseFlags(args: string[], flags: Flags, command: 'build' | 'index'): { values: FlagValues; positionals: string[] } {
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
