/**
 * Linear score models learned by denoising score matching (DSM), after Hurault, Terris, Moreau & Peyre; the
 * project's conventions are docs/math.md §3.1-§3.2 (from ../shared/score-matching.md §2).
 *
 * Score s_A(y) = -A y (affine: -A (y - m)) at noise amplitude sigma, loss l(A; x, z) = 1/2 |A (x + sigma z) - z/sigma|^2.
 * - dsmFit: the exact minimiser over N samples, A*_N = (S_N + sigma^2 I)^{-1}, by its eigendecomposition.
 * - dsmSgd: a seeded simulator of constant-step SGD on the loss (step tau, batch B drawn with replacement,
 *   fresh noise), free or symmetric A, in one of three parameterisations with identical trajectories.
 * - sgdStationary: samples of the stationary law A = A*_N + Delta (leading order in tau), in closed form.
 * Plain TS: the SGD step is a rank-B update, O(B d^2) per step, and the tests run it at d <= 4; the dense
 * products of dsmFit and sgdStationary go through the Wasm GEMM and eigensolver (src/linalg).
 */
import { fail } from '../core/errors.js';
import { checkDimension, checkInteger, checkSeed, describe } from '../core/checks.js';
import { checkOptions, optionKeys } from '../core/options.js';
import { covariance, gemm } from '../linalg/blas.js';
import { eigh } from '../linalg/eigh.js';
import { clipPsd } from '../linalg/functions.js';
import { generator } from '../random/random.js';
import { exactScore } from './modes.js';

/** A finite number > 0 (INVALID_OPTION otherwise). */
export function checkPositive(x: unknown, argument: string, allowed = 'a finite number > 0'): number {
  if (typeof x !== 'number' || !Number.isFinite(x) || x <= 0) fail('INVALID_OPTION', argument, `got ${describe(x)}`, allowed);
  return x;
}

/** n x d row-major samples: the number of rows n (INVALID_SHAPE unless the length is a positive multiple of d). */
function checkSamples(samples: unknown, d: number, minRows: number): number {
  const len = (samples as { length?: unknown } | null)?.length;
  if (samples === null || typeof samples !== 'object' || typeof len !== 'number' || len % d !== 0 || len / d < minRows) {
    fail('INVALID_SHAPE', 'samples', `expected n x ${d} numbers (row-major, n >= ${minRows}), got ${describe(samples)}`,
      `a row-major array of n >= ${minRows} samples of dimension d = ${d}`);
  }
  return len / d;
}

/** U diag(f) U^T for U d x d row-major (columns the vectors). */
export async function fromEigen(vectors: ArrayLike<number>, f: ArrayLike<number>, d: number): Promise<Float64Array> {
  const uf = new Float64Array(d * d);
  const ut = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      uf[i * d + j] = vectors[i * d + j] * f[j];
      ut[j * d + i] = vectors[i * d + j];
    }
  }
  const a = await gemm(uf, ut, d, d, d);
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) a[i * d + j] = a[j * d + i] = (a[i * d + j] + a[j * d + i]) / 2;
  return a;
}

export interface DsmFitOptions {
  /** 'known' (default: the data have mean 0, linear score) or 'estimated' (affine score, m = the sample mean). */
  mean?: 'known' | 'estimated';
  /** Also return A densely (d x d); default false. */
  dense?: boolean;
}

export const DSM_FIT_KEYS = optionKeys<DsmFitOptions>({ mean: true, dense: true });

export interface DsmFit {
  readonly d: number;
  readonly n: number;
  readonly sigma: number;
  /** Eigenvalues mu of S_N (or of the centred S_N^c), ascending, rounding negatives clipped to 0. */
  readonly mu: Float64Array;
  /** U: d x d row-major, column j the eigenvector of mu_j (S_N = U diag(mu) U^T). */
  readonly vectors: Float64Array;
  /** Eigenvalues of A*_N: a_j = 1 / (mu_j + sigma^2), so A*_N = U diag(a) U^T. */
  readonly values: Float64Array;
  /** The sample mean m of the affine model (mean 'estimated'), else null. */
  readonly mean: Float64Array | null;
  /** A*_N densely with { dense: true }, else null. */
  readonly matrix: Float64Array | null;
}

/**
 * The exact DSM minimiser from the n x d samples X (row-major): A*_N = (S_N + sigma^2 I)^{-1} with
 * S_N = X^T X / n (mean known), or the affine model A = (S_N^c + sigma^2 I)^{-1}, m = xbar with
 * S_N^c = sum (x - xbar)(x - xbar)^T / n (divided by n, not n - 1: score-matching.md §1-§2).
 * Errors: INVALID_SHAPE (d; samples not n x d, n >= 1, n >= 2 with the mean estimated), INVALID_OPTION
 * (sigma, mean, dense), UNKNOWN_OPTION, NON_FINITE, TOO_LARGE.
 */
export async function dsmFit(samples: ArrayLike<number>, d: number, sigma: number, opts: DsmFitOptions = {}): Promise<DsmFit> {
  const D = checkDimension(d, 'd');
  checkOptions(opts, DSM_FIT_KEYS, 'options');
  const mean = opts.mean ?? 'known';
  if (mean !== 'known' && mean !== 'estimated') fail('INVALID_OPTION', 'mean', `got ${describe(mean)}`, "'known' or 'estimated'");
  const dense = opts.dense ?? false;
  if (typeof dense !== 'boolean') fail('INVALID_OPTION', 'dense', `got ${describe(dense)}`, 'true or false');
  const s = checkPositive(sigma, 'sigma');
  const n = checkSamples(samples, D, mean === 'estimated' ? 2 : 1);
  const center = mean === 'estimated';
  const cov = await covariance(samples, n, D, { center });
  // covariance() divides the centred sum by n - 1; the conventions divide by n.
  if (center) for (let i = 0; i < cov.covariance.length; i++) cov.covariance[i] *= (n - 1) / n;
  const eig = await eigh(cov.covariance, D);
  const mu = clipPsd(eig.values, 'samples');
  const values = mu.map((m) => exactScore(m, s * s));
  const vectors = eig.vectors!;
  return { d: D, n, sigma: s, mu, vectors, values, mean: cov.mean, matrix: dense ? await fromEigen(vectors, values, D) : null };
}

/** The population optimum per mode: a_i = 1 / (l_i + sigma^2), A* = (S + sigma^2 I)^{-1} in the eigenbasis of S. */
export function populationScore(spectrum: ArrayLike<number>, sigma: number): Float64Array {
  const s = checkPositive(sigma, 'sigma');
  const n = (spectrum as { length?: unknown } | null)?.length;
  if (typeof n !== 'number' || n < 1) fail('INVALID_SHAPE', 'spectrum', `got ${describe(spectrum)}`, 'a non-empty array of eigenvalues >= 0');
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const l = spectrum[i];
    if (typeof l !== 'number' || !Number.isFinite(l) || l < 0) fail('NEGATIVE_EIGENVALUE', 'spectrum', `entry ${i} is ${describe(l)}`, 'finite eigenvalues >= 0');
    out[i] = exactScore(l, s * s);
  }
  return out;
}

/**
 * Parameterisations of the linear model at noise amplitude sigma, each with its own loss (score-matching.md §2):
 * - 'score':    A,                 loss 1/2 |A y - z/sigma|^2          (= l)
 * - 'noise':    E = sigma A,       loss 1/2 |E y - z|^2                (= sigma^2 l)
 * - 'denoiser': W = I - sigma^2 A, loss 1/2 |W y - x|^2                (= sigma^4 l)
 * The gradient of each loss in its own variable is the same step in A, so one tau gives one trajectory.
 */
export type Parameterization = 'score' | 'noise' | 'denoiser';

const PARAMETERIZATIONS: readonly Parameterization[] = ['score', 'noise', 'denoiser'];

/** The parameter P of a parameterisation from A (d x d row-major); a new array. */
export function toParameterization(a: ArrayLike<number>, d: number, sigma: number, p: Parameterization): Float64Array {
  const out = Float64Array.from(a);
  if (p === 'noise') for (let i = 0; i < out.length; i++) out[i] *= sigma;
  if (p === 'denoiser') {
    for (let i = 0; i < out.length; i++) out[i] *= -sigma * sigma;
    for (let i = 0; i < d; i++) out[i * d + i] += 1;
  }
  return out;
}

/** A from the parameter P of a parameterisation (inverse of toParameterization); a new array. */
export function fromParameterization(pm: ArrayLike<number>, d: number, sigma: number, p: Parameterization): Float64Array {
  const out = Float64Array.from(pm);
  if (p === 'noise') for (let i = 0; i < out.length; i++) out[i] /= sigma;
  if (p === 'denoiser') {
    for (let i = 0; i < d; i++) out[i * d + i] -= 1;
    for (let i = 0; i < out.length; i++) out[i] /= -sigma * sigma;
  }
  return out;
}

export interface DsmSgdOptions {
  /** SGD step tau > 0. */
  tau: number;
  /** Batch size B >= 1 (indices drawn uniformly with replacement). */
  batch: number;
  /** Number of SGD steps K >= 1. */
  steps: number;
  /** Seed of the generator (chain c uses generator(seed).split(c)); default 0. */
  seed?: number;
  /** Independent chains from the same start (default 1). */
  chains?: number;
  /** Symmetric A = A^T with the symmetrised gradient (default false: free A). */
  symmetric?: boolean;
  /** Which parameter SGD updates, with its own loss (default 'score'). */
  parameterization?: Parameterization;
  /** Start A_0 (d x d row-major, in the score parameterisation); default 0. Symmetric with { symmetric: true }. */
  initial?: ArrayLike<number>;
  /** Record A every `every` steps (default: only after the last step). */
  every?: number;
}

export const DSM_SGD_KEYS = optionKeys<DsmSgdOptions>({
  tau: true, batch: true, steps: true, seed: true, chains: true, symmetric: true, parameterization: true, initial: true, every: true,
});

export interface DsmSgdResult {
  /** A (score parameterisation) after steps every, 2 every, ...: chains x snapshots x d x d, row-major. */
  readonly matrices: Float64Array;
  readonly chains: number;
  readonly snapshots: number;
}

/** Steps per random-number chunk. */
const SGD_CHUNK = 4096;

/**
 * Constant-step SGD on the DSM loss over the training set X (n x d): each step draws B indices uniformly
 * with replacement and fresh z_b ~ N(0, I), y_b = x_b + sigma z_b, and (score-matching.md §2)
 *   P <- P - (tau / B) sum_b (P y_b - t_b) y_b^T,   t_b = z_b / sigma, z_b or x_b (score, noise, denoiser),
 * symmetrised ((G + G^T) / 2) with { symmetric: true }. Seeded: the same options give the same matrices.
 * Errors: INVALID_SHAPE (d, samples, initial), INVALID_OPTION, UNKNOWN_OPTION, MISSING_OPTION, NON_FINITE,
 * NOT_SYMMETRIC (initial with symmetric), TOO_LARGE (the record above 2^28 values).
 */
export async function dsmSgd(samples: ArrayLike<number>, d: number, sigma: number, opts: DsmSgdOptions): Promise<DsmSgdResult> {
  const D = checkDimension(d, 'd');
  if (opts === undefined || opts === null) fail('MISSING_OPTION', 'opts', 'no options', 'an object with tau, batch and steps');
  checkOptions(opts, DSM_SGD_KEYS, 'options');
  const s = checkPositive(sigma, 'sigma');
  for (const key of ['tau', 'batch', 'steps'] as const) {
    if (opts[key] === undefined) fail('MISSING_OPTION', key, 'not given', `${key} (see DsmSgdOptions)`);
  }
  const tau = checkPositive(opts.tau, 'tau');
  const B = checkInteger(opts.batch, 'batch', 1, 2 ** 20, 'an integer 1 <= batch <= 2^20');
  const K = checkInteger(opts.steps, 'steps', 1, Number.MAX_SAFE_INTEGER, 'an integer >= 1');
  const seed = checkSeed(opts.seed ?? 0);
  const chains = checkInteger(opts.chains ?? 1, 'chains', 1, 2 ** 20, 'an integer 1 <= chains <= 2^20');
  const every = checkInteger(opts.every ?? K, 'every', 1, K, `an integer 1 <= every <= steps (${K})`);
  const symmetric = opts.symmetric ?? false;
  if (typeof symmetric !== 'boolean') fail('INVALID_OPTION', 'symmetric', `got ${describe(symmetric)}`, 'true or false');
  const param = opts.parameterization ?? 'score';
  if (!PARAMETERIZATIONS.includes(param)) fail('INVALID_OPTION', 'parameterization', `got ${describe(param)}`, PARAMETERIZATIONS.join(', '));
  const snapshots = Math.floor(K / every);
  if (chains * snapshots * D * D > 2 ** 28) {
    fail('TOO_LARGE', 'every', `the record holds ${chains} x ${snapshots} x ${D}^2 values`, 'at most 2^28 recorded values (raise every)');
  }
  const n = checkSamples(samples, D, 1);
  const X = Float64Array.from(samples);
  for (let i = 0; i < X.length; i++) {
    if (!Number.isFinite(X[i])) fail('NON_FINITE', 'samples', `entry ${i} (row ${Math.floor(i / D)}, column ${i % D}) is ${X[i]}`, 'finite numbers');
  }
  const A0 = new Float64Array(D * D);
  if (opts.initial !== undefined) {
    const len = (opts.initial as { length?: unknown } | null)?.length;
    if (len !== D * D) fail('INVALID_SHAPE', 'initial', `got ${describe(opts.initial)}`, `a ${D} x ${D} row-major array`);
    for (let i = 0; i < D * D; i++) {
      const v = opts.initial[i];
      if (typeof v !== 'number' || !Number.isFinite(v)) fail('NON_FINITE', 'initial', `entry ${i} is ${describe(v)}`, 'finite numbers');
      A0[i] = v;
    }
    if (symmetric) {
      for (let i = 0; i < D; i++) {
        for (let j = 0; j < i; j++) {
          if (A0[i * D + j] !== A0[j * D + i]) fail('NOT_SYMMETRIC', 'initial', `entries (${i}, ${j}) and (${j}, ${i}) differ`, 'a symmetric start with symmetric: true');
        }
      }
    }
  }
  const matrices = new Float64Array(chains * snapshots * D * D);
  const P = new Float64Array(D * D);
  const G = new Float64Array(D * D);
  const Y = new Float64Array(B * D);
  const R = new Float64Array(B * D);
  const root = generator(seed);
  for (let c = 0; c < chains; c++) {
    P.set(toParameterization(A0, D, s, param));
    const gen = root.split(c);
    let record = 0;
    for (let k0 = 0; k0 < K; k0 += SGD_CHUNK) {
      const m = Math.min(SGD_CHUNK, K - k0);
      const u = await gen.uniforms(m * B);
      const z = await gen.normals(m * B * D);
      for (let k = 0; k < m; k++) {
        for (let b = 0; b < B; b++) {
          const row = Math.min(Math.floor(u[k * B + b] * n), n - 1) * D;
          const zo = (k * B + b) * D;
          for (let j = 0; j < D; j++) Y[b * D + j] = X[row + j] + s * z[zo + j]; // y = x + sigma z
          for (let i = 0; i < D; i++) {
            let acc = 0;
            for (let j = 0; j < D; j++) acc += P[i * D + j] * Y[b * D + j];
            // residual P y - t: t = z / sigma (score), z (noise), x (denoiser)
            const t = param === 'score' ? z[zo + i] / s : param === 'noise' ? z[zo + i] : X[row + i];
            R[b * D + i] = acc - t;
          }
        }
        // G = (1/B) sum_b r_b y_b^T
        G.fill(0);
        for (let b = 0; b < B; b++) {
          for (let i = 0; i < D; i++) {
            const r = R[b * D + i] / B;
            for (let j = 0; j < D; j++) G[i * D + j] += r * Y[b * D + j];
          }
        }
        if (symmetric) {
          for (let i = 0; i < D; i++) {
            for (let j = 0; j <= i; j++) {
              const g = (G[i * D + j] + G[j * D + i]) / 2;
              P[i * D + j] -= tau * g;
              if (j !== i) P[j * D + i] -= tau * g;
            }
          }
        } else {
          for (let i = 0; i < D * D; i++) P[i] -= tau * G[i];
        }
        if ((k0 + k + 1) % every === 0 && record < snapshots) {
          matrices.set(fromParameterization(P, D, s, param), ((c * snapshots) + record) * D * D);
          record++;
        }
      }
    }
  }
  return { matrices, chains, snapshots };
}

/**
 * Stationary entry variances of constant-step SGD in the eigenbasis of S_N (leading order in tau,
 * score-matching.md §2), d x d row-major, entry (r, j) the variance of Delta_rj, with c = mu + sigma^2:
 * free A:      v_r = tau mu_r / (2 B sigma^2 c_r) for every column j;
 * symmetric A: Var(Delta_ii) = tau s_i / (2 B), Var(Delta_ij) = tau (s_i c_j + s_j c_i) / (4 B (c_i + c_j)),
 *              s_i = mu_i / (sigma^2 c_i).
 */
export function sgdEntryVariances(mu: ArrayLike<number>, sigma: number, tau: number, batch: number, symmetric = false): Float64Array {
  const d = mu.length;
  const u = sigma * sigma;
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) out[i * d + j] = sgdEntryVariance(mu[i], mu[j], i === j, u, tau, batch, symmetric);
  }
  return out;
}

/**
 * One entry of sgdEntryVariances: the stationary variance of Delta_ij for eigenvalues mu_i (its row) and
 * mu_j, at noise variance u = sigma^2 (`diagonal`: i = j). Unvalidated base kernel.
 */
export function sgdEntryVariance(mi: number, mj: number, diagonal: boolean, u: number, tau: number, batch: number, symmetric: boolean): number {
  const ci = mi + u;
  const si = mi / (u * ci);
  if (!symmetric || diagonal) return (tau * si) / (2 * batch);
  const cj = mj + u;
  const sj = mj / (u * cj);
  return (tau * (si * cj + sj * ci)) / (4 * batch * (ci + cj));
}

export interface SgdStationaryOptions {
  tau: number;
  batch: number;
  /** Number of matrices to draw. */
  count: number;
  seed?: number;
  symmetric?: boolean;
}

export const SGD_STATIONARY_KEYS = optionKeys<SgdStationaryOptions>({ tau: true, batch: true, count: true, seed: true, symmetric: true });

/**
 * Draws of the stationary law of SGD around the fit: A = A*_N + U Delta U^T with Delta Gaussian of mean 0
 * and the entry variances of sgdEntryVariances (independent entries; symmetric: Delta_ji = Delta_ij).
 * Returns count x d x d (row-major). Errors: INVALID_OPTION, MISSING_OPTION, UNKNOWN_OPTION, TOO_LARGE.
 */
export async function sgdStationary(fit: DsmFit, opts: SgdStationaryOptions): Promise<Float64Array> {
  if (opts === undefined || opts === null) fail('MISSING_OPTION', 'opts', 'no options', 'an object with tau, batch and count');
  checkOptions(opts, SGD_STATIONARY_KEYS, 'options');
  for (const key of ['tau', 'batch', 'count'] as const) {
    if (opts[key] === undefined) fail('MISSING_OPTION', key, 'not given', `${key} (see SgdStationaryOptions)`);
  }
  const tau = checkPositive(opts.tau, 'tau');
  const B = checkInteger(opts.batch, 'batch', 1, 2 ** 20, 'an integer 1 <= batch <= 2^20');
  const { d } = fit;
  const count = checkInteger(opts.count, 'count', 1, Math.floor(2 ** 28 / (d * d)), `an integer 1 <= count <= 2^28 / d^2`);
  const seed = checkSeed(opts.seed ?? 0);
  const symmetric = opts.symmetric ?? false;
  if (typeof symmetric !== 'boolean') fail('INVALID_OPTION', 'symmetric', `got ${describe(symmetric)}`, 'true or false');
  const v = sgdEntryVariances(fit.mu, fit.sigma, tau, B, symmetric);
  const z = await generator(seed).normals(count * d * d);
  const out = new Float64Array(count * d * d);
  const ut = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) ut[j * d + i] = fit.vectors[i * d + j];
  const delta = new Float64Array(d * d);
  for (let m = 0; m < count; m++) {
    const zo = m * d * d;
    for (let i = 0; i < d; i++) {
      // Delta_ij = sqrt(v_ij) z; symmetric: the upper triangle's draw mirrored.
      for (let j = 0; j < d; j++) {
        delta[i * d + j] = symmetric && j < i ? delta[j * d + i] : Math.sqrt(v[i * d + j]) * z[zo + i * d + j];
      }
      delta[i * d + i] += fit.values[i]; // A*_N is diag(a) in the eigenbasis
    }
    out.set(await gemm(await gemm(fit.vectors, delta, d, d, d), ut, d, d, d), zo);
  }
  return out;
}
