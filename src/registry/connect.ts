import type { Logger } from '../log.js';
import { RegistryClient } from './client.js';
import { findCredentials, type FoundCredentials } from './credentials.js';
import { parseRepository } from './reference.js';

/** How to reach registries: what the user gave, checked. */
export interface RegistryAccess {
  /** For the image's own registry; others' come from the credential files. */
  credentials: { username: string; password: string } | undefined;
  /** `--authfile`: the one credential file read, for every registry. */
  authFile?: string | undefined;
  insecureRegistries: string[];
  /** Tries after the first of a request that failed on 429, 5xx or a dropped connection. */
  retries: number;
}

/** A client for the registry of `name`, checked to take our credentials for pushing, and clients for other registries read from. */
export interface Connection {
  client: RegistryClient;
  /** The registry as the user named it, for refs and messages. */
  registry: string;
  repository: string;
  clientFor: (registry: string) => RegistryClient;
}

/**
 * Finds credentials for `name`'s registry and for `alsoRead` (registries
 * a push reads layers from), masks those read from files as the inputs
 * are, and pings the registry with push rights: a registry that is down or
 * refuses the credentials fails now, before any work is done.
 */
export async function connect(name: string, access: RegistryAccess, alsoRead: readonly string[], log: Logger): Promise<Connection> {
  return (await connectAll([name], access, alsoRead, log))[0] as Connection;
}

/**
 * `connect` for each of `names`, in that order, with one client per
 * registry. The explicit credentials are the first name's registry's;
 * every other registry's are found as they are for a registry read from.
 */
export async function connectAll(names: readonly string[], access: RegistryAccess, alsoRead: readonly string[], log: Logger): Promise<Connection[]> {
  const targets = names.map(parseRepository);
  const home = targets[0]?.registry;
  const credentials = new Map<string, FoundCredentials>();
  for (const host of new Set([...targets.map((t) => t.registry), ...alsoRead])) {
    const explicit = host === home ? access.credentials : undefined;
    const found = await findCredentials(host, { env: process.env, explicit, authFile: access.authFile });
    const creds = found.credentials;
    // The Action masked the inputs already.
    if (creds !== undefined && explicit === undefined) {
      const forms = 'identityToken' in creds ? [creds.identityToken] : [creds.password, Buffer.from(`${creds.username}:${creds.password}`).toString('base64')];
      for (const secret of forms) log.secret?.(secret);
    }
    credentials.set(host, found);
  }
  const clients = new Map<string, RegistryClient>();
  const clientFor = (host: string): RegistryClient => {
    const had = clients.get(host);
    if (had !== undefined) return had;
    const found = credentials.get(host);
    const client = new RegistryClient({ registry: host, credentials: found?.credentials, credentialsSource: found, insecureRegistries: access.insecureRegistries, retries: access.retries, log: (m) => log.info(m) });
    clients.set(host, client);
    return client;
  };
  const connections: Connection[] = [];
  for (const { registry, repository } of targets) {
    const client = clientFor(registry);
    await client.ping(repository);
    connections.push({ client, registry, repository, clientFor });
  }
  return connections;
}
