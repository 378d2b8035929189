import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError } from '../../src/errors.js';
import { parseHints } from '../../src/plan/hints.js';
import { planStoreLayers, type Layering, type PlanInput } from '../../src/plan/layers.js';

const sp = (name: string) => `/nix/store/${'a'.repeat(32)}-${name}`;
const leaves = (n: number) => Array.from({ length: n }, (_, i) => sp(`p${String(i).padStart(3, '0')}`));

/** A root (the app) referring to `n` leaves: leaves rank by name, the root last. */
function star(n: number, layers: number, layering: Layering = 'popularity'): PlanInput {
  const root = sp('zapp');
  const refs = new Map<string, string[]>([[root, leaves(n)], ...leaves(n).map((p): [string, string[]] => [p, []])]);
  return { references: refs, sizes: new Map([...refs.keys()].map((p) => [p, 1000])), roots: { contents: [root], config: [] }, layers, layering, groupPopular: 0, hints: [] };
}

function covers(plan: { paths: string[]; why: string }[], input: PlanInput): void {
  const all = plan.flatMap((l) => l.paths).sort();
  assert.deepEqual(all, [...input.references.keys()].filter((p) => !input.exclude?.has(p)).sort());
  assert.ok(plan.length <= Math.max(1, input.layers), `${plan.length} layers for ${input.layers} slots`);
  assert.ok(plan.every((l) => l.paths.length > 0 && l.why !== ''));
}

describe('popularity layering (nixpkgs buildLayeredImage)', () => {
  const N = 10; // store layers

  it('as many paths as layers: one layer each, in popularity order', () => {
    const input = star(N - 1, N);
    const plan = planStoreLayers(input);
    assert.deepEqual(plan.map((l) => l.paths), [...leaves(N - 1), sp('zapp')].map((p) => [p]));
    assert.equal(plan[0]?.why, 'popularity rank 1');
  });

  it('one path more than layers: the last layer holds the two least popular', () => {
    const plan = planStoreLayers(star(N, N));
    assert.equal(plan.length, N);
    assert.deepEqual(plan[N - 1]?.paths, [leaves(N)[N - 1], sp('zapp')]);
    assert.match(plan[N - 1]?.why ?? '', /the 2 least popular paths/);
  });

  it('the overflow layer lists its paths sorted, whatever their rank', () => {
    const plan = planStoreLayers(star(N + 5, N));
    const last = plan[N - 1]?.paths ?? [];
    assert.deepEqual(last, [...last].sort());
    covers(plan, star(N + 5, N));
  });

  it('one store layer: every path in it', () => {
    const plan = planStoreLayers(star(5, 1));
    assert.equal(plan.length, 1);
    covers(plan, star(5, 1));
  });
});

describe('size layering', () => {
  /**
   * An app on a big library (big) that uses a small one (small), a big
   * leaf (data) and a few small leaves only the app uses.
   */
  function app(layers: number): PlanInput {
    const [appPath, big, small, data, tiny1, tiny2, libc] = ['app', 'big', 'small', 'data', 'tiny1', 'tiny2', 'libc'].map(sp);
    const refs = new Map<string, string[]>([
      [sp('app'), [sp('big'), sp('data'), sp('tiny1'), sp('tiny2')]],
      [sp('big'), [sp('small'), sp('libc')]],
      [sp('small'), [sp('libc')]],
      [sp('data'), []],
      [sp('tiny1'), [sp('libc')]],
      [sp('tiny2'), []],
      [sp('libc'), []],
    ]);
    const sizes = new Map<string | undefined, number>([[appPath, 5], [big, 500], [small, 3], [data, 300], [tiny1, 2], [tiny2, 1], [libc, 50]]);
    return { references: refs, sizes: sizes as Map<string, number>, roots: { contents: [sp('app')], config: [] }, layers, layering: 'size', groupPopular: 0, hints: [] };
  }

  it('with layers enough, it is the popularity plan', () => {
    assert.deepEqual(planStoreLayers(app(7)), planStoreLayers({ ...app(7), layering: 'popularity' }));
  });

  it('puts the app alone on top, the largest paths in layers of their own, small ones with a large path that uses them', () => {
    const plan = planStoreLayers(app(4));
    covers(plan, app(4));
    assert.deepEqual(plan[plan.length - 1]?.paths, [sp('app')]);
    const layerOf = (name: string) => plan.findIndex((l) => l.paths.includes(sp(name)));
    // small and libc are used by big: they join its layer rather than share one with unrelated paths.
    assert.equal(layerOf('small'), layerOf('big'));
    assert.equal(layerOf('libc'), layerOf('big'));
    assert.notEqual(layerOf('data'), layerOf('big'));
    // tiny1 and tiny2: no large path uses them; they share a layer below the app.
    assert.equal(layerOf('tiny1'), layerOf('tiny2'));
    assert.ok(layerOf('tiny1') < layerOf('app'));
  });

  it('an app-only change leaves every layer but the top one as it was', () => {
    const v1 = planStoreLayers(app(4));
    const changed = app(4);
    const newApp = sp('app-2');
    const refs = new Map(changed.references);
    refs.set(newApp, refs.get(sp('app')) as string[]);
    refs.delete(sp('app'));
    const sizes = new Map(changed.sizes);
    sizes.set(newApp, 5);
    const v2 = planStoreLayers({ ...changed, references: refs, sizes, roots: { contents: [newApp], config: [] } });
    assert.deepEqual(v2.slice(0, -1), v1.slice(0, -1));
    assert.deepEqual(v2[v2.length - 1]?.paths, [newApp]);
  });

  it('hints: deeper gives a small path its own layer, lowest; top keeps a path with the app', () => {
    const input = { ...app(4), hints: parseHints(['deeper:tiny?', 'top:data']) };
    const plan = planStoreLayers(input);
    covers(plan, input);
    // tiny1 has a layer, lowest, and takes libc along: tiny1 uses libc and changes whenever it does.
    assert.deepEqual(plan[0]?.paths, [sp('libc'), sp('tiny1')]);
    assert.match(plan[0]?.why ?? '', /^hint deeper:tiny\?, and 1 smaller path/);
    assert.deepEqual(plan[plan.length - 1]?.paths, [sp('app'), sp('data')].sort());
  });

  it('groupPopular puts the most popular paths in one layer at the bottom', () => {
    const input = { ...app(4), groupPopular: 2 };
    const plan = planStoreLayers(input);
    covers(plan, input);
    assert.equal(plan[0]?.paths.length, 2);
    assert.ok(plan[0]?.paths.includes(sp('libc')), 'libc, used by most, is among the most popular');
    assert.match(plan[0]?.why ?? '', /groupPopular 2/);
  });

  it('paths a base image already has get no layer', () => {
    const input = { ...app(7), exclude: new Set([sp('libc'), sp('small')]) };
    const plan = planStoreLayers(input);
    covers(plan, input);
    assert.equal(plan.length, 5);
  });
});

describe('every plan covers the closure once, within the layers given', () => {
  // Random DAGs: each path refers to some later ones.
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let g = 0; g < 30; g++) {
    const n = 2 + Math.floor(random() * 40);
    const names = Array.from({ length: n }, (_, i) => sp(`n${i}`));
    const refs = new Map(names.map((p, i) => [p, names.slice(i + 1).filter(() => random() < 0.15)]));
    const sizes = new Map(names.map((p) => [p, Math.floor(random() * 1e6)]));
    const contents = [names[0] as string, ...(random() < 0.3 ? [names[1] as string] : [])];
    for (const layering of ['popularity', 'size'] as const) {
      it(`graph ${g} (${n} paths), ${layering}`, () => {
        for (const layers of [1, 2, 3, Math.max(1, n >> 1), n - 1, n, n + 1]) {
          for (const groupPopular of [0, 3]) {
            const input: PlanInput = { references: refs, sizes, roots: { contents, config: [] }, layers, layering, groupPopular, hints: [] };
            const plan = planStoreLayers(input);
            covers(plan, input);
            assert.deepEqual(planStoreLayers(input), plan, 'not deterministic');
          }
        }
      });
    }
  }
});

describe('hints', () => {
  it('refuses what is not deeper:PATTERN or top:PATTERN', () => {
    for (const bad of ['glibc', 'lower:glibc', 'deeper:', 'top:a/b', 'deeper:a b']) {
      assert.throws(() => parseHints([bad]), (e: unknown) => e instanceof UserError && e.message.includes(`"${bad}"`));
    }
  });

  it('matches the name after the hash, with * and ?', () => {
    const [h] = parseHints(['deeper:glibc-2.*']);
    assert.ok(h?.matches(sp('glibc-2.39')));
    assert.ok(!h?.matches(sp('glibc-locales-2.39')));
    assert.ok(!h?.matches(`/nix/store/glibc-2.39${'a'.repeat(10)}-x`));
  });
});
