import { constants, createReadStream } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { HttpClient } from '@actions/http-client';
import type { Readable } from 'node:stream';
import { errnoCode, UserError } from '../errors.js';
import { asNetworkError, NetworkError, send } from '../registry/http.js';
import { connectionFailure, isRetryableStatus, Retryable, withRetries } from '../registry/retry.js';
import { parseNarInfo, type NarInfo } from './narinfo.js';
import { storePathHash } from './store.js';

/** Basic credentials by host, from a netrc file. */
export type NetrcCredentials = ReadonlyMap<string, { login: string; password: string }>;

// Narinfos are small; the bound keeps a lying server from filling memory.
const MAX_NARINFO = 1 << 20;
const TIMEOUT_MS = 60_000;
const BASE_DELAY_MS = 500;

/**
 * A Nix binary cache (the Nix manual's HTTP binary cache store), read over
 * HTTP(S) or from a `file://` folder: `nix-cache-info`, `<hash>.narinfo`
 * and the NAR files they name. A request failing with 429, 5xx or a
 * dropped connection before its answer is tried again, as registry
 * requests are; a NAR whose body breaks off fails its layer, since its
 * bytes are already in it. Errors name the cache without any credentials
 * in its URL.
 */
export class BinaryCache {
  private constructor(
    /** The URL as given, for matching and order; never printed (it may hold credentials). */
    readonly url: URL,
    /** What messages call it. */
    readonly name: string,
    readonly priority: number,
    private readonly auth: string | undefined,
    private readonly retries: number,
    private readonly log: (m: string) => void,
  ) {}

  /** Opens the cache at `text`, reading its `nix-cache-info` (StoreDir must be ours; Priority orders caches). */
  static async open(text: string, opts: { storeDir: string; netrc: NetrcCredentials; retries: number; log: (m: string) => void; secret?: (s: string) => void }): Promise<BinaryCache> {
    let url: URL;
    try {
      url = new URL(text.endsWith('/') ? text : `${text}/`);
    } catch {
      throw new UserError(`substituter "${redact(text)}" is not a URL`);
    }
    if (!['http:', 'https:', 'file:'].includes(url.protocol)) throw new UserError(`substituter ${redact(text)}: only http, https and file binary caches are read here, not ${url.protocol.slice(0, -1)}`);
    const decode = (part: string) => {
      try {
        return decodeURIComponent(part);
      } catch {
        return part;
      }
    };
    const fromUrl = url.username === '' ? undefined : { login: decode(url.username), password: decode(url.password) };
    const creds = fromUrl ?? opts.netrc.get(url.hostname) ?? opts.netrc.get('*');
    if (creds !== undefined) opts.secret?.(creds.password);
    const auth = creds === undefined ? undefined : `Basic ${Buffer.from(`${creds.login}:${creds.password}`).toString('base64')}`;
    if (auth !== undefined) opts.secret?.(auth.slice(6));
    const query = url.searchParams.get('priority');
    url.username = '';
    url.password = '';
    url.search = '';
    const name = redact(url.href.replace(/\/$/, ''));
    const cache = new BinaryCache(url, name, 50, auth, opts.retries, opts.log);
    const info = await cache.text('nix-cache-info');
    if (info === undefined) throw new UserError(`substituter ${name} has no nix-cache-info: not a binary cache`);
    const fields = new Map(info.split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()] as const));
    const storeDir = fields.get('StoreDir');
    if (storeDir !== undefined && storeDir !== opts.storeDir) throw new UserError(`substituter ${name} holds paths of ${storeDir}, not ${opts.storeDir}`);
    const priority = Number(query ?? fields.get('Priority') ?? 50);
    return new BinaryCache(url, name, Number.isFinite(priority) ? priority : 50, auth, opts.retries, opts.log);
  }

  /** The narinfo of a store path; undefined when the cache does not have it. */
  async narInfo(storePath: string): Promise<NarInfo | undefined> {
    const text = await this.text(`${storePathHash(storePath)}.narinfo`);
    if (text === undefined) return undefined;
    const info = parseNarInfo(text, `${storePath} in ${this.name}`);
    if (info.storePath !== storePath) throw new UserError(`substituter ${this.name}: the narinfo of ${storePath} describes ${info.storePath}`);
    return info;
  }

  /**
   * The NAR file of `info`, compressed as it is stored, streamed. Its URL
   * is not signed: one outside the cache (another host, which would get
   * this cache's credentials; a local file) is refused.
   */
  async nar(info: NarInfo): Promise<Readable> {
    const url = new URL(info.url, this.url);
    if (url.origin !== this.url.origin || !url.pathname.startsWith(this.url.pathname)) {
      throw new UserError(`substituter ${this.name}: the narinfo of ${info.storePath} puts its NAR outside the cache (${redact(info.url)})`);
    }
    if (url.protocol === 'file:') {
      const file = decodeURIComponent(url.pathname);
      // Opened now, so that a missing file is this call's error.
      await access(file, constants.R_OK).then(() => undefined, (e: unknown) => {
        throw new UserError(`${info.storePath}: its NAR ${info.url} cannot be read from ${this.name}: ${errnoCode(e) ?? String(e)}`);
      });
      return createReadStream(file);
    }
    return this.withRetries(async () => {
      const op = `GET ${info.url}`;
      const res = await this.stream(url, op);
      const status = res.statusCode ?? 0;
      if (status === 200) return res;
      res.resume();
      throw this.statusError(op, `${info.storePath}: its NAR ${info.url}`, status);
    });
  }

  /** A small file of the cache; undefined on 404 (or 403, as S3-backed caches answer). */
  private async text(file: string): Promise<string | undefined> {
    const url = new URL(file, this.url);
    if (url.protocol === 'file:') {
      try {
        return await readFile(decodeURIComponent(url.pathname), 'utf8');
      } catch (e) {
        if (errnoCode(e) === 'ENOENT') return undefined;
        throw new UserError(`substituter ${this.name}: ${file} cannot be read: ${errnoCode(e) ?? String(e)}`);
      }
    }
    return this.withRetries(async () => {
      const op = `GET ${file}`;
      const res = await send({ method: 'GET', url, headers: this.headers(), timeoutMs: TIMEOUT_MS, maxBody: MAX_NARINFO }).catch((e: unknown) => {
        throw this.networkError(op, e);
      });
      if (res.status === 404 || res.status === 403) return undefined;
      if (res.status !== 200) throw this.statusError(op, file, res.status);
      if (res.truncated) throw new UserError(`substituter ${this.name}: ${file} is larger than ${MAX_NARINFO} bytes`);
      return res.body.toString('utf8');
    });
  }

  private stream(url: URL, op: string): Promise<IncomingMessage> {
    const client = new HttpClient('layered-image', [], { allowRedirects: true, allowRetries: false, keepAlive: false, socketTimeout: TIMEOUT_MS });
    return client.get(url.href, this.headers()).then(
      (res) => {
        const message = res.message;
        message.once('close', () => client.dispose());
        // A body that stops coming fails, rather than waiting for ever.
        message.socket.setTimeout(TIMEOUT_MS, () => message.destroy(new NetworkError('ETIMEDOUT')));
        return message;
      },
      (e: unknown) => {
        client.dispose();
        throw this.networkError(op, e);
      },
    );
  }

  private headers(): Record<string, string> {
    return this.auth === undefined ? {} : { authorization: this.auth };
  }

  /** A failed connection: tried again as a registry's is (a reset, a timeout), said at once when the host is not there. */
  private networkError(op: string, e: unknown): Error {
    const failure = asNetworkError(e);
    return failure instanceof NetworkError ? connectionFailure({ who: `substituter ${this.name}`, op, code: failure.code }) : failure;
  }

  private statusError(op: string, what: string, status: number): Error {
    const why = status === 401 || status === 403 ? `${status}: the credentials were refused (netrc-file)` : String(status);
    const final = new UserError(`substituter ${this.name}: ${what}: HTTP ${why}`);
    return isRetryableStatus(status) ? new Retryable(op, String(status), final) : final;
  }

  private withRetries<T>(fn: () => Promise<T>): Promise<T> {
    return withRetries({ who: `substituter ${this.name}`, retries: this.retries, baseMs: BASE_DELAY_MS, log: this.log }, fn);
  }
}


/** A URL as messages show it: any user and password in it replaced. */
export function redact(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1…@');
}

/** Parses a netrc file: `machine HOST login USER password PASS` (and `default`), as curl reads it for Nix. */
export function parseNetrc(text: string): Map<string, { login: string; password: string }> {
  const tokens = text.replace(/#.*$/gm, '').split(/\s+/).filter((t) => t !== '');
  const out = new Map<string, { login: string; password: string }>();
  let host: string | undefined;
  let entry = { login: '', password: '' };
  const flush = () => {
    if (host !== undefined && !out.has(host)) out.set(host, entry);
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === 'machine' || t === 'default') {
      flush();
      host = t === 'default' ? '*' : tokens[++i];
      entry = { login: '', password: '' };
    } else if (t === 'login') entry.login = tokens[++i] ?? '';
    else if (t === 'password') entry.password = tokens[++i] ?? '';
  }
  flush();
  return out;
}
