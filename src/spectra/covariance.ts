/**
 * The spectrum of a covariance matrix: the eigenvalues of S (docs/math.md §1), ascending, as a Float64Array
 * that the engine's functions take directly.
 *
 * Eigenvalues computed from a matrix carry rounding errors of order d eps ||S||: a singular covariance
 * (zero-variance pixels) gives values like 1e-17 or -1e-17 instead of 0. Values below 8 d eps lambda_max
 * in magnitude (the null tolerance of src/linalg/functions.ts) are zero to working precision, and the
 * sources of this folder set them to exactly 0, so that a singular covariance is recognised as singular
 * (e.g. Heun with eps = 0 reports the singular score).
 */
import { eigh } from '../linalg/eigh.js';
import { NULL_TOLERANCE_FACTOR } from '../linalg/functions.js';

/** Set eigenvalues below 8 d eps lambda_max in magnitude to 0 (in place); returns how many. */
export function zeroNumericalNoise(values: Float64Array, d: number): number {
  let max = 0;
  for (const v of values) max = Math.max(max, Math.abs(v));
  const floor = NULL_TOLERANCE_FACTOR * d * Number.EPSILON * max;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] !== 0 && Math.abs(values[i]) <= floor) { values[i] = 0; count++; }
  }
  return count;
}

/**
 * Eigenvalues of a d x d covariance matrix c (row-major; symmetric within 1e-10 relative), ascending, with
 * rounding noise set to 0 (see the header). No options; c is not modified.
 * Errors: those of eigh (INVALID_SHAPE, NON_FINITE, NOT_SYMMETRIC, TOO_LARGE).
 */
export async function spectrumOfCovariance(c: ArrayLike<number>, d: number): Promise<Float64Array> {
  const { values } = await eigh(c, d, { vectors: false });
  zeroNumericalNoise(values, d);
  return values;
}
