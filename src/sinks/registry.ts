import type { BlobLead } from '../cache/record.js';
import { unplacedNote } from '../image/annotations.js';
import type { Image } from '../image/image.js';
import type { Compression } from '../layer/compress.js';
import type { Logger } from '../log.js';
import type { PushChoice } from '../options.js';
import { connect, type Connection } from '../registry/connect.js';
import { findKnownLayers, type KnownLayer } from '../registry/known-layers.js';
import { attachArtifact } from '../registry/referrers.js';
import { fullRepository } from '../registry/reference.js';
import { CYCLONEDX_TYPE, sbomText } from '../sbom/document.js';
import { pushImage, type PushReport } from './push.js';
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
    private readonly image: { compression: Compression; architecture: string; variant?: string | undefined; sbom?: string | undefined },
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
      let sbom: PushReport['sbom'];
      const attach = this.image.sbom === undefined ? undefined : async (manifest: PushReport['manifest']) => {
        sbom = await this.attachSbom(image, manifest, target, ctx);
      };
      const report = await pushImage(image, target, ctx.log, attach);
      return sbom === undefined ? report : { ...report, sbom };
    });
    return { pushed };
  }

  /** The image's SBOM, as the SBOM file has it, attached to the manifest just pushed by its digest. */
  private async attachSbom(image: Image, manifest: PushReport['manifest'], target: { name: string }, ctx: SinkContext): Promise<PushReport['sbom']> {
    const c = this.connected();
    const bytes = Buffer.from(await sbomText(image, { manifestDigest: manifest.digest, repository: fullRepository(target.name) }, ctx.storePaths));
    const attached = await attachArtifact(c.client, c.repository, manifest, { artifactType: CYCLONEDX_TYPE, bytes });
    ctx.log.info(`SBOM attached to ${manifest.digest} as ${attached.digest}: ${attached.tag === undefined ? 'the registry lists it (referrers API)' : `listed under the referrers tag ${attached.tag}`}`);
    return attached;
  }

  private platform() {
    return { os: 'linux', architecture: this.image.architecture, variant: this.image.variant };
  }

  private connected(): Connection {
    if (this.connection === undefined) throw new Error('the registry sink was not prepared');
    return this.connection;
  }
}
