/** Where an image goes: a registry host as the user wrote it and a repository path in it. */
export interface Repository {
  registry: string;
  repository: string;
}

export const DOCKER_HUB = 'docker.io';

/**
 * Splits `host[:port]/path` the way docker does: the first component is a
 * host when it looks like one; otherwise the image is on Docker Hub, where a
 * lone name lives under `library/`. The name is already lowercased and
 * grammar-checked.
 */
export function parseRepository(name: string): Repository {
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  if (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    const rest = name.slice(slash + 1);
    // docker.io/app and index.docker.io/app are Docker Hub's library/app, as docker reads them.
    if (first === DOCKER_HUB || first === 'index.docker.io') return { registry: DOCKER_HUB, repository: rest.includes('/') ? rest : `library/${rest}` };
    return { registry: first, repository: rest };
  }
  return { registry: DOCKER_HUB, repository: slash < 0 ? `library/${name}` : name };
}

/** `REGISTRY/REPOSITORY` as a puller resolves a name: `acme/app` and `docker.io/acme/app` are both `docker.io/acme/app`. */
export function fullRepository(name: string): string {
  const { registry, repository } = parseRepository(name);
  return `${registry}/${repository}`;
}

/** The host that serves the API: Docker Hub's name is not its API host. */
export function apiHost(registry: string): string {
  return registry === DOCKER_HUB || registry === 'index.docker.io' ? 'registry-1.docker.io' : registry;
}

/** The host without its port: `[::1]:5000` → `[::1]`, `127.0.0.1:5000` → `127.0.0.1`. */
export function hostname(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end < 0 ? host : host.slice(0, end + 1);
  }
  const colon = host.indexOf(':');
  return colon < 0 ? host : host.slice(0, colon);
}

/** This machine: plain HTTP is allowed here. */
export function isLoopback(host: string): boolean {
  const name = hostname(host).toLowerCase();
  return name === 'localhost' || name === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/** An image a build may take blobs from (`--cache-from`). */
export interface ImageRef {
  registry: string;
  repository: string;
  /** A tag or a digest. */
  reference: string;
}

export function refString(ref: ImageRef): string {
  return `${ref.registry}/${ref.repository}${ref.reference.startsWith('sha256:') ? '@' : ':'}${ref.reference}`;
}
