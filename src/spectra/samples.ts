/**
 * The spectrum of samples: the eigenvalues of their covariance (docs/math.md §1), through its eigenvalues
 * (src/spectra/covariance.ts, rounding noise set to 0).
 */
import { fail } from '../core/errors.js';
import { checkOptions } from '../core/options.js';
import { COVARIANCE_KEYS, type CovarianceOptions, covariance as sampleCovariance } from '../linalg/blas.js';
import { spectrumOfCovariance } from './covariance.js';

/**
 * Eigenvalues of the covariance of samples X (n x d, row-major), ascending: X^T X / n when the mean is known
 * to be 0 (default, `center: false`), or, with { center: true }, the sample mean removed and / (n - 1)
 * (docs/math.md §3 conventions). x is not modified.
 * Errors: INVALID_SHAPE (sizes, length of x, n < 2 with center), NON_FINITE, UNKNOWN_OPTION / INVALID_OPTION,
 * TOO_LARGE.
 */
export async function spectrumOfSamples(x: ArrayLike<number>, n: number, d: number, opts: CovarianceOptions = {}): Promise<Float64Array> {
  checkOptions(opts, COVARIANCE_KEYS);
  if (opts.center && n < 2) fail('INVALID_SHAPE', 'samples', `${n} sample(s) cannot be centred`, 'at least 2 samples with --center');
  const { covariance } = await sampleCovariance(x, n, d, { center: opts.center ?? false });
  return spectrumOfCovariance(covariance, d);
}

/** A dataset of images as rows of a matrix: n samples of dimension d, row-major. */
export interface Dataset {
  readonly name: string;
  readonly n: number;
  readonly d: number;
  readonly samples: Float64Array;
}

/** The spectrum of a dataset's centred sample covariance (/ (n - 1)), ascending. */
export async function spectrumOfDataset(data: Dataset): Promise<Float64Array> {
  return spectrumOfSamples(data.samples, data.n, data.d, { center: true });
}
