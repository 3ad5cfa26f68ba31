/**
 * Symmetric eigendecomposition A = V diag(values) V^T (the Wasm kernel in assembly/linalg/eigh/: Householder
 * tridiagonalisation, divide and conquer with vectors or QL without, blocked back-transformation).
 *
 * Layout: `a` is d x d row-major; `values` ascending; `vectors` d x d row-major with column j the unit
 * eigenvector of values[j] (numpy.linalg.eigh's layout): A V = V diag(values), V^T V = I.
 *
 * Errors (typed, before any work): INVALID_SHAPE (d not a positive integer, `a` not array-like of length
 * d * d), INVALID_OPTION, TOO_LARGE (the Wasm memory it needs, checked before copying anything), NON_FINITE
 * (the first NaN or infinite entry, by index), NOT_SYMMETRIC (max |a_ij - a_ji| above SYMMETRY_TOLERANCE x
 * max |a|, with where and how much; below it the input is symmetrised, (A + A^T) / 2, on a private copy).
 * Inputs are never mutated.
 */
import { fail } from '../core/errors.js';
import { checkDimension, checkMatrixShape, describe } from '../core/checks.js';
import { checkOptions, optionKeys } from '../core/options.js';
import { SYMMETRY_TOLERANCE } from '../core/tolerances.js';
import { checkWasmBytes, withWasm, type WasmScope } from '../wasm/kernel.js';
import { eighWorkLength } from '../wasm/constants.js';

export interface EighResult { values: Float64Array; vectors: Float64Array | null }

export interface EighOptions {
  /** Compute the eigenvectors (default true). Without them the work is about 1/3. */
  vectors?: boolean;
}

export const EIGH_KEYS = optionKeys<EighOptions>({ vectors: true });

export { SYMMETRY_TOLERANCE };

// f64 count of the kernel's work block (the kernel refuses a smaller one), from the constants it shares.
export { eighWorkLength };

/** Bytes of Wasm memory one call holds: input copy, values, vectors, work block (plus allocator slack). */
export function eighBytes(d: number, vectors = true): number {
  return 8 * (d * d + d + (vectors ? d * d : 0) + eighWorkLength(d, vectors)) + 4096;
}

/** d a positive integer, `a` array-like of length d * d. Returns d. Reads no entry of `a`. */
function checkShape(a: unknown, d: unknown, argument: string): number {
  const n = checkDimension(d, 'd', 'an integer d >= 1 (the matrix is d x d)');
  checkMatrixShape(a, n, n, argument);
  return n;
}

/** Whether the eigenvectors are wanted. */
function vectorsOption(opts: unknown): boolean {
  checkOptions(opts, EIGH_KEYS, 'options');
  const v = (opts as EighOptions | undefined)?.vectors;
  if (v !== undefined && typeof v !== 'boolean') fail('INVALID_OPTION', 'options.vectors', `got ${String(v)}`, 'true or false');
  return v !== false;
}

/**
 * Validate a symmetric d x d row-major matrix and return a private symmetrised copy ((A + A^T) / 2).
 * Errors: INVALID_SHAPE, NON_FINITE (with the index), NOT_SYMMETRIC (above SYMMETRY_TOLERANCE x max |a|).
 */
export function checkSymmetric(a: unknown, d: unknown, argument = 'a'): Float64Array {
  const n = checkShape(a, d, argument);
  const nn = n * n;
  const numeric = ArrayBuffer.isView(a) && !(a instanceof DataView) && !(a instanceof BigInt64Array) && !(a instanceof BigUint64Array);
  let copy: Float64Array;
  if (numeric) {
    copy = new Float64Array(a as unknown as ArrayLike<number>); // typed arrays: numbers already, copied natively
  } else {
    const src = a as ArrayLike<unknown>;
    copy = new Float64Array(nn);
    for (let k = 0; k < nn; k++) {
      const x = src[k];
      if (typeof x !== 'number') {
        fail('NON_FINITE', argument, `entry ${k} (row ${Math.floor(k / n)}, column ${k % n}) is not a number (${describe(x)})`, 'finite numbers only');
      }
      copy[k] = x;
    }
  }
  // One pass over the pairs (a_ij, a_ji), by 64 x 64 tiles so both triangles stay in cache: max |a_ij|,
  // the largest asymmetry, and whether anything is not finite (NaN fails every comparison).
  const T = 64;
  let big = 0;
  let worst = 0;
  let wi = 0;
  let wj = 0;
  let bad = false;
  for (let i = 0; i < n; i++) {
    const ax = Math.abs(copy[i * n + i]);
    if (ax > big) big = ax;
    else if (!(ax <= big)) bad = true;
  }
  for (let ib = 0; ib < n; ib += T) {
    const ie = Math.min(n, ib + T);
    for (let jb = 0; jb <= ib; jb += T) {
      for (let i = ib; i < ie; i++) {
        const je = Math.min(i, jb + T);
        for (let j = jb; j < je; j++) {
          const x = copy[i * n + j];
          const y = copy[j * n + i];
          const ax = Math.abs(x);
          const ay = Math.abs(y);
          if (ax > big) big = ax;
          if (ay > big) big = ay;
          const diff = Math.abs(x - y);
          if (!(diff <= worst)) {
            if (diff > worst) { worst = diff; wi = i; wj = j; } else bad = true;
          }
        }
      }
    }
  }
  if (bad || !(big < Infinity)) {
    const k = copy.findIndex((x) => !Number.isFinite(x));
    fail('NON_FINITE', argument, `entry ${k} (row ${Math.floor(k / n)}, column ${k % n}) is ${copy[k]}`, 'finite numbers only');
  }
  if (worst > SYMMETRY_TOLERANCE * big) {
    fail('NOT_SYMMETRIC', argument,
      `is not symmetric: a[${wi}][${wj}] = ${copy[wi * n + wj]} but a[${wj}][${wi}] = ${copy[wj * n + wi]}, ` +
      `a difference of ${worst.toPrecision(3)} (${(worst / big).toPrecision(3)} x max |a|)`,
      `max |a_ij - a_ji| <= ${SYMMETRY_TOLERANCE} x max |a_ij| (smaller differences are rounding and are symmetrised)`);
  }
  if (worst > 0) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) {
        const m = 0.5 * copy[i * n + j] + 0.5 * copy[j * n + i];
        copy[i * n + j] = m;
        copy[j * n + i] = m;
      }
    }
  }
  return copy;
}

/** Shape, options and size checks shared by eigh and eighIn; returns [d, wantVectors]. */
function prepare(a: unknown, d: unknown, opts: unknown): [number, boolean] {
  const n = checkShape(a, d, 'a');
  const wantVectors = vectorsOption(opts);
  checkWasmBytes(eighBytes(n, wantVectors), 'a');
  return [n, wantVectors];
}

/** The kernel on n x n at pa (overwritten; values to pv, vectors to pz unless 0, work block pw): the values, checked. */
function runKernel(scope: WasmScope, n: number, pa: number, pv: number, pz: number, pw: number, work: number): Float64Array {
  const info = scope.kernel.eighSym(n, pa, pv, pz, pw, work);
  if (info === -1) fail('INTERNAL', 'wasm', 'the eigensolver kernel needs a larger work block than src/linalg/eigh.ts gave it', 'rebuild with npm run build');
  if (info !== 0) fail('INTERNAL', 'a', 'the tridiagonal QL iteration did not converge (60 sweeps per eigenvalue)', 'report this matrix');
  const values = scope.read(pv, n);
  for (let j = 0; j < n; j++) {
    if (!Number.isFinite(values[j])) {
      fail('NON_FINITE', 'a', `eigenvalue ${j} overflows f64 (|lambda| > ${Number.MAX_VALUE})`, 'entries small enough that d x max |a_ij| < 1.8e308');
    }
  }
  return values;
}

/** The decomposition on a validated, symmetric copy; every block it allocates is freed before it returns. */
function decompose(scope: WasmScope, sym: Float64Array, n: number, wantVectors: boolean): EighResult {
  const alloc = scope.kernel.alloc;
  const free = scope.kernel.free;
  // the loaded build's own count (the formula of eighWorkLength, compiled into it)
  const work = scope.kernel.eighWorkLength(n, wantVectors ? 1 : 0);
  const ptrs: number[] = [];
  const take = (count: number): number => {
    const p = alloc(8 * Math.max(1, count));
    ptrs.push(p);
    return p;
  };
  try {
    const pa = take(n * n);
    const pv = take(n);
    const pz = wantVectors ? take(n * n) : 0;
    const pw = take(work);
    scope.view(pa, n * n).set(sym); // views after the last allocation
    const values = runKernel(scope, n, pa, pv, pz, pw, work);
    return { values, vectors: wantVectors ? scope.read(pz, n * n) : null };
  } finally {
    for (const p of ptrs) free(p);
  }
}

/**
 * Eigen-decomposition of the symmetric d x d matrix `a` (row-major). Values ascending; vectors row-major
 * d x d with column j the eigenvector of values[j] (numpy's layout), or null with { vectors: false }.
 */
export async function eigh(a: ArrayLike<number>, d: number, opts?: EighOptions): Promise<EighResult> {
  const [n, wantVectors] = prepare(a, d, opts);
  const sym = checkSymmetric(a, n, 'a');
  return withWasm((scope) => decompose(scope, sym, n, wantVectors));
}

/**
 * The same on an already loaded kernel, inside a caller's Wasm scope (for other linear-algebra code).
 * Holds its Wasm memory (eighBytes) only during the call.
 */
export function eighIn(scope: WasmScope, a: ArrayLike<number>, d: number, opts?: EighOptions): EighResult {
  const [n, wantVectors] = prepare(a, d, opts);
  return decompose(scope, checkSymmetric(a, n, 'a'), n, wantVectors);
}

/**
 * For callers whose symmetric n x n matrix is already in the scope's Wasm memory at `pa` (row-major, both
 * triangles, e.g. a SYRK's output): the decomposition in place, without the copy out, the symmetry check and
 * the copy back of eighIn. `pa` is overwritten. Returns the values (ascending, copied out) and the pointer of
 * the vectors (n x n row-major, column j for values[j]) in the scope, where the caller can scale them and
 * hand them to the next kernel without copies. Errors as eighIn's (TOO_LARGE is the caller's check).
 */
export function eighResidentIn(scope: WasmScope, pa: number, n: number): { values: Float64Array; vectors: number } {
  const work = scope.kernel.eighWorkLength(n, 1);
  const pv = scope.f64(n);
  const pz = scope.f64(n * n);
  const pw = scope.f64(work);
  return { values: runKernel(scope, n, pa, pv, pz, pw, work), vectors: pz };
}
