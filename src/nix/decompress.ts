import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { UserError } from '../errors.js';

/**
 * The NAR compressions a binary cache may use, and the program that undoes
 * each where Node has no decoder. For xz, measured on a 94 MB NAR.xz: the
 * program 3.9 s on a core of its own, a WASM decoder (xz-decompress) 5.6 s
 * on this thread.
 */
const PROGRAMS: Record<string, string[] | undefined> = { xz: ['xz', '-dc'], bzip2: ['bzip2', '-dc'], zstd: ['zstd', '-dcq'] };

type ZstdZlib = { createZstdDecompress?: (options?: { chunkSize?: number }) => NodeJS.ReadWriteStream };

// Measured on a 335 MB NAR (124 MB zstd): Node's decoder took 1.0 s with
// its default 16 KiB chunks, 0.38 s with 1 MiB ones; the zstd program 0.26 s.
const ZSTD_CHUNK = 1 << 20;

/**
 * `source` decompressed as it streams: Node's own zstd where it has one,
 * else the program every runner has for it (xz, bzip2, zstd), which is
 * ended when the stream ends, fails, or is returned early by its reader.
 * `where` names the NAR in errors.
 */
export async function* decompressed(source: Readable, compression: string, where: string): AsyncGenerator<Buffer> {
  if (compression === 'none') {
    yield* source as AsyncIterable<Buffer>;
    return;
  }
  const zstd = (zlib as ZstdZlib).createZstdDecompress;
  if (compression === 'zstd' && zstd !== undefined) {
    const stream = zstd({ chunkSize: ZSTD_CHUNK });
    const feeding = pipeline(source, stream as unknown as NodeJS.WritableStream).then(() => undefined, (e: unknown) => (e instanceof Error ? e : new Error(String(e))));
    try {
      yield* stream as unknown as AsyncIterable<Buffer>;
    } catch (e) {
      const fed = await feeding;
      throw new UserError(`${where}: ${fed === undefined ? 'cannot decompress its zstd NAR' : 'cannot read its NAR'}: ${(fed ?? (e as Error)).message}`, { cause: e });
    }
    const fed = await feeding;
    if (fed !== undefined) throw new UserError(`${where}: cannot read its NAR: ${fed.message}`, { cause: fed });
    return;
  }
  const program = PROGRAMS[compression];
  if (program === undefined) throw new UserError(`${where}: its NAR is compressed with ${compression}, which this tool cannot read`);
  yield* throughProgram(source, program, where);
}

async function* throughProgram(source: Readable, program: string[], where: string): AsyncGenerator<Buffer> {
  const child = spawn(program[0] as string, program.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  // A program that cannot start sends 'error' and never 'exit': both end the wait.
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  const spawned = once(child, 'spawn').then(() => undefined, (e: unknown) => e);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-2000)));
  const feeding = pipeline(source, child.stdin).then(() => undefined, (e: unknown) => e as NodeJS.ErrnoException);
  let finished = false;
  try {
    const failedToStart = await spawned;
    if (failedToStart !== undefined) throw new UserError(`${where}: cannot run ${program[0] as string} to decompress its NAR: ${(failedToStart as Error).message}`);
    yield* child.stdout as AsyncIterable<Buffer>;
    const { code, signal } = await exited;
    const fed = await feeding;
    // What the download said comes first; an EPIPE only means the decoder quit, which its exit status says.
    if (fed !== undefined && fed.code !== 'EPIPE') throw new UserError(`${where}: cannot read its NAR: ${fed.message}`);
    if (code !== 0) throw new UserError(`${where}: ${program[0] as string} cannot decompress its NAR (${signal ?? `exit ${String(code)}`}): ${stderr.trim().split('\n')[0] ?? ''}`);
    finished = true;
  } finally {
    if (!finished) {
      source.destroy();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    }
  }
}

/**
 * `nar` passed through, checked as it streams against the narinfo's hash
 * and size: a NAR that differs fails before its last byte is used.
 */
export async function* verifiedNar(nar: AsyncIterable<Buffer>, expected: { narHash: string; narSize: number }, where: string): AsyncGenerator<Buffer> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of nar) {
    if (chunk.length === 0) continue;
    size += chunk.length;
    if (size > expected.narSize) throw new UserError(`${where}: its NAR is larger than the ${expected.narSize} bytes its narinfo gives`);
    hash.update(chunk);
    if (size === expected.narSize) {
      const got = hash.digest('hex');
      if (got !== expected.narHash) throw new UserError(`${where}: its NAR's SHA-256 is ${got}, not the ${expected.narHash} its narinfo gives`);
    }
    yield chunk;
  }
  if (size !== expected.narSize) throw new UserError(`${where}: its NAR has ${size} bytes, not the ${expected.narSize} its narinfo gives`);
}
