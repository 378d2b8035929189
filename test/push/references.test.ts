import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cli.js';
import { podmanLoadAndRun, podmanNames, pullAndRun, removePodmanWork } from '../support/consumers.js';
import { nixBuild } from '../support/nix.js';
import { CLOSURE_NIX } from '../support/paths.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

interface Report {
  imageName: string;
  imageTags: string[];
  push?: { digest: string; refs: string[] };
}

const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('layered-image:'));
const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

describe("tags as docker/metadata-action's tags output writes them: full references (docker-registry on loopback)", () => {
  let registry: TestRegistry;
  let dir: string;
  let app: string;
  const config = JSON.stringify({ Cmd: ['/bin/app'] });

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'refs-'));
    registry = await startRegistry();
    app = nixBuild(CLOSURE_NIX, 'app');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
    await registry.stop();
  });

  it('with no --name, the references name the image: every tag pushed, one digest, and it runs', async () => {
    const name = `${registry.host}/team/refs`;
    const r = runCli(['build', '--json', '--contents', app, '--config', config, '--push', '--no-cache', '--tag', `${name}:sha-1a2b3c`, '--tag', `${name}:main`]);
    assert.equal(r.status, 0, r.stderr);
    await registry.settled();
    const report = JSON.parse(r.stdout) as Report;
    assert.equal(report.imageName, name);
    assert.deepEqual(report.imageTags, ['sha-1a2b3c', 'main']);
    assert.deepEqual(report.push?.refs, [`${name}:sha-1a2b3c`, `${name}:main`]);
    for (const tag of ['sha-1a2b3c', 'main']) {
      const raw = execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${name}:${tag}`]);
      assert.equal(sha256(raw), report.push?.digest);
    }
    assert.equal((await pullAndRun(`${name}:main`, path.join(dir, 'run'))).stdout, 'hello from app\nlibrary 1\n');
  });

  it('references and plain tags with a --name of the same repository, however spelled; the docker-archive names the image by each', () => {
    const out = path.join(dir, 'named.tar');
    const r = runCli(['build', '--json', '--name', 'acme/app', '--contents', app, '--no-cache', '--output', out, '--tag', 'docker.io/acme/app:v1', '--tag', 'latest']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual((JSON.parse(r.stdout) as Report).imageTags, ['v1', 'latest']);
    const manifest = JSON.parse(execFileSync('tar', ['-xOf', out, 'manifest.json'], { encoding: 'utf8' })) as { RepoTags: string[] }[];
    assert.deepEqual(manifest[0]?.RepoTags, ['acme/app:v1', 'acme/app:latest']);
  });

  it('references of several repositories: the docker-archive names the image in each, plain tags going to --name, and podman loads every name', async () => {
    const out = path.join(dir, 'several.tar');
    const r = runCli(['build', '--json', '--name', 'acme/app', '--contents', app, '--config', config, '--no-cache', '--output', out, '--tag', 'v1', '--tag', 'ghcr.io/acme/app:v1', '--tag', 'ghcr.io/acme/app:main', '--tag', 'docker.io/acme/app:main']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual((JSON.parse(r.stdout) as Report).imageTags, ['v1', 'main']);
    const manifest = JSON.parse(execFileSync('tar', ['-xOf', out, 'manifest.json'], { encoding: 'utf8' })) as { RepoTags: string[] }[];
    assert.deepEqual(manifest[0]?.RepoTags, ['acme/app:v1', 'acme/app:main', 'ghcr.io/acme/app:v1', 'ghcr.io/acme/app:main']);
    const podman = path.join(dir, 'podman');
    try {
      assert.equal(podmanLoadAndRun(out, 'ghcr.io/acme/app:main', podman), 'hello from app\nlibrary 1\n');
      // podman files a name without a registry under localhost/, where docker would say docker.io/.
      assert.deepEqual(podmanNames(podman), ['ghcr.io/acme/app:main', 'ghcr.io/acme/app:v1', 'localhost/acme/app:main', 'localhost/acme/app:v1']);
    } finally {
      await removePodmanWork(podman);
    }
  });

  it('an index step takes the references of one repository only', () => {
    const digest = `sha256:${'1'.repeat(64)}`;
    const r = runCli(['index', '--tag', `${registry.host}/team/idx:v1`, '--tag', `${registry.host}/team/other:v1`, '--manifest', digest]);
    assert.equal(r.status, 1);
    assert.deepEqual(errorLines(r.stderr), [`layered-image: --tag "${registry.host}/team/other:v1" is not in ${registry.host}/team/idx: an index is pushed to the one repository its manifests are in; give each repository an index step of its own`]);
  });

  it('bad references: one line naming the value, nothing written or pushed', async () => {
    const out = path.join(dir, 'refused.tar');
    const cases: [string[], string][] = [
      [['--name', 'ghcr.io/acme/app', '--tag', 'ghcr.io/acme/other:v1'], '--name ghcr.io/acme/app has no tag: every --tag names another repository (ghcr.io/acme/other); leave --name out, or give it a tag'],
      [['--tag', `ghcr.io/acme/app@sha256:${'0'.repeat(64)}`], `--tag "ghcr.io/acme/app@sha256:${'0'.repeat(64)}" is neither a tag (up to 128 of A-Z a-z 0-9 _ . -, not starting with . or -) nor a NAME:TAG reference`],
      [['--tag', 'ghcr.io/Acme App:v1'], '--tag "ghcr.io/Acme App:v1" is neither a tag (up to 128 of A-Z a-z 0-9 _ . -, not starting with . or -) nor a NAME:TAG reference'],
      [['--tag', 'v1'], '--name is required, unless every --tag is a full reference (NAME:TAG)'],
    ];
    for (const [flags, message] of cases) {
      const r = runCli(['build', '--contents', app, '--no-cache', '--output', out, ...flags]);
      assert.equal(r.status, 1);
      assert.deepEqual(errorLines(r.stderr), [`layered-image: ${message}`]);
    }
    assert.ok(!(await readdir(dir)).includes('refused.tar'));
  });
});
