import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError, errnoCode } from '../errors.js';
import { input } from '../inputs/marker.js';
import { DOCKER_HUB } from './reference.js';

/** A username and password, or an identity (refresh) token for a token server. */
export type Credentials = { username: string; password: string } | { identityToken: string };

export interface FindCredentialsOptions {
  env: NodeJS.ProcessEnv;
  /** Given by the user (`--username`, the Action's `username`), with how messages name them. */
  explicit?: { username: string; password: string } | undefined;
  /** `--authfile`: this file alone is read. */
  authFile?: string | undefined;
  /** Whose `/run/containers/UID/auth.json` is read without XDG_RUNTIME_DIR; default this process's. */
  uid?: number | undefined;
}

/** Where credentials came from and where they were looked for: for messages, so never a secret. */
export interface CredentialsSource {
  /** The file (or its helper) that gave them, or how the user gave them. */
  from: string | undefined;
  /** The files looked in, in order. */
  searched: readonly string[];
}

export interface FoundCredentials extends CredentialsSource {
  credentials: Credentials | undefined;
}

interface AuthFile {
  path: string;
  /** docker's config.json: credHelpers and credsStore as well as auths. */
  docker: boolean;
  /** A system folder that a user who is not root may not enter: unreadable means none there. */
  shared?: boolean;
}

// Docker keys Hub's entries by its v1 index URL.
const HUB_KEY = 'https://index.docker.io/v1/';
const HUB_HOSTS = new Set([DOCKER_HUB, 'index.docker.io', 'registry-1.docker.io']);
const HELPER_TIMEOUT_MS = 30_000;
const RUN_CONTAINERS = '/run/containers';
/** Tests point this at a folder of their own: none reads or writes the real /run/containers. */
export const RUN_CONTAINERS_ENV = 'LAYERED_IMAGE_RUN_CONTAINERS';

type Json = Record<string, unknown>;

/**
 * Credentials for a registry: those given; else the first of the auth
 * files (credentialFiles) that has an entry for it. A helper that is
 * missing or fails gives none.
 */
export async function findCredentials(registry: string, opts: FindCredentialsOptions): Promise<FoundCredentials> {
  const { explicit } = opts;
  // Named as the front end's user gave them: --username, or the username input.
  if (explicit !== undefined) return { credentials: explicit, from: input('username'), searched: [] };
  const searched: string[] = [];
  for (const file of credentialFiles(opts)) {
    searched.push(file.path);
    const config = await readConfig(file.path, file.shared === true);
    if (config === undefined) continue;
    const found = file.docker ? await fromDockerConfig(registry, config, file.path, opts.env) : fromAuths(registry, config, file.path);
    if (found !== undefined) return { credentials: found.credentials, from: found.from, searched };
  }
  return { credentials: undefined, from: undefined, searched };
}

/**
 * The files credentials are looked for in, in order: containers-auth.json(5)'s
 * (the primary file, which `podman login` writes under the runtime folder or
 * $REGISTRY_AUTH_FILE names instead; then the config one), then docker's
 * config.json; or the `--authfile` alone, as skopeo and podman read it.
 */
function credentialFiles(opts: Pick<FindCredentialsOptions, 'env' | 'authFile' | 'uid'>): AuthFile[] {
  if (opts.authFile !== undefined) return [{ path: opts.authFile, docker: false }];
  const { env } = opts;
  const home = nonEmpty(env.HOME);
  const runtimeFile = podmanRuntimeFile(env, opts.uid ?? process.getuid?.());
  const configHome = nonEmpty(env.XDG_CONFIG_HOME) ?? (home === undefined ? undefined : path.join(home, '.config'));
  const dockerDir = nonEmpty(env.DOCKER_CONFIG) ?? (home === undefined ? undefined : path.join(home, '.docker'));
  // The override takes the primary file's place; the search goes on after it.
  const override = nonEmpty(env.REGISTRY_AUTH_FILE);
  const primary = override === undefined ? runtimeFile : { path: override, docker: false };
  const files: AuthFile[] = [
    ...(primary === undefined ? [] : [primary]),
    ...(configHome === undefined ? [] : [{ path: path.join(configHome, 'containers', 'auth.json'), docker: false }]),
    ...(dockerDir === undefined ? [] : [{ path: path.join(dockerDir, 'config.json'), docker: true }]),
  ];
  // REGISTRY_AUTH_FILE may well name one of the others: read once, as
  // docker's config.json (with its helpers) when it is that.
  const same = (a: AuthFile, b: AuthFile) => path.resolve(a.path) === path.resolve(b.path);
  return files.filter((f, i) => files.findIndex((g) => same(f, g)) === i).map((f) => ({ ...f, docker: files.some((g) => same(f, g) && g.docker) }));
}

type Found = { credentials: Credentials; from: string };

async function fromDockerConfig(registry: string, config: Json, file: string, env: NodeJS.ProcessEnv): Promise<Found | undefined> {
  const helpers = objectField(config, 'credHelpers', file);
  for (const key of keysFor(registry)) {
    const helper = helpers?.[key];
    if (typeof helper !== 'string' || helper === '') continue;
    const found = await runHelper(helper, key, env);
    if (found !== undefined) return { credentials: found, from: `docker-credential-${helper} (credHelpers of ${file})` };
    break;
  }
  const fromFile = fromAuths(registry, config, file);
  if (fromFile !== undefined) return fromFile;
  const store = config.credsStore;
  if (typeof store !== 'string' || store === '') return undefined;
  const found = await runHelper(store, keysFor(registry)[0] ?? registry, env);
  return found === undefined ? undefined : { credentials: found, from: `docker-credential-${store} (credsStore of ${file})` };
}

function fromAuths(registry: string, config: Json, file: string): Found | undefined {
  const credentials = authsEntry(registry, config, file);
  return credentials === undefined ? undefined : { credentials, from: file };
}

/** An `auths` entry: `auth` (base64 user:pass), `username`/`password` or `identitytoken`. */
function authsEntry(registry: string, config: Json, file: string): Credentials | undefined {
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

/** Where `podman login` writes: under XDG_RUNTIME_DIR, or without it (root in a CI job, a cron script) /run/containers/UID. */
function podmanRuntimeFile(env: NodeJS.ProcessEnv, uid: number | undefined): AuthFile | undefined {
  const runtime = nonEmpty(env.XDG_RUNTIME_DIR);
  if (runtime !== undefined) return { path: path.join(runtime, 'containers', 'auth.json'), docker: false };
  if (uid === undefined) return undefined;
  return { path: path.join(nonEmpty(env[RUN_CONTAINERS_ENV]) ?? RUN_CONTAINERS, String(uid), 'auth.json'), docker: false, shared: true };
}

/** After a 401 that no credentials were sent with: where none were found. */
export function noneFoundNote(registry: string, source: CredentialsSource | undefined): string {
  if (source === undefined) return '';
  if (source.searched.length === 0) return '; no credential file to look in (HOME is not set)';
  return `; none for ${registry} in ${source.searched.join(', ')}`;
}

/** After a 401 to credentials sent: which ones were refused, and where the lookup went before them. */
export function refusedHint(source: CredentialsSource | undefined): string {
  if (source?.from === undefined) return ' (check the credentials)';
  const looked = source.searched.length > 1 ? `; looked in ${source.searched.join(', ')}` : '';
  return ` (check the credentials from ${source.from}${looked})`;
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
async function readConfig(file: string, shared = false): Promise<Json | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'ENOENT' || code === 'ENOTDIR' || (shared && code === 'EACCES')) return undefined;
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
