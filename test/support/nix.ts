import { execFileSync } from 'node:child_process';

/** Builds an attribute of a Nix file into the local store; returns its path. */
export function nixBuild(file: string, attr: string, args: Record<string, string> = {}): string {
  // Everything here is built locally: asking a binary cache only waits on the network.
  const argv = [file, '-A', attr, '--no-out-link', '--option', 'sandbox', 'false', '--option', 'substitute', 'false', '--quiet'];
  for (const [k, v] of Object.entries(args)) argv.push('--argstr', k, v);
  return execFileSync('nix-build', argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export function closureOf(storePath: string): string[] {
  return execFileSync('nix-store', ['-qR', storePath], { encoding: 'utf8' }).trim().split('\n').sort();
}
