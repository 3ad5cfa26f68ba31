/**
 * diffusers' DDIMScheduler.step (Song et al. 2021, eq. 12), epsilon prediction, clip_sample off,
 * set_alpha_to_one (final_alpha_cumprod = 1), on the exact model:
 *   prev = t - N // n (diffusers' rule, whatever the spacing);  ab_prev = alphas_cumprod[prev] or 1 if prev < 0
 *   sigma_t = eta sqrt((1 - ab_prev) / (1 - ab_t)) sqrt(1 - ab_t / ab_prev)
 *   x_prev  = sqrt(ab_prev) x0_hat + sqrt(1 - ab_prev - sigma_t^2) eps_hat + sigma_t z
 */
import { fail } from '../../../core/errors.js';
import { describe } from '../../../core/checks.js';
import { type Tape } from '../../statespace/tape.js';
import { type DiscreteSchedule } from '../schedule.js';
import { type DiscreteSamplerOptions, alphaBar, epsSlot, markStep, startTape, x0Slot } from './frame.js';

export function checkEta(eta: unknown): number {
  if (eta === undefined) return 0;
  // Above 1, 1 - ab_prev - sigma_t^2 can be negative (diffusers then takes the root of a negative number).
  if (typeof eta !== 'number' || !(eta >= 0 && eta <= 1)) fail('INVALID_OPTION', 'eta', `got ${describe(eta)}`, 'a number in [0, 1]');
  return eta;
}

/** Registers: 0 = x, 1 = x0_hat, 2 = eps_hat. NFE = steps. */
export function ddim(schedule: DiscreteSchedule, timesteps: readonly number[], opts: DiscreteSamplerOptions = {}): Tape {
  const eta = checkEta(opts.eta);
  const b = startTape(schedule, timesteps[0], opts.start);
  const stride = Math.floor(schedule.trainSteps / timesteps.length);
  timesteps.forEach((t, k) => {
    const now = alphaBar(schedule, t);
    const prev = alphaBar(schedule, t - stride);
    b.prec(1, 0, x0Slot(b, now.ab, now.oneMinus));
    b.prec(2, 0, epsSlot(b, now.ab, now.oneMinus));
    b.nfe++;
    // sigma_t^2 = (1 - ab_prev) rho, rho = (1 - ab_t / ab_prev) / (1 - ab_t) <= 1;  1 - ab_prev - sigma_t^2 = (1 - ab_prev)(1 - eta^2 rho).
    const rho = -Math.expm1(now.logAb - prev.logAb) / now.oneMinus;
    const sigma = eta * Math.sqrt(prev.oneMinus * rho);
    const direction = Math.sqrt(prev.oneMinus * Math.max(0, 1 - eta * eta * rho)); // max: round-off of rho ~ 1 at eta = 1
    b.lin(0, [[1, Math.sqrt(prev.ab)], [2, direction]]);
    b.noise(0, sigma);
    markStep(b, k === timesteps.length - 1, prev.ab, prev.oneMinus);
  });
  return b.build();
}
