import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeBaseConfig } from '../../src/image/config.js';

describe('a config on a base config, as Docker FROM merges them', () => {
  const base = { Env: ['PATH=/bin', 'LANG=C'], Cmd: ['/bin/sh'], User: 'nobody', Labels: { a: '1' } };

  it('keeps what we do not set, and the base Env order with our values', () => {
    assert.deepEqual(mergeBaseConfig(base, { Env: ['LANG=C.UTF-8', 'TZ=UTC'] }), {
      Env: ['PATH=/bin', 'LANG=C.UTF-8', 'TZ=UTC'],
      Cmd: ['/bin/sh'],
      User: 'nobody',
      Labels: { a: '1' },
    });
  });

  it('drops the base Cmd when we set an Entrypoint alone, and keeps ours when we set both', () => {
    assert.equal(mergeBaseConfig(base, { Entrypoint: ['/bin/app'] })['Cmd'], undefined);
    assert.deepEqual(mergeBaseConfig(base, { Entrypoint: ['/bin/app'], Cmd: ['--help'] })['Cmd'], ['--help']);
  });

  it('merges labels per key and replaces other fields whole', () => {
    const merged = mergeBaseConfig(base, { Labels: { b: '2' }, User: 'app' });
    assert.deepEqual(merged['Labels'], { a: '1', b: '2' });
    assert.equal(merged['User'], 'app');
  });
});
