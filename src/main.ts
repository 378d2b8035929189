import * as core from '@actions/core';
import path from 'node:path';
import { build } from './build.js';
import { UserError, messageOf } from './errors.js';
import { parseOptions, type RawInputs } from './options.js';

/** Reads every input in one place; nothing else touches core.getInput. */
function readInputs(): RawInputs {
  const optional = (name: string) => core.getInput(name) || undefined;
  const output = optional('output') ?? (process.env['RUNNER_TEMP'] ? path.join(process.env['RUNNER_TEMP'], 'layered-image.tar') : undefined);
  return {
    name: optional('name'),
    tag: optional('tag'),
    contents: core.getInput('contents').split(/\s+/).filter((c) => c !== ''),
    config: optional('config'),
    maxLayers: optional('maxLayers'),
    created: optional('created'),
    architecture: optional('architecture'),
    output,
    noCache: core.getInput('cache') === 'false',
    actionsCache: true,
  };
}

/** The Action: inputs → build() → outputs. The CLI shares the same engine. */
export async function run(): Promise<void> {
  try {
    const opts = await parseOptions(readInputs());
    const report = await build(opts, { info: (m) => core.info(m), warning: (m) => core.warning(m) });
    core.setOutput('imagePath', report.imagePath);
    core.setOutput('imageName', report.imageName);
    core.setOutput('imageTag', report.imageTag);
    core.setOutput('imageId', report.imageId);
    core.setOutput('layerDigests', JSON.stringify(report.layerDigests));
    core.setOutput('layers', JSON.stringify(report.layers));
    core.setOutput('cacheHits', String(report.cache.restored));
    core.setOutput('layersBuilt', String(report.cache.built));
  } catch (e) {
    if (e instanceof UserError) core.setFailed(e.message);
    else core.setFailed(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : messageOf(e)}`);
  }
}
