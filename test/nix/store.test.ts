import assert from 'node:assert/strict';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { UserError } from '../../src/errors.js';
import { isStorePath, resolveStorePath, storePathsIn } from '../../src/nix/store.js';
import { nixBuild } from '../support/nix.js';
import { GOLDEN } from '../support/paths.js';

describe('resolving contents to store paths', () => {
  let dir: string;
  let app: string;
  let link: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'resolve-'));
    app = nixBuild(path.join(GOLDEN, 'fixture.nix'), 'app');
    link = nixBuild(path.join(GOLDEN, 'fixture.nix'), 'link');
    await symlink(app, path.join(dir, 'result'));
    await symlink('result', path.join(dir, 'result-again'));
    await symlink('loop-b', path.join(dir, 'loop-a'));
    await symlink('loop-a', path.join(dir, 'loop-b'));
    await symlink(link, path.join(dir, 'to-symlink-path'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('accepts a store path', async () => assert.equal(await resolveStorePath(app), app));
  it('follows ./result-style links, relative ones too', async () => {
    assert.equal(await resolveStorePath(path.join(dir, 'result')), app);
    assert.equal(await resolveStorePath(path.join(dir, 'result-again')), app);
  });
  it('stops at a store path that is itself a symlink', async () => {
    assert.equal(await resolveStorePath(path.join(dir, 'to-symlink-path')), link);
  });

  const rejects = async (arg: () => string, pattern: RegExp) =>
    assert.rejects(resolveStorePath(arg()), (e: unknown) => e instanceof UserError && pattern.test(e.message));

  it('rejects a missing path', () => rejects(() => path.join(dir, 'nope'), /nope does not exist/));
  it('rejects a symlink loop', () => rejects(() => path.join(dir, 'loop-a'), /symbolic links/));
  it('rejects the store itself', () => rejects(() => '/nix/store', /the Nix store itself/));
  it('rejects a path inside a store path', () => rejects(() => `${app}/bin`, /inside store path/));
  it('rejects a path outside the store', () => rejects(() => dir, /not in the Nix store/));
  it('rejects a malformed store path', () => rejects(() => '/nix/store/.links', /not a valid store path/));

  it('recognises store paths inside strings', () => {
    const a = '/nix/store/kb94p0rhni13xjl19zn3d2q5dplrvf4p-golden-app-2.0';
    const b = '/nix/store/mn9fdpmbz4j15sy3sdg7vxp0zhiwjk9d-golden-base-1.0';
    assert.deepEqual(storePathsIn(`PATH=${a}/bin:${b}/bin`), [a, b]);
    assert.ok(isStorePath(a));
    assert.ok(!isStorePath(`${a}/bin`));
  });
});
