/**
 * Grid optimiser: for an EDM-frame (k-diffusion) sampler and a budget, the noise levels
 * sigma_0 = sigma_max > sigma_1 > ... > sigma_{n-1} = sigma_min (then 0) that minimise the exact W2 of
 * edmSamplerError, starting from Karras et al. (2022) eq. (5) with rho = 7.
 *
 * Parameters: the n - 1 log-level increments d_i = log sigma_i - log sigma_{i+1} (i = 0..n-2) are
 * d = log(sigma_max / sigma_min) softmax(theta_0, ..., theta_{n-3}, 0): every theta in R^{n-2} gives a strictly
 * decreasing grid with the right endpoints (n - 2 free parameters = the interior levels). W2 is smooth in
 * theta; it is minimised by BFGS (Nocedal & Wright 2006, Alg. 6.1, eq. 6.17; H_0 scaled by eq. 6.20) with
 * central-difference gradients and an Armijo backtracking line search: deterministic, derivative-free for
 * the caller. Every point evaluated is a call of edmSamplerError (Wasm back end) on its levels, so the
 * returned w2 is what edmSamplerError gives on the returned sigmas, bit for bit.
 *
 * Stochastic samplers (ancestral, SDE, churn) are allowed: the law of their output, and so its W2, is exact
 * too. With churn restricted by sTmin/sTmax, W2 jumps where a level crosses those bounds (k-diffusion's
 * switch): the search still only accepts improvements, but may stop at such a kink.
 */
import { fail } from '../core/errors.js';
import { checkInteger, describe } from '../core/checks.js';
import { checkOptions, optionKeys } from '../core/options.js';
import { type SpectrumInput } from '../spectra/spectrum.js';
import { karrasSigmas } from './edm/sigmas.js';
import { EDM_SAMPLERS, EDM_SAMPLER_NAMES, type EdmStart, checkStart } from './edm/samplers/index.js';
import { type EdmSamplerErrorOptions, edmSamplerError } from './statespace/index.js';

/** Most steps optimised (each gradient costs 2 (steps - 2) evaluations). */
export const MAX_OPTIMIZE_STEPS = 1000;

/** Sampler options are edmSamplerError's (which checks them): sChurn, sTmin, sTmax, sNoise, eta, solverType, r. */
export interface OptimizeSigmasOptions extends Pick<EdmSamplerErrorOptions, 'sChurn' | 'sTmin' | 'sTmax' | 'sNoise' | 'eta' | 'solverType' | 'r'> {
  /** k-diffusion name (EDM_SAMPLER_NAMES). */
  sampler: string;
  /** Budget as a number of noise levels before the appended 0 (k-diffusion's `steps`); or give `nfe`. */
  steps?: number;
  /** Budget in denoiser evaluations (counted as k-diffusion does): the most steps whose NFE fits. */
  nfe?: number;
  /** Endpoints kept fixed (defaults 0.002 and 80). */
  sigmaMin?: number;
  sigmaMax?: number;
  /** rho of the Karras starting grid (default 7; rho = 1 is uniform in sigma). */
  rho?: number;
  /** 'prior' (default) or 'exact', as in edmSamplerError. */
  start?: EdmStart;
  /** Most calls of edmSamplerError, the Karras start included (default 2000). */
  maxEvaluations?: number;
  /** Stop when an iteration lowers W2 by less than this fraction (default 1e-9). */
  tolerance?: number;
}

export const OPTIMIZE_SIGMAS_KEYS = optionKeys<OptimizeSigmasOptions>({
  sampler: true, steps: true, nfe: true, sigmaMin: true, sigmaMax: true, rho: true, start: true,
  maxEvaluations: true, tolerance: true, sChurn: true, sTmin: true, sTmax: true, sNoise: true, eta: true,
  solverType: true, r: true,
});

export interface OptimizeSigmasResult {
  readonly sampler: string;
  readonly steps: number;
  readonly nfe: number;
  /**
   * The best levels evaluated, length steps + 1 (the 0 appended): sigma_0 = sigmaMax and sigma_{n-1} = sigmaMin
   * exactly, except when no point beat the start, which is then returned as karrasSigmas built it.
   */
  readonly sigmas: Float64Array;
  readonly w2: number;
  /** W2 on the starting Karras grid (`karrasSigmas`). */
  readonly w2Karras: number;
  /** w2Karras / w2 (>= 1; 1 when both are 0). */
  readonly gain: number;
  /** Calls of edmSamplerError made. */
  readonly evaluations: number;
  readonly karrasSigmas: Float64Array;
  /** Why the search stopped: relative improvement below tolerance, budget spent, or no descent found. */
  readonly stop: 'tolerance' | 'maxEvaluations' | 'noDescent';
}

function checkLevel(x: unknown, argument: string): number {
  if (typeof x !== 'number' || !Number.isFinite(x) || x <= 0) fail('INVALID_SCHEDULE', argument, `got ${describe(x)}`, 'a finite number > 0');
  return x;
}

/** Central-difference step in theta (W2 is evaluated to ~1e-14 relative: gradient error ~1e-9 relative). */
const H = 1e-5;
/** Largest step in theta of one line search (a trust cap for the first, unscaled iterations). */
const MAX_STEP = 2;

/** The grid of theta: log sigma_{i+1} = log sigma_i - L softmax(theta, 0)_i, sigma_{n-1} = sigma_min exactly, then 0. */
function gridOf(theta: Float64Array, sigmaMin: number, sigmaMax: number): Float64Array {
  const m = theta.length;
  let top = 0;
  for (let i = 0; i < m; i++) top = Math.max(top, theta[i]);
  const w = new Float64Array(m + 1);
  let total = 0;
  for (let i = 0; i <= m; i++) total += w[i] = Math.exp((i < m ? theta[i] : 0) - top);
  const span = Math.log(sigmaMax / sigmaMin);
  const out = new Float64Array(m + 3);
  out[0] = sigmaMax;
  let logSigma = Math.log(sigmaMax);
  for (let i = 1; i <= m; i++) out[i] = Math.exp((logSigma -= (span * w[i - 1]) / total));
  out[m + 1] = sigmaMin;
  return out;
}

/** theta of a strictly decreasing grid (inverse of gridOf): theta_i = log(d_i / d_{n-2}). */
function thetaOf(sigmas: Float64Array): Float64Array {
  const n = sigmas.length - 1;
  const last = Math.log(Math.log(sigmas[n - 2] / sigmas[n - 1]));
  return Float64Array.from({ length: n - 2 }, (_, i) => Math.log(Math.log(sigmas[i] / sigmas[i + 1])) - last);
}

const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * b[i], 0);

/** The noise levels minimising the exact W2 of `sampler` at a budget of `steps` or `nfe` (see the file comment). */
export async function optimizeSigmas(spectrum: SpectrumInput, opts: OptimizeSigmasOptions): Promise<OptimizeSigmasResult> {
  checkOptions(opts, OPTIMIZE_SIGMAS_KEYS);
  if (opts === undefined) fail('MISSING_OPTION', 'opts.sampler', 'no options', `an options object with sampler among ${EDM_SAMPLER_NAMES.join(', ')}`);
  const { sampler, sigmaMin = 0.002, sigmaMax = 80, rho = 7, maxEvaluations = 2000, tolerance = 1e-9 } = opts;
  if (typeof sampler !== 'string' || !Object.hasOwn(EDM_SAMPLERS, sampler)) {
    fail('UNKNOWN_SCHEME', 'sampler', `got ${describe(sampler)}`, EDM_SAMPLER_NAMES.join(', '));
  }
  // dpm_fast builds its own grid from sigma_max and sigma_min alone: there are no levels to optimise.
  if (sampler === 'dpm_fast') fail('INVALID_OPTION', 'sampler', 'dpm_fast uses only sigma_max and sigma_min (its own uniform grid in log sigma)', 'a sampler that runs on the given noise levels');
  checkStart(opts.start);
  if ((opts.steps === undefined) === (opts.nfe === undefined)) {
    fail(opts.steps === undefined ? 'MISSING_OPTION' : 'INVALID_OPTION', 'steps', opts.steps === undefined ? 'neither steps nor nfe' : 'given together with nfe', 'exactly one of steps and nfe');
  }
  const lo = checkLevel(sigmaMin, 'sigmaMin');
  const hi = checkLevel(sigmaMax, 'sigmaMax');
  if (!(lo < hi)) fail('INVALID_SCHEDULE', 'sigmaMin', `${lo} is not below sigmaMax = ${hi}`, 'sigmaMin < sigmaMax');
  checkLevel(rho, 'rho');
  checkInteger(maxEvaluations, 'maxEvaluations', 1, Number.MAX_SAFE_INTEGER, 'an integer >= 1 (the Karras start is one evaluation)');
  if (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance < 0) fail('INVALID_OPTION', 'tolerance', `got ${describe(tolerance)}`, 'a finite number >= 0');
  const samplerOpts: EdmSamplerErrorOptions = {
    sampler, start: opts.start, sChurn: opts.sChurn, sTmin: opts.sTmin, sTmax: opts.sTmax, sNoise: opts.sNoise,
    eta: opts.eta, solverType: opts.solverType, r: opts.r, curve: false, // only w2 and nfe are read
  };

  let steps: number;
  if (opts.steps !== undefined) {
    steps = checkInteger(opts.steps, 'steps', 1, MAX_OPTIMIZE_STEPS, `an integer from 1 to ${MAX_OPTIMIZE_STEPS}`, 'INVALID_STEPS');
  } else {
    const budget = checkInteger(opts.nfe, 'nfe', 1, 2 * MAX_OPTIMIZE_STEPS, `an integer from 1 to ${2 * MAX_OPTIMIZE_STEPS}`, 'INVALID_STEPS');
    // The most steps whose NFE (read off the sampler's tape on a Karras grid) fits the budget.
    const nfeOf = (s: number) => EDM_SAMPLERS[sampler].build(karrasSigmas(s, lo, hi, rho), samplerOpts).nfe;
    if (nfeOf(1) > budget) fail('INVALID_STEPS', 'nfe', `${sampler} needs ${nfeOf(1)} evaluations for one step`, `nfe >= ${nfeOf(1)}`);
    steps = 1;
    while (steps < MAX_OPTIMIZE_STEPS && nfeOf(steps + 1) <= budget) steps++;
  }

  // The start: Karras levels, evaluated as given (this call checks the sampler options and the spectrum).
  const karras = karrasSigmas(steps, lo, hi, rho);
  const first = await edmSamplerError(spectrum, { ...samplerOpts, sigmas: karras });
  const w2Karras = first.w2;
  let best = { sigmas: karras, w2: w2Karras };
  let evaluations = 1;
  const result = (stop: OptimizeSigmasResult['stop']): OptimizeSigmasResult => ({
    sampler, steps, nfe: first.nfe, sigmas: best.sigmas, w2: best.w2, w2Karras,
    gain: best.w2 > 0 ? w2Karras / best.w2 : w2Karras > 0 ? Infinity : 1, evaluations, karrasSigmas: karras, stop,
  });
  const m = steps - 2;
  if (m < 1) return result('tolerance'); // no interior level to move

  /** W2 at theta (Infinity if round-off made the grid not strictly decreasing or W2 is not finite). */
  const f = async (theta: Float64Array): Promise<number> => {
    evaluations++;
    const sigmas = gridOf(theta, lo, hi);
    for (let i = 0; i < steps - 1; i++) if (!(sigmas[i] > sigmas[i + 1])) return Infinity;
    const { w2 } = await edmSamplerError(spectrum, { ...samplerOpts, sigmas });
    if (!Number.isFinite(w2)) return Infinity;
    if (w2 < best.w2) best = { sigmas, w2 };
    return w2;
  };
  /** Central differences: g_i = (f(theta + h e_i) - f(theta - h e_i)) / 2h. */
  const gradient = async (theta: Float64Array): Promise<Float64Array> => {
    const g = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      const t = Float64Array.from(theta);
      t[i] = theta[i] + H;
      const up = await f(t);
      t[i] = theta[i] - H;
      g[i] = (up - (await f(t))) / (2 * H);
    }
    return g;
  };
  const left = () => maxEvaluations - evaluations;

  let x = thetaOf(karras);
  let fx = w2Karras;
  if (left() < 2 * m) return result('maxEvaluations');
  let g = await gradient(x);
  let Hinv: Float64Array | null = null; // inverse Hessian estimate; null = (scaled) identity not yet known
  for (;;) {
    if (!g.every(Number.isFinite)) return result('noDescent');
    // p = -H g (steepest descent until the first curvature pair is known, or when H stops giving descent).
    let p = new Float64Array(m);
    if (Hinv) for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) p[i] -= Hinv[i * m + j] * g[j];
    if (!Hinv || dot(p, g) >= 0) p = g.map((v) => -v);
    const slope = dot(p, g);
    if (!(slope < 0)) return result('noDescent');
    // Armijo backtracking: f(x + a p) <= f(x) + 1e-4 a g.p, from a = 1 capped to |a p|_inf <= MAX_STEP.
    let a = Math.min(1, MAX_STEP / p.reduce((s, v) => Math.max(s, Math.abs(v)), 0));
    let xNew: Float64Array | null = null;
    let fNew = fx;
    for (let tries = 0; tries < 40; tries++, a /= 2) {
      if (left() < 1) return result('maxEvaluations');
      const t = x.map((v, i) => v + a * p[i]);
      const ft = await f(t);
      if (ft <= fx + 1e-4 * a * slope) {
        xNew = t;
        fNew = ft;
        break;
      }
    }
    if (!xNew) return result('noDescent');
    const improvement = (fx - fNew) / fx;
    if (left() < 2 * m) return result('maxEvaluations');
    const gNew = await gradient(xNew);
    // BFGS update of the inverse Hessian (N&W eq. 6.17) with s = x_{k+1} - x_k, y = g_{k+1} - g_k, if s.y > 0.
    const s = xNew.map((v, i) => v - x[i]);
    const y = gNew.map((v, i) => v - g[i]);
    const sy = dot(s, y);
    if (sy > 0 && Number.isFinite(sy)) {
      if (!Hinv) { // H_0 = (s.y / y.y) I (N&W eq. 6.20)
        Hinv = new Float64Array(m * m);
        for (let i = 0; i < m; i++) Hinv[i * m + i] = sy / dot(y, y);
      }
      const Hy = new Float64Array(m);
      for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) Hy[i] += Hinv[i * m + j] * y[j];
      const yHy = dot(y, Hy);
      // H+ = H - (H y s^T + s y^T H) / s.y + (1 + y.H y / s.y) s s^T / s.y
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < m; j++) Hinv[i * m + j] += (-(Hy[i] * s[j] + s[i] * Hy[j]) + (1 + yHy / sy) * s[i] * s[j]) / sy;
      }
    }
    x = xNew;
    fx = fNew;
    g = gNew;
    if (improvement < tolerance) return result('tolerance');
  }
}
