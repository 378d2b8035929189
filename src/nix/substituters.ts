import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { lstat, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { errnoCode, messageOf, UserError } from '../errors.js';
import { input } from '../inputs/marker.js';
import type { Logger } from '../log.js';
import type { SubstituterChoice } from '../options.js';
import { BinaryCache, parseNetrc, type NetrcCredentials } from './binary-cache.js';
import type { StorePathInfo } from './closure.js';
import { decompressed, verifiedNar } from './decompress.js';
import type { NarSource } from './nar.js';
import { checkSignatures, parseTrustedKeys, type NarInfo, type TrustedKeys } from './narinfo.js';
import { storeDir, storePathHash } from './store.js';

/** The binary caches to read from, best first, and the keys their narinfos must carry. */
export interface Substituters {
  caches: BinaryCache[];
  keys: TrustedKeys;
  /** Why a configured cache is not among `caches` (down, not a cache): said when a path is found nowhere. */
  unusable: string[];
}

/** A store path the image needs that is read from a binary cache: where, and what its narinfo says. */
export interface RemotePath {
  cache: BinaryCache;
  info: NarInfo;
}

/**
 * The substituters given, or Nix's own (`substituters`,
 * `trusted-public-keys`, `netrc-file`), each opened (its nix-cache-info
 * read) and ordered by priority as Nix orders them. A cache that cannot be
 * opened is left out and said; none at all is said when a path is needed.
 */
export async function openSubstituters(choice: SubstituterChoice, opts: { retries: number; log: Logger }): Promise<Substituters> {
  const nix = choice.urls !== undefined && choice.trustedPublicKeys !== undefined && choice.netrcFile !== undefined ? {} : await nixSettings();
  const urls = choice.urls ?? nix.substituters ?? [];
  const keys = parseTrustedKeys(choice.trustedPublicKeys ?? nix.trustedPublicKeys ?? [], choice.trustedPublicKeys === undefined ? "Nix's trusted-public-keys entry" : input('trustedPublicKeys'));
  const netrc = await readNetrc(choice.netrcFile, nix.netrcFile);
  const opened = await Promise.all(urls.map((url) =>
    BinaryCache.open(url, { storeDir: storeDir(), netrc, retries: opts.retries, log: (m) => opts.log.info(m), secret: (s) => opts.log.secret?.(s) }).catch((e: unknown) => {
      if (!(e instanceof UserError)) throw e;
      // Said in full if a path is then found in no cache: another cache may serve it.
      return e.message;
    }),
  ));
  const caches = opened.filter((c): c is BinaryCache => typeof c !== 'string');
  // Stable: equal priorities keep the order given.
  caches.sort((a, b) => a.priority - b.priority);
  return { caches, keys, unusable: opened.filter((c): c is string => typeof c === 'string') };
}

async function readNetrc(given: string | undefined, configured: string | undefined): Promise<NetrcCredentials> {
  const file = given ?? configured;
  if (file === undefined) return new Map();
  try {
    return parseNetrc(await readFile(file, 'utf8'));
  } catch (e) {
    // Nix's default netrc-file need not exist; one given must.
    if (given === undefined && errnoCode(e) === 'ENOENT') return new Map();
    throw new UserError(`${input('netrcFile')} ${file} cannot be read: ${errnoCode(e) ?? messageOf(e)}`);
  }
}

/** What Nix's configuration says, where Nix is installed: `nix show-config` (Nix 2.4 to 2.19) or `nix config show` (later). */
async function nixSettings(): Promise<{ substituters?: string[]; trustedPublicKeys?: string[]; netrcFile?: string }> {
  for (const args of [['show-config', '--json'], ['config', 'show', '--json']]) {
    const out = await new Promise<string | undefined>((resolve) => {
      execFile('nix', ['--extra-experimental-features', 'nix-command', ...args], { maxBuffer: 1 << 24, encoding: 'utf8' }, (err, stdout) => resolve(err ? undefined : stdout));
    });
    if (out === undefined) continue;
    try {
      const json = JSON.parse(out) as Record<string, { value?: unknown } | undefined>;
      const list = (key: string) => (Array.isArray(json[key]?.value) ? (json[key]?.value as unknown[]).filter((v): v is string => typeof v === 'string') : undefined);
      const netrc = json['netrc-file']?.value;
      return { substituters: list('substituters'), trustedPublicKeys: list('trusted-public-keys'), ...(typeof netrc === 'string' && netrc !== '' ? { netrcFile: netrc } : {}) };
    } catch {
      continue;
    }
  }
  return {};
}

// Narinfos are small requests that wait on the network.
const CONCURRENCY = 16;

/**
 * The closure of `roots` (store paths not in the local store) from the
 * substituters' narinfos: each followed through its References, each
 * signed by a trusted key or refused. Paths in `local` (the local closure
 * of the other roots) are not asked for. Returns every path's facts, and
 * which paths must be read from a cache because the local store lacks them.
 */
export async function closureFromSubstituters(
  roots: ReadonlyMap<string, string>,
  local: ReadonlyMap<string, StorePathInfo>,
  subs: Substituters,
): Promise<{ paths: Map<string, StorePathInfo>; remote: Map<string, RemotePath> }> {
  const paths = new Map<string, StorePathInfo>();
  const remote = new Map<string, RemotePath>();
  const seen = new Set<string>(local.keys());
  const queue = [...roots.keys()].filter((p) => !seen.has(p));
  queue.forEach((p) => seen.add(p));
  const visit = async (p: string): Promise<void> => {
    const found = await findPath(p, subs, roots.get(p));
    const references = found.info.references.filter((r) => r !== p).sort();
    paths.set(p, { path: p, narSize: found.info.narSize, references, narHash: found.info.narHash, ...(found.info.deriver === undefined ? {} : { deriver: found.info.deriver }) });
    // A path the local store has after all is read from it, as any local path.
    if (!(await lstat(p).then(() => true, () => false))) remote.set(p, found);
    for (const r of references) {
      if (seen.has(r)) continue;
      seen.add(r);
      queue.push(r);
    }
  };
  const running = new Set<Promise<void>>();
  let failure: unknown;
  while ((queue.length > 0 || running.size > 0) && failure === undefined) {
    while (queue.length > 0 && running.size < CONCURRENCY) {
      const job: Promise<void> = visit(queue.shift() as string).catch((e: unknown) => void (failure ??= e)).finally(() => running.delete(job));
      running.add(job);
    }
    await Promise.race(running);
  }
  await Promise.all(running);
  if (failure !== undefined) throw failure instanceof Error ? failure : new Error(messageOf(failure));
  return { paths, remote };
}

/** The first cache, by priority, that has `p` signed by a trusted key; else why none. */
async function findPath(p: string, subs: Substituters, named: string | undefined): Promise<RemotePath> {
  const what = named ?? p;
  const refused: string[] = [];
  const failed: string[] = [];
  for (const cache of subs.caches) {
    // A cache that fails is passed over for the next, as Nix does; said if none has the path.
    const info = await cache.narInfo(p).catch((e: unknown) => {
      if (!(e instanceof UserError)) throw e;
      failed.push(e.message);
      return undefined;
    });
    if (info === undefined) continue;
    const verdict = checkSignatures(info, subs.keys);
    if (verdict === 'signed') return { cache, info };
    refused.push(
      verdict === 'unsigned' ? `${cache.name} has it unsigned`
        : verdict === 'bad' ? `${cache.name} has it with a signature that does not verify against its trusted key`
          : `${cache.name} has it signed by ${info.sigs.map((s) => s.slice(0, s.indexOf(':'))).join(', ')}, not a trusted key`,
    );
  }
  const where = named === undefined ? `${p}, which the image needs,` : `${what}, which`;
  if (failed.length > 0 && refused.length === 0) throw new UserError(failed.length === 1 ? (failed[0] as string) : `${where} is not in the Nix store, and no substituter could be read: ${failed.join('; ')}`);
  if (refused.length > 0) throw new UserError(`${where} is not in the Nix store, and no substituter has it signed by a trusted key: ${refused.join('; ')}`);
  if (subs.caches.length === 0) throw new UserError(`${where} is not in the Nix store, and no substituter can be read${subs.unusable.length === 0 ? ` (give ${input('substituters')})` : `: ${subs.unusable.join('; ')}`}`);
  throw new UserError(`${where} is not in the Nix store, nor in any substituter (${subs.caches.map((c) => c.name).join(', ')})`);
}

/**
 * The NARs of the paths read from binary caches, each decompressed and
 * checked against its narinfo as it streams. The compressed NARs of `keep`
 * (the contents, read for the customisation layer's tree and again for
 * their own layer) are kept in `dir` as they first download, so that each
 * NAR is downloaded once.
 */
export function narSource(remote: ReadonlyMap<string, RemotePath>, opts: { keep?: ReadonlySet<string>; dir?: string } = {}): NarSource {
  const kept = new Map<string, string>();
  const fetch = async (p: string, found: RemotePath): Promise<Readable> => {
    const had = kept.get(p);
    if (had !== undefined) return createReadStream(had);
    const nar = await found.cache.nar(found.info);
    if (opts.dir === undefined || opts.keep?.has(p) !== true) return nar;
    const file = path.join(opts.dir, `nar-${storePathHash(p)}`);
    return Readable.from(keepWhileReading(nar, file, () => kept.set(p, file)));
  };
  const name = (p: string) => `${p} (from ${remote.get(p)?.cache.name ?? 'no cache'})`;
  return {
    has: (p) => remote.has(p),
    name,
    open: (p) => {
      const found = remote.get(p);
      if (found === undefined) throw new Error(`${p} is not read from a binary cache`);
      const where = name(p);
      return (async function* () {
        yield* verifiedNar(decompressed(await fetch(p, found), found.info.compression, where), found.info, where);
      })();
    },
  };
}

/** `source` passed through and written to `file`; `done` once the file holds all of it, the file removed otherwise. */
async function* keepWhileReading(source: Readable, file: string, done: () => void): AsyncGenerator<Buffer> {
  const out = await open(file, 'wx', 0o600);
  let complete = false;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      await out.write(chunk);
      yield chunk;
    }
    complete = true;
  } finally {
    await out.close();
    if (complete) done();
    else await rm(file, { force: true });
  }
}
