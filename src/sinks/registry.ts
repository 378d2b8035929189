import type { BlobLead } from '../cache/record.js';
import { unplacedNote } from '../image/annotations.js';
import type { Image } from '../image/image.js';
import type { Compression } from '../layer/compress.js';
import type { Logger } from '../log.js';
import type { PushChoice } from '../options.js';
import { connectAll, type Connection } from '../registry/connect.js';
import { findKnownLayers, type HeldBlobs, type KnownLayer } from '../registry/known-layers.js';
import { attachArtifact } from '../registry/referrers.js';
import { fullRepository } from '../registry/reference.js';
import { CYCLONEDX_TYPE, sbomText } from '../sbom/document.js';
import { pushImage, type PushReport, type PushTarget } from './push.js';
import type { BlobStore, Sink, SinkContext, SinkReport } from './sink.js';

/**
 * A registry: the image pushed under its tags (or by digest) to every
 * repository it is named in, uploading only the blobs a repository lacks
 * and cannot mount from another of the same registry. It is also a store
 * the pipeline asks which store layers it holds, through cacheFrom images
 * and the record's leads, each confirmed before use: a layer is known when
 * every repository holds it.
 */
export class RegistrySink implements Sink {
  readonly needs = { uncompressed: 'none', blobs: 'missing' } as const;
  private connections: Connection[] | undefined;
  /** What each repository was found to hold, by `registry/repository`. */
  private readonly held: HeldBlobs = new Map();

  constructor(
    private readonly repositories: readonly { name: string }[],
    private readonly choice: PushChoice,
    private readonly image: { compression: Compression; architecture: string; variant?: string | undefined; sbom?: string | undefined },
  ) {}

  async prepare(log: Logger): Promise<void> {
    this.connections = await connectAll(this.repositories.map((r) => r.name), this.choice, this.choice.cacheFrom.map((r) => r.registry), log);
  }

  get store(): BlobStore {
    const all = this.connected();
    const first = all[0] as Connection;
    return {
      scope: first.registry,
      locations: all.map((c) => `${c.registry}/${c.repository}`),
      known: (keys: ReadonlySet<string>, leads: readonly BlobLead[], log: Logger, opts: { cacheFrom: boolean }): Promise<Map<string, KnownLayer>> =>
        findKnownLayers({ targets: all, keys, leads, cacheFrom: opts.cacheFrom ? this.choice.cacheFrom : [], compression: this.image.compression, platform: this.platform(), clientFor: first.clientFor, held: this.held, log }),
    };
  }

  async write(image: Image, ctx: SinkContext): Promise<SinkReport> {
    const targets = this.connected().map((c, i): PushTarget => ({
      ...c,
      name: this.repositories[i]?.name ?? '',
      format: this.choice.manifestFormat,
      compression: this.image.compression,
      tags: this.choice.byDigest ? [] : (image.repositories[i]?.tags ?? []),
      held: this.held.get(`${c.registry}/${c.repository}`),
    }));
    const pushed = await ctx.log.group('Push', async () => {
      const note = unplacedNote(image.annotations, ['manifest'], 'a pushed manifest');
      if (note !== undefined) ctx.log.info(`${note} (an index step places index and manifest-descriptor ones)`);
      let sbom: PushReport['sbom'];
      const attach = this.image.sbom === undefined ? undefined : async (target: PushTarget, manifest: PushReport['manifest']) => {
        const attached = await this.attachSbom(image, manifest, target, ctx);
        sbom ??= attached;
      };
      const report = await pushImage(image, targets, ctx.log, attach);
      return sbom === undefined ? report : { ...report, sbom };
    });
    return { pushed };
  }

  /** The image's SBOM, as the SBOM file has it but naming this repository, attached to the manifest just pushed by its digest. */
  private async attachSbom(image: Image, manifest: PushReport['manifest'], target: PushTarget, ctx: SinkContext): Promise<PushReport['sbom']> {
    const bytes = Buffer.from(await sbomText(image, { manifestDigest: manifest.digest, repository: fullRepository(target.name), name: target.name }, ctx.storePaths));
    const attached = await attachArtifact(target.client, target.repository, manifest, { artifactType: CYCLONEDX_TYPE, bytes });
    ctx.log.info(`SBOM attached to ${target.name}@${manifest.digest} as ${attached.digest}: ${attached.tag === undefined ? 'the registry lists it (referrers API)' : `listed under the referrers tag ${attached.tag}`}`);
    return attached;
  }

  private platform() {
    return { os: 'linux', architecture: this.image.architecture, variant: this.image.variant };
  }

  private connected(): Connection[] {
    if (this.connections === undefined) throw new Error('the registry sink was not prepared');
    return this.connections;
  }
}
