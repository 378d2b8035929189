import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { REPO } from '../support/paths.js';
import { runJob, type JobResult } from '../support/workflow-runner.js';

const CI = path.join(REPO, '.github', 'workflows', 'ci.yml');
const JOB_MS = 10 * 60_000;

/** The failed step's log, else every step's name: what a reader of a failure needs. */
function report(result: JobResult): string {
  const failed = result.steps.find((s) => s.status !== 0);
  if (failed === undefined) return result.steps.map((s) => s.name).join('\n');
  return `step "${failed.name}" exited with ${failed.status}; not run: ${result.skipped.join(', ') || 'none'}\n${failed.log}`;
}

/** The Action's own jobs in ci.yml, run here by the stand-in runner on the committed dist/index.js. */
describe('ci.yml, as a runner would run it', () => {
  const content = readFileSync(CI, 'utf8');
  const stepCount = (job: string) => ((parse(content) as { jobs: Record<string, { steps: unknown[] }> }).jobs[job]?.steps ?? []).length;

  it('job end-to-end: two builds of one image, byte for byte; docker loads and runs them', { timeout: JOB_MS }, async () => {
    const result = await runJob({ name: 'ci', content }, 'end-to-end');
    assert.ok(result.ok, report(result));
    assert.equal(result.steps.length, stepCount('end-to-end'));
    const by = (id: string) => result.steps.find((s) => s.id === id)?.outputs ?? {};
    assert.match(by('closure')['count'] ?? '', /^[1-9]\d*$/);
    assert.equal(by('second')['imageId'], by('first')['imageId']);
    assert.match(by('derived')['imagePath'] ?? '', /derived\.tar$/);
  });

  it('job push: two pushes, the second uploading only what changed; docker pulls and runs it', { timeout: JOB_MS }, async () => {
    const result = await runJob({ name: 'ci', content }, 'push');
    assert.ok(result.ok, report(result));
    assert.equal(result.steps.length, stepCount('push'));
    const second = result.steps.find((s) => s.id === 'second')?.outputs ?? {};
    assert.match(second['imageRef'] ?? '', /^localhost:\d+\/e2e\/app@sha256:[0-9a-f]{64}$/);
  });
});
