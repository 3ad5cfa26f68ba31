/**
 * ADSN texture synthesis (src/images/adsn.ts): channel means kept exactly, the image is the clipped field,
 * the exact recipe m_c + p_c * W against the white noise of src/random/random.ts, the rank-one colour
 * structure and the ADSN spectrum in expectation over seeds, determinism, the documented return value and
 * typed errors.
 */
import { describe, expect, it } from 'vitest';
import '../../src/node.js'; // sets the Wasm source
import { fft2, type Image } from '../../src/node.js';
import { synthesizeAdsn } from '../../src/images/adsn.js';
import { periodicComponent } from '../../src/images/periodic.js';
import { adsnSpectrum, powerSpectrum } from '../../src/spectra/image.js';
import { normals } from '../../src/random/random.js';
import { expectError } from '../helpers/errors.js';
import { testImage } from './reference.js';

const Z = 5; // standard errors allowed

describe('synthesizeAdsn', () => {
  const h = 20;
  const w = 24;
  const n = h * w;
  const image = testImage(h, w);
  const means = [0, 1, 2].map((c) => image.data.subarray(c * n, (c + 1) * n).reduce((a, b) => a + b, 0) / n);

  it('keeps each channel mean exactly; the image is the field clipped to [0, 1]; deterministic per seed', async () => {
    const { image: out, field } = await synthesizeAdsn(image, { seed: 9 });
    expect(out.width).toBe(w);
    expect(out.height).toBe(h);
    expect(out.channels).toBe(3);
    expect(field.length).toBe(3 * n);
    for (let c = 0; c < 3; c++) {
      const m = field.subarray(c * n, (c + 1) * n).reduce((a, b) => a + b, 0) / n;
      expect(Math.abs(m - means[c])).toBeLessThan(1e-13);
    }
    for (let k = 0; k < 3 * n; k++) expect(out.data[k]).toBe(Math.min(1, Math.max(0, field[k])));
    // a high-contrast image (binary stripes): its field leaves [0, 1], the image is clipped
    const stripes = { width: w, height: h, channels: 1, data: Float64Array.from({ length: n }, (_, k) => ((k % w) % 6 < 3 ? 1 : 0)) };
    const hi = await synthesizeAdsn(stripes, { seed: 9 });
    let outside = 0;
    for (let k = 0; k < n; k++) {
      if (hi.field[k] < 0 || hi.field[k] > 1) outside++;
      expect(hi.image.data[k]).toBe(Math.min(1, Math.max(0, hi.field[k])));
    }
    expect(outside).toBeGreaterThan(n / 10);
    const again = await synthesizeAdsn(image, { seed: 9 });
    expect(again.field).toEqual(field);
    const other = await synthesizeAdsn(image, { seed: 10 });
    expect(other.field).not.toEqual(field);
  });

  it('is exactly m_c + p_c * W: DFT2(field_c - m_c) = DFT2(periodic t_c) x FFT2(W), one W for all channels', async () => {
    const { field } = await synthesizeAdsn(image, { seed: 12 });
    const W = await fft2(await normals(n, { seed: 12 }), null, h, w);
    for (let c = 0; c < 3; c++) {
      const u = image.data.subarray(c * n, (c + 1) * n);
      const p = await periodicComponent(u, h, w);
      const T = await fft2(p.map((v) => (v - means[c]) / Math.sqrt(n)), null, h, w);
      const F = await fft2(field.subarray(c * n, (c + 1) * n).map((v) => v - means[c]), null, h, w);
      for (let k = 0; k < n; k++) {
        const er = T.re[k] * W.re[k] - T.im[k] * W.im[k];
        const ei = T.re[k] * W.im[k] + T.im[k] * W.re[k];
        expect(Math.abs(F.re[k] - er)).toBeLessThan(1e-12);
        expect(Math.abs(F.im[k] - ei)).toBeLessThan(1e-12);
      }
    }
  });

  it('over 64 seeds: the colour cross-spectrum is rank one and its trace matches the ADSN spectrum in expectation', async () => {
    const K = 64;
    const samples: Image[] = [];
    for (let s = 0; s < K; s++) {
      const { field } = await synthesizeAdsn(image, { seed: 300 + s });
      samples.push({ width: w, height: h, channels: 3, data: field });
    }
    const est = await powerSpectrum(samples); // eigenvalues of the averaged 3 x 3 cross-periodogram, fftshift order
    const target = await adsnSpectrum(image); // block 0: sum_c |T_c|^2
    let top = 0;
    for (let k = 0; k < n; k++) top = Math.max(top, target[k]);
    // shared white noise: S(k) = T T^H avg |W(k)|^2 / n, rank one
    for (let k = n; k < 3 * n; k++) expect(est[k]).toBeLessThan(1e-10 * top);
    // block 0 / target = avg_i |W_i(k)|^2 / n: mean 1, sd <= sqrt(2 / K) per frequency
    let sum = 0;
    let count = 0;
    for (let k = 0; k < n; k++) {
      if (target[k] <= 1e-12 * top) continue;
      const ratio = est[k] / target[k];
      expect(Math.abs(ratio - 1), `frequency ${k}`).toBeLessThan(Z * Math.sqrt(2 / K));
      sum += ratio;
      count++;
    }
    expect(count).toBeGreaterThan(n / 2);
    expect(Math.abs(sum / count - 1)).toBeLessThan(Z * Math.sqrt(2 / K) / Math.sqrt(count / 2));
  });
});

describe('synthesizeAdsn: return value and errors', () => {
  it('returns { image, field } as documented, for number[] data too, without modifying the input', async () => {
    const image = testImage(6, 7);
    const before = image.data.slice();
    const out = await synthesizeAdsn(image, { seed: 3 });
    expect(Object.keys(out).sort()).toEqual(['field', 'image']);
    expect(out.field).toBeInstanceOf(Float64Array);
    expect(Object.keys(out.image).sort()).toEqual(['channels', 'data', 'height', 'width']);
    expect(image.data).toEqual(before);
    const plain = await synthesizeAdsn({ ...image, data: Array.from(image.data) as never }, { seed: 3 });
    expect(plain.field).toEqual(out.field);
  });

  it('typed errors before any work', async () => {
    await expectError(synthesizeAdsn(null as never, { seed: 1 }), 'INVALID_SHAPE', 'image');
    await expectError(synthesizeAdsn({ width: 2, height: 2, channels: 3, data: new Float64Array(11) }, { seed: 1 }), 'INVALID_SHAPE', 'image.data');
    await expectError(synthesizeAdsn({ width: 2, height: 2, channels: 1, data: Float64Array.of(0, NaN, 0, 0) }, { seed: 1 }), 'NON_FINITE', 'image.data');
    await expectError(synthesizeAdsn(testImage(4, 4), { seed: 2 ** 60 }), 'INVALID_OPTION', 'opts.seed');
    await expectError(synthesizeAdsn(testImage(4, 4), { seed: 1, sed: 2 } as never), 'UNKNOWN_OPTION', 'opts.sed');
    await expectError(synthesizeAdsn(testImage(4, 4), undefined as never), 'INVALID_OPTION', 'opts');
    await expectError(synthesizeAdsn({ width: 2 ** 14, height: 2 ** 13, channels: 1, data: [] as never }, { seed: 1 }), 'TOO_LARGE', 'image');
  });
});
