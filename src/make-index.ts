import type { Logger } from './log.js';
import type { IndexOptions } from './options.js';
import { connect } from './registry/connect.js';
import { pushIndex, type IndexReport } from './registry/push-index.js';

/**
 * `layered-image index` and the Action's `index` input: one tag for the
 * images that matrix jobs pushed by digest, one per platform.
 */
export async function makeIndex(opts: IndexOptions, log: Logger): Promise<IndexReport> {
  const { client, repository } = await log.group('Registry', () => connect(opts.name, opts, [], log));
  return log.group('Index', () => pushIndex({ client, repository, name: opts.name, tags: opts.tags, format: opts.manifestFormat }, opts.manifests, log));
}
