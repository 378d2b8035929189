import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError, errnoCode } from '../errors.js';
import { DOCKER_HUB } from './reference.js';

/** A username and password, or an identity (refresh) token for a token server. */
export type Credentials = { username: string; password: string } | { identityToken: string };

export interface FindCredentialsOptions {
  env: NodeJS.ProcessEnv;
  explicit?: { username: string; password: string };
}

// Docker keys Hub's entries by its v1 index URL.
const HUB_KEY = 'https://index.docker.io/v1/';
const HUB_HOSTS = new Set([DOCKER_HUB, 'index.docker.io', 'registry-1.docker.io']);
const HELPER_TIMEOUT_MS = 30_000;

type Json = Record<string, unknown>;

/**
 * Credentials for a registry, looked up as docker and podman do: explicit
 * ones; docker's config.json (`credHelpers`, `auths`, `credsStore`); then
 * the containers auth files. A helper that is missing or fails gives none.
 */
export async function findCredentials(registry: string, opts: FindCredentialsOptions): Promise<Credentials | undefined> {
  if (opts.explicit !== undefined) return opts.explicit;
  const { env } = opts;
  const home = nonEmpty(env.HOME);
  const dockerDir = nonEmpty(env.DOCKER_CONFIG) ?? (home === undefined ? undefined : path.join(home, '.docker'));
  if (dockerDir !== undefined) {
    const file = path.join(dockerDir, 'config.json');
    const config = await readConfig(file);
    if (config !== undefined) {
      const found = await fromDockerConfig(registry, config, file, env);
      if (found !== undefined) return found;
    }
  }
  const runtime = nonEmpty(env.XDG_RUNTIME_DIR);
  const containerFiles = [nonEmpty(env.REGISTRY_AUTH_FILE), runtime === undefined ? undefined : path.join(runtime, 'containers', 'auth.json')];
  for (const file of containerFiles) {
    if (file === undefined) continue;
    const config = await readConfig(file);
    const found = config === undefined ? undefined : fromAuths(registry, config, file);
    if (found !== undefined) return found;
  }
  return undefined;
}

async function fromDockerConfig(registry: string, config: Json, file: string, env: NodeJS.ProcessEnv): Promise<Credentials | undefined> {
  const helpers = objectField(config, 'credHelpers', file);
  for (const key of keysFor(registry)) {
    const helper = helpers?.[key];
    if (typeof helper !== 'string' || helper === '') continue;
    const found = await runHelper(helper, key, env);
    if (found !== undefined) return found;
    break;
  }
  const fromFile = fromAuths(registry, config, file);
  if (fromFile !== undefined) return fromFile;
  const store = config.credsStore;
  if (typeof store === 'string' && store !== '') return runHelper(store, keysFor(registry)[0] ?? registry, env);
  return undefined;
}

/** An `auths` entry: `auth` (base64 user:pass), `username`/`password` or `identitytoken`. */
function fromAuths(registry: string, config: Json, file: string): Credentials | undefined {
  const auths = objectField(config, 'auths', file);
  if (auths === undefined) return undefined;
  const wanted = new Set(keysFor(registry).map(hostOfKey));
  for (const [key, entry] of Object.entries(auths)) {
    if (!wanted.has(hostOfKey(key)) || typeof entry !== 'object' || entry === null) continue;
    const fields = entry as Json;
    const identityToken = fields.identitytoken;
    if (typeof identityToken === 'string' && identityToken !== '') return { identityToken };
    const auth = fields.auth;
    if (typeof auth === 'string' && auth !== '') {
      const decoded = Buffer.from(auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon <= 0) throw new UserError(`${file}: auths entry for ${key} has an "auth" value that is not base64 of user:password`);
      return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
    const { username, password } = fields;
    if (typeof username === 'string' && username !== '' && typeof password === 'string') return { username, password };
  }
  return undefined;
}

/** The keys a registry may be stored under; the first is what docker passes to helpers. */
function keysFor(registry: string): string[] {
  return HUB_HOSTS.has(registry) ? [HUB_KEY, ...HUB_HOSTS] : [registry];
}

/** `https://host/v1/` and `http://host` forms name the same registry as `host`. */
function hostOfKey(key: string): string {
  const bare = key.replace(/^[a-z]+:\/\//i, '');
  const slash = bare.indexOf('/');
  return slash < 0 ? bare : bare.slice(0, slash);
}

/** `docker-credential-NAME get`, the server on stdin, `{Username, Secret}` on stdout. */
async function runHelper(name: string, serverUrl: string, env: NodeJS.ProcessEnv): Promise<Credentials | undefined> {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) return undefined;
  const stdout = await new Promise<string | undefined>((resolve) => {
    const child = execFile(`docker-credential-${name}`, ['get'], { env, timeout: HELPER_TIMEOUT_MS, maxBuffer: 1 << 20 }, (error, out) => {
      resolve(error === null ? out : undefined);
    });
    // A helper that exits before reading stdin must not crash us with EPIPE.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(serverUrl);
  });
  if (stdout === undefined) return undefined;
  let reply: unknown;
  try {
    reply = JSON.parse(stdout);
  } catch {
    return undefined;
  }
  if (typeof reply !== 'object' || reply === null) return undefined;
  const { Username: username, Secret: secret } = reply as Json;
  if (typeof secret !== 'string' || secret === '') return undefined;
  if (username === '<token>') return { identityToken: secret };
  return typeof username === 'string' && username !== '' ? { username, password: secret } : undefined;
}

/** A JSON config file, undefined when there is none; one line naming it when it is unusable. */
async function readConfig(file: string): Promise<Json | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new UserError(`cannot read ${file}: ${code ?? 'unknown error'}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UserError(`${file} is not valid JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UserError(`${file} is not a JSON object`);
  return parsed as Json;
}

function objectField(config: Json, name: string, file: string): Json | undefined {
  const value = config[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new UserError(`${file}: "${name}" is not an object`);
  return value as Json;
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s;
}
