/**
 * Dense kernels over the Wasm module (assembly/linalg/blas.ts): GEMM, covariance (SYRK) and Cholesky. Row-major
 * everywhere, f64. Every input is validated before any allocation or heavy work (shape, size, finiteness,
 * symmetry), copied into Wasm memory (inputs are never mutated) and every block is freed before return.
 */
import { fail } from '../core/errors.js';
import { checkWasmBytes, withWasm, type WasmScope } from '../wasm/kernel.js';
import { checkSymmetric } from './eigh.js';

/**
 * Upper bound on the kernel's packing workspace (assembly/linalg/blas.ts: (MC + NC) KC f64 = 1.1 MiB), counted
 * in the TOO_LARGE check before the exact size is asked from the kernel.
 */
const WORKSPACE_BYTES = 2 ** 21;

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  return typeof x === 'object' ? (x as object).constructor?.name ?? 'an object' : `${typeof x} ${String(x)}`;
}

/** A dimension: a positive integer (INVALID_SHAPE otherwise). */
export function requireDim(x: unknown, argument: string): number {
  if (typeof x !== 'number' || !Number.isInteger(x) || x < 1) {
    fail('INVALID_SHAPE', argument, `got ${typeof x === 'number' ? String(x) : describe(x)}`, 'a positive integer');
  }
  return x;
}

/** An array-like of exactly rows * cols numbers (INVALID_SHAPE otherwise); returns it as ArrayLike. */
export function requireShape(x: unknown, rows: number, cols: number, argument: string): ArrayLike<number> {
  const len = (x as { length?: unknown } | null)?.length;
  if (x === null || typeof x !== 'object' || typeof len !== 'number') {
    fail('INVALID_SHAPE', argument, `expected an array of ${rows} x ${cols} numbers, got ${describe(x)}`, `a ${rows} x ${cols} row-major array`);
  }
  if (len !== rows * cols) {
    fail('INVALID_SHAPE', argument, `has length ${len}, expected ${rows} x ${cols} = ${rows * cols}`, `exactly ${rows * cols} values (row-major)`);
  }
  return x as ArrayLike<number>;
}

// Fast paths for typed arrays (monomorphic, four independent sums): v * 0 is 0 for finite v, else NaN.
function allFinite64(x: Float64Array): boolean {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const n = x.length - (x.length % 4);
  for (let i = 0; i < n; i += 4) {
    s0 += x[i] * 0;
    s1 += x[i + 1] * 0;
    s2 += x[i + 2] * 0;
    s3 += x[i + 3] * 0;
  }
  for (let i = n; i < x.length; i++) s0 += x[i] * 0;
  return s0 + s1 + s2 + s3 === 0;
}

function allFinite32(x: Float32Array): boolean {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * 0;
  return s === 0;
}

/** Every entry a finite number (NON_FINITE otherwise, naming the row and column). */
export function requireFiniteEntries(x: ArrayLike<number>, cols: number, argument: string): void {
  if (x instanceof Float64Array ? allFinite64(x) : x instanceof Float32Array && allFinite32(x)) return;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      fail('NON_FINITE', argument, `entry (${Math.floor(i / cols)}, ${i % cols}) is ${typeof v === 'number' ? String(v) : describe(v)}`, 'finite numbers');
    }
  }
}

/** TOO_LARGE unless `f64s` values plus the packing workspace fit in Wasm memory. */
function checkSize(f64s: number, argument: string): void {
  checkWasmBytes(8 * f64s + WORKSPACE_BYTES, argument);
}

function checkGemm(a: unknown, b: unknown, m: unknown, k: unknown, n: unknown): [ArrayLike<number>, ArrayLike<number>, number, number, number] {
  const M = requireDim(m, 'm');
  const K = requireDim(k, 'k');
  const N = requireDim(n, 'n');
  const A = requireShape(a, M, K, 'a');
  const B = requireShape(b, K, N, 'b');
  checkSize(M * K + K * N + M * N, 'a');
  requireFiniteEntries(A, K, 'a');
  requireFiniteEntries(B, N, 'b');
  return [A, B, M, K, N];
}

function gemmRaw(scope: WasmScope, a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const pa = scope.f64(m * k, a);
  const pb = scope.f64(k * n, b);
  const pc = scope.f64(m * n);
  const pw = scope.f64(scope.fn('blasGemmWorkspace')(m, k, n));
  scope.fn('blasGemm')(pa, pb, pc, m, k, n, pw);
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

/**
 * Covariance of the samples X (n x d, row-major, one sample per row): X^T X / n when the mean is known
 * to be zero (default), or, with `{ center: true }`, the sample mean removed and divided by n - 1. Only
 * the lower triangle is computed (SYRK), then mirrored. The input is not modified.
 * Errors: INVALID_SHAPE (also n < 2 when centring), INVALID_OPTION, NON_FINITE, TOO_LARGE.
 */
export async function covariance(x: ArrayLike<number>, n: number, d: number, opts: { center?: boolean } = {}): Promise<CovarianceResult> {
  const N = requireDim(n, 'n');
  const D = requireDim(d, 'd');
  if (opts === null || typeof opts !== 'object') fail('INVALID_OPTION', 'options', `got ${describe(opts)}`, 'an object { center?: boolean }');
  const center = opts.center ?? false;
  if (typeof center !== 'boolean') fail('INVALID_OPTION', 'center', `got ${describe(center)}`, 'true or false');
  if (center && N < 2) fail('INVALID_SHAPE', 'n', `a centred covariance needs at least 2 samples, got ${N}`, 'n >= 2 with center: true');
  const X = requireShape(x, N, D, 'x');
  checkSize(N * D + D * D + 2 * D, 'x');
  requireFiniteEntries(X, D, 'x');
  return withWasm((scope) => {
    const px = scope.f64(N * D, X);
    const pc = scope.f64(D * D);
    const pm = scope.f64(D);
    const pt = scope.f64(D);
    const pw = scope.f64(scope.fn('blasGemmWorkspace')(D, N, D));
    if (center) scope.fn('blasCenter')(px, N, D, pm, pt);
    scope.fn('blasSyrk')(px, N, D, pc, 1 / (center ? N - 1 : N), pw);
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
  const D = requireDim(d, 'd');
  requireShape(a, D, D, 'a');
  checkSize(2 * D * D, 'a');
  const sym = checkSymmetric(a, D, 'a');
  return withWasm((scope) => {
    const pa = scope.f64(D * D, sym);
    const pw = scope.f64(scope.fn('blasCholeskyWorkspace')(D));
    const pivot = scope.fn('blasCholesky')(pa, D, pw);
    if (pivot >= 0) {
      const value = scope.view(pa, D * D)[pivot * D + pivot];
      fail('NOT_POSITIVE_DEFINITE', 'a',
        `is not positive definite: Cholesky pivot ${pivot} (0-based row/column) is ${value.toPrecision(6)} after elimination, not > 0`,
        'a symmetric positive definite matrix');
    }
    return scope.read(pa, D * D);
  });
}
