import { ONE_STAGE, type SchemeDefinition } from './sampler.js';

/**
 * Euler-Maruyama on the backward SDE (docs/math.md §2 (2.3); Pierret & Galerne 2025, §4):
 *   v <- (1 + D c_k (1 - 2/a_k))^2 v + 2 D c_k.
 */
export const eulerMaruyama: SchemeDefinition<'em'> = {
  name: 'em',
  label: 'EM',
  process: 'sde',
  tableau: ONE_STAGE,
  step(g, out, at) {
    const dc = g.size * g.beta0;
    out[at] = dc; // h0 = D c_k (1 - 2 r_k)
    out[at + 1] = 2 * dc;
    out[at + 2] = 0;
    out[at + 3] = 0;
    out[at + 4] = 2 * dc; // n = 2 D c_k
  },
};
