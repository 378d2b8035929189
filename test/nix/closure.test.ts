import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { UserError } from '../../src/errors.js';
import { parseDumpDb, queryClosure } from '../../src/nix/closure.js';
import { closureOf, nixBuild } from '../support/nix.js';
import { CLOSURE_NIX, GOLDEN } from '../support/paths.js';

describe('closure query', () => {
  it('finds the closure and reference graph of several roots at once', async () => {
    const app = nixBuild(CLOSURE_NIX, 'app');
    const tool = nixBuild(CLOSURE_NIX, 'tool');
    const closure = await queryClosure([tool, app, app]);
    assert.deepEqual(closure.roots, [app, tool].sort());
    assert.deepEqual([...closure.paths.keys()], [...new Set([...closureOf(app), ...closureOf(tool)])].sort());
    const busybox = nixBuild(CLOSURE_NIX, 'busybox');
    assert.deepEqual(closure.paths.get(tool)?.references, [busybox]);
    assert.ok(closure.paths.get(app)?.references.includes(busybox));
    assert.ok((closure.paths.get(busybox)?.narSize ?? 0) > 100_000);
  });

  it('drops self-references', async () => {
    const base = nixBuild(path.join(GOLDEN, 'fixture.nix'), 'base');
    const closure = await queryClosure([base]);
    assert.deepEqual(closure.paths.get(base)?.references, []);
  });

  it('reports a path Nix does not know as one line', async () => {
    await assert.rejects(queryClosure(['/nix/store/00000000000000000000000000000000-missing']), (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.match(e.message, /00000000000000000000000000000000-missing/);
      assert.doesNotMatch(e.message, /\n/);
      return true;
    });
  });

  it('parses dump-db records with an empty deriver and no references', () => {
    const hex = 'b57ba7f46b824ea4a3c1d1a9dcb1362003c7da619f06131051f6d8f1aea69ee1';
    const text = `/nix/store/a-x\nsha256hash\n12\n\n0\n/nix/store/b-y\n${hex}\n3\n/nix/store/d.drv\n2\n/nix/store/a-x\n/nix/store/b-y\n`;
    const parsed = parseDumpDb(text);
    assert.deepEqual(parsed.get('/nix/store/a-x'), { path: '/nix/store/a-x', narSize: 12, references: [] });
    assert.deepEqual(parsed.get('/nix/store/b-y'), { path: '/nix/store/b-y', narSize: 3, references: ['/nix/store/a-x'], narHash: hex, deriver: '/nix/store/d.drv' });
    assert.deepEqual(parsed.get('/nix/store/b-y')?.references, ['/nix/store/a-x']);
  });
});
