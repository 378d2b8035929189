import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { LayerScanner, type ScannedMember } from '../../src/cache/scan-layer.js';
import { GOLDEN } from '../support/paths.js';

const layer = readFileSync(path.join(GOLDEN, 'all-in-one.layer.tar'));
const listing = readFileSync(path.join(GOLDEN, 'all-in-one.listing.txt'), 'utf8');

/** Feeds `bytes` in chunks of `step` and returns the members seen and the verdict. */
function scan(bytes: Buffer, step: number, check: (m: ScannedMember) => string | undefined = () => undefined) {
  const members: ScannedMember[] = [];
  const scanner = new LayerScanner(bytes.length, (m) => {
    members.push(m);
    return check(m);
  });
  for (let i = 0; i < bytes.length && scanner.refused === undefined; i += step) scanner.feed(bytes.subarray(i, i + step));
  return { members, bad: scanner.end() };
}

describe('the strict layer scanner, fed as a layer is copied', () => {
  const whole = scan(layer, layer.length);

  it('accepts a layer of ours and sees every member, PAX names included', () => {
    assert.equal(whole.bad, undefined);
    assert.ok(whole.members.length > 10);
    assert.ok(whole.members.some((m) => m.name.length > 100), 'no long (PAX) name among the members');
    // The golden listing names every member; the scanner must see each one.
    for (const m of whole.members) assert.ok(listing.includes(m.name.replace(/\/$/, '')), `${m.name} is not in the listing`);
  });

  for (const step of [1, 7, 511, 512, 513, 4096, 10240]) {
    it(`sees the same members whatever the chunk size (${step})`, () => {
      assert.deepEqual(scan(layer, step), whole);
    });
  }

  it('refuses a flipped header byte', () => {
    const bad = Buffer.from(layer);
    bad[600] = (bad[600] as number) ^ 0xff;
    assert.match(scan(bad, 4096).bad ?? '', /wrong checksum|runs past/);
  });

  it('refuses data after the end-of-archive blocks', () => {
    const bad = Buffer.from(layer);
    bad[bad.length - 1] = 1;
    assert.equal(scan(bad, 4096).bad, 'it has data after its end');
  });

  it('refuses a layer cut short, and one without an end', () => {
    const short = layer.subarray(0, 1600);
    const cut = new LayerScanner(layer.length, () => undefined);
    cut.feed(short);
    assert.equal(cut.end(), 'it ends inside a tar member');
    const firstMemberEnd = 512;
    const noEnd = new LayerScanner(firstMemberEnd, () => undefined);
    noEnd.feed(layer.subarray(0, firstMemberEnd));
    assert.equal(noEnd.end(), 'it ends before its end-of-archive block');
  });

  it('stops at the first member the check refuses', () => {
    const r = scan(layer, 4096, (m) => (m.type === 'symlink' ? `no symlinks: ${m.name}` : undefined));
    assert.match(r.bad ?? '', /^no symlinks: /);
    assert.equal(r.members.filter((m) => m.type === 'symlink').length, 1);
  });

  it('refuses a member that claims more bytes than the layer has', () => {
    assert.equal(scan(layer, 4096, () => undefined).bad, undefined);
    const tooSmall = new LayerScanner(2048, () => undefined);
    tooSmall.feed(layer.subarray(0, 2048));
    assert.ok(tooSmall.end() !== undefined);
  });
});
