/**
 * k-diffusion's `sample_heun`: Karras et al. (2022), Algorithm 2 (Heun's method with EDM churn; the last
 * step, to sigma = 0, is an Euler step), on the exact denoiser D(x, sigma) = lhat / (lhat + sigma^2) x.
 */
import { type Tape } from '../../statespace/tape.js';
import { type ChurnOptions, churn, denoiserSlot, derivativeSlot, startTape } from './common.js';

/** Registers: 0 = x, 1 = D then d, 2 = x_2 (Euler predictor), 3 = d_2. NFE = 2 steps - (steps ending at 0). */
export function heun(sigmas: Float64Array, opts: ChurnOptions = {}): Tape {
  const b = startTape(sigmas, opts.start);
  const churnStep = churn(sigmas, opts);
  for (let i = 0; i + 1 < sigmas.length; i++) {
    const sigmaHat = churnStep(b, i);
    const next = sigmas[i + 1];
    const dt = next - sigmaHat;
    const ratio = next / sigmaHat;
    b.nfe++;
    if (next === 0) {
      // Euler: x <- x + dt d = D(x, sigma_hat).
      b.prec(0, 0, denoiserSlot(b, sigmaHat));
    } else {
      // x_2 = x + dt d = (sigma_{i+1} / sigma_hat) x + (1 - sigma_{i+1} / sigma_hat) D(x, sigma_hat);
      // d = (x - D) / sigma_hat and d_2 = (x_2 - D(x_2, sigma_{i+1})) / sigma_{i+1}, each one factor;
      // x <- x + dt (d + d_2) / 2.
      b.prec(1, 0, denoiserSlot(b, sigmaHat));
      b.lin(2, [[0, ratio], [1, 1 - ratio]]);
      b.prec(1, 0, derivativeSlot(b, sigmaHat));
      b.prec(3, 2, derivativeSlot(b, next));
      b.nfe++;
      b.lin(0, [[0, 1], [1, dt / 2], [3, dt / 2]]);
    }
    b.mark(0, 1, next * next);
  }
  return b.build();
}
