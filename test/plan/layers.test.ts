import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError } from '../../src/errors.js';
import { planLayers } from '../../src/plan/layers.js';

const paths = (n: number) => Array.from({ length: n }, (_, i) => `/nix/store/p${String(i).padStart(3, '0')}`);

describe('grouping into maxLayers', () => {
  const N = 10; // total layers including the customisation layer

  it('N-2 paths: one layer each', () => {
    assert.deepEqual(planLayers(paths(N - 2), N), paths(N - 2).map((p) => [p]));
  });

  it('N-1 paths: still one layer each, filling every store slot', () => {
    const plan = planLayers(paths(N - 1), N);
    assert.equal(plan.length, N - 1);
    assert.ok(plan.every((l) => l.length === 1));
  });

  it('N paths: the last store layer holds the two least popular', () => {
    const plan = planLayers(paths(N), N);
    assert.equal(plan.length, N - 1);
    assert.deepEqual(plan[N - 2], paths(N).slice(N - 2));
    assert.ok(plan.slice(0, N - 2).every((l) => l.length === 1));
  });

  it('N+1 paths: the last store layer holds three, sorted whatever their rank', () => {
    const ranked = paths(N + 1).reverse();
    const plan = planLayers(ranked, N);
    assert.equal(plan.length, N - 1);
    assert.deepEqual(plan[N - 2], [...ranked.slice(N - 2)].sort());
    assert.deepEqual(plan.flat().sort(), [...ranked].sort());
  });

  it('maxLayers 2: every path in one store layer', () => {
    assert.deepEqual(planLayers(paths(3), 2), [paths(3)]);
  });

  it('maxLayers below 2 is an error', () => {
    assert.throws(() => planLayers(paths(3), 1), UserError);
    assert.throws(() => planLayers(paths(3), 0), UserError);
  });
});
