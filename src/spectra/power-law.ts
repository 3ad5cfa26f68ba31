/**
 * The built-in spectrum of the main job: an image-like Gaussian with d = 3 x 32 x 32 = 3072, the size of
 * CIFAR-10 (the paper's data), computed from a parametric model so that no data file is needed.
 *
 * Model: a stationary field on a 32 x 32 torus whose power spectrum decays as natural images' do,
 *   P(f) = 1 / (1 + (|f| / f0)^2)^(gamma / 2),  |f| = wrapped frequency radius, f0 = 1, gamma = 2.2,
 * times a 3 x 3 colour covariance with eigenvalues proportional to 0.90, 0.07, 0.03 (one luminance and two
 * chrominance axes). Its eigenvalues are the 3072 products, scaled so that the mean pixel variance is 0.25
 * (images in [-1, 1]). Many values repeat (by the symmetry of |f|): 3072 eigenvalues, far fewer distinct.
 */
import { fail } from '../core/errors.js';
import { checkInteger, describe } from '../core/checks.js';

export const DEFAULT_SPECTRUM_DESCRIPTION =
  'built-in image-like spectrum: 3 x 32 x 32 power-law field, P(f) = (1 + |f|^2)^(-1.1), colour weights 0.90/0.07/0.03, mean pixel variance 0.25';

/** Most values imageLikeSpectrum returns (colour.length x size^2): 2^26, the FFT's limit. */
const MAX_VALUES = 2 ** 26;

/**
 * The model of the header with its parameters: size (default 32; the field is size x size), gamma (default
 * 2.2), f0 (default 1), colour (default [0.9, 0.07, 0.03], the colour covariance's eigenvalues, any scale),
 * pixelVariance (default 0.25, the mean pixel variance). Returns colour.length x size^2 eigenvalues, colour
 * block by colour block, each block in DFT order (frequency (u, v) at u * size + v): not sorted.
 * Errors: INVALID_OPTION (size not a positive integer, gamma not finite, f0 or pixelVariance not finite and
 * positive, colour not a non-empty array of finite non-negative numbers with a positive sum, or parameters
 * whose power spectrum overflows f64), TOO_LARGE (more than 2^26 values).
 */
export function imageLikeSpectrum(size = 32, gamma = 2.2, f0 = 1, colour: readonly number[] = [0.9, 0.07, 0.03], pixelVariance = 0.25): Float64Array {
  checkInteger(size, 'size', 1, Number.MAX_SAFE_INTEGER, 'a positive integer (the field is size x size)');
  if (typeof gamma !== 'number' || !Number.isFinite(gamma)) fail('INVALID_OPTION', 'gamma', `got ${describe(gamma)}`, 'a finite number (the decay exponent)');
  if (typeof f0 !== 'number' || !(f0 > 0 && f0 < Infinity)) fail('INVALID_OPTION', 'f0', `got ${describe(f0)}`, 'a finite positive number (the corner frequency)');
  if (typeof pixelVariance !== 'number' || !(pixelVariance > 0 && pixelVariance < Infinity)) {
    fail('INVALID_OPTION', 'pixelVariance', `got ${describe(pixelVariance)}`, 'a finite positive number');
  }
  if (!Array.isArray(colour) || colour.length === 0 || !colour.every((c) => typeof c === 'number' && c >= 0 && c < Infinity) || !(colour.reduce((a, b) => a + b, 0) > 0)) {
    fail('INVALID_OPTION', 'colour', `got ${describe(colour)}`, 'a non-empty array of finite non-negative numbers with a positive sum');
  }
  if (colour.length * size * size > MAX_VALUES) {
    fail('TOO_LARGE', 'size', `${colour.length} x ${size} x ${size} = ${colour.length * size * size} values`, `at most ${MAX_VALUES} values (colour.length x size^2)`);
  }
  const power = new Float64Array(size * size);
  let total = 0;
  for (let u = 0; u < size; u++) {
    for (let v = 0; v < size; v++) {
      const fu = Math.min(u, size - u);
      const fv = Math.min(v, size - v);
      const p = (1 + (fu * fu + fv * fv) / (f0 * f0)) ** (-gamma / 2);
      power[u * size + v] = p;
      total += p;
    }
  }
  if (!(total < Infinity) || !(pixelVariance * colour.length * size * size < Infinity)) {
    fail('INVALID_OPTION', 'gamma', `the power spectrum (1 + |f|^2 / f0^2)^(-gamma / 2) overflows f64 with gamma = ${gamma}, f0 = ${f0}`, 'a gamma and f0 whose spectrum is finite');
  }
  const csum = colour.reduce((a, b) => a + b, 0);
  const out = new Float64Array(colour.length * size * size);
  // Scale: the trace of S (sum of eigenvalues) is pixelVariance * d.
  const scale = (pixelVariance * out.length) / total;
  colour.forEach((c, j) => {
    for (let i = 0; i < power.length; i++) out[j * power.length + i] = (scale * power[i] * c) / csum;
  });
  return out;
}
