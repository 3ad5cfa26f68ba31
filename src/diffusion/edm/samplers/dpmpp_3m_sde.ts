/**
 * k-diffusion's `sample_dpmpp_3m_sde`: DPM-Solver++(3M) SDE in t = -log sigma with the exponential-integrator
 * weights phi_2, phi_3 of h_eta = (1 + eta) h, and per step fresh noise of standard deviation
 * s_noise sigma_{i+1} sqrt(1 - e^{-2 eta h}) (a Brownian tree's increments over the disjoint intervals
 * [sigma_{i+1}, sigma_i]: independent standard normals).
 */
import { type Tape } from '../../statespace/tape.js';
import { denoiserSlot, startTape } from './common.js';
import { type AncestralOptions, checkAncestral } from './ancestral.js';

/** Registers: 0 = x, 1 = denoised, 2 = denoised_1, 3 = denoised_2. NFE = steps. */
export function dpmpp3mSde(sigmas: Float64Array, opts: AncestralOptions = {}): Tape {
  const { eta, sNoise } = checkAncestral(opts);
  const b = startTape(sigmas, opts.start);
  let h1: number | null = null;
  let h2: number | null = null;
  for (let i = 0; i + 1 < sigmas.length; i++) {
    const sigma = sigmas[i];
    const next = sigmas[i + 1];
    b.prec(1, 0, denoiserSlot(b, sigma));
    b.nfe++;
    if (next === 0) {
      b.lin(0, [[1, 1]]); // x <- denoised
    } else {
      // h = log sigma_i - log sigma_{i+1}, h_eta = h (eta + 1): x <- e^{-h_eta} x - expm1(-h_eta) denoised + correction.
      const h = -Math.log(next) + Math.log(sigma);
      const hEta = h * (eta + 1);
      let c0 = -Math.expm1(-hEta); // coefficient of denoised
      let c1 = 0; // of denoised_1
      let c2 = 0; // of denoised_2
      const phi2 = Math.expm1(-hEta) / hEta + 1;
      if (h2 !== null && h1 !== null) {
        // r0 = h_1 / h, r1 = h_2 / h, d1_0 = (D - D_1) / r0, d1_1 = (D_1 - D_2) / r1,
        // d1 = d1_0 + (d1_0 - d1_1) r0 / (r0 + r1), d2 = (d1_0 - d1_1) / (r0 + r1), phi_3 = phi_2 / h_eta - 1/2;
        // correction phi_2 d1 - phi_3 d2 = (A / r0) (D - D_1) + (B / r1) (D_1 - D_2) with
        // A = phi_2 (1 + r0 / (r0 + r1)) - phi_3 / (r0 + r1), B = (phi_3 - phi_2 r0) / (r0 + r1).
        const r0 = h1 / h;
        const r1 = h2 / h;
        const phi3 = phi2 / hEta - 0.5;
        const A = (phi2 * (1 + r0 / (r0 + r1)) - phi3 / (r0 + r1)) / r0;
        const B = (phi3 - phi2 * r0) / (r0 + r1) / r1;
        c0 += A;
        c1 = B - A;
        c2 = -B;
      } else if (h1 !== null) {
        // r = h_1 / h, correction phi_2 (D - D_1) / r.
        const g = phi2 / (h1 / h);
        c0 += g;
        c1 = -g;
      }
      b.lin(0, [[0, Math.exp(-hEta)], [1, c0], [2, c1], [3, c2]]);
      // x <- x + s_noise sigma_{i+1} sqrt(-expm1(-2 h eta)) eps.
      b.noise(0, next * Math.sqrt(-Math.expm1(-2 * h * eta)) * sNoise);
      h2 = h1;
      h1 = h;
    }
    if (i + 2 < sigmas.length) {
      b.lin(3, [[2, 1]]); // denoised_2 <- denoised_1
      b.lin(2, [[1, 1]]); // denoised_1 <- denoised
    }
    b.mark(0, 1, next * next);
  }
  return b.build();
}
