import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { UserError } from '../../src/errors.js';
import { mergeContents, writeCustomisationLayer } from '../../src/layer/customisation.js';
import { FileSink } from '../../src/layer/sink.js';
import { DEFAULT_TAR_SETTINGS } from '../../src/layer/tar-header.js';
import { nixBuild } from '../support/nix.js';
import { CLOSURE_NIX, GOLDEN } from '../support/paths.js';

async function listing(contents: string[]): Promise<string[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'custom-'));
  try {
    const file = path.join(dir, 'layer.tar');
    const sink = await FileSink.create(file);
    await writeCustomisationLayer(await mergeContents(contents), DEFAULT_TAR_SETTINGS, sink);
    await sink.close();
    // GNU tar reads the layer back: proof that it is a well-formed archive.
    return execFileSync('tar', ['-tvf', file, '--numeric-owner'], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } })
      .trim()
      .split('\n');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('customisation layer (symlinkJoin of contents)', () => {
  it('merges directories and links files to the store', async () => {
    const app = nixBuild(CLOSURE_NIX, 'app');
    const tool = nixBuild(CLOSURE_NIX, 'tool');
    const lines = await listing([app, tool]);
    const names = lines.map((l) => l.split(/\s+/).slice(5).join(' '));
    assert.deepEqual(names, [
      'bin/',
      `bin/app -> ${app}/bin/app`,
      `bin/tool -> ${tool}/bin/tool`,
      'etc/',
      `etc/uses -> ${app}/etc/uses`,
    ]);
    assert.ok(lines.every((l) => l.includes('0/0') && l.includes('1970-01-01 00:00')));
  });

  it('copies a symlink in the contents with its own target, like lndir', async () => {
    const base = nixBuild(path.join(GOLDEN, 'fixture.nix'), 'base');
    const lines = await listing([base]);
    assert.ok(lines.some((l) => l.endsWith('lib/libgolden.so -> libgolden.so.1')));
    assert.ok(lines.some((l) => l.startsWith('drwxr-xr-x') && l.endsWith('share/empty/')));
  });

  it('names both contents when they provide the same file differently', async () => {
    const app = nixBuild(CLOSURE_NIX, 'app');
    const other = nixBuild(path.join(GOLDEN, 'fixture.nix'), 'app');
    await assert.rejects(mergeContents([app, other]), (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.match(e.message, /\/bin\/app/);
      assert.ok(e.message.includes(app) && e.message.includes(other), e.message);
      return true;
    });
  });

  it('refuses a content that is not a directory', async () => {
    // builtins.toFile made this one; building the fixture's app puts it in the store.
    nixBuild(path.join(GOLDEN, 'fixture.nix'), 'app');
    const single = '/nix/store/mb2bh23bhkj6hv11dizvsab4ydaismcj-golden-single-file.txt';
    await assert.rejects(mergeContents([single]), /not a directory/);
  });
});
