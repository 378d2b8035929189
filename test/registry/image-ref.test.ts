import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError } from '../../src/errors.js';
import { parseImageRef, parseIndexOptions } from '../../src/options.js';

const D = `sha256:${'a'.repeat(64)}`;

describe('image references, as docker splits them', () => {
  it('cacheFrom: a tag, a digest, a port before the path, and a digest winning over a tag', () => {
    assert.deepEqual(parseImageRef('ghcr.io/acme/app'), { registry: 'ghcr.io', repository: 'acme/app', reference: 'latest' });
    assert.deepEqual(parseImageRef('127.0.0.1:5000/team/app:v1'), { registry: '127.0.0.1:5000', repository: 'team/app', reference: 'v1' });
    assert.deepEqual(parseImageRef(`127.0.0.1:5000/team/app@${D}`), { registry: '127.0.0.1:5000', repository: 'team/app', reference: D });
    assert.deepEqual(parseImageRef(`127.0.0.1:5000/team/app:v1@${D}`), { registry: '127.0.0.1:5000', repository: 'team/app', reference: D });
    assert.deepEqual(parseImageRef('alpine:3'), { registry: 'docker.io', repository: 'library/alpine', reference: '3' });
    assert.throws(() => parseImageRef('app:bad!'), (e: unknown) => e instanceof UserError && e.message === 'cacheFrom "app:bad!" has an invalid tag "bad!"');
    assert.throws(() => parseImageRef(`app:bad!@${D}`), (e: unknown) => e instanceof UserError && e.message === `cacheFrom "app:bad!@${D}" has an invalid tag "bad!"`);
  });

  it('index: a digest alone, NAME@DIGEST and NAME:TAG@DIGEST of the same repository', () => {
    const manifests = (list: string[]) => parseIndexOptions({ name: '127.0.0.1:5000/team/app', tags: ['latest'], manifests: list }).manifests;
    assert.deepEqual(manifests([D, `127.0.0.1:5000/team/app@${D}`, `127.0.0.1:5000/team/app:v1@${D}`]), [D]);
    assert.throws(() => manifests([`127.0.0.1:5000/team/app:bad!@${D}`]), (e: unknown) => e instanceof UserError && e.message === `index "127.0.0.1:5000/team/app:bad!@${D}" has "127.0.0.1:5000/team/app:bad!" before the @, which is not an image name`);
    assert.throws(() => manifests([`127.0.0.1:5000/team/other:v1@${D}`]), (e: unknown) => e instanceof UserError && e.message.endsWith('an index names manifests of its own repository'));
  });
});
