import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { orderByPopularity, packageName } from '../../src/plan/popularity.js';

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
