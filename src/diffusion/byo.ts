/**
 * Bring your own sampler: the exact W2 of a user's JS sampler with k-diffusion's signature
 * `(model, x, sigmas, { noise }) => x` (or a Promise of x), in the EDM frame x = x0 + sigma z.
 *
 * gaussdiff drives the sampler on the eigenbasis: a batch of rows of d = (number of distinct eigenvalues)
 * columns, row-major, and a model that returns the exact denoiser D(x, sigma) = l_i / (l_i + sigma^2) x on
 * column i of every row. The sampler must draw all its randomness through `extra.noise(n)`, which returns
 * n standard normals, and use them elementwise: a draw of n = m x.length values is m batch-shaped draws, and
 * entry e of a draw feeds entry e of x (`x[e] += s * noise(x.length)[e]`). It may call the model and noise
 * any number of times. It is then linear per entry: x_out = A_i x_start + sum_k B_{k,i} xi_k on column i,
 * with per-mode variance A_i^2 v0_i + sum_k B_{k,i}^2 (the xi_k independent standard normals).
 *
 * Three runs: (1) counting: one row x = 1, noise 0, to count the draws K; (2) probe: 1 + K rows, row 0 the
 * start x = 1 with no noise, row 1 + k the k-th draw alone (1 on its own row, 0 elsewhere), so row 0 of the
 * output is A and row 1 + k is B_k; (3) check: random starts and random noise on two rows, compared with
 * the prediction A x + sum_k B_k xi_k to 1e-9 relative, and the same model levels as the probe. A sampler
 * that fails the check (clipping, steps that depend on x, noise shared across entries, draws that differ
 * between runs) is refused with NOT_LINEAR.
 *
 * Comparison (option `compare`, default true): every built-in k-diffusion sampler (EDM_SAMPLER_NAMES, each
 * with its default options) at the user's NFE budget, with stepsForNfe(sampler, nfe) steps (a sampler whose
 * one step costs more than the budget is left out), on the user's levels family: with schedule options, the
 * same schedule, sigmaMin, sigmaMax, rho and start; with explicit `sigmas`, Karras levels (rho = 7) from the
 * user's first level to its last positive one, with the same start: the built-ins then run at their own
 * number of steps for the budget, not on the user's array.
 */
import { fail } from '../core/errors.js';
import { describe } from '../core/checks.js';
import { checkOptions, optionKeys } from '../core/options.js';
import { neumaierSum } from '../core/sums.js';
import { type SpectrumInput, prepareSpectrum } from '../spectra/spectrum.js';
import { type EdmStart, checkStart } from './edm/samplers/index.js';
import { EDM_SAMPLER_NAMES } from './edm/samplers/index.js';
import { edmSamplerError, edmSigmas } from './statespace/index.js';
import { stepsForNfe } from './rank.js';
import { squaredRootGap } from './statespace/reference.js';

/** The model a user's sampler receives: the denoised batch, a new array. `sigma` is a number or one per row. */
export type UserModel = (x: Float64Array, sigma: number | ArrayLike<number>) => Float64Array;
export interface UserSamplerExtra {
  /** n standard normals (n a multiple of the batch's x.length), used elementwise. */
  noise: (n: number) => Float64Array;
}
export type UserSampler = (model: UserModel, x: Float64Array, sigmas: Float64Array, extra: UserSamplerExtra) => ArrayLike<number> | Promise<ArrayLike<number>>;

export interface UserSamplerErrorOptions {
  /** Noise levels sigma_0 > ... > sigma_n >= 0 (k-diffusion's array, the 0 included); else built from `schedule`. */
  sigmas?: ArrayLike<number>;
  /** 'karras' (default) or 'exponential' when `sigmas` is not given. */
  schedule?: 'karras' | 'exponential';
  /** Number of noise levels before the appended 0. */
  steps?: number;
  sigmaMin?: number;
  sigmaMax?: number;
  rho?: number;
  /** 'prior': x_start ~ N(0, sigma_0^2) (default); 'exact': N(0, l + sigma_0^2). */
  start?: EdmStart;
  /** Compare with every built-in sampler at the same NFE (default true; false skips that work). */
  compare?: boolean;
}

export const USER_SAMPLER_ERROR_KEYS = optionKeys<UserSamplerErrorOptions>({
  sigmas: true, schedule: true, steps: true, sigmaMin: true, sigmaMax: true, rho: true, start: true, compare: true,
});

/** A built-in sampler at the user's NFE budget. */
export interface UserSamplerComparisonRow {
  readonly sampler: string;
  readonly steps: number;
  readonly nfe: number;
  readonly w2: number;
}

/** Relative gap under which the user's W2 ties with a built-in's (the probe reproduces a tape to about 1e-12). */
export const RANK_TIE_TOLERANCE = 1e-9;

export interface UserSamplerErrorResult {
  readonly w2: number;
  readonly w2Squared: number;
  /** Variance of the sampler's output on each distinct eigenvalue (ascending, as prepareSpectrum orders them). */
  readonly variances: Float64Array;
  /** Model calls per batch in the probe run. */
  readonly nfe: number;
  /** Calls of extra.noise per batch. */
  readonly noiseCalls: number;
  /**
   * Every built-in sampler that fits the user's NFE, by increasing W2 (ties: EDM_SAMPLER_NAMES order);
   * absent when `compare` is false.
   */
  readonly comparison?: UserSamplerComparisonRow[];
  /**
   * 1 + the number of comparison rows whose W2 is below the user's by more than RANK_TIE_TOLERANCE relative:
   * the user's sampler ranks ahead of the built-ins it ties with. Absent when `compare` is false.
   */
  readonly rank?: number;
}

/** Most batch-shaped noise draws, and most entries rows x d of the probe batch. */
export const MAX_NOISE_DRAWS = 4096;
export const MAX_PROBE_ENTRIES = 2 ** 26;

/** Relative tolerance of the linearity check. */
const CHECK_TOLERANCE = 1e-9;

/** What one run of the sampler did: model levels, draws per noise call, and its output. */
interface Run {
  levels: number[];
  draws: number[];
  out: Float64Array;
}

/**
 * Run the sampler on `x` (rows x d). `fill(draw, out)` writes batch-shaped noise draw number `draw`
 * (counted over all calls) into `out`.
 */
async function run(sampler: UserSampler, values: Float64Array, x: Float64Array, sigmas: Float64Array,
  fill: (draw: number, out: Float64Array) => void): Promise<Run> {
  const d = values.length;
  const N = x.length;
  const levels: number[] = [];
  const draws: number[] = [];
  let drawn = 0;
  const model: UserModel = (y, sigma) => {
    if (!(y instanceof Float64Array) || y.length === 0 || y.length % d !== 0) {
      fail('INVALID_SHAPE', 'sampler', `called the model with ${describe(y)}`, `a Float64Array of rows x ${d} entries (one column per distinct eigenvalue)`);
    }
    const rows = y.length / d;
    const perRow = typeof sigma !== 'number';
    if (perRow && (sigma === null || typeof sigma !== 'object' || sigma.length !== rows)) {
      fail('INVALID_SHAPE', 'sampler', `called the model with sigma ${describe(sigma)}`, `a number or one level per row (${rows})`);
    }
    const out = new Float64Array(y.length);
    for (let r = 0; r < rows; r++) {
      const s = perRow ? (sigma as ArrayLike<number>)[r] : (sigma as number);
      if (typeof s !== 'number' || !Number.isFinite(s) || s < 0) fail('NON_FINITE', 'sampler', `called the model at sigma = ${describe(s)}`, 'finite levels >= 0');
      if (r === 0) levels.push(s);
      // D(x, sigma) = l / (l + sigma^2) x per mode (EDM frame); D(x, 0) = x.
      for (let i = 0; i < d; i++) {
        const den = values[i] + s * s;
        out[r * d + i] = (den === 0 ? 1 : values[i] / den) * y[r * d + i];
      }
    }
    return out;
  };
  const noise = (n: number): Float64Array => {
    if (!Number.isSafeInteger(n) || n < 0 || n % N !== 0) {
      fail('NOT_LINEAR', 'sampler', `drew noise(${describe(n)}) with a batch of x.length = ${N}`,
        'noise(m x.length), each value used on its own entry of x (gaussdiff ties every noise value to one entry)');
    }
    const m = n / N;
    if (drawn + m > MAX_NOISE_DRAWS) fail('TOO_LARGE', 'sampler', `draws more than ${MAX_NOISE_DRAWS} batch-shaped noises`, `at most ${MAX_NOISE_DRAWS}`);
    const out = new Float64Array(n);
    for (let k = 0; k < m; k++) fill(drawn + k, out.subarray(k * N, (k + 1) * N));
    draws.push(m);
    drawn += m;
    return out;
  };
  const result = await sampler(model, x, Float64Array.from(sigmas), { noise });
  const len = (result as { length?: unknown } | null)?.length;
  if (result === null || typeof result !== 'object' || len !== N) {
    fail('INVALID_SHAPE', 'sampler', `returned ${describe(result)}`, `an array of x.length = ${N} numbers`);
  }
  const out = Float64Array.from(result);
  for (let e = 0; e < N; e++) {
    if (!Number.isFinite(out[e])) fail('NON_FINITE', 'sampler', `returned ${describe(result[e])} at entry ${e}`, 'finite numbers (the sampler diverged or is broken)');
  }
  return { levels, draws, out };
}

/** Standard normals from a small sync generator (mulberry32 + Box-Muller): the check run's inputs. */
function normalSource(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

function sameSequence(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** The model's levels on two runs are the same sequence, else NOT_LINEAR naming the first difference. */
function checkSameLevels(a: number[], b: number[], aName: string, bName: string): void {
  const allowed = 'steps that do not depend on x (no adaptive step size)';
  if (a.length !== b.length) fail('NOT_LINEAR', 'sampler', `called the model ${a.length} times on ${aName} and ${b.length} times on ${bName}`, allowed);
  const k = a.findIndex((v, i) => v !== b[i]);
  if (k >= 0) fail('NOT_LINEAR', 'sampler', `called the model at sigma = ${a[k]} on ${aName} and ${b[k]} on ${bName} (call ${k})`, allowed);
}

/**
 * Exact W2 between the output law of a user's sampler (started from the `start` law at sigmas[0]) and
 * N(0, S). Errors: options (INVALID_OPTION, UNKNOWN_OPTION, INVALID_SCHEDULE, ...) before any call;
 * TOO_LARGE; NOT_LINEAR (the sampler is not the linear elementwise map the probe assumes); INVALID_SHAPE
 * and NON_FINITE (the sampler misused the model or returned a bad array).
 */
export async function userSamplerError(spectrum: SpectrumInput, sampler: UserSampler, opts: UserSamplerErrorOptions = {}): Promise<UserSamplerErrorResult> {
  checkOptions(opts, USER_SAMPLER_ERROR_KEYS);
  if (typeof sampler !== 'function') fail('INVALID_OPTION', 'sampler', `got ${describe(sampler)}`, 'a function (model, x, sigmas, { noise }) => x');
  checkStart(opts.start);
  const compare = opts.compare ?? true;
  if (typeof compare !== 'boolean') fail('INVALID_OPTION', 'compare', `got ${describe(compare)}`, 'true or false');
  const sigmas = edmSigmas({ sampler: 'user', sigmas: opts.sigmas, schedule: opts.schedule, steps: opts.steps, sigmaMin: opts.sigmaMin, sigmaMax: opts.sigmaMax, rho: opts.rho });
  const spec = prepareSpectrum(spectrum);
  const { values, counts } = spec;
  const d = values.length;
  if (d > MAX_PROBE_ENTRIES) fail('TOO_LARGE', 'spectrum', `${d} distinct eigenvalues`, `at most ${MAX_PROBE_ENTRIES}`);

  // (1) Counting run: one row, x = 1, no noise.
  const counting = await run(sampler, values, new Float64Array(d).fill(1), sigmas, () => {});
  const K = counting.draws.reduce((a, b) => a + b, 0);
  if ((1 + K) * d > MAX_PROBE_ENTRIES) {
    fail('TOO_LARGE', 'sampler', `the probe needs (1 + ${K} draws) x ${d} modes entries`, `at most ${MAX_PROBE_ENTRIES}`);
  }

  // (2) Probe run: row 0 = start x = 1, row 1 + k = draw k alone.
  const x = new Float64Array((1 + K) * d);
  x.fill(1, 0, d);
  const probe = await run(sampler, values, x, sigmas, (k, out) => out.fill(1, (1 + k) * d, (2 + k) * d));
  if (!sameSequence(probe.draws, counting.draws)) {
    fail('NOT_LINEAR', 'sampler', `drew noise ${probe.draws.length} times on the probe and ${counting.draws.length} times on one row`, 'the same noise calls whatever the batch');
  }
  const A = probe.out.subarray(0, d);

  // (3) Check run: two rows of random starts (with the start law's scale) and random noise.
  const v0 = new Float64Array(d);
  for (let i = 0; i < d; i++) v0[i] = (opts.start === 'exact' ? values[i] : 0) + sigmas[0] * sigmas[0];
  const gauss = normalSource(0x9e3779b9);
  const rows = 2;
  const xc = new Float64Array(rows * d);
  for (let e = 0; e < xc.length; e++) xc[e] = Math.sqrt(v0[e % d]) * gauss();
  const predicted = new Float64Array(rows * d);
  const scale = new Float64Array(rows * d);
  for (let e = 0; e < xc.length; e++) {
    predicted[e] = A[e % d] * xc[e];
    scale[e] = Math.abs(xc[e]) + Math.abs(predicted[e]);
  }
  const check = await run(sampler, values, Float64Array.from(xc), sigmas, (k, out) => {
    for (let e = 0; e < out.length; e++) {
      out[e] = gauss();
      const term = probe.out[(1 + k) * d + (e % d)] * out[e]; // B_{k,i} xi_k
      predicted[e] += term;
      scale[e] += Math.abs(term) + sigmas[0] * Math.abs(out[e]);
    }
  });
  if (!sameSequence(check.draws, counting.draws)) {
    fail('NOT_LINEAR', 'sampler', `drew noise [${check.draws}] (in batch-shaped draws per call) on random inputs and [${counting.draws}] on the probe`, 'noise calls that do not depend on x');
  }
  checkSameLevels(counting.levels, probe.levels, 'one row', 'the probe');
  checkSameLevels(probe.levels, check.levels, 'the probe', 'random inputs');
  for (let e = 0; e < predicted.length; e++) {
    if (!(Math.abs(check.out[e] - predicted[e]) <= CHECK_TOLERANCE * scale[e])) {
      fail('NOT_LINEAR', 'sampler', `returned ${check.out[e]} at row ${Math.floor(e / d)}, mode ${e % d} where its linear probe predicts ${predicted[e]}`,
        'a sampler linear in x and in its noise, each noise value used on its own entry (no clipping, no x-dependent steps, no mixing of rows or columns)');
    }
  }

  // Per-mode variance A_i^2 v0_i + sum_k B_{k,i}^2, then W2^2 = sum_i w_i (sqrt v_i - sqrt l_i)^2.
  const variances = new Float64Array(d);
  const terms = new Float64Array(K + 1);
  for (let i = 0; i < d; i++) {
    terms[0] = A[i] * A[i] * v0[i];
    for (let k = 0; k < K; k++) terms[1 + k] = probe.out[(1 + k) * d + i] ** 2;
    variances[i] = neumaierSum(terms);
    if (!Number.isFinite(variances[i])) fail('NON_FINITE', 'sampler', `the output variance of mode ${i} (eigenvalue ${values[i]}) overflows`, 'a sampler whose output stays finite');
  }
  const gaps = new Float64Array(d);
  for (let i = 0; i < d; i++) gaps[i] = squaredRootGap(variances[i], values[i], counts[i]);
  const w2Squared = neumaierSum(gaps);
  const w2 = Math.sqrt(w2Squared);
  const nfe = probe.levels.length;
  const result = { w2, w2Squared, variances, nfe, noiseCalls: probe.draws.length };
  if (!compare) return result;
  const comparison = await compareBuiltins(spec, nfe, sigmas, opts);
  const rank = 1 + comparison.filter((r) => r.w2 < w2 * (1 - RANK_TIE_TOLERANCE)).length;
  return { ...result, comparison, rank };
}

/** The built-in samplers at `nfe` evaluations on the user's levels family (see the file's comment), by W2. */
async function compareBuiltins(spec: ReturnType<typeof prepareSpectrum>, nfe: number, sigmas: Float64Array,
  opts: UserSamplerErrorOptions): Promise<UserSamplerComparisonRow[]> {
  if (nfe < 1) return [];
  let lastPositive = sigmas.length - 1;
  while (sigmas[lastPositive] === 0) lastPositive--;
  const levels = opts.sigmas === undefined
    ? { schedule: opts.schedule, sigmaMin: opts.sigmaMin, sigmaMax: opts.sigmaMax, rho: opts.rho }
    : { schedule: 'karras' as const, sigmaMin: sigmas[lastPositive], sigmaMax: sigmas[0] };
  const rows: UserSamplerComparisonRow[] = [];
  for (const sampler of EDM_SAMPLER_NAMES) {
    const steps = stepsForNfe(sampler, nfe);
    if (steps === null) continue;
    const res = await edmSamplerError(spec, { sampler, steps, start: opts.start, ...levels });
    rows.push({ sampler, steps, nfe: res.nfe, w2: res.w2 });
  }
  return rows.sort((a, b) => a.w2 - b.w2); // stable: ties keep EDM_SAMPLER_NAMES order
}
