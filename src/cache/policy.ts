import { performance } from 'node:perf_hooks';
import type { Image } from '../image/image.js';
import type { Compression } from '../layer/compress.js';
import type { LayerWorkers } from '../layer/workers.js';
import { formatBytes, type Logger } from '../log.js';
import type { CacheChoice } from '../options.js';
import type { KnownLayer } from '../registry/known-layers.js';
import type { BlobStore, SinkNeeds } from '../sinks/sink.js';
import { mapLimit } from '../util/pool.js';
import type { LayerCache } from './cache.js';
import { DirectoryCache } from './directory.js';
import { CacheFindings, type RestoredBlob } from './findings.js';
import { leadId, mergeRecord, parseRecord, recordScope, sameLeads, type BlobLead } from './record.js';
import { recordedLayers, restoreBlobs, type RestoreContext, type WantedLayer } from './restore.js';
import { BlobSaver } from './saver.js';
import { largestFirst, restoreOrBuild } from './scheduler.js';

/**
 * What a push's blob record must be able to save before it is read or
 * saved: a restore of it costs two service calls and a tar+zstd unpacking
 * (~0.15 s with the bench's network), a save three calls and a packing
 * (~0.35 s); gzip at level 1 makes 64 MiB of layer in about that time on
 * two cores. Below this, the layers are made again instead.
 */
const RECORD_WORTH_BYTES = 64 << 20;

/** A store layer of the plan: its place, key, paths and estimated size. */
export type PlannedStoreLayer = Required<WantedLayer>;

/** How the blobs `provide` is asked for are made when not restored. */
export interface Provision {
  workers: LayerWorkers;
  concurrency: number;
  /** Builds one layer and its blob. */
  build: (layer: WantedLayer) => Promise<void>;
}

/**
 * The cache policy: what to look up, restore, build and save, chosen once
 * from what the sinks need and the cache backend (see choosePolicy).
 */
export interface CachePolicy {
  /** The store layers (by key) the sinks' store holds, asking with the record's leads where they are worth reading. */
  known(layers: readonly PlannedStoreLayer[]): Promise<Map<string, KnownLayer>>;
  /**
   * Says what the cache will give for `wanted`; when every layer is built
   * anyway (`inPlace`), restores their blobs now, to spare compressing them.
   */
  restore(wanted: readonly WantedLayer[], how: { inPlace: boolean; workers: LayerWorkers }): Promise<{ racing: boolean }>;
  /** Makes the blobs of `wanted` available: restored, and the rest built through `how.build`, raced against the restores. */
  provide(wanted: readonly WantedLayer[], how: Provision): Promise<void>;
  restored(key: string): RestoredBlob | undefined;
  /** Told of each blob compressed here. */
  blobMade(layer: { key: string; paths: readonly string[]; diffId: RestoredBlob['meta']['diffId']; size: number }, blob: { file: string; digest: RestoredBlob['meta']['digest']; size: number }): void;
  /** Told once the image is made; the sinks write it once this resolves. */
  imageMade(image: Image): Promise<void>;
  /** Saves what is worth saving once the sinks are written; returns the blobs saved. */
  finish(image: Image): Promise<number>;
  /** Ends anything the policy started, whatever happened. */
  close(): Promise<void>;
}

export interface PolicySetup {
  cache: CacheChoice;
  compression: Compression;
  /** `arch` or `arch/variant`: the record's scope. */
  platform: string;
  needs: readonly SinkNeeds[];
  store: BlobStore | undefined;
  log: Logger;
}

/** Whether any sink makes use of the cache: only blobs are cached (an uncompressed layer packs faster than it restores). */
export function cacheWanted(needs: readonly SinkNeeds[], cache: CacheChoice): boolean {
  return cache.kind !== 'none' && needs.some((n) => n.blobs !== 'none');
}

/**
 * Chooses the policy: none, when no sink takes blobs or there is no cache;
 * `layout` when a sink needs every blob (an OCI layout): the record is read
 * first and blobs are saved as they are made; `push` when sinks need only
 * the blobs their store lacks: the record is read and saved only when what
 * it can save is worth a restore.
 */
export async function choosePolicy(setup: PolicySetup): Promise<CachePolicy> {
  const { log } = setup;
  const cache = cacheWanted(setup.needs, setup.cache) ? await openCache(setup.cache, log) : undefined;
  const why = setup.cache.kind === 'none' || cacheWanted(setup.needs, { kind: 'directory', dir: '' }) ? 'no layer cache' : "no cache used: a docker-archive's store layers are built, which is faster than restoring them";
  if (cache === undefined) return new NoCache(setup, why);
  const compression = setup.compression === 'none' ? undefined : setup.compression;
  if (setup.needs.some((n) => n.blobs === 'all')) return new CachedPolicy(setup, cache, compression, { recordFirst: true, saveBlobs: true });
  return new CachedPolicy(setup, cache, compression, { recordFirst: false, saveBlobs: false });
}

async function openCache(choice: CacheChoice, log: Logger): Promise<LayerCache | undefined> {
  const warn = (m: string) => log.warning(m);
  if (choice.kind === 'directory') return new DirectoryCache(choice.dir, warn);
  if (choice.kind !== 'actions') return undefined;
  // Loaded only here: its HTTP and Azure clients take longer to load than a
  // warm build of a small image takes to run.
  const { ActionsCache } = await import('./actions.js');
  if (ActionsCache.available()) return new ActionsCache(choice.dir, warn);
  log.warning('the GitHub Actions cache service is not available here; building every layer without a cache');
  return undefined;
}

/** The Actions cache's module takes a few tenths of a second to load: begun early, it loads while the closure is queried. */
export function preloadCache(needs: readonly SinkNeeds[], cache: CacheChoice): void {
  if (cacheWanted(needs, cache) && cache.kind === 'actions') import('./actions.js').catch(() => undefined);
}

/** Builds what is wanted, largest first, with no cache to restore from. */
async function buildAll(wanted: readonly WantedLayer[], how: Provision): Promise<void> {
  await mapLimit([...wanted].sort(largestFirst), how.concurrency, how.build);
}

class NoCache implements CachePolicy {
  constructor(
    private readonly setup: PolicySetup,
    private readonly why: string,
  ) {}

  known(layers: readonly PlannedStoreLayer[]): Promise<Map<string, KnownLayer>> {
    const { store, log } = this.setup;
    if (store === undefined) return Promise.resolve(new Map<string, KnownLayer>());
    return log.group('Registry', () => store.known(new Set(layers.map((l) => l.key)), [], log, { cacheFrom: true }));
  }

  restore(): Promise<{ racing: boolean }> {
    this.setup.log.info(this.why);
    return Promise.resolve({ racing: false });
  }

  provide(wanted: readonly WantedLayer[], how: Provision): Promise<void> {
    return buildAll(wanted, how);
  }

  restored(): undefined {
    return undefined;
  }

  blobMade(): void {}

  imageMade(): Promise<void> {
    return Promise.resolve();
  }

  finish(): Promise<number> {
    return this.setup.log.group('Cache save', () => {
      this.setup.log.info(this.why);
      return 0;
    });
  }

  async close(): Promise<void> {}
}

/**
 * A cache in use. `recordFirst`: the record is read before anything else
 * (an OCI layout restores nothing without it); else only when the layers
 * the registry lacks are worth a restore. `saveBlobs`: blobs made here are
 * saved as they are made, when a later run restores them (an OCI layout
 * needs every blob; a push's later runs find them in the registry instead).
 */
class CachedPolicy implements CachePolicy {
  private readonly scope: string | undefined;
  private earlier: BlobLead[] | undefined;
  private findings: CacheFindings;
  private readonly saver: BlobSaver | undefined;
  private early: Promise<string[]> | undefined;
  private readonly compressedHere = new Set<string>();
  /** How far the cores are through the blobs wanted: the saver's budget. */
  private readonly work = new CoreWork();

  constructor(
    private readonly setup: PolicySetup,
    private readonly cache: LayerCache,
    private readonly compression: Exclude<Compression, 'none'> | undefined,
    private readonly rules: { recordFirst: boolean; saveBlobs: boolean },
  ) {
    // The record serves pushes (what a registry holds) and blob restores (what the cache holds).
    const usesRecord = setup.store !== undefined || (rules.recordFirst && compression !== undefined);
    this.scope = usesRecord ? recordScope(setup.store?.scope ?? '', setup.platform) : undefined;
    this.findings = new CacheFindings(compression);
    this.saver = rules.saveBlobs && compression !== undefined ? new BlobSaver(cache, compression, this.findings, () => this.work.secondsLeft()) : undefined;
  }

  private async record(): Promise<BlobLead[]> {
    if (this.earlier === undefined) {
      this.earlier = this.scope === undefined ? [] : parseRecord(await this.cache.loadRecord(this.scope));
      this.findings.learn(this.earlier);
    }
    return this.earlier;
  }

  async known(layers: readonly PlannedStoreLayer[]): Promise<Map<string, KnownLayer>> {
    if (this.rules.recordFirst) await this.record();
    const { store, log } = this.setup;
    if (store === undefined) return new Map();
    return log.group('Registry', async () => {
      const known = await store.known(new Set(layers.map((l) => l.key)), this.earlier ?? [], log, { cacheFrom: true });
      if (this.earlier !== undefined || this.scope === undefined) return known;
      const unknown = layers.filter((l) => !known.has(l.key));
      const bytes = unknown.reduce((n, l) => n + l.estimate, 0);
      if (bytes < RECORD_WORTH_BYTES) {
        if (unknown.length > 0) log.info(`the cache's blob list not read: the ${unknown.length} layers the registry lacks (${formatBytes(bytes)}) cost less to make than to restore`);
        return known;
      }
      const leads = await this.record();
      // The cacheFrom images were read above: only the record's leads are new.
      if (leads.length > 0) for (const [k, v] of await store.known(new Set(unknown.map((l) => l.key)), leads, log, { cacheFrom: false })) known.set(k, v);
      return known;
    });
  }

  private context(wanted: readonly WantedLayer[], workers: LayerWorkers): RestoreContext | undefined {
    if (this.compression === undefined || wanted.length === 0) return undefined;
    return { cache: this.cache, leads: this.earlier ?? [], compression: this.compression, workers, findings: this.findings, log: this.setup.log };
  }

  async restore(wanted: readonly WantedLayer[], how: { inPlace: boolean; workers: LayerWorkers }): Promise<{ racing: boolean }> {
    const { log } = this.setup;
    const ctx = this.context(wanted, how.workers);
    if (ctx === undefined) {
      log.info('no layer blobs wanted from the cache: store layers are built, which is faster than restoring them');
      return { racing: false };
    }
    if (how.inPlace) {
      await restoreBlobs(wanted, ctx);
      return { racing: false };
    }
    const recorded = recordedLayers(wanted, ctx).length;
    log.info(`${recorded} of ${wanted.length} layer blobs recorded in the ${this.cache.description}: restored while the others are built (see Build layers)`);
    return { racing: recorded > 0 };
  }

  provide(wanted: readonly WantedLayer[], how: Provision): Promise<void> {
    this.work.start(wanted, how.concurrency, (key) => this.findings.expected(key));
    const build = this.work.timed(how.build);
    const ctx = this.context(wanted, how.workers);
    if (ctx === undefined) return buildAll(wanted, { ...how, build });
    return restoreOrBuild(wanted, { ...ctx, builders: how.concurrency, build });
  }

  restored(key: string): RestoredBlob | undefined {
    return this.findings.blob(key);
  }

  blobMade(layer: Parameters<CachePolicy['blobMade']>[0], blob: Parameters<CachePolicy['blobMade']>[1]): void {
    this.compressedHere.add(layer.key);
    this.saver?.add(layer, blob);
  }

  async imageMade(image: Image): Promise<void> {
    await this.saver?.imageMade();
    // A push's record needs only the blobs' digests: saved while the blobs upload.
    if (this.saver !== undefined || this.setup.store === undefined) return;
    this.early = Promise.all(image.layers.map((l) => l.compressed())).then(() => this.saveRecord(image, new Set()));
    this.early.catch(() => undefined);
  }

  finish(image: Image): Promise<number> {
    const { log } = this.setup;
    return log.group('Cache save', async () => {
      const saved = (await this.saver?.done()) ?? new Set<string>();
      const left = this.saver?.leftToLater ?? 0;
      log.info(
        this.saver === undefined
          ? 'no layer blobs to save: a later run builds these layers, or finds their blobs in the registry'
          : `${saved.size} new layer blobs saved to the ${this.cache.description}${left > 0 ? `; ${left} left to later runs, as their saves would outlast the build` : ''}`,
      );
      for (const line of await (this.early ?? this.saveRecord(image, saved))) log.info(line);
      return saved.size;
    });
  }

  async close(): Promise<void> {
    await this.saver?.close();
    await this.early?.catch(() => undefined);
  }

  /** The record's new leads merged and saved, if worth it; returns what to log. */
  private async saveRecord(image: Image, saved: ReadonlySet<string>): Promise<string[]> {
    if (this.scope === undefined || this.compression === undefined) return [];
    const repositories = this.setup.store?.locations ?? [];
    const now = leadsOf(image, this.compression, repositories, (key) => this.findings.state(key, saved));
    // A push's record is saved only when what it newly says (the blobs
    // compressed here) is worth a later run's restore; the pushed tags'
    // manifests say the rest. What this run found of the cache's entries is always kept.
    const had = new Set((this.earlier ?? []).map(leadId));
    const newBytes = now.filter((l) => this.compressedHere.has(l.key) && !had.has(leadId(l))).reduce((n, l) => n + l.size, 0);
    if (!this.rules.recordFirst && newBytes < RECORD_WORTH_BYTES && !this.findings.news) {
      return [`the cache's blob list not saved: the layers new to it (${formatBytes(newBytes)}) are worth less than a restore`];
    }
    const before = await this.record();
    const merged = mergeRecord(before, now);
    if (sameLeads(mergeRecord(before, []).leads, merged.leads)) return ["the cache's blob list unchanged; not saved"];
    return (await this.cache.saveRecord(this.scope, merged)) ? [`the cache's blob list saved: ${merged.leads.length} layer blobs`] : [];
  }
}

/** Leads for the blob record: every store layer whose blob is known now, where it is pushed, and what this run learned of its cache entry. */
function leadsOf(image: Image, compression: Exclude<Compression, 'none'>, repositories: readonly string[], state: (key: string) => { cached?: boolean; bad?: boolean }): BlobLead[] {
  return image.layers.flatMap((layer) => {
    const blob = layer.blob();
    if (layer.key === undefined || blob === undefined) return [];
    const { cached, bad } = state(layer.key);
    const lead: BlobLead = { key: layer.key, diffId: layer.digest, size: layer.size, compression, digest: blob.digest, blobSize: blob.size, repositories: [...repositories] };
    return [{ ...lead, ...(cached === undefined ? {} : { cached }), ...(bad === true ? { bad } : {}) }];
  });
}

/**
 * The cores' progress through the blobs wanted: how many seconds of
 * building are left, at the rate the builds so far ran (per build, times
 * the builders), for the layers neither built yet nor expected from the
 * cache (restored, or on the record and not refuted). Infinity until one
 * build has ended.
 */
class CoreWork {
  private readonly left = new Map<string, number>();
  private built = { bytes: 0, ms: 0 };
  private builders = 1;
  private elsewhere: (key: string) => boolean = () => false;

  start(wanted: readonly WantedLayer[], builders: number, elsewhere: (key: string) => boolean): void {
    for (const l of wanted) this.left.set(l.key, l.estimate ?? 0);
    this.builders = builders;
    this.elsewhere = elsewhere;
  }

  /** `build`, timed. */
  timed(build: (layer: WantedLayer) => Promise<void>): (layer: WantedLayer) => Promise<void> {
    return async (layer) => {
      const started = performance.now();
      await build(layer);
      this.built = { bytes: this.built.bytes + (this.left.get(layer.key) ?? 0), ms: this.built.ms + (performance.now() - started) };
      this.left.delete(layer.key);
    };
  }

  secondsLeft(): number {
    if (this.built.ms === 0) return Infinity;
    const bytesPerMs = (this.built.bytes / this.built.ms) * this.builders;
    const left = [...this.left].reduce((n, [key, bytes]) => n + (this.elsewhere(key) ? 0 : bytes), 0);
    return left / bytesPerMs / 1000;
  }
}
