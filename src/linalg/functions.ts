/**
 * Functions of symmetric matrices through their eigendecomposition A = V diag(l) V^T:
 * f(A) = V diag(f(l)) V^T, the product formed by the Wasm GEMM and symmetrised.
 */
import { fail } from '../core/errors.js';
import { PSD_TOLERANCE } from '../core/tolerances.js';
import { checkWasmBytes, withWasm, type WasmScope } from '../wasm/kernel.js';
import { eighIn, checkSymmetric } from './eigh.js';
import { gemmIn } from './blas.js';


/** f64 values a d x d spectral function holds at once (input, vectors, two factors, product). */
function spectralBytes(d: number): number {
  return 8 * (6 * d * d + 4 * d) + 2 ** 21;
}

/** max |l| of a spectrum. */
function maxAbs(values: Float64Array): number {
  let m = 0;
  for (const v of values) m = Math.max(m, Math.abs(v));
  return m;
}

/**
 * The eigenvalues of a PSD matrix with rounding negatives clipped: any l < -PSD_TOLERANCE * max |l| is
 * NOT_POSITIVE_DEFINITE (naming it and its index), larger negatives become 0. Returns a new array.
 */
export function clipPsd(values: Float64Array, argument: string): Float64Array {
  const scale = maxAbs(values);
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < -PSD_TOLERANCE * scale) {
      fail('NOT_POSITIVE_DEFINITE', argument,
        `is not positive semidefinite: eigenvalue ${i} (ascending) is ${v.toPrecision(6)}, below -${PSD_TOLERANCE} x max |eigenvalue| (${scale.toPrecision(6)})`,
        'a symmetric positive semidefinite matrix (negative eigenvalues only from rounding)');
    }
    out[i] = v > 0 ? v : 0;
  }
  return out;
}

/** Eigenvalues within NULL_TOLERANCE_FACTOR x sqrt(d) x eps of the largest count as exactly 0 in square roots. */
export const NULL_TOLERANCE_FACTOR = 8;

/**
 * sqrt of a PSD spectrum (from clipPsd): eigenvalues <= NULL_TOLERANCE_FACTOR sqrt(d) eps max give 0. The
 * square root is not Lipschitz at 0: a zero eigenvalue computed as c eps max would otherwise contribute
 * sqrt(c eps max), ~1e-8 relative. eigh's absolute eigenvalue errors grow like sqrt(d) eps max in practice
 * (measured at most 29 eps max up to d = 2048, test/linalg/eigh.test.ts), well under this bound (224 eps max
 * at d = 784); a worst-case d eps bound would also drop true eigenvalues of full-rank inputs of condition
 * 1e12 from d = 560 on (test/linalg/bures-conditioning.test.ts checks both sides at d = 784).
 */
export function psdRoot(clipped: Float64Array): Float64Array {
  const tol = NULL_TOLERANCE_FACTOR * Math.sqrt(clipped.length) * Number.EPSILON * maxAbs(clipped);
  return clipped.map((l) => (l > tol ? Math.sqrt(l) : 0));
}

/** (C + C^T) / 2 in place for a d x d row-major C. */
export function symmetrise(c: Float64Array, d: number): Float64Array {
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < i; j++) {
      const s = 0.5 * (c[i * d + j] + c[j * d + i]);
      c[i * d + j] = s;
      c[j * d + i] = s;
    }
  }
  return c;
}

/** V diag(f) V^T for eigenvectors V (row-major, column j = vector j), by GEMM, symmetrised. */
export function reconstructIn(scope: WasmScope, vectors: Float64Array, f: Float64Array, d: number): Float64Array {
  const w = new Float64Array(d * d);
  const vt = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      const v = vectors[i * d + j];
      w[i * d + j] = v * f[j];
      vt[j * d + i] = v;
    }
  }
  return symmetrise(gemmIn(scope, w, vt, d, d, d), d);
}

/**
 * The spectral function of a symmetric matrix: V f(L) V^T, with f applied to each eigenvalue. `f` must
 * return finite numbers (NON_FINITE naming the eigenvalue otherwise).
 * Errors: INVALID_SHAPE, NON_FINITE, NOT_SYMMETRIC, INVALID_OPTION (f not a function), TOO_LARGE.
 */
export async function spectralFunction(a: ArrayLike<number>, d: number, f: (lambda: number) => number): Promise<Float64Array> {
  if (typeof f !== 'function') fail('INVALID_OPTION', 'f', `got ${typeof f}`, 'a function of one eigenvalue returning a finite number');
  return mapSpectrum(a, d, 'a', (values) => {
    const out = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const y = f(values[i]);
      if (typeof y !== 'number' || !Number.isFinite(y)) {
        fail('NON_FINITE', 'f', `f(${values[i]}) (eigenvalue ${i}, ascending) is ${String(y)}`, 'f returning finite numbers on the spectrum');
      }
      out[i] = y;
    }
    return out;
  });
}

/** Validate, decompose, map the eigenvalues with `g`, and reconstruct. */
async function mapSpectrum(a: ArrayLike<number>, d: number, argument: string, g: (values: Float64Array) => Float64Array): Promise<Float64Array> {
  if (typeof d === 'number' && Number.isInteger(d) && d > 0) checkWasmBytes(spectralBytes(d), argument);
  const sym = checkSymmetric(a, d, argument);
  return withWasm((scope) => {
    const { values, vectors } = eighIn(scope, sym, d, { vectors: true });
    return reconstructIn(scope, vectors!, g(values), d);
  });
}

/**
 * The PSD square root of a symmetric positive semidefinite matrix. Negative eigenvalues within
 * PSD_TOLERANCE x max |eigenvalue| of 0 are rounding and count as 0 (below that, NOT_POSITIVE_DEFINITE),
 * and so do eigenvalues up to NULL_TOLERANCE_FACTOR sqrt(d) eps max (see psdRoot): a singular input keeps its
 * exact null space.
 */
export async function sqrtm(a: ArrayLike<number>, d: number): Promise<Float64Array> {
  return mapSpectrum(a, d, 'a', (values) => psdRoot(clipPsd(values, 'a')));
}

/**
 * A^{-1/2} of a symmetric positive definite matrix. NOT_POSITIVE_DEFINITE unless every eigenvalue is
 * > d * 2^-52 * max eigenvalue (below that, the smallest ones are not determined even in sign).
 */
export async function invSqrtm(a: ArrayLike<number>, d: number): Promise<Float64Array> {
  return mapSpectrum(a, d, 'a', (values) => {
    const top = maxAbs(values);
    const floor = d * Number.EPSILON * top;
    const low = values[0];
    if (!(low > floor)) {
      fail('NOT_POSITIVE_DEFINITE', 'a',
        `is not (numerically) positive definite: smallest eigenvalue ${low.toPrecision(6)} <= d * 2^-52 * max eigenvalue = ${floor.toPrecision(6)}`,
        'a symmetric positive definite matrix');
    }
    return values.map((v) => 1 / Math.sqrt(v));
  });
}
