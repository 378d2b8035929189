import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FLAGS, INDEX_FLAGS } from '../../src/cli.js';
import { runCli } from '../support/cli.js';
import { REPO } from '../support/paths.js';

const FLAG_LINE = /^ {2}(?:-[a-z], | {4})--([a-z-]+)(?: \S+)? {2,}\S/;

function assertFitsIn100(text: string): void {
  for (const line of text.split('\n')) assert.ok(line.length <= 100, `${line.length} columns: ${line}`);
}

describe('--version and --help', () => {
  it('--version and version print package.json\'s version', () => {
    const { version } = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
    for (const args of [['--version'], ['version']]) {
      const r = runCli(args);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, `layered-image ${version}\n`);
    }
  });

  it('build --help and -h give one line to every flag, within 100 columns', () => {
    for (const args of [['build', '--help'], ['build', '-h']]) {
      const r = runCli(args);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, '');
      assert.match(r.stdout, /^usage: layered-image build /);
      const described = r.stdout.split('\n').flatMap((line) => FLAG_LINE.exec(line)?.[1] ?? []);
      assert.deepEqual(described, Object.keys(FLAGS));
      assert.match(r.stdout, /^ {2}-o, --output /m);
      assert.match(r.stdout, /^ {2}-h, --help /m);
      assertFitsIn100(r.stdout);
    }
  });

  it('index --help gives one line to every flag of index, within 100 columns', () => {
    const r = runCli(['index', '--help']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^usage: layered-image index --name NAME --tag TAG --manifest DIGEST/);
    const described = r.stdout.split('\n').flatMap((line) => FLAG_LINE.exec(line)?.[1] ?? []);
    assert.deepEqual(described, Object.keys(INDEX_FLAGS));
    assertFitsIn100(r.stdout);
  });

  it('--help lists the commands and points at build --help', () => {
    for (const args of [['--help'], ['-h'], ['help']]) {
      const r = runCli(args);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^usage: layered-image build /);
      assert.match(r.stdout, /^ {2}build +.*layered-image build --help/m);
      assert.match(r.stdout, /^ {2}index +.*index --help/m);
      assert.match(r.stdout, /^ {2}version +/m);
      assertFitsIn100(r.stdout);
    }
  });

  it('no command at all is a usage error: the help on stderr, status 2', () => {
    const r = runCli([]);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^usage: layered-image build /);
  });
});
