import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { imagePopularityOrder, orderByPopularity, packageName } from '../../src/plan/popularity.js';

const graph = (edges: Record<string, string[]>) => new Map(Object.entries(edges));

describe('popularity order (nixpkgs referencesByPopularity)', () => {
  it('orders the worked example of closure-graph.py as F E D C B G A', () => {
    // A - B - C - D - F, B - E, C - E, E - F, A - G
    const { order, popularity } = orderByPopularity(
      graph({ A: ['B', 'G'], B: ['C', 'E'], C: ['D', 'E'], D: ['F'], E: ['F'], F: [], G: [] }),
    );
    assert.deepEqual(order, ['F', 'E', 'D', 'C', 'B', 'G', 'A']);
    assert.deepEqual(Object.fromEntries(popularity), { A: 1n, B: 2n, C: 3n, D: 4n, E: 5n, F: 9n, G: 2n });
  });

  it('counts like nixpkgs: foo→bar→baz→tux, foo→baz gives 1, 2, 4, 6', () => {
    const { popularity } = orderByPopularity(
      graph({ '/s/foo': ['/s/bar', '/s/baz', '/s/foo'], '/s/bar': ['/s/baz'], '/s/baz': ['/s/tux'], '/s/tux': ['/s/tux'] }),
    );
    assert.deepEqual(Object.fromEntries(popularity), { '/s/foo': 1n, '/s/bar': 2n, '/s/baz': 4n, '/s/tux': 6n });
  });

  it('breaks ties by package name, then hash, not by the hash first', () => {
    const a = '/nix/store/zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz-alpha';
    const b = '/nix/store/00000000000000000000000000000000-beta';
    const { order } = orderByPopularity(graph({ [b]: [], [a]: [] }));
    assert.deepEqual(order, [a, b]);
    assert.equal(packageName('/nix/store/abc-hello-2.1'), 'hello-2.1-/nix/store/abc');
  });

  it('keeps exact counts where they outgrow floating point', () => {
    // A ladder of 80 diamonds doubles the number of tree paths at each rung.
    const edges: Record<string, string[]> = {};
    for (let i = 0; i < 80; i++) edges[`n${i}`] = [`l${i}`, `r${i}`];
    for (let i = 0; i < 80; i++) edges[`l${i}`] = edges[`r${i}`] = [`n${i + 1}`];
    edges['n80'] = [];
    const { order, popularity } = orderByPopularity(graph(edges));
    assert.equal(order[0], 'n80');
    assert.ok((popularity.get('n80') as bigint) > 2n ** 80n);
  });

  it('puts paths of a reference cycle last instead of losing them', () => {
    const { order } = orderByPopularity(graph({ a: ['b'], b: [], x: ['y'], y: ['x'] }));
    assert.deepEqual(order, ['b', 'a', 'x', 'y']);
  });
});

/**
 * closure-graph.py's algorithm taken literally: expand the graph into a tree
 * from its roots, then count bottom-up, each level adding its own occurrence
 * and one per occurrence below. Exponential, so only for small graphs; an
 * independent check of the closed form the module uses.
 */
function treeContest(graph: Map<string, string[]>, roots: string[]): Map<string, bigint> {
  const contest = (children: string[]): Map<string, bigint> => {
    const pop = new Map<string, bigint>();
    for (const c of children) {
      pop.set(c, (pop.get(c) ?? 0n) + 1n);
      for (const [q, v] of contest(graph.get(c) ?? [])) pop.set(q, (pop.get(q) ?? 0n) + v + 1n);
    }
    return pop;
  };
  return contest(roots);
}

function rankLikeNixpkgs(pop: Map<string, bigint>): string[] {
  return [...pop.keys()].sort((a, b) => {
    const d = (pop.get(b) as bigint) - (pop.get(a) as bigint);
    if (d !== 0n) return d > 0n ? 1 : -1;
    return packageName(a) < packageName(b) ? -1 : packageName(a) > packageName(b) ? 1 : 0;
  });
}

/** A small random DAG (edges only from lower to higher index), seeded. */
function randomDag(seed: number, n: number): Map<string, string[]> {
  let x = seed;
  const rand = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
  const names = Array.from({ length: n }, (_, i) => `/nix/store/${String(i).padStart(32, 'a').slice(-32)}-p${Math.floor(rand() * 4)}`);
  return new Map(names.map((p, i) => [p, names.slice(i + 1).filter(() => rand() < 0.3)]));
}

describe('popularity agrees with the tree expansion of closure-graph.py', () => {
  it('on 300 random DAGs', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const graph = randomDag(seed, 3 + (seed % 9));
      const referenced = new Set([...graph.values()].flat());
      const roots = [...graph.keys()].filter((p) => !referenced.has(p));
      const { order, popularity } = orderByPopularity(graph);
      const expected = treeContest(graph, roots);
      assert.deepEqual(Object.fromEntries(popularity), Object.fromEntries(expected), `seed ${seed}`);
      assert.deepEqual(order, rankLikeNixpkgs(expected), `seed ${seed}`);
    }
  });

  it('for images, counts through the config and customisation nodes nixpkgs adds', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const graph = randomDag(seed, 4 + (seed % 8));
      const paths = [...graph.keys()];
      // Contents and config roots may overlap and may refer to each other.
      const contents = paths.filter((_, i) => (seed >> i) % 3 === 0);
      const config = paths.filter((_, i) => (seed >> i) % 5 === 1);
      if (contents.length + config.length === 0) continue;
      const reachable = new Set<string>();
      const visit = (p: string) => {
        if (reachable.has(p)) return;
        reachable.add(p);
        for (const r of graph.get(p) ?? []) visit(r);
      };
      [...contents, ...config].forEach(visit);
      const closure = new Map([...graph].filter(([p]) => reachable.has(p)));
      const withImage = new Map(closure);
      withImage.set('R', ['B', 'C']);
      withImage.set('B', config);
      withImage.set('C', contents);
      const expected = rankLikeNixpkgs(treeContest(withImage, ['R'])).filter((p) => !['R', 'B', 'C'].includes(p));
      assert.deepEqual(imagePopularityOrder(closure, { contents, config }), expected, `seed ${seed}`);
    }
  });

  it('a content another content refers to counts twice, as in nixpkgs', () => {
    const graph = new Map([
      ['/nix/store/a-app', ['/nix/store/l-lib']],
      ['/nix/store/l-lib', []],
      ['/nix/store/t-tool', []],
    ]);
    // lib: once under <contents>, once under app; tool: only in the config.
    const order = imagePopularityOrder(graph, { contents: ['/nix/store/a-app', '/nix/store/l-lib'], config: ['/nix/store/t-tool'] });
    assert.deepEqual(order, ['/nix/store/l-lib', '/nix/store/a-app', '/nix/store/t-tool']);
  });
});
