import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configPlatform, imageIndex, platformKey, samePlatform, type IndexEntry } from '../../src/image/manifest.js';

const digest = (c: string) => `sha256:${c.repeat(64)}` as IndexEntry['digest'];
const config = (c: object) => Buffer.from(JSON.stringify(c));

describe('platforms, as an index and a puller match them', () => {
  it('takes the spellings containerd reads as one platform to be one', () => {
    const linux = (architecture: string, variant?: string) => ({ os: 'linux', architecture, variant });
    assert.ok(samePlatform(linux('arm64'), linux('arm64', 'v8')));
    assert.ok(samePlatform(linux('amd64', 'v1'), linux('amd64')));
    assert.ok(samePlatform(linux('arm'), linux('arm', 'v7')));
    assert.equal(platformKey(linux('arm64', 'v8')), 'linux/arm64');
    assert.equal(platformKey(linux('arm')), 'linux/arm/v7');
  });

  it('keeps apart what a puller tells apart', () => {
    const linux = (architecture: string, variant?: string) => ({ os: 'linux', architecture, variant });
    assert.ok(!samePlatform(linux('arm', 'v6'), linux('arm', 'v7')));
    assert.ok(!samePlatform(linux('arm'), linux('arm', 'v6')));
    assert.ok(!samePlatform(linux('amd64', 'v3'), linux('amd64')));
    assert.ok(!samePlatform(linux('arm64'), linux('amd64')));
    assert.ok(!samePlatform({ os: 'windows', architecture: 'amd64' }, linux('amd64')));
  });

  it("reads an image config's platform, refusing words that are not platform names", () => {
    assert.deepEqual(configPlatform(config({ os: 'linux', architecture: 'arm', variant: 'v7' })), { os: 'linux', architecture: 'arm', variant: 'v7' });
    assert.deepEqual(configPlatform(config({ os: 'linux', architecture: 'amd64', variant: '' })), { os: 'linux', architecture: 'amd64', variant: undefined });
    assert.equal(configPlatform(config({ architecture: 'amd64' })), undefined);
    assert.equal(configPlatform(config({ os: 'linux', architecture: '' })), undefined);
    assert.equal(configPlatform(Buffer.from('not json')), undefined);
    assert.equal(configPlatform(config({ os: 'linux', architecture: 'amd64\n::error::x' })), 'unusable');
    assert.equal(configPlatform(config({ os: 'linux', architecture: 'arm', variant: 'v7 and more' })), 'unusable');
    assert.equal(configPlatform(config({ os: 'Linux', architecture: 'amd64' })), 'unusable');
  });
});

describe('an image index', () => {
  const entries: IndexEntry[] = [
    { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: digest('b'), size: 500, platform: { os: 'linux', architecture: 'arm64' } },
    { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: digest('a'), size: 400, platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
    { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: digest('c'), size: 600, platform: { os: 'linux', architecture: 'amd64' } },
  ];

  it('has its entries in platform order, so any order of the same manifests gives the same bytes', () => {
    const one = imageIndex('oci', entries);
    const other = imageIndex('oci', [...entries].reverse());
    assert.deepEqual(one.bytes, other.bytes);
    assert.equal(one.digest, other.digest);
    const doc = JSON.parse(one.bytes.toString('utf8')) as { mediaType: string; manifests: { digest: string; platform: object }[] };
    assert.equal(doc.mediaType, 'application/vnd.oci.image.index.v1+json');
    assert.deepEqual(doc.manifests.map((m) => m.platform), [
      { architecture: 'amd64', os: 'linux' },
      { architecture: 'arm', os: 'linux', variant: 'v7' },
      { architecture: 'arm64', os: 'linux' },
    ]);
  });

  it('is a Docker manifest list in the docker format', () => {
    assert.equal(imageIndex('docker', entries).mediaType, 'application/vnd.docker.distribution.manifest.list.v2+json');
  });
});
