/**
 * k-diffusion's `sample_dpm_2`: DPM-Solver-2 (Lu et al. 2022) in Karras's sigma parametrisation, with EDM
 * churn: a midpoint step with the midpoint in log sigma; the last step, to sigma = 0, is an Euler step.
 */
import { type Tape } from '../../statespace/tape.js';
import { type ChurnOptions, churn, denoiserSlot, derivativeSlot, startTape } from './common.js';

/** Registers: 0 = x, 1 = D, 2 = x_2, 3 = d_2. NFE = 2 steps - (steps ending at 0). */
export function dpm2(sigmas: Float64Array, opts: ChurnOptions = {}): Tape {
  const b = startTape(sigmas, opts.start);
  const churnStep = churn(sigmas, opts);
  for (let i = 0; i + 1 < sigmas.length; i++) {
    const sigmaHat = churnStep(b, i);
    const next = sigmas[i + 1];
    b.nfe++;
    if (next === 0) {
      // Euler to 0: x + (0 - sigma_hat) (x - D) / sigma_hat = D(x, sigma_hat).
      b.prec(0, 0, denoiserSlot(b, sigmaHat));
    } else {
      // sigma_mid = exp(lerp(log sigma_hat, log sigma_{i+1}, 1/2));
      // x_2 = x + (sigma_mid - sigma_hat) d = (sigma_mid / sigma_hat) x + (1 - sigma_mid / sigma_hat) D;
      // x <- x + (sigma_{i+1} - sigma_hat) d_2, d_2 = (x_2 - D(x_2, sigma_mid)) / sigma_mid (one factor).
      const a = Math.log(sigmaHat);
      const mid = Math.exp(a + 0.5 * (Math.log(next) - a));
      const ratio = mid / sigmaHat;
      b.prec(1, 0, denoiserSlot(b, sigmaHat));
      b.lin(2, [[0, ratio], [1, 1 - ratio]]);
      b.prec(3, 2, derivativeSlot(b, mid));
      b.nfe++;
      b.lin(0, [[0, 1], [3, next - sigmaHat]]);
    }
    b.mark(0, 1, next * next);
  }
  return b.build();
}
