import type { BlobLead } from '../cache/record.js';
import { unplacedNote } from '../image/annotations.js';
import type { Image } from '../image/image.js';
import type { Compression } from '../layer/compress.js';
import type { Logger } from '../log.js';
import type { PushChoice } from '../options.js';
import { connect, type Connection } from '../registry/connect.js';
import { findKnownLayers, type KnownLayer } from '../registry/known-layers.js';
import { pushImage } from './push.js';
import type { BlobStore, Sink, SinkContext, SinkReport } from './sink.js';

/**
 * A registry: the image pushed under its tags (or by digest), uploading
 * only the blobs the registry lacks. It is also a store the pipeline asks
 * which store layers it holds, through cacheFrom images and the record's
 * leads, each confirmed before use.
 */
export class RegistrySink implements Sink {
  readonly needs = { uncompressed: 'none', blobs: 'missing' } as const;
  private connection: Connection | undefined;

  constructor(
    private readonly name: string,
    private readonly choice: PushChoice,
    private readonly image: { compression: Compression; architecture: string; variant?: string | undefined },
  ) {}

  async prepare(log: Logger): Promise<void> {
    this.connection = await connect(this.name, this.choice, this.choice.cacheFrom.map((r) => r.registry), log);
  }

  get store(): BlobStore {
    const c = this.connected();
    return {
      scope: c.registry,
      location: `${c.registry}/${c.repository}`,
      known: (keys: ReadonlySet<string>, leads: readonly BlobLead[], log: Logger, opts: { cacheFrom: boolean }): Promise<Map<string, KnownLayer>> =>
        findKnownLayers({ target: c, keys, leads, cacheFrom: opts.cacheFrom ? this.choice.cacheFrom : [], compression: this.image.compression, platform: this.platform(), clientFor: c.clientFor, log }),
    };
  }

  async write(image: Image, ctx: SinkContext): Promise<SinkReport> {
    const c = this.connected();
    const target = { ...c, name: this.name, format: this.choice.manifestFormat, compression: this.image.compression, tags: this.choice.byDigest ? [] : image.tags };
    const pushed = await ctx.log.group('Push', async () => {
      const note = unplacedNote(image.annotations, ['manifest'], 'a pushed manifest');
      if (note !== undefined) ctx.log.info(`${note} (an index step places index and manifest-descriptor ones)`);
      return pushImage(image, target, ctx.log);
    });
    return { pushed };
  }

  private platform() {
    return { os: 'linux', architecture: this.image.architecture, variant: this.image.variant };
  }

  private connected(): Connection {
    if (this.connection === undefined) throw new Error('the registry sink was not prepared');
    return this.connection;
  }
}
