import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseCommandFile } from './action.js';
import { runJob } from './workflow-runner.js';

/** The stand-in runner does what the runner does with what our workflows use. */
describe('the stand-in runner', () => {
  it('runs steps in order with the contexts, env files and outputs a runner gives; a failed step ends the job; nothing is left', async () => {
    const content = [
      'on: push',
      'env:',
      '  WHO: workflow',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-24.04',
      '    steps:',
      '      - uses: actions/checkout@v4',
      '      - id: one',
      '        run: |',
      '          echo "run=${{ github.run_id }}-${{ github.run_attempt }} temp=${{ runner.temp }} os=${{ matrix.os }}" >> "$GITHUB_OUTPUT"',
      '          printf "text<<EOF\\nline 1\\nline=2\\nEOF\\n" >> "$GITHUB_OUTPUT"',
      '          echo "LATER=from GITHUB_ENV" >> "$GITHUB_ENV"',
      '          sudo --preserve-env=PATH test -f action.yml',
      '      - id: two',
      '        env:',
      '          TEXT: ${{ steps.one.outputs.text }}',
      '        run: |',
      '          echo "$WHO|$LATER|${{ env.LATER }}|$TEXT|$GITHUB_RUN_ID|${{ format(\'{0}!\', steps.one.outputs.run) }}"',
      '          false',
      '      - run: echo never',
    ].join('\n');
    const result = await runJob({ name: 'w', content }, 'a', { matrix: { os: 'linux' } });
    assert.equal(result.ok, false);
    assert.deepEqual(result.steps.map((s) => s.status), [0, 0, 1]);
    assert.deepEqual(result.skipped, ['Run echo never']);
    const [, one, two] = result.steps;
    assert.match(one?.outputs['run'] ?? '', /^(\d+)-1 temp=\/\S+\/temp os=linux$/);
    assert.equal(one?.outputs['text'], 'line 1\nline=2');
    const runId = /^(\d+)-/.exec(one?.outputs['run'] ?? '')?.[1] ?? '';
    assert.equal(two?.log, `workflow|from GITHUB_ENV|from GITHUB_ENV|line 1\nline=2|${runId}|${one?.outputs['run'] ?? ''}!\n`);
    // runner.temp is in the job's one folder: gone with everything in it.
    const temp = /temp=(\S+)/.exec(one?.outputs['run'] ?? '')?.[1] ?? '';
    assert.ok(path.isAbsolute(temp));
    assert.equal(existsSync(path.dirname(temp)), false);
  });

  it('refuses what it cannot do as the runner would, rather than skip it', async () => {
    const job = (step: string) => `on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n${step}`;
    await assert.rejects(runJob({ name: 'w', content: job('      - if: always()\n        run: echo\n') }, 'a'), /does not take if/);
    await assert.rejects(runJob({ name: 'w', content: job('      - uses: docker/login-action@v3\n') }, 'a'), /cannot run docker\/login-action@v3/);
    await assert.rejects(runJob({ name: 'w', content: `${job('      - run: echo\n')}    services:\n      db:\n        image: postgres\n` }, 'a'), /only registry:2/);
  });

  it('reads GITHUB_OUTPUT as the runner does', () => {
    assert.deepEqual(parseCommandFile('a=1\nb=x=y\n\nc<<END\n\nmore\nEND\n'), { a: '1', b: 'x=y', c: '\nmore' });
    assert.throws(() => parseCommandFile('c<<END\nnever ends\n'), /no end END/);
  });
});
