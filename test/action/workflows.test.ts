import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { localActionProblems } from '../support/workflow-checks.js';
import { readAction, workflowErrors, type ActionDefinition } from '../support/workflow-parser.js';
import { REPO } from '../support/paths.js';

const WORKFLOWS = path.join(REPO, '.github', 'workflows');
const workflowFiles = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)).sort();

/** What the runner would read, checked by GitHub's own parser. */
describe('the workflows and action.yml, as the runner reads them', () => {
  it('finds the workflows', () => {
    assert.deepEqual(workflowFiles, ['check-dist.yml', 'ci.yml']);
  });

  for (const file of workflowFiles) {
    it(`${file} has no error GitHub's workflow parser reports`, async () => {
      const content = readFileSync(path.join(WORKFLOWS, file), 'utf8');
      assert.deepEqual(await workflowErrors(file, content), []);
    });
  }

  it("action.yml has no error GitHub's action parser reports, and its main is there", async () => {
    const action = await readAction(path.join(REPO, 'action.yml'));
    assert.deepEqual(action.errors, []);
    assert.equal(action.main, 'dist/index.js');
    assert.ok(existsSync(path.join(REPO, action.main)));
    // name may be left out where every tag is a full reference (NAME:TAG); contents is read like any input.
    assert.equal(action.inputs.find((i) => i.id === 'name')?.required, false);
    assert.ok(action.inputs.some((i) => i.id === 'contents'));
  });

  for (const file of workflowFiles) {
    it(`${file}: every uses: ./ step gives declared inputs, the required ones, and later steps read declared outputs`, async () => {
      const action = await readAction(path.join(REPO, 'action.yml'));
      assert.deepEqual(action.errors, []);
      assert.deepEqual(localActionProblems(file, readFileSync(path.join(WORKFLOWS, file), 'utf8'), action), []);
    });
  }
});

/** The checks above catch what they are for: a check that finds nothing in anything proves nothing. */
describe('the workflow checks, on broken workflows', () => {
  const workflow = (steps: string) => `on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n${steps}`;

  it("GitHub's parser reports a bad expression and an unknown key", async () => {
    const errors = await workflowErrors('bad.yml', workflow('      - run: echo ${{ github.sha ) }}\n      - runs: echo\n'));
    assert.ok(errors.some((e) => /Line: 6, Col: 14\): Unexpected symbol: '\)'/.test(e)), errors.join('\n'));
    assert.ok(errors.some((e) => /Line: 7, Col: 9\): Unexpected value 'runs'/.test(e)), errors.join('\n'));
  });

  it("GitHub's parser reports what only its conversion finds: needs naming no job, a reserved step id", async () => {
    const content = `${workflow('      - id: __mine\n        run: echo\n').replace('    runs-on:', '    needs: nowhere\n    runs-on:')}  b:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo\n`;
    const errors = await workflowErrors('needs.yml', content);
    assert.ok(errors.some((e) => /Job 'a' depends on unknown job 'nowhere'/.test(e)), errors.join('\n'));
    assert.ok(errors.some((e) => /IDs starting with '__' are reserved/.test(e)), errors.join('\n'));
  });

  it("GitHub's action parser reports an action.yml that is not YAML (the one before c365947)", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'action-yml-'));
    try {
      await writeFile(path.join(dir, 'action.yml'), 'name: x\ndescription: y\noutputs:\n  layers:\n    description: a report (digest, size: its bytes)\nruns:\n  using: node24\n  main: a.js\n');
      const action = await readAction(path.join(dir, 'action.yml'));
      assert.match(action.errors.join('\n'), /Nested mappings are not allowed/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the project checks report unknown and missing inputs, unknown outputs and references to no earlier step', () => {
    const action: ActionDefinition = {
      errors: [],
      main: 'dist/index.js',
      inputs: [{ id: 'name', required: true }, { id: 'push', required: false }],
      outputs: [{ id: 'imageRef' }],
    };
    const steps = [
      '      - run: echo ${{ steps.later.outputs.x }}',
      '      - id: build',
      '        uses: ./',
      '        with:',
      '          push: true',
      '          nmae: app',
      '      - if: steps.build.outputs.imageref != \'\'',
      '        run: echo ${{ steps.build.outputs.imageTag }}',
      '      - id: later',
      '        run: echo',
    ].join('\n');
    assert.deepEqual(localActionProblems('w.yml', workflow(steps), action), [
      'w.yml: job a, step 1: steps.later.outputs.x: no earlier step has id later',
      'w.yml: job a, step 2: input nmae is not declared in action.yml',
      'w.yml: job a, step 2: required input name not given',
      'w.yml: job a, step 3: steps.build.outputs.imageTag: action.yml declares no output imageTag',
    ]);
  });
});
