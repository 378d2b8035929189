import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { Authenticator } from './auth.js';
import type { Credentials, CredentialsSource } from './credentials.js';
import { type Body, NetworkError, send } from './http.js';
import { apiHost, hostname, isLoopback } from './reference.js';
import { RegistryError, statusError } from './registry-error.js';
import { Retryable, connectionFailure, isRetryableStatus, parseRetryAfter, withRetries } from './retry.js';

export interface TransportOptions {
  /** As the user wrote it: `docker.io`, `ghcr.io`, `127.0.0.1:5000`. */
  registry: string;
  credentials?: Credentials | undefined;
  credentialsSource?: CredentialsSource | undefined;
  insecureRegistries?: readonly string[] | undefined;
  retries: number;
  retryBaseMs: number;
  timeoutMs: number;
  log?: ((m: string) => void) | undefined;
}

export interface TransportRequest {
  /** What is being done, for messages: `PUT manifest team/app:v1`. */
  op: string;
  method: string;
  /** A path on the registry, or an absolute URL from a Location header. */
  url: string;
  /** Token scopes the request needs, e.g. `repository:team/app:pull,push`. */
  scopes: readonly string[];
  headers?: OutgoingHttpHeaders;
  body?: Body | undefined;
  /** Largest successful answer accepted; default 64 KiB. */
  maxBody?: number;
  /** GET and HEAD may be sent on to blob storage; credentials stay with the registry. */
  followRedirects?: boolean;
  /** false: failures surface as Retryable, for a caller that retries a whole sequence. */
  retry?: boolean;
}

export interface TransportResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Where the answer came from, to resolve a relative Location against. */
  url: URL;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;
// Each request may be sent again once the challenge is known, and once more with a fresh token.
const MAX_REAUTHS = 2;
const DEFAULT_MAX_BODY = 64 * 1024;

/**
 * HTTP to one registry: the scheme, authentication from its challenges,
 * and retries of transient failures. The verbs above it know nothing of
 * tokens.
 */
export class Transport {
  readonly base: URL;
  private readonly auth: Authenticator;

  constructor(private readonly opts: TransportOptions) {
    const insecure = new Set(opts.insecureRegistries ?? []);
    const allowsHttp = (host: string) => isLoopback(host) || insecure.has(host) || insecure.has(hostname(host));
    const host = apiHost(opts.registry);
    this.base = new URL(`${allowsHttp(opts.registry) || allowsHttp(host) ? 'http' : 'https'}://${host}`);
    this.auth = new Authenticator({ registry: opts.registry, credentials: opts.credentials, credentialsSource: opts.credentialsSource, allowsHttp, timeoutMs: opts.timeoutMs });
  }

  /** `registry HOST: OP`, the start of every message about a request. */
  prefix(op: string): string {
    return `registry ${this.opts.registry}: ${op}`;
  }

  request(req: TransportRequest): Promise<TransportResponse> {
    return req.retry === false ? this.attempt(req) : this.retrying(() => this.attempt(req));
  }

  /** Runs a sequence of requests made with `retry: false` again from its start after a transient failure. */
  retrying<T>(fn: () => Promise<T>): Promise<T> {
    return withRetries({ who: `registry ${this.opts.registry}`, retries: this.opts.retries, baseMs: this.opts.retryBaseMs, log: this.opts.log }, fn);
  }

  private async attempt(req: TransportRequest): Promise<TransportResponse> {
    const prefix = this.prefix(req.op);
    const maxBody = req.maxBody ?? DEFAULT_MAX_BODY;
    let url = this.resolve(req.url, this.base, prefix);
    let reauths = 0;
    let redirects = 0;
    for (;;) {
      const own = url.origin === this.base.origin;
      const authorization = own ? await this.auth.authorization(req.scopes, req.op) : undefined;
      const headers: OutgoingHttpHeaders = { ...req.headers };
      if (authorization !== undefined) headers.authorization = authorization;
      const res = await this.exchange(req, url, headers, maxBody);
      if (res.status === 401 && own) {
        if (reauths < MAX_REAUTHS && this.auth.unauthorized(res.headers['www-authenticate'], authorization, req.scopes, req.op)) {
          reauths++;
          continue;
        }
        if (!this.auth.hasCredentials) throw this.auth.needsCredentials(req.op, '401 Unauthorized');
        throw statusError(prefix, 401, res.body, this.auth.refusedHint);
      }
      if (isRetryableStatus(res.status)) {
        throw new Retryable(req.op, String(res.status), statusError(prefix, res.status, res.body), parseRetryAfter(res.headers['retry-after']));
      }
      if (REDIRECTS.has(res.status) && req.followRedirects === true) {
        const location = res.headers.location;
        if (location === undefined || redirects >= MAX_REDIRECTS) throw statusError(prefix, res.status);
        const next = this.resolve(location, url, prefix);
        if (url.protocol === 'https:' && next.protocol !== 'https:') throw new RegistryError(`${prefix}: redirected from HTTPS to plain HTTP; not following`);
        url = next;
        redirects++;
        continue;
      }
      if (res.truncated && res.status < 300) throw new RegistryError(`${prefix}: the answer is larger than ${maxBody} bytes`);
      return { status: res.status, headers: res.headers, body: res.body, url };
    }
  }

  private async exchange(req: TransportRequest, url: URL, headers: OutgoingHttpHeaders, maxBody: number) {
    try {
      return await send({ method: req.method, url, headers, body: req.body, timeoutMs: this.opts.timeoutMs, maxBody });
    } catch (e) {
      if (e instanceof NetworkError) throw connectionFailure({ who: `registry ${this.opts.registry}`, op: req.op, code: e.code });
      throw e;
    }
  }

  private resolve(location: string, base: URL, prefix: string): URL {
    let url: URL;
    try {
      url = new URL(location, base);
    } catch {
      throw new RegistryError(`${prefix}: the registry sent a Location that is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RegistryError(`${prefix}: the registry sent a Location that is not HTTP`);
    return url;
  }
}
