/**
 * A binary cache served over HTTP on 127.0.0.1 with a network model, for
 * the benchmark: every request waits `latencyMs` before its answer, and
 * every answer's bytes share one link of `bytesPerSecond`, as a runner's
 * download from a cache does. Run as its own process (so that serving
 * never shares the measured process's event loop):
 *
 *   node build/bench/cache-server.js DIR BYTES_PER_SECOND LATENCY_MS
 *
 * It prints `listening PORT`. `GET /_stats` gives the bytes and requests
 * served since `POST /_reset`, in all and of NAR files.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

interface Stats {
  requests: number;
  bytes: number;
  narRequests: number;
  narBytes: number;
}

function serve(dir: string, bytesPerSecond: number, latencyMs: number): http.Server {
  let stats: Stats = { requests: 0, bytes: 0, narRequests: 0, narBytes: 0 };
  // When the shared link is next free, in ms on the performance clock.
  let linkFree = 0;
  const send = async (res: http.ServerResponse, file: string, isNar: boolean): Promise<void> => {
    for await (const chunk of createReadStream(file, { highWaterMark: 256 << 10 }) as AsyncIterable<Buffer>) {
      const now = performance.now();
      linkFree = Math.max(now, linkFree) + (chunk.length * 1000) / bytesPerSecond;
      // Sleep only when well ahead: timers are not finer than a millisecond.
      if (linkFree - now > 4) await sleep(linkFree - now);
      stats.bytes += chunk.length;
      if (isNar) stats.narBytes += chunk.length;
      if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  };
  return http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/_stats') return void res.end(JSON.stringify(stats));
    if (url.pathname === '/_reset') {
      stats = { requests: 0, bytes: 0, narRequests: 0, narBytes: 0 };
      return void res.end('{}');
    }
    const rel = decodeURIComponent(url.pathname).replace(/^\/+/, '');
    const file = path.join(dir, rel);
    const isNar = rel.startsWith('nar/');
    stats.requests++;
    if (isNar) stats.narRequests++;
    void (async () => {
      await sleep(latencyMs);
      const st = await stat(file).catch(() => undefined);
      if (!file.startsWith(`${dir}${path.sep}`) || st === undefined || !st.isFile()) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-length': st.size });
      await send(res, file, isNar);
    })().catch(() => res.destroy());
  });
}

const [dir, rate, latency] = process.argv.slice(2);
if (dir === undefined || rate === undefined || latency === undefined) {
  process.stderr.write('usage: cache-server DIR BYTES_PER_SECOND LATENCY_MS\n');
  process.exit(2);
}
const server = serve(path.resolve(dir), Number(rate), Number(latency));
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
