import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runAction, type ActionRun } from '../support/action.js';
import { startCacheServer, type CacheServer } from '../support/cache-server.js';
import { pullAndRun } from '../support/consumers.js';
import { closureOf, nixBuild } from '../support/nix.js';
import { CLOSURE_NIX } from '../support/paths.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

const A = { user: 'bot', password: 'hunter2-registry-a-secret' };
const B = { user: 'mirror', password: 'hunter2-registry-b-secret' };
const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const basic = (c: { user: string; password: string }) => Buffer.from(`${c.user}:${c.password}`).toString('base64');

describe("the Action pushing to every repository metadata-action's tags name: two of one registry, one of another", () => {
  let root: string;
  let a: TestRegistry;
  let b: TestRegistry;
  let cache: CacheServer;
  let app: string;
  let docker: string;
  let authfile: string;

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'action-repos-'));
    a = await startRegistry({ auth: { htpasswd: A } });
    b = await startRegistry({ auth: { htpasswd: B } });
    cache = await startCacheServer({ dir: path.join(root, 'cache-service') });
    app = nixBuild(CLOSURE_NIX, 'app');
    // The second registry's login, as docker/login-action leaves it; the first's comes as inputs.
    docker = await mkdtemp(path.join(root, 'docker-'));
    await writeFile(path.join(docker, 'config.json'), JSON.stringify({ auths: { [b.host]: { auth: basic(B) } } }));
    authfile = path.join(root, 'auth.json');
    await writeFile(authfile, JSON.stringify({ auths: { [a.host]: { auth: basic(A) }, [b.host]: { auth: basic(B) } } }));
  });
  after(async () => {
    await cache.close();
    await a.stop();
    await b.stop();
    await rm(root, { recursive: true, force: true });
  });

  const creds = (host: string) => ['--tls-verify=false', '--creds', host === a.host ? `${A.user}:${A.password}` : `${B.user}:${B.password}`];
  /** A manifest or blob from a registry's API, as a puller fetches it. */
  const registryGet = async (host: string, repository: string, what: string): Promise<Buffer> => {
    const res = await fetch(`http://${host}/v2/${repository}/${what}`, { headers: { authorization: `Basic ${basic(host === a.host ? A : B)}`, accept: 'application/vnd.oci.image.manifest.v1+json' } });
    assert.equal(res.status, 200, `${host}/${repository}/${what}`);
    return Buffer.from(await res.arrayBuffer());
  };
  const served = (ref: string) => execFileSync('skopeo', ['inspect', '--raw', ...creds(ref.slice(0, ref.indexOf('/'))), `docker://${ref}`]);

  it('one push: every reference resolves to one digest, blobs mounted into the second repository of a registry, labels and annotations in place, an SBOM in each, runs from each', async () => {
    const refs = [`${a.host}/acme/app:sha-1a2b3c`, `${a.host}/acme/app:main`, `${a.host}/acme/app-mirror:main`, `${b.host}/acme/app:main`];
    // steps.meta.outputs as they arrive: newline-separated, annotations with every level (DOCKER_METADATA_ANNOTATIONS_LEVELS=manifest,index,manifest-descriptor,index-descriptor).
    const meta = {
      tags: `${refs.join('\n')}\n`,
      labels: 'org.opencontainers.image.title=app\norg.opencontainers.image.source=https://github.com/acme/app\norg.opencontainers.image.revision=1a2b3c4d\n',
      annotations: ['manifest', 'index', 'manifest-descriptor', 'index-descriptor'].map((l) => `${l}:org.opencontainers.image.title=app`).join('\n'),
    };
    const inputs = { ...meta, contents: app, config: JSON.stringify({ Cmd: ['/bin/app'] }), push: 'true', sbom: 'true', username: A.user, password: A.password };
    const run = await runAction(root, { ...cache.env, DOCKER_CONFIG: docker }, inputs);
    assert.equal(run.status, 0, run.stdout);
    const digest = run.outputs['digest'] ?? '';
    assert.match(digest, /^sha256:[0-9a-f]{64}$/);
    assert.equal(run.outputs['imageName'], `${a.host}/acme/app`);
    assert.equal(run.outputs['imageRef'], `${a.host}/acme/app@${digest}`);
    for (const ref of refs) assert.equal(sha256(served(ref)), digest, ref);
    const manifest = JSON.parse(served(refs[3] as string).toString('utf8')) as { annotations?: Record<string, string>; layers: unknown[] };
    assert.deepEqual(manifest.annotations, { 'org.opencontainers.image.title': 'app' });
    const inspected = JSON.parse(execFileSync('skopeo', ['inspect', ...creds(b.host), `docker://${refs[3] ?? ''}`], { encoding: 'utf8' })) as { Labels: Record<string, string> };
    assert.equal(inspected.Labels['org.opencontainers.image.source'], 'https://github.com/acme/app');

    await a.settled();
    await b.settled();
    // The image's layers and config; each repository's SBOM artifact adds its own two (the empty config, the document naming that repository).
    const blobs = manifest.layers.length + 1;
    const sbomBlobs = 2;
    assert.equal(a.blobUploads('acme/app'), blobs + sbomBlobs);
    assert.equal(a.blobUploads('acme/app-mirror'), sbomBlobs, 'no image blob uploaded into the second repository of the registry');
    assert.equal(a.blobMounts('acme/app-mirror'), blobs, 'every layer and the config mounted from the first');
    assert.equal(b.blobUploads('acme/app'), blobs + sbomBlobs, 'another registry: uploaded');
    // The SBOM, attached in each repository under its referrers tag, names the repository it is in.
    for (const [host, repository] of [[a.host, 'acme/app'], [a.host, 'acme/app-mirror'], [b.host, 'acme/app']] as const) {
      const index = JSON.parse(served(`${host}/${repository}:sha256-${digest.slice(7)}`).toString('utf8')) as { manifests: { artifactType: string; digest: string }[] };
      assert.deepEqual(index.manifests.map((m) => m.artifactType), ['application/vnd.cyclonedx+json']);
      const artifact = JSON.parse((await registryGet(host, repository, `manifests/${index.manifests[0]?.digest ?? ''}`)).toString('utf8')) as { layers: { digest: string }[] };
      const doc = JSON.parse((await registryGet(host, repository, `blobs/${artifact.layers[0]?.digest ?? ''}`)).toString('utf8')) as { metadata: { component: { name: string; purl: string } } };
      assert.equal(doc.metadata.component.name, `${host}/${repository}`);
      assert.ok(doc.metadata.component.purl.endsWith(`?repository_url=${host}/${repository}`), doc.metadata.component.purl);
    }
    const bom = JSON.parse(await readFile(run.outputs['sbom'] ?? '', 'utf8')) as { components: unknown[] };
    assert.equal(bom.components.length, closureOf(app).length);
    for (const ref of [refs[2], refs[3]] as string[]) {
      assert.equal((await pullAndRun(ref, await mkdtemp(path.join(root, 'pulled-')), authfile)).stdout, 'hello from app\nlibrary 1\n', ref);
    }
    noSecrets(run);

    // The same step again: every blob is there, in every repository; nothing uploaded or mounted.
    const marks = [a.blobUploads('acme/app'), a.blobUploads('acme/app-mirror'), a.blobMounts('acme/app-mirror'), b.blobUploads('acme/app')];
    const again = await runAction(root, { ...cache.env, DOCKER_CONFIG: docker }, inputs);
    assert.equal(again.status, 0, again.stdout);
    assert.equal(again.outputs['digest'], digest);
    await a.settled();
    await b.settled();
    assert.deepEqual([a.blobUploads('acme/app'), a.blobUploads('acme/app-mirror'), a.blobMounts('acme/app-mirror'), b.blobUploads('acme/app')], marks);
    assert.match(again.stdout, new RegExp(`^${a.host.replace(/\./g, '\\.')}/acme/app-mirror: 0 blobs uploaded \\(0 B\\), 0 mounted, ${blobs} already there$`, 'm'));
    noSecrets(again);
  });

  it('repositories that hold different layers: a layer is made when any of them lacks it, and each gets only what it lacks', async () => {
    const env = { ...cache.env, DOCKER_CONFIG: docker };
    const [one, other] = [`${a.host}/acme/held`, `${b.host}/acme/held`];
    const step = (salt: string, tags: string) => runAction(root, env, { tags, contents: nixBuild(CLOSURE_NIX, 'app', { appSalt: salt }), push: 'true', username: A.user, password: A.password });
    const storeLayers = closureOf(nixBuild(CLOSURE_NIX, 'app')).length;
    const uploads = () => [a.blobUploads('acme/held'), b.blobUploads('acme/held')];
    const settle = () => Promise.all([a.settled(), b.settled()]);

    // Each step also pushes main, as metadata-action's branch tag: the next step's cacheFrom reads it.
    const first = await step('-1', `${one}:v1\n${one}:main`);
    assert.equal(first.status, 0, first.stdout);
    await settle();
    const [oneBefore, otherBefore] = uploads() as [number, number];
    // The other registry holds nothing: every layer is made, the first repository takes only the changed ones.
    const second = await step('-2', `${one}:v2\n${one}:main\n${other}:v2\n${other}:main`);
    assert.equal(second.status, 0, second.stdout);
    assert.equal(second.outputs['layersBuilt'], String(storeLayers));
    await settle();
    assert.deepEqual(uploads(), [oneBefore + 3, otherBefore + storeLayers + 2], 'the app layer, the customisation layer and the config; everything');
    // Now both hold all but the next app layer: one layer made, three blobs to each.
    const third = await step('-3', `${one}:v3\n${one}:main\n${other}:v3\n${other}:main`);
    assert.equal(third.status, 0, third.stdout);
    assert.equal(third.outputs['layersBuilt'], '1');
    await settle();
    assert.deepEqual(uploads(), [oneBefore + 6, otherBefore + storeLayers + 5]);
    for (const ref of [`${one}:v3`, `${other}:v3`]) assert.equal(sha256(served(ref)), third.outputs['digest']);
  });

  it('a registry that refuses its credentials fails the step before anything is pushed anywhere', async () => {
    const wrong = await mkdtemp(path.join(root, 'docker-wrong-'));
    await writeFile(path.join(wrong, 'config.json'), JSON.stringify({ auths: { [b.host]: { auth: basic({ user: B.user, password: 'not-the-b-password' }) } } }));
    const tags = `${a.host}/acme/refused:main\n${b.host}/acme/refused:main\n`;
    const run = await runAction(root, { ...cache.env, DOCKER_CONFIG: wrong }, { tags, contents: app, push: 'true', retries: '0', username: A.user, password: A.password });
    assert.equal(run.status, 1);
    const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error::'));
    assert.equal(errors.length, 1, run.stdout);
    assert.match(errors[0] ?? '', new RegExp(`^::error::registry ${b.host.replace(/\./g, '\\.')}: .*401`));
    await a.settled();
    assert.equal(a.accessLog().filter((l) => l.includes('/v2/acme/refused/')).length, 0, 'the first registry got nothing');
    assert.deepEqual(run.stdout.split('\n').filter((l) => l.includes('not-the-b-password')), ['::add-mask::not-the-b-password']);
  });
});

/** Each password is masked before anything is printed, and appears nowhere else. */
function noSecrets(run: ActionRun): void {
  const lines = run.stdout.split('\n');
  for (const secret of [A.password, B.password, basic(B)]) {
    assert.deepEqual(lines.filter((l) => l.includes(secret)), [`::add-mask::${secret}`], secret.slice(0, 8));
    assert.ok(!run.summary.includes(secret));
    assert.ok(!Object.values(run.outputs).some((v) => v.includes(secret)));
  }
}
