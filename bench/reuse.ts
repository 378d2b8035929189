/**
 * How much of a new image a registry or cache already has, by layering
 * strategy: build plans for v1 and for v2 (one change), and count the share
 * of v2's bytes in layers whose content v1 had already. A store layer's
 * bytes are fixed by its ordered list of store paths (and the tar
 * settings, the same here), so equal lists are equal digests; no image
 * needs building. Bytes are the NAR sizes of the layers' paths.
 */
import { queryClosure, type Closure } from '../src/nix/closure.js';
import { LAYERINGS, planStoreLayers, type Layering } from '../src/plan/layers.js';

export interface ReuseRow {
  change: string;
  layering: Layering;
  maxLayers: number;
  /** Share of v2's bytes in layers v1 had. */
  reused: number;
  /** Share of v2's bytes in store paths v1 had: the best any layering can do. */
  ideal: number;
}

export const REUSE_MAX_LAYERS = [25, 100, 125] as const;

function plan(closure: Closure, root: string, layering: Layering, maxLayers: number): string[][] {
  const infos = [...closure.paths.values()];
  return planStoreLayers({
    references: new Map(infos.map((i) => [i.path, i.references])),
    sizes: new Map(infos.map((i) => [i.path, i.narSize])),
    roots: { contents: [root], config: [] },
    layers: maxLayers - 1,
    layering,
    groupPopular: 0,
    hints: [],
  }).map((l) => l.paths);
}

export async function measureReuse(v1Root: string, changes: { name: string; root: string }[]): Promise<ReuseRow[]> {
  const v1 = await queryClosure([v1Root]);
  const rows: ReuseRow[] = [];
  for (const change of changes) {
    const v2 = await queryClosure([change.root]);
    const size = (p: string) => v2.paths.get(p)?.narSize ?? 0;
    const total = [...v2.paths.keys()].reduce((n, p) => n + size(p), 0);
    const ideal = [...v2.paths.keys()].filter((p) => v1.paths.has(p)).reduce((n, p) => n + size(p), 0) / total;
    for (const layering of LAYERINGS) {
      for (const maxLayers of REUSE_MAX_LAYERS) {
        const before = new Set(plan(v1, v1Root, layering, maxLayers).map((paths) => paths.join('\n')));
        const after = plan(v2, change.root, layering, maxLayers);
        const kept = after.filter((paths) => before.has(paths.join('\n'))).flat().reduce((n, p) => n + size(p), 0);
        rows.push({ change: change.name, layering, maxLayers, reused: kept / total, ideal });
      }
    }
  }
  return rows;
}
