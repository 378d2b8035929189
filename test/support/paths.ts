import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, whether running from test/ or compiled build/test/. */
export const REPO = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (path.basename(dir) !== 'test') dir = path.dirname(dir);
  const parent = path.dirname(dir);
  return path.basename(parent) === 'build' ? path.dirname(parent) : parent;
})();

/**
 * The golden layers: `../shared/golden` beside the checkout, the team's
 * reference, where there is one; otherwise the copy committed in
 * test/golden, so that a lone clone tests the same (test/layer checks the
 * two agree wherever both are there).
 */
export const SHARED_GOLDEN = path.resolve(REPO, '..', 'shared', 'golden');
export const COMMITTED_GOLDEN = path.join(REPO, 'test', 'golden');
export const GOLDEN = existsSync(path.join(SHARED_GOLDEN, 'expected.json')) ? SHARED_GOLDEN : COMMITTED_GOLDEN;
export const CLOSURE_NIX = path.join(REPO, 'test', 'support', 'closure.nix');
/** The CLI compiled from src/ by the test build. */
export const CLI = path.join(REPO, 'build', 'src', 'cli.js');
/** The committed ncc bundle. */
export const DIST_CLI = path.join(REPO, 'dist', 'cli.js');
