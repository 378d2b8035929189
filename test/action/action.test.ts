import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { skopeoInspect } from '../support/consumers.js';
import { nixBuild } from '../support/nix.js';
import { CLOSURE_NIX, REPO } from '../support/paths.js';

/** Runs the committed Action bundle as the runner does: inputs in INPUT_* variables. */
async function runAction(dir: string, inputs: Record<string, string>) {
  const outputFile = path.join(dir, `output-${Math.random().toString(36).slice(2)}`);
  await writeFile(outputFile, '');
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], RUNNER_TEMP: dir, GITHUB_OUTPUT: outputFile };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  const r = spawnSync(process.execPath, [path.join(REPO, 'dist', 'index.js')], { env, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, outputs: parseOutputs(await readFile(outputFile, 'utf8')) };
}

/** GITHUB_OUTPUT's `name<<DELIMITER … DELIMITER` records. */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /^(\w+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const m of text.matchAll(re)) out[m[1] as string] = m[3] as string;
  return out;
}

describe('the Action bundle (dist/index.js)', () => {
  let dir: string;
  let app: string;
  before(async () => {
    app = nixBuild(CLOSURE_NIX, 'app');
    dir = await mkdtemp(path.join(tmpdir(), 'action-'));
  });

  it('builds an image from INPUT_* variables and writes its outputs', async () => {
    const r = await runAction(dir, { name: 'action-app', contents: `${app}\n`, config: '{"Cmd":["/bin/app"]}', maxLayers: '10', cache: 'false' });
    assert.equal(r.status, 0, r.stdout);
    assert.equal(r.outputs['imagePath'], path.join(dir, 'layered-image.tar'));
    const digests = JSON.parse(r.outputs['layerDigests'] ?? '[]') as string[];
    assert.equal(digests.length, 10);
    assert.deepEqual(skopeoInspect(r.outputs['imagePath'] ?? '').Layers, digests);
  });

  it('fails the step with one ::error:: line naming a bad input', async () => {
    const r = await runAction(dir, { name: 'action-app', contents: app, maxLayers: '1' });
    assert.equal(r.status, 1);
    const errors = r.stdout.split('\n').filter((l) => l.startsWith('::error::'));
    assert.deepEqual(errors, ['::error::maxLayers "1" must be a whole number from 2 to 125']);
  });
});
