import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAnnotations, parseLabels } from '../../src/image/annotations.js';
import { runCli, type CliResult } from '../support/cli.js';
import { pullAndRun, runLayout } from '../support/consumers.js';
import { nixBuild } from '../support/nix.js';
import { CLOSURE_NIX } from '../support/paths.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

interface Annotated {
  annotations?: Record<string, string>;
}
interface RawManifest extends Annotated {
  mediaType: string;
  config: { digest: string };
}
interface RawIndex extends Annotated {
  manifests: (Annotated & { digest: string; platform?: { architecture: string } })[];
}

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('layered-image:'));
const skopeo = (args: string[]) => execFileSync('skopeo', args, { encoding: 'utf8' });

// As docker/metadata-action writes its labels and annotations outputs (with
// DOCKER_METADATA_ANNOTATIONS_LEVELS=manifest,index for the second).
const META_LABELS = [
  'org.opencontainers.image.title=app',
  'org.opencontainers.image.description=An app, built with Nix = reproducible',
  'org.opencontainers.image.source=https://github.com/acme/app',
  'org.opencontainers.image.revision=1a2b3c4d',
];
const META_ANNOTATIONS = [
  'manifest:org.opencontainers.image.title=app',
  'manifest:org.opencontainers.image.description=An app, built with Nix = reproducible',
  'index:org.opencontainers.image.source=https://github.com/acme/app',
  'manifest-descriptor:org.opencontainers.image.revision=1a2b3c4d',
  'org.example.no-level=manifest by default',
  'index-descriptor:org.example.nowhere=here',
];

describe('labels and annotations, as metadata-action writes them', () => {
  it('parses levels, keys with dots, values with = and spaces; later lines win', () => {
    const a = parseAnnotations([...META_ANNOTATIONS, '', '  manifest:org.opencontainers.image.title=app2  ']);
    assert.deepEqual(a.manifest, {
      'org.opencontainers.image.title': 'app2',
      'org.opencontainers.image.description': 'An app, built with Nix = reproducible',
      'org.example.no-level': 'manifest by default',
    });
    assert.deepEqual(a.index, { 'org.opencontainers.image.source': 'https://github.com/acme/app' });
    assert.deepEqual(a['manifest-descriptor'], { 'org.opencontainers.image.revision': '1a2b3c4d' });
    assert.deepEqual(a['index-descriptor'], { 'org.example.nowhere': 'here' });
    assert.deepEqual(parseLabels(['a=1', 'b=', 'a=2=3']), { a: '2=3', b: '' });
  });

  it('refuses, in one line naming it, a line without =, an unknown level, a platform, an empty key', () => {
    assert.throws(() => parseLabels(['org.example.novalue']), /labels "org.example.novalue" is not KEY=VALUE/);
    assert.throws(() => parseLabels(['=v']), /labels "=v" is not KEY=VALUE/);
    assert.throws(() => parseAnnotations(['manifest:org.example.x']), /annotations "manifest:org.example.x" is not KEY=VALUE/);
    assert.throws(() => parseAnnotations(['manfest:org.example.x=1']), /annotations "manfest:org.example.x=1" has the level "manfest", not one of manifest, index, manifest-descriptor, index-descriptor/);
    assert.throws(() => parseAnnotations(['manifest[linux/amd64]:org.example.x=1']), /names a platform/);
    assert.throws(() => parseAnnotations(['index:=1']), /is not KEY=VALUE/);
  });
});

describe('labels and annotations on real outputs (docker-registry on loopback, skopeo, umoci, runc)', () => {
  let registry: TestRegistry;
  let dir: string;
  let app: string;
  // The config's own label is overridden by --label; its other one stays.
  const config = JSON.stringify({ Cmd: ['/bin/app'], Labels: { 'org.opencontainers.image.title': 'from-config', 'org.example.kept': 'yes' } });
  const metaFlags = [...META_LABELS.flatMap((l) => ['--label', l]), ...META_ANNOTATIONS.flatMap((a) => ['--annotation', a])];
  const expectedLabels = {
    'org.opencontainers.image.title': 'app',
    'org.opencontainers.image.description': 'An app, built with Nix = reproducible',
    'org.opencontainers.image.source': 'https://github.com/acme/app',
    'org.opencontainers.image.revision': '1a2b3c4d',
    'org.example.kept': 'yes',
  };
  const manifestAnnotations = {
    'org.opencontainers.image.title': 'app',
    'org.opencontainers.image.description': 'An app, built with Nix = reproducible',
    'org.example.no-level': 'manifest by default',
  };

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'annot-'));
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
  const rawOf = (ref: string) => execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${ref}`]);

  it('a push: the labels in the config, manifest annotations on the manifest, the rest said to have no place; it pulls and runs', async () => {
    const name = `${registry.host}/team/annotated`;
    const r = await cli(['build', '--json', '--name', name, '--tag', 'v1', '--contents', app, '--config', config, '--push', '--no-cache', ...metaFlags]);
    assert.equal(r.status, 0, r.stderr);
    const digest = (JSON.parse(r.stdout) as { push: { digest: string } }).push.digest;
    const bytes = rawOf(`${name}:v1`);
    assert.equal(sha256(bytes), digest);
    const manifest = JSON.parse(bytes.toString('utf8')) as RawManifest;
    assert.deepEqual(manifest.annotations, manifestAnnotations);
    const inspected = JSON.parse(skopeo(['inspect', '--tls-verify=false', `docker://${name}:v1`])) as { Labels: Record<string, string> };
    assert.deepEqual(inspected.Labels, expectedLabels);
    assert.match(r.stderr, /a pushed manifest has no place for index or manifest-descriptor or index-descriptor annotations; they are left out of it/);
    assert.equal((await pullAndRun(`${name}:v1`, path.join(dir, 'run-push'))).stdout, 'hello from app\nlibrary 1\n');

    // The same inputs again: the same manifest, byte for byte.
    const again = await cli(['build', '--json', '--name', name, '--tag', 'v2', '--contents', app, '--config', config, '--push', '--no-cache', ...metaFlags]);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(sha256(rawOf(`${name}:v2`)), digest);
  });

  it('an OCI layout: manifest annotations on the manifest, index ones in index.json, manifest-descriptor ones beside each ref.name', async () => {
    const out = path.join(dir, 'layout');
    const r = await cli(['build', '--name', 'team/annotated', '--tag', 'v1', '--tag', 'latest', '--contents', app, '--config', config, '--output-format', 'oci', '--output', out, '--no-cache', ...metaFlags]);
    assert.equal(r.status, 0, r.stderr);
    const index = JSON.parse(await readFile(path.join(out, 'index.json'), 'utf8')) as RawIndex;
    assert.deepEqual(index.annotations, { 'org.opencontainers.image.source': 'https://github.com/acme/app' });
    assert.deepEqual(
      index.manifests.map((m) => m.annotations),
      ['v1', 'latest'].map((tag) => ({ 'org.opencontainers.image.revision': '1a2b3c4d', 'org.opencontainers.image.ref.name': tag })),
    );
    const manifest = JSON.parse(await readFile(path.join(out, 'blobs', 'sha256', (index.manifests[0]?.digest ?? '').slice(7)), 'utf8')) as RawManifest;
    assert.deepEqual(manifest.annotations, manifestAnnotations);
    const inspected = JSON.parse(skopeo(['inspect', `oci:${out}:v1`])) as { Labels: Record<string, string> };
    assert.deepEqual(inspected.Labels, expectedLabels);
    assert.match(r.stderr, /an OCI layout has no place for index-descriptor annotations; they are left out of it/);
    assert.equal(runLayout(out, 'v1', path.join(dir, 'run-layout')).stdout, 'hello from app\nlibrary 1\n');
  });

  it('an index: index annotations on it, manifest-descriptor ones on each entry; each platform keeps its manifest annotations', async () => {
    const name = `${registry.host}/team/annotated-multi`;
    const digests: string[] = [];
    for (const platform of ['linux/amd64', 'linux/arm64']) {
      const r = await cli(['build', '--json', '--name', name, '--contents', app, '--config', config, '--platform', platform, '--push-by-digest', '--no-cache', ...metaFlags]);
      assert.equal(r.status, 0, r.stderr);
      digests.push((JSON.parse(r.stdout) as { push: { digest: string } }).push.digest);
    }
    const r = await cli(['index', '--json', '--name', name, '--tag', 'v1', ...digests.flatMap((d) => ['--manifest', d]), ...META_ANNOTATIONS.flatMap((a) => ['--annotation', a])]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /an index step has no place for manifest or index-descriptor annotations; they are left out of it \(a build step places manifest ones\)/);
    const bytes = rawOf(`${name}:v1`);
    assert.equal(sha256(bytes), (JSON.parse(r.stdout) as { digest: string }).digest);
    const index = JSON.parse(bytes.toString('utf8')) as RawIndex;
    assert.deepEqual(index.annotations, { 'org.opencontainers.image.source': 'https://github.com/acme/app' });
    assert.deepEqual(index.manifests.map((m) => [m.platform?.architecture, m.digest, m.annotations]), [
      ['amd64', digests[0], { 'org.opencontainers.image.revision': '1a2b3c4d' }],
      ['arm64', digests[1], { 'org.opencontainers.image.revision': '1a2b3c4d' }],
    ]);
    for (const d of digests) assert.deepEqual((JSON.parse(rawOf(`${name}@${d}`).toString('utf8')) as RawManifest).annotations, manifestAnnotations);
  });

  it('bad input: one line naming the value, and nothing pushed or written', async () => {
    const name = `${registry.host}/team/refused`;
    const out = path.join(dir, 'refused-layout');
    const cases: [string[], RegExp][] = [
      [['--label', 'org.example.novalue'], /^layered-image: --label "org.example.novalue" is not KEY=VALUE$/],
      [['--label', 'a=1\nb=2'], /^layered-image: --label "a=1…" holds a line break; give one KEY=VALUE a line$/],
      [['--annotation', 'org.example.novalue'], /^layered-image: --annotation "org.example.novalue" is not KEY=VALUE$/],
      [['--annotation', 'layer:org.example.x=1'], /^layered-image: --annotation "layer:org.example.x=1" has the level "layer", not one of manifest, index, manifest-descriptor, index-descriptor$/],
      [['--push', '--manifest-format', 'docker', '--annotation', 'org.example.x=1'], /^layered-image: --annotation at the manifest level need OCI manifests; --manifest-format docker has no place for them$/],
    ];
    for (const [flags, message] of cases) {
      const r = await cli(['build', '--name', name, '--tag', 'v1', '--contents', app, '--output-format', 'oci', '--output', out, '--no-cache', ...flags]);
      assert.notEqual(r.status, 0);
      assert.deepEqual(errorLines(r.stderr).length, 1, r.stderr);
      assert.match(errorLines(r.stderr)[0] ?? '', message);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
    const listed = await cli(['index', '--name', name, '--tag', 'v1', '--manifest-format', 'docker', '--manifest', `sha256:${'0'.repeat(64)}`, '--annotation', 'index:org.example.x=1']);
    assert.match(errorLines(listed.stderr).join('\n'), /^layered-image: --annotation at the index level need OCI manifests; --manifest-format docker has no place for them$/);
    assert.deepEqual(await readdir(dir).then((names) => names.filter((n) => n.startsWith('refused'))), [], 'no layout written');
    assert.equal(registry.accessLog().filter((l) => l.includes('/v2/team/refused/')).length, 0, 'the registry was never asked');
  });
});
