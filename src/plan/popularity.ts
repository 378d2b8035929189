/**
 * Orders store paths by "popularity" exactly as nixpkgs' referencesByPopularity
 * does. nixpkgs expands the reference graph into a tree from its roots and,
 * walking up, gives every node the count of its occurrences plus one for each
 * occurrence of each ancestor above it. Unrolled, that is:
 *
 *   popularity(q) = occ(q) + Σ occ(a) over every ancestor a of q
 *
 * where occ(x) is the number of root-to-x paths in the graph. Computing it
 * this way avoids materialising the tree, whose size can be exponential;
 * BigInt keeps the counts exact as Python's integers do.
 */
export interface PopularityResult {
  order: string[];
  popularity: Map<string, bigint>;
}

/** `references` maps every path of the closure to its direct references. */
export function orderByPopularity(references: ReadonlyMap<string, readonly string[]>): PopularityResult {
  const nodes = [...references.keys()].sort();
  const index = new Map(nodes.map((p, i) => [p, i]));
  const children: number[][] = nodes.map((p) =>
    (references.get(p) ?? []).filter((r) => r !== p && index.has(r)).map((r) => index.get(r) as number),
  );
  const indegree = new Array<number>(nodes.length).fill(0);
  for (const cs of children) for (const c of cs) indegree[c]! += 1;

  // Kahn's algorithm: parents before children, starting from the roots
  // (paths nothing else refers to), like nixpkgs' find_roots.
  const occ = new Array<bigint>(nodes.length).fill(0n);
  const words = Math.ceil(nodes.length / 32);
  const ancestors = nodes.map(() => new Uint32Array(words));
  const queue: number[] = [];
  const remaining = [...indegree];
  nodes.forEach((_, i) => {
    if (indegree[i] === 0) {
      occ[i] = 1n;
      queue.push(i);
    }
  });
  const visited: number[] = [];
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head] as number;
    visited.push(v);
    const av = ancestors[v] as Uint32Array;
    for (const c of children[v] as number[]) {
      occ[c]! += occ[v] as bigint;
      const ac = ancestors[c] as Uint32Array;
      for (let w = 0; w < words; w++) ac[w]! |= av[w] as number;
      ac[v >>> 5]! |= 1 << (v & 31);
      if (--remaining[c]! === 0) queue.push(c);
    }
  }

  const popularity = new Map<string, bigint>();
  for (const v of visited) {
    let pop = occ[v] as bigint;
    const av = ancestors[v] as Uint32Array;
    for (let w = 0; w < words; w++) {
      let bits = av[w] as number;
      while (bits !== 0) {
        const low = bits & -bits;
        pop += occ[w * 32 + 31 - Math.clz32(low)] as bigint;
        bits ^= low;
      }
    }
    popularity.set(nodes[v] as string, pop);
  }

  const ranked = [...popularity.keys()].sort((a, b) => {
    const pa = popularity.get(a) as bigint;
    const pb = popularity.get(b) as bigint;
    if (pa !== pb) return pa > pb ? -1 : 1;
    return compareStrings(packageName(a), packageName(b));
  });
  // Paths on a reference cycle have no root above them; Nix does not create
  // such cycles, but if one appears its paths go last rather than vanish.
  const unranked = nodes.filter((p) => !popularity.has(p));
  return { order: [...ranked, ...unranked], popularity };
}

/** nixpkgs' tie-break key: the name first, the hash part last. */
export function packageName(storePath: string): string {
  const parts = storePath.split('-');
  const first = parts.shift() as string;
  return [...parts, first].join('-');
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const IMAGE = '<image>';
const CONFIG = '<config>';
const CONTENTS = '<contents>';

/**
 * The popularity order of an image's store paths as nixpkgs computes it:
 * streamLayeredImage ranks the closure of one file that refers to the config
 * JSON (which refers to the config's store paths) and to the customisation
 * layer (which refers to every content). Those three nodes take part in the
 * counting and are then dropped, so contents that refer to one another, or
 * paths reached from both sides, rank exactly as they do in nixpkgs.
 */
export function imagePopularityOrder(
  references: ReadonlyMap<string, readonly string[]>,
  roots: { contents: readonly string[]; config: readonly string[] },
): string[] {
  const graph = new Map(references);
  graph.set(IMAGE, [CONFIG, CONTENTS]);
  graph.set(CONFIG, [...roots.config]);
  graph.set(CONTENTS, [...roots.contents]);
  return orderByPopularity(graph).order.filter((p) => p !== IMAGE && p !== CONFIG && p !== CONTENTS);
}
