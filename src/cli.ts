#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build, explain, type BuildReport } from './build.js';
import { formatPlan } from './plan/explain.js';
import { UserError, messageOf } from './errors.js';
import type { Logger } from './log.js';
import { parseOptions } from './options.js';
import { isLayerWorkerThread } from './layer/workers.js';
import { cleanUpOnSignals } from './util/temp.js';

const USAGE = `usage: layered-image build --name NAME [--tag TAG ...] --contents PATH [--contents PATH ...]
           [--config JSON | --config @FILE] [--max-layers N] [--created ISO|now]
           [--architecture ARCH] [--output FILE|DIR|-] [--output-format docker-archive|oci] [--cache-dir DIR | --no-cache] [--json]
           [--push] [--compression gzip|zstd|none] [--manifest-format oci|docker] [--cache-from REF ...] [--insecure-registry HOST ...] [--retries N]
           [--from-image TARBALL] [--extra-commands SCRIPT] [--include-nix-db] [--layering size|popularity] [--group-popular N] [--hint deeper:PATTERN|top:PATTERN ...]
           [--uid N] [--gid N] [--uname NAME] [--gname NAME] [--mtime SECONDS|ISO] [--explain]`;

const FLAGS = {
  name: { type: 'string' },
  tag: { type: 'string', multiple: true },
  contents: { type: 'string', multiple: true },
  config: { type: 'string' },
  'max-layers': { type: 'string' },
  created: { type: 'string' },
  architecture: { type: 'string' },
  output: { type: 'string', short: 'o' },
  'output-format': { type: 'string' },
  compression: { type: 'string' },
  push: { type: 'boolean' },
  'manifest-format': { type: 'string' },
  'cache-from': { type: 'string', multiple: true },
  'insecure-registry': { type: 'string', multiple: true },
  retries: { type: 'string' },
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

/** Runs the CLI and returns its exit status; never exits the process itself. */
export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    }
    if (command !== 'build') throw new UserError(`unknown command "${command}"\n${USAGE}`);
    const { values, positionals } = parseFlags(rest);
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
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
      output: values.output,
      stdoutAllowed: true,
      outputFormat: values['output-format'],
      compression: values.compression,
      push: values.push,
      manifestFormat: values['manifest-format'],
      cacheFrom: values['cache-from'],
      insecureRegistries: values['insecure-registry'],
      retries: values.retries,
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
  } catch (e) {
    if (e instanceof UserError) {
      process.stderr.write(`layered-image: ${e.message.split('\n')[0]}\n`);
      return 1;
    }
    process.stderr.write(
      debug && e instanceof Error ? `${e.stack}\n` : `layered-image: internal error: ${messageOf(e)} (--debug shows where)\n`,
    );
    return 70;
  }
}

function parseFlags(args: string[]) {
  let parsed;
  try {
    parsed = parseArgs({ args: joinDashValues(args), options: FLAGS, strict: true, allowPositionals: true });
  } catch (e) {
    // parseArgs' own messages run over several lines; keep the first.
    throw new UserError(messageOf(e).split('\n')[0] ?? 'bad arguments');
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
function joinDashValues(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const next = args[i + 1];
    const option = arg.startsWith('--') ? FLAGS[arg.slice(2) as keyof typeof FLAGS] : undefined;
    if (option?.type === 'string' && next !== undefined && next.startsWith('-') && !isFlag(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

function isFlag(arg: string): boolean {
  if (arg.startsWith('--')) return Object.hasOwn(FLAGS, arg.slice(2).split('=')[0] as string);
  return arg === '-o' || arg === '-h';
}

/** Progress on stderr, each line led by its phase: `closure: 32 store paths, …`. */
function stderrLogger(): Logger {
  let phase = '';
  return {
    info: (m) => process.stderr.write(`${phase}${m}\n`),
    warning: (m) => process.stderr.write(`layered-image: warning: ${m}\n`),
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
