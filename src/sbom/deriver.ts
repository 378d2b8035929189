import { readFile, stat } from 'node:fs/promises';

type Term = string | Term[];

/** A derivation as its store file (Nix's ATerm form) gives it: outputs, input derivations and environment. */
export interface Derivation {
  outputs: Map<string, string>;
  inputDrvs: string[];
  env: Map<string, string>;
}

/** Derivations are a few kilobytes; a bound keeps a strange file from filling memory. */
const MAX_DRV_BYTES = 4 << 20;

/**
 * Reads `Derive([outputs],[inputDrvs],[inputSrcs],system,builder,[args],[env])`.
 * Undefined for a file that is missing, too large or not of that form: a
 * deriver only adds to what the store path's name says.
 */
export async function readDerivation(drvPath: string): Promise<Derivation | undefined> {
  const st = await stat(drvPath).catch(() => undefined);
  if (st === undefined || !st.isFile() || st.size > MAX_DRV_BYTES) return undefined;
  const text = await readFile(drvPath, 'utf8').catch(() => undefined);
  if (text === undefined || !text.startsWith('Derive(')) return undefined;
  try {
    const [outputs, inputDrvs, , , , , env] = new ATermReader(text.slice('Derive'.length)).term() as Term[][];
    const pairs = (list: Term[] | undefined) => (list ?? []).filter(Array.isArray) as Term[][];
    return {
      outputs: new Map(pairs(outputs).map((o) => [String(o[0]), String(o[1])])),
      inputDrvs: pairs(inputDrvs).map((d) => String(d[0])),
      env: new Map(pairs(env).map((e) => [String(e[0]), String(e[1])])),
    };
  } catch {
    return undefined;
  }
}

/** What a deriver says of the package a store path is. */
export interface DerivedFacts {
  name?: string;
  version?: string;
  /** Where its `src` was fetched from, any credentials taken out. */
  urls?: string[];
  /** The output of the derivation the path is. */
  output?: string;
}

/** Derivations read once per document: inputs such as stdenv are shared by most paths. */
export type DrvReads = Map<string, Promise<Derivation | undefined>>;

function readOnce(reads: DrvReads, drvPath: string): Promise<Derivation | undefined> {
  let read = reads.get(drvPath);
  if (read === undefined) {
    read = readDerivation(drvPath);
    reads.set(drvPath, read);
  }
  return read;
}

/** What `path`'s deriver says of it: pname and version, the URLs its `src` was fetched from, and which output it is. */
export async function derivedFacts(deriver: string, path?: string, reads: DrvReads = new Map()): Promise<DerivedFacts | undefined> {
  const drv = await readOnce(reads, deriver);
  if (drv === undefined) return undefined;
  const output = [...drv.outputs].find(([, p]) => p === path)?.[0];
  const urls = await sourceUrls(drv, reads);
  const name = drv.env.get('pname');
  const version = drv.env.get('version');
  const facts: DerivedFacts = {
    // A version without the name it goes with would pair it with the path's name.
    ...(name === undefined || version === undefined ? {} : { name, version }),
    ...(urls === undefined ? {} : { urls }),
    ...(output === undefined ? {} : { output }),
  };
  return Object.keys(facts).length === 0 ? undefined : facts;
}

/** The URLs of the input derivation that made `src`, if one did; a `user:password@` in one is taken out. */
async function sourceUrls(drv: Derivation, reads: DrvReads): Promise<string[] | undefined> {
  const src = drv.env.get('src');
  if (src === undefined) return undefined;
  for (const input of drv.inputDrvs) {
    const fetched = await readOnce(reads, input);
    if (fetched === undefined || ![...fetched.outputs.values()].includes(src)) continue;
    const found = (fetched.env.get('urls') ?? fetched.env.get('url') ?? '').split(/\s+/).filter((u) => /^[a-z][a-z0-9+.-]*:\/\//i.test(u));
    return found.length === 0 ? undefined : found.map((u) => u.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1'));
  }
  return undefined;
}

/** Lists `[…]`, tuples `(…)` (both as arrays) and strings with `\` escapes. */
class ATermReader {
  private at = 0;

  constructor(private readonly s: string) {}

  term(): Term {
    const c = this.s[this.at];
    if (c === '"') return this.string();
    if (c === '[' || c === '(') return this.list(c === '[' ? ']' : ')');
    throw new Error(`unexpected ${c ?? 'end'} at ${this.at}`);
  }

  private list(close: string): Term[] {
    this.at++;
    const items: Term[] = [];
    while (this.s[this.at] !== close) {
      if (this.at >= this.s.length) throw new Error('unterminated list');
      items.push(this.term());
      if (this.s[this.at] === ',') this.at++;
    }
    this.at++;
    return items;
  }

  private string(): string {
    let out = '';
    for (this.at++; this.s[this.at] !== '"'; this.at++) {
      if (this.at >= this.s.length) throw new Error('unterminated string');
      let c = this.s[this.at] as string;
      if (c === '\\') {
        c = this.s[++this.at] ?? '';
        c = c === 'n' ? '\n' : c === 't' ? '\t' : c === 'r' ? '\r' : c;
      }
      out += c;
    }
    this.at++;
    return out;
  }
}
