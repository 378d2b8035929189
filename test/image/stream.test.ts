import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cli.js';
import { removePodmanWork, runImage, skopeoInspect } from '../support/consumers.js';
import { nixBuild } from '../support/nix.js';
import { CLI, CLOSURE_NIX } from '../support/paths.js';

describe('--output -: a docker-archive on standard output', () => {
  let dir: string;
  let app: string;
  const config = JSON.stringify({ Cmd: ['/bin/app'] });
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'stream-'));
    app = nixBuild(CLOSURE_NIX, 'app');
  });
  // podman's storage is dir/root, its run root dir/runroot.
  after(() => removePodmanWork(dir));

  it('pipes into podman load, which runs it, and nothing is written beside it', async () => {
    const cwd = await mkdtemp(path.join(dir, 'cwd-'));
    const conf = path.join(dir, 'containers.conf');
    await writeFile(conf, '[containers]\ndefault_ulimits = []\n');
    const podman = `podman --root ${dir}/root --runroot ${dir}/runroot`;
    const script = `set -o pipefail; ${JSON.stringify(process.execPath)} ${CLI} build --name stream/app --tag v1 --contents ${app} --config '${config}' --no-cache --output - | ${podman} load`;
    const r = spawnSync('bash', ['-c', script], { cwd, encoding: 'utf8', env: { ...process.env, CONTAINERS_CONF: conf } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Loaded image.*stream\/app:v1/);
    assert.deepEqual(await readdir(cwd), []);
    // The report goes to stderr: stdout was the image's.
    assert.match(r.stderr, /stream\/app:v1/);
    const out = execFileSync('bash', ['-c', `${podman} run --rm --network=none localhost/stream/app:v1`], { encoding: 'utf8', env: { ...process.env, CONTAINERS_CONF: conf } });
    assert.equal(out, 'hello from app\nlibrary 1\n');
  });

  it('gives the same layers and config as a written archive, and skopeo, umoci and runc take it from a file', () => {
    const file = path.join(dir, 'streamed.tar');
    const r = spawnSync('bash', ['-c', `${JSON.stringify(process.execPath)} ${CLI} build --name stream/app --contents ${app} --config '${config}' --no-cache --output - > ${file}`], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const written = runCli(['build', '--json', '--name', 'stream/app', '--contents', app, '--config', config, '--no-cache', '--output', path.join(dir, 'written.tar')]);
    assert.equal(written.status, 0, written.stderr);
    const report = JSON.parse(written.stdout) as { imageId: string; layerDigests: string[] };
    assert.deepEqual(skopeoInspect(file).Layers, report.layerDigests);
    // The same config, so the same image id, though members are named by place.
    const members = execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).trim().split('\n');
    assert.equal(members.at(-2), `${report.imageId.slice(7)}.json`);
    assert.equal(members.at(-1), 'manifest.json');
    assert.equal(members[0], '001/layer.tar');
    assert.equal(runImage(file, path.join(dir, 'run')).stdout, 'hello from app\nlibrary 1\n');
  });

  it('refuses --json, --push and the OCI layout with it: one line, nothing on stdout', () => {
    for (const [extra, message] of [
      [['--json'], /--json prints to standard output/],
      [['--push', '--name', '127.0.0.1:1/x'], /cannot go with --push/],
      [['--output-format', 'oci'], /takes a docker-archive, not oci/],
    ] as const) {
      const r = runCli(['build', '--name', 'stream/app', '--contents', app, '--no-cache', '--output', '-', ...extra]);
      assert.equal(r.status, 1);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
  });
});
