import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, whether running from test/ or compiled build/test/. */
export const REPO = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (path.basename(dir) !== 'test') dir = path.dirname(dir);
  const parent = path.dirname(dir);
  return path.basename(parent) === 'build' ? path.dirname(parent) : parent;
})();

export const GOLDEN = path.resolve(REPO, '..', 'shared', 'golden');
export const CLOSURE_NIX = path.join(REPO, 'test', 'support', 'closure.nix');
/** The CLI compiled from src/ by the test build. */
export const CLI = path.join(REPO, 'build', 'src', 'cli.js');
/** The committed ncc bundle. */
export const DIST_CLI = path.join(REPO, 'dist', 'cli.js');
