import { type SchemeDefinition } from './sampler.js';

/**
 * Heun on the probability-flow ODE (docs/math.md §2 (2.6); Pierret & Galerne 2025, §4): with
 * h_j = D c_j (1 - 1/a_j), v <- (1 + h_k/2 + (h_{k+1}/2)(1 + h_k))^2 v. The second stage evaluates the score
 * at t_{k+1}: at forward time eps on the last step.
 */
export const heunOde: SchemeDefinition<'heun'> = {
  name: 'heun',
  label: 'Heun',
  process: 'ode',
  tableau: { stages: 2, a10: 1, b0: 0.5, b1: 0.5 },
  step(g, out, at) {
    const dc0 = g.size * g.beta0;
    const dc1 = g.size * g.beta1;
    out[at] = dc0; // h_k = D c_k (1 - r_k)
    out[at + 1] = dc0;
    out[at + 2] = dc1; // h_{k+1} = D c_{k+1} (1 - r_{k+1})
    out[at + 3] = dc1;
    out[at + 4] = 0;
  },
};
