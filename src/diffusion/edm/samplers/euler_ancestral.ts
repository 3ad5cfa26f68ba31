/**
 * k-diffusion's `sample_euler_ancestral`: an Euler step to sigma_down, then fresh noise of standard deviation
 * s_noise sigma_up (get_ancestral_step), on the exact denoiser D(x, sigma) = lhat / (lhat + sigma^2) x.
 */
import { type Tape } from '../../statespace/tape.js';
import { denoiserSlot } from './common.js';
import { type AncestralOptions, ancestralTape } from './ancestral.js';

/** Registers: 0 = x, 1 = D(x, sigma_i). NFE = steps. */
export function eulerAncestral(sigmas: Float64Array, opts: AncestralOptions = {}): Tape {
  return ancestralTape(sigmas, opts, (b, sigma, down) => {
    // x <- x + (sigma_down - sigma_i) (x - D) / sigma_i = (sigma_down / sigma_i) x + (1 - sigma_down / sigma_i) D.
    const ratio = down / sigma;
    b.prec(1, 0, denoiserSlot(b, sigma));
    b.nfe++;
    b.lin(0, [[0, ratio], [1, 1 - ratio]]);
  });
}
