import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cli.js';
import { runImage } from '../support/consumers.js';
import { closureOf, nixBuild } from '../support/nix.js';
import { CLOSURE_NIX } from '../support/paths.js';

interface Report {
  imageId: string;
  layers: { digest: string; size: number; paths: string[]; source: string }[];
}

function buildJson(args: string[]): Report {
  const r = runCli(['build', '--json', '--no-cache', ...args]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Report;
}

function imageConfig(tarball: string): {
  config: { Env?: string[]; Cmd?: string[]; WorkingDir?: string; Labels?: Record<string, string>; ExposedPorts?: Record<string, unknown> };
  history: unknown[];
  rootfs: { diff_ids: string[] };
} {
  return JSON.parse(execFileSync('skopeo', ['inspect', '--config', `docker-archive:${tarball}`], { encoding: 'utf8' })) as ReturnType<typeof imageConfig>;
}

describe('fromImage: building on a docker-archive', () => {
  let app: string;
  let tool: string;
  let busybox: string;
  let dir: string;
  let base: string;
  let baseReport: Report;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'from-image-'));
    app = nixBuild(CLOSURE_NIX, 'app');
    tool = nixBuild(CLOSURE_NIX, 'tool');
    busybox = nixBuild(CLOSURE_NIX, 'busybox');
    base = path.join(dir, 'base.tar');
    const config = { Env: ['A=1', 'B=2'], WorkingDir: '/srv', Cmd: ['/bin/tool'], Labels: { a: 'base', b: 'base' }, ExposedPorts: { '80/tcp': {} } };
    baseReport = buildJson(['--name', 'base', '--contents', tool, '--config', JSON.stringify(config), '--output', base]);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const derived = (out: string, extra: string[] = []) =>
    buildJson([
      ...['--name', 'derived', '--contents', app, '--from-image', base, '--output', out],
      ...['--config', JSON.stringify({ Env: ['B=3', 'C=4'], Cmd: [`${busybox}/bin/sh`, '-c', '/bin/tool && /bin/app'], Labels: { b: 'ours' }, ExposedPorts: { '8080/tcp': {} } })],
      ...extra,
    ]);

  it('runs a Cmd that needs files from both images', () => {
    const out = path.join(dir, 'derived.tar');
    const report = derived(out);
    // The base's layers come first, unchanged.
    assert.deepEqual(report.layers.slice(0, baseReport.layers.length).map((l) => l.digest), baseReport.layers.map((l) => l.digest));
    assert.ok(report.layers.slice(0, baseReport.layers.length).every((l) => l.source === 'base'));
    // /bin/tool comes from the base's root, /bin/app from ours, busybox from a base store layer.
    assert.equal(runImage(out, path.join(dir, 'run-derived')).stdout, 'tool ran\nhello from app\nlibrary 1\n');
  });

  it('merges Env per variable and Labels and ports per key (ours wins), keeps the base fields we do not set, and its history', () => {
    const out = path.join(dir, 'env.tar');
    derived(out);
    const config = imageConfig(out);
    assert.deepEqual(config.config.Env, ['A=1', 'B=3', 'C=4']);
    assert.deepEqual(config.config.Labels, { a: 'base', b: 'ours' });
    assert.deepEqual(Object.keys(config.config.ExposedPorts ?? {}).sort(), ['80/tcp', '8080/tcp']);
    assert.equal(config.config.WorkingDir, '/srv');
    assert.deepEqual(config.config.Cmd?.[0], `${busybox}/bin/sh`);
    const baseConfig = imageConfig(base);
    assert.deepEqual(config.history.slice(0, baseConfig.history.length), baseConfig.history);
    assert.deepEqual(config.rootfs.diff_ids.slice(0, baseConfig.rootfs.diff_ids.length), baseConfig.rootfs.diff_ids);
  });

  it('adds no store path the base has already, and is reproducible', async () => {
    const a = path.join(dir, 'repro-a.tar');
    const b = path.join(dir, 'repro-b.tar');
    const report = derived(a);
    derived(b);
    assert.ok((await readFile(a)).equals(await readFile(b)));
    const ours = report.layers.filter((l) => l.source !== 'base').flatMap((l) => l.paths);
    const inBase = new Set(closureOf(tool));
    assert.ok(inBase.has(busybox));
    assert.deepEqual(ours.filter((p) => inBase.has(p)), []);
    assert.deepEqual([...ours].sort(), closureOf(app).filter((p) => !inBase.has(p)));
  });

  it('counts the base layers against maxLayers', () => {
    const n = baseReport.layers.length;
    const report = derived(path.join(dir, 'max.tar'), ['--max-layers', String(n + 3)]);
    assert.equal(report.layers.length, n + 3);
    const r = runCli(['build', '--no-cache', '--name', 'x', '--contents', app, '--from-image', base, '--max-layers', String(n + 1), '--output', path.join(dir, 'none.tar')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`^layered-image: --from-image .*base\\.tar has ${n} layers: --max-layers ${n + 1} leaves no room for store layers`));
  });

  it('builds on a docker-archive that skopeo wrote', () => {
    const copied = path.join(dir, 'skopeo.tar');
    execFileSync('skopeo', ['copy', '--quiet', `docker-archive:${base}`, `docker-archive:${copied}:skopeo/base:1`]);
    const out = path.join(dir, 'on-skopeo.tar');
    const report = buildJson(['--name', 'derived', '--contents', app, '--from-image', copied, '--output', out, '--config', JSON.stringify({ Cmd: ['/bin/app'] })]);
    assert.deepEqual(report.layers.slice(0, baseReport.layers.length).map((l) => l.digest), baseReport.layers.map((l) => l.digest));
    assert.equal(runImage(out, path.join(dir, 'run-skopeo')).stdout, 'hello from app\nlibrary 1\n');
  });

  describe('bad base images: one line, exit 1, no output', () => {
    const refuse = async (make: (file: string) => Promise<void>, says: RegExp) => {
      const bad = path.join(dir, `bad-${Math.random().toString(36).slice(2)}.tar`);
      await make(bad);
      const out = path.join(dir, 'never.tar');
      const r = runCli(['build', '--no-cache', '--name', 'x', '--contents', app, '--from-image', bad, '--output', out]);
      assert.equal(r.status, 1, r.stderr);
      // Progress may come first (a diff_id is only known wrong once read); one error line.
      const lines = r.stderr.trim().split('\n').filter((l) => l.startsWith('layered-image:'));
      assert.equal(lines.length, 1, r.stderr);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
      assert.match(lines[0] ?? '', says);
      await assert.rejects(readFile(out));
    };
    const edit = (args: string[]) => async (file: string) => {
      await copyFile(base, file);
      execFileSync('tar', ['--delete', '-f', file, ...args]);
    };

    it('a file that does not exist', () => refuse(async () => {}, /^layered-image: --from-image .* cannot be read: ENOENT$/));
    it('not a tarball', () => refuse((f) => writeFile(f, 'hello, world\n'.repeat(100)), /is not a tar archive/));
    it('no manifest.json', () => refuse(edit(['manifest.json']), /has no manifest\.json: it is not a docker-archive$/));
    it('a layer missing', () => refuse(edit([`${baseReport.layers[0]?.digest.slice(7)}/layer.tar`]), /layer .*layer\.tar named in manifest\.json is missing$/));
    it('a layer that does not match its diff_id', () =>
      refuse(async (f) => {
        const bytes = await readFile(base);
        // Inside busybox's content in the first layer: the tar stays well formed.
        bytes[512 + 100_000] = (bytes[512 + 100_000] as number) ^ 0xff;
        await writeFile(f, bytes);
      }, /hashes to sha256:[0-9a-f]{64}, not the diff_id sha256:[0-9a-f]{64} its config gives$/));
  });
});
