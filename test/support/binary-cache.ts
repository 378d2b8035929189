import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** A signing key pair as Nix makes it: `NAME:BASE64` each. */
export interface CacheKey {
  secretFile: string;
  publicKey: string;
}

export function makeCacheKey(dir: string, name: string): Promise<CacheKey> {
  const secretFile = path.join(dir, `${name}.sk`);
  const publicFile = path.join(dir, `${name}.pk`);
  execFileSync('nix-store', ['--generate-binary-cache-key', name, secretFile, publicFile], { stdio: 'pipe' });
  return readFile(publicFile, 'utf8').then((publicKey) => ({ secretFile, publicKey: publicKey.trim() }));
}

/** A file binary cache of the closures of `paths`, made by Nix itself (`nix copy`), signed with `key`. */
export function makeBinaryCache(dir: string, paths: readonly string[], opts: { compression: 'xz' | 'zstd' | 'bzip2' | 'none'; key: CacheKey }): string {
  const url = `file://${dir}?compression=${opts.compression}&secret-key=${opts.key.secretFile}`;
  execFileSync('nix', ['--extra-experimental-features', 'nix-command', 'copy', '--to', url, ...paths], { stdio: 'pipe' });
  return dir;
}

/** The narinfo file of a store path in a file binary cache. */
export function narInfoFile(cache: string, storePath: string): string {
  return path.join(cache, `${path.basename(storePath).slice(0, 32)}.narinfo`);
}
