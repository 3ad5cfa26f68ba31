/**
 * Spectra from real data: a covariance matrix, samples, an image (ADSN), the MNIST digits, or a
 * parametric power-law image model. Every source returns the eigenvalues of the data covariance S
 * (math.md §1), ascending, as a Float64Array that the engine's functions take directly.
 *
 * Eigenvalues computed from a matrix carry rounding errors of order d eps ||S||: a singular covariance
 * (zero-variance pixels) gives values like 1e-17 or -1e-17 instead of 0. Values below 8 d eps lambda_max
 * in magnitude (the null tolerance of src/linalg/functions.ts) are zero to working precision, and these
 * sources set them to exactly 0, so that a singular covariance is recognised as singular (e.g. Heun with
 * eps = 0 reports the singular score).
 */
import { fail } from '../core/errors.js';
import { checkOptions } from '../core/options.js';
import { eigh } from '../linalg/eigh.js';
import { COVARIANCE_KEYS, type CovarianceOptions, covariance as sampleCovariance } from '../linalg/blas.js';
import { adsnSpectrum } from '../images/adsn.js';
import { type Image } from '../images/png.js';
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

/** Eigenvalues of a d x d covariance matrix (row-major; symmetric within 1e-10 relative). */
export async function spectrumOfCovariance(c: ArrayLike<number>, d: number): Promise<Float64Array> {
  const { values } = await eigh(c, d, { vectors: false });
  zeroNumericalNoise(values, d);
  return values;
}

/**
 * Eigenvalues of the covariance of samples X (n x d, row-major): X^T X / n when the mean is known to be 0,
 * or, with { center: true }, the sample mean removed and / (n - 1) (math.md §3 conventions).
 */
export async function spectrumOfSamples(x: ArrayLike<number>, n: number, d: number, opts: CovarianceOptions = {}): Promise<Float64Array> {
  checkOptions(opts, COVARIANCE_KEYS);
  if (opts.center && n < 2) fail('INVALID_SHAPE', 'samples', `${n} sample(s) cannot be centred`, 'at least 2 samples with --center');
  const { covariance } = await sampleCovariance(x, n, d, { center: opts.center ?? false });
  return spectrumOfCovariance(covariance, d);
}

/** The ADSN spectrum of an image (../shared/reference recipe: periodic component, per-frequency energy). */
export async function spectrumOfImage(image: Image): Promise<Float64Array> {
  return adsnSpectrum(image);
}

/** A dataset of images as rows of a matrix: n samples of dimension d, row-major. */
export interface Dataset {
  readonly name: string;
  readonly n: number;
  readonly d: number;
  readonly samples: Float64Array;
}

/** The spectrum of a dataset's centred sample covariance (/ (n - 1)). */
export async function spectrumOfDataset(data: Dataset): Promise<Float64Array> {
  return spectrumOfSamples(data.samples, data.n, data.d, { center: true });
}
