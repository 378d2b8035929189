/**
 * A token server for tests, speaking Docker's token auth on 127.0.0.1:
 * `GET /token?service=…&scope=…` with Basic credentials, and the OAuth2
 * `POST /token` form with a refresh token. It issues RS256 JWTs carrying the
 * signing certificate as `x5c`, which distribution trusts when the
 * certificate is its `rootcertbundle`. Key and self-signed certificate are
 * made with openssl at start.
 */
import { execFileSync } from 'node:child_process';
import { type KeyObject, X509Certificate, createPrivateKey, randomUUID, sign } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TokenServerOptions {
  user: string;
  password: string;
  /** An OAuth2 refresh token (docker's identity token) the POST form accepts. */
  refreshToken?: string;
  /** The `expires_in` told to clients; default 300 s. The JWT expires then too. */
  expiresIn?: number;
  /** This many first tokens are issued already expired (beyond the registry's leeway), though `expires_in` says otherwise. */
  expiredTokens?: number;
}

export interface TokenRequest {
  method: string;
  /** The scopes asked for, in order. */
  scopes: string[];
  /** Whether a token was issued. */
  granted: boolean;
}

export interface TokenServer {
  /** `http://127.0.0.1:PORT/token` */
  realm: string;
  service: string;
  issuer: string;
  /** The certificate for the registry's `rootcertbundle`. */
  certFile: string;
  requests(): TokenRequest[];
  /** Every token handed out, to check none leaks into a message. */
  issued(): string[];
  stop(): Promise<void>;
}

const SERVICE = 'layered-image-test-registry';
const ISSUER = 'layered-image-test-token-issuer';
const MAX_FORM = 64 * 1024;

export async function startTokenServer(opts: TokenServerOptions): Promise<TokenServer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'token-server-'));
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  let key: KeyObject;
  let x5c: string;
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=token', '-days', '1', '-keyout', keyFile, '-out', certFile], {
      stdio: 'pipe',
    });
    key = createPrivateKey(await readFile(keyFile));
    x5c = new X509Certificate(await readFile(certFile)).raw.toString('base64');
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  const expiresIn = opts.expiresIn ?? 300;
  let expiredLeft = opts.expiredTokens ?? 0;
  const seen: TokenRequest[] = [];
  const issued: string[] = [];

  const issue = (subject: string, scopes: string[]) => {
    const now = Math.floor(Date.now() / 1000);
    // distribution allows 60 s of clock skew past exp; an expired token has to be older than that.
    const expired = expiredLeft > 0;
    if (expired) expiredLeft--;
    const iat = expired ? now - 600 : now;
    const claims = {
      iss: ISSUER,
      sub: subject,
      aud: SERVICE,
      exp: expired ? now - 300 : now + expiresIn,
      nbf: iat - 1,
      iat,
      jti: randomUUID(),
      access: scopes.flatMap(grant),
    };
    const header = { typ: 'JWT', alg: 'RS256', x5c: [x5c] };
    const signed = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    const token = `${signed}.${sign('sha256', Buffer.from(signed), key).toString('base64url')}`;
    issued.push(token);
    return token;
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const reply = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname !== '/token') return reply(404, { error: 'not found' });
    if (req.method === 'GET') {
      const scopes = url.searchParams.getAll('scope');
      const user = basicUser(req.headers.authorization, opts);
      seen.push({ method: 'GET', scopes, granted: user !== undefined });
      if (user === undefined) return reply(401, { error: 'unauthorized' });
      const token = issue(user, scopes);
      return reply(200, { token, access_token: token, expires_in: expiresIn, issued_at: new Date().toISOString() });
    }
    if (req.method === 'POST') {
      readForm(req).then(
        (form) => {
          const scopes = (form.get('scope') ?? '').split(' ').filter((s) => s !== '');
          const ok =
            form.get('grant_type') === 'refresh_token' &&
            opts.refreshToken !== undefined &&
            form.get('refresh_token') === opts.refreshToken &&
            form.get('service') === SERVICE &&
            (form.get('client_id') ?? '') !== '';
          seen.push({ method: 'POST', scopes, granted: ok });
          if (!ok) return reply(401, { error: 'invalid_grant' });
          reply(200, { access_token: issue(opts.user, scopes), expires_in: expiresIn, scope: scopes.join(' ') });
        },
        () => reply(400, { error: 'invalid_request' }),
      );
      return;
    }
    reply(405, { error: 'method not allowed' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    realm: `http://127.0.0.1:${port}/token`,
    service: SERVICE,
    issuer: ISSUER,
    certFile,
    requests: () => seen.map((r) => ({ ...r, scopes: [...r.scopes] })),
    issued: () => [...issued],
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Everything asked for in a `repository:NAME:ACTIONS` scope. */
function grant(scope: string): { type: string; name: string; actions: string[] }[] {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last <= first) return [];
  return [{ type: scope.slice(0, first), name: scope.slice(first + 1, last), actions: scope.slice(last + 1).split(',') }];
}

function basicUser(header: string | undefined, opts: TokenServerOptions): string | undefined {
  if (header?.startsWith('Basic ') !== true) return undefined;
  const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
  return decoded === `${opts.user}:${opts.password}` ? opts.user : undefined;
}

function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > MAX_FORM) req.destroy(new Error('form too large'));
    });
    req.on('end', () => resolve(new URLSearchParams(text)));
    req.on('error', reject);
  });
}

function base64url(s: string): string {
  return Buffer.from(s).toString('base64url');
}
