/**
 * Output covariances, exactly, of samplers driven by a learned linear score s(y) = -A y (docs/math.md §3.3,
 * after ../shared/score-matching.md §3): continuous Langevin, unadjusted Langevin (ULA), the VE
 * Euler-Maruyama diffusion with one A_k per level, an optional final Tweedie step, and the k-diffusion
 * samplers of the state-space engine with the exact DSM fit per level.
 *
 * A score is given densely ({ matrix }: d x d row-major, any real matrix) or by an eigendecomposition
 * ({ values, vectors }: A = U diag(a) U^T, U orthogonal; without vectors A = diag(a) in the eigenbasis of S).
 * Eigen-form scores sharing one U, with an isotropic start, go per mode (modes.ts): the output is
 * U diag(v(a)) U^T. Anything else is dense:
 * - Lyapunov A S + S A^T = Q (continuous Langevin, Q = 2I) and Stein S = M S M^T + Q (ULA, M = I - gamma A,
 *   Q = 2 gamma I) are solved by Smith's doubling S <- S + M S M^T, M <- M^2, which converges iff the
 *   spectral radius rho(M) < 1; the continuous equation is first mapped to a Stein equation by the Cayley
 *   transform M = (pI + A)^{-1}(pI - A), Q' = 2p (pI + A)^{-1} Q (pI + A)^{-T}, p > 0, which has rho < 1
 *   iff every eigenvalue of A has a positive real part (the condition for a stationary law to exist).
 *   p = sqrt(h_min h_max) over the eigenvalues h of the symmetric part (optimal for a symmetric A), h_max if h_min <= 0.
 *   Doubling stops when |M_k|_F^2 < 2^-60; an unstable A (no stationary law) is refused with a typed error.
 * Dense products use the Wasm GEMM (src/linalg/blas.ts); the inverse is a plain-TS Gauss-Jordan, O(d^3).
 */
import { fail } from '../core/errors.js';
import { checkDimension, checkInteger, describe } from '../core/checks.js';
import { checkOptions, optionKeys } from '../core/options.js';
import { neumaierSum } from '../core/sums.js';
import { gemm } from '../linalg/blas.js';
import { eigh } from '../linalg/eigh.js';
import { buresW2 } from '../linalg/bures.js';
import { EDM_SAMPLER_ERROR_KEYS, type EdmSamplerErrorOptions, edmSamplerError } from '../diffusion/statespace/index.js';
import { checkPositive, fromEigen, type DsmFit } from './dsm.js';
import { langevinOutputVariance, modeW2Squared, tweedieVariance, veEmVariance } from './modes.js';

/** A linear score s(y) = -A y: dense, or A = U diag(values) U^T (U omitted: the eigenbasis of S). */
export type LinearScore = { matrix: ArrayLike<number> } | { values: ArrayLike<number>; vectors?: ArrayLike<number> };

interface CheckedScore { matrix: Float64Array | null; values: Float64Array | null; vectors: ArrayLike<number> | null }

function finiteCopy(x: unknown, length: number, argument: string, what: string): Float64Array {
  const len = (x as { length?: unknown } | null)?.length;
  if (x === null || typeof x !== 'object' || len !== length) fail('INVALID_SHAPE', argument, `got ${describe(x)}`, `${what} (${length} numbers)`);
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const v = (x as ArrayLike<unknown>)[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) fail('NON_FINITE', argument, `entry ${i} is ${describe(v)}`, 'finite numbers');
    out[i] = v;
  }
  return out;
}

function checkScore(score: unknown, d: number, argument: string): CheckedScore {
  if (score === null || typeof score !== 'object') fail('INVALID_OPTION', argument, `got ${describe(score)}`, '{ matrix } or { values, vectors? }');
  const sc = score as Record<string, unknown>;
  if ('matrix' in sc) {
    checkOptions(sc, ['matrix'], argument);
    return { matrix: finiteCopy(sc.matrix, d * d, `${argument}.matrix`, `a ${d} x ${d} row-major matrix`), values: null, vectors: null };
  }
  checkOptions(sc, ['values', 'vectors'], argument);
  const values = finiteCopy(sc.values, d, `${argument}.values`, 'the eigenvalues of A');
  const vectors = sc.vectors === undefined ? null : finiteCopy(sc.vectors, d * d, `${argument}.vectors`, `an orthogonal ${d} x ${d} row-major matrix`);
  return { matrix: null, values, vectors };
}

async function denseOf(s: CheckedScore, d: number): Promise<Float64Array> {
  if (s.matrix) return s.matrix;
  if (s.vectors) return fromEigen(s.vectors, s.values!, d);
  const a = new Float64Array(d * d);
  for (let i = 0; i < d; i++) a[i * d + i] = s.values![i];
  return a;
}

function transpose(a: Float64Array, d: number): Float64Array {
  const t = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) t[j * d + i] = a[i * d + j];
  return t;
}

function identityMinus(a: Float64Array, d: number, h: number): Float64Array {
  const m = new Float64Array(d * d);
  for (let i = 0; i < d * d; i++) m[i] = -h * a[i];
  for (let i = 0; i < d; i++) m[i * d + i] += 1;
  return m;
}

/** M S M^T (+ h I), symmetrised. */
async function congruence(m: Float64Array, s: Float64Array, d: number, h = 0): Promise<Float64Array> {
  const out = await gemm(await gemm(m, s, d, d, d), transpose(m, d), d, d, d);
  for (let i = 0; i < d; i++) {
    out[i * d + i] += h;
    for (let j = 0; j < i; j++) out[i * d + j] = out[j * d + i] = (out[i * d + j] + out[j * d + i]) / 2;
  }
  return out;
}

/** Why a Stein equation has no solution (typed error). */
type Refusal = (detail: string) => never;

/** S = M S M^T + Q by Smith's doubling (converges iff rho(M) < 1), else `refuse`. */
async function stein(m0: Float64Array, q: Float64Array, d: number, refuse: Refusal): Promise<Float64Array> {
  let s: Float64Array = q.slice();
  let m = m0;
  for (let k = 0; k < 64; k++) {
    const t = await congruence(m, s, d);
    for (let i = 0; i < s.length; i++) t[i] += s[i]; // S_{k+1} = S_k + M_k S_k M_k^T
    s = t;
    m = await gemm(m, m, d, d, d); // M_{k+1} = M_k^2
    let norm2 = 0;
    for (const x of m) norm2 += x * x;
    if (!Number.isFinite(norm2) || norm2 > 1e200) break;
    if (norm2 < 2 ** -60) return s;
  }
  return refuse('the doubling S <- S + M S M^T, M <- M^2 did not converge in 64 steps (spectral radius of M not below 1)');
}

/** (pI + A)^{-1} by Gauss-Jordan with partial pivoting, or null when singular. */
function shiftedInverse(a: Float64Array, d: number, p: number): Float64Array | null {
  const w = 2 * d;
  const t = new Float64Array(d * w);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) t[i * w + j] = a[i * d + j];
    t[i * w + i] += p;
    t[i * w + d + i] = 1;
  }
  for (let c = 0; c < d; c++) {
    let piv = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(t[r * w + c]) > Math.abs(t[piv * w + c])) piv = r;
    const pv = t[piv * w + c];
    if (pv === 0 || !Number.isFinite(pv)) return null;
    if (piv !== c) for (let j = 0; j < w; j++) [t[c * w + j], t[piv * w + j]] = [t[piv * w + j], t[c * w + j]];
    for (let j = 0; j < w; j++) t[c * w + j] /= pv;
    for (let r = 0; r < d; r++) {
      const f = t[r * w + c];
      if (r === c || f === 0) continue;
      for (let j = 0; j < w; j++) t[r * w + j] -= f * t[c * w + j];
    }
  }
  const inv = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) inv[i * d + j] = t[i * w + d + j];
  return inv;
}

/**
 * The stationary covariance of continuous Langevin dX = -A X dt + sqrt(2) dW: A S + S A^T = 2I, dense
 * (any real A whose eigenvalues have positive real parts; Cayley transform + Smith doubling, see the header).
 * Errors: INVALID_SHAPE, NON_FINITE, TOO_LARGE, NOT_POSITIVE_DEFINITE (A not stable: no stationary law).
 */
export async function langevinCovariance(a: ArrayLike<number>, d: number): Promise<Float64Array> {
  const D = checkDimension(d, 'd');
  const A = finiteCopy(a, D * D, 'a', `a ${D} x ${D} row-major matrix`);
  const refuse: Refusal = (detail) => fail('NOT_POSITIVE_DEFINITE', 'a',
    `continuous Langevin with this A has no stationary law: ${detail}`, 'A whose eigenvalues all have a real part > 0');
  const sym = new Float64Array(D * D);
  for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) sym[i * D + j] = (A[i * D + j] + A[j * D + i]) / 2;
  const h = (await eigh(sym, D, { vectors: false })).values;
  const hMax = h[D - 1];
  if (!(hMax > 0)) refuse(`tr A = ${neumaierSum(h)} <= 0`);
  const p = h[0] > 0 ? Math.sqrt(h[0] * hMax) : hMax;
  const inv = shiftedInverse(A, D, p);
  if (inv === null) return refuse(`pI + A is singular at p = ${p}`);
  // Cayley: M = (pI + A)^{-1}(pI - A) = 2p (pI + A)^{-1} - I, Q' = 2p (pI + A)^{-1} (2I) (pI + A)^{-T}.
  const m = inv.map((x) => 2 * p * x);
  for (let i = 0; i < D; i++) m[i * D + i] -= 1;
  const q = (await gemm(inv, transpose(inv, D), D, D, D)).map((x) => 4 * p * x);
  return stein(m, q, D, refuse);
}

/**
 * The stationary covariance of ULA x <- (I - gamma A) x + sqrt(2 gamma) z: S = (I - gamma A) S (I - gamma A)^T
 * + 2 gamma I, dense (Smith doubling; needs rho(I - gamma A) < 1). Errors: INVALID_SHAPE, NON_FINITE,
 * INVALID_OPTION (gamma; and a step for which the chain has no stationary law), TOO_LARGE.
 */
export async function ulaCovariance(a: ArrayLike<number>, d: number, gamma: number): Promise<Float64Array> {
  const D = checkDimension(d, 'd');
  const g = checkPositive(gamma, 'gamma');
  const A = finiteCopy(a, D * D, 'a', `a ${D} x ${D} row-major matrix`);
  const q = new Float64Array(D * D);
  for (let i = 0; i < D; i++) q[i * D + i] = 2 * g;
  return stein(identityMinus(A, D, g), q, D, (detail) => fail('INVALID_OPTION', 'gamma',
    `ULA with step ${g} and this A has no stationary law: ${detail}`, 'a step with every eigenvalue of I - gamma A inside the unit disc'));
}

/** The final Tweedie step y -> (I - u A) y at noise variance u = sigma^2: (I - u A) S (I - u A)^T, dense. */
export async function tweedieCovariance(s: ArrayLike<number>, a: ArrayLike<number>, d: number, u: number): Promise<Float64Array> {
  const D = checkDimension(d, 'd');
  const U = checkPositive(u, 'u');
  const S = finiteCopy(s, D * D, 's', `a ${D} x ${D} row-major matrix`);
  const A = finiteCopy(a, D * D, 'a', `a ${D} x ${D} row-major matrix`);
  return congruence(identityMinus(A, D, U), S, D);
}

export interface LangevinSpec {
  /** 'langevin' (continuous) or 'ula' (step gamma). */
  sampler: 'langevin' | 'ula';
  gamma?: number;
  /** Noise variance u = sigma^2 of a final Tweedie step (I - u A); none by default. */
  denoise?: number;
}

export const LANGEVIN_SPEC_KEYS = optionKeys<LangevinSpec>({ sampler: true, gamma: true, denoise: true });

export interface SamplerCovariance {
  /** The output covariance, d x d row-major (in the basis of S). */
  readonly covariance: Float64Array;
  /** Per mode (eigen-form scores): v_i, the output is U diag(v) U^T; null on the dense path. */
  readonly variances: Float64Array | null;
}

async function perMode(values: Float64Array, vectors: ArrayLike<number> | null, d: number, v: (i: number) => number): Promise<SamplerCovariance> {
  const variances = Float64Array.from({ length: d }, (_, i) => v(i));
  if (vectors) return { covariance: await fromEigen(vectors, variances, d), variances };
  const covariance = new Float64Array(d * d);
  for (let i = 0; i < d; i++) covariance[i * d + i] = variances[i];
  return { covariance, variances };
}

/**
 * Output covariance of continuous Langevin or ULA driven by the score A, optionally followed by Tweedie.
 * Per mode for an eigen-form score (a S + S a = 2: 1/a; ULA 2/(a(2 - gamma a)); Tweedie (1 - u a)^2 v),
 * dense otherwise. Errors: those of langevinCovariance / ulaCovariance, INVALID_OPTION, UNKNOWN_OPTION,
 * MISSING_OPTION (gamma for ULA), NOT_POSITIVE_DEFINITE (an eigenvalue a <= 0).
 */
export async function langevinSamplerCovariance(score: LinearScore, d: number, spec: LangevinSpec): Promise<SamplerCovariance> {
  const D = checkDimension(d, 'd');
  if (spec === undefined || spec === null) fail('MISSING_OPTION', 'spec', 'no sampler', "{ sampler: 'langevin' | 'ula', gamma?, denoise? }");
  checkOptions(spec, LANGEVIN_SPEC_KEYS, 'spec');
  if (spec.sampler !== 'langevin' && spec.sampler !== 'ula') fail('INVALID_OPTION', 'sampler', `got ${describe(spec.sampler)}`, "'langevin' or 'ula'");
  if (spec.sampler === 'ula' && spec.gamma === undefined) fail('MISSING_OPTION', 'gamma', 'ULA without a step', 'gamma > 0');
  if (spec.sampler === 'langevin' && spec.gamma !== undefined) fail('INVALID_OPTION', 'gamma', 'given with continuous Langevin', "gamma only with sampler 'ula'");
  const gamma = spec.sampler === 'ula' ? checkPositive(spec.gamma, 'gamma') : 0;
  const u = spec.denoise === undefined ? 0 : checkPositive(spec.denoise, 'denoise', 'a noise variance sigma^2 > 0');
  const sc = checkScore(score, D, 'score');
  if (sc.values) {
    for (let i = 0; i < D; i++) {
      const a = sc.values[i];
      if (!(a > 0)) fail('NOT_POSITIVE_DEFINITE', 'score.values', `eigenvalue ${i} is ${a}`, 'eigenvalues a > 0 (a stationary law)');
      if (gamma > 0 && !(gamma * a < 2)) fail('INVALID_OPTION', 'gamma', `gamma a = ${gamma * a} >= 2 for eigenvalue ${i}`, 'gamma < 2 / max a');
    }
    const av = sc.values;
    return perMode(av, sc.vectors, D, (i) => langevinOutputVariance(av[i], gamma, u));
  }
  const A = sc.matrix!;
  const s = gamma > 0 ? await ulaCovariance(A, D, gamma) : await langevinCovariance(A, D);
  return { covariance: u > 0 ? await tweedieCovariance(s, A, D, u) : s, variances: null };
}

export interface DiffusionSpec {
  /** Noise variances u_0 > u_1 > ... > u_K >= 0 (e.g. veGrid). */
  levels: ArrayLike<number>;
  /** 'prior': x_0 ~ N(0, u_0 I) (default); 'exact': x_0 ~ N(0, S + u_0 I), which needs `spectrum`. */
  start?: 'prior' | 'exact';
  /** The data spectrum l (eigenbasis of S) for the exact start. */
  spectrum?: ArrayLike<number>;
  /** Final Tweedie step with A_K at u_K (default false). */
  denoise?: boolean;
}

export const DIFFUSION_SPEC_KEYS = optionKeys<DiffusionSpec>({ levels: true, start: true, spectrum: true, denoise: true });

function sameVectors(a: ArrayLike<number> | null, b: ArrayLike<number> | null): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Output covariance of the VE reverse SDE by Euler-Maruyama on the levels u_0 > ... > u_K with one score
 * A_k per level (scores[k] for u_k, k = 0..K; A_K is used only by the Tweedie step):
 *   S_{k+1} = (I - h_k A_k) S_k (I - h_k A_k)^T + h_k I,  h_k = u_k - u_{k+1},
 * then (I - u_K A_K) S_K (...)^T with { denoise: true }. Per mode when every score is in eigen form with
 * one U and the start is diagonal in it (prior start, or exact start without vectors); dense otherwise.
 * Errors: INVALID_SHAPE, INVALID_GRID (levels not decreasing, negative or non-finite), INVALID_OPTION,
 * MISSING_OPTION (spectrum with the exact start), UNKNOWN_OPTION, NON_FINITE, NEGATIVE_EIGENVALUE.
 */
export async function diffusionSamplerCovariance(scores: readonly LinearScore[], d: number, spec: DiffusionSpec): Promise<SamplerCovariance> {
  const D = checkDimension(d, 'd');
  if (spec === undefined || spec === null) fail('MISSING_OPTION', 'spec', 'no levels', '{ levels, start?, spectrum?, denoise? }');
  checkOptions(spec, DIFFUSION_SPEC_KEYS, 'spec');
  const levels = finiteCopy(spec.levels, (spec.levels as { length?: number } | undefined)?.length ?? -1, 'levels', 'noise variances u_0 > ... > u_K >= 0');
  const K = levels.length - 1;
  if (K < 1) fail('INVALID_GRID', 'levels', `has ${levels.length} level(s)`, 'at least two levels u_0 > u_1');
  for (let k = 0; k < K; k++) {
    if (!(levels[k] > levels[k + 1])) fail('INVALID_GRID', 'levels', `u_${k} = ${levels[k]} is not above u_${k + 1} = ${levels[k + 1]}`, 'strictly decreasing levels');
  }
  if (levels[K] < 0) fail('INVALID_GRID', 'levels', `u_${K} = ${levels[K]} < 0`, 'levels >= 0');
  const start = spec.start ?? 'prior';
  if (start !== 'prior' && start !== 'exact') fail('INVALID_OPTION', 'start', `got ${describe(start)}`, "'prior' or 'exact'");
  if (start === 'exact' && spec.spectrum === undefined) fail('MISSING_OPTION', 'spectrum', 'the exact start needs the data spectrum', 'spectrum (d eigenvalues >= 0)');
  if (start === 'prior' && spec.spectrum !== undefined) fail('INVALID_OPTION', 'spectrum', 'given with the prior start', "spectrum only with start 'exact'");
  const l = start === 'exact' ? finiteCopy(spec.spectrum, D, 'spectrum', 'the data eigenvalues') : null;
  if (l) for (let i = 0; i < D; i++) if (l[i] < 0) fail('NEGATIVE_EIGENVALUE', 'spectrum', `entry ${i} is ${l[i]}`, 'eigenvalues >= 0');
  const denoise = spec.denoise ?? false;
  if (typeof denoise !== 'boolean') fail('INVALID_OPTION', 'denoise', `got ${describe(denoise)}`, 'true or false');
  if (!Array.isArray(scores) || scores.length !== K + 1) {
    fail('INVALID_SHAPE', 'scores', `got ${describe(scores)}`, `one score per level: ${K + 1} (A_0 .. A_K)`);
  }
  const checked = scores.map((s, k) => checkScore(s, D, `scores[${k}]`));
  const vectors = checked[0].vectors;
  const modal = checked.every((s) => s.values !== null && sameVectors(s.vectors, vectors)) && (start === 'prior' || vectors === null);
  const uK = levels[K];
  if (modal) {
    return perMode(checked[0].values!, vectors, D, (i) => {
      const v = veEmVariance(levels, (k) => checked[k].values![i], (l ? l[i] : 0) + levels[0]);
      return denoise && uK > 0 ? tweedieVariance(checked[K].values![i], uK, v) : v;
    });
  }
  let s: Float64Array = new Float64Array(D * D);
  for (let i = 0; i < D; i++) s[i * D + i] = (l ? l[i] : 0) + levels[0];
  const dense: Float64Array[] = [];
  for (const sc of checked) dense.push(await denseOf(sc, D));
  for (let k = 0; k < K; k++) {
    const h = levels[k] - levels[k + 1];
    s = await congruence(identityMinus(dense[k], D, h), s, D, h); // S_{k+1} = M_k S_k M_k^T + h_k I
  }
  if (denoise && uK > 0) s = await congruence(identityMinus(dense[K], D, uK), s, D);
  return { covariance: s, variances: null };
}

/** Options of learnedSamplerCovariance: those of edmSamplerError, less what the fit decides. */
export type LearnedSamplerOptions = Omit<EdmSamplerErrorOptions, 'modelSpectrum' | 'start'>;

const LEARNED_KEYS = EDM_SAMPLER_ERROR_KEYS.filter((k) => k !== 'modelSpectrum' && k !== 'start');

/**
 * Output covariance of a k-diffusion sampler (edmSamplerError's samplers and levels) driven, at every level
 * sigma, by the exact DSM fit A_sigma = (S_N + sigma^2 I)^{-1} of the same samples: its denoiser is
 * mu / (mu + sigma^2) in the eigenbasis U of S_N, so from the prior start N(0, sigma_0^2 I) the sampler acts
 * per column of U as on a mode with model eigenvalue mu, and the output is U diag(v(mu)) U^T, v read from
 * the state-space engine (edmSamplerError with spectrum = modelSpectrum = mu). Errors: those of
 * edmSamplerError; UNKNOWN_OPTION for modelSpectrum and start (the fit and the prior start fix them).
 */
export async function learnedSamplerCovariance(fit: DsmFit, opts: LearnedSamplerOptions): Promise<SamplerCovariance> {
  checkOptions(opts, LEARNED_KEYS, 'opts');
  const mu = fit.mu;
  const run = await edmSamplerError(mu, { ...opts, modelSpectrum: mu, start: 'prior', curve: false }); // only the variances are read
  // Modes are the distinct pairs (mu, mu): one output variance per distinct eigenvalue.
  const byValue = new Map<number, number>();
  for (let m = 0; m < run.values.length; m++) byValue.set(run.modelValues[m], run.variances[m]);
  const variances = Float64Array.from(mu, (x) => byValue.get(Math.max(x, 0))!);
  return { covariance: await fromEigen(fit.vectors, variances, fit.d), variances };
}

/**
 * W2^2 between N(mean, covariance) and the target N(0, diag(spectrum)) (eigenbasis of S): dense by Bures
 * (src/linalg buresW2). Errors: those of buresW2.
 */
export async function targetW2Squared(spectrum: ArrayLike<number>, covariance: ArrayLike<number>, d: number, mean?: ArrayLike<number>): Promise<number> {
  const D = checkDimension(d, 'd');
  const l = finiteCopy(spectrum, D, 'spectrum', 'the data eigenvalues');
  const target = new Float64Array(D * D);
  for (let i = 0; i < D; i++) target[i * D + i] = l[i];
  return (await buresW2(covariance, target, D, mean === undefined ? {} : { meanA: mean })).w2Squared;
}

/** Per mode: sum_i (sqrt v_i - sqrt l_i)^2, W2^2 between N(0, diag(v)) and N(0, diag(l)). */
export function modesW2Squared(spectrum: ArrayLike<number>, variances: ArrayLike<number>): number {
  const n = checkInteger(spectrum.length, 'spectrum', 1, Number.MAX_SAFE_INTEGER, 'a non-empty array');
  if (variances.length !== n) fail('INVALID_SHAPE', 'variances', `has length ${variances.length}, expected ${n}`, 'one variance per eigenvalue');
  return neumaierSum(Float64Array.from({ length: n }, (_, i) => modeW2Squared(spectrum[i], variances[i])));
}
