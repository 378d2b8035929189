import { UserError } from '../errors.js';

/** Store paths grouped into layers, lowest layer first. */
export type LayerPlan = string[][];

/**
 * Groups paths (most popular first) into at most `maxLayers - 1` store
 * layers, leaving the last slot of `maxLayers` for the customisation layer:
 * the `maxLayers - 2` most popular paths get a layer each and one layer holds
 * the rest, as nixpkgs' streamLayeredImage does.
 */
export function planLayers(ordered: readonly string[], maxLayers: number): LayerPlan {
  if (!Number.isInteger(maxLayers) || maxLayers < 2) {
    throw new UserError(`maxLayers must be an integer of at least 2, got ${maxLayers}`);
  }
  const storeLayers = maxLayers - 1;
  if (ordered.length <= storeLayers) return ordered.map((p) => [p]);
  const singles = ordered.slice(0, storeLayers - 1).map((p) => [p]);
  // The overflow layer's bytes should not depend on how its paths ranked, so
  // that the same set of paths always yields the same (cacheable) layer.
  const rest = [...ordered.slice(storeLayers - 1)].sort();
  return [...singles, rest];
}
