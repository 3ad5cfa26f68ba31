/**
 * k-diffusion's `sample_dpmpp_2m`: DPM-Solver++(2M) (Lu et al. 2022, Algorithm 2) in t = -log sigma, on the
 * exact denoiser D(x, sigma) = lhat / (lhat + sigma^2) x.
 */
import { type Tape } from '../../statespace/tape.js';
import { type EdmSamplerOptions, denoiserSlot, startTape } from './common.js';

/** Registers: 0 = x, 1 = denoised, 2 = old denoised. NFE = steps. */
export function dpmpp2m(sigmas: Float64Array, opts: EdmSamplerOptions = {}): Tape {
  const b = startTape(sigmas, opts.start);
  for (let i = 0; i + 1 < sigmas.length; i++) {
    const sigma = sigmas[i];
    const next = sigmas[i + 1];
    // denoised = D(x, sigma) = lhat / (lhat + sigma^2) x.
    b.prec(1, 0, denoiserSlot(b, sigma));
    b.nfe++;
    // h = t_{i+1} - t_i with t = -log sigma (Infinity when sigma_{i+1} = 0: then x <- denoised).
    const h = Math.log(sigma) - Math.log(next);
    const ratio = next / sigma; // sigma_fn(t_next) / sigma_fn(t)
    const gain = -Math.expm1(-h);
    if (i === 0 || next === 0) {
      // First and last steps: x <- (sigma_{i+1} / sigma_i) x - expm1(-h) denoised.
      b.lin(0, [[0, ratio], [1, gain]]);
    } else {
      // r = h_last / h;  denoised_d = (1 + 1/(2r)) denoised - 1/(2r) old_denoised.
      const r = (Math.log(sigmas[i - 1]) - Math.log(sigma)) / h;
      const c = 1 / (2 * r);
      b.lin(0, [[0, ratio], [1, gain * (1 + c)], [2, -gain * c]]);
    }
    if (i + 2 < sigmas.length) b.lin(2, [[1, 1]]); // old_denoised <- denoised
    b.mark(0, 1, next * next);
  }
  return b.build();
}
