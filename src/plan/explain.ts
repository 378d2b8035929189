import { formatBytes } from '../log.js';
import type { Layering } from './layers.js';

/** What `explain` prints: the layers a build would make, and why, built or not. */
export interface PlanReport {
  name: string;
  maxLayers: number;
  layering: Layering;
  layers: {
    /** NAR bytes of the layer's paths: the layer is that plus tar framing. */
    narSize: number;
    /** Empty for the customisation layer. */
    paths: string[];
    why: string;
  }[];
}

export function formatPlan(plan: PlanReport): string {
  const lines = [`${plan.name}: ${plan.layers.length} layers (maxLayers ${plan.maxLayers}), layering ${plan.layering}`];
  plan.layers.forEach((layer, i) => {
    lines.push(`${String(i + 1).padStart(4)}  ${formatBytes(layer.narSize).padStart(10)}  ${layer.why}`);
    for (const p of layer.paths) lines.push(`${' '.repeat(18)}${p}`);
  });
  return `${lines.join('\n')}\n`;
}
