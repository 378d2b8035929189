import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { RUN_CONTAINERS_ENV } from '../../src/registry/credentials.js';
import { REPO } from './paths.js';

export interface ActionInput {
  description: string;
  required?: boolean;
  default?: string;
}

/** action.yml as the runner reads it. */
export interface ActionMetadata {
  name: string;
  inputs: Record<string, ActionInput>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
}

export const ACTION_YML = path.join(REPO, 'action.yml');

/**
 * Parses action.yml strictly (YAML 1.2, duplicate keys refused); every error
 * and warning of the parser is a failure, since the runner refuses a file
 * that does not parse before it runs any of our code.
 */
export function parseActionYml(text: string): ActionMetadata {
  const doc = parseDocument(text, { strict: true, uniqueKeys: true, prettyErrors: true });
  const problems = [...doc.errors, ...doc.warnings];
  if (problems.length > 0) throw new Error(`action.yml does not parse: ${problems.map((p) => p.message).join('; ')}`);
  return doc.toJS() as ActionMetadata;
}

let loaded: ActionMetadata | undefined;

export function loadAction(): ActionMetadata {
  loaded ??= parseActionYml(readFileSync(ACTION_YML, 'utf8'));
  return loaded;
}

/** The runner's name for an input's variable: INPUT_ and the name upper-cased, spaces as `_`. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/**
 * The INPUT_* variables a runner sets for a `with:` block: every declared
 * input, the given value or action.yml's default. An input action.yml does
 * not declare is a mistake in the test, not something to pass quietly.
 */
export function inputEnv(inputs: Record<string, string>): Record<string, string> {
  const declared = loadAction().inputs;
  const unknown = Object.keys(inputs).filter((name) => !Object.hasOwn(declared, name));
  if (unknown.length > 0) throw new Error(`inputs not declared in action.yml: ${unknown.join(', ')}`);
  const env: Record<string, string> = {};
  for (const [name, input] of Object.entries(declared)) {
    const value = inputs[name] ?? input.default;
    if (value !== undefined) env[inputVariable(name)] = value;
  }
  return env;
}

/** `name=value` lines and `name<<DELIMITER` … `DELIMITER` blocks, as GITHUB_OUTPUT and GITHUB_ENV hold them. */
export function parseCommandFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const block = /^([^=]+?)<<(.+)$/.exec(line);
    if (block !== null) {
      const end = lines.indexOf(block[2] as string, i + 1);
      if (end < 0) throw new Error(`no end ${block[2] ?? ''} for ${block[1] ?? ''}`);
      values[block[1] as string] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) {
      values[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    } else if (line.trim() !== '') {
      throw new Error(`not a command file line: ${line}`);
    }
  }
  return values;
}

/** GITHUB_OUTPUT's records; each must be an output action.yml declares. */
export function parseOutputs(text: string): Record<string, string> {
  const declared = loadAction().outputs;
  const outputs = parseCommandFile(text);
  for (const name of Object.keys(outputs)) if (!Object.hasOwn(declared, name)) throw new Error(`the Action set output ${name}, which action.yml does not declare`);
  return outputs;
}

export interface BundleRun {
  status: number;
  stdout: string;
  outputs: Record<string, string>;
}

/**
 * Runs the committed bundle as the runner does, in its own process and
 * without blocking this one (servers answer from here): action.yml's
 * `runs.main` with inputs and defaults in INPUT_* variables beside `env`,
 * and its outputs read back from GITHUB_OUTPUT (`env` must name that file).
 */
export async function runBundle(inputs: Record<string, string>, env: NodeJS.ProcessEnv, cwd: string): Promise<BundleRun> {
  const outputFile = env['GITHUB_OUTPUT'];
  if (outputFile === undefined) throw new Error('runBundle needs GITHUB_OUTPUT');
  await writeFile(outputFile, '');
  const main = path.join(REPO, loadAction().runs.main);
  const childEnv = { ...env, ...inputEnv(inputs) };
  const { status, stdout } = await new Promise<{ status: number; stdout: string }>((resolve) => {
    execFile(process.execPath, [main], { env: childEnv, cwd, maxBuffer: 64 << 20 }, (err, out) =>
      resolve({ status: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout: out }),
    );
  });
  return { status, stdout, outputs: parseOutputs(await readFile(outputFile, 'utf8')) };
}

export interface ActionRun {
  status: number;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
  temp: string;
}

/** One CI run of the committed bundle: its own RUNNER_TEMP and workspace (in a new folder under `root`), inputs in INPUT_* variables. */
export async function runAction(root: string, env: Record<string, string>, inputs: Record<string, string>): Promise<ActionRun> {
  const work = await mkdtemp(path.join(root, 'run-'));
  const temp = path.join(work, 'temp');
  const workspace = path.join(work, 'workspace');
  await mkdir(temp);
  await mkdir(workspace);
  const outputFile = path.join(work, 'github-output');
  const summaryFile = path.join(work, 'summary');
  await writeFile(outputFile, '');
  await writeFile(summaryFile, '');
  // The machine's own /run/containers/UID/auth.json is never read.
  const childEnv: NodeJS.ProcessEnv = { PATH: process.env['PATH'], HOME: work, [RUN_CONTAINERS_ENV]: path.join(work, 'run-containers'), GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile, GITHUB_WORKSPACE: workspace, ...env, RUNNER_TEMP: temp };
  const { status, stdout, outputs } = await runBundle(inputs, childEnv, workspace);
  return { status, stdout, outputs, summary: await readFile(summaryFile, 'utf8'), temp };
}
