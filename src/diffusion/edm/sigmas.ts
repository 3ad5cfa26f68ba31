/**
 * Noise levels of the EDM / k-diffusion frame (x = x0 + sigma z), as k-diffusion builds them
 * (k_diffusion/sampling.py): `n` decreasing levels from sigma_max to sigma_min, then a 0 appended, so
 * `steps` = n = the number of sampler steps and the result has length n + 1.
 */
import { fail } from '../../core/errors.js';
import { checkInteger, describe } from '../../core/checks.js';

/** Most noise levels accepted (a guard against typos such as 1e10). */
export const MAX_SIGMA_STEPS = 10_000_000;

function checkSteps(n: unknown): number {
  return checkInteger(n, 'steps', 1, MAX_SIGMA_STEPS, `an integer number of steps from 1 to ${MAX_SIGMA_STEPS}`, 'INVALID_STEPS');
}

function checkPositive(x: unknown, argument: string): number {
  if (typeof x !== 'number' || !Number.isFinite(x) || x <= 0) fail('INVALID_SCHEDULE', argument, `got ${describe(x)}`, 'a finite number > 0');
  return x;
}

function checkRange(n: unknown, sigmaMin: unknown, sigmaMax: unknown): [number, number, number] {
  const steps = checkSteps(n);
  const lo = checkPositive(sigmaMin, 'sigmaMin');
  const hi = checkPositive(sigmaMax, 'sigmaMax');
  if (lo > hi) fail('INVALID_SCHEDULE', 'sigmaMin', `${lo} is above sigmaMax = ${hi}`, 'sigmaMin <= sigmaMax');
  return [steps, lo, hi];
}

/**
 * Karras et al. (2022), eq. (5): sigma_i = (sigma_max^(1/rho) + i/(n-1) (sigma_min^(1/rho) - sigma_max^(1/rho)))^rho,
 * i = 0..n-1 (i/(n-1) read as 0 when n = 1), then 0.
 */
export function karrasSigmas(n: number, sigmaMin: number, sigmaMax: number, rho = 7): Float64Array {
  const [steps, lo, hi] = checkRange(n, sigmaMin, sigmaMax);
  const r = checkPositive(rho, 'rho');
  const a = hi ** (1 / r);
  const b = lo ** (1 / r);
  const out = new Float64Array(steps + 1);
  for (let i = 0; i < steps; i++) out[i] = (a + (steps > 1 ? i / (steps - 1) : 0) * (b - a)) ** r;
  return out;
}

/** Log-uniform levels: sigma_i = exp(log sigma_max + i/(n-1) (log sigma_min - log sigma_max)), i = 0..n-1, then 0. */
export function exponentialSigmas(n: number, sigmaMin: number, sigmaMax: number): Float64Array {
  const [steps, lo, hi] = checkRange(n, sigmaMin, sigmaMax);
  const a = Math.log(hi);
  const b = Math.log(lo);
  const out = new Float64Array(steps + 1);
  for (let i = 0; i < steps; i++) out[i] = Math.exp(a + (steps > 1 ? i / (steps - 1) : 0) * (b - a));
  return out;
}

/**
 * Polynomial in log sigma (get_sigmas_polyexponential): ramp_i = (1 - i/(n-1))^rho (1 when n = 1),
 * sigma_i = exp(ramp_i (log sigma_max - log sigma_min) + log sigma_min), i = 0..n-1, then 0.
 */
export function polyexponentialSigmas(n: number, sigmaMin: number, sigmaMax: number, rho = 1): Float64Array {
  const [steps, lo, hi] = checkRange(n, sigmaMin, sigmaMax);
  const r = checkPositive(rho, 'rho');
  const out = new Float64Array(steps + 1);
  for (let i = 0; i < steps; i++) {
    const ramp = (steps > 1 ? 1 - i / (steps - 1) : 1) ** r;
    out[i] = Math.exp(ramp * (Math.log(hi) - Math.log(lo)) + Math.log(lo));
  }
  return out;
}

/**
 * Continuous VP levels (get_sigmas_vp; Song et al. 2021): t_i = 1 + i/(n-1) (eps_s - 1) (1 when n = 1),
 * sigma_i = sqrt(exp(beta_d t_i^2 / 2 + beta_min t_i) - 1) (evaluated with expm1), i = 0..n-1, then 0.
 */
export function vpSigmas(n: number, betaD = 19.9, betaMin = 0.1, epsS = 1e-3): Float64Array {
  const steps = checkSteps(n);
  const d = checkPositive(betaD, 'betaD');
  if (typeof betaMin !== 'number' || !Number.isFinite(betaMin) || betaMin < 0) fail('INVALID_SCHEDULE', 'betaMin', `got ${describe(betaMin)}`, 'a finite number >= 0');
  if (typeof epsS !== 'number' || !(epsS > 0 && epsS <= 1)) fail('INVALID_SCHEDULE', 'epsS', `got ${describe(epsS)}`, 'a number 0 < epsS <= 1');
  const out = new Float64Array(steps + 1);
  for (let i = 0; i < steps; i++) {
    const t = 1 + (steps > 1 ? i / (steps - 1) : 0) * (epsS - 1);
    out[i] = Math.sqrt(Math.expm1((d * t * t) / 2 + betaMin * t));
  }
  return out;
}

/**
 * A user's levels, checked: length >= 2, every level finite, the levels the model sees (all but the last)
 * > 0, the last >= 0. Returned as a fresh Float64Array (the input is not kept or mutated).
 */
export function checkSigmas(sigmas: unknown, argument = 'sigmas'): Float64Array {
  const len = (sigmas as { length?: unknown } | null)?.length;
  if (sigmas === null || typeof sigmas !== 'object' || typeof len !== 'number' || !Number.isSafeInteger(len)) {
    fail('INVALID_SCHEDULE', argument, `expected an array of noise levels, got ${describe(sigmas)}`, 'an array of noise levels sigma_0 > 0, ..., sigma_n >= 0');
  }
  if (len < 2 || len > MAX_SIGMA_STEPS + 1) {
    fail('INVALID_SCHEDULE', argument, `has length ${len}`, `from 2 to ${MAX_SIGMA_STEPS + 1} levels (steps + 1, the last usually 0)`);
  }
  const arr = sigmas as ArrayLike<unknown>;
  for (let i = 0; i < len; i++) {
    const s = arr[i];
    const last = i === len - 1;
    if (typeof s !== 'number' || !Number.isFinite(s) || s < 0 || (s === 0 && !last)) {
      fail('INVALID_SCHEDULE', `${argument}[${i}]`, `got ${describe(s)}`, last ? 'a finite level >= 0' : 'a finite level > 0 (the model is evaluated there)');
    }
  }
  return Float64Array.from(arr as ArrayLike<number>);
}
