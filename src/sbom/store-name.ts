/**
 * A store path's name as a package: Nix's own split of a derivation name
 * (builtins.parseDrvName: the version starts after the first dash that is
 * followed by something other than a letter), and the output a
 * multiple-output derivation appends to all but `out` (`-bin`, `-lib`, …).
 */
export interface StoreName {
  /** The hash part of the path: 32 characters of Nix's base32. */
  hash: string;
  name: string;
  /** Empty when the name has none (`source`, a config file, a script). */
  version: string;
  /** Undefined for `out`, whose name Nix leaves bare. */
  output: string | undefined;
}

/**
 * Output names nixpkgs gives multiple-output packages, found at the end of a
 * version; `out` is never appended. Only after a version: a bare name such as
 * `foo-bin` may be a package's own.
 */
const OUTPUTS = new Set(['bin', 'dev', 'devdoc', 'doc', 'info', 'lib', 'man', 'static', 'debug', 'modules', 'terminfo', 'lib64', 'examples', 'locales', 'python', 'udev']);

export function storeName(storePath: string): StoreName {
  const base = storePath.slice(storePath.lastIndexOf('/') + 1);
  const hash = base.slice(0, 32);
  const full = base.slice(33);
  const { name, version } = parseDrvName(full);
  const dash = version.lastIndexOf('-');
  const tail = dash < 0 ? '' : version.slice(dash + 1);
  if (dash > 0 && OUTPUTS.has(tail)) return { hash, name, version: version.slice(0, dash), output: tail };
  return { hash, name, version, output: undefined };
}

/** Name and version as builtins.parseDrvName splits them. */
export function parseDrvName(full: string): { name: string; version: string } {
  for (let i = 0; i + 1 < full.length; i++) {
    if (full[i] === '-' && !/[A-Za-z]/.test(full[i + 1] as string)) return { name: full.slice(0, i), version: full.slice(i + 1) };
  }
  return { name: full, version: '' };
}
