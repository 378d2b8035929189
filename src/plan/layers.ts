import { formatBytes } from '../log.js';
import { hintFor, type Hint } from './hints.js';
import { imagePopularityOrder } from './popularity.js';

export const LAYERINGS = ['popularity', 'size'] as const;
export type Layering = (typeof LAYERINGS)[number];

/** One store layer of a plan: its paths, and why they are together. */
export interface PlannedStoreLayer {
  paths: string[];
  why: string;
}

export interface PlanInput {
  /** Every path of the closure and its direct references. */
  references: ReadonlyMap<string, readonly string[]>;
  /** NAR size of every path: what a path weighs in a layer. */
  sizes: ReadonlyMap<string, number>;
  roots: { contents: readonly string[]; config: readonly string[] };
  /** Store layers to fill: maxLayers less the customisation layer (and any base image's). */
  layers: number;
  layering: Layering;
  /** The N most popular paths share the lowest layer; 0 or 1: off. */
  groupPopular: number;
  hints: readonly Hint[];
  /** Paths that need no layer (a base image has them already). */
  exclude?: ReadonlySet<string>;
}

/**
 * Groups the closure into at most `layers` store layers, lowest first.
 *
 * Both strategies rank paths by nixpkgs' popularity, hints applied, and
 * give each path its own layer while there are layers enough. Beyond that:
 * - `popularity` (nixpkgs' buildLayeredImage): the most popular paths get a
 *   layer each and one last layer holds all the rest;
 * - `size`: the largest paths get a layer each; every other path joins the
 *   layer of a large path that depends on it (it can only change when that
 *   path changes too, so it costs that layer nothing), the few used by none
 *   share a layer, and the image's own paths (contents and config, which
 *   change with every release of the app) go on top, alone.
 * Layers holding several paths list them sorted, so the same set of paths
 * always gives the same bytes, whatever the ranking.
 */
export function planStoreLayers(input: PlanInput): PlannedStoreLayer[] {
  const budget = Math.max(1, input.layers);
  const exclude = input.exclude ?? new Set<string>();
  const ranked = imagePopularityOrder(input.references, input.roots).filter((p) => !exclude.has(p));
  const hinted = new Map(ranked.map((p) => [p, hintFor(input.hints, p)]));
  // Stable: hinted paths keep their popularity order among themselves.
  const order = [
    ...ranked.filter((p) => hinted.get(p)?.kind === 'deeper'),
    ...ranked.filter((p) => hinted.get(p) === undefined),
    ...ranked.filter((p) => hinted.get(p)?.kind === 'top'),
  ];
  if (order.length === 0) return [];
  const rank = new Map(order.map((p, i) => [p, i + 1]));
  const reason = (p: string, fallback: string) => {
    const hint = hinted.get(p);
    return hint === undefined ? fallback : `hint ${hint.kind}:${hint.pattern}`;
  };

  if (order.length <= budget) return order.map((p) => ({ paths: [p], why: reason(p, `popularity rank ${rank.get(p)}`) }));
  if (budget === 1) return [{ paths: [...order].sort(), why: `all ${order.length} paths: maxLayers leaves one store layer` }];

  const plan: PlannedStoreLayer[] = [];
  let rest = order;
  let left = budget;
  if (input.groupPopular > 1) {
    const group = order.slice(0, input.groupPopular);
    plan.push({ paths: [...group].sort(), why: `the ${group.length} most popular paths, grouped (groupPopular ${input.groupPopular})` });
    rest = order.slice(group.length);
    left -= 1;
  }
  if (rest.length === 0) return plan;
  if (rest.length <= left) return [...plan, ...rest.map((p) => ({ paths: [p], why: reason(p, `popularity rank ${rank.get(p)}`) }))];
  if (left === 1) return [...plan, { paths: [...rest].sort(), why: `the other ${rest.length} paths: no layers left` }];

  const tail = input.layering === 'popularity' ? byPopularity(rest, left, rank, reason) : bySize(rest, left, input, hinted, rank, reason);
  return [...plan, ...tail];
}

type Reason = (p: string, fallback: string) => string;

function byPopularity(order: readonly string[], layers: number, rank: ReadonlyMap<string, number>, reason: Reason): PlannedStoreLayer[] {
  const singles = order.slice(0, layers - 1).map((p) => ({ paths: [p], why: reason(p, `popularity rank ${rank.get(p)}`) }));
  const overflow = order.slice(layers - 1);
  return [...singles, { paths: [...overflow].sort(), why: `the ${overflow.length} least popular paths share the last store layer` }];
}

function bySize(
  order: readonly string[],
  layers: number,
  input: PlanInput,
  hinted: ReadonlyMap<string, Hint | undefined>,
  rank: ReadonlyMap<string, number>,
  reason: Reason,
): PlannedStoreLayer[] {
  const size = (p: string) => input.sizes.get(p) ?? 0;
  const rootSet = new Set([...input.roots.contents, ...input.roots.config]);
  const top = order.filter((p) => rootSet.has(p) || hinted.get(p)?.kind === 'top');
  const topSet = new Set(top);
  const others = order.filter((p) => !topSet.has(p));
  const topLayer = (): PlannedStoreLayer[] =>
    top.length === 0 ? [] : [{ paths: [...top].sort(), why: `the image's own paths (contents and config${top.some((p) => !rootSet.has(p)) ? ', and hint top' : ''}): they change with every release, so they go on top, alone` }];
  // Candidates for a layer of their own: hinted deeper first, then the largest.
  const candidates = [...others].sort(
    (a, b) =>
      Number(hinted.get(b)?.kind === 'deeper') - Number(hinted.get(a)?.kind === 'deeper') ||
      size(b) - size(a) ||
      (rank.get(a) as number) - (rank.get(b) as number),
  );
  const closures = new Map<string, Set<string>>();
  const closureOf = (p: string) => {
    let c = closures.get(p);
    if (c === undefined) {
      c = requisites(p, input.references);
      closures.set(p, c);
    }
    return c;
  };

  // Every layer left but the top one for large paths; one fewer when some
  // paths are used by none of them and need a shared layer.
  const slots = layers - (top.length > 0 ? 1 : 0);
  for (const anchors of [slots, slots - 1]) {
    if (anchors < 1) continue;
    const chosen = candidates.slice(0, anchors);
    const chosenSet = new Set(chosen);
    const joined = new Map<string, string[]>(chosen.map((a) => [a, []]));
    const leftovers: string[] = [];
    for (const p of others) {
      if (chosenSet.has(p)) continue;
      // Of the large paths that depend on p, the one with the smallest
      // closure: it changes least often without p.
      const users = chosen.filter((a) => closureOf(a).has(p));
      users.sort((a, b) => closureOf(a).size - closureOf(b).size || size(b) - size(a) || (rank.get(a) as number) - (rank.get(b) as number));
      const user = users[0];
      if (user === undefined) leftovers.push(p);
      else joined.get(user)?.push(p);
    }
    if (leftovers.length > 0 && anchors === slots) continue;
    const own = [...chosen]
      .sort((a, b) => (rank.get(a) as number) - (rank.get(b) as number))
      .map((a) => {
        const extra = joined.get(a) ?? [];
        const base = reason(a, `${formatBytes(size(a))}: one of the ${anchors} largest paths`);
        return { paths: [a, ...extra].sort(), why: extra.length === 0 ? base : `${base}, and ${extra.length} smaller path(s) it depends on` };
      });
    const shared = leftovers.length === 0 ? [] : [{ paths: leftovers.sort(), why: `${leftovers.length} smaller paths that no larger path uses` }];
    return [...own, ...shared, ...topLayer()];
  }
  // One layer for everything below the top.
  return [{ paths: [...others].sort(), why: `the other ${others.length} paths: no layers left` }, ...topLayer()];
}

/** A path and everything it refers to, transitively. */
function requisites(root: string, references: ReadonlyMap<string, readonly string[]>): Set<string> {
  const seen = new Set<string>([root]);
  const stack = [root];
  for (let p = stack.pop(); p !== undefined; p = stack.pop()) {
    for (const r of references.get(p) ?? []) {
      if (!seen.has(r)) {
        seen.add(r);
        stack.push(r);
      }
    }
  }
  return seen;
}
