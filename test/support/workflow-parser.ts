/**
 * GitHub's own workflow and action.yml parser (@actions/workflow-parser),
 * loaded through the JSON hook it needs under Node (see json-modules.ts).
 */
import { readFile } from 'node:fs/promises';
import { register } from 'node:module';
import path from 'node:path';
import type { ActionInputDefinition, ActionOutputDefinition } from '@actions/workflow-parser/actions/index';

type WorkflowParser = typeof import('@actions/workflow-parser');
// The package entry has no action parser; its `exports` map ("./*") lets this subpath in.
type ActionParser = typeof import('@actions/workflow-parser/actions/index');

let loaded: Promise<{ workflows: WorkflowParser; actions: ActionParser }> | undefined;

function parser(): Promise<{ workflows: WorkflowParser; actions: ActionParser }> {
  loaded ??= (async () => {
    register(new URL('./json-modules.js', import.meta.url));
    return { workflows: await import('@actions/workflow-parser'), actions: await import('@actions/workflow-parser/actions/index') };
  })();
  return loaded;
}

/**
 * Every error the runner's parser reports for a workflow: YAML, schema,
 * expression syntax, job graph (needs), as it reads them before any run.
 */
export async function workflowErrors(name: string, content: string): Promise<string[]> {
  const { workflows } = await parser();
  const parsed = workflows.parseWorkflow({ name, content }, new workflows.NoOperationTraceWriter());
  if (parsed.value === undefined) return parsed.context.errors.getErrors().map((e) => e.message).concat(`${name}: nothing parsed`);
  // Conversion checks what parsing cannot (needs, matrix, step ids …) and adds to the same errors.
  const template = await workflows.convertWorkflowTemplate(parsed.context, parsed.value);
  return [...new Set([...parsed.context.errors.getErrors().map((e) => e.message), ...(template.errors ?? []).map((e) => e.Message)])];
}

export interface ActionDefinition {
  errors: string[];
  inputs: ActionInputDefinition[];
  outputs: ActionOutputDefinition[];
  /** A JavaScript action's entry file, relative to action.yml. */
  main: string | undefined;
}

/** action.yml as the runner reads it: its errors, inputs and outputs. */
export async function readAction(file: string): Promise<ActionDefinition> {
  const { actions, workflows } = await parser();
  const name = path.basename(file);
  const parsed = actions.parseAction({ name, content: await readFile(file, 'utf8') }, new workflows.NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (parsed.value === undefined || errors.length > 0) return { errors: errors.length > 0 ? errors : [`${name}: nothing parsed`], inputs: [], outputs: [], main: undefined };
  const action = actions.convertActionTemplate(parsed.context, parsed.value);
  const converted = parsed.context.errors.getErrors().map((e) => e.message);
  return { errors: converted, inputs: action.inputs ?? [], outputs: action.outputs ?? [], main: 'main' in action.runs ? action.runs.main : undefined };
}
