/**
 * Spectra of stationary Gaussian image models, on the Wasm FFT (src/fft/fft.ts) and Moisan's periodic
 * component (src/images/periodic.ts).
 *
 * ADSN (asymptotic discrete spot noise) of an image u with C channels, M x N pixels (Galerne, Gousseau &
 * Morel, "Random phase textures", 2011):
 *   1. u in [0, 1] (decodePng);
 *   2. t_c = (u_c - mean(u_c)) / sqrt(M N) per channel;
 *   3. p_c = the periodic component of t_c (Moisan's periodic-plus-smooth decomposition), T_c = DFT2(p_c);
 *   4. the covariance of t * W (W white noise, circular convolution) is, at each frequency, the rank-one C x C
 *      matrix T(k, l) T(k, l)^H: eigenvalues sum_c |T_c(k, l)|^2 and (C - 1) M N zeros.
 * Output layout (that of the published adsn-fabric-spectrum.npy): the M N per-frequency values in fftshift
 * order (row i, column j holds frequency ((i - floor(M/2)) mod M, (j - floor(N/2)) mod N)), then (C - 1) M N
 * zeros.
 */
import { fail } from '../core/errors.js';
import { neumaierSum } from '../core/sums.js';
import { checkOptions, optionKeys } from '../core/options.js';
import { checkWasmBytes, withWasm, type WasmScope } from '../wasm/kernel.js';
import { fft2Ptr } from '../fft/fft.js';
import { checkImage, checkImagePixels, type Image } from '../images/image.js';
import { channelBytes, channelWorkIn, periodicSpectrumIn, type ChannelWork } from '../images/periodic.js';

/**
 * Put t = (u - mean) * scale of one channel (u = data[offset .. offset + M N)) in w.re, 0 in w.im. The mean
 * is given, or computed here with a compensated sum when null.
 */
function loadChannel(scope: WasmScope, w: ChannelWork, data: ArrayLike<number>, offset: number, mean: number | null, scale: number): void {
  const n = w.rows * w.cols;
  const m = mean ?? neumaierSum(data, offset, offset + n) / n;
  const re = scope.view(w.re, n);
  for (let i = 0; i < n; i++) re[i] = (data[offset + i] - m) * scale;
  scope.view(w.im, n).fill(0);
}

/** dst[i * N + j] = src[((i - floor(M/2)) mod M) * N + (j - floor(N/2)) mod N] (numpy's fftshift). */
function fftshiftInto(src: Float64Array, rows: number, cols: number, dst: Float64Array, dstOffset = 0): void {
  const hr = rows >> 1;
  const hc = cols >> 1;
  const cc = cols - hc; // ceil(cols / 2)
  for (let i = 0; i < rows; i++) {
    const s = ((i + rows - hr) % rows) * cols;
    const d = dstOffset + i * cols;
    dst.set(src.subarray(s + cc, s + cols), d);
    dst.set(src.subarray(s, s + cc), d + hc);
  }
}

/**
 * The ADSN spectrum of an image by the recipe of the header: per frequency sum_c |T_c(k, l)|^2 in fftshift
 * order, then (C - 1) * H * W zeros. Length C * H * W. No options; the image is not modified.
 * Errors: INVALID_SHAPE (not an image, sizes, data length), TOO_LARGE (more than 2^26 pixels or the Wasm
 * memory), NON_FINITE.
 */
export async function adsnSpectrum(image: Image): Promise<Float64Array> {
  const { height: rows, width: cols, channels, data } = checkImage(image, 'image');
  const n = rows * cols;
  checkWasmBytes(channelBytes(rows, cols) + 8 * n + 64, 'image');
  checkImagePixels(image, 'image');
  const power = await withWasm((scope) => {
    const w = channelWorkIn(scope, rows, cols);
    const out = scope.f64(n);
    scope.view(out, n).fill(0);
    const scale = 1 / Math.sqrt(n);
    for (let c = 0; c < channels; c++) {
      loadChannel(scope, w, data, c * n, null, scale);
      periodicSpectrumIn(scope, w);
      scope.kernel.addPower(n, w.re, w.im, out);
    }
    return scope.read(out, n);
  });
  const result = new Float64Array(channels * n);
  fftshiftInto(power, rows, cols, result);
  return result;
}

/** The spectrum source `gaussdiff spectrum --adsn`: adsnSpectrum(image), same arguments and errors. */
export async function spectrumOfImage(image: Image): Promise<Float64Array> {
  return adsnSpectrum(image);
}

export interface PowerSpectrumOptions {
  /** Replace each channel by its periodic component before the DFT (as ADSN does). Default false. */
  periodic?: boolean;
}

export const POWER_SPECTRUM_KEYS = optionKeys<PowerSpectrumOptions>({ periodic: true });

/**
 * Spectrum (covariance eigenvalues) of a stationary C-channel Gaussian model of H x W images, estimated from
 * one or more same-sized images by the periodogram. Exactly:
 *   1. mean_c: the mean of channel c over all pixels of all K images;
 *   2. t_{i,c} = (u_{i,c} - mean_c) / sqrt(H W); with `periodic`, replaced by its periodic component;
 *   3. T_{i,c} = DFT2(t_{i,c}), and per frequency the C x C cross-periodogram
 *      S(k, l) = (1/K) sum_i T_i(k, l) T_i(k, l)^H  (Hermitian, positive semi-definite);
 *   4. the eigenvalues of S(k, l) in decreasing order, clamped at 0 (rounding can leave -1e-17 where S is
 *      singular): entry r * H * W + q is the (r+1)-th largest eigenvalue at frequency q, frequencies in
 *      fftshift order as in adsnSpectrum. Length C * H * W.
 * One image (K = 1): S is rank one, so block 0 is the channel-summed periodogram sum_c |T_c|^2 and the other
 * C - 1 blocks are exactly 0; with `periodic: true` this is adsnSpectrum. One channel (C = 1): the average
 * periodogram (1/K) sum_i |T_i|^2. The trace of S, summed over blocks, is always the average channel-summed
 * periodogram. Options: `periodic` (default false). The images are not modified.
 * Errors: INVALID_SHAPE (not an image, empty list, sizes, data lengths, images of different shapes),
 * INVALID_OPTION / UNKNOWN_OPTION (opts), TOO_LARGE (more than 2^26 pixels or the Wasm memory), NON_FINITE.
 */
export async function powerSpectrum(images: Image | Image[], opts?: PowerSpectrumOptions): Promise<Float64Array> {
  checkOptions(opts, POWER_SPECTRUM_KEYS);
  const periodic = opts?.periodic;
  if (periodic !== undefined && typeof periodic !== 'boolean') {
    fail('INVALID_OPTION', 'opts.periodic', `got ${String(periodic)}`, 'true or false');
  }
  const list = Array.isArray(images) ? images : [images];
  if (list.length === 0) fail('INVALID_SHAPE', 'images', 'is an empty list', 'one image or a list of same-sized images');
  list.forEach((im, i) => checkImage(im, Array.isArray(images) ? `images[${i}]` : 'images'));
  const { height: rows, width: cols, channels: C } = list[0];
  list.forEach((im, i) => {
    if (im.height !== rows || im.width !== cols || im.channels !== C) {
      fail('INVALID_SHAPE', `images[${i}]`, `is ${im.channels} x ${im.height} x ${im.width}, images[0] is ${C} x ${rows} x ${cols}`,
        'images of the same size and channel count');
    }
  });
  const K = list.length;
  const n = rows * cols;
  const cross = K > 1 && C > 1;
  const pairs = cross ? (C * (C + 1)) / 2 : 1;
  const keep = cross ? C : 1;
  checkWasmBytes(channelBytes(rows, cols) + 8 * (2 * n * (keep + pairs)) + (2 * keep + 2 * pairs) * 64, 'images');
  list.forEach((im, i) => checkImagePixels(im, Array.isArray(images) ? `images[${i}]` : 'images'));
  // Pooled channel means.
  const means = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (const im of list) s += neumaierSum(im.data, c * n, c * n + n);
    means[c] = s / (K * n);
  }
  const scale = 1 / Math.sqrt(n);
  // With cross terms: every channel's DFT of the current image is kept (C x 2n) and the pairs c <= d of S
  // accumulate (2n each). Otherwise one running sum of |T_c|^2.
  const sums = await withWasm((scope) => {
    const w = channelWorkIn(scope, rows, cols);
    const spec: number[][] = []; // [re, im] pointers per channel (cross only)
    if (cross) for (let c = 0; c < C; c++) spec.push([scope.f64(n), scope.f64(n)]);
    const acc: number[][] = [];
    for (let p = 0; p < pairs; p++) acc.push([scope.f64(n), scope.f64(n)]);
    for (const [r, i] of acc) { scope.view(r, n).fill(0); scope.view(i, n).fill(0); }
    for (const im of list) {
      for (let c = 0; c < C; c++) {
        loadChannel(scope, w, im.data, c * n, means[c], scale);
        if (periodic) periodicSpectrumIn(scope, w);
        else fft2Ptr(scope, w.setup, w.re, w.im, false);
        if (cross) {
          scope.view(spec[c][0], n).set(scope.view(w.re, n));
          scope.view(spec[c][1], n).set(scope.view(w.im, n));
        } else {
          scope.kernel.addPower(n, w.re, w.im, acc[0][0]);
        }
      }
      if (cross) {
        let p = 0;
        for (let c = 0; c < C; c++) {
          for (let d = c; d < C; d++, p++) {
            scope.kernel.addCross(n, spec[c][0], spec[c][1], spec[d][0], spec[d][1], acc[p][0], acc[p][1]);
          }
        }
      }
    }
    return acc.map(([r, i]) => [scope.read(r, n), scope.read(i, n)]);
  });
  const result = new Float64Array(C * n);
  if (!cross) {
    const s = sums[0][0];
    if (K > 1) for (let q = 0; q < n; q++) s[q] /= K;
    fftshiftInto(s, rows, cols, result);
    return result;
  }
  // Eigenvalues of S per frequency. S is Hermitian positive semi-definite, so they are its singular values;
  // on its real 2C x 2C embedding [[A, -B], [B, A]] (S = A + iB) each comes twice. The Wasm one-sided Jacobi
  // (assembly/linalg/svd.ts) on one reused block: no allocation per frequency.
  const m = 2 * C;
  const blocks = Array.from({ length: C }, () => new Float64Array(n));
  await withWasm((scope) => {
    const px = scope.f64(m * m);
    const ps = scope.f64(m);
    const x = scope.view(px, m * m); // valid: nothing is allocated after this
    const sigma = scope.view(ps, m);
    for (let q = 0; q < n; q++) {
      let p = 0;
      for (let c = 0; c < C; c++) {
        for (let d = c; d < C; d++, p++) {
          const re = sums[p][0][q] / K;
          const im = c === d ? 0 : sums[p][1][q] / K; // S_cd = re + i im, S_dc its conjugate
          x[c * m + d] = x[d * m + c] = x[(C + c) * m + C + d] = x[(C + d) * m + C + c] = re;
          x[(C + c) * m + d] = x[d * m + C + c] = im;
          x[(C + d) * m + c] = x[c * m + C + d] = -im;
        }
      }
      if (scope.kernel.svdValues(m, m, px, ps) < 0) fail('INTERNAL', 'images', 'the Jacobi SVD did not converge', 'report these images');
      const all = sigma.slice().sort();
      for (let r = 0; r < C; r++) blocks[r][q] = 0.5 * (all[m - 1 - 2 * r] + all[m - 2 - 2 * r]);
    }
  });
  for (let r = 0; r < C; r++) fftshiftInto(blocks[r], rows, cols, result, r * n);
  return result;
}
