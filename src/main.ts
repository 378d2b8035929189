import * as core from '@actions/core';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build, explain, type BuildReport } from './pipeline.js';
import { formatPlan } from './plan/explain.js';
import { UserError, errnoCode, messageOf } from './errors.js';
import { spellInputs } from './inputs.js';
import { inputReader, maskPassword, refuseBuildInputs } from './inputs/action.js';
import { collect } from './inputs/raw.js';
import { INPUTS } from './inputs/table.js';
import { formatBytes, type Logger } from './log.js';
import { INDEX_TYPES } from './image/manifest.js';
import { makeIndex } from './make-index.js';
import { parseIndexOptions, parseOptions, type IndexOptions, type RawIndexInputs, type RawInputs } from './options.js';
// build.ts loads the Actions cache lazily, for the CLI's sake; the Action
// nearly always uses it, and a static import keeps it in dist/index.js
// rather than in chunk files beside the CLI's.
import './cache/actions.js';

/** Every output the Action sets, each declared in action.yml (a test holds the two together). */
export const OUTPUTS = ['plan', 'imagePath', 'digest', 'imageRef', 'imageName', 'imageTag', 'imageId', 'layerDigests', 'layers', 'cacheHits', 'layersBuilt', 'sbom'] as const;

const setOutput = (name: (typeof OUTPUTS)[number], value: string) => core.setOutput(name, value);

/** Every input, read through the table of inputs. */
export function readInputs(): { build: RawInputs } | { index: RawIndexInputs } {
  const read = inputReader();
  maskPassword(read);
  if ((read.list(INPUTS.manifests) ?? []).length > 0) {
    refuseBuildInputs(read);
    return { index: collect('index', read) };
  }
  const raw = collect('build', read);
  const runnerTemp = process.env['RUNNER_TEMP'];
  // Pushing is the job then: with no output given, nothing local is written.
  const defaultOutput = raw.push || raw.pushByDigest || !runnerTemp ? undefined : path.join(runnerTemp, raw.outputFormat === 'oci' ? 'layered-image-oci' : 'layered-image.tar');
  return {
    build: {
      ...raw,
      output: raw.output ?? defaultOutput,
      sbom: sbomFile(raw.sbom, runnerTemp),
      // JSON only: the CLI's @FILE form would let an input read runner files.
      configFromFile: false,
      actionsCache: true,
    },
  };
}

/** `sbom: true` is a file under RUNNER_TEMP; `false` or nothing, none; anything else, that file. */
function sbomFile(given: string | undefined, runnerTemp: string | undefined): string | undefined {
  const value = given?.trim() ?? '';
  if (value === '' || ['false', 'False', 'FALSE'].includes(value)) return undefined;
  if (!['true', 'True', 'TRUE'].includes(value)) return value;
  return path.join(runnerTemp || tmpdir(), 'layered-image.cdx.json');
}

const actionsLogger: Logger = {
  info: (m) => core.info(spellInputs(m, 'action')),
  warning: (m) => core.warning(spellInputs(m, 'action')),
  group: (name, phase) => core.group(name, () => Promise.resolve(phase())),
  secret: (value) => core.setSecret(value),
};

/** The Action: inputs → build() → outputs and job summary. The CLI shares the engine. */
export async function run(): Promise<void> {
  try {
    // A runner makes RUNNER_TEMP before any step; `npm run local-action`
    // takes it from .env, where the folder may not exist yet.
    const runnerTemp = process.env['RUNNER_TEMP'];
    if (runnerTemp) await mkdir(runnerTemp, { recursive: true });
    const inputs = readInputs();
    if ('index' in inputs) return await runIndex(parseIndexOptions(inputs.index));
    const opts = await parseOptions(inputs.build);
    if (opts.explain) {
      const plan = await explain(opts, actionsLogger);
      core.info(formatPlan(plan));
      setOutput('plan', JSON.stringify(plan));
      return;
    }
    const report = await build(opts, actionsLogger);
    setOutput('imagePath', report.imagePath ?? '');
    setOutput('imageName', report.imageName);
    setOutput('imageTag', report.imageTag);
    setOutput('imageId', report.imageId);
    setOutput('layerDigests', JSON.stringify(report.layerDigests));
    setOutput('layers', JSON.stringify(report.layers));
    setOutput('cacheHits', String(report.cache.restored));
    setOutput('layersBuilt', String(report.cache.built));
    setOutput('sbom', report.sbom ?? '');
    if (report.push !== undefined) {
      setOutput('digest', report.push.digest);
      setOutput('imageRef', `${report.imageName}@${report.push.digest}`);
    }
    // The image is built and the outputs are set: a summary that cannot be
    // written is worth a warning, not a failed step.
    await writeSummary(report).catch((e: unknown) => core.warning(`the job summary cannot be written: ${errnoCode(e) ?? messageOf(e)}`));
  } catch (e) {
    if (e instanceof UserError) core.setFailed(e.message);
    else core.setFailed(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : messageOf(e)}`);
  }
}

async function runIndex(opts: IndexOptions): Promise<void> {
  const report = await makeIndex(opts, actionsLogger);
  setOutput('digest', report.digest);
  setOutput('imageRef', `${opts.name}@${report.digest}`);
  setOutput('imageName', opts.name);
  setOutput('imageTag', opts.tags[0] ?? '');
  if (!process.env['GITHUB_STEP_SUMMARY']) return;
  await core.summary
    .addHeading(`Index ${escapeHtml(opts.name)}`, 3)
    .addList([
      `pushed ${report.refs.map((ref) => `<code>${escapeHtml(ref)}</code>`).join(', ')} as <code>${report.digest}</code>`,
      `${report.mediaType === INDEX_TYPES.oci ? 'an OCI image index' : 'a Docker manifest list'} of ${report.manifests.length} manifests`,
    ])
    .addTable([
      [
        { data: 'platform', header: true },
        { data: 'manifest', header: true },
        { data: 'size', header: true },
      ],
      ...report.manifests.map((m) => [`<code>${escapeHtml(m.platform)}</code>`, `<code>${m.digest}</code>`, formatBytes(m.size)]),
    ])
    .write()
    .catch((e: unknown) => core.warning(`the job summary cannot be written: ${errnoCode(e) ?? messageOf(e)}`));
}

async function writeSummary(r: BuildReport): Promise<void> {
  if (!process.env['GITHUB_STEP_SUMMARY']) return;
  const rows = r.layers.map((l, i) => [
    String(i + 1),
    `<code>${l.digest.slice(0, 19)}…</code>`,
    formatBytes(l.size),
    l.paths.length === 0 ? '<em>customisation layer</em>' : l.paths.map((p) => `<code>${escapeHtml(p)}</code>`).join('<br>'),
    l.source,
    ...(r.push === undefined ? [] : [l.pushed === 'uploaded' && l.compressedSize !== undefined ? `uploaded (${formatBytes(l.compressedSize)})` : (l.pushed ?? '')]),
  ]);
  const b = r.push?.blobs;
  const pushed = r.push === undefined || b === undefined
    ? []
    : [
        `pushed ${r.push.refs.map((ref) => `<code>${escapeHtml(ref)}</code>`).join(', ')} as <code>${r.push.digest}</code>`,
        `blobs: ${b.uploaded} uploaded (${formatBytes(b.uploadedBytes)}), ${b.mounted} mounted, ${b.existing} already there`,
      ];
  const local = r.imagePath === undefined ? [] : [`${r.layers.length} layers, ${formatBytes(r.imageSize ?? 0)} in <code>${escapeHtml(r.imagePath)}</code>`];
  await core.summary
    // Pushed by digest, the image has no tag anywhere but a local archive's.
    .addHeading(`Image ${escapeHtml(r.push?.refs[0]?.includes('@') === true ? r.push.refs[0] : `${r.imageName}:${r.imageTag}`)}`, 3)
    .addList([
      `id <code>${r.imageId}</code>`,
      ...local,
      ...pushed,
      `store layers: ${r.cache.restored} restored from the cache (as compressed blobs), ${r.cache.built} built, ${r.cache.saved} blobs saved to the cache`,
    ])
    .addTable([
      [
        { data: '#', header: true },
        { data: 'diff_id', header: true },
        { data: 'size', header: true },
        { data: 'store paths', header: true },
        { data: 'source', header: true },
        ...(r.push === undefined ? [] : [{ data: 'push', header: true }]),
      ],
      ...rows,
    ])
    .write();
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
