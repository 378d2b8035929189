import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { OUTPUTS, readInputs } from '../../src/main.js';
import { parseIndexOptions, parseOptions, type BuildOptions, type IndexOptions } from '../../src/options.js';
import { ACTION_YML, inputVariable, loadAction, parseActionYml } from '../support/action.js';
import { REPO } from '../support/paths.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const TEMP = '/runner/temp';

/**
 * Runs `body` with process.env replaced by `env` alone, recording every
 * INPUT_* variable read: core.getInput reads nothing else.
 */
function withInputs<T>(env: Record<string, string>, body: () => T): { value: T; read: Set<string> } {
  const read = new Set<string>();
  const saved = process.env;
  process.env = new Proxy<NodeJS.ProcessEnv>({ ...env }, {
    get(target, key) {
      if (typeof key === 'string' && key.startsWith('INPUT_')) read.add(key);
      return target[key as string];
    },
  });
  try {
    return { value: body(), read };
  } finally {
    process.env = saved;
  }
}

/** What the Action builds from these INPUT_* variables, as the engine takes it. */
async function buildOptions(env: Record<string, string>): Promise<BuildOptions> {
  const inputs = withInputs({ RUNNER_TEMP: TEMP, ...env }, readInputs).value;
  assert.ok('build' in inputs);
  return parseOptions(inputs.build, { RUNNER_TEMP: TEMP });
}

function indexOptions(env: Record<string, string>): IndexOptions {
  const inputs = withInputs({ RUNNER_TEMP: TEMP, ...env }, readInputs).value;
  assert.ok('index' in inputs);
  return parseIndexOptions(inputs.index);
}

const BUILD = { INPUT_NAME: 'team/app', INPUT_CONTENTS: '/nix/store/00000000000000000000000000000000-app' };
const INDEX = { INPUT_NAME: '127.0.0.1:5000/team/app', INPUT_TAG: 'latest', INPUT_INDEX: DIGEST };

/** action.yml's defaults as the runner passes them: every input that has one. */
function defaults(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, input] of Object.entries(loadAction().inputs)) if (input.default !== undefined) env[inputVariable(name)] = input.default;
  return env;
}

describe('action.yml, the file the runner reads first', () => {
  it('parses as strict YAML, and the parser used here refuses what broke it before', () => {
    assert.doesNotThrow(() => parseActionYml(readFileSync(ACTION_YML, 'utf8')));
    // The layers output's description once held an unquoted ": " in a plain scalar.
    const broken = 'outputs:\n  layers:\n    description: one object per layer (digest, source: built or restored)\n';
    assert.throws(() => parseActionYml(broken), /does not parse/);
    assert.throws(() => parseActionYml('inputs:\n  tag:\n    description: a\n  tag:\n    description: b\n'), /does not parse/);
  });

  it('runs dist/index.js on node24', () => {
    const { runs, name, inputs } = loadAction();
    assert.equal(runs.using, 'node24');
    assert.equal(runs.main, 'dist/index.js');
    assert.ok(existsSync(path.join(REPO, runs.main)), `${runs.main} is missing`);
    assert.ok(name.length > 0);
    for (const [input, spec] of Object.entries(inputs)) assert.ok(typeof spec.description === 'string' && spec.description.length > 0, `input ${input} has no description`);
  });

  it('declares every input the code reads, and the code reads every input declared', () => {
    // A build reads the build's inputs; an index step the rest (and checks the build's are empty).
    const read = new Set([...withInputs(BUILD, readInputs).read, ...withInputs(INDEX, readInputs).read]);
    const declared = new Set(Object.keys(loadAction().inputs).map(inputVariable));
    assert.deepEqual([...read].filter((v) => !declared.has(v)).sort(), [], 'inputs read but not declared');
    assert.deepEqual([...declared].filter((v) => !read.has(v)).sort(), [], 'inputs declared but never read');
  });

  it("gives each input the default the code has: with action.yml's default the build is the same as with none", async () => {
    const bare = await buildOptions(BUILD);
    for (const [variable, value] of Object.entries(defaults())) {
      assert.deepEqual(await buildOptions({ ...BUILD, [variable]: value }), bare, `${variable}=${value}`);
    }
    // The runner passes them all at once, to an index step too.
    assert.deepEqual(await buildOptions({ ...defaults(), ...BUILD }), bare);
    assert.deepEqual(indexOptions({ ...defaults(), ...INDEX }), indexOptions(INDEX));
  });

  it('declares every output the code sets, and the code sets every output declared', () => {
    assert.deepEqual([...OUTPUTS].sort(), Object.keys(loadAction().outputs).sort());
    for (const [output, spec] of Object.entries(loadAction().outputs)) assert.ok(spec.description.length > 0, `output ${output} has no description`);
  });
});
