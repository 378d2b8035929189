import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as CDX from '@cyclonedx/cyclonedx-library';
import { derivedFacts, readDerivation } from '../../src/sbom/deriver.js';
import { parseDigest } from '../../src/digest.js';
import { pushedSubject } from '../../src/sbom/document.js';
import { parseDrvName, storeName } from '../../src/sbom/store-name.js';
import { runCli, runCliAsync } from '../support/cli.js';
import { startFaultProxy } from '../support/fault-proxy.js';
import { closureOf, nixBuild } from '../support/nix.js';
import { CLOSURE_NIX } from '../support/paths.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

interface Property {
  name: string;
  value: string;
}
interface Component {
  type: string;
  'bom-ref': string;
  name: string;
  version?: string;
  purl: string;
  externalReferences?: { type: string; url: string }[];
  properties: Property[];
}
interface Bom {
  specVersion: string;
  serialNumber: string;
  metadata: { component: Component & { purl?: string } };
  components: Component[];
  dependencies: { ref: string; dependsOn: string[] }[];
}
interface Report {
  layers: { digest: string; paths: string[] }[];
  push?: { digest: string; sbom?: { digest: string; tag?: string } };
  sbom?: string;
}

interface Artifact {
  artifactType: string;
  config: { mediaType: string };
  layers: { mediaType: string; digest: string }[];
  subject: { digest: string };
}

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const CYCLONEDX = 'application/vnd.cyclonedx+json';
const prop = (c: Component, name: string) => c.properties.find((p) => p.name === name)?.value;
const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('layered-image:'));

/** The CycloneDX project's own validator, against the 1.6 JSON schema: null when the document is valid. */
async function schemaErrors(text: string): Promise<unknown> {
  return new CDX.Validation.JsonStrictValidator(CDX.Spec.Version.v1dot6).validate(text);
}

describe('store path names as packages', () => {
  it('splits as builtins.parseDrvName does, and finds the output a multiple-output package appends', () => {
    assert.deepEqual(parseDrvName('hello-2.12.1'), { name: 'hello', version: '2.12.1' });
    assert.deepEqual(parseDrvName('python3.11-requests-2.31.0'), { name: 'python3.11-requests', version: '2.31.0' });
    assert.deepEqual(parseDrvName('source'), { name: 'source', version: '' });
    assert.deepEqual(parseDrvName('foo-bin'), { name: 'foo-bin', version: '' });
    const hash = '0'.repeat(32);
    assert.deepEqual(storeName(`/nix/store/${hash}-bash-interactive-5.2p26-man`), { hash, name: 'bash-interactive', version: '5.2p26', output: 'man' });
    assert.deepEqual(storeName(`/nix/store/${hash}-openssl-3.0.13-bin`), { hash, name: 'openssl', version: '3.0.13', output: 'bin' });
    assert.deepEqual(storeName(`/nix/store/${hash}-glibc-2.38-44`), { hash, name: 'glibc', version: '2.38-44', output: undefined });
    assert.deepEqual(storeName(`/nix/store/${hash}-etc-bashrc`), { hash, name: 'etc-bashrc', version: '', output: undefined });
  });

  it('names the pushed repository as a puller resolves it: Docker Hub names spelled out', () => {
    const digest = parseDigest(`sha256:${'a'.repeat(64)}`);
    assert.deepEqual(pushedSubject({ digest, refs: ['acme/hello:v1'] }), { manifestDigest: digest, repository: 'docker.io/acme/hello' });
    assert.deepEqual(pushedSubject({ digest, refs: [`hello@${digest}`] }), { manifestDigest: digest, repository: 'docker.io/library/hello' });
    assert.deepEqual(pushedSubject({ digest, refs: ['127.0.0.1:5000/team/app:v1'] }), { manifestDigest: digest, repository: '127.0.0.1:5000/team/app' });
    assert.deepEqual(pushedSubject(undefined), {});
  });

  it("reads a deriver's pname, version and its src's URLs; a missing or foreign file is no answer", async () => {
    const hello = nixBuild(CLOSURE_NIX, 'hello');
    const deriver = execFileSync('nix-store', ['--query', '--deriver', hello], { encoding: 'utf8' }).trim();
    const drv = await readDerivation(deriver);
    assert.equal(drv?.env.get('pname'), 'hello');
    assert.deepEqual([...(drv?.outputs.keys() ?? [])].sort(), ['bin', 'out']);
    assert.deepEqual(await derivedFacts(deriver), {
      name: 'hello',
      version: '2.12.1',
      urls: ['https://ftp.gnu.org/gnu/hello/hello-2.12.1.tar.gz', 'mirror://gnu/hello/hello-2.12.1.tar.gz'],
    });
    assert.equal(await derivedFacts('/nix/store/00000000000000000000000000000000-gone.drv'), undefined);
    assert.equal(await readDerivation(CLOSURE_NIX), undefined);
    // The output a path is, from the derivation itself.
    const bin = execFileSync('nix-build', [CLOSURE_NIX, '-A', 'hello.bin', '--no-out-link', '--option', 'substitute', 'false', '--quiet'], { encoding: 'utf8' }).trim();
    assert.equal((await derivedFacts(deriver, bin))?.output, 'bin');
  });

  it('reads ATerm strings with their escapes, and takes credentials out of source URLs', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'drv-'));
    try {
      const src = '/nix/store/00000000000000000000000000000001-src.tar.gz';
      const fetch = path.join(folder, 'fetch.drv');
      await writeFile(fetch, `Derive([("out","${src}","","")],[],[],"x86_64-linux","/bin/sh",[],[("urls","https://bot:hunter2-drv-secret@example.org/src.tar.gz http://example.org/mirror/src.tar.gz"),("out","${src}")])`);
      const main = path.join(folder, 'main.drv');
      const script = 'echo \\"quoted\\" \\\\ back\\nslash\\ttab';
      await writeFile(main, `Derive([("out","/nix/store/00000000000000000000000000000002-x-1.0","","")],[("${fetch}",["out"])],[],"x86_64-linux","/bin/sh",["-c","${script}"],[("pname","x"),("script","${script}"),("src","${src}"),("version","1.0")])`);
      const drv = await readDerivation(main);
      assert.equal(drv?.env.get('script'), 'echo "quoted" \\ back\nslash\ttab');
      assert.deepEqual(await derivedFacts(main, '/nix/store/00000000000000000000000000000002-x-1.0'), {
        name: 'x',
        version: '1.0',
        urls: ['https://example.org/src.tar.gz', 'http://example.org/mirror/src.tar.gz'],
        output: 'out',
      });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe('the SBOM of an image (--sbom): CycloneDX 1.6', () => {
  let dir: string;
  let registry: TestRegistry;
  let hello: string;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sbom-'));
    registry = await startRegistry();
    hello = nixBuild(CLOSURE_NIX, 'hello');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
    await registry.stop();
  });

  const build = async (args: string[]): Promise<Report> => {
    const r = runCli(['build', '--json', '--name', 'acme/hello', '--contents', hello, '--no-cache', ...args]);
    assert.equal(r.status, 0, r.stderr);
    await registry.settled();
    return JSON.parse(r.stdout) as Report;
  };

  it('validates, lists every store path once with its layer, names and versions them, and is the same bytes on a rebuild', async () => {
    const sbom = path.join(dir, 'hello.cdx.json');
    const report = await build(['--tag', 'v1', '--output', path.join(dir, 'hello.tar'), '--sbom', sbom]);
    assert.equal(report.sbom, sbom);
    const text = await readFile(sbom, 'utf8');
    assert.equal(await schemaErrors(text), null);
    const bom = JSON.parse(text) as Bom;
    assert.equal(bom.specVersion, '1.6');

    const closure = closureOf(hello);
    assert.deepEqual(bom.components.map((c) => c['bom-ref']), closure);
    for (const c of bom.components) {
      const layer = report.layers.find((l) => l.paths.includes(c['bom-ref']));
      assert.ok(layer !== undefined);
      assert.equal(prop(c, 'layered-image:layer-diff-id'), layer.digest, c['bom-ref']);
      assert.equal(prop(c, 'nix:store-path'), c['bom-ref']);
      const query = (what: string) => execFileSync('nix-store', ['--query', what, c['bom-ref']], { encoding: 'utf8' }).trim();
      const [narHash, narSize] = [query('--hash'), query('--size')];
      assert.equal(prop(c, 'nix:nar-size'), narSize);
      assert.equal(prop(c, 'nix:nar-hash')?.slice(7), execFileSync('nix-hash', ['--type', 'sha256', '--to-base16', (narHash ?? '').replace(/^sha256:/, '')], { encoding: 'utf8' }).trim());
    }
    const byName = (suffix: string) => bom.components.find((c) => c['bom-ref'].endsWith(suffix)) as Component;
    const out = byName('-hello-2.12.1');
    assert.deepEqual([out.type, out.name, out.version], ['library', 'hello', '2.12.1']);
    assert.equal(out.purl, `pkg:nix/hello@2.12.1?outputhash=${path.basename(hello).slice(0, 32)}`);
    assert.deepEqual(out.externalReferences?.map((r) => r.url), ['https://ftp.gnu.org/gnu/hello/hello-2.12.1.tar.gz', 'mirror://gnu/hello/hello-2.12.1.tar.gz']);
    const bin = byName('-hello-2.12.1-bin');
    assert.equal(bin.version, '2.12.1');
    assert.equal(prop(bin, 'nix:output'), 'bin');
    assert.match(bin.purl, /^pkg:nix\/hello@2\.12\.1\?output=bin&outputhash=[0-9a-z]{32}$/);
    // A file made by builtins.toFile: no version, no deriver, listed all the same.
    const note = byName('-greeting.txt');
    assert.deepEqual([note.type, note.version, prop(note, 'nix:deriver')], ['file', undefined, undefined]);
    assert.equal(note.purl, `pkg:nix/greeting.txt?outputhash=${path.basename(note['bom-ref']).slice(0, 32)}`);

    // The references as the dependency graph; the image holds the contents.
    const deps = new Map(bom.dependencies.map((d) => [d.ref, d.dependsOn]));
    assert.deepEqual(deps.get('image'), [hello]);
    for (const p of closure) {
      const refs = execFileSync('nix-store', ['--query', '--references', p], { encoding: 'utf8' }).trim().split('\n').filter((r) => r !== '' && r !== p).sort();
      assert.deepEqual(deps.get(p), refs, p);
    }

    await build(['--tag', 'v1', '--output', path.join(dir, 'hello-2.tar'), '--sbom', path.join(dir, 'again.cdx.json')]);
    assert.equal(await readFile(path.join(dir, 'again.cdx.json'), 'utf8'), text, 'byte-identical on a rebuild');
  });

  /** What a scanner does (trivy's --sbom-sources oci): the referrers API, then the referrers tag on 404; the CycloneDX artifacts' documents. */
  async function scannerFinds(repository: string, subject: string): Promise<{ api: number; documents: string[]; entries: number }> {
    const base = `http://${registry.host}/v2/${repository}`;
    const api = (await fetch(`${base}/referrers/${subject}`, { headers: { accept: OCI_INDEX } })).status;
    const res = await fetch(`${base}/manifests/sha256-${subject.slice(7)}`, { headers: { accept: OCI_INDEX } });
    if (res.status === 404) return { api, documents: [], entries: 0 };
    const index = (await res.json()) as { mediaType: string; manifests: { digest: string; artifactType?: string }[] };
    assert.equal(index.mediaType, OCI_INDEX);
    const documents: string[] = [];
    for (const entry of index.manifests.filter((m) => m.artifactType === CYCLONEDX)) {
      const manifest = (await (await fetch(`${base}/manifests/${entry.digest}`, { headers: { accept: OCI_MANIFEST } })).json()) as Artifact;
      assert.equal(manifest.artifactType, CYCLONEDX);
      assert.equal(manifest.config.mediaType, 'application/vnd.oci.empty.v1+json');
      assert.equal(manifest.layers.length, 1);
      assert.equal(manifest.layers[0]?.mediaType, CYCLONEDX);
      assert.equal(manifest.subject.digest, subject);
      documents.push(await (await fetch(`${base}/blobs/${manifest.layers[0]?.digest ?? ''}`)).text());
    }
    return { api, documents, entries: index.manifests.length };
  }

  it('after a push, its subject is the pushed manifest, and it is attached there as a referrer a scanner finds; pushes keep what the referrers tag lists', async () => {
    const name = `${registry.host}/acme/hello`;
    const push = async (contents: string, tag: string, extra: string[]) => {
      const r = runCli(['build', '--json', '--name', name, '--tag', tag, '--contents', contents, '--push', '--no-cache', ...extra]);
      assert.equal(r.status, 0, r.stderr);
      await registry.settled();
      return JSON.parse(r.stdout) as Report;
    };
    const sbom = path.join(dir, 'pushed.cdx.json');
    const a = await push(hello, 'v1', ['--sbom', sbom]);
    const text = await readFile(sbom, 'utf8');
    const bom = JSON.parse(text) as Bom;
    const digestA = a.push?.digest ?? '';
    assert.equal(prop(bom.metadata.component, 'layered-image:manifest-digest'), digestA);
    assert.equal(bom.metadata.component.purl, `pkg:oci/hello@${encodeURIComponent(digestA)}?repository_url=${name}`);
    assert.equal(await schemaErrors(text), null);
    assert.equal(a.push?.sbom?.tag, `sha256-${digestA.slice(7)}`);
    // distribution 2.8 has no referrers API: the scanner falls back on the tag.
    assert.deepEqual(await scannerFinds('acme/hello', digestA), { api: 404, documents: [text], entries: 1 });

    // Another image in the repository, which another tool has already given a referrer.
    const app = nixBuild(CLOSURE_NIX, 'app');
    const digestB = (await push(app, 'b1', [])).push?.digest ?? '';
    const foreign = await addForeignReferrer('acme/hello', digestB);
    const sbomB = path.join(dir, 'pushed-b.cdx.json');
    await push(app, 'b2', ['--sbom', sbomB]);
    const foundB = await scannerFinds('acme/hello', digestB);
    assert.deepEqual(foundB, { api: 404, documents: [await readFile(sbomB, 'utf8')], entries: 2 });
    const indexB = (await (await fetch(`http://${registry.host}/v2/acme/hello/manifests/sha256-${digestB.slice(7)}`, { headers: { accept: OCI_INDEX } })).json()) as { manifests: { digest: string }[] };
    assert.equal(indexB.manifests[0]?.digest, foreign, "the other tool's referrer is kept, first");

    // The first image pushed again under another tag: the same document, listed once.
    await push(hello, 'v2', ['--sbom', path.join(dir, 'pushed-again.cdx.json')]);
    assert.equal(await readFile(path.join(dir, 'pushed-again.cdx.json'), 'utf8'), text);
    assert.deepEqual(await scannerFinds('acme/hello', digestA), { api: 404, documents: [text], entries: 1 });
  });

  it('with --push-by-digest each platform manifest gets its SBOM, and an index of them leaves both in place', async () => {
    const name = `${registry.host}/acme/multi`;
    const digests: string[] = [];
    for (const platform of ['linux/amd64', 'linux/arm64']) {
      const file = path.join(dir, `multi-${platform.replace('/', '-')}.cdx.json`);
      const r = runCli(['build', '--json', '--name', name, '--contents', hello, '--platform', platform, '--push-by-digest', '--no-cache', '--sbom', file]);
      assert.equal(r.status, 0, r.stderr);
      const digest = (JSON.parse(r.stdout) as Report).push?.digest ?? '';
      digests.push(digest);
      assert.equal(prop((JSON.parse(await readFile(file, 'utf8')) as Bom).metadata.component, 'layered-image:manifest-digest'), digest);
    }
    await registry.settled();
    const made = runCli(['index', '--name', name, '--tag', 'v1', ...digests.flatMap((d) => ['--manifest', d])]);
    assert.equal(made.status, 0, made.stderr);
    for (const [i, d] of digests.entries()) {
      const found = await scannerFinds('acme/multi', d);
      assert.deepEqual(found, { api: 404, documents: [await readFile(path.join(dir, `multi-linux-${i === 0 ? 'amd64' : 'arm64'}.cdx.json`), 'utf8')], entries: 1 });
    }
  });

  it('where the registry answers the referrers API, the artifact is pushed with its subject and no referrers tag is written', async () => {
    // docker-registry 2.8 has no referrers API: a proxy answers it as a registry with one does, an index of none yet.
    const proxy = await startFaultProxy(registry.host);
    try {
      const empty = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] });
      proxy.setRules([{ method: 'GET', path: /^\/v2\/acme\/api\/referrers\/sha256:/, status: 200, body: { type: OCI_INDEX, text: empty }, times: Infinity }]);
      const name = `${proxy.host}/acme/api`;
      // Not blocking this process: the proxy answers from here.
      const r = await runCliAsync(['build', '--json', '--name', name, '--tag', 'v1', '--contents', hello, '--push', '--no-cache', '--sbom', path.join(dir, 'api.cdx.json')]);
      assert.equal(r.status, 0, r.stderr);
      await registry.settled();
      const report = JSON.parse(r.stdout) as Report;
      assert.equal(report.push?.sbom?.tag, undefined);
      assert.match(r.stderr, /SBOM attached to \S+@sha256:[0-9a-f]{64} as sha256:[0-9a-f]{64}: the registry lists it \(referrers API\)/);
      assert.equal(proxy.seen().filter((q) => q.url.includes('/referrers/')).length, 1);
      assert.equal(registry.accessLog().filter((l) => /"PUT \/v2\/acme\/api\/manifests\/sha256-/.test(l)).length, 0, 'no referrers tag');
      const artifact = (await (await fetch(`http://${registry.host}/v2/acme/api/manifests/${report.push?.sbom?.digest ?? ''}`, { headers: { accept: OCI_MANIFEST } })).json()) as Artifact;
      assert.equal(artifact.subject.digest, report.push?.digest);
    } finally {
      await proxy.stop();
    }
  });

  /** A signature-like artifact for `subject`, listed under its referrers tag, as another tool would leave it; its digest. */
  async function addForeignReferrer(repository: string, subject: string): Promise<string> {
    const base = `http://${registry.host}/v2/${repository}`;
    const subjectBytes = Buffer.from(await (await fetch(`${base}/manifests/${subject}`, { headers: { accept: OCI_MANIFEST } })).arrayBuffer());
    const empty = { mediaType: 'application/vnd.oci.empty.v1+json', digest: `sha256:${createHash('sha256').update('{}').digest('hex')}`, size: 2 };
    // The empty config is in the repository already: the first SBOM's artifact put it there.
    assert.equal((await fetch(`${base}/blobs/${empty.digest}`, { method: 'HEAD' })).status, 200);
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: 'application/vnd.example.signature',
      config: empty,
      layers: [{ ...empty, mediaType: 'application/vnd.example.signature' }],
      subject: { mediaType: OCI_MANIFEST, digest: subject, size: subjectBytes.length },
    });
    const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
    assert.equal((await fetch(`${base}/manifests/${digest}`, { method: 'PUT', headers: { 'content-type': OCI_MANIFEST }, body: manifest })).status, 201);
    const index = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST, digest, size: Buffer.byteLength(manifest), artifactType: 'application/vnd.example.signature' }] });
    assert.equal((await fetch(`${base}/manifests/sha256-${subject.slice(7)}`, { method: 'PUT', headers: { 'content-type': OCI_INDEX }, body: index })).status, 201);
    return digest;
  }

  it('bad input: an SBOM path that is a folder is one line, and nothing is written', async () => {
    const folder = path.join(dir, 'a-folder');
    await mkdir(folder);
    const out = path.join(dir, 'not-written.tar');
    const r = runCli(['build', '--name', 'acme/hello', '--contents', hello, '--no-cache', '--output', out, '--sbom', folder]);
    assert.equal(r.status, 1);
    assert.deepEqual(errorLines(r.stderr), [`layered-image: --sbom ${folder} is a directory`]);
    assert.deepEqual(await readdir(folder), []);
    assert.ok(!(await readdir(dir)).includes('not-written.tar'));
    const same = runCli(['build', '--name', 'acme/hello', '--contents', hello, '--no-cache', '--output', out, '--sbom', out]);
    assert.deepEqual(errorLines(same.stderr), [`layered-image: --sbom ${out} is the image's --output too; give the SBOM a file of its own`]);
    assert.ok(!(await readdir(dir)).includes('not-written.tar'));
  });

  it('something other than an index under the referrers tag is left alone: the push fails in one line before any tag', async () => {
    const name = `${registry.host}/acme/clash`;
    const first = runCli(['build', '--json', '--name', name, '--contents', hello, '--push-by-digest', '--no-cache']);
    assert.equal(first.status, 0, first.stderr);
    const digest = (JSON.parse(first.stdout) as Report).push?.digest ?? '';
    const base = `http://${registry.host}/v2/acme/clash`;
    const manifest = Buffer.from(await (await fetch(`${base}/manifests/${digest}`, { headers: { accept: OCI_MANIFEST } })).arrayBuffer());
    // The image manifest itself under the tag a referrers index belongs to.
    assert.equal((await fetch(`${base}/manifests/sha256-${digest.slice(7)}`, { method: 'PUT', headers: { 'content-type': OCI_MANIFEST }, body: manifest })).status, 201);
    const r = runCli(['build', '--name', name, '--tag', 'v1', '--contents', hello, '--push', '--no-cache', '--sbom', path.join(dir, 'clash.cdx.json')]);
    assert.equal(r.status, 1);
    assert.deepEqual(errorLines(r.stderr), [`layered-image: acme/clash:sha256-${digest.slice(7)} holds ${OCI_MANIFEST}, not the referrers index the OCI distribution spec puts there; it is left alone`]);
    await registry.settled();
    assert.equal((await fetch(`${base}/manifests/v1`, { method: 'HEAD', headers: { accept: OCI_MANIFEST } })).status, 404, 'no tag pushed');
    assert.ok(!(await readdir(dir)).includes('clash.cdx.json'));
  });
});
