/**
 * diffusers' DPMSolverMultistepScheduler with algorithm_type 'dpmsolver++', solver_type 'midpoint',
 * lower_order_final true, final_sigmas_type 'zero', epsilon prediction turned into x0 (Lu et al. 2022,
 * DPM-Solver++ multistep, Algorithm 2 and its third-order extension), on the exact x0_hat. With
 * alpha_t = sqrt(ab_t), sigma_t = sqrt(1 - ab_t), lambda = log(alpha / sigma), h = lambda_t - lambda_s0,
 * m0, m1, m2 the x0_hat of this step and the two before:
 *   order 1: x_t = (sigma_t / sigma_s0) x - alpha_t expm1(-h) m0
 *   order 2: r0 = h_0 / h, D1 = (m0 - m1) / r0;  x_t = order 1 - 0.5 alpha_t expm1(-h) D1
 *   order 3: r1 = h_1 / h, D1_0 = (m0 - m1) / r0, D1_1 = (m1 - m2) / r1,
 *            D1 = D1_0 + r0 / (r0 + r1) (D1_0 - D1_1), D2 = (D1_0 - D1_1) / (r0 + r1);
 *            x_t = order 1 + alpha_t (expm1(-h) / h + 1) D1 - alpha_t ((expm1(-h) + h) / h^2 - 0.5) D2
 * Order used at step i (n steps): first order when i = 0, or at the last step (final sigma 0), else at most
 * the steps taken so far + 1 and solver_order; with n < 15 the second-to-last step is at most second order.
 * The last step goes to sigma = 0, alpha = 1 (h = inf): x <- m0.
 */
import { fail } from '../../../core/errors.js';
import { describe } from '../../../core/checks.js';
import { type Tape } from '../../statespace/tape.js';
import { type DiscreteSchedule } from '../schedule.js';
import { type DiscreteSamplerOptions, alphaBar, markStep, startTape, x0Slot } from './frame.js';

export function checkOrder(order: unknown): number {
  if (order === undefined) return 2;
  if (order !== 1 && order !== 2 && order !== 3) fail('INVALID_OPTION', 'order', `got ${describe(order)}`, '1, 2 or 3 (solver_order)');
  return order;
}

/** Registers: 0 = x, 1 = m0, 2 = m1, 3 = m2. NFE = steps. */
export function dpmSolverPP(schedule: DiscreteSchedule, timesteps: readonly number[], opts: DiscreteSamplerOptions = {}): Tape {
  const order = checkOrder(opts.order);
  const b = startTape(schedule, timesteps[0], opts.start);
  const n = timesteps.length;
  // alpha, sigma and lambda at each timestep, then at the final sigma 0 (alpha 1, lambda +inf).
  const levels = timesteps.map((t) => {
    const { ab, logAb, oneMinus } = alphaBar(schedule, t);
    return { ab, oneMinus, alpha: Math.sqrt(ab), sigma: Math.sqrt(oneMinus), lambda: 0.5 * (logAb - Math.log(oneMinus)) };
  });
  levels.push({ ab: 1, oneMinus: 0, alpha: 1, sigma: 0, lambda: Infinity });
  let lowerOrderNums = 0;
  for (let i = 0; i < n; i++) {
    const s0 = levels[i];
    const next = levels[i + 1];
    b.prec(1, 0, x0Slot(b, s0.ab, s0.oneMinus));
    b.nfe++;
    const lowerOrderFinal = i === n - 1; // final_sigmas_type 'zero' forces it
    const lowerOrderSecond = i === n - 2 && n < 15;
    const stepOrder = order === 1 || lowerOrderNums < 1 || lowerOrderFinal ? 1 : order === 2 || lowerOrderNums < 2 || lowerOrderSecond ? 2 : 3;
    const h = next.lambda - s0.lambda;
    const e = Math.expm1(-h);
    const ratio = next.sigma / s0.sigma;
    // Coefficients of m0, m1, m2.
    const c = [-next.alpha * e, 0, 0];
    if (stepOrder === 2) {
      const r0 = (s0.lambda - levels[i - 1].lambda) / h;
      const d1 = [1 / r0, -1 / r0, 0];
      for (let j = 0; j < 3; j++) c[j] += -0.5 * next.alpha * e * d1[j];
    } else if (stepOrder === 3) {
      const r0 = (s0.lambda - levels[i - 1].lambda) / h;
      const r1 = (levels[i - 1].lambda - levels[i - 2].lambda) / h;
      const d10 = [1 / r0, -1 / r0, 0];
      const d11 = [0, 1 / r1, -1 / r1];
      const g1 = next.alpha * (e / h + 1);
      const g2 = -next.alpha * ((e + h) / (h * h) - 0.5);
      for (let j = 0; j < 3; j++) {
        const diff = d10[j] - d11[j];
        c[j] += g1 * (d10[j] + (r0 / (r0 + r1)) * diff) + g2 * (diff / (r0 + r1));
      }
    }
    b.lin(0, [[0, ratio], [1, c[0]], [2, c[1]], [3, c[2]]]);
    if (lowerOrderNums < order) lowerOrderNums++;
    if (i < n - 1) {
      if (order === 3) b.lin(3, [[2, 1]]); // m2 <- m1
      if (order >= 2) b.lin(2, [[1, 1]]); // m1 <- m0
    }
    markStep(b, i === n - 1, next.ab, next.oneMinus);
  }
  return b.build();
}
