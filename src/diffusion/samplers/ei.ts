import { ONE_STAGE, type SchemeDefinition } from './sampler.js';

/**
 * Exponential integrator on the backward SDE (docs/math.md §2 (2.4); Pierret & Galerne 2025, §4): with
 * g1 = e^{B(T-t_k) - B(T-t_{k+1})} - 1 and g2 = (e^{2(B(T-t_k) - B(T-t_{k+1}))} - 1)/2,
 *   v <- (1 + g1 (1 - 2/a_k))^2 v + 2 g2.
 * Both are finite because every schedule keeps B(T) <= MAX_DECAY_INTEGRAL (src/diffusion/schedules/schedule.ts).
 */
export const exponentialIntegrator: SchemeDefinition<'ei'> = {
  name: 'ei',
  label: 'EI',
  process: 'sde',
  tableau: ONE_STAGE,
  step(g, out, at) {
    const g1 = Math.expm1(g.integral);
    const g2 = 0.5 * Math.expm1(2 * g.integral);
    out[at] = g1; // h0 = g1 (1 - 2 r_k)
    out[at + 1] = 2 * g1;
    out[at + 2] = 0;
    out[at + 3] = 0;
    out[at + 4] = 2 * g2;
  },
};
