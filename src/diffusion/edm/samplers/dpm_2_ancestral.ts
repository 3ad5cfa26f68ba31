/**
 * k-diffusion's `sample_dpm_2_ancestral`: a DPM-Solver-2 step (midpoint in log sigma) to sigma_down (Euler when
 * sigma_down = 0), then fresh noise of standard deviation s_noise sigma_up (get_ancestral_step).
 */
import { type Tape } from '../../statespace/tape.js';
import { denoiserSlot, derivativeSlot } from './common.js';
import { type AncestralOptions, ancestralTape, eulerToZero } from './ancestral.js';

/** Registers: 0 = x, 1 = D, 2 = x_2, 3 = d_2. NFE = 2 steps - (steps with sigma_down = 0). */
export function dpm2Ancestral(sigmas: Float64Array, opts: AncestralOptions = {}): Tape {
  return ancestralTape(sigmas, opts, (b, sigma, down) => {
    if (down === 0) return eulerToZero(b, sigma);
    // sigma_mid = exp(lerp(log sigma_i, log sigma_down, 1/2)); x_2 = x + (sigma_mid - sigma_i) d;
    // x <- x + (sigma_down - sigma_i) d_2 with d_2 = (x_2 - D(x_2, sigma_mid)) / sigma_mid.
    const a = Math.log(sigma);
    const mid = Math.exp(a + 0.5 * (Math.log(down) - a));
    const ratio = mid / sigma;
    b.prec(1, 0, denoiserSlot(b, sigma));
    b.lin(2, [[0, ratio], [1, 1 - ratio]]);
    b.prec(3, 2, derivativeSlot(b, mid));
    b.nfe += 2;
    b.lin(0, [[0, 1], [3, down - sigma]]);
  });
}
