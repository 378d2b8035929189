/**
 * What GitHub's parser cannot know about our workflows: that a step using
 * this repository's Action (`uses: ./`) passes the inputs action.yml
 * declares, all the required ones, and that later steps read only outputs
 * action.yml declares. The runner drops an unknown input with a warning and
 * reads an unknown output as "", so a typo in either passes unnoticed.
 */
import { parse } from 'yaml';
import type { ActionDefinition } from './workflow-parser.js';

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  if?: string;
  with?: Record<string, unknown>;
  [key: string]: unknown;
}

interface Job {
  steps?: Step[];
  outputs?: Record<string, unknown>;
}

const EXPRESSION = /\$\{\{(.*?)\}\}/gs;
const STEP_OUTPUT = /\bsteps\.([A-Za-z_][\w-]*)\.outputs\.([A-Za-z_][\w-]*)/g;

/** Problems with `uses: ./` steps and their outputs in one workflow, one line each. */
export function localActionProblems(file: string, content: string, action: ActionDefinition): string[] {
  const workflow = parse(content) as { jobs?: Record<string, Job> } | null;
  return Object.entries(workflow?.jobs ?? {}).flatMap(([jobId, job]) => jobProblems(`${file}: job ${jobId}`, job, action));
}

function jobProblems(where: string, job: Job, action: ActionDefinition): string[] {
  // Names compare as the runner compares them: without regard to case.
  const inputs = new Map(action.inputs.map((i) => [i.id.toLowerCase(), i]));
  const outputs = new Set(action.outputs.map((o) => o.id.toLowerCase()));
  const steps = job.steps ?? [];
  const earlier = new Map<string, Step>();
  const problems: string[] = [];
  const checkReferences = (at: string, texts: string[]) => {
    for (const m of texts.flatMap((t) => [...t.matchAll(STEP_OUTPUT)])) {
      const [id, output] = [m[1] as string, m[2] as string];
      const step = earlier.get(id);
      if (step === undefined) problems.push(`${at}: steps.${id}.outputs.${output}: no earlier step has id ${id}`);
      else if (isLocalAction(step) && !outputs.has(output.toLowerCase())) problems.push(`${at}: steps.${id}.outputs.${output}: action.yml declares no output ${output}`);
    }
  };
  steps.forEach((step, i) => {
    const at = `${where}, step ${i + 1}${step.name === undefined ? '' : ` (${step.name})`}`;
    checkReferences(at, expressionsIn(step));
    if (isLocalAction(step)) {
      const given = Object.keys(step.with ?? {});
      for (const name of given) if (!inputs.has(name.toLowerCase())) problems.push(`${at}: input ${name} is not declared in action.yml`);
      const required = action.inputs.filter((input) => input.required === true && input.default === undefined);
      for (const input of required) if (!given.some((g) => g.toLowerCase() === input.id.toLowerCase())) problems.push(`${at}: required input ${input.id} not given`);
    }
    if (step.id !== undefined) earlier.set(step.id, step);
  });
  checkReferences(`${where}, outputs`, expressionsIn(job.outputs ?? {}));
  return problems;
}

function isLocalAction(step: Step): boolean {
  return typeof step.uses === 'string' && (step.uses === './' || step.uses === '.');
}

/** The expression text of every `${{ … }}` in a value, and an `if:` (an expression without them). */
function expressionsIn(value: unknown): string[] {
  if (typeof value === 'string') return [...value.matchAll(EXPRESSION)].map((m) => m[1] as string);
  if (Array.isArray(value)) return value.flatMap(expressionsIn);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => (k === 'if' && typeof v === 'string' && !v.includes('${{') ? [v] : expressionsIn(v)));
}
