import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FLAGS, INDEX_FLAGS, parseFlags } from '../../src/cli.js';
import { readInputs } from '../../src/main.js';
import { flagReader } from '../../src/inputs/flags.js';
import { input, spellInputs } from '../../src/inputs/names.js';
import { collect } from '../../src/inputs/raw.js';
import { INPUTS, ROWS, rowsOf, type Command, type Row } from '../../src/inputs/table.js';
import { DEFAULT_TAR_SETTINGS } from '../../src/layer/tar-header.js';
import { parseOptions } from '../../src/options.js';
import { inputEnv, loadAction } from '../support/action.js';
import { runCli } from '../support/cli.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

/** readInputs with these INPUT_* variables alone in the environment. */
function readWith(env: Record<string, string>): ReturnType<typeof readInputs> {
  const saved = process.env;
  process.env = { ...env };
  try {
    return readInputs();
  } finally {
    process.env = saved;
  }
}

/** What the CLI hands options.ts for these flags, credentials aside (they read standard input). */
function fromFlags(command: Command, args: string[]) {
  return collect(command, flagReader(parseFlags(args, command === 'build' ? FLAGS : INDEX_FLAGS, command).values));
}

function shownDefault(row: Row): string | undefined {
  return 'default' in row && row.default !== undefined ? String(row.default) : undefined;
}

describe('the table of inputs', () => {
  it('declares in action.yml every Action input it has, with its default, and nothing else', () => {
    const declared = loadAction().inputs;
    const named = ROWS.flatMap(([, row]) => [row.input, row.alsoInput].flatMap((name) => (name === undefined ? [] : [[name, row] as const])));
    for (const [name, row] of named) {
      const spec = declared[name];
      assert.ok(spec !== undefined, `${name} is not in action.yml`);
      // A second input joins the first: the default is the first's.
      const expected = name === row.alsoInput ? undefined : shownDefault(row);
      assert.equal(spec.default, expected, `${name}'s default`);
      assert.equal(spec.required ?? false, name === row.input && row.required === true, `${name} required`);
    }
    assert.deepEqual(Object.keys(declared).sort(), named.map(([name]) => name).sort());
  });

  for (const command of ['build', 'index'] as const) {
    it(`${command} --help gives every flag of the table its line, with its default`, () => {
      const r = runCli([command, '--help']);
      assert.equal(r.status, 0, r.stderr);
      const lines = r.stdout.split('\n');
      for (const [, row] of rowsOf(command)) {
        const line = lines.find((l) => new RegExp(`^ {2}(?:-[a-z], | {4})--${row.flag}(?: |$)`).test(l));
        assert.ok(line !== undefined, `--${row.flag} is not in ${command} --help`);
        const shown = shownDefault(row);
        if (shown !== undefined && row.kind !== 'switch') assert.ok(line.includes(`(default ${shown}`), `--${row.flag}: ${line}`);
      }
      assert.equal(lines.filter((l) => /^ {2}(?:-[a-z], | {4})--/.test(l)).length, rowsOf(command).length);
    });
  }

  it('puts {default} in the help of each row with a text default, and in no other', () => {
    for (const [key, row] of ROWS) {
      const wants = row.kind === 'text' && row.default !== undefined;
      for (const help of [row.help, row.indexHelp ?? (wants ? '{default}' : '')]) assert.equal(help.includes('{default}'), wants, `${key}: ${help}`);
    }
  });

  it("gives the layer writer's own defaults, those the golden layers were made with", async () => {
    const opts = await parseOptions({ name: 'x', contents: [] }, {});
    assert.deepEqual(opts.storeLayerSettings, { ...DEFAULT_TAR_SETTINGS });
    assert.equal(opts.maxLayers, 100);
    assert.equal(opts.created, '1970-01-01T00:00:01Z');
  });

  it('spells each input as its front end takes it', () => {
    const cli = (name: Parameters<typeof input>[0]) => spellInputs(input(name), 'cli');
    assert.equal(cli('maxLayers'), '--max-layers');
    assert.equal(cli('tags'), '--tag');
    assert.equal(cli('index'), '--manifest');
    assert.equal(cli('password'), '--password-stdin');
    assert.equal(spellInputs(input('insecureRegistries'), 'action'), 'insecureRegistries');
  });
});

describe('one raw shape from both front ends', () => {
  it('the same build from flags as from inputs, defaults filled the same', () => {
    const cli = fromFlags('build', [
      '--name', 'team/app', '--tag', 'v1', '--tag', 'v2', '--contents', '/nix/store/a', '--contents', '/nix/store/b',
      '--max-layers', '10', '--push', '--cache-from', 'team/app:old', '--hint', 'deeper:glibc-*', '--no-cache', '--uid', '1000', '-o', 'out.tar',
    ]);
    const action = readWith(inputEnv({
      name: 'team/app', tag: 'v1', tags: 'v2', contents: '/nix/store/a\n/nix/store/b', maxLayers: '10', push: 'true',
      cacheFrom: 'team/app:old', hints: 'deeper:glibc-*', cache: 'false', uid: '1000', output: 'out.tar',
    }));
    assert.ok('build' in action);
    const { configFromFile, actionsCache, ...raw } = action.build;
    assert.deepEqual([configFromFile, actionsCache], [false, true]);
    assert.deepEqual(raw, cli);
    assert.equal(cli.cache, false);
    assert.equal(cli.layering, INPUTS.layering.default);
  });

  it('the same with nothing but a name: every default from the table', () => {
    const action = readWith(inputEnv({ name: 'app' }));
    assert.ok('build' in action);
    const { configFromFile: _, actionsCache: __, ...raw } = action.build;
    assert.deepEqual(raw, fromFlags('build', ['--name', 'app']));
    // Without action.yml's defaults, as a test or local-action may run it.
    const bare = readWith({ INPUT_NAME: 'app' });
    assert.ok('build' in bare);
    assert.deepEqual(bare.build, action.build);
  });

  it('the same index from flags as from inputs', () => {
    const cli = fromFlags('index', ['--name', 'team/app', '--tag', 'latest', '--manifest', DIGEST, '--insecure-registry', 'localhost:5000', '--retries', '2']);
    const action = readWith(inputEnv({ name: 'team/app', tag: 'latest', index: DIGEST, insecureRegistries: 'localhost:5000', retries: '2' }));
    assert.ok('index' in action);
    assert.deepEqual(action.index, cli);
  });

  it("refuses beside the Action's index each input only a build reads, once given", () => {
    const build = ROWS.filter(([, row]) => row.input !== undefined && !row.commands.includes('index'));
    for (const [, row] of build) {
      const value = row.kind === 'switch' ? String(!row.default) : 'x';
      const step = () => readWith(inputEnv({ name: 'team/app', tag: 'latest', index: DIGEST, [row.input as string]: value }));
      const refused = row.kind === 'switch' ? row.default === false && row.impliedByIndex !== true : !('default' in row) || row.default === undefined;
      if (refused) assert.throws(step, { message: new RegExp(`^index and ${row.input} cannot go together`) }, row.input);
      else assert.doesNotThrow(step, row.input);
    }
  });
});
