import { HttpClient } from '@actions/http-client';
import type { RequestHandler } from '@actions/http-client/lib/interfaces';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, RequestOptions } from 'node:http';
import { Readable } from 'node:stream';
import { errnoCode } from '../errors.js';

/** A request body that can be sent again: every send opens a fresh stream. */
export interface Body {
  length: number;
  open(): Readable;
}

export function bufferBody(bytes: Buffer): Body {
  return { length: bytes.length, open: () => Readable.from([bytes]) };
}

export interface HttpRequest {
  method: string;
  url: URL;
  headers: OutgoingHttpHeaders;
  body?: Body | undefined;
  /** Longest silence, waiting for the answer or between its bytes. */
  timeoutMs: number;
  /** Bytes of the answer to keep; the rest is dropped and `truncated` set. */
  maxBody: number;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  truncated: boolean;
}

/** The connection failed (`ECONNREFUSED`, `ETIMEDOUT`, a TLS code, …); carries no URL or header. */
export class NetworkError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

const USER_AGENT = 'layered-image';
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** Lets each request be aborted, which http-client offers no other way to do. */
class AbortWith implements RequestHandler {
  constructor(private readonly signal: AbortSignal) {}
  prepareRequest(options: RequestOptions): void {
    options.signal = this.signal;
  }
  canHandleAuthentication(): boolean {
    return false;
  }
  handleAuthentication(): never {
    throw new Error('not an authentication handler');
  }
}

/**
 * One HTTP exchange through @actions/http-client (so HTTPS_PROXY and
 * NO_PROXY apply), with redirects and retries left to the caller, the body
 * streamed with an explicit Content-Length, and the answer read in full.
 */
export async function send(req: HttpRequest): Promise<HttpResponse> {
  const controller = new AbortController();
  let failure: Error | undefined;
  const abort = (e: Error) => {
    failure ??= e;
    controller.abort();
  };
  const client = new HttpClient(USER_AGENT, [new AbortWith(controller.signal)], {
    allowRedirects: false,
    allowRetries: false,
    keepAlive: false,
    socketTimeout: req.timeoutMs,
  });
  const headers: OutgoingHttpHeaders = { ...req.headers };
  if (req.body !== undefined || BODY_METHODS.has(req.method)) headers['content-length'] = req.body?.length ?? 0;
  const stream = req.body?.open();
  stream?.on('error', (e) => abort(e));
  try {
    const res = await client.request(req.method, req.url.href, stream ?? null, headers);
    const { body, truncated } = await readAll(res.message, req, abort);
    return { status: res.message.statusCode ?? 0, headers: res.message.headers, body, truncated };
  } catch (e) {
    controller.abort();
    if (failure !== undefined) throw failure;
    throw asNetworkError(e);
  } finally {
    stream?.destroy();
    client.dispose();
  }
}

function readAll(message: IncomingMessage, req: HttpRequest, abort: (e: Error) => void): Promise<{ body: Buffer; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (truncated: boolean) => {
      settled = true;
      clearTimeout(timer);
      resolve({ body: Buffer.concat(chunks), truncated });
    };
    const fail = (e: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(e instanceof Error ? e : new NetworkError('ECONNRESET'));
    };
    const onIdle = () => {
      abort(new NetworkError('ETIMEDOUT'));
      fail(new NetworkError('ETIMEDOUT'));
    };
    let timer = setTimeout(onIdle, req.timeoutMs);
    message.on('data', (chunk: Buffer) => {
      if (settled) return;
      clearTimeout(timer);
      timer = setTimeout(onIdle, req.timeoutMs);
      if (size + chunk.length > req.maxBody) {
        chunks.push(chunk.subarray(0, req.maxBody - size));
        finish(true);
        message.destroy();
        return;
      }
      chunks.push(chunk);
      size += chunk.length;
    });
    message.on('end', () => {
      if (!settled) finish(false);
    });
    message.on('error', fail);
    message.on('close', () => {
      if (!settled && !message.complete) fail(new NetworkError('ECONNRESET'));
    });
  });
}

// Codes of programming mistakes (a bad header value, …) stay what they are.
const BUG_CODE = /^ERR_(?!TLS_|SSL_)/;

/** Strips a failed request down to its code: Node's messages may carry the URL. */
export function asNetworkError(e: unknown): Error {
  if (e instanceof NetworkError) return e;
  if (!(e instanceof Error)) return new NetworkError('unknown error');
  // http-client reports its socket timeout as a plain Error naming the path.
  if (e.message.startsWith('Request timeout')) return new NetworkError('ETIMEDOUT');
  if (e.message === 'socket hang up') return new NetworkError('ECONNRESET');
  const code = errnoCode(e);
  if (code === undefined || BUG_CODE.test(code)) return e;
  return new NetworkError(code);
}
