import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runBundle } from '../support/action.js';
import { runImage, skopeoInspect } from '../support/consumers.js';
import { closureOf, nixBuild } from '../support/nix.js';
import { CLOSURE_NIX } from '../support/paths.js';

interface ActionRun {
  status: number;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
}

/** Runs the committed Action bundle as the runner does: inputs and action.yml's defaults in INPUT_* variables. */
async function runAction(dir: string, inputs: Record<string, string>, extraEnv: Record<string, string> = {}): Promise<ActionRun> {
  const run = await mkdtemp(path.join(dir, 'run-'));
  const outputFile = path.join(run, 'github-output');
  const summaryFile = path.join(run, 'step-summary');
  await writeFile(summaryFile, '');
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], RUNNER_TEMP: run, GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile, ...extraEnv };
  const r = await runBundle(inputs, env, run);
  return { ...r, summary: await readFile(summaryFile, 'utf8') };
}

describe('the Action bundle (dist/index.js)', () => {
  let dir: string;
  let app: string;
  before(async () => {
    app = nixBuild(CLOSURE_NIX, 'app');
    dir = await mkdtemp(path.join(tmpdir(), 'action-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('builds a runnable image from INPUT_* variables, with outputs, log groups and a job summary', async () => {
    const r = await runAction(dir, { name: 'action-app', contents: `${app}\n`, config: '{"Cmd":["/bin/app"]}', maxLayers: '10' });
    assert.equal(r.status, 0, r.stdout);
    const imagePath = r.outputs['imagePath'] ?? '';
    assert.equal(path.basename(imagePath), 'layered-image.tar');
    const digests = JSON.parse(r.outputs['layerDigests'] ?? '[]') as string[];
    assert.equal(digests.length, 10);
    assert.deepEqual(skopeoInspect(imagePath).Layers, digests);
    assert.equal(runImage(imagePath, path.join(dir, 'bundle')).stdout, 'hello from app\nlibrary 1\n');

    assert.equal(r.outputs['imageName'], 'action-app');
    assert.match(r.outputs['imageId'] ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.equal(r.outputs['cacheHits'], '0');
    assert.equal(r.outputs['layersBuilt'], '9');
    const layers = JSON.parse(r.outputs['layers'] ?? '[]') as { digest: string; paths: string[] }[];
    assert.deepEqual(layers.map((l) => l.digest), digests);
    assert.deepEqual(layers.flatMap((l) => l.paths).sort(), closureOf(app));

    // No cache service here, and a docker-archive never asks for it: no warning, nothing loaded.
    const warnings = r.stdout.split('\n').filter((l) => l.startsWith('::warning::'));
    assert.deepEqual(warnings, []);
    assert.match(r.stdout, /no cache used: a docker-archive's store layers are built/);

    const groups = r.stdout.split('\n').filter((l) => l.startsWith('::group::')).map((l) => l.slice(9));
    assert.deepEqual(groups, ['Closure', 'Plan', 'Cache restore', 'Build layers', 'Assemble image', 'Write image', 'Cache save']);
    assert.equal(r.stdout.split('\n').filter((l) => l === '::endgroup::').length, groups.length);

    assert.match(r.summary, new RegExp(`<h3>Image action-app:${r.outputs['imageTag']}</h3>`));
    assert.ok(r.summary.includes(r.outputs['imageId'] ?? 'missing'));
    assert.ok(r.summary.includes(`<code>${app}</code>`));
    assert.equal((r.summary.match(/<tr>/g) ?? []).length, 1 + 10);
    assert.match(r.summary, /0 restored from the cache \(as compressed blobs\), 9 built/);
  });

  it('takes the dockerTools inputs: fromImage, extraCommands, includeNixDB, layering, hints, groupPopular, ownership', async () => {
    const work = await mkdtemp(path.join(dir, 'inputs-'));
    const base = await runAction(dir, { name: 'base', contents: nixBuild(CLOSURE_NIX, 'tool'), output: path.join(work, 'base.img') });
    assert.equal(base.status, 0, base.stdout);
    const r = await runAction(dir, {
      name: 'derived',
      contents: app,
      config: '{"Cmd":["/bin/app"]}',
      fromImage: path.join(work, 'base.img'),
      output: path.join(work, 'derived.img'),
      extraCommands: 'mkdir -p tmp\nchmod 1777 tmp',
      includeNixDB: 'true',
      layering: 'popularity',
      groupPopular: '3',
      hints: 'deeper:lib1-*\ntop:lib2-*',
      uid: '1000',
      uname: 'app',
      mtime: '2024-01-01T00:00:00Z',
      maxLayers: '20',
    });
    assert.equal(r.status, 0, r.stdout);
    const layers = JSON.parse(r.outputs['layers'] ?? '[]') as { source: string; paths: string[] }[];
    assert.equal(layers.length, 20);
    assert.deepEqual(layers.map((l) => l.source).slice(0, 4), ['base', 'base', 'base', 'built']);
    // The 3 most popular paths grouped; lib1, hinted deeper, ranks first and so is among them.
    assert.equal(layers[3]?.paths.length, 3);
    assert.ok(layers[3]?.paths.some((p) => p.endsWith('-lib1-1.1')));
    const { rootfs } = runImage(r.outputs['imagePath'] ?? '', path.join(work, 'run-derived'));
    assert.ok((await readdir(path.join(rootfs, 'nix', 'var', 'nix', 'db'))).includes('db.sqlite'));
    assert.ok((await readdir(rootfs)).includes('tmp'));
  });

  it('a job summary that cannot be written is a warning: the step stays green with every output set', async () => {
    const r = await runAction(dir, { name: 'action-app', contents: app, config: '{"Cmd":["/bin/app"]}', maxLayers: '10' }, { GITHUB_STEP_SUMMARY: path.join(dir, 'no-such-dir', 'summary') });
    assert.equal(r.status, 0, r.stdout);
    const warnings = r.stdout.split('\n').filter((l) => l.startsWith('::warning::'));
    assert.equal(warnings.length, 1, r.stdout);
    assert.ok(warnings[0]?.startsWith('::warning::the job summary cannot be written: '), r.stdout);
    assert.ok(!r.stdout.includes('::error::'));
    for (const name of ['imagePath', 'imageName', 'imageTag', 'imageId', 'layerDigests', 'layers', 'cacheHits', 'layersBuilt']) assert.ok((r.outputs[name] ?? '') !== '', name);
    assert.equal(runImage(r.outputs['imagePath'] ?? '', path.join(dir, 'bundle-summary')).stdout, 'hello from app\nlibrary 1\n');
  });

  it('explain: logs the plan, sets the plan output and builds nothing', async () => {
    const r = await runAction(dir, { name: 'plan', contents: app, maxLayers: '10', explain: 'true', hints: 'deeper:lib3-*', output: path.join(dir, 'plan.tar') });
    assert.equal(r.status, 0, r.stdout);
    const plan = JSON.parse(r.outputs['plan'] ?? '{}') as { layers: { paths: string[]; why: string }[] };
    assert.equal(plan.layers.length, 10);
    assert.equal(plan.layers[0]?.why, 'hint deeper:lib3-*');
    assert.match(r.stdout, /^plan: 10 layers \(maxLayers 10\), layering size$/m);
    assert.equal(r.outputs['imagePath'], undefined);
    assert.ok(!(await readdir(dir)).some((f) => f.startsWith('plan')));
  });

  const bad: { what: string; inputs: () => Record<string, string>; error: string }[] = [
    { what: 'no name', inputs: () => ({ contents: app }), error: 'name is required, unless every tag is a full reference (NAME:TAG)' },
    { what: 'bad name', inputs: () => ({ name: 'Bad Name', contents: app }), error: 'name "Bad Name" is not a valid image name' },
    { what: 'maxLayers 1', inputs: () => ({ name: 'x', contents: app, maxLayers: '1' }), error: 'maxLayers "1" must be a whole number from 2 to 125' },
    { what: 'config not JSON', inputs: () => ({ name: 'x', contents: app, config: '{Cmd' }), error: 'config is not valid JSON' },
    { what: 'Cmd not a list', inputs: () => ({ name: 'x', contents: app, config: '{"Cmd":"/bin/app"}' }), error: 'config: Cmd must be a list of strings' },
    { what: 'missing contents', inputs: () => ({ name: 'x', contents: '/nonexistent/result' }), error: 'contents /nonexistent/result does not exist' },
    { what: 'cache not a boolean', inputs: () => ({ name: 'x', contents: app, cache: 'maybe' }), error: 'cache "maybe" must be true or false' },
    { what: 'platform of another os', inputs: () => ({ name: 'x', contents: app, platform: 'windows/amd64' }), error: 'platform "windows/amd64": the os must be linux, not "windows"' },
    { what: 'created not a time', inputs: () => ({ name: 'x', contents: app, created: 'soon' }), error: 'created "soon"' },
    { what: 'unknown architecture', inputs: () => ({ name: 'x', contents: app, architecture: 'vax' }), error: 'architecture "vax"' },
    { what: 'unknown layering', inputs: () => ({ name: 'x', contents: app, layering: 'random' }), error: 'layering "random" must be one of popularity, size' },
    { what: 'explain not a boolean', inputs: () => ({ name: 'x', contents: app, explain: 'yes' }), error: 'explain "yes" must be true or false' },
    { what: 'a bad hint', inputs: () => ({ name: 'x', contents: app, hints: 'deeper:ok\nsideways:x' }), error: 'hints "sideways:x"' },
    // Named as the step's inputs, not as the command line's flags.
    { what: 'maxLayers too large', inputs: () => ({ name: 'x', contents: app, maxLayers: '200' }), error: 'maxLayers "200" must be a whole number from 2 to 125' },
    { what: 'outputFormat unknown', inputs: () => ({ name: 'x', contents: app, outputFormat: 'tar' }), error: 'outputFormat "tar" must be one of docker-archive, oci' },
    { what: 'a tag in name', inputs: () => ({ name: '127.0.0.1:5000/team/app:v1', contents: app }), error: 'name "127.0.0.1:5000/team/app:v1" includes a tag; give name 127.0.0.1:5000/team/app and tag v1' },
    { what: 'mtime now', inputs: () => ({ name: 'x', contents: app, mtime: 'now' }), error: 'mtime "now"' },
  ];
  for (const c of bad) {
    it(`fails the step with one ::error:: line: ${c.what}`, async () => {
      const r = await runAction(dir, c.inputs());
      assert.equal(r.status, 1);
      const errors = r.stdout.split('\n').filter((l) => l.startsWith('::error::'));
      assert.equal(errors.length, 1, r.stdout);
      assert.ok(errors[0]?.startsWith(`::error::${c.error}`), errors[0]);
      assert.deepEqual(r.outputs, {});
      assert.equal(r.summary, '');
      assert.doesNotMatch(r.stdout, /::group::/);
      assert.ok(!(await readdir(dir)).some((f) => f.endsWith('.tar')));
    });
  }
});
