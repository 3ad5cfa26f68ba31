/**
 * Wasserstein-2 distance between two Gaussians (the Bures-Wasserstein distance):
 *
 *   W2(N(mA, A), N(mB, B))^2 = |mA - mB|^2 + tr A + tr B - 2 tr (A^{1/2} B A^{1/2})^{1/2}
 *
 * for any symmetric positive semidefinite A, B (singular included).
 *
 * Numerics. A^{1/2} = V diag(sqrt l) V^T from eigh(A); M = A^{1/2} B A^{1/2} by two GEMMs, symmetrised;
 * tr M^{1/2} = sum sqrt(mu) over eigh(M)'s eigenvalues (values only). Eigenvalues below
 * -PSD_TOLERANCE x max |l| reject A or B (NOT_POSITIVE_DEFINITE, both are checked before the main work).
 *
 * The square root is not Lipschitz at 0: an eigenvalue that should be 0 but comes out of an eigensolver
 * as +-c eps ||A|| would add sqrt(c eps ||A||), about 1e-8 relative, to the result. So eigenvalues of A
 * with |l| <= NULL_TOLERANCE_FACTOR d eps max l (8 d eps, see psdRoot), and eigenvalues of M with |mu| <= 8 d eps ||A|| ||B|| (the
 * size of M's rounding errors), are taken as exactly 0: within their own rounding they are
 * indistinguishable from 0, and for exactly singular inputs this gives the exact answer to full accuracy
 * rather than to sqrt(eps). (For singular inputs that are themselves rounded, e.g. fl(G G^T), the problem
 * is ill-conditioned: the answer for the rounded input differs from the singular one by ~sqrt(eps).)
 * Rounding can make W2^2 slightly negative when A ~ B: it is clamped to 0 and the raw value reported in
 * `clampedFrom`, never NaN. Bitwise identical inputs give exactly 0.
 */
import { checkDimension, checkFiniteEntries, checkMatrixShape } from '../core/checks.js';
import { checkOptions, optionKeys } from '../core/options.js';
import { checkWasmBytes, withWasm } from '../wasm/kernel.js';
import { checkSymmetric, eighIn } from './eigh.js';
import { gemmIn } from './blas.js';
import { NULL_TOLERANCE_FACTOR, clipPsd, psdRoot, reconstructIn, symmetrise } from './functions.js';

export interface BuresOptions {
  /** Mean of the first Gaussian (length d; default 0). */
  meanA?: ArrayLike<number>;
  /** Mean of the second Gaussian (length d; default 0). */
  meanB?: ArrayLike<number>;
}

export const BURES_KEYS = optionKeys<BuresOptions>({ meanA: true, meanB: true });

export interface BuresResult {
  /** W2 = sqrt(w2Squared). */
  w2: number;
  /** W2^2 (>= 0). */
  w2Squared: number;
  /** Present when rounding made W2^2 negative: the raw value before clamping to 0. */
  clampedFrom?: number;
}

function checkMean(x: unknown, d: number, argument: string): ArrayLike<number> | null {
  if (x === undefined) return null;
  const v = checkMatrixShape(x, 1, d, argument);
  checkFiniteEntries(v, d, argument, 'finite numbers', d);
  return v;
}

function trace(a: Float64Array, d: number): number {
  let s = 0;
  for (let i = 0; i < d; i++) s += a[i * d + i];
  return s;
}

function sameEntries(a: Float64Array, b: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** sum_i sqrt(v_i) over v_i > tol (ascending order: small terms first). */
function sumSqrt(values: Float64Array, tol: number): number {
  let s = 0;
  for (const v of values) if (v > tol) s += Math.sqrt(v);
  return s;
}

/**
 * W2 between N(mA, A) and N(mB, B), A and B symmetric PSD d x d (row-major), means optional (zero).
 * Errors: INVALID_SHAPE, NON_FINITE, NOT_SYMMETRIC, NOT_POSITIVE_DEFINITE (an eigenvalue clearly below 0),
 * INVALID_OPTION, TOO_LARGE. Inputs are not modified.
 */
export async function buresW2(a: ArrayLike<number>, b: ArrayLike<number>, d: number, opts: BuresOptions = {}): Promise<BuresResult> {
  const D = checkDimension(d, 'd');
  checkMatrixShape(a, D, D, 'a');
  checkMatrixShape(b, D, D, 'b');
  checkOptions(opts, BURES_KEYS, 'options');
  // Held at once: A, B, vectors of A, A^{1/2} and its factors, two products, M (plus the eigensolver's).
  checkWasmBytes(8 * 12 * D * D + 2 ** 22, 'a');
  const A = checkSymmetric(a, D, 'a');
  const B = checkSymmetric(b, D, 'b');
  const mA = checkMean(opts.meanA, D, 'meanA');
  const mB = checkMean(opts.meanB, D, 'meanB');

  let meanTerm = 0;
  for (let i = 0; i < D; i++) {
    const diff = (mA ? mA[i] : 0) - (mB ? mB[i] : 0);
    meanTerm += diff * diff;
  }
  if (sameEntries(A, B)) return { w2: Math.sqrt(meanTerm), w2Squared: meanTerm };

  const cross = await withWasm((scope) => {
    const ea = eighIn(scope, A, D, { vectors: true });
    const la = clipPsd(ea.values, 'a');
    const lb = clipPsd(eighIn(scope, B, D, { vectors: false }).values, 'b');
    const maxA = la[D - 1];
    const maxB = lb[D - 1];
    if (maxA === 0 || maxB === 0) return 0;
    const rootA = reconstructIn(scope, ea.vectors!, psdRoot(la), D);
    const m = symmetrise(gemmIn(scope, gemmIn(scope, rootA, B, D, D, D), rootA, D, D, D), D);
    const mu = eighIn(scope, m, D, { vectors: false }).values;
    return sumSqrt(mu, NULL_TOLERANCE_FACTOR * D * Number.EPSILON * maxA * maxB);
  });
  const raw = meanTerm + trace(A, D) + trace(B, D) - 2 * cross;
  if (raw < 0) return { w2: 0, w2Squared: 0, clampedFrom: raw };
  return { w2: Math.sqrt(raw), w2Squared: raw };
}
