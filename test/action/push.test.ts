import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runAction } from '../support/action.js';
import { startCacheServer, type CacheServer } from '../support/cache-server.js';
import { pullAndRun } from '../support/consumers.js';
import { closureOf, nixBuild } from '../support/nix.js';
import { CLOSURE_NIX } from '../support/paths.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

describe('the Action pushing to a registry', () => {
  let root: string;
  let registry: TestRegistry;
  let cache: CacheServer;
  let app: string;
  const config = JSON.stringify({ Cmd: ['/bin/app'] });

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'action-push-'));
    registry = await startRegistry({ auth: { htpasswd: { user: 'bot', password: 'hunter2-very-secret' } } });
    cache = await startCacheServer({ dir: path.join(root, 'cache-service') });
    app = nixBuild(CLOSURE_NIX, 'app');
  });
  after(async () => {
    await cache.close();
    await registry.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('pushes on every run with a new tag; the second run, sharing only the Actions cache, uploads and builds only what changed', async () => {
    // 72 MiB of data: a push worth the blob record (64 MiB), which tells
    // the second run what the registry holds, with no tag of it to read.
    const big = (appSalt: string) => nixBuild(CLOSURE_NIX, 'bigApp', { dataMiB: '72', appSalt });
    const storePaths = closureOf(big('')).length;
    const name = `${registry.host}/team/action`;
    const inputs = { name, contents: big(''), config, push: 'true', username: 'bot', password: 'hunter2-very-secret' };
    const first = await runAction(root, cache.env, { ...inputs, tag: 'sha-1' });
    assert.equal(first.status, 0, first.stdout);
    assert.match(first.outputs['digest'] ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.equal(first.outputs['imageRef'], `${name}@${first.outputs['digest'] ?? ''}`);
    assert.equal(first.outputs['imagePath'], '');
    // Only the Actions cache's folders: its unpack folder, and @actions/cache's own scratch folders.
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    assert.deepEqual((await readdir(first.temp)).filter((f) => f !== 'layered-image-cache' && !uuid.test(f)), [], 'no image written under RUNNER_TEMP');
    assert.match(first.stdout, /^::group::Push$/m);
    assert.match(first.summary, new RegExp(`pushed <code>${name.replace(/\./g, '\\.')}:sha-1</code>`));
    await registry.settled();
    const before = registry.blobUploads('team/action');
    assert.equal(before, storePaths + 2);

    const changed = big('-action');
    const second = await runAction(root, cache.env, { ...inputs, contents: changed, tag: 'sha-2' });
    assert.equal(second.status, 0, second.stdout);
    await registry.settled();
    assert.equal(registry.blobUploads('team/action') - before, 3, 'the app layer, the customisation layer and the config');
    assert.equal(second.outputs['layersBuilt'], '1');
    assert.equal(second.outputs['cacheHits'], '0', 'layers the registry has are not restored from the Actions cache');
    const layers = JSON.parse(second.outputs['layers'] ?? '[]') as { source: string; pushed: string }[];
    assert.equal(layers.filter((l) => l.source === 'registry').length, storePaths - 1);
    assert.match(second.summary, /already there/);

    const authfile = path.join(root, 'auth.json');
    await writeFile(authfile, JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from('bot:hunter2-very-secret').toString('base64') } } }));
    assert.equal((await pullAndRun(`${name}:sha-2`, path.join(root, 'pulled'), authfile)).stdout, 'big app-action\ndata.hex\n');

    // The password is masked before anything is printed, and appears nowhere else.
    for (const run of [first, second]) {
      const lines = run.stdout.split('\n');
      assert.equal(lines.findIndex((l) => l.includes('hunter2-very-secret')), lines.indexOf('::add-mask::hunter2-very-secret'));
      assert.equal(lines.filter((l) => l.includes('hunter2-very-secret')).length, 1);
      assert.ok(!run.summary.includes('hunter2-very-secret'));
      assert.ok(!Object.values(run.outputs).some((v) => v.includes('hunter2-very-secret')));
    }
  });

  it('credentials that docker login wrote are used and masked', async () => {
    const docker = await mkdtemp(path.join(root, 'docker-'));
    const auth = Buffer.from('bot:hunter2-very-secret').toString('base64');
    await writeFile(path.join(docker, 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth } } }));
    const r = await runAction(root, { ...cache.env, DOCKER_CONFIG: docker }, { name: `${registry.host}/team/login`, contents: app, config, push: 'true' });
    assert.equal(r.status, 0, r.stdout);
    const lines = r.stdout.split('\n');
    for (const secret of ['hunter2-very-secret', auth]) {
      assert.deepEqual(lines.filter((l) => l.includes(secret)), [`::add-mask::${secret}`]);
    }
    assert.match(r.outputs['digest'] ?? '', /^sha256:/);
  });

  it('a wrong password fails the step with one ::error:: line naming the registry, never the password', async () => {
    const r = await runAction(root, cache.env, { name: `${registry.host}/team/action`, contents: app, config, push: 'true', username: 'bot', password: 'not-the-password-42', retries: '0' });
    assert.equal(r.status, 1);
    const errors = r.stdout.split('\n').filter((l) => l.startsWith('::error::'));
    assert.equal(errors.length, 1);
    assert.match(errors[0] ?? '', new RegExp(`^::error::registry ${registry.host}: .*401`));
    assert.equal(r.stdout.split('\n').filter((l) => l.includes('not-the-password-42')).length, 1, 'only in ::add-mask::');
    assert.equal(r.outputs['digest'], undefined);
  });

  it('a matrix of two platforms pushed by digest, then a step with index: one tag, the summary lists platform → manifest, the password never printed', async () => {
    const name = `${registry.host}/team/matrix`;
    const auth = { username: 'bot', password: 'hunter2-very-secret' };
    const legs = [];
    for (const platform of ['linux/amd64', 'linux/arm64']) {
      const leg = await runAction(root, cache.env, { name, contents: app, config, platform, pushByDigest: 'true', ...auth });
      assert.equal(leg.status, 0, leg.stdout);
      assert.match(leg.outputs['digest'] ?? '', /^sha256:[0-9a-f]{64}$/);
      assert.equal(leg.outputs['imageRef'], `${name}@${leg.outputs['digest'] ?? ''}`);
      assert.match(leg.summary, new RegExp(`pushed <code>${name.replace(/\./g, '\\.')}@sha256:`));
      legs.push(leg);
    }
    const [amd, arm] = legs.map((l) => l.outputs['digest'] ?? '');
    await registry.settled();
    assert.equal(registry.accessLog().filter((l) => /"PUT \/v2\/team\/matrix\/manifests\/(?!sha256:)/.test(l)).length, 0, 'no tag pushed by the legs');

    // As a job would pass them on: a digest and a NAME@DIGEST, one per line.
    const merged = await runAction(root, cache.env, { name, tags: 'latest\nsha-abc', index: `${amd}\n${name}@${arm}`, ...auth });
    assert.equal(merged.status, 0, merged.stdout);
    const raw = execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', '--creds', 'bot:hunter2-very-secret', `docker://${name}:sha-abc`]);
    assert.equal(merged.outputs['digest'], `sha256:${createHash('sha256').update(raw).digest('hex')}`);
    assert.equal(merged.outputs['imageRef'], `${name}@${merged.outputs['digest'] ?? ''}`);
    const index = JSON.parse(raw.toString('utf8')) as { mediaType: string; manifests: { digest: string; platform: { architecture: string } }[] };
    assert.equal(index.mediaType, 'application/vnd.oci.image.index.v1+json');
    assert.deepEqual(index.manifests.map((m) => [m.platform.architecture, m.digest]), [['amd64', amd], ['arm64', arm]]);
    assert.match(merged.stdout, /^::group::Index$/m);
    assert.match(merged.summary, /<h3>Index /);
    assert.match(merged.summary, new RegExp(`<td><code>linux/amd64</code></td><td><code>${amd ?? ''}</code></td>`));
    assert.match(merged.summary, new RegExp(`<td><code>linux/arm64</code></td><td><code>${arm ?? ''}</code></td>`));
    for (const run of [...legs, merged]) {
      const lines = run.stdout.split('\n');
      assert.deepEqual(lines.filter((l) => l.includes('hunter2-very-secret')), ['::add-mask::hunter2-very-secret']);
      assert.ok(!run.summary.includes('hunter2-very-secret'));
    }

    // Bad input: one ::error:: line, nothing pushed.
    const puts = () => registry.accessLog().filter((l) => l.includes('"PUT /v2/team/matrix/manifests/')).length;
    const before = puts();
    const missing = `sha256:${'1'.repeat(64)}`;
    for (const [inputs, message] of [
      [{ index: missing }, `::error::manifest ${missing} is not in ${name}`],
      [{ index: amd ?? '', contents: app }, '::error::index and contents cannot go together: a step either builds an image or pushes an index of images pushed before'],
      [{ index: 'sha256:1234' }, '::error::index "sha256:1234" is not a digest (sha256: and 64 hex digits) or NAME@DIGEST'],
      // Inputs only a build reads would be dropped silently: refused instead.
      [{ index: amd ?? '', platform: 'linux/arm64' }, '::error::index and platform cannot go together: a step either builds an image or pushes an index of images pushed before'],
      [{ index: amd ?? '', explain: 'true' }, '::error::index and explain cannot go together: a step either builds an image or pushes an index of images pushed before'],
      [{ index: amd ?? '', pushByDigest: 'true' }, '::error::index and pushByDigest cannot go together: a step either builds an image or pushes an index of images pushed before'],
      // A leg with a tag would name a local image the registry never gets.
      [{ contents: app, config, pushByDigest: 'true' }, '::error::tag "broken" cannot go with pushByDigest, which pushes no tag; the index that names this digest is what gets tagged'],
    ] as const) {
      const r = await runAction(root, cache.env, { name, tag: 'broken', ...auth, ...inputs });
      assert.equal(r.status, 1);
      assert.deepEqual(r.stdout.split('\n').filter((l) => l.startsWith('::error::')), [message]);
    }
    await registry.settled();
    assert.equal(puts(), before);
  });

  it("takes metadata-action's labels and annotations outputs as they come: labels in the config, manifest annotations on the manifest, a bad line one ::error::; sbom: true writes the SBOM and names it", async () => {
    const name = `${registry.host}/team/meta`;
    const auth = { username: 'bot', password: 'hunter2-very-secret' };
    // steps.meta.outputs.labels and .annotations (DOCKER_METADATA_ANNOTATIONS_LEVELS=manifest,index), newline-separated.
    const labels = 'org.opencontainers.image.title=meta\norg.opencontainers.image.description=An app, made with Nix\norg.opencontainers.image.revision=1a2b3c4d\n';
    const annotations = 'manifest:org.opencontainers.image.title=meta\nmanifest:org.opencontainers.image.description=An app, made with Nix\nindex:org.opencontainers.image.title=meta\n';
    const run = await runAction(root, cache.env, { name, contents: app, config, tag: 'main', labels, annotations, push: 'true', sbom: 'true', ...auth });
    assert.equal(run.status, 0, run.stdout);
    // sbom: true writes the CycloneDX document under RUNNER_TEMP, its subject the pushed manifest.
    assert.equal(run.outputs['sbom'], path.join(run.temp, 'layered-image.cdx.json'));
    const bom = JSON.parse(await readFile(run.outputs['sbom'] ?? '', 'utf8')) as { metadata: { component: { properties: { name: string; value: string }[] } }; components: unknown[] };
    assert.deepEqual(bom.metadata.component.properties.find((p) => p.name === 'layered-image:manifest-digest')?.value, run.outputs['digest']);
    assert.equal(bom.components.length, closureOf(app).length);
    const creds = ['--tls-verify=false', '--creds', 'bot:hunter2-very-secret'];
    const raw = execFileSync('skopeo', ['inspect', '--raw', ...creds, `docker://${name}:main`]);
    assert.equal(run.outputs['digest'], `sha256:${createHash('sha256').update(raw).digest('hex')}`);
    assert.deepEqual((JSON.parse(raw.toString('utf8')) as { annotations?: unknown }).annotations, {
      'org.opencontainers.image.title': 'meta',
      'org.opencontainers.image.description': 'An app, made with Nix',
    });
    const inspected = JSON.parse(execFileSync('skopeo', ['inspect', ...creds, `docker://${name}:main`], { encoding: 'utf8' })) as { Labels: Record<string, string> };
    assert.deepEqual(inspected.Labels, {
      'org.opencontainers.image.title': 'meta',
      'org.opencontainers.image.description': 'An app, made with Nix',
      'org.opencontainers.image.revision': '1a2b3c4d',
    });
    assert.match(run.stdout, /^a pushed manifest has no place for index annotations; they are left out of it \(an index step places index and manifest-descriptor ones\)$/m);

    // steps.meta.outputs.tags: full references, one a line, and no name.
    const byRefs = await runAction(root, cache.env, { tags: `${name}:sha-1a2b3c\n${name}:edge\n`, contents: app, config, push: 'true', ...auth });
    assert.equal(byRefs.status, 0, byRefs.stdout);
    assert.equal(byRefs.outputs['imageName'], name);
    assert.equal(byRefs.outputs['imageRef'], `${name}@${byRefs.outputs['digest'] ?? ''}`);
    for (const tag of ['sha-1a2b3c', 'edge']) {
      const served = execFileSync('skopeo', ['inspect', '--raw', ...creds, `docker://${name}:${tag}`]);
      assert.equal(`sha256:${createHash('sha256').update(served).digest('hex')}`, byRefs.outputs['digest']);
    }

    const bad = await runAction(root, cache.env, { name, contents: app, config, tag: 'bad', labels: 'org.example.novalue', push: 'true', ...auth });
    assert.equal(bad.status, 1);
    assert.deepEqual(bad.stdout.split('\n').filter((l) => l.startsWith('::error::')), ['::error::labels "org.example.novalue" is not KEY=VALUE']);
    await registry.settled();
    assert.equal(registry.accessLog().filter((l) => l.includes('"PUT /v2/team/meta/manifests/bad')).length, 0);
  });
});
