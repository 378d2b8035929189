import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cli.js';
import { podmanLoadAndRun, removePodmanWork, runImage, skopeoInspect } from '../support/consumers.js';
import { closureOf, nixBuild } from '../support/nix.js';
import { CLI, CLOSURE_NIX, DIST_CLI } from '../support/paths.js';

interface Report {
  imagePath: string;
  imageName: string;
  imageTag: string;
  imageId: string;
  layerDigests: string[];
  layers: { digest: string; size: number; paths: string[]; source: string }[];
}

function buildJson(args: string[], env?: NodeJS.ProcessEnv, cli?: string): Report {
  const r = runCli(['build', '--json', '--no-cache', ...args], { env, cli });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Report;
}

describe('images from a realistic closure', () => {
  let app: string;
  let tool: string;
  let dir: string;
  let config: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'build-'));
    app = nixBuild(CLOSURE_NIX, 'app');
    tool = nixBuild(CLOSURE_NIX, 'tool');
    config = JSON.stringify({ Cmd: ['/bin/app'], Env: [`TOOL=${tool}/bin/tool`, 'LANG=C.UTF-8'] });
  });
  // The podman test keeps its storage in dir/podman.
  after(() => removePodmanWork(dir, path.join(dir, 'podman')));

  it('runs its Cmd under runc after skopeo and umoci, with the whole closure inside', async () => {
    const out = path.join(dir, 'app.tar');
    const report = buildJson(['--name', 'Example/App', '--contents', app, '--config', config, '--output', out]);
    assert.equal(report.imagePath, out);
    assert.equal(report.imageName, 'example/app');
    assert.match(report.imageTag, /^[0-9a-f]{32}$/);
    assert.match(report.imageId, /^sha256:[0-9a-f]{64}$/);
    assert.equal(report.layerDigests.length, report.layers.length);
    assert.deepEqual(report.layerDigests, report.layers.map((l) => l.digest));
    assert.ok(report.layers.every((l) => l.source === 'built' && l.size % 10240 === 0));
    assert.deepEqual(report.layers.at(-1)?.paths, []);

    // The config's store path (tool) is a root: its closure is in the image.
    const expected = [...new Set([...closureOf(app), ...closureOf(tool)])].sort();
    assert.deepEqual(report.layers.flatMap((l) => l.paths).sort(), expected);
    assert.equal(report.layers.length, expected.length + 1);

    const inspected = skopeoInspect(out);
    assert.deepEqual(inspected.Layers, report.layerDigests);
    assert.equal(inspected.Created, '1970-01-01T00:00:01Z');

    const run = runImage(out, path.join(dir, 'run-app'));
    assert.equal(run.stdout, 'hello from app\nlibrary 1\n');
    assert.ok((await readdir(path.join(run.rootfs, 'nix/store'))).includes(path.basename(tool)));

    // The config in the archive is what the report says.
    const files = execFileSync('tar', ['-tf', out], { encoding: 'utf8' }).trim().split('\n');
    assert.deepEqual(files, [
      ...report.layerDigests.map((d) => `${d.slice(7)}/layer.tar`),
      `${report.imageId.slice(7)}.json`,
      'manifest.json',
    ]);
    const imageConfig = JSON.parse(execFileSync('tar', ['-xOf', out, `${report.imageId.slice(7)}.json`], { encoding: 'utf8' })) as {
      rootfs: unknown;
      history: { comment: string }[];
      config: { Cmd: string[] };
    };
    assert.deepEqual(imageConfig.rootfs, { type: 'layers', diff_ids: report.layerDigests });
    assert.equal(imageConfig.history.length, report.layers.length);
    assert.match(imageConfig.history[0]?.comment ?? '', /^store paths: \['\/nix\/store\//);
    assert.deepEqual(imageConfig.config.Cmd, ['/bin/app']);
  });

  it('loads and runs in podman, as docker load would take it', () => {
    const out = path.join(dir, 'podman.tar');
    const report = buildJson(['--name', 'podman/app', '--tag', 'v1', '--contents', app, '--config', config, '--output', out]);
    assert.equal(report.imageTag, 'v1');
    const stdout = podmanLoadAndRun(out, 'podman/app:v1', path.join(dir, 'podman'));
    assert.equal(stdout, 'hello from app\nlibrary 1\n');
  });

  it('is byte-for-byte reproducible across umask, TZ, locale and working directory', async () => {
    const a = path.join(dir, 'repro-a.tar');
    const b = path.join(dir, 'repro-b.tar');
    const args = ['--name', 'repro', '--contents', app, '--config', config];
    buildJson([...args, '--output', a]);
    const r = execFileSync(
      'sh',
      ['-c', `umask 077; cd /; exec "$0" "$@"`, process.execPath, CLI,
        'build', '--no-cache', ...args, '--output', b],
      { env: { ...process.env, TZ: 'Pacific/Kiritimati', LC_ALL: 'C', LANG: 'C' }, encoding: 'utf8' },
    );
    assert.match(r, /repro:/);
    const [bytesA, bytesB] = await Promise.all([readFile(a), readFile(b)]);
    assert.ok(bytesA.equals(bytesB), 'the two image tarballs differ');
  });

  it('writes through a symlink to an existing image, leaving the link', async () => {
    const real = path.join(dir, 'real.tar');
    const link = path.join(dir, 'link.tar');
    await writeFile(real, 'old image');
    await symlink(real, link);
    const report = buildJson(['--name', 'linked', '--contents', app, '--output', link]);
    assert.equal(report.imagePath, link);
    assert.ok((await lstat(link)).isSymbolicLink());
    assert.deepEqual(skopeoInspect(real).Layers, report.layerDigests);
  });

  // The image is about 2.3 MiB, written once: both disks fill up part way.
  for (const size of ['1m', '2m']) {
    it(`a disk of ${size} that fills up while writing: one line, exit 1, nothing left behind`, async () => {
      const disk = path.join(dir, `disk-${size}`);
      await mkdir(disk);
      // A private mount namespace: the small tmpfs goes away with the shell.
      const script = `mount -t tmpfs -o size=${size} tmpfs "$1" || exit 99
        "$2" "$3" build --no-cache --name full --contents "$4" --output "$1/image.tar"
        echo "status=$?"; ls -A "$1"`;
      const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', disk, process.execPath, CLI, app], {
        encoding: 'utf8',
      });
      assert.equal(r.stdout.split('\n')[0], 'status=1', r.stderr);
      assert.equal(r.stdout.split('\n').slice(1).join(''), '', 'files were left on the full disk');
      const lines = r.stderr.split('\n').filter((l) => l.startsWith('layered-image:'));
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0] ?? '', /cannot write .*: ENOSPC$/);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    });
  }

  it('created=now changes the config, not a single layer', () => {
    const fixed = buildJson(['--name', 'now', '--contents', app, '--output', path.join(dir, 'fixed.tar')]);
    const now = buildJson(['--name', 'now', '--contents', app, '--created', 'now', '--output', path.join(dir, 'now.tar')]);
    assert.deepEqual(now.layerDigests, fixed.layerDigests);
    assert.notEqual(now.imageId, fixed.imageId);
    assert.notEqual(now.imageTag, fixed.imageTag);
  });

  it('honours maxLayers at the boundaries: paths = N-2, N-1, N, N+1, with either layering', () => {
    const count = closureOf(app).length;
    for (const layering of ['popularity', 'size']) {
      for (const n of [count + 2, count + 1, count, count - 1]) {
        const report = buildJson([
          ...['--name', 'bounds', '--contents', app, '--config', '{"Cmd":["/bin/app"]}', '--layering', layering],
          ...['--max-layers', String(n), '--output', path.join(dir, `bounds-${layering}-${n}.tar`)],
        ]);
        const store = report.layers.slice(0, -1);
        const what = `maxLayers ${n}, layering ${layering}`;
        assert.equal(report.layers.length, Math.min(count + 1, n), what);
        assert.deepEqual(store.flatMap((l) => l.paths).sort(), closureOf(app), what);
        const merged = store.filter((l) => l.paths.length > 1);
        if (layering === 'popularity') {
          assert.deepEqual(merged.map((l) => l.paths.length), count > n - 1 ? [count - (n - 2)] : [], what);
        } else {
          // Fewer layers than paths: the app goes on top, alone, and the
          // paths that share layers are the smallest ones.
          assert.equal(merged.length > 0, count > n - 1, what);
          if (count > n - 1) assert.deepEqual(store[store.length - 1]?.paths, [app], what);
        }
      }
      const run = runImage(path.join(dir, `bounds-${layering}-${count - 1}.tar`), path.join(dir, `run-bounds-${layering}`));
      assert.equal(run.stdout, 'hello from app\nlibrary 1\n');
    }
  });

  it('builds an image from config store paths alone', () => {
    const out = path.join(dir, 'tool.tar');
    const report = buildJson(['--name', 'tool', '--config', JSON.stringify({ Entrypoint: [`${tool}/bin/tool`] }), '--output', out]);
    assert.deepEqual(report.layers.flatMap((l) => l.paths).sort(), closureOf(tool));
    assert.equal(runImage(out, path.join(dir, 'run-tool')).stdout, 'tool ran\n');
  });

  it('the committed bundle dist/cli.js builds the same image', async () => {
    const a = path.join(dir, 'dist-a.tar');
    const b = path.join(dir, 'dist-b.tar');
    const args = ['--name', 'dist', '--contents', app, '--config', config];
    const fromSrc = buildJson([...args, '--output', a]);
    const fromDist = buildJson([...args, '--output', b], undefined, DIST_CLI);
    assert.deepEqual(fromDist, { ...fromSrc, imagePath: b });
    assert.ok((await readFile(a)).equals(await readFile(b)));
  });
});
