/**
 * Sampling Gaussian models on the Wasm kernels: white noise from the deterministic Wasm RNG (src/random/random.ts,
 * counter-based: draw k of seed s is the same however the stream is cut into pieces), coloured by
 *   - a spectrum (diagonal covariance in the eigenbasis),
 *   - a dense covariance, through its eigendecomposition or its Cholesky factor, batched as one GEMM per block
 *     of draws: X = Z B with Z (count x d) white and B = (V diag(sqrt(l)))^T or L^T,
 *   - a power spectrum on the torus (stationary field, by FFT).
 * (ADSN texture synthesis, which colours the same white noise by an image, is src/images/adsn.ts.)
 * Every input is validated (typed errors) before any allocation or heavy work; every Wasm block is freed.
 *
 * Stream layout (what a seed determines): sampleSpectrum and sampleCovariance use the standard normals
 * 0 .. count * d - 1 of `seed`, row-major (draw r uses normals r * d .. r * d + d - 1), so the first rows of a
 * longer run equal a shorter run with the same seed. sampleStationary (and synthesizeAdsn) use the normals
 * 0 .. h * w - 1 of `seed` as the white-noise image (row-major).
 */
import { fail } from '../core/errors.js';
import { checkArrayShape, checkDimension, checkFiniteEntries, checkInteger, checkSeed, describe } from '../core/checks.js';
import { checkOptions, optionKeys } from '../core/options.js';
import { checkWasmBytes, withWasm } from '../wasm/kernel.js';
import { BLAS_GEMM_MAX_WORKSPACE } from '../wasm/constants.js';
import { eighBytes, eighIn, checkSymmetric } from '../linalg/eigh.js';
import { clipPsd, psdRoot } from '../linalg/functions.js';
import { cholesky, gemmIn } from '../linalg/blas.js';
import { fft2Ptr, fft2SetupBytes, fft2SetupIn, MAX_FFT_LENGTH } from '../fft/fft.js';
import { normalsIn } from './random.js';


/** Most values (count x d) one call returns: 2^28 f64 = 2 GiB. */
export const MAX_SAMPLE_VALUES = 2 ** 28;

/** Values per block of draws generated (and multiplied) at a time: 2^22 f64 = 32 MiB. */
const BLOCK_VALUES = 2 ** 22;

export interface SeedOptions {
  /** Seed of the Wasm RNG stream (src/random/random.ts): an integer 0 <= seed < 2^53. Same seed, same output. */
  seed: number;
}

export const SEED_KEYS = optionKeys<SeedOptions>({ seed: true });

export interface CovarianceSampleOptions extends SeedOptions {
  /** 'eigh' (default; positive semi-definite allowed) or 'cholesky' (positive definite). */
  method?: 'eigh' | 'cholesky';
  /** Mean (length d); default 0. */
  mean?: ArrayLike<number>;
}

export const COVARIANCE_SAMPLE_KEYS = optionKeys<CovarianceSampleOptions>({ seed: true, method: true, mean: true });

// ---- validation -------------------------------------------------------------------------------------------

/** A count of draws: a non-negative safe integer (INVALID_OPTION otherwise). */
function checkCount(count: unknown): number {
  return checkInteger(count, 'count', 0, Number.MAX_SAFE_INTEGER, 'a non-negative integer number of draws');
}

/** The options object (required: it carries the seed) with only `known` keys; returns its seed. */
export function seedOption(opts: unknown, known: readonly string[]): number {
  if (opts === undefined) fail('INVALID_OPTION', 'opts', 'no options given', `an object with keys among ${known.join(', ')} (seed required)`);
  checkOptions(opts, known);
  return checkSeed((opts as SeedOptions).seed, 'opts.seed');
}

/** TOO_LARGE unless count x d values may be returned. */
function checkOutput(count: number, d: number, argument: string): void {
  if (count * d > MAX_SAMPLE_VALUES) {
    fail('TOO_LARGE', argument, `${count} draws of dimension ${d} are ${count * d} values (${((8 * count * d) / 2 ** 30).toFixed(1)} GiB)`,
      `at most ${MAX_SAMPLE_VALUES} values (count x d) per call: sample in batches`);
  }
}

/** Finite and non-negative entries (NON_FINITE, NEGATIVE_EIGENVALUE naming the first bad one). */
function checkNonNegative(x: ArrayLike<number>, n: number, argument: string, what: string): void {
  checkFiniteEntries(x, n, argument, `finite non-negative numbers (${what})`);
  for (let i = 0; i < n; i++) {
    if (x[i] < 0) fail('NEGATIVE_EIGENVALUE', argument, `entry ${i} is ${x[i]}`, `non-negative numbers (${what})`);
  }
}

/** Rows per block of a count x d run (at least 1). */
function blockRows(d: number): number {
  return Math.max(1, Math.floor(BLOCK_VALUES / d));
}

// ---- sampleSpectrum -----------------------------------------------------------------------------------------

/**
 * `count` draws of N(0, diag(spectrum)) in the eigenbasis: row-major count x d, x_ri = sqrt(spectrum_i) z_ri.
 * Errors: INVALID_SHAPE (spectrum not an array, empty), NON_FINITE, NEGATIVE_EIGENVALUE, INVALID_OPTION
 * (count, opts, seed), TOO_LARGE.
 */
export async function sampleSpectrum(spectrum: ArrayLike<number>, count: number, opts: SeedOptions): Promise<Float64Array> {
  const d = checkArrayShape(spectrum, 'spectrum', undefined, 'an array of non-negative eigenvalues');
  const n = checkCount(count);
  const seed = seedOption(opts, SEED_KEYS);
  checkOutput(n, d, 'count');
  checkNonNegative(spectrum, d, 'spectrum', 'variances');
  const root = new Float64Array(d);
  for (let i = 0; i < d; i++) root[i] = Math.sqrt(spectrum[i]);
  const out = new Float64Array(n * d);
  if (n === 0) return out;
  const rows = Math.min(n, blockRows(d));
  checkWasmBytes(8 * rows * d + 64, 'count');
  await withWasm((scope) => {
    const pz = scope.f64(rows * d);
    for (let r0 = 0; r0 < n; r0 += rows) {
      const m = Math.min(rows, n - r0);
      normalsIn(scope, pz, m * d, seed, r0 * d);
      const z = scope.view(pz, m * d);
      for (let r = 0; r < m; r++) {
        const o = (r0 + r) * d;
        const zo = r * d;
        for (let i = 0; i < d; i++) out[o + i] = root[i] * z[zo + i];
      }
    }
  });
  return out;
}

// ---- sampleCovariance ---------------------------------------------------------------------------------------

/**
 * `count` draws of N(mean, C) from a dense symmetric covariance C (d x d, row-major), row-major count x d.
 *   - method 'eigh' (default): C = V diag(l) V^T, x = V diag(sqrt(l)) z. Positive semi-definite allowed:
 *     eigenvalues in [-PSD_TOLERANCE x max |l|, 8 sqrt(d) eps max |l|] are rounding and are set to 0; below,
 *     NOT_POSITIVE_DEFINITE (as every function of a PSD matrix, src/linalg/functions.ts clipPsd).
 *   - method 'cholesky': C = L L^T, x = L z (NOT_POSITIVE_DEFINITE when a pivot is not > 0).
 * Batched: X = Z B, one GEMM per block of draws (B = (V diag(sqrt(l)))^T or L^T, d x d).
 * Errors: INVALID_SHAPE (d, c, mean), NON_FINITE, NOT_SYMMETRIC, INVALID_OPTION (count, opts, seed, method),
 * TOO_LARGE, NOT_POSITIVE_DEFINITE.
 */
export async function sampleCovariance(
  c: ArrayLike<number>, d: number, count: number, opts: CovarianceSampleOptions,
): Promise<Float64Array> {
  checkDimension(d, 'd', 'a positive integer (the covariance is d x d)');
  checkArrayShape(c, 'c', d * d, `a row-major ${d} x ${d} covariance`);
  const n = checkCount(count);
  const seed = seedOption(opts, COVARIANCE_SAMPLE_KEYS);
  const method = opts.method ?? 'eigh';
  if (method !== 'eigh' && method !== 'cholesky') {
    fail('INVALID_OPTION', 'opts.method', `got ${describe(method)}`, "'eigh' or 'cholesky'");
  }
  const mean = opts.mean;
  if (mean !== undefined) {
    checkArrayShape(mean, 'opts.mean', d, `${d} finite numbers`);
    checkFiniteEntries(mean, d, 'opts.mean', 'finite numbers');
  }
  checkOutput(n, d, 'count');
  // Wasm memory: the factorisation, then per block Z, its copy, the product, B and the GEMM workspace.
  const rows = Math.max(1, Math.min(n, blockRows(d)));
  checkWasmBytes(Math.max(method === 'eigh' ? eighBytes(d) : 16 * d * d + 8 * BLAS_GEMM_MAX_WORKSPACE, 8 * (3 * rows * d + d * d) + 8 * BLAS_GEMM_MAX_WORKSPACE + 512), 'c');
  const sym = checkSymmetric(c, d, 'c'); // NON_FINITE, NOT_SYMMETRIC
  const b = method === 'eigh' ? await eighFactor(sym, d) : await choleskyFactor(sym, d);
  const out = new Float64Array(n * d);
  for (let r0 = 0; r0 < n; r0 += rows) {
    const m = Math.min(rows, n - r0);
    // One scope per block: gemmIn's copies are freed with it.
    const x = await withWasm((scope) => {
      const pz = scope.f64(m * d);
      normalsIn(scope, pz, m * d, seed, r0 * d);
      return gemmIn(scope, scope.read(pz, m * d), b, m, d, d);
    });
    if (mean) {
      for (let r = 0; r < m; r++) for (let i = 0; i < d; i++) x[r * d + i] += mean[i];
    }
    out.set(x, r0 * d);
  }
  return out;
}

/** B = (V diag(sqrt(l)))^T: B[j][i] = sqrt(l_j) V[i][j]. */
async function eighFactor(sym: Float64Array, d: number): Promise<Float64Array> {
  const { values, vectors } = await withWasm((scope) => eighIn(scope, sym, d));
  // NOT_POSITIVE_DEFINITE below -PSD_TOLERANCE x max |l|; eigenvalues at the eigensolver's rounding level
  // (|l| <= 8 sqrt(d) eps max |l|, psdRoot) are taken as 0: their square roots (~1e-8 sqrt(max)) would otherwise push
  // samples off the range of C.
  const root = psdRoot(clipPsd(values, 'c'));
  const v = vectors as Float64Array;
  const b = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    const s = root[j];
    const row = j * d;
    for (let i = 0; i < d; i++) b[row + i] = s * v[i * d + j];
  }
  return b;
}

/** B = L^T. */
async function choleskyFactor(sym: Float64Array, d: number): Promise<Float64Array> {
  let l: Float64Array;
  try {
    l = await cholesky(sym, d);
  } catch (err) {
    // cholesky names its argument 'a': here it is 'c'.
    if (err instanceof Error && (err as { code?: string }).code === 'NOT_POSITIVE_DEFINITE') {
      fail('NOT_POSITIVE_DEFINITE', 'c', err.message.replace(/^a: /, '').replace(/ \(allowed:.*\)$/, ''),
        "a symmetric positive definite covariance (or method 'eigh' for a semi-definite one)");
    }
    throw err;
  }
  const b = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) b[j * d + i] = l[i * d + j];
  return b;
}

// ---- sampleStationary ---------------------------------------------------------------------------------------

function checkGrid(height: unknown, width: unknown): [number, number] {
  const h = checkDimension(height, 'height');
  const w = checkDimension(width, 'width');
  if (h * w > MAX_FFT_LENGTH) fail('TOO_LARGE', 'height * width', `${h} x ${w} = ${h * w} pixels`, `at most ${MAX_FFT_LENGTH} pixels`);
  return [h, w];
}

/**
 * A stationary Gaussian field on the h x w torus with power spectrum P (h x w, row-major, non-negative, in DFT
 * order: P[0] is frequency (0, 0), not fftshifted): x = Re IFFT2(sqrt(P) FFT2(W)), W unit-variance white noise.
 * Then E |FFT2(x)(k)|^2 / (h w) = ((sqrt P(k) + sqrt P(-k)) / 2)^2, i.e. P(k) when P is symmetric
 * (P(k) = P(-k), as every real field's spectrum is): then Cov(x_a, x_b) = (1 / (h w)) sum_k P(k) e^{2 pi i k.(a - b)}
 * (circular), Var x = mean(P). Returns h * w values, row-major.
 * Errors: INVALID_SHAPE, TOO_LARGE, NON_FINITE, NEGATIVE_EIGENVALUE, INVALID_OPTION.
 */
export async function sampleStationary(power: ArrayLike<number>, height: number, width: number, opts: SeedOptions): Promise<Float64Array> {
  const [h, w] = checkGrid(height, width);
  const n = h * w;
  checkArrayShape(power, 'power', n, `height x width = ${n} non-negative numbers`);
  const seed = seedOption(opts, SEED_KEYS);
  checkWasmBytes(8 * 2 * n + fft2SetupBytes(h, w) + 256, 'power');
  checkNonNegative(power, n, 'power', 'a power spectrum');
  return withWasm((scope) => {
    const setup = fft2SetupIn(scope, h, w);
    const re = scope.f64(n);
    const im = scope.f64(n);
    normalsIn(scope, re, n, seed, 0);
    scope.view(im, n).fill(0);
    fft2Ptr(scope, setup, re, im, false);
    const r = scope.view(re, n);
    const i = scope.view(im, n);
    for (let k = 0; k < n; k++) {
      const s = Math.sqrt(power[k]);
      r[k] *= s;
      i[k] *= s;
    }
    fft2Ptr(scope, setup, re, im, true);
    return scope.read(re, n);
  });
}
