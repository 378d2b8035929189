/**
 * A Nix binary cache over HTTP on 127.0.0.1, for tests: serves a folder
 * that `nix copy --to file://…` made, counts the requests and bytes sent
 * per file, and on demand asks for Basic auth, fails requests, or cuts a
 * file short.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface NarServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** Bytes sent, by file (the path after the server's root, such as `nar/….nar.xz`). */
  sent: Map<string, number>;
  /** Requests answered, by file. */
  requests: Map<string, number>;
  /** Bytes of NARs sent, in all. */
  narBytes(): number;
  /** The next `times` requests whose file matches `match` get `status` (or are cut off after `cutAfter` bytes of a 200). */
  fail(rule: { match: RegExp; status?: number; times?: number; cutAfter?: number }): void;
  /** Forgets counts and failures. */
  reset(): void;
  close(): Promise<void>;
}

export async function startNarServer(dir: string, opts: { basicAuth?: { login: string; password: string } } = {}): Promise<NarServer> {
  const sent = new Map<string, number>();
  const requests = new Map<string, number>();
  let rules: { match: RegExp; status?: number; times: number; cutAfter?: number }[] = [];
  const server = http.createServer((req, res) => {
    const file = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '');
    requests.set(file, (requests.get(file) ?? 0) + 1);
    const expected = opts.basicAuth === undefined ? undefined : `Basic ${Buffer.from(`${opts.basicAuth.login}:${opts.basicAuth.password}`).toString('base64')}`;
    if (expected !== undefined && req.headers.authorization !== expected) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="cache"' }).end();
      return;
    }
    const rule = rules.find((r) => r.times > 0 && r.match.test(file));
    if (rule !== undefined) rule.times--;
    if (rule?.status !== undefined) {
      res.writeHead(rule.status).end();
      return;
    }
    const full = path.join(dir, file);
    if (!full.startsWith(`${dir}${path.sep}`)) return void res.writeHead(403).end();
    stat(full).then(
      (st) => {
        if (!st.isFile()) return void res.writeHead(404).end();
        res.writeHead(200, { 'content-length': st.size });
        const stream = createReadStream(full, rule?.cutAfter === undefined ? {} : { end: rule.cutAfter - 1 });
        stream.on('data', (chunk) => sent.set(file, (sent.get(file) ?? 0) + chunk.length));
        stream.on('end', () => (rule?.cutAfter === undefined ? res.end() : res.destroy()));
        stream.on('error', () => res.destroy());
        stream.pipe(res, { end: false });
      },
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    sent,
    requests,
    narBytes: () => [...sent].filter(([f]) => f.startsWith('nar/')).reduce((n, [, b]) => n + b, 0),
    fail: (rule) => rules.push({ ...rule, times: rule.times ?? Infinity }),
    reset: () => {
      sent.clear();
      requests.clear();
      rules = [];
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
