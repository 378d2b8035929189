import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeRecord, parseRecord, RECORD_FORMAT, sameLeads } from '../../src/cache/record.js';
import type { BlobLead } from '../../src/cache/record.js';

const digest = (c: string) => `sha256:${c.repeat(64)}` as BlobLead['digest'];
const lead = (key: string, extra: Partial<BlobLead> = {}): BlobLead => ({
  key,
  diffId: digest('d'),
  size: 100,
  compression: 'gzip',
  digest: digest('a'),
  blobSize: 40,
  repositories: [],
  ...extra,
});

describe('the blob record', () => {
  it('keeps what an earlier run said unless this run learned otherwise, and joins repositories', () => {
    const earlier = [lead('k1', { cached: true }), lead('k2', { repositories: ['r/a'] })];
    const merged = mergeRecord(earlier, [lead('k2', { repositories: ['r/b'] })]).leads;
    assert.deepEqual(merged.find((l) => l.key === 'k1')?.cached, true);
    assert.deepEqual(merged.find((l) => l.key === 'k2')?.repositories, ['r/b', 'r/a']);
  });

  it('an entry this run found missing is no longer named, whatever blob the earlier lead had', () => {
    const earlier = [lead('k1', { cached: true, digest: digest('b') })];
    const merged = mergeRecord(earlier, [lead('k1', { cached: false })]).leads;
    assert.deepEqual(merged, []);
  });

  it('a bad immutable entry stays marked bad in later runs that learn nothing of it', () => {
    const first = mergeRecord([lead('k1', { cached: true })], [lead('k1', { cached: false, bad: true })]).leads;
    assert.deepEqual(first.map((l) => [l.cached, l.bad]), [[false, true]]);
    const later = mergeRecord(first, [lead('k1')]).leads;
    assert.deepEqual(later.map((l) => [l.cached, l.bad]), [[false, true]]);
    assert.ok(sameLeads(first, later), 'a record that learned nothing is the same record');
  });

  it('drops leads that name neither a repository nor a cached blob', () => {
    assert.deepEqual(mergeRecord([], [lead('k1'), lead('k2', { cached: false })]).leads, []);
  });

  it('reads records of format 1 (no word of the cache) and refuses malformed leads', () => {
    const leads = parseRecord({ format: 1, leads: [lead('k1', { repositories: ['r/a'] }), { key: 'k2', compression: 'brotli' }, { ...lead('k3'), size: -1 }] });
    assert.deepEqual(leads.map((l) => l.key), ['k1']);
    assert.deepEqual(parseRecord({ format: RECORD_FORMAT + 1, leads: [lead('k1')] }), []);
    assert.deepEqual(parseRecord('not a record'), []);
  });
});
