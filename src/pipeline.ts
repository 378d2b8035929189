import { rm } from 'node:fs/promises';
import { choosePolicy, preloadCache, type PlannedStoreLayer } from './cache/policy.js';
import { layerCacheKey } from './cache/key.js';
import { asUserError } from './errors.js';
import { assembleImage, customisation } from './image/assemble.js';
import type { BaseImage } from './image/base-image.js';
import { mergeContents } from './layer/customisation.js';
import { makeLayers } from './layer/make-layers.js';
import { workBed } from './layer/work-bed.js';
import { LayerWorkers } from './layer/workers.js';
import { onceEach, quietLogger, type Logger } from './log.js';
import { narSizeOf, type Closure } from './nix/closure.js';
import { resolveRoots } from './nix/roots.js';
import { narSource } from './nix/substituters.js';
import type { BuildOptions } from './options.js';
import type { PlanReport } from './plan/explain.js';
import { closureAndPlan } from './plan/image-plan.js';
import { buildReport, type BuildReport } from './report.js';
import { sinksFor } from './sinks/index.js';
import type { LayerBed, Sink, SinkContext, SinkReport } from './sinks/sink.js';
import { trackTemporary, untrackTemporary } from './util/temp.js';
import { makeWorkFolder, removeStaleWorkFolders } from './util/work-folder.js';

export type { BuildReport, LayerReport } from './report.js';

/**
 * inputs → closure → plan → layers (by origin) → one image → its sinks.
 * `sinks` are the outputs the options ask for (sinks/index.ts); what they
 * need of the layers decides what is built, restored and compressed, and
 * the cache policy, chosen once from those needs and the cache backend,
 * what is looked up, restored and saved.
 */
export async function build(opts: BuildOptions, logger: Logger = quietLogger, sinks: readonly Sink[] = sinksFor(opts)): Promise<BuildReport> {
  const log = onceEach(logger);
  const needs = sinks.map((s) => s.needs);
  preloadCache(needs, opts.cache);
  const roots = await resolveRoots(opts);
  const { contents, base } = roots;
  // Contents in the local store are checked before any work; the others once their caches are known.
  const local = roots.missing.size === 0 ? await mergeContents(contents) : undefined;
  try {
    for (const sink of sinks) await sink.prepare?.(log);
    const { closure, planned } = await closureAndPlan(opts, roots, log);
    // Beside the output, so that its files can be renamed or linked into it.
    const workParent = sinks.map((s) => s.folder?.()).find((f) => f !== undefined) ?? opts.scratch;
    return await withWork(workParent, opts.concurrency, log, async (ctx) => {
      const platform = opts.variant === undefined ? opts.architecture : `${opts.architecture}/${opts.variant}`;
      const store = sinks.find((s) => s.store !== undefined)?.store;
      const policy = await choosePolicy({ cache: opts.cache, compression: opts.compression, platform, needs, store, log });
      try {
        const nars = closure.remote === undefined ? undefined : narSource(closure.remote, { keep: new Set(contents), dir: ctx.work });
        const root = once(() => (local === undefined ? mergeContents(contents, nars) : Promise.resolve(local)));
        const custom = customisation(opts, { root, work: ctx.work, contents, closurePaths: [...closure.paths.keys()], log });
        const plan = storeLayers(opts, planned, closure, base);
        const known = await policy.known(custom.key === undefined ? plan : [...plan, { index: (base?.layers.length ?? 0) + plan.length, key: custom.key, paths: [], estimate: 0 }]);
        const setup = { needs, bed: await bedFor(sinks, ctx), policy, settings: opts.storeLayerSettings, compression: opts.compression, concurrency: opts.concurrency };
        const image = assembleImage(opts, base, await makeLayers({ base, store: plan, known, customisation: custom, nars }, setup, ctx));
        await policy.imageMade(image);
        const reports: SinkReport[] = [];
        for (const sink of sinks) reports.push(await sink.write(image, { ...ctx, earlier: [...reports], storePaths: closure.paths }));
        return buildReport(image, reports, await policy.finish(image));
      } finally {
        // Saves in flight read the work folder's blobs: ended before it goes.
        await ctx.workers.close();
        await policy.close();
      }
    });
  } finally {
    for (const sink of sinks) await sink.dispose?.();
  }
}

/** The store layers of the plan with their places in the image, cache keys and estimated sizes. */
function storeLayers(opts: BuildOptions, planned: readonly { paths: string[] }[], closure: Closure, base: BaseImage | undefined): PlannedStoreLayer[] {
  const first = base?.layers.length ?? 0;
  return planned.map((l, j) => ({ index: first + j, key: layerCacheKey(l.paths, opts.storeLayerSettings), paths: l.paths, estimate: narSizeOf(closure, l.paths) }));
}

/** The bed of the one sink that takes every layer's bytes, else one in the work folder. */
async function bedFor(sinks: readonly Sink[], ctx: SinkContext): Promise<LayerBed> {
  const laying = sinks.filter((s) => s.needs.uncompressed !== 'none');
  if (laying.length > 1) throw new Error('two outputs both need every layer laid out: one image has one bed');
  const sink = laying[0];
  if (sink === undefined) return workBed(ctx.work);
  if (sink.bed === undefined) throw new Error('an output needs the layers laid out but has no bed');
  return sink.bed(ctx, { readLater: sinks.some((s) => s !== sink && s.needs.blobs !== 'none') });
}

/** Runs `fn` with a work folder and the layer workers, both ended whatever happens. */
async function withWork<T>(parent: string, concurrency: number, log: Logger, fn: (ctx: SinkContext) => Promise<T>): Promise<T> {
  // Runs killed outright (SIGKILL, a lost runner) leave theirs: tidied now.
  await removeStaleWorkFolders(parent);
  const work = await makeWorkFolder(parent).catch((e: unknown) => asUserError(e, `cannot create a work folder in ${parent}`));
  trackTemporary(work);
  const workers = new LayerWorkers(concurrency);
  try {
    return await fn({ work, workers, log });
  } finally {
    await workers.close();
    await rm(work, { recursive: true, force: true });
    untrackTemporary(work);
  }
}

/** What build would make of these options, layer by layer, building nothing. */
export async function explain(opts: BuildOptions, logger: Logger = quietLogger): Promise<PlanReport> {
  const log = onceEach(logger);
  const roots = await resolveRoots(opts);
  const { contents, base } = roots;
  // The same checks as a build makes, where they need no download.
  if (roots.missing.size === 0) await mergeContents(contents);
  const { closure, planned } = await closureAndPlan(opts, roots, log);
  return {
    name: opts.name,
    maxLayers: opts.maxLayers,
    layering: opts.layering,
    layers: [
      ...(base?.layers ?? []).map((l, i) => ({ narSize: l.size, paths: [], why: `base image layer ${i + 1} (${l.member}), as it is` })),
      ...planned.map((l) => ({ narSize: narSizeOf(closure, l.paths), paths: l.paths, why: l.why })),
      { narSize: 0, paths: [], why: `customisation layer: ${contents.length} contents merged into / as symlinks` },
    ],
  };
}

/** `fn`'s promise, made on the first call only. */
function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= fn());
}
