/**
 * k-diffusion's `sample_dpmpp_sde`: DPM-Solver++ stochastic, two stages per step in t = -log sigma
 * (s = t + r h, fac = 1 / (2 r)), each an ancestral step (get_ancestral_step) from sigma_i; an Euler step on
 * the step to sigma = 0.
 *
 * The noise law. k-diffusion draws both injections of step i from one Brownian path W in sigma (its
 * BrownianTreeNoiseSampler), each normalised by the root of its interval's length:
 *   z_1 = (W(sigma_s) - W(sigma_i)) / sqrt(sigma_i - sigma_s),   z_2 = (W(sigma_{i+1}) - W(sigma_i)) / sqrt(sigma_i - sigma_{i+1}),
 * (sigma_s = sigma_fn(s)). Both intervals start at sigma_i, so they are NOT disjoint: z_1, z_2 are standard
 * normals with correlation sqrt(a / (a + b)), a = sigma_i - sigma_s, b = sigma_s - sigma_{i+1}. Written with
 * the increments over the disjoint [sigma_s, sigma_i] and [sigma_{i+1}, sigma_s] (independent, variances a, b):
 *   z_1 = u_1,  z_2 = (sqrt(a) u_1 + sqrt(b) u_2) / sqrt(a + b),  u_1, u_2 iid N(0, 1).
 * Different steps use disjoint intervals [sigma_{i+1}, sigma_i]: independent.
 */
import { fail } from '../../../core/errors.js';
import { describe } from '../../../core/checks.js';
import { type Tape } from '../../statespace/tape.js';
import { denoiserSlot, startTape } from './common.js';
import { type AncestralOptions, ancestralStep, checkAncestral } from './ancestral.js';

export interface DpmppSdeOptions extends AncestralOptions {
  /** Position of the intermediate stage in t = -log sigma, 0 < r <= 1 (default 1/2). */
  r?: number;
}

function checkR(x: unknown): number {
  if (x === undefined) return 0.5;
  if (typeof x !== 'number' || !(x > 0 && x <= 1)) fail('INVALID_OPTION', 'r', `got ${describe(x)}`, 'a number 0 < r <= 1');
  return x;
}

/** Registers: 0 = x, 1 = denoised, 2 = x_2 then denoised_2, 3 = u_1. NFE = 2 steps - (steps ending at 0). */
export function dpmppSde(sigmas: Float64Array, opts: DpmppSdeOptions = {}): Tape {
  const { eta, sNoise } = checkAncestral(opts);
  const r = checkR(opts.r);
  const b = startTape(sigmas, opts.start);
  for (let i = 0; i + 1 < sigmas.length; i++) {
    const sigma = sigmas[i];
    const next = sigmas[i + 1];
    b.nfe++;
    if (next === 0) {
      // Euler to 0: x + (0 - sigma_i) (x - D) / sigma_i = D(x, sigma_i).
      b.prec(0, 0, denoiserSlot(b, sigma));
    } else {
      const t = -Math.log(sigma);
      const tNext = -Math.log(next);
      const h = tNext - t;
      const s = t + h * r;
      const fac = 1 / (2 * r);
      const sigmaT = Math.exp(-t);
      const sigmaS = Math.exp(-s);
      const sigmaNext = Math.exp(-tNext);
      b.prec(1, 0, denoiserSlot(b, sigma));
      // Stage 1: (sd, su) = get_ancestral_step(sigma_fn(t), sigma_fn(s)), s_ = -log sd;
      // x_2 = (sigma_fn(s_) / sigma_fn(t)) x - expm1(t - s_) denoised + s_noise su z_1.
      const [sd1, su1] = ancestralStep(sigmaT, sigmaS, eta);
      const s1 = -Math.log(sd1);
      b.lin(2, [[0, Math.exp(-s1) / sigmaT], [1, -Math.expm1(t - s1)]]);
      const [sd2, su2] = ancestralStep(sigmaT, sigmaNext, eta);
      const a = sigmaT - sigmaS;
      const bb = sigmaS - sigmaNext;
      if (su1 !== 0 && su2 !== 0) {
        b.lin(3, []); // u_1: a fresh standard normal, kept for z_2
        b.noise(3, 1);
        b.lin(2, [[2, 1], [3, sNoise * su1]]);
      } else {
        b.noise(2, sNoise * su1);
      }
      // denoised_2 = D(x_2, sigma_fn(s)).
      b.prec(2, 2, denoiserSlot(b, sigmaS));
      b.nfe++;
      // Stage 2: (sd, su) = get_ancestral_step(sigma_fn(t), sigma_fn(t_next)), t_next_ = -log sd;
      // x <- (sigma_fn(t_next_) / sigma_fn(t)) x - expm1(t - t_next_) ((1 - fac) denoised + fac denoised_2) + s_noise su z_2.
      const t2 = -Math.log(sd2);
      const g = -Math.expm1(t - t2);
      b.lin(0, [[0, Math.exp(-t2) / sigmaT], [1, g * (1 - fac)], [2, g * fac]]);
      if (su1 !== 0 && su2 !== 0) {
        b.lin(0, [[0, 1], [3, sNoise * su2 * Math.sqrt(a / (a + bb))]]);
        b.noise(0, sNoise * su2 * Math.sqrt(bb / (a + bb)));
      } else {
        b.noise(0, sNoise * su2);
      }
    }
    b.mark(0, 1, next * next);
  }
  return b.build();
}
