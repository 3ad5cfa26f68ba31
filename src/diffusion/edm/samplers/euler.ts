/**
 * k-diffusion's `sample_euler` (Karras et al. 2022, Algorithm 2 without the second-order correction), with
 * EDM churn, on the exact denoiser D(x, sigma) = lhat / (lhat + sigma^2) x.
 */
import { type Tape } from '../../statespace/tape.js';
import { type ChurnOptions, churn, denoiserSlot, startTape } from './common.js';

/** Registers: 0 = x, 1 = D(x, sigma_hat). NFE = steps. */
export function euler(sigmas: Float64Array, opts: ChurnOptions = {}): Tape {
  const b = startTape(sigmas, opts.start);
  const churnStep = churn(sigmas, opts);
  for (let i = 0; i + 1 < sigmas.length; i++) {
    const sigmaHat = churnStep(b, i);
    // x <- x + (sigma_{i+1} - sigma_hat) d with d = (x - D) / sigma_hat, i.e.
    // x <- (sigma_{i+1} / sigma_hat) x + (1 - sigma_{i+1} / sigma_hat) D: two non-negative terms.
    const ratio = sigmas[i + 1] / sigmaHat;
    b.prec(1, 0, denoiserSlot(b, sigmaHat));
    b.nfe++;
    b.lin(0, [[0, ratio], [1, 1 - ratio]]);
    b.mark(0, 1, sigmas[i + 1] * sigmas[i + 1]);
  }
  return b.build();
}
