import { availableParallelism, homedir, tmpdir } from 'node:os';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Digest } from './digest.js';
import { UserError, errnoCode } from './errors.js';
import { redact } from './nix/binary-cache.js';
import { parseTrustedKeys } from './nix/narinfo.js';
import { input, type InputName } from './inputs.js';
import type { RawValues } from './inputs/raw.js';
import { DEFAULTS, MAX_LAYERS_LIMIT } from './inputs/table.js';
import { parseAnnotations, parseLabels, type AnnotationLevel, type Annotations } from './image/annotations.js';
import type { ContainerConfig } from './image/config.js';
import { parseContainerConfig } from './image/validate-config.js';
import { checkCompression, COMPRESSIONS, type Compression } from './layer/compress.js';
import type { TarSettings } from './layer/tar-header.js';
import { MANIFEST_FORMATS, type ManifestFormat } from './image/manifest.js';
import type { RegistryAccess } from './registry/connect.js';
import type { ImageRef } from './registry/reference.js';
import { fullRepository, parseRepository } from './registry/reference.js';
import { parseHints, type Hint } from './plan/hints.js';
import { LAYERINGS, type Layering } from './plan/layers.js';

/**
 * What a front end (CLI flags or Action inputs) hands over, still unchecked:
 * a field for each option of the table of inputs, and what only the front
 * end knows.
 */
export interface RawInputs extends RawValues<'build'> {
  /** `@FILE` in config reads a file: on the command line, not from an Action input. */
  configFromFile?: boolean | undefined;
  /** `-` may name standard output (the CLI's, not the Action's, whose stdout is its log). */
  stdoutAllowed?: boolean | undefined;
  /** Use the GitHub Actions cache instead of a directory (the Action does). */
  actionsCache?: boolean | undefined;
}

/** Where the local image goes: a docker-archive file, an OCI layout directory, or a docker-archive on standard output. */
export type OutputChoice = { kind: 'docker-archive' | 'oci'; path: string } | { kind: 'stdout' };

export const OUTPUT_FORMATS = ['docker-archive', 'oci'] as const;

/** How and where the image is pushed: to `name` under every tag, or by its digest alone. */
export interface PushChoice extends RegistryAccess {
  manifestFormat: ManifestFormat;
  cacheFrom: ImageRef[];
  /** The manifest is pushed under no tag: an index made later names it by digest. */
  byDigest: boolean;
}

/** `actions`: the GitHub Actions cache, with `dir` where entries are unpacked. */
export type CacheChoice = { kind: 'none' } | { kind: 'directory' | 'actions'; dir: string };

/** A repository the image is named in, and its tags there. */
export interface ImageRepository {
  /** As given (`acme/app`, `ghcr.io/acme/app`), lowercased. */
  name: string;
  tags: string[];
}

/** The one validated description of a build that the engine accepts. */
export interface BuildOptions {
  /** The first repository's name: plain tags are its. */
  name: string;
  /** The first repository's tags. Empty: one tag derived from the image content. */
  tags: string[];
  /** Every repository named, `name`'s first: a push goes to each, and a docker-archive names the image in each. */
  repositories: ImageRepository[];
  contents: string[];
  /** With the labels given on their own merged into its Labels. */
  config: ContainerConfig;
  /** By level; sinks place those their output has room for. */
  annotations: Annotations;
  /** Where the CycloneDX SBOM goes; undefined: none. */
  sbom: string | undefined;
  maxLayers: number;
  created: string;
  architecture: string;
  /** The platform's variant (`v7` of linux/arm/v7), when it has one. */
  variant?: string | undefined;
  /** Undefined when the image is only pushed: nothing local is written. */
  output: OutputChoice | undefined;
  /** Of the layer blobs in an OCI layout or a registry. */
  compression: Compression;
  push: PushChoice | undefined;
  cache: CacheChoice;
  /** A docker-archive to build on. */
  fromImage: string | undefined;
  /** A shell script run in the customisation layer's directory before it is packed. */
  extraCommands: string | undefined;
  /** Put a Nix database of the image's closure in the customisation layer. */
  includeNixDB: boolean;
  /** Ownership and time of every member of every layer. */
  storeLayerSettings: TarSettings;
  layering: Layering;
  groupPopular: number;
  hints: Hint[];
  /** Print the plan and stop, building nothing. */
  explain: boolean;
  concurrency: number;
  /** Where a build that writes nothing local keeps its work files: RUNNER_TEMP on a runner. */
  scratch: string;
  /** Where store paths not in the local store come from; each field undefined: Nix's configuration's. */
  substituters: SubstituterChoice;
}

/** Binary caches, the keys their narinfos must be signed with, and their credentials, as given. */
export interface SubstituterChoice {
  urls: string[] | undefined;
  trustedPublicKeys: string[] | undefined;
  netrcFile: string | undefined;
}

/** A text option's value, or its default when none is given. */
function orDefault(raw: string | undefined, option: TextDefault): string {
  return raw === undefined || raw.trim() === '' ? DEFAULTS[option] : raw;
}

type TextDefault = { [K in keyof typeof DEFAULTS]: (typeof DEFAULTS)[K] extends string ? K : never }[keyof typeof DEFAULTS];

// The OCI distribution spec's reference grammar (docker/distribution's
// reference package): an optional registry host, then path components.
const COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const HOST = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?';
const NAME_RE = new RegExp(`^(?:${HOST}/)?${COMPONENT}(?:/${COMPONENT})*$`);
const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const CREATED_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** GOARCH values that image configs use. */
const ARCHITECTURES = ['386', 'amd64', 'arm', 'arm64', 'loong64', 'mips', 'mips64', 'mips64le', 'mipsle', 'ppc64', 'ppc64le', 'riscv64', 's390x'];
const NODE_TO_GOARCH: Record<string, string> = { x64: 'amd64', ia32: '386', arm: 'arm', arm64: 'arm64', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64' };

export async function parseOptions(raw: RawInputs, env: NodeJS.ProcessEnv = process.env): Promise<BuildOptions> {
  const { name, tags, repositories } = parseNameAndTags(raw.name, raw.tags);
  const config = withLabels(await parseConfig(raw.config, raw.configFromFile ?? true), parseLabels(raw.labels ?? []));
  const annotations = parseAnnotations(raw.annotations ?? []);
  const contents = (raw.contents ?? []).map((c, i) => {
    if (c.trim() === '') throw new UserError(`${input('contents')} #${i + 1} is empty`);
    return c;
  });
  const compression = parseChoice('compression', raw.compression, COMPRESSIONS);
  checkCompression(compression);
  const push = (raw.push ?? DEFAULTS.push) || (raw.pushByDigest ?? DEFAULTS.pushByDigest) ? parsePush(raw, name, tags, compression, annotations) : undefined;
  return {
    name,
    tags,
    repositories,
    contents,
    config,
    annotations,
    sbom: parseSbom(raw),
    maxLayers: parseMaxLayers(raw.maxLayers),
    created: parseCreated(raw.created),
    ...parsePlatform(raw.platform, raw.architecture),
    output: parseOutput(raw, name, push !== undefined),
    compression,
    push,
    cache: parseCache(raw, env),
    fromImage: raw.fromImage === undefined || raw.fromImage.trim() === '' ? undefined : path.resolve(raw.fromImage),
    extraCommands: raw.extraCommands === undefined || raw.extraCommands.trim() === '' ? undefined : raw.extraCommands,
    includeNixDB: raw.includeNixDB ?? DEFAULTS.includeNixDB,
    storeLayerSettings: parseTarSettings(raw),
    layering: parseLayering(raw.layering),
    groupPopular: parseGroupPopular(raw.groupPopular),
    hints: parseHints(raw.hints ?? []),
    explain: raw.explain ?? DEFAULTS.explain,
    concurrency: availableParallelism(),
    scratch: env['RUNNER_TEMP'] || tmpdir(),
    substituters: parseSubstituters(raw),
  };
}

/** Substituters and keys as given: checked now, so a bad one is refused before any work. */
function parseSubstituters(raw: RawInputs): SubstituterChoice {
  const given = (list: readonly string[] | undefined) => {
    const values = (list ?? []).map((v) => v.trim()).filter((v) => v !== '');
    return values.length === 0 ? undefined : values;
  };
  const urls = given(raw.substituters);
  for (const url of urls ?? []) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || !['http:', 'https:', 'file:'].includes(parsed.protocol)) throw new UserError(`${input('substituters')} "${redact(url)}" is not an http, https or file URL of a binary cache`);
  }
  const trustedPublicKeys = given(raw.trustedPublicKeys);
  parseTrustedKeys(trustedPublicKeys ?? [], input('trustedPublicKeys'));
  const netrc = raw.netrcFile === undefined || raw.netrcFile.trim() === '' ? undefined : path.resolve(raw.netrcFile);
  return { urls, trustedPublicKeys, netrcFile: netrc };
}

/** The SBOM's file, never the image's own. */
function parseSbom(raw: RawInputs): string | undefined {
  if (raw.sbom === undefined || raw.sbom.trim() === '') return undefined;
  const file = path.resolve(raw.sbom);
  if (raw.output !== undefined && raw.output !== '' && raw.output !== '-' && path.resolve(raw.output) === file) {
    throw new UserError(`${input('sbom')} ${raw.sbom} is the image's ${input('output')} too; give the SBOM a file of its own`);
  }
  return file;
}

function parseOutput(raw: RawInputs, name: string, pushing: boolean): OutputChoice | undefined {
  const kind = parseChoice('outputFormat', raw.outputFormat, OUTPUT_FORMATS);
  const given = raw.output === undefined || raw.output === '' ? undefined : raw.output;
  if (given === '-') {
    if (!raw.stdoutAllowed) throw new UserError(`${input('output')} - (standard output) is for the command line; give a file name`);
    if (kind !== 'docker-archive') throw new UserError(`${input('output')} - (standard output) takes a docker-archive, not ${kind}`);
    if (pushing) throw new UserError(`${input('output')} - (standard output) cannot go with ${input('push')}: the pushed blobs are made from a local copy of the layers`);
    return { kind: 'stdout' };
  }
  if (given === undefined) {
    // Pushing is the job then: nothing local is written.
    if (pushing) return undefined;
    const base = name.replace(/[/:]/g, '-');
    return { kind, path: path.resolve(kind === 'oci' ? `${base}-oci` : `${base}.tar`) };
  }
  if (kind === 'docker-archive' && given.endsWith('/')) throw new UserError(`${input('output')} ${given} names a directory; give a file name`);
  return { kind, path: path.resolve(given) };
}

function parseChoice<T extends string>(what: InputName & TextDefault, raw: string | undefined, choices: readonly T[]): T {
  const text = orDefault(raw, what);
  const value = text.trim();
  if (!(choices as readonly string[]).includes(value)) throw new UserError(`${input(what)} "${text}" must be one of ${choices.join(', ')}`);
  return value as T;
}

function parsePush(raw: RawInputs, name: string, tags: string[], compression: Compression, annotations: Annotations): PushChoice {
  const manifestFormat = parseChoice('manifestFormat', raw.manifestFormat, MANIFEST_FORMATS);
  if (manifestFormat === 'docker' && compression !== 'gzip') throw new UserError(`${input('manifestFormat')} docker takes gzip layers only, not ${input('compression')} ${compression}`);
  refuseDockerAnnotations(manifestFormat, annotations, 'manifest');
  const byDigest = raw.pushByDigest ?? DEFAULTS.pushByDigest;
  // A tag given would name the local image but never reach the registry: say so rather than drop it.
  if (byDigest && tags.length > 0) throw new UserError(`${input('tag')} "${tags[0] ?? ''}" cannot go with ${input('pushByDigest')}, which pushes no tag; the index that names this digest is what gets tagged`);
  const { registry, repository } = parseRepository(name);
  const given = (raw.cacheFrom ?? []).filter((r) => r.trim() !== '');
  // By default, the tags being pushed and latest: whatever was pushed last under them.
  const cacheFrom = given.length > 0
    ? given.map(parseImageRef)
    : [...new Set([...tags, 'latest'])].map((reference) => ({ registry, repository, reference }));
  return { manifestFormat, cacheFrom, byDigest, ...parseRegistryAccess(raw) };
}

/** Hosts, retries and credentials, as a push and an index take them. */
function parseRegistryAccess(raw: Pick<RawInputs, 'insecureRegistries' | 'retries' | 'username' | 'password' | 'authFile'>): RegistryAccess {
  const insecureRegistries = (raw.insecureRegistries ?? []).filter((h) => h !== '').map((h) => {
    if (!/^[A-Za-z0-9.-]+(?::\d+)?$|^\[[0-9a-fA-F:]+\](?::\d+)?$/.test(h)) throw new UserError(`${input('insecureRegistries')} "${h}" must be a host or host:port`);
    return h.toLowerCase();
  });
  const username = raw.username ?? '';
  const password = raw.password ?? '';
  if ((username === '') !== (password === '')) throw new UserError(username === '' ? `${input('password')} is given without ${input('username')}` : `${input('username')} ${username} is given without ${input('password')}`);
  const retriesText = orDefault(raw.retries, 'retries');
  const retries = /^\d+$/.test(retriesText.trim()) ? Number(retriesText.trim()) : NaN;
  if (!Number.isSafeInteger(retries) || retries > 20) throw new UserError(`${input('retries')} "${retriesText}" must be a whole number from 0 to 20`);
  return { insecureRegistries, retries, credentials: username === '' ? undefined : { username, password }, authFile: raw.authFile };
}

/** `[host/]path[:tag|@sha256:…]`, as docker names images; no tag means latest, and a digest wins over a tag. */
export function parseImageRef(text: string): ImageRef {
  const { name, tag, digest } = splitReference(text.trim());
  if (digest !== undefined && !DIGEST_RE.test(digest)) throw new UserError(`${input('cacheFrom')} "${text}" has a digest that is not sha256: and 64 hex digits`);
  if (tag !== undefined && !TAG_RE.test(tag)) throw new UserError(`${input('cacheFrom')} "${text}" has an invalid tag "${tag}"`);
  if (!NAME_RE.test(name.toLowerCase())) throw new UserError(`${input('cacheFrom')} "${text}" is not an image reference (host/name:tag)`);
  return { ...parseRepository(name.toLowerCase()), reference: digest ?? tag ?? 'latest' };
}

/**
 * `NAME[:TAG][@DIGEST]`, split as docker splits it: a colon after the last
 * slash starts the tag (one before it is a registry's port). Nothing is checked.
 */
function splitReference(text: string): { name: string; tag: string | undefined; digest: string | undefined } {
  const at = text.indexOf('@');
  const named = at < 0 ? text : text.slice(0, at);
  const colon = named.lastIndexOf(':');
  const tagged = colon > named.lastIndexOf('/');
  return { name: tagged ? named.slice(0, colon) : named, tag: tagged ? named.slice(colon + 1) : undefined, digest: at < 0 ? undefined : text.slice(at + 1) };
}

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

/** What `layered-image index` (or the Action's `index` input) hands over, still unchecked. */
export type RawIndexInputs = RawValues<'index'>;

/** An image index to push: manifests already in `name`'s repository, under every tag. */
export interface IndexOptions extends RegistryAccess {
  name: string;
  tags: string[];
  manifests: Digest[];
  /** oci: an OCI image index; docker: a Docker manifest list. */
  manifestFormat: ManifestFormat;
  annotations: Annotations;
}

export function parseIndexOptions(raw: RawIndexInputs): IndexOptions {
  const { name, tags, repositories } = parseNameAndTags(raw.name, raw.tags);
  // An index names manifests of its repository; another repository has none of them.
  const elsewhere = repositories[1];
  if (elsewhere !== undefined) throw new UserError(`${input('tag')} "${elsewhere.name}:${elsewhere.tags[0] ?? ''}" is not in ${name}: an index is pushed to the one repository its manifests are in; give each repository an index step of its own`);
  const here = parseRepository(name);
  // The same digest twice (a matrix job run again) is one manifest.
  const manifests = [...new Set((raw.manifests ?? []).map((m) => m.trim()).filter((m) => m !== '').map((text) => {
    // A digest alone, or NAME[:TAG]@DIGEST as docker prints a pulled image: the tag says nothing more.
    const ref = text.includes('@') ? splitReference(text) : undefined;
    const digest = ref === undefined ? text : (ref.digest as string);
    if (!DIGEST_RE.test(digest)) throw new UserError(`${input('index')} "${text}" is not a digest (sha256: and 64 hex digits) or NAME@DIGEST`);
    if (ref !== undefined) {
      const other = ref.name.toLowerCase();
      if (!NAME_RE.test(other) || (ref.tag !== undefined && !TAG_RE.test(ref.tag))) throw new UserError(`${input('index')} "${text}" has "${text.slice(0, text.indexOf('@'))}" before the @, which is not an image name`);
      const there = parseRepository(other);
      if (there.registry !== here.registry || there.repository !== here.repository) throw new UserError(`${input('index')} "${text}" is not in ${name}: an index names manifests of its own repository`);
    }
    return digest as Digest;
  }))];
  if (manifests.length === 0) throw new UserError(`an index needs at least one manifest: give its digest with ${input('index')}`);
  if (tags.length === 0) throw new UserError(`an index needs a ${input('tag')} to be pushed under`);
  const manifestFormat = parseChoice('manifestFormat', raw.manifestFormat, MANIFEST_FORMATS);
  const annotations = parseAnnotations(raw.annotations ?? []);
  refuseDockerAnnotations(manifestFormat, annotations, 'index', 'manifest-descriptor');
  return { name, tags, manifests, manifestFormat, annotations, ...parseRegistryAccess(raw) };
}

/** Docker's manifests and manifest lists have no annotations: those meant for them are refused, not dropped. */
function refuseDockerAnnotations(format: ManifestFormat, annotations: Annotations, ...levels: AnnotationLevel[]): void {
  if (format !== 'docker') return;
  const level = levels.find((l) => Object.keys(annotations[l]).length > 0);
  if (level !== undefined) throw new UserError(`${input('annotations')} at the ${level} level need OCI manifests; ${input('manifestFormat')} docker has no place for them`);
}

/** The config with `labels` over its own Labels. */
function withLabels(config: ContainerConfig, labels: Record<string, string>): ContainerConfig {
  if (Object.keys(labels).length === 0) return config;
  return { ...config, Labels: { ...(config.Labels ?? {}), ...labels } };
}

/**
 * The image's name and its tags, by repository. A tag may be a full
 * reference, `NAME:TAG`, as docker/metadata-action writes its `tags`
 * output; `name` may then be left out, and is the first reference's. Plain
 * tags belong to `name`; a reference to its own repository (however
 * spelled: `acme/app` is `docker.io/acme/app`). The first repository is
 * `name`'s.
 */
function parseNameAndTags(rawName: string | undefined, rawTags: readonly string[] | undefined): { name: string; tags: string[]; repositories: ImageRepository[] } {
  const refs = (rawTags ?? []).map((t) => t.trim()).filter((t) => t !== '').map(parseTagOrReference);
  const named = refs.flatMap((r) => (r.name === undefined ? [] : [{ ...r, name: r.name }]));
  const given = rawName !== undefined && rawName !== '';
  const name = !given && named[0] !== undefined ? named[0].name : parseName(rawName);
  const byRepository = new Map<string, ImageRepository>([[fullRepository(name), { name, tags: [] }]]);
  for (const ref of refs) {
    const key = ref.name === undefined ? fullRepository(name) : fullRepository(ref.name);
    const repo = byRepository.get(key) ?? { name: ref.name ?? name, tags: [] };
    if (!repo.tags.includes(ref.tag)) repo.tags.push(ref.tag);
    byRepository.set(key, repo);
  }
  const repositories = [...byRepository.values()];
  const home = repositories[0] as ImageRepository;
  const other = repositories[1];
  // Pushed under no tag of its own while every tag goes elsewhere: the name is a mistake, not a wish.
  if (given && home.tags.length === 0 && other !== undefined) throw new UserError(`${input('name')} ${name} has no tag: every ${input('tag')} names another repository (${other.name}); leave ${input('name')} out, or give it a tag`);
  return { name, tags: home.tags, repositories };
}

/** A plain tag, or `NAME:TAG` with the name lowercased as nixpkgs does. */
function parseTagOrReference(text: string): { text: string; tag: string; name?: string } {
  if (TAG_RE.test(text)) return { text, tag: text };
  const ref = splitReference(text);
  const name = ref.name.toLowerCase();
  if (ref.digest === undefined && ref.tag !== undefined && TAG_RE.test(ref.tag) && NAME_RE.test(name) && name.length <= 255) return { text, tag: ref.tag, name };
  throw new UserError(`${input('tag')} "${text}" is neither a tag (up to 128 of A-Z a-z 0-9 _ . -, not starting with . or -) nor a NAME:TAG reference`);
}

function parseName(raw: string | undefined): string {
  if (raw === undefined || raw === '') throw new UserError(`${input('name')} is required, unless every ${input('tag')} is a full reference (NAME:TAG)`);
  // nixpkgs lowercases image names; the reference grammar then applies.
  const name = raw.toLowerCase();
  if (!NAME_RE.test(name) || name.length > 255) {
    // `host/app:v1`, as docker takes it: the name is right, the tag belongs elsewhere.
    const ref = splitReference(raw);
    if (NAME_RE.test(ref.name.toLowerCase()) && ref.digest !== undefined) throw new UserError(`${input('name')} "${raw}" includes a digest; give the name alone: ${input('name')} ${ref.name}`);
    if (NAME_RE.test(ref.name.toLowerCase()) && ref.tag !== undefined) throw new UserError(`${input('name')} "${raw}" includes a tag; give ${input('name')} ${ref.name} and ${input('tag')} ${ref.tag}`);
    throw new UserError(`${input('name')} "${raw}" is not a valid image name (lowercase letters, digits, and . _ - separators, optionally host/ first)`);
  }
  return name;
}

async function parseConfig(raw: string | undefined, fromFile: boolean): Promise<ContainerConfig> {
  if (raw === undefined || raw.trim() === '') return {};
  if (!fromFile || !raw.startsWith('@')) return parseContainerConfig(raw);
  const file = raw.slice(1);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UserError(`${input('config')} file ${file} cannot be read: ${errnoCode(e) ?? String(e)}`);
  }
  return parseContainerConfig(text, `${input('config')} file ${file}`);
}

function parseMaxLayers(given: string | undefined): number {
  const raw = orDefault(given, 'maxLayers');
  const text = raw.trim();
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < 2 || n > MAX_LAYERS_LIMIT) {
    throw new UserError(`${input('maxLayers')} "${raw}" must be a whole number from 2 to ${MAX_LAYERS_LIMIT}`);
  }
  return n;
}

function parseLayering(given: string | undefined): Layering {
  const raw = orDefault(given, 'layering');
  const value = raw.trim();
  if (!(LAYERINGS as readonly string[]).includes(value)) throw new UserError(`${input('layering')} "${raw}" must be one of ${LAYERINGS.join(', ')}`);
  return value as Layering;
}

function parseGroupPopular(given: string | undefined): number {
  const raw = orDefault(given, 'groupPopular');
  const n = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n > 100_000) throw new UserError(`${input('groupPopular')} "${raw}" must be a whole number (0 for no grouping)`);
  return n;
}

const ID_LIMIT = 2 ** 32 - 1;

function parseTarSettings(raw: RawInputs): TarSettings {
  const id = (what: 'uid' | 'gid', given: string | undefined) => {
    const value = orDefault(given, what);
    const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
    if (!Number.isSafeInteger(n) || n > ID_LIMIT) throw new UserError(`${input(what)} "${value}" must be a whole number from 0 to ${ID_LIMIT}`);
    return n;
  };
  const owner = (what: 'uname' | 'gname', given: string | undefined) => {
    // An empty name is a name: only one not given takes the default.
    const value = given ?? DEFAULTS[what];
    // Control characters would make tar headers that tools print wrongly.
    if (value.length > 255 || [...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) throw new UserError(`${input(what)} ${JSON.stringify(value)} must be up to 255 characters with no control characters`);
    return value;
  };
  return {
    uid: id('uid', raw.uid),
    gid: id('gid', raw.gid),
    uname: owner('uname', raw.uname),
    gname: owner('gname', raw.gname),
    mtime: parseMtime(raw.mtime),
  };
}

/** Seconds since the epoch, or an RFC 3339 time; never "now", which would make every layer new. */
function parseMtime(given: string | undefined): number {
  const raw = orDefault(given, 'mtime');
  const text = raw.trim();
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (Number.isSafeInteger(n)) return n;
  } else if (text !== 'now') {
    const date = rfc3339(text.toUpperCase());
    if (date !== undefined && !Number.isNaN(date.getTime()) && date.getTime() >= 0) return Math.floor(date.getTime() / 1000);
  }
  const why = text === 'now' ? ': "now" would give every layer new bytes on every run, defeating the cache' : '';
  throw new UserError(`${input('mtime')} "${raw}" must be whole seconds since 1970 or an RFC 3339 time such as 2024-01-01T00:00:00Z${why}`);
}

function parseCreated(given: string | undefined): string {
  // Untrimmed: a blank time is a mistake to say, not the default.
  const raw = given === undefined || given === '' ? DEFAULTS.created : given;
  const date = raw === 'now' ? new Date() : rfc3339(raw.toUpperCase());
  if (date === undefined || Number.isNaN(date.getTime())) {
    throw new UserError(`${input('created')} "${raw}" must be "now" or an RFC 3339 time with a zone, such as 2024-01-01T00:00:00Z`);
  }
  // Normalised to UTC so the same instant gives the same bytes in any TZ.
  const iso = date.toISOString();
  return raw === 'now' || iso.endsWith('.000Z') ? `${iso.slice(0, 19)}Z` : iso;
}

/** RFC 3339 with its fields in range: Date would roll 02-30 over to 03-01. */
function rfc3339(s: string): Date | undefined {
  const m = CREATED_RE.exec(s);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second, offH, offM] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x)));
  const daysInMonth = new Date(Date.UTC(year as number, month as number, 0)).getUTCDate();
  const inRange =
    (month as number) >= 1 && (month as number) <= 12 && (day as number) >= 1 && (day as number) <= daysInMonth &&
    (hour as number) <= 23 && (minute as number) <= 59 && (second as number) <= 59 && (offH as number) <= 23 && (offM as number) <= 59;
  return inRange ? new Date(s) : undefined;
}

/** The variants each architecture has in the OCI image index spec and in Go's GOARM/GOAMD64. */
const VARIANTS: Record<string, readonly string[]> = { arm: ['v5', 'v6', 'v7', 'v8'], arm64: ['v8'], amd64: ['v1', 'v2', 'v3', 'v4'] };

/**
 * `--platform os/arch[/variant]`, or `--architecture` alone (its shorthand,
 * as before). Only linux: every store path is built for it.
 */
function parsePlatform(raw: string | undefined, architecture: string | undefined): { architecture: string; variant?: string } {
  if (raw === undefined || raw === '') return { architecture: parseArchitecture(architecture) };
  const parts = raw.split('/');
  const [os, arch, variant] = parts;
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) throw new UserError(`${input('platform')} "${raw}" is not os/arch or os/arch/variant (such as linux/arm64, linux/arm/v7)`);
  if (os !== 'linux') throw new UserError(`${input('platform')} "${raw}": the os must be linux, not "${os as string}"`);
  if (!ARCHITECTURES.includes(arch as string)) throw new UserError(`${input('platform')} "${raw}": architecture "${arch as string}" is not one of ${ARCHITECTURES.join(', ')}`);
  if (architecture !== undefined && architecture !== '' && architecture !== arch) {
    throw new UserError(`${input('platform')} "${raw}" and ${input('architecture')} "${architecture}" disagree; give one of them`);
  }
  if (variant === undefined) return { architecture: arch as string };
  const known = VARIANTS[arch as string] ?? [];
  if (!known.includes(variant)) {
    throw new UserError(`${input('platform')} "${raw}": ${arch as string} has ${known.length === 0 ? 'no variants' : `the variants ${known.join(', ')}`}, not "${variant}"`);
  }
  return { architecture: arch as string, variant };
}

function parseArchitecture(raw: string | undefined): string {
  if (raw === undefined || raw === '') {
    const arch = NODE_TO_GOARCH[process.arch];
    if (arch === undefined) throw new UserError(`cannot tell the image architecture for ${process.arch}; set ${input('architecture')}`);
    return arch;
  }
  if (!ARCHITECTURES.includes(raw)) throw new UserError(`${input('architecture')} "${raw}" is not one of ${ARCHITECTURES.join(', ')}`);
  return raw;
}

function parseCache(raw: RawInputs, env: NodeJS.ProcessEnv): CacheChoice {
  if (!(raw.cache ?? DEFAULTS.cache)) {
    if (raw.cacheDir !== undefined) throw new UserError('--cache-dir and --no-cache cannot be used together');
    return { kind: 'none' };
  }
  if (raw.actionsCache) {
    // Entries unpack under RUNNER_TEMP; the path is part of each entry's version.
    return { kind: 'actions', dir: path.join(env['RUNNER_TEMP'] || path.join(homedir(), '.cache'), 'layered-image-cache') };
  }
  const base = env['XDG_CACHE_HOME'] || path.join(homedir(), '.cache');
  return { kind: 'directory', dir: path.resolve(raw.cacheDir ?? path.join(base, 'layered-image')) };
}
