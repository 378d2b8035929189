/**
 * A stand-in for GitHub's runner, made to run *our* workflows' jobs here,
 * where no runner can: steps in order, each `${{ }}` evaluated by GitHub's
 * expression library; `run:` with `bash -e {0}` in the checkout, with the
 * step's env and fresh GITHUB_OUTPUT, GITHUB_ENV and GITHUB_STEP_SUMMARY
 * files; `uses: ./` as the runner runs a JavaScript action (`node` on
 * action.yml's main, inputs in INPUT_* with action.yml's defaults, outputs
 * read back from GITHUB_OUTPUT); checkout, setup-node and install-nix as
 * done (the repository, Node and Nix are here). The machine is in
 * runner-host.ts. What our workflows do not use is refused, not guessed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { interpolate, type Contexts } from './expressions.js';
import { REPO } from './paths.js';
import { startHost, type RunnerHost, type ServiceSpec } from './runner-host.js';
import { readAction } from './workflow-parser.js';
import { inputVariable, parseCommandFile } from './action.js';

export interface StepResult {
  name: string;
  id: string | undefined;
  /** The process's exit status; 0 for a step taken as done. */
  status: number;
  /** Its standard output and error, interleaved. */
  log: string;
  outputs: Record<string, string>;
}

export interface JobResult {
  ok: boolean;
  steps: StepResult[];
  /** Steps not run after one failed. */
  skipped: string[];
}

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}

interface Job {
  env?: Record<string, unknown>;
  services?: Record<string, ServiceSpec>;
  steps?: Step[];
}

const JOB_KEYS = new Set(['name', 'runs-on', 'env', 'services', 'steps', 'strategy']);
const STEP_KEYS = new Set(['name', 'id', 'uses', 'run', 'with', 'env']);
/** Set-up actions whose work is done on this machine already. */
const DONE = /^(actions\/checkout|actions\/setup-node|cachix\/install-nix-action)@/;

/** What the steps of one job share as they run. */
interface JobState {
  host: RunnerHost;
  contexts: Contexts & { env: Record<string, string>; steps: Record<string, { outputs: Record<string, string>; outcome: string; conclusion: string }> };
  /** The environment of every step's process, before the job's and step's env. */
  processEnv: NodeJS.ProcessEnv;
}

/** Runs job `jobId` of a workflow; every process, service and file it started is gone when it returns or throws. */
export async function runJob(workflow: { name: string; content: string }, jobId: string, opts: { matrix?: Record<string, unknown> } = {}): Promise<JobResult> {
  const services = readJob(workflow.content, jobId).services ?? {};
  const host = await startHost(services);
  try {
    let content = workflow.content;
    for (const [from, to] of host.portRewrites) content = content.replaceAll(from, to);
    const root = parse(content) as { env?: Record<string, unknown> };
    const job = readJob(content, jobId);
    const state = startState(host, workflow.name, jobId, opts.matrix ?? {});
    for (const [k, v] of [...Object.entries(root.env ?? {}), ...Object.entries(job.env ?? {})]) state.contexts.env[k] = interpolate(String(v), state.contexts);
    const steps: StepResult[] = [];
    const skipped: string[] = [];
    for (const [i, step] of (job.steps ?? []).entries()) {
      if (steps.some((s) => s.status !== 0)) skipped.push(stepName(step, i));
      else steps.push(await runStep(step, i, state));
    }
    return { ok: steps.every((s) => s.status === 0), steps, skipped };
  } finally {
    await host.close();
  }
}

function readJob(content: string, jobId: string): Job {
  const job = (parse(content) as { jobs?: Record<string, Job> }).jobs?.[jobId];
  if (job === undefined) throw new Error(`no job ${jobId}`);
  const unknown = Object.keys(job).filter((k) => !JOB_KEYS.has(k));
  if (unknown.length > 0) throw new Error(`job ${jobId}: the stand-in runner does not take ${unknown.join(', ')}`);
  return job;
}

function startState(host: RunnerHost, workflow: string, jobId: string, matrix: Record<string, unknown>): JobState {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO, encoding: 'utf8' }).trim();
  const branch = git('rev-parse', '--abbrev-ref', 'HEAD');
  const github = {
    run_id: String(randomInt(1e9, 1e10)),
    run_number: '1',
    run_attempt: '1',
    sha: git('rev-parse', 'HEAD'),
    ref: `refs/heads/${branch}`,
    ref_name: branch,
    repository: 'layered-image/layered-image',
    event_name: 'push',
    workflow,
    job: jobId,
    workspace: host.workspace,
    server_url: 'https://github.com',
    actor: 'stand-in',
  };
  const runner = { os: 'Linux', arch: 'X64', name: 'stand-in', temp: host.temp };
  // An enclosing CI job's own variables would mislead the steps: only ours.
  const inherited = Object.entries(process.env).filter(([k]) => !/^(GITHUB_|RUNNER_|ACTIONS_|INPUT_|STATE_)/.test(k));
  const processEnv: NodeJS.ProcessEnv = {
    ...Object.fromEntries(inherited),
    PATH: `${host.bin}:${process.env['PATH'] ?? '/usr/bin:/bin'}`,
    HOME: host.home,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    ...Object.fromEntries(Object.entries(github).map(([k, v]) => [`GITHUB_${k.toUpperCase()}`, v])),
    RUNNER_OS: runner.os,
    RUNNER_ARCH: runner.arch,
    RUNNER_TEMP: runner.temp,
    // Tests here reach loopback only: no binary cache is asked (nothing here is in one).
    NIX_CONFIG: [process.env['NIX_CONFIG'], 'substitute = false'].filter(Boolean).join('\n'),
  };
  return { host, processEnv, contexts: { github, runner, env: {}, matrix, steps: {}, job: {}, secrets: {}, vars: {}, inputs: {} } };
}

function stepName(step: Step, i: number): string {
  return step.name ?? (step.run !== undefined ? `Run ${step.run.split('\n')[0] ?? ''}` : `Run ${step.uses ?? `step ${i + 1}`}`);
}

async function runStep(step: Step, i: number, state: JobState): Promise<StepResult> {
  const name = stepName(step, i);
  const unknown = Object.keys(step).filter((k) => !STEP_KEYS.has(k));
  if (unknown.length > 0) throw new Error(`step ${name}: the stand-in runner does not take ${unknown.join(', ')}`);
  const files = { GITHUB_OUTPUT: 'output', GITHUB_ENV: 'env', GITHUB_STEP_SUMMARY: 'summary' };
  const fileEnv = Object.fromEntries(Object.entries(files).map(([k, f]) => [k, path.join(state.host.root, `step-${i + 1}-${f}`)]));
  for (const file of Object.values(fileEnv)) await writeFile(file, '');
  const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, interpolate(String(v), state.contexts)]));
  const contexts = { ...state.contexts, env: { ...state.contexts.env, ...stepEnv } };
  const env = { ...state.processEnv, ...contexts.env, ...fileEnv };
  let done: { status: number; log: string };
  if (step.run !== undefined) {
    const script = path.join(state.host.root, `step-${i + 1}.sh`);
    await writeFile(script, interpolate(step.run, contexts));
    done = await run('bash', ['-e', script], { cwd: state.host.workspace, env });
  } else if (step.uses === './') {
    done = await runLocalAction(step, contexts, env, state.host);
  } else if (step.uses !== undefined && DONE.test(step.uses)) {
    done = { status: 0, log: `${step.uses}: done on this machine already\n` };
  } else {
    throw new Error(`step ${name}: the stand-in runner cannot run ${step.uses ?? 'a step with neither run nor uses'}`);
  }
  const outputs = parseCommandFile(await readFile(fileEnv['GITHUB_OUTPUT'] as string, 'utf8'));
  Object.assign(state.contexts.env, parseCommandFile(await readFile(fileEnv['GITHUB_ENV'] as string, 'utf8')));
  const outcome = done.status === 0 ? 'success' : 'failure';
  if (step.id !== undefined) state.contexts.steps[step.id] = { outputs, outcome, conclusion: outcome };
  return { name, id: step.id, status: done.status, log: done.log, outputs };
}

/** This repository's JavaScript action, as the runner runs one. */
async function runLocalAction(step: Step, contexts: Contexts, env: NodeJS.ProcessEnv, host: RunnerHost): Promise<{ status: number; log: string }> {
  const action = await readAction(path.join(host.workspace, 'action.yml'));
  if (action.errors.length > 0) return { status: 1, log: `cannot load action.yml:\n${action.errors.join('\n')}\n` };
  if (action.main === undefined) throw new Error('the stand-in runner runs only a JavaScript action');
  const inputs: Record<string, string> = {};
  for (const input of action.inputs) {
    if (input.default === undefined) continue;
    if (input.default.isExpression) throw new Error(`input ${input.id}: the stand-in runner takes literal defaults only`);
    inputs[inputVariable(input.id)] = input.default.toString();
  }
  const declared = new Set(action.inputs.map((i) => i.id.toLowerCase()));
  const unexpected = Object.keys(step.with ?? {}).filter((k) => !declared.has(k.toLowerCase()));
  for (const [k, v] of Object.entries(step.with ?? {})) inputs[inputVariable(k)] = interpolate(String(v), contexts);
  // Node here is the one running the tests, not the runner's node24.
  const done = await run(process.execPath, [path.join(host.workspace, action.main)], { cwd: host.workspace, env: { ...env, ...host.cacheEnv, ...inputs } });
  return unexpected.length === 0 ? done : { ...done, log: `Warning: Unexpected input(s) ${unexpected.join(', ')}\n${done.log}` };
}

function run(command: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<{ status: number; log: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ status: code ?? (signal === null ? 1 : 128), log: Buffer.concat(chunks).toString('utf8') }));
  });
}
