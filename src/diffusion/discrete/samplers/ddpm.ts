/**
 * diffusers' DDPMScheduler.step (Ho et al. 2020, eqs. 6-7), epsilon prediction, variance_type 'fixed_small',
 * clip_sample off, on the exact model (x0_hat as one slot, not (x - sqrt(1 - ab_t) eps_hat) / sqrt(ab_t)):
 *   prev = t - N // n;  ab_prev = alphas_cumprod[prev] or 1 if prev < 0;  beta_t = 1 - ab_t / ab_prev
 *   mean  = sqrt(ab_prev) beta_t / (1 - ab_t) x0_hat + sqrt(1 - beta_t) (1 - ab_prev) / (1 - ab_t) x_t
 *   x_prev = mean + sqrt(max(beta_tilde, 1e-20)) z when t > 0,  beta_tilde = (1 - ab_prev) / (1 - ab_t) beta_t
 * (diffusers clamps the variance at 1e-20: with trailing spacing its last step adds noise of std 1e-10).
 */
import { type Tape } from '../../statespace/tape.js';
import { type DiscreteSchedule } from '../schedule.js';
import { type DiscreteSamplerOptions, alphaBar, markStep, startTape, x0Slot } from './frame.js';

/** Registers: 0 = x, 1 = x0_hat. NFE = steps. */
export function ddpm(schedule: DiscreteSchedule, timesteps: readonly number[], opts: DiscreteSamplerOptions = {}): Tape {
  const b = startTape(schedule, timesteps[0], opts.start);
  const stride = Math.floor(schedule.trainSteps / timesteps.length);
  timesteps.forEach((t, k) => {
    const now = alphaBar(schedule, t);
    const prev = alphaBar(schedule, t - stride);
    b.prec(1, 0, x0Slot(b, now.ab, now.oneMinus));
    b.nfe++;
    const beta = -Math.expm1(now.logAb - prev.logAb); // 1 - ab_t / ab_prev
    const alpha = Math.exp(now.logAb - prev.logAb);
    b.lin(0, [[1, (Math.sqrt(prev.ab) * beta) / now.oneMinus], [0, (Math.sqrt(alpha) * prev.oneMinus) / now.oneMinus]]);
    if (t > 0) b.noise(0, Math.sqrt(Math.max((prev.oneMinus / now.oneMinus) * beta, 1e-20)));
    markStep(b, k === timesteps.length - 1, prev.ab, prev.oneMinus);
  });
  return b.build();
}
