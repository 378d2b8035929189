import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as CDX from '@cyclonedx/cyclonedx-library';
import { derivedFacts, readDerivation } from '../../src/sbom/deriver.js';
import { parseDrvName, storeName } from '../../src/sbom/store-name.js';
import { runCli } from '../support/cli.js';
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
  push?: { digest: string };
  sbom?: string;
}

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

  it("after a push, its subject is the pushed manifest; the Action's sbom: true names the file in its output", async () => {
    const name = `${registry.host}/acme/hello`;
    const sbom = path.join(dir, 'pushed.cdx.json');
    const r = runCli(['build', '--json', '--name', name, '--tag', 'v1', '--contents', hello, '--push', '--no-cache', '--sbom', sbom]);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as Report;
    const bom = JSON.parse(await readFile(sbom, 'utf8')) as Bom;
    assert.equal(prop(bom.metadata.component, 'layered-image:manifest-digest'), report.push?.digest);
    assert.equal(bom.metadata.component.purl, `pkg:oci/hello@${encodeURIComponent(report.push?.digest ?? '')}?repository_url=${name}`);
    assert.equal(await schemaErrors(await readFile(sbom, 'utf8')), null);
  });

  it('bad input: an SBOM path that is a folder is one line, and nothing is written', async () => {
    const folder = path.join(dir, 'a-folder');
    await mkdir(folder);
    const out = path.join(dir, 'not-written.tar');
    const r = runCli(['build', '--name', 'acme/hello', '--contents', hello, '--no-cache', '--output', out, '--sbom', folder]);
    assert.equal(r.status, 1);
    assert.deepEqual(errorLines(r.stderr), [`layered-image: --sbom ${folder} is a directory`]);
    assert.deepEqual(await readdir(folder), []);
    assert.ok(!(await readdir(dir)).includes('not-written.tar'));
  });
});
