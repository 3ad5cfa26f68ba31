/**
 * k-diffusion's `sample_dpmpp_2m_sde`: DPM-Solver++(2M) SDE (Lu et al. 2022) in t = -log sigma, with
 * solver_type 'midpoint' (default) or 'heun' for the second-order correction, and per step fresh noise of
 * standard deviation s_noise sigma_{i+1} sqrt(1 - e^{-2 eta h}). k-diffusion draws it from a Brownian tree
 * over the disjoint intervals [sigma_{i+1}, sigma_i]: independent standard normals, one per step.
 */
import { fail } from '../../../core/errors.js';
import { describe } from '../../../core/checks.js';
import { type Tape } from '../../statespace/tape.js';
import { denoiserSlot, startTape } from './common.js';
import { type AncestralOptions, checkAncestral } from './ancestral.js';

export type SolverType = 'midpoint' | 'heun';

export interface Dpmpp2mSdeOptions extends AncestralOptions {
  solverType?: SolverType;
}

export function checkSolverType(x: unknown): SolverType {
  if (x === undefined) return 'midpoint';
  if (x !== 'midpoint' && x !== 'heun') fail('INVALID_OPTION', 'solverType', `got ${describe(x)}`, "'midpoint' or 'heun'");
  return x;
}

/** Registers: 0 = x, 1 = denoised, 2 = old denoised. NFE = steps. */
export function dpmpp2mSde(sigmas: Float64Array, opts: Dpmpp2mSdeOptions = {}): Tape {
  const { eta, sNoise } = checkAncestral(opts);
  const solverType = checkSolverType(opts.solverType);
  const b = startTape(sigmas, opts.start);
  let hLast: number | null = null;
  for (let i = 0; i + 1 < sigmas.length; i++) {
    const sigma = sigmas[i];
    const next = sigmas[i + 1];
    b.prec(1, 0, denoiserSlot(b, sigma));
    b.nfe++;
    if (next === 0) {
      b.lin(0, [[1, 1]]); // x <- denoised
    } else {
      // h = log sigma_i - log sigma_{i+1};  x <- (sigma_{i+1} / sigma_i) e^{-eta h} x - expm1(-h - eta h) denoised
      // (+ the correction c (denoised - old_denoised), r = h_last / h:
      //  midpoint c = -expm1(-h - eta h) / (2 r);  heun c = (-expm1(-h - eta h) / (-h - eta h) + 1) / r).
      const h = -Math.log(next) + Math.log(sigma);
      const etaH = eta * h;
      const gain = -Math.expm1(-h - etaH);
      let c = 0;
      if (hLast !== null) {
        const r = hLast / h;
        c = solverType === 'heun' ? (gain / (-h - etaH) + 1) * (1 / r) : 0.5 * gain * (1 / r);
      }
      b.lin(0, [[0, (next / sigma) * Math.exp(-etaH)], [1, gain + c], [2, -c]]);
      // x <- x + s_noise sigma_{i+1} sqrt(-expm1(-2 eta h)) eps.
      b.noise(0, next * Math.sqrt(-Math.expm1(-2 * etaH)) * sNoise);
      hLast = h;
    }
    if (i + 2 < sigmas.length) b.lin(2, [[1, 1]]); // old_denoised <- denoised
    b.mark(0, 1, next * next);
  }
  return b.build();
}
