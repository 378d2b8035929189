import * as core from '@actions/core';
import path from 'node:path';
import { build, type BuildReport } from './build.js';
import { UserError, messageOf } from './errors.js';
import { formatBytes, type Logger } from './log.js';
import { parseOptions, type RawInputs } from './options.js';

/** Every input, read in one place; nothing else touches core.getInput. */
function readInputs(): RawInputs {
  const optional = (name: string) => core.getInput(name) || undefined;
  const cacheInput = core.getInput('cache') || 'true';
  // The YAML 1.2 core schema's booleans, as core.getBooleanInput takes them.
  const cache = ['true', 'True', 'TRUE'].includes(cacheInput) ? 'true' : ['false', 'False', 'FALSE'].includes(cacheInput) ? 'false' : undefined;
  if (cache === undefined) throw new UserError(`cache "${cacheInput}" must be true or false`);
  const runnerTemp = process.env['RUNNER_TEMP'];
  return {
    name: optional('name'),
    tag: optional('tag'),
    contents: core.getInput('contents').split(/\s+/).filter((c) => c !== ''),
    // JSON only: the CLI's @FILE form would let an input read runner files.
    config: optional('config'),
    configFromFile: false,
    maxLayers: optional('maxLayers'),
    created: optional('created'),
    architecture: optional('architecture'),
    output: optional('output') ?? (runnerTemp ? path.join(runnerTemp, 'layered-image.tar') : undefined),
    noCache: cache === 'false',
    actionsCache: true,
  };
}

const actionsLogger: Logger = {
  info: (m) => core.info(m),
  warning: (m) => core.warning(m),
  group: (name, phase) => core.group(name, () => Promise.resolve(phase())),
};

/** The Action: inputs → build() → outputs and job summary. The CLI shares the engine. */
export async function run(): Promise<void> {
  try {
    const opts = await parseOptions(readInputs());
    const report = await build(opts, actionsLogger);
    core.setOutput('imagePath', report.imagePath);
    core.setOutput('imageName', report.imageName);
    core.setOutput('imageTag', report.imageTag);
    core.setOutput('imageId', report.imageId);
    core.setOutput('layerDigests', JSON.stringify(report.layerDigests));
    core.setOutput('layers', JSON.stringify(report.layers));
    core.setOutput('cacheHits', String(report.cache.restored));
    core.setOutput('layersBuilt', String(report.cache.built));
    await writeSummary(report);
  } catch (e) {
    if (e instanceof UserError) core.setFailed(e.message);
    else core.setFailed(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : messageOf(e)}`);
  }
}

async function writeSummary(r: BuildReport): Promise<void> {
  if (!process.env['GITHUB_STEP_SUMMARY']) return;
  const rows = r.layers.map((l, i) => [
    String(i + 1),
    `<code>${l.digest.slice(0, 19)}…</code>`,
    formatBytes(l.size),
    l.paths.length === 0 ? '<em>customisation layer</em>' : l.paths.map((p) => `<code>${escapeHtml(p)}</code>`).join('<br>'),
    l.source,
  ]);
  await core.summary
    .addHeading(`Image ${escapeHtml(`${r.imageName}:${r.imageTag}`)}`, 3)
    .addList([
      `id <code>${r.imageId}</code>`,
      `${r.layers.length} layers, ${formatBytes(r.imageSize)} in <code>${escapeHtml(r.imagePath)}</code>`,
      `store layers: ${r.cache.restored} restored from the cache, ${r.cache.built} built, ${r.cache.saved} saved to the cache`,
    ])
    .addTable([
      [
        { data: '#', header: true },
        { data: 'diff_id', header: true },
        { data: 'size', header: true },
        { data: 'store paths', header: true },
        { data: 'source', header: true },
      ],
      ...rows,
    ])
    .write();
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
