/**
 * Pierret & Galerne's schemes (VP frame, src/diffusion/samplers/) as state-space tapes, read from the one
 * coefficient plan both closed-form back ends use (src/diffusion/plan.ts): no scheme is written again. A plan
 * row [c00, c10, c01, c11, nu] gives m = (c00 + c10 r_k) + r_{k+1} (c01 + c11 r_k) with r_k = 1 / a_k,
 * a_k = e_k l + (1 - e_k) (docs/math.md §2 (2.1)), and v <- m^2 v + nu; on a tape (register 0 = x):
 *
 *   t1 = r_k x,  t2 = r_{k+1} x,  t3 = r_{k+1} t1       (PREC, slots 1 / (e_k lhat + 1 - e_k))
 *   x <- c00 x + c10 t1 + c01 t2 + c11 t3                 (LIN)
 *   x <- x + sqrt(nu) xi                                   (NOISE)
 *
 * Start p_T: v_0 = a_0 (scale e_0, shift 1 - e_0); start N(0, I): v_0 = 1. After step k a mark compares x
 * with the exact marginal a_{k+1}, as the engine's curves do.
 */
import { type GridGeometry } from '../grid.js';
import { type Plan, PLAN_STRIDE } from '../plan.js';
import { type Init } from '../propagation.js';
import { type Tape, TapeBuilder } from './tape.js';

/** The tape of scheme `s` of `plan` on the grid `geom`, started at `init`. */
export function planTape(plan: Plan, s: number, geom: GridGeometry, init: Init): Tape {
  const steps = plan.points - 1;
  const b = init === 'pT' ? new TapeBuilder(geom.e[0], geom.om[0]) : new TapeBuilder(0, 1);
  const r = (k: number) => b.slot(geom.e[k], geom.om[k]);
  for (let k = 0; k < steps; k++) {
    const row = (s * steps + k) * PLAN_STRIDE;
    const [c00, c10, c01, c11, nu] = plan.coefficients.subarray(row, row + PLAN_STRIDE);
    const terms: Array<[number, number]> = [[0, c00]];
    if (c10 !== 0 || c11 !== 0) b.prec(1, 0, r(k));
    if (c01 !== 0) b.prec(2, 0, r(k + 1));
    if (c11 !== 0) b.prec(3, 1, r(k + 1));
    terms.push([1, c10], [2, c01], [3, c11]);
    b.lin(0, terms);
    b.noise(0, Math.sqrt(nu));
    b.mark(0, geom.e[k + 1], geom.om[k + 1]);
  }
  return b.build();
}
