import { parseChallenges } from './challenge.js';
import { type Credentials, type CredentialsSource, noneFoundNote, refusedHint } from './credentials.js';
import { NetworkError, bufferBody, send } from './http.js';
import { RegistryError, statusError, statusText } from './registry-error.js';
import { Retryable, connectionFailure, isRetryableStatus, parseRetryAfter } from './retry.js';

export interface AuthOptions {
  /** The registry as the user wrote it, for messages. */
  registry: string;
  credentials?: Credentials | undefined;
  /** Where the credentials came from, or where none were found, for a 401's message. */
  credentialsSource?: CredentialsSource | undefined;
  /** Whether plain HTTP may carry credentials to this host (`host:port`). */
  allowsHttp: (host: string) => boolean;
  timeoutMs: number;
}

type Scheme = { kind: 'basic' } | { kind: 'bearer'; realm: URL; service: string | undefined };

interface Token {
  value: string;
  refreshAt: number;
}

const CLIENT_ID = 'layered-image';
const DEFAULT_TOKEN_SECONDS = 60;
const MAX_TOKEN_RESPONSE = 1 << 20;

/**
 * What the registry asked for on its last 401, and the bearer tokens it
 * led to, one per set of scopes, reused until shortly before they expire.
 */
export class Authenticator {
  private scheme: Scheme | undefined;
  private readonly tokens = new Map<string, Token>();
  private readonly pending = new Map<string, Promise<Token>>();

  constructor(private readonly opts: AuthOptions) {}

  get hasCredentials(): boolean {
    return this.opts.credentials !== undefined;
  }

  /** A 401 with no credentials to send: says where none were found. */
  needsCredentials(op: string, status: string): RegistryError {
    return new RegistryError(`registry ${this.opts.registry}: ${op}: needs credentials (${status})${noneFoundNote(this.opts.registry, this.opts.credentialsSource)}`, 401);
  }

  /** For a 401 to the credentials sent: where they came from. */
  get refusedHint(): string {
    return refusedHint(this.opts.credentialsSource);
  }

  /** The Authorization header for a request on these scopes; none until the registry has asked. */
  async authorization(scopes: readonly string[], op: string): Promise<string | undefined> {
    const scheme = this.scheme;
    if (scheme === undefined) return undefined;
    if (scheme.kind === 'basic') return this.basic(op);
    const token = await this.token(scheme, scopes, op);
    return `Bearer ${token.value}`;
  }

  /**
   * Takes in a 401's challenge; true when the request should be sent again
   * with a new authorization (once learned, or once a rejected token is dropped).
   */
  unauthorized(header: string | string[] | undefined, sent: string | undefined, scopes: readonly string[], op: string): boolean {
    const challenges = parseChallenges(Array.isArray(header) ? header.join(', ') : (header ?? ''));
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const realm = bearer?.params.realm;
    if (bearer !== undefined && realm !== undefined) {
      const scheme: Scheme = { kind: 'bearer', realm: this.realmUrl(realm, op), service: bearer.params.service };
      this.scheme = scheme;
      if (sent?.startsWith('Bearer ') === true) {
        const key = tokenKey(scheme, scopes);
        if (this.tokens.get(key)?.value === sent.slice('Bearer '.length)) this.tokens.delete(key);
      }
      return true;
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      if (sent?.startsWith('Basic ') === true) return false;
      this.scheme = { kind: 'basic' };
      this.basic(op); // throws when there is nothing to send
      return true;
    }
    return false;
  }

  private basic(op: string): string {
    const creds = this.opts.credentials;
    if (creds === undefined) throw this.needsCredentials(op, '401 Unauthorized');
    if (!('username' in creds)) {
      throw new RegistryError(`registry ${this.opts.registry}: ${op}: needs a username and password; an identity token works only with token auth`, 401);
    }
    return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
  }

  private realmUrl(realm: string, op: string): URL {
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new RegistryError(`registry ${this.opts.registry}: ${op}: the token realm is not a URL`);
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && this.opts.allowsHttp(url.host))) {
      throw new RegistryError(`registry ${this.opts.registry}: ${op}: token server ${url.host} is not HTTPS; not sending credentials there`);
    }
    return url;
  }

  private async token(scheme: Scheme & { kind: 'bearer' }, scopes: readonly string[], op: string): Promise<Token> {
    const key = tokenKey(scheme, scopes);
    const cached = this.tokens.get(key);
    if (cached !== undefined && Date.now() < cached.refreshAt) return cached;
    let pending = this.pending.get(key);
    if (pending === undefined) {
      pending = this.fetchToken(scheme, scopes, op).finally(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    const token = await pending;
    this.tokens.set(key, token);
    return token;
  }

  /**
   * Docker's token protocol: GET realm?service&scope with Basic credentials;
   * an identity token is a refresh token, exchanged by the OAuth2 POST form.
   */
  private async fetchToken(scheme: Scheme & { kind: 'bearer' }, scopes: readonly string[], op: string): Promise<Token> {
    const creds = this.opts.credentials;
    const url = new URL(scheme.realm);
    const headers: Record<string, string> = { accept: 'application/json' };
    let method = 'GET';
    let form: Buffer | undefined;
    if (creds !== undefined && 'identityToken' in creds) {
      method = 'POST';
      const params = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.identityToken, client_id: CLIENT_ID });
      if (scheme.service !== undefined) params.set('service', scheme.service);
      if (scopes.length > 0) params.set('scope', scopes.join(' '));
      form = Buffer.from(params.toString());
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else {
      if (scheme.service !== undefined) url.searchParams.set('service', scheme.service);
      for (const scope of scopes) url.searchParams.append('scope', scope);
      if (creds !== undefined) headers.authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    }
    const server = url.host;
    const prefix = `registry ${this.opts.registry}: ${op}: token server ${server}`;
    let res;
    try {
      res = await send({
        method,
        url,
        headers,
        body: form === undefined ? undefined : bufferBody(form),
        timeoutMs: this.opts.timeoutMs,
        maxBody: MAX_TOKEN_RESPONSE,
      });
    } catch (e) {
      if (e instanceof NetworkError) throw connectionFailure({ who: `registry ${this.opts.registry}: token server ${server}`, op, code: e.code });
      throw e;
    }
    if (res.status === 401 || res.status === 403) {
      if (creds === undefined) throw this.needsCredentials(op, `token server: ${statusText(res.status)}`);
      throw new RegistryError(`${prefix}: ${statusText(res.status)}${this.refusedHint}`, res.status);
    }
    // The token server's body is not shown: it is not the registry's and may echo what it was sent.
    if (isRetryableStatus(res.status)) {
      throw new Retryable(op, `token server ${res.status}`, statusError(prefix, res.status), parseRetryAfter(res.headers['retry-after']));
    }
    if (res.status !== 200 || res.truncated) throw statusError(prefix, res.status);
    return parseToken(res.body, prefix);
  }
}

function tokenKey(scheme: Scheme & { kind: 'bearer' }, scopes: readonly string[]): string {
  return [scheme.realm.href, scheme.service ?? '', ...[...scopes].sort()].join('\n');
}

function parseToken(body: Buffer, prefix: string): Token {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new RegistryError(`${prefix}: the answer is not JSON`);
  }
  const fields = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  const value = [fields.token, fields.access_token].find((v): v is string => typeof v === 'string' && v !== '');
  if (value === undefined) throw new RegistryError(`${prefix}: the answer has no token`);
  const seconds = typeof fields.expires_in === 'number' && fields.expires_in > 0 ? fields.expires_in : DEFAULT_TOKEN_SECONDS;
  // Renew early so a token does not expire between being read and being checked.
  const margin = Math.min(30, seconds / 4);
  return { value, refreshAt: Date.now() + (seconds - margin) * 1000 };
}
