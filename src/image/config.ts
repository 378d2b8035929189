import { sha256Digest, type Digest } from '../digest.js';
import type { Layer } from '../layer/layer.js';
import type { Image } from './image.js';

/** The `config` section of an image: Cmd, Entrypoint, Env, … */
export type ContainerConfig = Record<string, unknown>;

export interface ImageConfigInput {
  architecture: string;
  /** The platform's variant (v7 of linux/arm/v7); absent from the config when there is none. */
  variant?: string | undefined;
  created: string;
  config: ContainerConfig;
  /** Every layer, a base image's first. */
  layers: readonly Pick<Layer, 'digest' | 'comment'>[];
  /** A base image's history, kept as it is for its `layers` first layers. */
  base?: { history: readonly unknown[]; layers: number };
}

/**
 * The image configuration JSON. Keys are sorted at every level, so equal
 * configs give equal bytes whatever order the user wrote them in.
 */
export function imageConfigJson(input: ImageConfigInput): Buffer {
  const doc = {
    architecture: input.architecture,
    config: input.config,
    created: input.created,
    history: [
      ...(input.base?.history ?? []),
      ...input.layers.slice(input.base?.layers ?? 0).map((l) => ({ created: input.created, comment: l.comment })),
    ],
    os: 'linux',
    rootfs: { type: 'layers', diff_ids: input.layers.map((l) => l.digest) },
    ...(input.variant === undefined ? {} : { variant: input.variant }),
  };
  return Buffer.from(canonicalJson(doc), 'utf8');
}

/**
 * The config of an image built on a base, as Docker's FROM gives it: the
 * base's fields, ours over them (a field we set replaces the base's, and
 * an Entrypoint of ours drops the base's Cmd); Labels, ExposedPorts and
 * Volumes are merged per key, ours winning; Env is merged per variable: the
 * base's variables in their order, a value of ours replacing the base's,
 * then ours that the base did not have.
 */
export function mergeBaseConfig(base: Readonly<Record<string, unknown>>, ours: ContainerConfig): ContainerConfig {
  const merged: ContainerConfig = { ...base, ...ours };
  // As Docker does: a new Entrypoint drops the base's Cmd, written for the old one.
  if (Object.hasOwn(ours, 'Entrypoint') && !Object.hasOwn(ours, 'Cmd')) delete merged['Cmd'];
  // LABEL, EXPOSE and VOLUME add to what the base has.
  for (const key of ['Labels', 'ExposedPorts', 'Volumes']) {
    const [b, o] = [base[key], ours[key]];
    if (isRecord(b) && isRecord(o)) merged[key] = { ...b, ...o };
  }
  const baseEnv = Array.isArray(base['Env']) ? base['Env'].filter((e): e is string => typeof e === 'string') : [];
  const ourEnv = Array.isArray(ours['Env']) ? (ours['Env'] as string[]) : [];
  if (baseEnv.length === 0 && ourEnv.length === 0) return merged;
  const nameOf = (e: string) => (e.includes('=') ? e.slice(0, e.indexOf('=')) : e);
  const mine = new Map(ourEnv.map((e) => [nameOf(e), e]));
  const fromBase = baseEnv.map((e) => mine.get(nameOf(e)) ?? e);
  const baseNames = new Set(baseEnv.map(nameOf));
  merged['Env'] = [...fromBase, ...ourEnv.filter((e) => !baseNames.has(nameOf(e)))];
  return merged;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The image id: the digest of the config bytes. */
export function configDigest(configJson: Buffer): Digest {
  return sha256Digest(configJson);
}

/** `manifest.json` of a docker-archive (Docker image spec v1.2): `docker load` tags the image with each of `repoTags`. */
export function dockerManifestJson(configFile: string, repoTags: readonly string[], layerFiles: readonly string[]): Buffer {
  return Buffer.from(JSON.stringify([{ Config: configFile, RepoTags: repoTags, Layers: layerFiles }]), 'utf8');
}

/** Every `NAME:TAG` of the image, in every repository, in the order given: what a docker-archive names it. */
export function repoTagsOf(image: Pick<Image, 'repositories'>): string[] {
  return image.repositories.flatMap((r) => r.tags.map((tag) => `${r.name}:${tag}`));
}

/** Every tag of the image, once, whatever its repository: an OCI layout's `ref.name`s. */
export function tagsOf(image: Pick<Image, 'repositories'>): string[] {
  return [...new Set(image.repositories.flatMap((r) => r.tags))];
}

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]));
  }
  return value;
}

/** Python-style list text, as nixpkgs writes `store paths: ['…']` in history. */
export function pathsComment(prefix: string, paths: readonly string[]): string {
  return `${prefix}: [${paths.map((p) => `'${p}'`).join(', ')}]`;
}

