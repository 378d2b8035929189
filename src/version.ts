import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { errnoCode } from './errors.js';

/** package.json's version: of the checkout, or of the installed package (dist/ has a package.json too, nameless). */
export function version(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const pkg = readPackage(path.join(dir, 'package.json'));
    if (pkg?.name === 'layered-image' && typeof pkg.version === 'string') return pkg.version;
    if (path.dirname(dir) === dir) throw new Error(`no package.json of layered-image above ${fileURLToPath(import.meta.url)}`);
  }
}

function readPackage(file: string): { name?: unknown; version?: unknown } | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return undefined;
    throw e;
  }
}
