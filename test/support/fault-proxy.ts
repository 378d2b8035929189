/**
 * A plain HTTP reverse proxy on 127.0.0.1 in front of a test registry that
 * injects faults: answers with a status, redirects, or drops the connection
 * part way through a request body. Host and Location headers are rewritten
 * so the client only ever sees the proxy.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  /** Answer with this status (and Retry-After seconds, and a body of this media type), not forwarding the request. */
  | { status: number; retryAfter?: number; body?: { type: string; text: string } }
  /** Forward part of the request body, then destroy both connections. */
  | { reset: 'mid-body' }
  /** Answer 307 to `redirect` + the request path (e.g. another server standing in for blob storage). */
  | { redirect: string }
  /** Read the request and never answer. */
  | { stall: true };

export type FaultRule = Fault & {
  method?: string;
  /** Matched against the path and query. */
  path: RegExp;
  /** How often the rule fires; default once, `Infinity` for always. */
  times?: number;
};

export interface SeenRequest {
  method: string;
  url: string;
  /** The injected fault, or undefined when forwarded untouched. */
  fault: string | undefined;
  /** What the client got; undefined when the connection was dropped. */
  status: number | undefined;
}

export interface FaultProxy {
  /** `127.0.0.1:PORT`, to use as the registry. */
  host: string;
  /** Replaces the rules. */
  setRules(rules: FaultRule[]): void;
  seen(): SeenRequest[];
  clearSeen(): void;
  stop(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  let rules: { rule: FaultRule; left: number }[] = [];
  let seen: SeenRequest[] = [];
  let self = '';

  const take = (req: http.IncomingMessage) => {
    const hit = rules.find(({ rule, left }) => left > 0 && (rule.method === undefined || rule.method === req.method) && rule.path.test(req.url ?? ''));
    if (hit !== undefined) hit.left--;
    return hit?.rule;
  };

  const server = http.createServer((req, res) => {
    const record: SeenRequest = { method: req.method ?? '', url: req.url ?? '', fault: undefined, status: undefined };
    seen.push(record);
    const rule = take(req);
    if (rule !== undefined && 'status' in rule) {
      record.fault = `status ${rule.status}`;
      record.status = rule.status;
      req.resume();
      res.writeHead(rule.status, { 'content-type': rule.body?.type ?? 'application/json', ...(rule.retryAfter === undefined ? {} : { 'retry-after': String(rule.retryAfter) }) });
      res.end(rule.body?.text ?? JSON.stringify({ errors: [{ code: 'INJECTED', message: `injected ${rule.status}` }] }));
      return;
    }
    if (rule !== undefined && 'stall' in rule) {
      record.fault = 'stall';
      req.resume();
      return;
    }
    if (rule !== undefined && 'redirect' in rule) {
      record.fault = 'redirect';
      record.status = 307;
      req.resume();
      res.writeHead(307, { location: `${rule.redirect}${req.url ?? ''}` });
      res.end();
      return;
    }

    const headers = { ...req.headers, host: target };
    const upstream = http.request({ host: '127.0.0.1', port: Number(target.split(':')[1]), method: req.method, path: req.url, headers }, (up) => {
      record.status = up.statusCode;
      const out = { ...up.headers };
      if (typeof out.location === 'string') out.location = out.location.replace(`//${target}/`, `//${self}/`);
      res.writeHead(up.statusCode ?? 502, out);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());

    if (rule !== undefined) {
      record.fault = 'reset mid-body';
      const length = Number(req.headers['content-length'] ?? 0);
      let forwarded = 0;
      req.on('data', (chunk: Buffer) => {
        const room = Math.max(1, Math.floor(length / 2)) - forwarded;
        if (room > 0) {
          upstream.write(chunk.subarray(0, room));
          forwarded += Math.min(room, chunk.length);
        }
        if (forwarded >= Math.max(1, Math.floor(length / 2))) {
          upstream.destroy();
          req.socket.destroy();
        }
      });
      return;
    }
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  self = `127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    host: self,
    setRules(next) {
      rules = next.map((rule) => ({ rule, left: rule.times ?? 1 }));
    },
    seen: () => seen.map((r) => ({ ...r })),
    clearSeen() {
      seen = [];
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
