import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { runCli, type CliResult } from '../support/cli.js';
import { runLayout } from '../support/consumers.js';
import { closureOf, nixBuild } from '../support/nix.js';
import { CLOSURE_NIX } from '../support/paths.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

interface BuildReport {
  cache: { built: number };
  layers: { source: string }[];
  push: { digest: string; refs: string[] };
}

interface IndexReport {
  digest: string;
  mediaType: string;
  refs: string[];
  manifests: { platform: string; digest: string; size: number; mediaType: string }[];
}

interface RawIndex {
  schemaVersion: number;
  mediaType: string;
  manifests: { mediaType: string; digest: string; size: number; platform: { os: string; architecture: string; variant?: string } }[];
}

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** The CLI's error lines; progress lines (`index: …`) go to stderr too. */
const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('layered-image:'));

/** What the registry serves for a reference, byte for byte, as skopeo reads it. */
function rawManifest(ref: string): Buffer {
  return execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${ref}`]);
}

describe('an image index of images pushed by digest (docker-registry on loopback)', () => {
  let registry: TestRegistry;
  let dir: string;
  let app: string;
  const config = JSON.stringify({ Cmd: ['/bin/app'] });

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'index-'));
    registry = await startRegistry();
    app = nixBuild(CLOSURE_NIX, 'app');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
    await registry.stop();
  });

  const cli = async (args: string[]): Promise<CliResult> => {
    const r = runCli(args);
    await registry.settled();
    return r;
  };
  const pushByDigest = async (name: string, platform: string, extra: string[] = [], contents = app): Promise<BuildReport> => {
    const r = await cli(['build', '--json', '--name', name, '--contents', contents, '--config', config, '--platform', platform, '--push-by-digest', '--no-cache', ...extra]);
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as BuildReport;
  };
  const index = async (name: string, args: string[]): Promise<IndexReport> => {
    const r = await cli(['index', '--json', '--name', name, ...args]);
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as IndexReport;
  };
  const manifestPuts = (repository: string) => registry.accessLog().filter((l) => l.includes(`"PUT /v2/${repository}/manifests/`)).length;
  const tags = async (repository: string) => {
    const res = await fetch(`http://${registry.host}/v2/${repository}/tags/list`);
    return res.status === 404 ? [] : (((await res.json()) as { tags: string[] | null }).tags ?? []);
  };

  it('two platforms pushed by digest under no tag, then one index under every tag: skopeo picks each platform, and umoci and runc run the amd64 one', async () => {
    const name = `${registry.host}/team/multi`;
    const amd = await pushByDigest(name, 'linux/amd64');
    const arm = await pushByDigest(name, 'linux/arm64');
    assert.deepEqual(amd.push.refs, [`${name}@${amd.push.digest}`]);
    assert.notEqual(amd.push.digest, arm.push.digest);
    assert.deepEqual(await tags('team/multi'), [], 'pushed by digest: no tag');
    assert.equal(manifestPuts('team/multi'), 2);

    const report = await index(name, ['--tag', 'latest', '--tag', 'sha-1234', '--manifest', amd.push.digest, '--manifest', `${name}@${arm.push.digest}`]);
    assert.deepEqual(report.refs, [`${name}:latest`, `${name}:sha-1234`]);
    assert.deepEqual((await tags('team/multi')).sort(), ['latest', 'sha-1234']);

    // What docker buildx imagetools inspect would show: the media type, one
    // entry per platform, each entry's digest and size those of the manifest
    // the registry serves.
    for (const tag of ['latest', 'sha-1234']) {
      const bytes = rawManifest(`${name}:${tag}`);
      assert.equal(sha256(bytes), report.digest);
      const raw = JSON.parse(bytes.toString('utf8')) as RawIndex;
      assert.equal(raw.schemaVersion, 2);
      assert.equal(raw.mediaType, OCI_INDEX);
      assert.deepEqual(raw.manifests.map((m) => `${m.platform.os}/${m.platform.architecture}`), ['linux/amd64', 'linux/arm64']);
      assert.deepEqual(raw.manifests.map((m) => m.digest), [amd.push.digest, arm.push.digest]);
      for (const entry of raw.manifests) {
        const served = rawManifest(`${name}@${entry.digest}`);
        assert.equal(sha256(served), entry.digest);
        assert.equal(served.length, entry.size);
        assert.equal((JSON.parse(served.toString('utf8')) as { mediaType: string }).mediaType, entry.mediaType);
      }
    }
    assert.deepEqual(report.manifests.map((m) => [m.platform, m.digest]), [['linux/amd64', amd.push.digest], ['linux/arm64', arm.push.digest]]);

    // Each platform's pull gets its own manifest; the amd64 one runs here.
    for (const [arch, digest] of [['amd64', amd.push.digest], ['arm64', arm.push.digest]] as const) {
      const layout = path.join(dir, `pulled-${arch}`);
      await promisify(execFile)('skopeo', ['copy', '--quiet', '--src-tls-verify=false', '--override-os', 'linux', '--override-arch', arch, `docker://${name}:latest`, `oci:${layout}:pulled`]);
      const layoutIndex = JSON.parse(await readFile(path.join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
      assert.deepEqual(layoutIndex.manifests.map((m) => m.digest), [digest]);
      if (arch === 'amd64') assert.equal(runLayout(layout, 'pulled', path.join(dir, 'run-amd64')).stdout, 'hello from app\nlibrary 1\n');
    }

    // The same manifests in the other order: the same index, byte for byte.
    const again = await index(name, ['--tag', 'again', '--manifest', arm.push.digest, '--manifest', amd.push.digest, '--manifest', amd.push.digest]);
    assert.equal(again.digest, report.digest);

    // A later push by digest finds its platform's layers through the index at latest.
    const changed = await pushByDigest(name, 'linux/amd64', [], nixBuild(CLOSURE_NIX, 'app', { appSalt: '-2' }));
    assert.equal(changed.cache.built, 1, 'only the changed store layer is built');
    assert.equal(changed.layers.filter((l) => l.source === 'registry').length, closureOf(app).length - 1);
  });

  it('with --manifest-format docker, a Docker manifest list of Docker manifests; an OCI manifest is refused in one', async () => {
    const name = `${registry.host}/team/dockerlist`;
    const amd = await pushByDigest(name, 'linux/amd64', ['--manifest-format', 'docker']);
    const arm = await pushByDigest(name, 'linux/arm/v7', ['--manifest-format', 'docker']);
    const report = await index(name, ['--tag', 'v1', '--manifest-format', 'docker', '--manifest', amd.push.digest, '--manifest', arm.push.digest]);
    const raw = JSON.parse(rawManifest(`${name}:v1`).toString('utf8')) as RawIndex;
    assert.equal(raw.mediaType, DOCKER_LIST);
    assert.equal(report.mediaType, DOCKER_LIST);
    assert.deepEqual(raw.manifests.map((m) => m.platform), [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm', variant: 'v7' }]);
    assert.ok(raw.manifests.every((m) => m.mediaType === 'application/vnd.docker.distribution.manifest.v2+json'));

    const oci = await pushByDigest(name, 'linux/arm64');
    const before = manifestPuts('team/dockerlist');
    const r = await cli(['index', '--name', name, '--tag', 'v2', '--manifest-format', 'docker', '--manifest', amd.push.digest, '--manifest', oci.push.digest]);
    assert.equal(r.status, 1);
    assert.deepEqual(errorLines(r.stderr), [`layered-image: manifest ${oci.push.digest} in ${name} is an OCI manifest; a Docker manifest list (--manifest-format docker) takes Docker manifests only`]);
    assert.equal(manifestPuts('team/dockerlist'), before);
  });

  it('bad input is one line each, and nothing is pushed', async () => {
    const name = `${registry.host}/team/bad`;
    const amd = await pushByDigest(name, 'linux/amd64');
    const amdOther = await pushByDigest(name, 'linux/amd64', ['--config', JSON.stringify({ Cmd: ['/bin/app', 'other'] })]);
    const arm = await pushByDigest(name, 'linux/arm64');
    const armV8 = await pushByDigest(name, 'linux/arm64/v8');
    // docker prints a pulled image as NAME:TAG@DIGEST; the tag is dropped, the digest taken.
    const good = await index(name, ['--tag', 'good', '--manifest', `${name}:whatever@${amd.push.digest}`]);
    assert.deepEqual(good.manifests.map((m) => m.digest), [amd.push.digest]);
    const missing = `sha256:${'0'.repeat(64)}`;
    const cases: [string[], string][] = [
      [['--manifest', missing], `manifest ${missing} is not in ${name}`],
      [['--manifest', amd.push.digest, '--manifest', amdOther.push.digest], `manifests ${amd.push.digest} and ${amdOther.push.digest} are both for linux/amd64; an index takes one manifest per platform`],
      // One platform to docker, two spellings: a pull would match both.
      [['--manifest', arm.push.digest, '--manifest', armV8.push.digest], `manifests ${arm.push.digest} (as linux/arm64) and ${armV8.push.digest} are both for linux/arm64/v8; an index takes one manifest per platform`],
      // Several bad: the first in the order given is the one named, whichever read ends first.
      [['--manifest', amd.push.digest, '--manifest', good.digest, '--manifest', missing], `manifest ${good.digest} in ${name} is itself an image index; give the digests of image manifests`],
      [['--manifest', missing, '--manifest', good.digest], `manifest ${missing} is not in ${name}`],
      [['--manifest', good.digest], `manifest ${good.digest} in ${name} is itself an image index; give the digests of image manifests`],
      [['--manifest', 'sha256:abc123'], '--manifest "sha256:abc123" is not a digest (sha256: and 64 hex digits) or NAME@DIGEST'],
      [['--manifest', amd.push.digest.toUpperCase()], `--manifest "${amd.push.digest.toUpperCase()}" is not a digest (sha256: and 64 hex digits) or NAME@DIGEST`],
      [['--manifest', `${registry.host}/team/other@${amd.push.digest}`], `--manifest "${registry.host}/team/other@${amd.push.digest}" is not in ${name}: an index names manifests of its own repository`],
    ];
    for (const [args, message] of cases) {
      const before = manifestPuts('team/bad');
      const r = await cli(['index', '--name', name, '--tag', 'latest', ...args]);
      assert.equal(r.status, 1, r.stderr);
      assert.equal(r.stdout, '');
      assert.deepEqual(errorLines(r.stderr), [`layered-image: ${message}`]);
      assert.ok(r.stderr.endsWith(`layered-image: ${message}\n`));
      assert.equal(manifestPuts('team/bad'), before, `${message}: nothing pushed`);
    }
    assert.deepEqual((await tags('team/bad')).sort(), ['good']);
    const noTag = await cli(['index', '--name', name, '--manifest', amd.push.digest]);
    assert.equal(noTag.stderr, 'layered-image: an index needs a --tag to be pushed under\n');
    const none = await cli(['index', '--name', name, '--tag', 'x']);
    assert.equal(none.stderr, 'layered-image: an index needs at least one manifest: give its digest with --manifest\n');
    const tagged = await cli(['build', '--name', name, '--tag', 'v1', '--contents', app, '--push-by-digest']);
    assert.equal(tagged.status, 1);
    assert.equal(tagged.stderr, 'layered-image: --tag "v1" cannot go with --push-by-digest, which pushes no tag; the index that names this digest is what gets tagged\n');
  });
});
