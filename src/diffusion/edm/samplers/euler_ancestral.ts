/**
 * k-diffusion's `sample_euler_ancestral`: an Euler step to sigma_down, then fresh noise of standard deviation
 * s_noise sigma_up (get_ancestral_step), on the exact denoiser D(x, sigma) = lhat / (lhat + sigma^2) x.
 */
import { type Tape } from '../../statespace/tape.js';
import { denoiserSlot, startTape } from './common.js';
import { type AncestralOptions, ancestralStep, checkAncestral } from './ancestral.js';

/** Registers: 0 = x, 1 = D(x, sigma_i). NFE = steps. */
export function eulerAncestral(sigmas: Float64Array, opts: AncestralOptions = {}): Tape {
  const { eta, sNoise } = checkAncestral(opts);
  const b = startTape(sigmas, opts.start);
  for (let i = 0; i + 1 < sigmas.length; i++) {
    const sigma = sigmas[i];
    const next = sigmas[i + 1];
    const [down, up] = ancestralStep(sigma, next, eta);
    // x <- x + (sigma_down - sigma_i) (x - D) / sigma_i = (sigma_down / sigma_i) x + (1 - sigma_down / sigma_i) D.
    const ratio = down / sigma;
    b.prec(1, 0, denoiserSlot(b, sigma));
    b.nfe++;
    b.lin(0, [[0, ratio], [1, 1 - ratio]]);
    // x <- x + s_noise sigma_up eps when sigma_{i+1} > 0: variance (s_noise sigma_up)^2.
    if (next > 0) b.noise(0, sNoise * up);
    b.mark(0, 1, next * next);
  }
  return b.build();
}
