import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseNarInfo } from '../../src/nix/narinfo.js';
import { makeBinaryCache, makeCacheKey, narInfoFile, type CacheKey } from '../support/binary-cache.js';
import { runCli, runCliWithoutStore, type CliResult } from '../support/cli.js';
import { pullAndRun, runImage } from '../support/consumers.js';
import { startNarServer, type NarServer } from '../support/nar-server.js';
import { closureOf, nixBuild } from '../support/nix.js';
import { CLOSURE_NIX } from '../support/paths.js';
import { freePort, startRegistry, type TestRegistry } from '../support/registry.js';

interface Report {
  imageId: string;
  layerDigests: string[];
  layers: { source: string; pushed?: string }[];
  cache: { built: number };
  push?: { digest: string; blobs: { uploaded: number } };
}

const config = JSON.stringify({ Cmd: ['/bin/app'] });
const errorLines = (r: CliResult) => r.stderr.split('\n').filter((l) => l.startsWith('layered-image:') && !l.startsWith('layered-image: warning:'));

describe('images straight from a binary cache (made by nix copy, served on loopback), built where the store is empty', () => {
  let dir: string;
  let key: CacheKey;
  let cacheDir: string;
  let server: NarServer;
  let registry: TestRegistry;
  const app: Record<string, string> = {};

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'substitute-'));
    key = await makeCacheKey(dir, 'test-cache-1');
    for (const v of ['1', '2']) app[v] = nixBuild(CLOSURE_NIX, 'app', { appSalt: `-sub${v}` });
    cacheDir = makeBinaryCache(path.join(dir, 'cache'), [app['1'] as string, app['2'] as string], { compression: 'xz', key });
    server = await startNarServer(cacheDir);
    registry = await startRegistry();
  });
  after(async () => {
    await server.close();
    await registry.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const from = (url = server.url, pk = key.publicKey) => ['--substituter', url, '--trusted-public-key', pk];
  const narFile = (p: string) => `nar/${path.basename(parseNarInfoOf(cacheDir, p).url)}`;
  const manifestPuts = (repository: string) => registry.accessLog().filter((l) => l.includes(`"PUT /v2/${repository}/manifests/`)).length;

  it('a push with no path in the local store: the same image as one built from the store, every NAR downloaded once, and it runs', async () => {
    const local = runCli(['build', '--json', '--name', 'sub/app', '--contents', app['1'] as string, '--config', config, '--no-cache', '--output', path.join(dir, 'local.tar')]);
    assert.equal(local.status, 0, local.stderr);
    const reference = JSON.parse(local.stdout) as Report;
    server.reset();
    const name = `${registry.host}/sub/app`;
    const r = await runCliWithoutStore(['build', '--json', '--name', name, '--tag', 'v1', '--tag', 'main', '--contents', app['1'] as string, '--config', config, '--push', '--no-cache', ...from()]);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as Report;
    assert.deepEqual(report.layerDigests, reference.layerDigests, 'every layer byte for byte as from the store');
    assert.equal(report.imageId, reference.imageId);
    const closure = closureOf(app['1'] as string);
    assert.deepEqual([...server.requests].filter(([f]) => f.startsWith('nar/')).map(([f, n]) => [f, n]).sort(), closure.map((p) => [narFile(p), 1]).sort());
    assert.equal((await pullAndRun(`${name}:v1`, path.join(dir, 'pulled-1'))).stdout, 'hello from app-sub1\nlibrary 1\n');
  });

  it("an app-only change: only the app's NAR is downloaded, and 3 blobs uploaded", async () => {
    const name = `${registry.host}/sub/app`;
    const before = registry.blobUploads('sub/app');
    server.reset();
    const r = await runCliWithoutStore(['build', '--json', '--name', name, '--tag', 'v2', '--tag', 'main', '--contents', app['2'] as string, '--config', config, '--push', '--no-cache', ...from()]);
    assert.equal(r.status, 0, r.stderr);
    await registry.settled();
    assert.equal(registry.blobUploads('sub/app') - before, 3);
    assert.deepEqual([...server.requests.keys()].filter((f) => f.startsWith('nar/')), [narFile(app['2'] as string)]);
    assert.equal(server.narBytes(), parseNarInfoOf(cacheDir, app['2'] as string).fileSize);
    assert.equal((await pullAndRun(`${name}:v2`, path.join(dir, 'pulled-2'))).stdout, 'hello from app-sub2\nlibrary 1\n');
  });

  it("substituters and keys from Nix's own configuration when none are given", async () => {
    const out = path.join(dir, 'from-nix-config.tar');
    server.reset();
    const env = { ...process.env, NIX_CONFIG: `substituters = ${server.url}\ntrusted-public-keys = ${key.publicKey}\n` };
    const r = await runCliWithoutStore(['build', '--json', '--name', 'sub/app', '--contents', app['1'] as string, '--config', config, '--no-cache', '--output', out], { env });
    assert.equal(r.status, 0, r.stderr);
    assert.ok((await readFile(out)).equals(await readFile(path.join(dir, 'local.tar'))));
    assert.ok(server.narBytes() > 0, 'read from the cache Nix is configured with');
  });

  it('an unchanged service: the registry holds every layer, the customisation layer too, so no NAR is downloaded and nothing uploaded', async () => {
    const name = `${registry.host}/sub/app`;
    await registry.settled();
    const before = registry.blobUploads('sub/app');
    server.reset();
    const r = await runCliWithoutStore(['build', '--json', '--name', name, '--tag', 'again', '--contents', app['2'] as string, '--config', config, '--push', '--no-cache', '--cache-from', `${name}:main`, ...from()]);
    assert.equal(r.status, 0, r.stderr);
    await registry.settled();
    assert.equal(registry.blobUploads('sub/app') - before, 0);
    assert.deepEqual([...server.requests.keys()].filter((f) => f.startsWith('nar/')), []);
    const report = JSON.parse(r.stdout) as Report;
    assert.ok(report.layers.every((l) => l.source === 'registry'), JSON.stringify(report.layers.map((l) => l.source)));
    assert.equal(report.cache.built, 0);
  });

  it('a docker-archive from the cache equals the one built from the store, byte for byte', async () => {
    const out = path.join(dir, 'from-cache.tar');
    const r = await runCliWithoutStore(['build', '--name', 'sub/app', '--contents', app['1'] as string, '--config', config, '--no-cache', '--output', out, ...from()]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok((await readFile(out)).equals(await readFile(path.join(dir, 'local.tar'))));
    assert.equal(runImage(out, path.join(dir, 'run-archive')).stdout, 'hello from app-sub1\nlibrary 1\n');
  });

  it('faults: one line naming the path and the cache, never a password, nothing pushed', async () => {
    const other = await makeCacheKey(dir, 'test-cache-2');
    const sameName = await makeCacheKey(dir, 'test-cache-1-new');
    const renamed = `test-cache-1:${sameName.publicKey.slice(sameName.publicKey.indexOf(':') + 1)}`;
    const notCopied = nixBuild(CLOSURE_NIX, 'app', { appSalt: '-never-copied' });
    const victim = app['2'] as string;
    const victimNar = narFile(victim);
    // A copy of the cache whose NAR of the app is another file's bytes.
    const corrupt = path.join(dir, 'corrupt');
    await cp(cacheDir, corrupt, { recursive: true });
    await writeFile(path.join(corrupt, victimNar), execFileSync('xz', ['-c'], { input: Buffer.from('not a nar') }));
    const corruptServer = await startNarServer(corrupt);
    // A copy whose narinfo puts the app's NAR outside the cache: its URL is not signed.
    const outside = path.join(dir, 'outside');
    await cp(cacheDir, outside, { recursive: true });
    const infoFile = narInfoFile(outside, victim);
    await writeFile(infoFile, (await readFile(infoFile, 'utf8')).replace(/^URL: .*$/m, 'URL: file:///etc/hostname'));
    const outsideServer = await startNarServer(outside);
    const authServer = await startNarServer(cacheDir, { basicAuth: { login: 'ci', password: 'hunter2-cache-secret' } });
    const netrc = path.join(dir, 'netrc');
    await writeFile(netrc, 'machine 127.0.0.1 login ci password wrong-cache-password\n');
    const goodNetrc = path.join(dir, 'netrc-good');
    await writeFile(goodNetrc, 'machine 127.0.0.1 login ci password hunter2-cache-secret\n');
    const name = `${registry.host}/sub/faults`;
    const closedPort = await freePort();
    const cases: { what: string; args: string[]; says: RegExp; arrange?: () => void }[] = [
      { what: 'a path no cache has', args: ['--contents', notCopied, ...from()], says: new RegExp(`^layered-image: --contents ${notCopied}, which is not in the Nix store, nor in any substituter \\(${server.url}\\)$`) },
      { what: 'a key not trusted', args: ['--contents', victim, ...from(server.url, other.publicKey)], says: new RegExp(`^layered-image: --contents ${victim}, which is not in the Nix store, and no substituter has it signed by a trusted key: ${server.url} has it signed by test-cache-1, not a trusted key$`) },
      { what: 'a signature that does not verify', args: ['--contents', victim, ...from(server.url, renamed)], says: /has it with a signature that does not verify against its trusted key$/ },
      { what: 'a cache answering 500', args: ['--contents', victim, '--retries', '1', ...from()], arrange: () => server.fail({ match: /\.narinfo$/, status: 500 }), says: new RegExp(`^layered-image: substituter ${server.url}: .*\\.narinfo: HTTP 500$`) },
      { what: 'a NAR that is not what its narinfo says', args: ['--contents', victim, ...from(corruptServer.url)], says: new RegExp(`^layered-image: ${victim} \\(from ${corruptServer.url}\\): `) },
      { what: 'a truncated download', args: ['--contents', victim, '--retries', '0', ...from()], arrange: () => server.fail({ match: /^nar\//, cutAfter: 200 }), says: new RegExp(`^layered-image: (${closureOf(victim).join('|')}) \\(from ${server.url}\\): cannot read its NAR: `) },
      { what: 'a missing NAR', args: ['--contents', victim, '--retries', '0', ...from()], arrange: () => server.fail({ match: /^nar\//, status: 404 }), says: new RegExp(`^layered-image: substituter ${server.url}: (${closureOf(victim).join('|')}): its NAR nar/\\S+: HTTP 404$`) },
      { what: 'a cache that is down', args: ['--contents', victim, '--retries', '1', ...from(`http://127.0.0.1:${closedPort}`)], says: new RegExp(`^layered-image: --contents ${victim}, which is not in the Nix store, and no substituter can be read: substituter http://127\\.0\\.0\\.1:${closedPort} is not reachable: ECONNREFUSED$`) },
      { what: 'a NAR outside the cache', args: ['--contents', victim, ...from(outsideServer.url)], says: new RegExp(`^layered-image: substituter ${outsideServer.url}: the narinfo of ${victim} puts its NAR outside the cache \\(file:///etc/hostname\\)$`) },
      { what: 'credentials refused', args: ['--contents', victim, '--netrc', netrc, ...from(authServer.url)], says: new RegExp(`^layered-image: --contents ${victim}, which is not in the Nix store, and no substituter can be read: substituter ${authServer.url}: nix-cache-info: HTTP 401: the credentials were refused \\(netrc-file\\)$`) },
    ];
    try {
      for (const c of cases) {
        server.reset();
        c.arrange?.();
        const r = await runCliWithoutStore(['build', '--name', name, '--tag', 'x', '--config', config, '--push', '--no-cache', ...c.args]);
        assert.equal(r.status, 1, `${c.what}: ${r.stderr}`);
        const lines = errorLines(r);
        assert.equal(lines.length, 1, `${c.what}: ${r.stderr}`);
        assert.match(lines[0] ?? '', c.says, c.what);
        assert.ok(!r.stderr.includes('hunter2-cache-secret') && !r.stderr.includes('wrong-cache-password'), c.what);
      }
      // The right credentials, from a netrc or in the URL: it works, and the password is never printed.
      const ok = await runCliWithoutStore(['build', '--name', name, '--tag', 'ok', '--contents', victim, '--config', config, '--push', '--no-cache', '--netrc', goodNetrc, ...from(authServer.url)]);
      assert.equal(ok.status, 0, ok.stderr);
      assert.ok(!`${ok.stdout}${ok.stderr}`.includes('hunter2-cache-secret'));
      const inUrl = authServer.url.replace('http://', 'http://ci:hunter2-cache-secret@');
      const viaUrl = await runCliWithoutStore(['build', '--name', name, '--tag', 'ok', '--contents', victim, '--config', config, '--push', '--no-cache', ...from(inUrl)]);
      assert.equal(viaUrl.status, 0, viaUrl.stderr);
      const missing = await runCliWithoutStore(['build', '--name', name, '--tag', 'never', '--contents', notCopied, '--push', '--no-cache', ...from(inUrl)]);
      assert.deepEqual(errorLines(missing), [`layered-image: --contents ${notCopied}, which is not in the Nix store, nor in any substituter (${authServer.url})`]);
      for (const r of [viaUrl, missing]) assert.ok(!`${r.stdout}${r.stderr}`.includes('hunter2-cache-secret'));
    } finally {
      server.reset();
      await corruptServer.close();
      await outsideServer.close();
      await authServer.close();
    }
    await registry.settled();
    assert.equal(manifestPuts('sub/faults'), 2, 'only the runs with the right credentials pushed');
  });
});

function parseNarInfoOf(cache: string, storePath: string): { url: string; fileSize: number } {
  const text = readFileSync(narInfoFile(cache, storePath), 'utf8');
  const info = parseNarInfo(text, storePath);
  return { url: info.url, fileSize: Number(/^FileSize: (\d+)$/m.exec(text)?.[1]) };
}
