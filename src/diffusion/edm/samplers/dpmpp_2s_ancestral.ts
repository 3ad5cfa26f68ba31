/**
 * k-diffusion's `sample_dpmpp_2s_ancestral`: DPM-Solver++(2S) (Lu et al. 2022, r = 1/2) in t = -log sigma to
 * sigma_down, then fresh noise of standard deviation s_noise sigma_up when sigma_{i+1} > 0
 * (get_ancestral_step); an Euler step when sigma_down = 0 (the last step).
 */
import { type Tape } from '../../statespace/tape.js';
import { denoiserSlot } from './common.js';
import { type AncestralOptions, ancestralTape, eulerToZero } from './ancestral.js';

/** Registers: 0 = x, 1 = D, 2 = x_2, 3 = D_2. NFE = 2 steps - (steps with sigma_down = 0). */
export function dpmpp2sAncestral(sigmas: Float64Array, opts: AncestralOptions = {}): Tape {
  return ancestralTape(sigmas, opts, (b, sigma, down) => {
    if (down === 0) return eulerToZero(b, sigma);
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
    b.nfe += 2;
    b.lin(0, [[0, Math.exp(-tNext) / sigmaT], [3, -Math.expm1(-h)]]);
  });
}
