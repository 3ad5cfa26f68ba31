/**
 * k-diffusion's `sample_heun`: Karras et al. (2022), Algorithm 2 (Heun's method with EDM churn; the last
 * step, to sigma = 0, is an Euler step), on the exact denoiser D(x, sigma) = x - sigma^2 prec x.
 */
import { type Tape } from '../../statespace/tape.js';
import { type ChurnOptions, churn, denoiserSlot, startTape } from './common.js';

/** Registers: 0 = x, 1 = prec x, 2 = x_2 (Euler predictor), 3 = prec x_2. NFE = 2 steps - (steps ending at 0). */
export function heun(sigmas: Float64Array, opts: ChurnOptions = {}): Tape {
  const b = startTape(sigmas, opts.start);
  const churnStep = churn(sigmas, opts);
  for (let i = 0; i + 1 < sigmas.length; i++) {
    const sigmaHat = churnStep(b, i);
    const next = sigmas[i + 1];
    const dt = next - sigmaHat;
    // d = sigma_hat prec(sigma_hat) x.
    b.prec(1, 0, denoiserSlot(b, sigmaHat));
    b.nfe++;
    if (next === 0) {
      b.lin(0, [[0, 1], [1, dt * sigmaHat]]); // Euler: x <- x + dt d
    } else {
      // x_2 = x + dt d;  d_2 = sigma_{i+1} prec(sigma_{i+1}) x_2;  x <- x + dt (d + d_2) / 2.
      b.lin(2, [[0, 1], [1, dt * sigmaHat]]);
      b.prec(3, 2, denoiserSlot(b, next));
      b.nfe++;
      b.lin(0, [[0, 1], [1, (dt * sigmaHat) / 2], [3, (dt * next) / 2]]);
    }
    b.mark(0, 1, next * next);
  }
  return b.build();
}
