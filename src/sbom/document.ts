import { lstat } from 'node:fs/promises';
import type { Image } from '../image/image.js';
import { queryClosure, type StorePathInfo } from '../nix/closure.js';
import { fullRepository } from '../registry/reference.js';
import { mapLimit } from '../util/pool.js';
import { version } from '../version.js';
import { cycloneDx, type SbomPath, type SbomSubject } from './cyclonedx.js';
import { derivedFacts, type DrvReads } from './deriver.js';

export const CYCLONEDX_TYPE = 'application/vnd.cyclonedx+json';

/** Derivers read at once: small files, mostly waiting on the disk. */
const READS = 8;

// One image's paths are described once, whichever output asks first: the file and the pushed artifact share them.
const described = new WeakMap<Image, Promise<Map<string, SbomPath>>>();

/**
 * The image's CycloneDX document, as bytes, for this subject. `known` is
 * what the build learned of its store paths already (the closure it
 * planned from): the store is asked again only for what it lacks.
 */
export async function sbomText(image: Image, subject: SbomSubject, known?: ReadonlyMap<string, StorePathInfo>): Promise<string> {
  let paths = described.get(image);
  if (paths === undefined) {
    paths = describePaths(image, known);
    described.set(image, paths);
  }
  return cycloneDx(image, await paths, subject, version());
}

/** Every store path of the image's own layers, with the store's facts of it and, where present, its deriver's. */
async function describePaths(image: Image, known: ReadonlyMap<string, StorePathInfo> | undefined): Promise<Map<string, SbomPath>> {
  const storePaths = [...new Set(image.layers.flatMap((l) => l.paths))].sort();
  const infos = known !== undefined && storePaths.every((p) => known.has(p)) ? known : (await queryClosure(storePaths)).paths;
  const reads: DrvReads = new Map();
  const entries = await mapLimit(storePaths, READS, async (p): Promise<[string, SbomPath]> => {
    const info = infos.get(p) as StorePathInfo;
    const isFile = (await lstat(p).catch(() => undefined))?.isFile() ?? false;
    const derived = info.deriver === undefined ? undefined : await derivedFacts(info.deriver, p, reads);
    return [p, { info, isFile, ...(derived === undefined ? {} : { derived }) }];
  });
  return new Map(entries);
}

/** The subject a pushed manifest makes: its digest, and the repository of its first reference. */
export function pushedSubject(pushed: { digest: SbomSubject['manifestDigest']; refs: readonly string[] } | undefined): SbomSubject {
  if (pushed === undefined) return {};
  const ref = pushed.refs[0] ?? '';
  // `host/path:tag` or `host/path@sha256:…`: the name is what precedes the last segment's tag or digest.
  const at = ref.lastIndexOf('@');
  return { manifestDigest: pushed.digest, repository: fullRepository(at >= 0 ? ref.slice(0, at) : ref.replace(/:[^/:]*$/, '')) };
}
