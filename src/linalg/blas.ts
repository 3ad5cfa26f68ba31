/**
 * Dense kernels over the Wasm module (assembly/linalg/{gemm,syrk,cholesky}.ts): GEMM, covariance (SYRK) and
 * Cholesky. Row-major everywhere, f64. Every input is validated before any allocation or heavy work (shape, size, finiteness,
 * symmetry), copied into Wasm memory (inputs are never mutated) and every block is freed before return.
 */
import { fail } from '../core/errors.js';
import { checkDimension, checkFiniteEntries, checkMatrixShape, describe } from '../core/checks.js';
import { checkOptions, optionKeys } from '../core/options.js';
import { checkWasmBytes, withWasm, type WasmScope } from '../wasm/kernel.js';
import { BLAS_GEMM_MAX_WORKSPACE } from '../wasm/constants.js';
import { checkSymmetric } from './eigh.js';

/** The kernel's largest packing workspace, counted in the TOO_LARGE check before the exact size is asked from it. */
const WORKSPACE_BYTES = 8 * BLAS_GEMM_MAX_WORKSPACE;

/** TOO_LARGE unless `f64s` values plus the packing workspace fit in Wasm memory. */
function checkWasmFits(f64s: number, argument: string): void {
  checkWasmBytes(8 * f64s + WORKSPACE_BYTES, argument);
}

function checkGemm(a: unknown, b: unknown, m: unknown, k: unknown, n: unknown): [ArrayLike<number>, ArrayLike<number>, number, number, number] {
  const M = checkDimension(m, 'm');
  const K = checkDimension(k, 'k');
  const N = checkDimension(n, 'n');
  const A = checkMatrixShape(a, M, K, 'a');
  const B = checkMatrixShape(b, K, N, 'b');
  checkWasmFits(M * K + K * N + M * N, 'a');
  checkFiniteEntries(A, A.length, 'a', 'finite numbers', K);
  checkFiniteEntries(B, B.length, 'b', 'finite numbers', N);
  return [A, B, M, K, N];
}

function gemmRaw(scope: WasmScope, a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const pa = scope.f64(m * k, a);
  const pb = scope.f64(k * n, b);
  const pc = scope.f64(m * n);
  const pw = scope.f64(scope.kernel.blasGemmWorkspace(m, k, n));
  scope.kernel.blasGemm(pa, pb, pc, m, k, n, pw);
  return scope.read(pc, m * n);
}

/**
 * C = A B (row-major; A m x k, B k x n, C m x n). Cache-blocked, packed, f64x2 SIMD register tiles.
 * Errors: INVALID_SHAPE (sizes not positive integers, arrays of other lengths), NON_FINITE, TOO_LARGE.
 */
export async function gemm(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Promise<Float64Array> {
  const args = checkGemm(a, b, m, k, n);
  return withWasm((scope) => gemmRaw(scope, ...args));
}

/** `gemm` inside an existing Wasm scope (its allocations are freed with the scope). */
export function gemmIn(scope: WasmScope, a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  return gemmRaw(scope, ...checkGemm(a, b, m, k, n));
}

export interface CovarianceResult {
  /** d x d, row-major, exactly symmetric. */
  covariance: Float64Array;
  /** The sample mean (length d) when centred, else null. */
  mean: Float64Array | null;
}

export interface CovarianceOptions {
  /** Remove the sample mean and divide by n - 1; default false (mean known to be 0, divide by n). */
  center?: boolean;
}

export const COVARIANCE_KEYS = optionKeys<CovarianceOptions>({ center: true });

/**
 * Covariance of the samples X (n x d, row-major, one sample per row): X^T X / n when the mean is known
 * to be zero (default), or, with `{ center: true }`, the sample mean removed and divided by n - 1. Only
 * the lower triangle is computed (SYRK), then mirrored. The input is not modified.
 * Errors: INVALID_SHAPE (also n < 2 when centring), INVALID_OPTION, NON_FINITE, TOO_LARGE.
 */
export async function covariance(x: ArrayLike<number>, n: number, d: number, opts: CovarianceOptions = {}): Promise<CovarianceResult> {
  const N = checkDimension(n, 'n');
  const D = checkDimension(d, 'd');
  checkOptions(opts, COVARIANCE_KEYS, 'options');
  const center = opts.center ?? false;
  if (typeof center !== 'boolean') fail('INVALID_OPTION', 'center', `got ${describe(center)}`, 'true or false');
  if (center && N < 2) fail('INVALID_SHAPE', 'n', `a centred covariance needs at least 2 samples, got ${N}`, 'n >= 2 with center: true');
  const X = checkMatrixShape(x, N, D, 'x');
  checkWasmFits(N * D + D * D + 2 * D, 'x');
  checkFiniteEntries(X, X.length, 'x', 'finite numbers', D);
  return withWasm((scope) => {
    const px = scope.f64(N * D, X);
    const pc = scope.f64(D * D);
    const pm = scope.f64(D);
    const pt = scope.f64(D);
    const pw = scope.f64(scope.kernel.blasGemmWorkspace(D, N, D));
    if (center) scope.kernel.blasCenter(px, N, D, pm, pt);
    scope.kernel.blasSyrk(px, N, D, pc, 1 / (center ? N - 1 : N), pw);
    return { covariance: scope.read(pc, D * D), mean: center ? scope.read(pm, D) : null };
  });
}

/**
 * Cholesky factor: the lower-triangular L (d x d, row-major, zeros above the diagonal) with A = L L^T.
 * Blocked right-looking factorisation (trailing updates by the lower-only GEMM).
 * Errors: INVALID_SHAPE, NON_FINITE, NOT_SYMMETRIC, TOO_LARGE, and NOT_POSITIVE_DEFINITE naming the
 * first pivot (0-based row/column) that is not > 0.
 */
export async function cholesky(a: ArrayLike<number>, d: number): Promise<Float64Array> {
  const D = checkDimension(d, 'd');
  checkMatrixShape(a, D, D, 'a');
  checkWasmFits(2 * D * D, 'a');
  const sym = checkSymmetric(a, D, 'a');
  return withWasm((scope) => {
    const pa = scope.f64(D * D, sym);
    const pw = scope.f64(scope.kernel.blasCholeskyWorkspace(D));
    const pivot = scope.kernel.blasCholesky(pa, D, pw);
    if (pivot >= 0) {
      const value = scope.view(pa, D * D)[pivot * D + pivot];
      fail('NOT_POSITIVE_DEFINITE', 'a',
        `is not positive definite: Cholesky pivot ${pivot} (0-based row/column) is ${value.toPrecision(6)} after elimination, not > 0`,
        'a symmetric positive definite matrix');
    }
    return scope.read(pa, D * D);
  });
}
