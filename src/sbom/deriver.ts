import { readFile } from 'node:fs/promises';

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
  const text = await readFile(drvPath, 'utf8').catch(() => undefined);
  if (text === undefined || text.length > MAX_DRV_BYTES || !text.startsWith('Derive(')) return undefined;
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

/** What a store path's deriver says of its package: pname and version, and the URLs its `src` was fetched from. */
export async function derivedFacts(deriver: string): Promise<{ name?: string; version?: string; urls?: string[] } | undefined> {
  const drv = await readDerivation(deriver);
  if (drv === undefined) return undefined;
  const name = drv.env.get('pname');
  const version = drv.env.get('version');
  const src = drv.env.get('src');
  let urls: string[] | undefined;
  if (src !== undefined) {
    for (const input of drv.inputDrvs) {
      const fetched = await readDerivation(input);
      if (fetched === undefined || ![...fetched.outputs.values()].includes(src)) continue;
      const found = (fetched.env.get('urls') ?? fetched.env.get('url') ?? '').split(/\s+/).filter((u) => /^[a-z][a-z0-9+.-]*:\/\//i.test(u));
      if (found.length > 0) urls = found;
      break;
    }
  }
  // A version without the name it goes with would pair it with the path's name.
  if (name === undefined || version === undefined) return urls === undefined ? undefined : { urls };
  return { name, version, ...(urls === undefined ? {} : { urls }) };
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
