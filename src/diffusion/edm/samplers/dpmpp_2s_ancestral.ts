/**
 * k-diffusion's `sample_dpmpp_2s_ancestral`: DPM-Solver++(2S) (Lu et al. 2022, r = 1/2) in t = -log sigma to
 * sigma_down, then fresh noise of standard deviation s_noise sigma_up when sigma_{i+1} > 0
 * (get_ancestral_step); an Euler step when sigma_down = 0 (the last step).
 */
import { type Tape } from '../../statespace/tape.js';
import { denoiserSlot, startTape } from './common.js';
import { type AncestralOptions, ancestralStep, checkAncestral } from './ancestral.js';

/** Registers: 0 = x, 1 = D, 2 = x_2, 3 = D_2. NFE = 2 steps - (steps with sigma_down = 0). */
export function dpmpp2sAncestral(sigmas: Float64Array, opts: AncestralOptions = {}): Tape {
  const { eta, sNoise } = checkAncestral(opts);
  const b = startTape(sigmas, opts.start);
  for (let i = 0; i + 1 < sigmas.length; i++) {
    const sigma = sigmas[i];
    const next = sigmas[i + 1];
    const [down, up] = ancestralStep(sigma, next, eta);
    b.nfe++;
    if (down === 0) {
      // Euler to 0: x + (0 - sigma_i) (x - D) / sigma_i = D(x, sigma_i).
      b.prec(0, 0, denoiserSlot(b, sigma));
    } else {
      // t = -log sigma_i, t_next = -log sigma_down, h = t_next - t, s = t + h/2, sigma_fn(t) = e^{-t}:
      // x_2 = (sigma_fn(s) / sigma_fn(t)) x - expm1(-h/2) D;  x <- (sigma_fn(t_next) / sigma_fn(t)) x - expm1(-h) D(x_2, sigma_fn(s)).
      const t = -Math.log(sigma);
      const tNext = -Math.log(down);
      const h = tNext - t;
      const s = t + 0.5 * h;
      const sigmaT = Math.exp(-t);
      b.prec(1, 0, denoiserSlot(b, sigma));
      b.lin(2, [[0, Math.exp(-s) / sigmaT], [1, -Math.expm1(-0.5 * h)]]);
      b.prec(3, 2, denoiserSlot(b, Math.exp(-s)));
      b.nfe++;
      b.lin(0, [[0, Math.exp(-tNext) / sigmaT], [3, -Math.expm1(-h)]]);
    }
    // x <- x + s_noise sigma_up eps when sigma_{i+1} > 0.
    if (next > 0) b.noise(0, sNoise * up);
    b.mark(0, 1, next * next);
  }
  return b.build();
}
