/**
 * First-order kernels of the score-matching -> sampling pipeline (docs/math.md §3.4, after
 * ../shared/score-matching.md §4): E W2^2 ~ sum_{i,j} [K_gen/N + K_opt](l_i, l_j) + sum_i K_bias(l_i), each
 * kernel written as an off-diagonal function K(l, l') plus a diagonal (i = j) extra Kd(l) = K_ii - K(l_i, l_i).
 *
 * Every pair kernel here has the form (p_k q_m + q_k p_m) / (2 s (s + e)^power), s = l_k + l_m, summed over a
 * rank of terms (one per VE level for the discrete diffusion kernel): the per-mode features p, q are computed
 * in TypeScript, and the O(D^2) sum over distinct values runs in Wasm (assembly/learning/kernels.ts); from
 * LAPLACE_MIN_DISTINCT distinct values a rank-1 kernel is summed instead in O(D Q) by a Laplace quadrature
 * (`laplaceRowSums`, the same sums to about 1e-15). On the diagonal the forms are replaced by their limits,
 * finite at l = 0.
 */
import { fail } from '../core/errors.js';
import { describe } from '../core/checks.js';
import { checkOptions, optionKeys } from '../core/options.js';
import { NeumaierSum, neumaierSum } from '../core/sums.js';
import { prepareSpectrum, type SpectrumInput } from '../spectra/spectrum.js';
import { checkWasmBytes, withWasm, type WasmScope } from '../wasm/kernel.js';
import { validateThreads } from '../runtime/threads.js';
import { exactScore, langevinOutputVariance, modeW2Squared, tweedieVariance, veEmVariance, veGrid } from './modes.js';

export type KernelSampler = 'langevin' | 'ula' | 'diffusion';
export type KernelSource = 'generalization' | 'optimization' | 'bias';

/** Parameters of the kernels (score-matching.md §2-§4 conventions). */
export interface KernelParams {
  /** N, number of training samples (required): K_gen / N. */
  samples: number;
  /** DSM noise amplitude sigma > 0 (Langevin, ULA; required there). Not with 'diffusion' (its levels are the grid). */
  sigma?: number;
  /** SGD step tau >= 0 (default 0: no optimization error). */
  tau?: number;
  /** SGD batch B >= 1 (default 1). */
  batch?: number;
  /** Sampler driven by the learned score (default 'langevin', continuous time). */
  sampler?: KernelSampler;
  /** ULA step gamma (required for 'ula'; 0 < gamma a < 2 on every mode, a = 1 / (l + sigma^2)). */
  gamma?: number;
  /** Final Tweedie denoising step (default false). */
  denoise?: boolean;
  /** Mean estimated (affine score): adds tr S / N (default false). */
  meanEstimated?: boolean;
  /** Symmetric parameterization A = A^T (Langevin, ULA; default false). */
  symmetric?: boolean;
  /** Diffusion: sigma_min > 0 (u_min = sigma_min^2, the last level), sigma_max > sigma_min, levels K >= 1. */
  sigmaMin?: number;
  sigmaMax?: number;
  levels?: number;
  /** Diffusion grid in u = sigma^2 (default 'uniform'). */
  spacing?: 'uniform' | 'geometric';
  /** Diffusion optimization kernel: the discrete per-level sum (default) or its continuous limit (uniform grid). */
  limit?: 'discrete' | 'continuous';
  /** Bias per mode: 'exact' (sqrt v - sqrt l)^2 (default) or 'first-order' b^2 / (4 l), b = v - l. */
  bias?: 'exact' | 'first-order';
}

export const KERNEL_PARAM_KEYS = optionKeys<KernelParams>({
  samples: true, sigma: true, tau: true, batch: true, sampler: true, gamma: true, denoise: true, meanEstimated: true,
  symmetric: true, sigmaMin: true, sigmaMax: true, levels: true, spacing: true, limit: true, bias: true,
});

/** Checked parameters with defaults filled in. */
export interface ResolvedKernelParams {
  samples: number; sigma: number; tau: number; batch: number; sampler: KernelSampler; gamma: number; denoise: boolean;
  meanEstimated: boolean; symmetric: boolean; sigmaMin: number; sigmaMax: number; levels: number;
  spacing: 'uniform' | 'geometric'; limit: 'discrete' | 'continuous'; bias: 'exact' | 'first-order';
}

/** Most VE levels (the discrete diffusion kernel costs O(D^2 levels)). */
export const MAX_KERNEL_LEVELS = 1_000_000;
/** Most distinct values for which `matrix: true` returns the D x D matrices (3 x 8 D^2 bytes: 100 MiB). */
export const MAX_KERNEL_MATRIX = 2048;
/** Most grid points per side of a heat map. */
export const MAX_HEATMAP_SIDE = 4096;

const SAMPLER_NAMES: readonly KernelSampler[] = ['langevin', 'ula', 'diffusion'];

function positive(x: unknown, argument: string, code: 'INVALID_OPTION' = 'INVALID_OPTION'): number {
  if (typeof x !== 'number' || !(x > 0) || !Number.isFinite(x)) fail(code, argument, `got ${describe(x)}`, 'a finite number > 0');
  return x;
}

function integerIn(x: unknown, argument: string, lo: number, hi: number): number {
  if (typeof x !== 'number' || !Number.isInteger(x) || x < lo || x > hi) fail('INVALID_OPTION', argument, `got ${describe(x)}`, `an integer from ${lo} to ${hi}`);
  return x;
}

function oneOf<T extends string>(x: unknown, argument: string, names: readonly T[], fallback: T): T {
  if (x === undefined) return fallback;
  if (!names.includes(x as T)) fail('INVALID_OPTION', argument, `got ${describe(x)}`, names.map((s) => `'${s}'`).join(', '));
  return x as T;
}

function flag(x: unknown, argument: string): boolean {
  if (x === undefined) return false;
  if (typeof x !== 'boolean') fail('INVALID_OPTION', argument, `got ${describe(x)}`, 'true or false');
  return x;
}

/**
 * Check the parameters (before any work): unknown keys, types, ranges, options that belong to another
 * sampler. The spectrum-dependent check (ULA stability) is `checkUlaStability`.
 */
export function resolveKernelParams(params: unknown, argument = 'params'): ResolvedKernelParams {
  if (params === undefined) fail('MISSING_OPTION', `${argument}.samples`, 'the number of samples is required', 'an integer N >= 1');
  checkOptions(params, KERNEL_PARAM_KEYS, argument);
  const p = params as KernelParams;
  const arg = (k: string) => `${argument}.${k}`;
  if (p.samples === undefined) fail('MISSING_OPTION', arg('samples'), 'the number of samples is required', 'an integer N >= 1');
  const samples = integerIn(p.samples, arg('samples'), 1, Number.MAX_SAFE_INTEGER);
  const sampler = oneOf(p.sampler, arg('sampler'), SAMPLER_NAMES, 'langevin');
  const diffusion = sampler === 'diffusion';
  const refuse = (key: keyof KernelParams, why: string) => {
    if (p[key] !== undefined) fail('INVALID_OPTION', arg(key), `${key} ${why} (sampler '${sampler}')`, `leave ${key} out with sampler '${sampler}'`);
  };
  let tau = 0;
  if (p.tau !== undefined) {
    if (typeof p.tau !== 'number' || !(p.tau >= 0) || !Number.isFinite(p.tau)) fail('INVALID_OPTION', arg('tau'), `got ${describe(p.tau)}`, 'a finite number >= 0');
    tau = p.tau;
  }
  const batch = p.batch === undefined ? 1 : integerIn(p.batch, arg('batch'), 1, Number.MAX_SAFE_INTEGER);
  const denoise = flag(p.denoise, arg('denoise'));
  const meanEstimated = flag(p.meanEstimated, arg('meanEstimated'));
  const bias = oneOf(p.bias, arg('bias'), ['exact', 'first-order'] as const, 'exact');
  let sigma = 0, gamma = 0, sigmaMin = 0, sigmaMax = 0, levels = 0;
  let spacing: 'uniform' | 'geometric' = 'uniform';
  let limit: 'discrete' | 'continuous' = 'discrete';
  let symmetric = false;
  if (diffusion) {
    refuse('sigma', 'is the DSM noise of Langevin and ULA: the diffusion levels come from sigmaMin, sigmaMax, levels');
    refuse('gamma', 'is the ULA step');
    refuse('symmetric', 'has no diffusion kernel in the conventions');
    for (const k of ['sigmaMin', 'sigmaMax', 'levels'] as const) {
      if (p[k] === undefined) fail('MISSING_OPTION', arg(k), `${k} is required with sampler 'diffusion'`, k === 'levels' ? 'an integer >= 1' : 'a finite number > 0');
    }
    sigmaMin = positive(p.sigmaMin, arg('sigmaMin'));
    sigmaMax = positive(p.sigmaMax, arg('sigmaMax'));
    if (!(sigmaMax > sigmaMin)) fail('INVALID_OPTION', arg('sigmaMax'), `sigmaMax ${sigmaMax} is not above sigmaMin ${sigmaMin}`, 'sigmaMax > sigmaMin');
    levels = integerIn(p.levels, arg('levels'), 1, MAX_KERNEL_LEVELS);
    spacing = oneOf(p.spacing, arg('spacing'), ['uniform', 'geometric'] as const, 'uniform');
    limit = oneOf(p.limit, arg('limit'), ['discrete', 'continuous'] as const, 'discrete');
    if (limit === 'continuous' && spacing !== 'uniform') {
      fail('INVALID_OPTION', arg('limit'), "the continuous limit is that of a uniform grid in u", "limit 'continuous' with spacing 'uniform'");
    }
  } else {
    for (const k of ['sigmaMin', 'sigmaMax', 'levels', 'spacing', 'limit'] as const) refuse(k, "is an option of sampler 'diffusion'");
    if (p.sigma === undefined) fail('MISSING_OPTION', arg('sigma'), `sigma is required with sampler '${sampler}'`, 'a finite number > 0');
    sigma = positive(p.sigma, arg('sigma'));
    symmetric = flag(p.symmetric, arg('symmetric'));
    if (sampler === 'ula') {
      if (p.gamma === undefined) fail('MISSING_OPTION', arg('gamma'), "gamma is required with sampler 'ula'", 'a finite number > 0');
      gamma = positive(p.gamma, arg('gamma'));
    } else refuse('gamma', "is the step of sampler 'ula'");
  }
  return { samples, sigma, tau, batch, sampler, gamma, denoise, meanEstimated, symmetric, sigmaMin, sigmaMax, levels, spacing, limit, bias };
}

/** ULA is stable on every mode iff 0 < gamma a < 2 with a = 1 / (l + sigma^2), i.e. gamma < 2 (l_min + sigma^2). */
export function checkUlaStability(p: ResolvedKernelParams, lMin: number, argument = 'params'): void {
  if (p.sampler !== 'ula') return;
  const bound = 2 * (lMin + p.sigma ** 2);
  if (!(p.gamma < bound)) {
    fail('INVALID_OPTION', `${argument}.gamma`, `ULA diverges on the smallest mode (l = ${lMin}): gamma a = ${p.gamma / (lMin + p.sigma ** 2)} >= 2`,
      `gamma < 2 (l_min + sigma^2) = ${bound}`);
  }
}

/**
 * Per-mode features of the pair kernels for a list of eigenvalues (any order, repeats allowed):
 *   K_gen(l_k, l_m)/N = genScale l_k l_m / (2 s), genScale = 1 / N
 *   K_opt(l_k, l_m)   = sum_t (pb_tk qb_tm + qb_tk pb_tm) / (2 s (s + e)^power)       (s = l_k + l_m)
 * and, per mode, the diagonal values K(l, l) of both (limits, finite at l = 0) and the extras Kd.
 */
export interface KernelFeatures {
  n: number;
  genScale: number;
  rank: number; pb: Float64Array; qb: Float64Array; // rank rows of n (row t = level t)
  e: number; power: 0 | 1 | 2;
  genSelf: Float64Array; genExtra: Float64Array; optSelf: Float64Array; optExtra: Float64Array;
}

export function kernelFeatures(values: ArrayLike<number>, p: ResolvedKernelParams): KernelFeatures {
  const n = values.length;
  const genSelf = new Float64Array(n), genExtra = new Float64Array(n);
  const N = p.samples;
  for (let k = 0; k < n; k++) {
    const l = values[k];
    // K_gen = l l' / (2 N (l + l')) + delta (l / (4N) [+ l / N, mean estimated])       (score-matching.md §4 K1)
    genSelf[k] = l / (4 * N);
    genExtra[k] = l / (4 * N) + (p.meanEstimated ? l / N : 0);
  }
  const { tau, batch: B } = p;
  if (p.sampler !== 'diffusion') {
    const u = p.sigma ** 2;
    const pb = new Float64Array(n), qb = new Float64Array(n), optSelf = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const l = values[k];
      const c = l + u;
      if (p.symmetric) {
        // K_opt^sym = c_k^2 c_m^2 tau (s_k c_m + s_m c_k) / (4B (c_k + c_m)) / (2 (l_k + l_m)), s = l / (u c)   (§2, §4 K2)
        pb[k] = (c * c * tau * l) / (4 * B * u * c);
        qb[k] = c ** 3;
      } else {
        // K_opt = c_k^2 c_m^2 (c_m^2 v_k + c_k^2 v_m) / ((c_k + c_m)^2 2 (l_k + l_m)), v = tau l / (2 B u c)   (§4 K2)
        pb[k] = (c * c * tau * l) / (2 * B * u * c);
        qb[k] = c ** 4;
      }
      // Both forms on the diagonal: K(l, l) = Kd(l) = c^3 tau / (16 B u) (v / l finite at l = 0).
      optSelf[k] = (c ** 3 * tau) / (16 * B * u);
    }
    return { n, genScale: 1 / N, rank: 1, pb, qb, e: 2 * u, power: p.symmetric ? 1 : 2, genSelf, genExtra, optSelf, optExtra: optSelf };
  }
  const uMax = p.sigmaMax ** 2, uMin = p.sigmaMin ** 2;
  if (p.limit === 'continuous') {
    // E dS_ij^2 = (h tau / 2B) (c_i c_j)^2_{u_min} (F(l_i) + F(l_j)), doubled for i = j; K = E / (2 (l_i + l_j))  (§3d, §4 K4)
    const h = (uMax - uMin) / p.levels;
    const pb = new Float64Array(n), qb = new Float64Array(n), optSelf = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const l = values[k];
      const cm2 = (l + uMin) ** 2;
      const phi = fOverL(l, uMin, uMax);
      pb[k] = ((h * tau) / (2 * B)) * cm2 * l * phi;
      qb[k] = cm2;
      optSelf[k] = ((h * tau) / (2 * B)) * cm2 * cm2 * phi / 2;
    }
    return { n, genScale: 1 / N, rank: 1, pb, qb, e: 0, power: 0, genSelf, genExtra, optSelf, optExtra: optSelf };
  }
  // Discrete per-level formula (§3d): E dS_ij^2 = sum_k (alpha_ki beta_kj + alpha_kj beta_ki), with
  // alpha_ki = h_k Q_ki^2 v_ki, beta_ki = h_k Q_ki^2 (sbar_ki m_ki)^2, Q_ki = prod_{l>k} m_li; 4 sum alpha beta for i = j.
  const u = veGrid(uMax, uMin, p.levels, p.spacing);
  const T = p.levels;
  const pb = new Float64Array(T * n), qb = new Float64Array(T * n), optSelf = new Float64Array(n);
  const m = new Float64Array(T), a = new Float64Array(T);
  for (let i = 0; i < n; i++) {
    const l = values[i];
    let sbar = l + u[0]; // exact initialisation N(0, S + u_max)
    for (let k = 0; k < T; k++) {
      const h = u[k] - u[k + 1];
      m[k] = 1 - h / (l + u[k]);
      a[k] = sbar * m[k];
      sbar = m[k] ** 2 * sbar + h;
    }
    let Q2 = 1; // Q_ki^2, built backwards
    let self = 0;
    for (let k = T - 1; k >= 0; k--) {
      const h = u[k] - u[k + 1];
      const vOverL = tau / (2 * B * u[k] * (l + u[k])); // v_ki / l (§3d per-level SGD variance)
      const beta = h * Q2 * a[k] ** 2;
      pb[k * n + i] = h * Q2 * vOverL * l;
      qb[k * n + i] = beta;
      self += h * Q2 * vOverL * beta;
      Q2 *= m[k] ** 2;
    }
    optSelf[i] = self / 2; // K(l, l) = Kd(l) = sum_k alpha beta / (2 l)
  }
  return { n, genScale: 1 / N, rank: T, pb, qb, e: 0, power: 0, genSelf, genExtra, optSelf, optExtra: optSelf };
}

/**
 * F(l) / l with F(l) = int_{u_min}^{u_max} l du / (u (l + u)^3) = l^-2 [g(x)]_{u_min}^{u_max}, x = l / (l + u),
 * g(x) = ln(1 - x) + x + x^2 / 2 = -sum_{n>=3} x^n / n (score-matching.md §3d). g is summed as its series for
 * x < 1/2 (no cancellation), so F / l stays accurate down to l = 0, where it is (u_min^-3 - u_max^-3) / 3.
 */
export function fOverL(l: number, uMin: number, uMax: number): number {
  // g(x) / l^3 = -(1/(l+u))^3 sum_{n>=3} x^(n-3) / n
  const gOverL3 = (uu: number): number => {
    const x = l / (l + uu);
    // ln(1 - x) = ln(u / (l + u)): exact even where 1 - x rounds to 0 (l / u > 1e16).
    if (x >= 0.5) return (Math.log(uu / (l + uu)) + x + (x * x) / 2) / l ** 3;
    let sum = 0, xn = 1;
    for (let j = 3; j < 80 && xn > 1e-18 * j; j++) { sum += xn / j; xn *= x; }
    return -sum / (l + uu) ** 3;
  };
  return gOverL3(uMax) - gOverL3(uMin);
}

/** The output variance of one mode under the exact score (modes.ts), by sampler, for the bias. */
export function exactOutputVariance(l: number, p: ResolvedKernelParams, grid?: Float64Array): number {
  if (p.sampler === 'diffusion') {
    const u = grid ?? veGrid(p.sigmaMax ** 2, p.sigmaMin ** 2, p.levels, p.spacing);
    const v = veEmVariance(u, (k) => exactScore(l, u[k]), l + u[0]);
    const uMin = u[u.length - 1];
    return p.denoise ? tweedieVariance(exactScore(l, uMin), uMin, v) : v;
  }
  const u = p.sigma ** 2;
  return langevinOutputVariance(exactScore(l, u), p.gamma, p.denoise ? u : 0);
}

/** K_bias per mode: (sqrt v - sqrt l)^2 exactly, or b^2 / (4 l) with b = v - l (score-matching.md §4 K3). */
export function biasTerm(l: number, v: number, form: 'exact' | 'first-order'): number {
  if (form === 'exact') return modeW2Squared(l, v);
  const b = v - l;
  return b === 0 ? 0 : (b * b) / (4 * l); // Infinity at l = 0 with b != 0 (reported by a diagnostic)
}

/** The two pair kernels of `f` between modes k and m of `f` and `g` (any modes, s > 0 or k = m on one list). */
function pairValues(f: KernelFeatures, k: number, g: KernelFeatures, m: number, lk: number, lm: number): [number, number] {
  const s = lk + lm;
  const gen = (f.genScale * lk * lm) / (2 * s);
  let num = 0;
  for (let t = 0; t < f.rank; t++) num += f.pb[t * f.n + k] * g.qb[t * g.n + m] + f.qb[t * f.n + k] * g.pb[t * g.n + m];
  return [gen, num / (2 * s * (s + f.e) ** f.power)];
}

export interface KernelDiagnostic {
  code: 'zero-eigenvalue-bias';
  message: string;
}

export interface PipelineKernelResult {
  /** Distinct eigenvalues (ascending) and their multiplicities. */
  values: Float64Array;
  counts: Float64Array;
  /** sum over sources: the first-order E W2^2. */
  total: number;
  /** sum_{k,m} w_k w_m K(l_k, l_m) + sum_k w_k Kd(l_k), per source. */
  sources: Record<KernelSource, number>;
  /** Per distinct value k: w_k [sum_m w_m K(l_k, l_m) + Kd(l_k)], per source (they add up to `sources`). */
  perMode: Record<KernelSource, Float64Array>;
  /** With `matrix: true`: per source, D x D row-major, entry (k, m) = w_k w_m K(l_k, l_m) + [k = m] w_k Kd(l_k). */
  matrix?: Record<KernelSource, Float64Array>;
  diagnostics: KernelDiagnostic[];
}

export interface PipelineKernelOptions {
  /** Also return the D x D matrices over distinct values (D <= MAX_KERNEL_MATRIX). */
  matrix?: boolean;
  /**
   * Worker threads for the pair sums (node only), an integer from 1 to MAX_THREADS (64); default: up to 2
   * above PAIR_PARALLEL_THRESHOLD pairs x levels, 1 otherwise. The sums do not depend on it. Unused by the
   * Laplace quadrature (rank-1 kernels from LAPLACE_MIN_DISTINCT distinct values), which runs on the caller's thread.
   */
  threads?: number;
}

export const PIPELINE_KERNEL_KEYS = optionKeys<PipelineKernelOptions>({ matrix: true, threads: true });

/**
 * The first-order pipeline error as kernel sums over the spectrum, by source and per distinct value
 * (docs/math.md §3.4). The off-diagonal O(D^2) sums run in Wasm (f64x2, each pair once, compensated sums),
 * over row ranges, split across worker threads in node for large spectra; rank-1 kernels over at least
 * LAPLACE_MIN_DISTINCT distinct values are summed by Laplace quadrature in O(D Q) instead.
 */
export async function pipelineKernel(spectrum: SpectrumInput, params: KernelParams, opts?: PipelineKernelOptions): Promise<PipelineKernelResult> {
  const p = resolveKernelParams(params);
  checkOptions(opts, PIPELINE_KERNEL_KEYS, 'opts');
  const wantMatrix = flag(opts?.matrix, 'opts.matrix');
  if (opts?.threads !== undefined) validateThreads(opts.threads, 'opts.threads');
  const { values, counts } = prepareSpectrum(spectrum);
  const D = values.length;
  checkUlaStability(p, values[0]);
  if (wantMatrix && D > MAX_KERNEL_MATRIX) {
    fail('TOO_LARGE', 'opts.matrix', `the spectrum has ${D} distinct values`, `matrix: true with at most ${MAX_KERNEL_MATRIX} distinct values`);
  }
  const rank = p.sampler === 'diffusion' && p.limit === 'discrete' ? p.levels : 1;
  checkWasmBytes(8 * ((D + 4) * (27 + 2 * rank)), 'spectrum');
  checkWasmBytes(8 * D * (rank + 1) * 2, 'params.levels'); // the features in JS memory

  const f = kernelFeatures(values, p);
  const grid = p.sampler === 'diffusion' ? veGrid(p.sigmaMax ** 2, p.sigmaMin ** 2, p.levels, p.spacing) : undefined;
  const diagnostics: KernelDiagnostic[] = [];
  const bias = new Float64Array(D);
  for (let k = 0; k < D; k++) {
    bias[k] = counts[k] * biasTerm(values[k], exactOutputVariance(values[k], p, grid), p.bias);
    if (bias[k] === Infinity) {
      diagnostics.push({ code: 'zero-eigenvalue-bias', message: `first-order bias b^2 / (4 l) is Infinity at eigenvalue 0 (multiplicity ${counts[k]}): use bias: 'exact'` });
    }
  }
  const work = ((D * (D - 1)) / 2) * rank;
  const threads = opts?.threads ?? (work >= PAIR_PARALLEL_THRESHOLD ? pairThreads : 1);
  const nodes = D >= LAPLACE_MIN_DISTINCT ? laplaceNodes(values, f) : null;
  const [rowsA, rowsB] = nodes ? laplaceRowSums(values, counts, f, nodes) : await pairRowSums(values, counts, f, threads);
  const gen = new Float64Array(D), opt = new Float64Array(D);
  for (let k = 0; k < D; k++) {
    const w = counts[k];
    gen[k] = w * (rowsA[k] + f.genExtra[k]);
    opt[k] = w * (rowsB[k] + f.optExtra[k]);
  }
  const sources = { generalization: neumaierSum(gen), optimization: neumaierSum(opt), bias: diagnostics.length ? Infinity : neumaierSum(bias) };
  const result: PipelineKernelResult = {
    values: values.slice(), counts: counts.slice(),
    total: sources.generalization + sources.optimization + sources.bias,
    sources, perMode: { generalization: gen, optimization: opt, bias }, diagnostics,
  };
  if (wantMatrix) result.matrix = kernelMatrices(values, counts, f, bias);
  return result;
}

/** The pair sums' input over D distinct values (padded to stride = D + 1, see assembly/learning/kernels.ts). */
export interface PairSumInput {
  n: number; lam: Float64Array; w: Float64Array; genScale: number;
  rank: number; pb: Float64Array; qb: Float64Array; stride: number; e: number; power: number;
}

/** One row range's sums: row parts for rows [from, to), column parts for columns [from, n). */
export interface PairSumPart { rowsA: Float64Array; rowsB: Float64Array; colsA: Float64Array; colsB: Float64Array }

/** Runs row ranges of the pair sums on worker threads (installed by the node entry); parts in range order. */
export type PairSumExecutor = (input: PairSumInput, ranges: [number, number][], threads: number) => Promise<PairSumPart[]>;

let pairExecutor: PairSumExecutor | null = null;
let pairThreads = 1;

export function setPairSumExecutor(fn: PairSumExecutor | null, threads: number): void {
  pairExecutor = fn;
  pairThreads = threads;
}

/** Pairs x rank below which worker threads cost more than they save (about 0.1 s of kernel time). */
export const PAIR_PARALLEL_THRESHOLD = 1e8;
/** Row ranges: one per SEGMENT_ROWS distinct values, at most MAX_SEGMENTS (a function of D only). */
const SEGMENT_ROWS = 512;
const MAX_SEGMENTS = 16;

/**
 * The row ranges [from, to) of the pair sums, of about equal pair counts (row k has D - k - 1 pairs). They
 * depend on D only, and their parts are combined in range order, so that the sums are the same bit for
 * bit whatever the number of threads.
 */
export function pairRanges(D: number): [number, number][] {
  const count = Math.min(MAX_SEGMENTS, Math.max(1, Math.ceil(D / SEGMENT_ROWS)));
  const before = (r: number) => r * (D - 1) - (r * (r - 1)) / 2; // pairs in rows < r
  const total = before(D);
  const cuts = [0];
  for (let i = 1; i < count; i++) {
    let lo = cuts[i - 1], hi = D;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (before(mid) < (i * total) / count) lo = mid + 1; else hi = mid; }
    cuts.push(lo);
  }
  cuts.push(D);
  const ranges: [number, number][] = [];
  for (let i = 0; i < count; i++) if (cuts[i + 1] > cuts[i]) ranges.push([cuts[i], cuts[i + 1]]);
  return ranges;
}

/** The Wasm pair sums of some row ranges, in one scope (the calling thread, or a worker's task). */
export function runPairRanges(scope: WasmScope, input: PairSumInput, ranges: [number, number][]): PairSumPart[] {
  const { n, stride } = input;
  if (n > WARM_SIZE) warmPairSums(scope);
  const lam = scope.f64(stride, input.lam), w = scope.f64(stride, input.w);
  const pb = scope.f64(input.rank * stride, input.pb), qb = scope.f64(input.rank * stride, input.qb);
  const out = scope.f64(4 * n);
  const [rA, rB, cA, cB] = [0, 1, 2, 3].map((i) => out + 8 * i * n);
  return ranges.map(([from, to]) => {
    scope.kernel.kernelPairSums(n, lam, w, input.genScale, input.rank, pb, qb, stride, input.e, input.power, from, to, rA, rB, cA, cB);
    return {
      rowsA: scope.read(rA + 8 * from, to - from), rowsB: scope.read(rB + 8 * from, to - from),
      colsA: scope.read(cA + 8 * from, n - from), colsB: scope.read(cB + 8 * from, n - from),
    };
  });
}

/**
 * rows[k] = sum_{m != k} w_m K(l_k, l_m) for both pair kernels: the Wasm sums over row ranges (on `threads`
 * worker threads when an executor is installed), each row's part plus the column parts of every range
 * before it, added in range order by Neumaier's sum.
 */
async function offDiagonalRows(values: Float64Array, counts: Float64Array, f: KernelFeatures, threads: number): Promise<[Float64Array, Float64Array]> {
  const D = values.length;
  const stride = D + 1;
  // Slot D: the padding mode (l = 1, w = 0, features 0) that the kernel's last pair of lanes may read.
  const padded = (x: Float64Array, pad: number) => { const y = new Float64Array(stride); y.set(x); y[D] = pad; return y; };
  const rows = (x: Float64Array) => {
    const y = new Float64Array(f.rank * stride);
    for (let t = 0; t < f.rank; t++) y.set(x.subarray(t * D, (t + 1) * D), t * stride);
    return y;
  };
  const input: PairSumInput = {
    n: D, lam: padded(values, 1), w: padded(counts, 0), genScale: f.genScale,
    rank: f.rank, pb: rows(f.pb), qb: rows(f.qb), stride, e: f.e, power: f.power,
  };
  const ranges = pairRanges(D);
  const parts = threads > 1 && pairExecutor && ranges.length > 1
    ? await pairExecutor(input, ranges, threads)
    : await withWasm((scope) => runPairRanges(scope, input, ranges));
  const combine = (row: (p: PairSumPart) => Float64Array, col: (p: PairSumPart) => Float64Array) => {
    const sum = new Float64Array(D), comp = new Float64Array(D), out = new Float64Array(D);
    parts.forEach((part, i) => {
      const from = ranges[i][0];
      const c = col(part);
      for (let m = from; m < D; m++) {
        const s = sum[m], x = c[m - from], t = s + x;
        comp[m] += Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s;
        sum[m] = t;
      }
      out.set(row(part), from);
    });
    for (let k = 0; k < D; k++) out[k] += sum[k] + comp[k];
    return out;
  };
  return [combine((p) => p.rowsA, (p) => p.colsA), combine((p) => p.rowsB, (p) => p.colsB)];
}

/**
 * rows[k] = sum_m w_m K(l_k, l_m) over every m, the term m = k being the diagonal value K(l_k, l_k) (genSelf,
 * optSelf), for both pair kernels: the Wasm pair sums plus w_k K(l_k, l_k).
 */
export async function pairRowSums(values: Float64Array, counts: Float64Array, f: KernelFeatures, threads = 1): Promise<[Float64Array, Float64Array]> {
  const [rowsA, rowsB] = await offDiagonalRows(values, counts, f, threads);
  for (let k = 0; k < values.length; k++) {
    rowsA[k] += counts[k] * f.genSelf[k];
    rowsB[k] += counts[k] * f.optSelf[k];
  }
  return [rowsA, rowsB];
}

/** Distinct values from which rank-1 kernels are summed by Laplace quadrature, O(D Q), not pairs, O(D^2). */
export const LAPLACE_MIN_DISTINCT = 4096;
/** Trapezoid step in x = ln t, and the relative truncation error allowed at each end (docs/math.md §3.4). */
const LAPLACE_STEP = 0.2;
const LAPLACE_TAIL = 1e-18;
/** Nodes t = e^x are kept within e^{+-150} (so t^3 times a feature stays finite); else the pair sums are used. */
const LAPLACE_MAX_X = 150;
/** Modes summed plainly per node before a compensated addition (pass 1 of `laplaceRowSums`). */
const SUM_ROWS = 256;

/**
 * The trapezoid nodes t_j = e^{x_j}, x_j = x_0 + j h, of the Laplace quadrature for these values (null if
 * the kernel has rank > 1 or the range leaves e^{+-150}). Every pair with a positive term has
 * s_lo <= s <= s_hi, s_lo = l_min (smallest positive l) if 0 is a value, else 2 l_min; s_hi = 2 l_max.
 * Upper end: int_T^inf g_p e^{-ts} dt <= 2^p e^{-y} sum_{j<=p} y^j / j! K(s), y = T s_lo; y = 52 makes it
 * <= 1.5e-19 K. Lower end: int_0^t0 g_p e^{-ts} dt <= t0^{p+1} / (p+1)! <= tail K(s) for
 * t0 = (tail (p+1)!)^{1/(p+1)} / (s_hi + e), and t0 = tail / s_hi for 1/s (g_0). Both ends widened by 2h.
 */
export function laplaceNodes(values: Float64Array, f: KernelFeatures): Float64Array | null {
  if (f.rank !== 1) return null;
  let lMin = Infinity, lMax = 0, zero = false;
  for (let k = 0; k < values.length; k++) {
    const l = values[k];
    if (l > 0) { lMin = Math.min(lMin, l); lMax = Math.max(lMax, l); } else zero = true;
  }
  if (lMax === 0) return null;
  const h = LAPLACE_STEP, p = f.power;
  const sLo = zero ? lMin : 2 * lMin, sHi = 2 * lMax;
  const fact = p === 2 ? 6 : p === 1 ? 2 : 1;
  const t0 = Math.min(LAPLACE_TAIL / sHi, (LAPLACE_TAIL * fact) ** (1 / (p + 1)) / (sHi + f.e));
  const x0 = Math.log(t0) - 2 * h, x1 = Math.log(52 / sLo) + 2 * h;
  if (!(x0 >= -LAPLACE_MAX_X && x1 <= LAPLACE_MAX_X)) return null;
  const J = Math.ceil((x1 - x0) / h) + 1;
  return Float64Array.from({ length: J }, (_, j) => Math.exp(x0 + j * h));
}

/**
 * g_p(t), the inverse Laplace transform of 1 / (s (s + e)^p): int_0^inf g_p(t) e^{-ts} dt = 1 / (s (s + e)^p).
 * g_0 = 1, g_1 = (1 - e^{-et}) / e, g_2 = (1 - e^{-et} (1 + et)) / e^2 = t^2 sum_{n>=2} (-1)^n (n-1) (et)^{n-2} / n!
 * (the series for et < 1, free of cancellation).
 */
export function laplaceWeight(t: number, e: number, p: number): number {
  if (p === 0) return 1;
  const x = e * t;
  if (p === 1) return x === 0 ? t : -Math.expm1(-x) / e;
  if (x >= 1) return (1 - Math.exp(-x) * (1 + x)) / (e * e);
  let sum = 0, term = 0.5;
  for (let n = 2; n < 40 && Math.abs(term) > 1e-18 * sum; n++) {
    sum += term;
    term *= (-x * n) / ((n + 1) * (n - 1)); // (-1)^n (n-1) x^{n-2} / n!  ->  the next one
  }
  return t * t * sum;
}

/**
 * The same rows as `pairRowSums` for a rank-1 kernel in O(D Q) (docs/math.md §3.4): with
 * 1 / (s (s + e)^p) = int_0^inf g_p(t) e^{-t l_k} e^{-t l_m} dt,
 *   sum_m w_m a_m / (s (s + e)^p) = int_0^inf g_p(t) e^{-t l_k} A(t) dt,   A(t) = sum_m w_m a_m e^{-t l_m},
 * by the trapezoid rule in x = ln t (dt = t dx) on the nodes t of `laplaceNodes`. Every term is >= 0. A zero
 * eigenvalue has features l = pb = 0, so its pair with itself drops out; its diagonal value is added exactly.
 */
export function laplaceRowSums(values: Float64Array, counts: Float64Array, f: KernelFeatures, t: Float64Array): [Float64Array, Float64Array] {
  const D = values.length, J = t.length, h = LAPLACE_STEP;
  // Pass 1: Z(t) = sum w genScale l e^{-tl}, P(t) = sum w p e^{-tl}, Q(t) = sum w q e^{-tl} at every node,
  // summed plainly over blocks of SUM_ROWS modes, the blocks combined by Neumaier's sum.
  const acc = [0, 1, 2].map(() => Array.from({ length: J }, () => new NeumaierSum()));
  const block = [0, 1, 2].map(() => new Float64Array(J));
  const [bZ, bP, bQ] = block;
  for (let k0 = 0; k0 < D; k0 += SUM_ROWS) {
    for (const b of block) b.fill(0);
    for (let k = k0; k < Math.min(D, k0 + SUM_ROWS); k++) {
      const l = values[k], w = counts[k];
      const wl = w * f.genScale * l, wp = w * f.pb[k], wq = w * f.qb[k];
      for (let j = 0; j < J; j++) {
        const y = t[j] * l;
        if (y > 745) break; // e^{-y} = 0 in f64 from here on (t increases)
        const ex = Math.exp(-y);
        bZ[j] += wl * ex; bP[j] += wp * ex; bQ[j] += wq * ex;
      }
    }
    for (let i = 0; i < 3; i++) for (let j = 0; j < J; j++) acc[i][j].add(block[i][j]);
  }
  // Quadrature weights h t_j g(t_j) times the node sums (g_0 = 1 for the generalization kernel's 1 / s).
  const WZ = new Float64Array(J), WP = new Float64Array(J), WQ = new Float64Array(J);
  for (let j = 0; j < J; j++) {
    const g = h * t[j] * laplaceWeight(t[j], f.e, f.power);
    WZ[j] = h * t[j] * acc[0][j].value;
    WP[j] = g * acc[1][j].value;
    WQ[j] = g * acc[2][j].value;
  }
  // Pass 2, per mode: rowsA = l_k / 2 int Z e^{-t l_k} dt, rowsB = (p_k int g Q e^{-t l_k} + q_k int g P e^{-t l_k}) / 2.
  const rowsA = new Float64Array(D), rowsB = new Float64Array(D);
  for (let k = 0; k < D; k++) {
    const l = values[k];
    let iz = 0, ip = 0, iq = 0;
    for (let j = 0; j < J; j++) {
      const y = t[j] * l;
      if (y > 745) break;
      const ex = Math.exp(-y);
      iz += WZ[j] * ex; ip += WP[j] * ex; iq += WQ[j] * ex;
    }
    if (l === 0) {
      // K_gen(0, l) = 0; K_opt(0, l) = q_0 p_l / (2 l (l + e)^p) (p_0 = 0), plus the diagonal limit w_0 K(0, 0).
      rowsA[k] = counts[k] * f.genSelf[k];
      rowsB[k] = 0.5 * f.qb[k] * ip + counts[k] * f.optSelf[k];
    } else {
      rowsA[k] = 0.5 * l * iz;
      rowsB[k] = 0.5 * (f.pb[k] * iq + f.qb[k] * ip);
    }
  }
  return [rowsA, rowsB];
}

const WARM_SIZE = 1024;
let warmed = false;

/**
 * Wasm functions start in a baseline tier and a running call never switches tiers: before the first long
 * call, run the kernel on WARM_SIZE synthetic modes until V8 has optimized it (a call under 55% of the
 * first one's time), for at most 50 ms, once per thread.
 */
function warmPairSums(scope: WasmScope): void {
  if (warmed) return;
  warmed = true;
  const n = WARM_SIZE;
  const x = new Float64Array(n + 1).map((_, i) => 1 + i);
  const lam = scope.f64(n + 1, x), w = scope.f64(n + 1, x), pb = scope.f64(n + 1, x), qb = scope.f64(n + 1, x);
  const out = scope.f64(4 * n);
  const start = performance.now();
  let first = Infinity;
  while (performance.now() - start < 50) {
    const t = performance.now();
    scope.kernel.kernelPairSums(n, lam, w, 1, 1, pb, qb, n + 1, 1, 2, 0, n, out, out + 8 * n, out + 16 * n, out + 24 * n);
    const dt = performance.now() - t;
    if (first === Infinity) first = dt;
    else if (dt < 0.55 * first) break;
  }
}

function kernelMatrices(values: Float64Array, counts: Float64Array, f: KernelFeatures, bias: Float64Array): Record<KernelSource, Float64Array> {
  const D = values.length;
  const gen = new Float64Array(D * D), opt = new Float64Array(D * D), b = new Float64Array(D * D);
  for (let k = 0; k < D; k++) {
    const wk = counts[k];
    for (let m = k + 1; m < D; m++) {
      const [g, o] = pairValues(f, k, f, m, values[k], values[m]);
      gen[k * D + m] = gen[m * D + k] = wk * counts[m] * g;
      opt[k * D + m] = opt[m * D + k] = wk * counts[m] * o;
    }
    gen[k * D + k] = wk * (wk * f.genSelf[k] + f.genExtra[k]);
    opt[k * D + k] = wk * (wk * f.optSelf[k] + f.optExtra[k]);
    b[k * D + k] = bias[k];
  }
  return { generalization: gen, optimization: opt, bias: b };
}

/** A heat-map grid: K(rows[a], cols[b]) at entry a * cols.length + b. */
export interface KernelGrid {
  rows: ArrayLike<number>;
  cols: ArrayLike<number>;
}

/**
 * A source's kernel on a (l, l') grid, row-major: K(l, l') + [l = l'] Kd(l) (the kernel as a function,
 * including its diagonal term where the two values are equal; 'bias' is diagonal only: K_bias(l) where
 * l = l', 0 elsewhere). Values >= 0; plain TypeScript (a plot's worth of points).
 */
export function kernelHeatmap(kind: KernelSource, grid: KernelGrid, params: KernelParams): Float64Array {
  if (kind === undefined) fail('MISSING_OPTION', 'kind', 'the kernel is required', "'generalization', 'optimization', 'bias'");
  oneOf(kind, 'kind', ['generalization', 'optimization', 'bias'] as const, 'generalization');
  const p = resolveKernelParams(params);
  if (grid === null || typeof grid !== 'object') fail('INVALID_OPTION', 'grid', `got ${describe(grid)}`, 'an object { rows, cols } of eigenvalues');
  checkOptions(grid, ['rows', 'cols'], 'grid');
  const rows = prepareAxis(grid.rows, 'grid.rows');
  const cols = prepareAxis(grid.cols, 'grid.cols');
  checkUlaStability(p, Math.min(...rows, ...cols));
  const fr = kernelFeatures(rows, p);
  const fc = kernelFeatures(cols, p);
  const out = new Float64Array(rows.length * cols.length);
  for (let a = 0; a < rows.length; a++) {
    for (let b = 0; b < cols.length; b++) {
      const l = rows[a], lp = cols[b];
      let v: number;
      if (l === lp) {
        v = kind === 'generalization' ? fr.genSelf[a] + fr.genExtra[a]
          : kind === 'optimization' ? fr.optSelf[a] + fr.optExtra[a]
            : biasTerm(l, exactOutputVariance(l, p), p.bias);
      } else if (kind === 'bias') v = 0;
      else v = pairValues(fr, a, fc, b, l, lp)[kind === 'generalization' ? 0 : 1];
      out[a * cols.length + b] = v;
    }
  }
  return out;
}

function prepareAxis(x: unknown, argument: string): Float64Array {
  const len = (x as { length?: unknown } | null)?.length;
  if (x === null || typeof x !== 'object' || typeof len !== 'number' || len < 1 || len > MAX_HEATMAP_SIDE) {
    fail('INVALID_SHAPE', argument, `expected 1 to ${MAX_HEATMAP_SIDE} eigenvalues, got ${describe(x)}`, `an array of 1 to ${MAX_HEATMAP_SIDE} finite numbers >= 0`);
  }
  const y = Float64Array.from(x as ArrayLike<number>);
  for (let i = 0; i < y.length; i++) {
    if (!(y[i] >= 0) || !Number.isFinite(y[i])) fail('INVALID_OPTION', argument, `entry ${i} is ${describe((x as ArrayLike<unknown>)[i])}`, 'finite eigenvalues >= 0');
  }
  return y;
}
