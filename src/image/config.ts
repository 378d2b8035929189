import { sha256Digest, type Digest } from '../digest.js';
import type { Layer } from '../layer/layer.js';

/** The `config` section of an image: Cmd, Entrypoint, Env, … */
export type ContainerConfig = Record<string, unknown>;

export interface ImageConfigInput {
  architecture: string;
  created: string;
  config: ContainerConfig;
  layers: readonly Pick<Layer, 'digest' | 'comment'>[];
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
    history: input.layers.map((l) => ({ created: input.created, comment: l.comment })),
    os: 'linux',
    rootfs: { type: 'layers', diff_ids: input.layers.map((l) => l.digest) },
  };
  return Buffer.from(canonicalJson(doc), 'utf8');
}

/** The image id: the digest of the config bytes. */
export function configDigest(configJson: Buffer): Digest {
  return sha256Digest(configJson);
}

/** `manifest.json` of a docker-archive (Docker image spec v1.2). */
export function dockerManifestJson(configFile: string, repoTag: string, layerFiles: readonly string[]): Buffer {
  return Buffer.from(JSON.stringify([{ Config: configFile, RepoTags: [repoTag], Layers: layerFiles }]), 'utf8');
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

