/**
 * ADSN texture synthesis (asymptotic discrete spot noise: Galerne, Gousseau & Morel, "Random phase textures",
 * 2011) on the Wasm FFT and the Wasm random stream: a sample of the stationary Gaussian model whose spectrum
 * is adsnSpectrum (src/spectra/image.ts). The white noise is the normals 0 .. H W - 1 of the seed
 * (src/random/random.ts), row-major, so a seed determines the texture.
 */
import { neumaierSum } from '../core/sums.js';
import { checkWasmBytes, withWasm } from '../wasm/kernel.js';
import { fft2Ptr, fft2SetupBytes, fft2SetupIn } from '../fft/fft.js';
import { normalsIn } from '../random/random.js';
import { SEED_KEYS, seedOption, type SeedOptions } from '../random/sampling.js';
import { checkImage, checkImagePixels, type Image } from './image.js';
import { periodicComponent } from './periodic.js';

/**
 * One ADSN texture from an image u with C channels of H x W pixels: per channel, m_c = mean(u_c),
 * t_c = (u_c - m_c) / sqrt(H W), p_c = its periodic component (Moisan, src/images/periodic.ts), and
 *   field_c = m_c + p_c * W   (circular convolution, computed as IFFT2(DFT2(p_c) FFT2(W)))
 * with one white noise W (H x W, standard normal, shared by the channels, so the colour correlations are
 * those of ADSN: a rank-one C x C cross-spectrum DFT2(p) DFT2(p)^H per frequency). Each channel's mean is
 * exactly m_c (DFT2(p_c) vanishes at frequency 0).
 * Options: `seed` (required, an integer 0 <= seed < 2^53; no other key, no default).
 * Returns `{ image, field }`: `field` the unclipped sample (C x H x W, a Float64Array), `image` an Image of
 * the same size and channels holding the field clipped to [0, 1] (for encodePng). The input is not modified.
 * Errors: INVALID_SHAPE (not an image, sizes, data length), TOO_LARGE (more than 2^26 pixels or the Wasm
 * memory), NON_FINITE, INVALID_OPTION / UNKNOWN_OPTION (opts, seed).
 */
export async function synthesizeAdsn(image: Image, opts: SeedOptions): Promise<{ image: Image; field: Float64Array }> {
  const im = checkImage(image, 'image');
  const seed = seedOption(opts, SEED_KEYS);
  const { height: h, width: w, channels: C, data } = im;
  const n = h * w;
  checkWasmBytes(8 * 6 * n + fft2SetupBytes(h, w) + 512, 'image');
  checkImagePixels(im, 'image');
  const scale = 1 / Math.sqrt(n);
  // Periodic components (linear, and the identity on constants: p(t_c) = (p(u_c) - m_c) / sqrt(n)).
  const means = new Float64Array(C);
  const periodic: Float64Array[] = [];
  for (let c = 0; c < C; c++) {
    const u = data instanceof Float64Array ? data.subarray(c * n, (c + 1) * n) : Float64Array.from(Array.prototype.slice.call(data, c * n, (c + 1) * n) as number[]);
    means[c] = neumaierSum(u) / u.length;
    periodic.push(await periodicComponent(u, h, w));
  }
  const field = new Float64Array(C * n);
  await withWasm((scope) => {
    const setup = fft2SetupIn(scope, h, w);
    const wr = scope.f64(n);
    const wi = scope.f64(n);
    const re = scope.f64(n);
    const imag = scope.f64(n);
    normalsIn(scope, wr, n, seed, 0);
    scope.view(wi, n).fill(0);
    fft2Ptr(scope, setup, wr, wi, false);
    for (let c = 0; c < C; c++) {
      const m = means[c];
      const p = periodic[c];
      const r = scope.view(re, n);
      for (let k = 0; k < n; k++) r[k] = (p[k] - m) * scale;
      scope.view(imag, n).fill(0);
      fft2Ptr(scope, setup, re, imag, false);
      // (a + ib)(x + iy)
      const ar = scope.view(re, n);
      const ai = scope.view(imag, n);
      const xr = scope.view(wr, n);
      const xi = scope.view(wi, n);
      for (let k = 0; k < n; k++) {
        const a = ar[k];
        const b = ai[k];
        ar[k] = a * xr[k] - b * xi[k];
        ai[k] = a * xi[k] + b * xr[k];
      }
      fft2Ptr(scope, setup, re, imag, true);
      const out = scope.view(re, n);
      const o = c * n;
      for (let k = 0; k < n; k++) field[o + k] = m + out[k];
    }
  });
  const clipped = new Float64Array(C * n);
  for (let k = 0; k < C * n; k++) {
    const v = field[k];
    clipped[k] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  return { image: { width: w, height: h, channels: C, data: clipped }, field };
}
