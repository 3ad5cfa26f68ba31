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
export const DEFAULT_SPECTRUM_DESCRIPTION =
  'built-in image-like spectrum: 3 x 32 x 32 power-law field, P(f) = (1 + |f|^2)^(-1.1), colour weights 0.90/0.07/0.03, mean pixel variance 0.25';

export function imageLikeSpectrum(size = 32, gamma = 2.2, f0 = 1, colour: readonly number[] = [0.9, 0.07, 0.03], pixelVariance = 0.25): Float64Array {
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
  const csum = colour.reduce((a, b) => a + b, 0);
  const out = new Float64Array(colour.length * size * size);
  // Scale: the trace of S (sum of eigenvalues) is pixelVariance * d.
  const scale = (pixelVariance * out.length) / total;
  colour.forEach((c, j) => {
    for (let i = 0; i < power.length; i++) out[j * power.length + i] = (scale * power[i] * c) / csum;
  });
  return out;
}
