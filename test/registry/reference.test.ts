import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseChallenges } from '../../src/registry/challenge.js';
import { apiHost, isLoopback, parseRepository } from '../../src/registry/reference.js';

describe('repository names', () => {
  it('takes the first component as the registry when it looks like a host', () => {
    assert.deepEqual(parseRepository('127.0.0.1:5000/team/app'), { registry: '127.0.0.1:5000', repository: 'team/app' });
    assert.deepEqual(parseRepository('ghcr.io/owner/app'), { registry: 'ghcr.io', repository: 'owner/app' });
    assert.deepEqual(parseRepository('localhost/app'), { registry: 'localhost', repository: 'app' });
    assert.deepEqual(parseRepository('myhost:5000/app'), { registry: 'myhost:5000', repository: 'app' });
  });

  it('puts other names on Docker Hub, a lone one under library/', () => {
    assert.deepEqual(parseRepository('team/app'), { registry: 'docker.io', repository: 'team/app' });
    assert.deepEqual(parseRepository('alpine'), { registry: 'docker.io', repository: 'library/alpine' });
    // Written out, Docker Hub's host still puts a lone name under library/, as docker pull does.
    assert.deepEqual(parseRepository('docker.io/alpine'), { registry: 'docker.io', repository: 'library/alpine' });
    assert.deepEqual(parseRepository('index.docker.io/alpine'), { registry: 'docker.io', repository: 'library/alpine' });
    assert.deepEqual(parseRepository('docker.io/team/app'), { registry: 'docker.io', repository: 'team/app' });
  });

  it('knows Docker Hub serves its API elsewhere', () => {
    assert.equal(apiHost('docker.io'), 'registry-1.docker.io');
    assert.equal(apiHost('ghcr.io'), 'ghcr.io');
    assert.equal(apiHost('127.0.0.1:5000'), '127.0.0.1:5000');
  });

  it('tells loopback hosts, with or without a port', () => {
    for (const h of ['localhost', 'localhost:5000', '127.0.0.1', '127.1.2.3:80', '[::1]', '[::1]:5000']) assert.ok(isLoopback(h), h);
    for (const h of ['ghcr.io', '127.0.0.1.example.com', '10.0.0.1:5000', 'localhost.example.com', '[::2]:5000']) assert.ok(!isLoopback(h), h);
  });
});

describe('WWW-Authenticate challenges', () => {
  it('reads a Bearer challenge with commas inside quoted values', () => {
    assert.deepEqual(parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push"'), [
      { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:samalba/my-app:pull,push' } },
    ]);
  });

  it('reads Basic, unquoted values, spaces, escapes and several challenges in one header', () => {
    assert.deepEqual(parseChallenges('Basic realm="Registry Realm"'), [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]);
    assert.deepEqual(parseChallenges('Basic realm="a \\"quoted\\" realm", Bearer realm=https://t.example/token , service = reg, error="insufficient_scope"'), [
      { scheme: 'basic', params: { realm: 'a "quoted" realm' } },
      { scheme: 'bearer', params: { realm: 'https://t.example/token', service: 'reg', error: 'insufficient_scope' } },
    ]);
    assert.deepEqual(parseChallenges('BEARER Realm="x"'), [{ scheme: 'bearer', params: { realm: 'x' } }]);
    assert.deepEqual(parseChallenges(''), []);
  });
});
