import { ONE_STAGE, type SchemeDefinition } from './sampler.js';

/**
 * Euler on the probability-flow ODE (docs/math.md §2 (2.5); Pierret & Galerne 2025, §4):
 *   v <- (1 + D c_k (1 - 1/a_k))^2 v.
 */
export const eulerOde: SchemeDefinition<'euler'> = {
  name: 'euler',
  label: 'Euler',
  process: 'ode',
  tableau: ONE_STAGE,
  step(g, out, at) {
    const dc = g.size * g.beta0;
    out[at] = dc; // h0 = D c_k (1 - r_k)
    out[at + 1] = dc;
    out[at + 2] = 0;
    out[at + 3] = 0;
    out[at + 4] = 0;
  },
};
