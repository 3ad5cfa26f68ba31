/**
 * Wasserstein-2 distance between two Gaussians (the Bures-Wasserstein distance):
 *
 *   W2(N(mA, A), N(mB, B))^2 = |mA - mB|^2 + tr A + tr B - 2 tr (A^{1/2} B A^{1/2})^{1/2}
 *
 * for any symmetric positive semidefinite A, B (singular included).
 *
 * Numerics (docs/math.md §1, (1.1)). tr (A^{1/2} B A^{1/2})^{1/2} = ||B^{1/2} A^{1/2}||_* (the sum of
 * the singular values: B^{1/2} A^{1/2} = U S V^T gives A^{1/2} B A^{1/2} = V S^2 V^T). With A = Va diag(a) Va^T
 * and B = Vb diag(b) Vb^T from eigh, B^{1/2} A^{1/2} = Vb X Va^T with
 *
 *   X = diag(sqrt b) (Vb^T Va) diag(sqrt a),
 *
 * which has the same singular values: one GEMM, two diagonal scalings and the singular values of X (Wasm,
 * values only: Householder bidiagonalisation, then dqds; see factorNuclearNormIn). No threshold on the
 * singular values: they come out with absolute errors of a few eps ||X||_2, whereas the former route
 * through the eigenvalues mu of A^{1/2} B A^{1/2} took sqrt(mu) of values with absolute errors
 * eps ||A|| ||B||, i.e. sqrt(eps) relative for the small ones, and dropped them below 8 d eps ||A|| ||B||
 * (a bias of 3e-8 relative at condition 1e9).
 * Eigenvalues of A or B below -PSD_TOLERANCE x max |l| reject it (NOT_POSITIVE_DEFINITE, both checked
 * before the SVD); smaller negatives are rounding and count as 0, and so do eigenvalues up to
 * 8 sqrt(d) eps max |l| (psdRoot): a zero eigenvalue comes out of eigh as ~eps max |l|, and its square root,
 * ~1e-8 sqrt(max), would be an error of that size for exactly singular inputs. So full-rank inputs are
 * treated as such up to condition 1 / (8 sqrt(d) eps): 4e13 at d = 200, 2e13 at d = 784.
 *
 * Rounding. tr A + tr B - 2 sum sigma >= 0 exactly (sum sigma <= |A^{1/2}|_F |B^{1/2}|_F <= (tr A + tr B) / 2),
 * but its computed value carries the absolute errors of the traces (Neumaier sums of the diagonals, ~eps) and
 * of sum sigma (eigh's backward errors, ~d eps max l, propagated with weight ~1 when A ~ B, plus the
 * bidiagonalisation's, ~d eps ||X||_2). So a negative value within ROUNDING_BOUND = 8 d eps (tr A + tr B) is rounding:
 * it is clamped to 0 and reported as `clampedFrom`. Below that bound the result would be wrong, not rounded:
 * INTERNAL. Bitwise identical covariances give exactly the mean term.
 */
import { checkDimension, checkFiniteEntries, checkMatrixShape } from '../core/checks.js';
import { fail } from '../core/errors.js';
import { checkOptions, optionKeys } from '../core/options.js';
import { neumaierSum } from '../core/sums.js';
import { checkWasmBytes, withWasm, type WasmScope } from '../wasm/kernel.js';
import { BLAS_GEMM_MAX_WORKSPACE, svdWorkLength } from '../wasm/constants.js';
import { checkSymmetric, eighBytes, eighIn } from './eigh.js';
import { gemmIn } from './blas.js';
import { clipPsd, psdRoot } from './functions.js';

/** |computed W2^2 - exact| <= ROUNDING_BOUND x d x eps x (tr A + tr B) (see the header). */
export const ROUNDING_BOUND = 8;

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
  /** Present when rounding made tr A + tr B - 2 tr (A^1/2 B A^1/2)^1/2 negative: W2^2 before it was clamped to 0. */
  clampedFrom?: number;
}

function checkMean(x: unknown, d: number, argument: string): ArrayLike<number> | null {
  if (x === undefined) return null;
  const v = checkMatrixShape(x, 1, d, argument);
  checkFiniteEntries(v, d, argument, 'finite numbers', d);
  return v;
}

/** tr A by a compensated sum of the diagonal. */
function trace(a: Float64Array, d: number): number {
  return neumaierSum(Float64Array.from({ length: d }, (_, i) => a[i * d + i]));
}

function sameEntries(a: Float64Array, b: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The singular values (descending) of the n x m row-major x (n <= m; as a column-major array it is the
 * m x n matrix X^T, with the same singular values), by the Wasm bidiagonalisation and dqds
 * (assembly/linalg/bidiag.ts). x is copied into Wasm memory, not modified.
 */
function singularValuesIn(scope: WasmScope, x: ArrayLike<number>, n: number, m: number): Float64Array {
  return singularValuesResidentIn(scope, scope.f64(n * m, x), n, m);
}

/** The same on a matrix already in the scope's Wasm memory at px (overwritten): no copy in. */
export function singularValuesResidentIn(scope: WasmScope, px: number, n: number, m: number): Float64Array {
  const ps = scope.f64(n);
  const workLen = scope.kernel.svdWorkLength(m, n);
  const status = scope.kernel.svdBidiagValues(m, n, px, ps, scope.f64(workLen), workLen, 0);
  if (status === 1) fail('INTERNAL', 'a', 'the singular values did not converge (dqds, then QL)', 'report these matrices');
  if (status < 0) fail('INTERNAL', 'a', `svdBidiagValues refused its arguments (${status})`, 'report this');
  return scope.read(ps, n);
}

/** Wasm bytes singularValuesIn holds for an n x m matrix (n <= m): the copy, the values, the work block. */
function singularValuesBytes(n: number, m: number): number {
  return 8 * (n * m + n + svdWorkLength(m, n)) + 64;
}

/**
 * sum_i sigma_i(B^{1/2} A^{1/2}) = tr (A^{1/2} B A^{1/2})^{1/2}, as the singular values of
 * X = diag(sqrt b) Vb^T Va diag(sqrt a) (see the header). NOT_POSITIVE_DEFINITE for A or B before the SVD.
 */
function nuclearNormIn(scope: WasmScope, A: Float64Array, B: Float64Array, d: number): number {
  const ea = eighIn(scope, A, d, { vectors: true });
  const ra = psdRoot(clipPsd(ea.values, 'a'));
  const eb = eighIn(scope, B, d, { vectors: true });
  const rb = psdRoot(clipPsd(eb.values, 'b'));
  if (ra[d - 1] === 0 || rb[d - 1] === 0) return 0;
  const vb = eb.vectors!;
  const vbT = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) vbT[j * d + i] = vb[i * d + j];
  const x = gemmIn(scope, vbT, ea.vectors!, d, d, d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) x[i * d + j] *= rb[i] * ra[j];
  return factorNuclearNormIn(scope, x, d);
}

/**
 * sum_i sigma_i(X), X d x d row-major (not modified): the nuclear norm tr (A^{1/2} B A^{1/2})^{1/2} when
 * X = B^{1/2} A^{1/2} up to orthogonal factors (callers that hold such a factor in Wasm memory, e.g. the
 * score-matching Monte Carlo, call singularValuesResidentIn on it). Singular values by bidiagonalisation and
 * dqds, each within a few eps ||X||_2 (numpy's svd(compute_uv=False) has the same method and accuracy),
 * summed with compensation.
 */
function factorNuclearNormIn(scope: WasmScope, x: ArrayLike<number>, d: number): number {
  return neumaierSum(singularValuesIn(scope, x, d, d));
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
  // Held at once (until the scope ends): two eigensolver calls, one GEMM's blocks and workspace, the
  // singular values' copy and work block.
  checkWasmBytes(2 * eighBytes(D, true) + 8 * (3 * D * D + BLAS_GEMM_MAX_WORKSPACE) + singularValuesBytes(D, D) + 2 ** 16, 'a');
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

  const cross = await withWasm((scope) => nuclearNormIn(scope, A, B, D));
  const traces = trace(A, D) + trace(B, D);
  // (1.1) without the mean term: >= 0 exactly, computed to within ROUNDING_BOUND d eps (tr A + tr B).
  const cov = traces - 2 * cross;
  if (!Number.isFinite(cov)) {
    fail('TOO_LARGE', 'a', `tr A + tr B = ${traces} overflows f64`, 'covariances with tr A + tr B < 1.8e308');
  }
  if (cov < 0) {
    if (-cov > ROUNDING_BOUND * D * Number.EPSILON * traces) {
      fail('INTERNAL', 'a', `tr A + tr B - 2 tr (A^1/2 B A^1/2)^1/2 came out as ${cov}, below its rounding bound`, 'report these matrices');
    }
    return { w2: Math.sqrt(meanTerm), w2Squared: meanTerm, clampedFrom: meanTerm + cov };
  }
  const raw = meanTerm + cov;
  return { w2: Math.sqrt(raw), w2Squared: raw };
}
