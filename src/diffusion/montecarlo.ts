/**
 * Monte-Carlo validation of the closed forms (issue 4): simulate every scheme with particles, with the exact
 * linear score, in the eigenbasis of S, and compare the empirical output variances and W2 with the engine's.
 *
 * Method. Each distinct eigenvalue l_i carries B particles; a particle follows the scheme's linear step
 *   y <- m_k y + sqrt(nu_k) z_k,   z_k ~ N(0, 1) fresh per particle and step,
 * with m_k and nu_k read from the scheme's plan (`buildPlan`, src/diffusion/plan.ts: the schemes are not written a
 * second time), started at y_0 ~ N(0, a_0) (p_T) or N(0, 1) (N(0, I)). In law this is v <- m_k^2 v + nu_k
 * (EM and EI draw one noise per step; the ODE schemes have nu = 0), so y_N ~ N(0, v_i) exactly, v_i the
 * closed-form output variance. The kernel is assembly/diffusion/particles.ts (f64x2, particles in lanes); the normals
 * come from the seeded generator (src/random/random.ts), written chunk by chunk into a Wasm buffer: memory is
 * O(chunk + modes + steps), whatever B. Noise of particle g (global index, mode-major) at step k is the
 * normal number (k + 1) * total + g of the stream `seed` (start draws: k = -1), so results do not depend
 * on the chunking: same seed, same result.
 *
 * Estimates. The mean is known (0), so the per-mode variance is vhat_i = sum y^2 / B (divided by B, not B - 1):
 * vhat_i ~ v_i chi2_B / B exactly. z-scores against the closed form: z_i = (vhat_i - v_i) / (v_i sqrt(2/B)).
 *
 * Bias. The plug-in W2 = sqrt(sum_i w_i (sqrt(vhat_i) - sqrt(l_i))^2) is biased: E sqrt(vhat) = c_B sqrt(v),
 * c_B = sqrt(2/B) Gamma((B+1)/2) / Gamma(B/2) = 1 - 1/(4B) + O(B^-2), so E[(sqrt(vhat) - sqrt(l))^2] exceeds
 * (sqrt(v) - sqrt(l))^2 by 2 sqrt(l v) (1 - c_B) ~ sqrt(l v) / (2B) (first order). The estimate reported,
 *   S_u = sum_i w_i (vhat_i - 2 sqrt(l_i vhat_i) / c_B + l_i),   w2 = sqrt(max(S_u, 0)),
 * is exactly unbiased for W2^2 (c_B computed exactly); `bias` is the plug-in W2 minus w2 (what was removed).
 * What remains is the Jensen bias of the outer square root, -Var(S_u) / (8 W2^3), second order in stderr.
 *
 * Standard error. Delta method on S_u, modes independent: Var(S_u) ~ sum_i g_i^2 s_i^2 + H_i^2 s_i^4 / 2 with
 * g_i = w_i (1 - sqrt(l_i) / (c_B sqrt(vhat_i))), H_i = w_i sqrt(l_i) / (2 c_B vhat_i^{3/2}) (the second-order term
 * matters when W2 ~ 0) and s_i^2 = (m4_i - vhat_i^2) / B the empirical variance of vhat_i (m4_i = sum y^4 / B).
 * The stderr of w2 is the half-width of the image of [S_u - se, S_u + se] under sqrt: se / (2 W2) when
 * W2 >> sqrt(se), sqrt(se) / 2 when W2 ~ 0.
 *
 * Dense variant (`validateDense`): the same check with the operators as dense matrices in a random rotated
 * basis (see there), for operators that are not diagonal.
 */
import { fail } from '../core/errors.js';
import { checkInteger, checkSeed } from '../core/checks.js';
import { checkOptions, optionKeys } from '../core/options.js';
import { gridGeometry, uniformGrid, validateEps, validatePoints } from './grid.js';
import { type ScheduleOptions, scheduleOf, scheduleOptionsOf } from './schedules/index.js';
import { type SchemeName, resolveSchemes } from './samplers/index.js';
import { PLAN_STRIDE, buildPlan } from './plan.js';
import { prepareSpectrum } from '../spectra/spectrum.js';
import { validateInits } from './reports/table.js';
import { type Contributions, contributions } from './reports/outputs.js';
import { type WasmScope, checkWasmBytes, withWasm } from '../wasm/kernel.js';
import { generator, normals, normalsIn } from '../random/random.js';
import { eigh } from '../linalg/eigh.js';
import { gemm } from '../linalg/blas.js';

export interface ValidateOptions extends ScheduleOptions {
  scheme: SchemeName;
  /** Number of grid points N of the paper's grid (N - 1 steps). */
  steps: number;
  eps: number;
  init: 'pT' | 'normal';
  /** Particles per distinct eigenvalue (B >= 2). */
  particles: number;
  /** Seed of the random stream (an integer 0 <= seed < 2^53). */
  seed: number;
}

export const VALIDATE_KEYS = optionKeys<ValidateOptions>({
  scheme: true, steps: true, eps: true, init: true, particles: true, seed: true, schedule: true, betaMin: true, betaMax: true, horizon: true, cosineS: true, cosineBetaMax: true,
});

export interface ValidateResult {
  /** The engine's exact W2 of the sampler. */
  closedForm: number;
  monteCarlo: {
    /** Bias-corrected Monte-Carlo W2: sqrt of the unbiased estimate of W2^2 (see the header). */
    w2: number;
    /** Its standard error (delta method). */
    stderr: number;
    /** Estimated finite-sample bias of the plug-in W2 (plug-in minus w2), already removed from w2. */
    bias: number;
    /** The plug-in estimate sqrt(sum w (sqrt(vhat) - sqrt(l))^2), biased upwards by ~ sum w sqrt(l v) / (2B) in W2^2. */
    plugIn: number;
  };
  /** max_i |z_i| over the distinct modes with a finite, positive closed-form variance. */
  maxAbsZ: number;
  /** The bound on maxAbsZ that a right closed form exceeds with probability at most `level` (see zBound). */
  zBound: number;
  /** Family-wise level of the verdict: VALIDATE_LEVEL = 1e-3. */
  level: number;
  /** The verdict: maxAbsZ <= zBound, i.e. the closed form is consistent with the Monte Carlo at `level`. */
  consistent: boolean;
  /** Monte-Carlo output variance of each entry of the input spectrum (its distinct value's). */
  variances: Float64Array;
  /** Closed-form output variance of each entry of the input spectrum. */
  closedFormVariances: Float64Array;
  /** z-score of each entry of the input spectrum (its distinct value's; where the closed form is 0: 0 if the estimate is 0 too, else +Infinity). */
  zScores: Float64Array;
}

/** Chance that the verdict calls a right closed form inconsistent. */
export const VALIDATE_LEVEL = 1e-3;

/**
 * The bound t on max |z| over m modes with B particles, exceeded with probability <= alpha when the closed
 * form is right: vhat / v ~ chi2_B / B exactly (Gaussian particles, known mean 0), Chernoff bounds
 * P(chi2_B/B - 1 >= x) <= exp(-B/2 (x - ln(1 + x))) and P(chi2_B/B - 1 <= -x) <= exp(-B/2 (-x - ln(1 - x)))
 * with x = t sqrt(2/B), and a union bound over the m modes: t solves m (upper + lower) = alpha (bisection).
 */
export function zBound(m: number, b: number, alpha = VALIDATE_LEVEL): number {
  const tail = (t: number): number => {
    const x = t * Math.sqrt(2 / b);
    const up = Math.exp(-(b / 2) * (x - Math.log1p(x)));
    const down = x < 1 ? Math.exp(-(b / 2) * (-x - Math.log1p(-x))) : 0;
    return m * (up + down);
  };
  let lo = 0;
  let hi = 100;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (tail(mid) > alpha) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** Particles per chunk (a multiple of 4): y and z chunks of 512 KiB each. */
const CHUNK = 1 << 16;
/** Largest number of particles per mode. */
export const MAX_PARTICLES = 1 << 28;

/** c_B = E sqrt(chi2_B / B) = sqrt(2/B) Gamma((B+1)/2) / Gamma(B/2), exactly (recursion on the gamma ratio). */
export function chiMeanFactor(b: number): number {
  if (b > 1e5) {
    // Asymptotic series, error O(B^-4) < 1e-20.
    return 1 - 1 / (4 * b) + 1 / (32 * b * b) + 5 / (128 * b * b * b);
  }
  // R(n) = Gamma((n+1)/2) / Gamma(n/2): R(1) = 1/sqrt(pi), R(2) = sqrt(pi)/2, R(n+2) = R(n) (n+1)/n.
  let r = b % 2 === 1 ? 1 / Math.sqrt(Math.PI) : Math.sqrt(Math.PI) / 2;
  for (let n = b % 2 === 1 ? 1 : 2; n < b; n += 2) r *= (n + 1) / n;
  return Math.sqrt(2 / b) * r;
}

function checkValidateOptions(opts: ValidateOptions) {
  if (opts === undefined) fail('INVALID_OPTION', 'options', 'no options given', '{ scheme, steps, eps, init, particles, seed }');
  checkOptions(opts, VALIDATE_KEYS, 'options');
  const [scheme] = resolveSchemes([opts.scheme], 'scheme');
  const schedule = scheduleOf(opts);
  const points = validatePoints(opts.steps, 'steps');
  const eps = validateEps(opts.eps, schedule.horizon, 'eps');
  const [init] = validateInits([opts.init], 'init');
  const b = checkInteger(opts.particles, 'particles', 2, MAX_PARTICLES, `an integer number of particles per mode from 2 to ${MAX_PARTICLES}`);
  const seed = checkSeed(opts.seed);
  return { scheme, schedule, points, eps, init, particles: b, seed };
}

/** Sums of y^2 and y^4 per distinct mode after the simulation. */
function simulate(
  scope: WasmScope, values: Float64Array, e: Float64Array, om: Float64Array, coefficients: Float64Array,
  noisy: boolean, pT: boolean, used: number, stride: number, seed: number,
): { s2: Float64Array; s4: Float64Array } {
  const nModes = values.length;
  const steps = e.length - 1;
  const total = nModes * stride;
  const chunk = Math.min(CHUNK, total);
  const lam = scope.f64(nModes, values);
  const coef = scope.f64(coefficients.length, coefficients);
  const s2 = scope.f64(nModes);
  const s4 = scope.f64(nModes);
  const y = scope.f64(chunk);
  const z = noisy ? scope.f64(chunk) : 0;
  scope.view(s2, nModes).fill(0);
  scope.view(s4, nModes).fill(0);
  const start = scope.kernel.particlesStart;
  const step = scope.kernel.particlesStep;
  const moments = scope.kernel.particlesMoments;
  for (let first = 0; first < total; first += chunk) {
    const count = Math.min(chunk, total - first);
    normalsIn(scope, y, count, seed, first); // start draws: block 0 of the stream
    start(y, count, first, stride, lam, e[0], om[0], pT ? 1 : 0);
    for (let k = 0; k < steps; k++) {
      if (noisy) normalsIn(scope, z, count, seed, (k + 1) * total + first);
      step(y, z, count, first, stride, lam, e[k], om[k], e[k + 1], om[k + 1], coef + 8 * PLAN_STRIDE * k);
    }
    moments(y, count, first, stride, used, s2, s4);
  }
  return { s2: scope.read(s2, nModes), s4: scope.read(s4, nModes) };
}

/**
 * Largest eigenvalue or closed-form variance v that B particles can estimate in f64: the fourth moments
 * sum_b y_b^4 (y = sqrt(v) z, |z| <= 10 over any stream this module draws) stay below f64 max when
 * B v^2 1e4 <= f64 max, i.e. v <= sqrt(f64 max / (1e4 B)) (8e146 at the largest B, 4e150 at B = 1000).
 */
export function maxSimulableVariance(B: number): number {
  return Math.sqrt(Number.MAX_VALUE / (1e4 * B));
}

/**
 * Refuse, with a typed error before the simulation, what Monte Carlo cannot estimate: an infinite closed
 * form (the engine's diagnostic says why: a singular score, INVALID_EPS; a variance or W2^2 beyond f64,
 * TOO_LARGE), or an eigenvalue or variance above `maxSimulableVariance(B)` (TOO_LARGE). Afterwards every
 * estimate below is finite.
 */
function checkSimulable(cf: Contributions, B: number): void {
  if (cf.diagnostic) {
    const singular = cf.diagnostic.code === 'singular-score';
    fail(singular ? 'INVALID_EPS' : 'TOO_LARGE', singular ? 'eps' : 'steps', `the closed form is +Infinity: ${cf.diagnostic.message}`,
      singular ? 'eps > 0 (Monte Carlo cannot estimate an infinite variance)' : 'a grid on which the scheme is stable (Monte Carlo cannot estimate an infinite variance)');
  }
  const limit = maxSimulableVariance(B);
  for (let i = 0; i < cf.values.length; i++) {
    const big = Math.max(cf.values[i], cf.variances[i]);
    if (big > limit) {
      fail('TOO_LARGE', 'spectrum', `eigenvalue ${cf.values[i]} has closed-form output variance ${cf.variances[i]}: the particles' fourth moments (sum of y^4 over ${B} particles) would overflow f64`,
        `eigenvalues and output variances up to sqrt(f64 max / (1e4 B)) = ${limit.toPrecision(3)} for B = ${B} particles`);
    }
  }
}

/**
 * The estimates of the header from per-mode sums of y^2 (s2) and y^4 (s4) over B particles: vhat, z-scores
 * against the closed-form variances v, the bias-corrected W2 with its stderr, the plug-in W2 and their gap.
 * Every v and l is finite and at most `maxSimulableVariance(B)` (`checkSimulable`); the delta-method terms
 * are formed from sd = sqrt(Var vhat) ratios so that tiny vhat (down to denormals) cannot give Inf * 0.
 */
export function summarize(values: Float64Array, counts: Float64Array, variances: Float64Array, s2: Float64Array, s4: Float64Array, B: number) {
  const nModes = values.length;
  const cB = chiMeanFactor(B);
  const vhat = new Float64Array(nModes);
  const z = new Float64Array(nModes);
  let maxAbsZ = 0;
  let tested = 0; // modes with a z-score: finite, positive closed-form variance
  let plug = 0;
  let unbiased = 0;
  let varS = 0;
  for (let i = 0; i < nModes; i++) {
    const v = variances[i];
    const w = counts[i];
    const l = values[i];
    const vh = s2[i] / B; // known mean 0: divide by B
    const m4 = s4[i] / B;
    vhat[i] = vh;
    // z = (vhat - v) / (v sqrt(2/B)), as (vhat/v - 1) / sqrt(2/B) so that a tiny v cannot underflow to 0/0.
    z[i] = v > 0 ? (vh / v - 1) / Math.sqrt(2 / B) : (vh === 0 ? 0 : Infinity);
    if (v > 0) tested++;
    if (v > 0 && Math.abs(z[i]) > maxAbsZ) maxAbsZ = Math.abs(z[i]);
    const rl = Math.sqrt(l);
    const rv = Math.sqrt(vh);
    plug += w * (rv - rl) ** 2;
    unbiased += w * (vh - (2 * rl * rv) / cB + l);
    const s2v = Math.max(m4 - vh * vh, 0) / B; // empirical variance of vhat
    if (vh > 0) {
      // g^2 s2v + h^2 s2v^2 / 2 with g sd = w (sd - rl (sd / rv) / cB) and h s2v = (w rl / (2 cB)) (sd / rv) (sd / vh).
      const sd = Math.sqrt(s2v);
      const gs = w * (sd - (rl * (sd / rv)) / cB);
      const hs = ((w * rl) / (2 * cB)) * (sd / rv) * (sd / vh);
      varS += gs * gs + 0.5 * hs * hs;
    } else {
      varS += w * w * s2v;
    }
  }
  const w2 = Math.sqrt(Math.max(unbiased, 0));
  const plugIn = Math.sqrt(plug);
  const se = Math.sqrt(varS);
  const S = Math.max(unbiased, 0);
  const stderr = (Math.sqrt(S + se) - Math.sqrt(Math.max(S - se, 0))) / 2;
  const bound = zBound(Math.max(tested, 1), B);
  const verdict = { zBound: bound, level: VALIDATE_LEVEL, consistent: maxAbsZ <= bound };
  return { vhat, z, maxAbsZ, verdict, monteCarlo: { w2, stderr, bias: plugIn - w2, plugIn } };
}

/** Index of each input entry's distinct value in `values` (ascending; tiny clipped negatives map to 0). */
function expandIndex(input: ArrayLike<number>, values: Float64Array): Int32Array {
  const idx = new Int32Array(input.length);
  for (let j = 0; j < input.length; j++) {
    const x = Math.max(input[j], 0);
    let lo = 0;
    let hi = values.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (values[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    idx[j] = lo;
  }
  return idx;
}

/**
 * Monte-Carlo check of one sampler against the closed form: per-mode empirical variances, their z-scores,
 * and the Monte-Carlo W2 with its standard error and bias (see the header for the method).
 * Errors (before any work): the scheme, steps, eps, schedule and init errors of the engine; INVALID_OPTION
 * for particles (an integer >= 2) and seed (an integer in [0, 2^53)); the spectrum's errors; TOO_LARGE.
 */
export async function validate(spectrum: ArrayLike<number>, opts: ValidateOptions): Promise<ValidateResult> {
  const o = checkValidateOptions(opts);
  const spec = prepareSpectrum(spectrum);
  const nModes = spec.values.length;
  const stride = Math.ceil(o.particles / 4) * 4;
  const steps = o.points - 1;
  const total = nModes * stride;
  if ((steps + 1) * total > Number.MAX_SAFE_INTEGER || total > 2 ** 31 - 1) {
    fail('TOO_LARGE', 'particles', `${o.particles} particles x ${nModes} distinct eigenvalues x ${o.points} grid points exceed the kernel's particle index (2^31) or the random stream (2^53)`,
      'fewer particles, grid points or distinct eigenvalues');
  }
  const chunk = Math.min(CHUNK, total);
  checkWasmBytes(8 * (4 * nModes + 2 * chunk + steps * PLAN_STRIDE + 2 * o.points) + 4096, 'particles');

  const cf = await contributions(spectrum, {
    scheme: o.scheme.name, steps: o.points, eps: o.eps, init: o.init,
    ...scheduleOptionsOf(opts),
  });
  checkSimulable(cf, o.particles);
  const geom = gridGeometry(o.schedule, uniformGrid(o.points, o.eps, o.schedule.horizon));
  const plan = buildPlan([o.scheme], geom);
  const noisy = plan.tableau[1] === 0;
  const { s2, s4 } = await withWasm((scope) => simulate(
    scope, spec.values, geom.e, geom.om, plan.coefficients, noisy, o.init === 'pT', o.particles, stride, o.seed,
  ));

  const stats = summarize(spec.values, spec.counts, cf.variances, s2, s4, o.particles);
  const idx = expandIndex(spectrum, spec.values);
  const expand = (a: Float64Array) => Float64Array.from(idx, (i) => a[i]);
  return {
    closedForm: cf.w2,
    monteCarlo: stats.monteCarlo,
    maxAbsZ: stats.maxAbsZ,
    ...stats.verdict,
    variances: expand(stats.vhat),
    closedFormVariances: expand(cf.variances),
    zScores: expand(stats.z),
  };
}

/** Largest dimension of the dense variant (a Cholesky inverse in TypeScript per grid point, O(d^3)). */
export const MAX_DENSE_DIMENSION = 256;

/** Inverse of a symmetric positive definite d x d matrix by Cholesky (A = L L^T, A^{-1} = L^{-T} L^{-1}). */
function invSpd(a: Float64Array, d: number): Float64Array {
  const L = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    let s = a[j * d + j];
    for (let k = 0; k < j; k++) s -= L[j * d + k] ** 2;
    if (!(s > 0)) {
      fail('INVALID_EPS', 'eps', 'a dense forward covariance e_k S + (1 - e_k) I is not numerically positive definite (1 - e_k is below the rounding error of the rotated S)',
        'a larger eps: 1 - e^{-2B(eps)} well above 1e-15 x the largest eigenvalue');
    }
    const ljj = Math.sqrt(s);
    L[j * d + j] = ljj;
    for (let i = j + 1; i < d; i++) {
      let t = a[i * d + j];
      for (let k = 0; k < j; k++) t -= L[i * d + k] * L[j * d + k];
      L[i * d + j] = t / ljj;
    }
  }
  // W = L^{-1} (lower), by forward substitution column by column.
  const W = new Float64Array(d * d);
  for (let c = 0; c < d; c++) {
    for (let i = c; i < d; i++) {
      let t = i === c ? 1 : 0;
      for (let k = c; k < i; k++) t -= L[i * d + k] * W[k * d + c];
      W[i * d + c] = t / L[i * d + i];
    }
  }
  // A^{-1} = W^T W, symmetric by construction.
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let t = 0;
      for (let k = i; k < d; k++) t += W[k * d + i] * W[k * d + j];
      out[i * d + j] = t;
      out[j * d + i] = t;
    }
  }
  return out;
}

/** Lower Cholesky factor of a symmetric positive definite matrix (for the p_T start draws). */
function cholLower(a: Float64Array, d: number): Float64Array {
  const L = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    let s = a[j * d + j];
    for (let k = 0; k < j; k++) s -= L[j * d + k] ** 2;
    const ljj = Math.sqrt(Math.max(s, 0));
    L[j * d + j] = ljj;
    for (let i = j + 1; i < d; i++) {
      let t = a[i * d + j];
      for (let k = 0; k < j; k++) t -= L[i * d + k] * L[j * d + k];
      L[i * d + j] = ljj > 0 ? t / ljj : 0;
    }
  }
  return L;
}

function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
  return t;
}

/**
 * The dense variant, for operators that are not diagonal: S = Q diag(l) Q^T with Q a Haar-random rotation
 * (the eigenvectors, by `eigh`, of a symmetric Gaussian matrix drawn from the seed's stream `split(1)`), and
 * particles x in R^d (d = the number of entries of the spectrum, at most MAX_DENSE_DIMENSION) following the
 * scheme with dense operators: with A_k = e_k S + om_k I and R_k = A_k^{-1} (Cholesky inverse: the
 * eigendecomposition is not used by the dynamics),
 *   x <- M_k x + sqrt(nu_k) z,   M_k = c00 I + c10 R_k + R_{k+1} (c01 I + c11 R_k)   (GEMM, particles as columns),
 * started at x_0 = chol(A_0) z (p_T) or z. The output is projected on the columns of Q: y_i = q_i^T x ~
 * N(0, v_i) exactly when the dense operators commute with S as they should, so the per-entry statistics are
 * those of `validate` (each entry its own mode, weight 1). The W2 estimate is the commuting formula on the
 * projected variances (the empirical covariance's off-diagonal terms in the eigenbasis are not used).
 * Noise of coordinate i, particle b, step k: normal (k + 1) d B + i B + b of the stream `seed`.
 */
export async function validateDense(spectrum: ArrayLike<number>, opts: ValidateOptions): Promise<ValidateResult & { rotation: Float64Array }> {
  const o = checkValidateOptions(opts);
  prepareSpectrum(spectrum); // the spectrum's errors
  const d = spectrum.length;
  if (d > MAX_DENSE_DIMENSION) {
    fail('TOO_LARGE', 'spectrum', `the dense variant was asked for d = ${d}`, `at most ${MAX_DENSE_DIMENSION} entries (use validate for larger spectra)`);
  }
  const B = o.particles;
  const steps = o.points - 1;
  if ((steps + 1) * d * B > Number.MAX_SAFE_INTEGER) {
    fail('TOO_LARGE', 'particles', `${B} particles x d = ${d} x ${o.points} grid points exceed the random stream`, 'fewer particles or grid points');
  }
  checkWasmBytes(8 * (4 * d * B + 4 * d * d) + (1 << 20), 'particles');

  const cf = await contributions(spectrum, {
    scheme: o.scheme.name, steps: o.points, eps: o.eps, init: o.init, ...scheduleOptionsOf(opts),
  });
  checkSimulable(cf, B);
  const lam = Float64Array.from(spectrum, (x) => Math.max(x, 0));
  const idx = expandIndex(spectrum, cf.values);
  const v = Float64Array.from(idx, (i) => cf.variances[i]);
  const ones = new Float64Array(d).fill(1);

  // Haar rotation and the dense covariance S = Q diag(l) Q^T.
  const g = await generator(o.seed).split(1).normals(d * d);
  const sym = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) sym[i * d + j] = 0.5 * (g[i * d + j] + g[j * d + i]);
  const Q = (await eigh(sym, d)).vectors!;
  const Qt = transpose(Q, d, d);
  const QL = Q.slice();
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) QL[i * d + j] *= lam[j];
  const S = await gemm(QL, Qt, d, d, d);
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) { const m = 0.5 * (S[i * d + j] + S[j * d + i]); S[i * d + j] = m; S[j * d + i] = m; }

  const s2 = new Float64Array(d);
  const s4 = new Float64Array(d);
  const geom = gridGeometry(o.schedule, uniformGrid(o.points, o.eps, o.schedule.horizon));
  const plan = buildPlan([o.scheme], geom);
  const forward = (k: number): Float64Array => {
    const a = new Float64Array(d * d);
    for (let i = 0; i < d * d; i++) a[i] = geom.e[k] * S[i];
    for (let i = 0; i < d; i++) a[i * d + i] += geom.om[k];
    return a;
  };
  let x = await normals(d * B, { seed: o.seed, offset: 0 });
  if (o.init === 'pT') x = await gemm(cholLower(forward(0), d), x, d, d, B);
  // R_k, each computed once (and R_{N-1} only when a scheme evaluates the score there).
  const inverses = new Map<number, Float64Array>();
  const inverse = (k: number): Float64Array => {
    let r = inverses.get(k);
    if (!r) { r = invSpd(forward(k), d); inverses.set(k, r); inverses.delete(k - 2); }
    return r;
  };
  for (let k = 0; k < steps; k++) {
    const row = k * PLAN_STRIDE;
    const [c00, c10, c01, c11, nu] = plan.coefficients.subarray(row, row + PLAN_STRIDE);
    const r0 = inverse(k);
    let M = new Float64Array(d * d);
    for (let i = 0; i < d * d; i++) M[i] = c10 * r0[i];
    if (c01 !== 0 || c11 !== 0) {
      const inner = new Float64Array(d * d);
      for (let i = 0; i < d * d; i++) inner[i] = c11 * r0[i];
      for (let i = 0; i < d; i++) inner[i * d + i] += c01;
      const prod = await gemm(inverse(k + 1), inner, d, d, d);
      for (let i = 0; i < d * d; i++) M[i] += prod[i];
    }
    for (let i = 0; i < d; i++) M[i * d + i] += c00;
    x = await gemm(M, x, d, d, B);
    M = new Float64Array(0);
    if (nu !== 0) {
      const z = await normals(d * B, { seed: o.seed, offset: (k + 1) * d * B });
      const sn = Math.sqrt(nu);
      for (let i = 0; i < d * B; i++) x[i] += sn * z[i];
    }
  }
  const y = await gemm(Qt, x, d, d, B);
  for (let i = 0; i < d; i++) {
    let a2 = 0;
    let a4 = 0;
    for (let b = 0; b < B; b++) { const t = y[i * B + b] ** 2; a2 += t; a4 += t * t; }
    s2[i] = a2;
    s4[i] = a4;
  }
  const stats = summarize(lam, ones, v, s2, s4, B);
  return {
    closedForm: cf.w2,
    monteCarlo: stats.monteCarlo,
    maxAbsZ: stats.maxAbsZ,
    ...stats.verdict,
    variances: stats.vhat,
    closedFormVariances: v,
    zScores: stats.z,
    rotation: Q,
  };
}
