import { unplacedNote } from './image/annotations.js';
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
  return log.group('Index', () => {
    const note = unplacedNote(opts.annotations, ['index', 'manifest-descriptor'], 'an index step');
    if (note !== undefined) log.info(`${note} (a build step places manifest ones)`);
    return pushIndex({ client, repository, name: opts.name, tags: opts.tags, format: opts.manifestFormat, annotations: opts.annotations }, opts.manifests, log);
  });
}
