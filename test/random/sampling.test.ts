/**
 * Gaussian sampling (src/random/sampling.ts): empirical covariances against their targets (within 5 standard errors
 * entrywise), periodograms against power spectra, the exact recipes against the white noise of src/random/random.ts,
 * ADSN synthesis (channel means, rank-one colour structure, spectrum), determinism, PNG output and errors.
 */
import { describe, expect, it } from 'vitest';
import '../../src/node.js'; // sets the Wasm source
import { adsnSpectrum, cholesky, decodePng, fft2, periodicComponent, powerSpectrum, type Image } from '../../src/node.js';
import { encodePng, sampleCovariance, sampleSpectrum, sampleStationary, synthesizeAdsn } from '../../src/random/sampling.js';
import { normals } from '../../src/random/random.js';
import { expectError } from '../helpers/errors.js';
import { rng } from '../helpers/random.js';

const Z = 5; // standard errors allowed per entry

/** Empirical covariance (1/n) sum (x - mu)(x - mu)^T with the mean mu known. */
function empiricalCovariance(x: Float64Array, n: number, d: number, mu?: ArrayLike<number>): Float64Array {
  const c = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < d; i++) row[i] = x[r * d + i] - (mu ? mu[i] : 0);
    for (let i = 0; i < d; i++) {
      const xi = row[i];
      for (let j = 0; j <= i; j++) c[i * d + j] += xi * row[j];
    }
  }
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      c[i * d + j] /= n;
      c[j * d + i] = c[i * d + j];
    }
  }
  return c;
}

/** Every |Chat_ij - C_ij| <= Z sqrt((C_ii C_jj + C_ij^2) / n); returns the largest ratio (for messages). */
function expectCovarianceMatch(chat: Float64Array, c: ArrayLike<number>, d: number, n: number): number {
  let worst = 0;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      const se = Math.sqrt((c[i * d + i] * c[j * d + j] + c[i * d + j] ** 2) / n);
      const err = Math.abs(chat[i * d + j] - c[i * d + j]);
      if (se === 0) expect(err, `entry (${i}, ${j}) of a zero-variance coordinate`).toBeLessThan(1e-12);
      else worst = Math.max(worst, err / se);
    }
  }
  expect(worst, `largest |Chat - C| / standard error`).toBeLessThan(Z);
  return worst;
}

/** A random SPD matrix A A^T / d + eps I (d x d), well spread eigenvalues. */
function randomCovariance(seed: number, d: number, rank = d, eps = 0.05): Float64Array {
  const r = rng(seed);
  const a = new Float64Array(d * rank).map(() => 2 * r() - 1);
  const c = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let k = 0; k < rank; k++) s += a[i * rank + k] * a[j * rank + k];
      c[i * d + j] = (s * 3) / rank + (i === j ? eps : 0);
    }
  }
  return c;
}

describe('sampleSpectrum', () => {
  it('draws N(0, diag(spectrum)): empirical covariance within 5 standard errors, zero variances exactly 0', async () => {
    const spectrum = [4, 1, 0.25, 0, 2.5, 0.01, 1, 7];
    const d = spectrum.length;
    const n = 20000;
    const x = await sampleSpectrum(spectrum, n, { seed: 11 });
    expect(x).toBeInstanceOf(Float64Array);
    expect(x.length).toBe(n * d);
    const c = new Float64Array(d * d);
    spectrum.forEach((v, i) => { c[i * d + i] = v; });
    expectCovarianceMatch(empiricalCovariance(x, n, d), c, d, n);
  });

  it('is deterministic, seed-dependent, and a prefix of a longer run (across generation blocks)', async () => {
    const s = Float64Array.from({ length: 1000 }, (_, i) => 1 + i / 1000);
    const long = await sampleSpectrum(s, 4300, { seed: 5 }); // 4.3e6 values: two blocks of 2^22
    const again = await sampleSpectrum(s, 4300, { seed: 5 });
    expect(again.length).toBe(long.length);
    let same = true;
    for (let k = 0; k < long.length; k++) if (again[k] !== long[k]) { same = false; break; }
    expect(same).toBe(true);
    const other = await sampleSpectrum(s, 3, { seed: 6 });
    expect(Array.from(other.subarray(0, 10))).not.toEqual(Array.from(long.subarray(0, 10)));
    const short = await sampleSpectrum(s, 3, { seed: 5 });
    expect(short).toEqual(long.subarray(0, 3000));
    // rows straddling the block boundary (4194 rows of 1000 per block) follow the stream: z offset r * d
    for (const r of [4193, 4194, 4299]) {
      const z = await normals(1000, { seed: 5, offset: r * 1000 });
      for (let i = 0; i < 1000; i += 97) expect(long[r * 1000 + i]).toBeCloseTo(Math.sqrt(s[i]) * z[i], 14);
    }
    expect(await sampleSpectrum(s, 0, { seed: 1 })).toEqual(new Float64Array(0));
  });
});

describe('sampleCovariance', () => {
  const n = 20000;

  it('eigh (default): N(mean, C), empirical covariance within 5 standard errors', async () => {
    const d = 12;
    const c = randomCovariance(1, d);
    const mean = Float64Array.from({ length: d }, (_, i) => i - 5);
    const x = await sampleCovariance(c, d, n, { seed: 3, mean });
    expect(x.length).toBe(n * d);
    expectCovarianceMatch(empiricalCovariance(x, n, d, mean), c, d, n);
    // sample mean within 5 standard errors
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let r = 0; r < n; r++) s += x[r * d + i];
      expect(Math.abs(s / n - mean[i])).toBeLessThan(Z * Math.sqrt(c[i * d + i] / n));
    }
  });

  it('eigh on a singular (rank 4 of 9) covariance: the samples stay in its range', async () => {
    const d = 9;
    const c = randomCovariance(2, d, 4, 0);
    const x = await sampleCovariance(c, d, n, { seed: 4 });
    expectCovarianceMatch(empiricalCovariance(x, n, d), c, d, n);
    // a null vector v of C (C v = 0): v . x = 0 for every draw, up to rounding
    const { eigh } = await import('../../src/node.js');
    const { values, vectors } = await eigh(c, d);
    const scale = Math.sqrt(values[d - 1]);
    for (let j = 0; j < d - 4; j++) {
      let worst = 0;
      for (let r = 0; r < 500; r++) {
        let dot = 0;
        for (let i = 0; i < d; i++) dot += (vectors as Float64Array)[i * d + j] * x[r * d + i];
        worst = Math.max(worst, Math.abs(dot));
      }
      expect(worst).toBeLessThan(1e-12 * scale * d);
    }
  });

  it('cholesky: N(mean, C), empirical covariance within 5 standard errors', async () => {
    const d = 16;
    const c = randomCovariance(7, d);
    const mean = new Float64Array(d).fill(0.5);
    const x = await sampleCovariance(c, d, n, { seed: 8, method: 'cholesky', mean });
    expectCovarianceMatch(empiricalCovariance(x, n, d, mean), c, d, n);
  });

  it('cholesky is exactly x = L z with z the stream of the seed, across GEMM blocks; eigh differs but both are deterministic', async () => {
    const d = 512;
    const c = randomCovariance(9, d, d, 0.5);
    const count = 8200; // blocks of 8192 rows of 512
    const x = await sampleCovariance(c, d, count, { seed: 21, method: 'cholesky' });
    const l = await cholesky(c, d);
    for (const r of [0, 8191, 8192, 8199]) {
      const z = await normals(d, { seed: 21, offset: r * d });
      for (let i = 0; i < d; i += 37) {
        let s = 0;
        for (let k = 0; k <= i; k++) s += l[i * d + k] * z[k];
        expect(Math.abs(x[r * d + i] - s)).toBeLessThan(1e-12 * (1 + Math.abs(s)));
      }
    }
    const small = { c: randomCovariance(10, 6), d: 6 };
    const e1 = await sampleCovariance(small.c, small.d, 50, { seed: 1 });
    expect(await sampleCovariance(small.c, small.d, 50, { seed: 1, method: 'eigh' })).toEqual(e1);
    expect(await sampleCovariance(small.c, small.d, 50, { seed: 2 })).not.toEqual(e1);
    expect(await sampleCovariance(small.c, small.d, 50, { seed: 1, method: 'cholesky' })).not.toEqual(e1);
    expect(await sampleCovariance(small.c, small.d, 0, { seed: 1 })).toEqual(new Float64Array(0));
  });
});

/** A symmetric (P(k) = P(-k)) power spectrum on the h x w torus, DFT order. */
function symmetricPower(h: number, w: number): Float64Array {
  const p = new Float64Array(h * w);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const fi = Math.min(i, h - i) / h;
      const fj = Math.min(j, w - j) / w;
      p[i * w + j] = 3 / (0.02 + fi * fi + 2 * fj * fj) + 0.5;
    }
  }
  p[0] = 0; // no mean component
  return p;
}

describe('sampleStationary', () => {
  it('is real and exactly Re IFFT2(sqrt(P) FFT2(W)), W the stream of the seed; asymmetric P gives ((sqrt P(k) + sqrt P(-k)) / 2)^2', async () => {
    const h = 12;
    const w = 10;
    const n = h * w;
    const r = rng(3);
    const p = Float64Array.from({ length: n }, () => 4 * r()); // not symmetric
    const x = await sampleStationary(p, h, w, { seed: 17 });
    expect(x.length).toBe(n);
    const white = await normals(n, { seed: 17 });
    const W = await fft2(white, null, h, w);
    const X = await fft2(x, null, h, w);
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        const k = i * w + j;
        const mk = ((h - i) % h) * w + ((w - j) % w);
        const g = (Math.sqrt(p[k]) + Math.sqrt(p[mk])) / 2;
        expect(Math.abs(X.re[k] - g * W.re[k])).toBeLessThan(1e-12 * n);
        expect(Math.abs(X.im[k] - g * W.im[k])).toBeLessThan(1e-12 * n);
      }
    }
    // symmetric P: the complex field itself is real (imaginary part at rounding level)
    const ps = symmetricPower(h, w);
    const xs = await sampleStationary(ps, h, w, { seed: 17 });
    const y = await fft2(W.re.map((v, k) => v * Math.sqrt(ps[k])), W.im.map((v, k) => v * Math.sqrt(ps[k])), h, w, { inverse: true });
    let maxIm = 0;
    let maxRe = 0;
    for (let k = 0; k < n; k++) {
      maxIm = Math.max(maxIm, Math.abs(y.im[k]));
      maxRe = Math.max(maxRe, Math.abs(y.re[k]));
      expect(Math.abs(xs[k] - y.re[k])).toBeLessThan(1e-13 * (1 + maxRe));
    }
    expect(maxIm).toBeLessThan(1e-13 * maxRe);
  });

  it('the periodogram averaged over 400 seeds matches P: per frequency within 5 sd (sd = sqrt(2 / K)), overall within 2%', async () => {
    const h = 16;
    const w = 12; // Bluestein along the rows
    const n = h * w;
    const p = symmetricPower(h, w);
    const K = 400;
    const avg = new Float64Array(n);
    for (let s = 0; s < K; s++) {
      const x = await sampleStationary(p, h, w, { seed: 1000 + s });
      const X = await fft2(x, null, h, w);
      for (let k = 0; k < n; k++) avg[k] += (X.re[k] ** 2 + X.im[k] ** 2) / n / K;
    }
    expect(avg[0]).toBeLessThan(1e-20);
    let sum = 0;
    let count = 0;
    for (let k = 1; k < n; k++) {
      const ratio = avg[k] / p[k];
      expect(Math.abs(ratio - 1), `frequency ${k}`).toBeLessThan(Z * Math.sqrt(2 / K));
      sum += ratio;
      count++;
    }
    // (n - 1) ratios, pairs k, -k equal: about n / 2 independent, each sd <= sqrt(2 / K)
    expect(Math.abs(sum / count - 1)).toBeLessThan(Z * Math.sqrt(2 / K) / Math.sqrt(n / 2));
  });
});

/** A small RGB test image with structure, correlated channels and non-periodic borders (values in [0, 1]). */
function testImage(h: number, w: number): Image {
  const r = rng(42);
  const data = new Float64Array(3 * h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const base = 0.5 + 0.25 * Math.sin((2 * Math.PI * 2.3 * x) / w + y / 3) + 0.1 * (r() - 0.5) + (0.2 * y) / h;
      data[y * w + x] = base;
      data[h * w + y * w + x] = 0.8 * base + 0.1 * r();
      data[2 * h * w + y * w + x] = 0.3 + 0.2 * Math.cos((2 * Math.PI * x) / 7) * (y / h) + 0.05 * r();
    }
  }
  return { width: w, height: h, channels: 3, data };
}

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

describe('encodePng', () => {
  it('round-trips through decodePng within 0.5 / 255 (RGB and gray), clipping out-of-range values', async () => {
    const image = testImage(7, 9);
    image.data[0] = -0.3;
    image.data[5] = 1.7;
    const back = decodePng(encodePng(image));
    expect([back.width, back.height, back.channels]).toEqual([9, 7, 3]);
    for (let k = 0; k < image.data.length; k++) {
      expect(Math.abs(back.data[k] - Math.min(1, Math.max(0, image.data[k])))).toBeLessThanOrEqual(0.5 / 255 + 1e-12);
    }
    const gray = { width: 5, height: 4, channels: 1, data: Float64Array.from({ length: 20 }, (_, i) => i / 19) };
    const g = decodePng(encodePng(gray));
    expect(g.channels).toBe(1);
    for (let k = 0; k < 20; k++) expect(Math.abs(g.data[k] - gray.data[k])).toBeLessThanOrEqual(0.5 / 255 + 1e-12);
    const { image: synth } = await synthesizeAdsn(testImage(8, 8), { seed: 1 });
    expect(decodePng(encodePng(synth)).channels).toBe(3);
  });
});

describe('errors (typed, before any work)', () => {
  it('sampleSpectrum', async () => {
    await expectError(sampleSpectrum([1, 2], -1, { seed: 1 }), 'INVALID_OPTION', 'count');
    await expectError(sampleSpectrum([1, 2], 2.5, { seed: 1 }), 'INVALID_OPTION', 'count');
    await expectError(sampleSpectrum([1, 2], 2, { seed: 0.5 }), 'INVALID_OPTION', 'opts.seed');
    await expectError(sampleSpectrum([1, 2], 2, { seed: -1 }), 'INVALID_OPTION', 'opts.seed');
    await expectError(sampleSpectrum([1, 2], 2, undefined as never), 'INVALID_OPTION', 'opts');
    await expectError(sampleSpectrum([1, -2], 2, { seed: 1 }), 'NEGATIVE_EIGENVALUE', 'spectrum');
    await expectError(sampleSpectrum([1, NaN], 2, { seed: 1 }), 'NON_FINITE', 'spectrum');
    await expectError(sampleSpectrum([], 2, { seed: 1 }), 'INVALID_SHAPE', 'spectrum');
    await expectError(sampleSpectrum(null as never, 2, { seed: 1 }), 'INVALID_SHAPE', 'spectrum');
    const t = performance.now();
    await expectError(sampleSpectrum(new Float64Array(100000), 100000, { seed: 1 }), 'TOO_LARGE', 'count');
    expect(performance.now() - t).toBeLessThan(200);
  });

  it('sampleCovariance', async () => {
    const c = [2, 0.5, 0.5, 1];
    await expectError(sampleCovariance(c, 0, 1, { seed: 1 }), 'INVALID_SHAPE', 'd');
    await expectError(sampleCovariance(c, 3, 1, { seed: 1 }), 'INVALID_SHAPE', 'c');
    await expectError(sampleCovariance(c, 2, -3, { seed: 1 }), 'INVALID_OPTION', 'count');
    await expectError(sampleCovariance(c, 2, 3, { seed: NaN }), 'INVALID_OPTION', 'opts.seed');
    await expectError(sampleCovariance(c, 2, 3, { seed: 1, method: 'qr' as never }), 'INVALID_OPTION', 'opts.method');
    await expectError(sampleCovariance(c, 2, 3, { seed: 1, mean: [1] }), 'INVALID_SHAPE', 'opts.mean');
    await expectError(sampleCovariance(c, 2, 3, { seed: 1, mean: [1, Infinity] }), 'NON_FINITE', 'opts.mean');
    await expectError(sampleCovariance([1, 2, 2, 1], 2, 3, { seed: 1 }), 'NEGATIVE_EIGENVALUE', 'c', /positive semi-definite/);
    await expectError(sampleCovariance([1, 1, 1, 1], 2, 3, { seed: 1, method: 'cholesky' }), 'NOT_POSITIVE_DEFINITE', 'c');
    await expectError(sampleCovariance([1, 0.5, 0.2, 1], 2, 3, { seed: 1 }), 'NOT_SYMMETRIC', 'c');
    await expectError(sampleCovariance([1, NaN, NaN, 1], 2, 3, { seed: 1 }), 'NON_FINITE', 'c');
    await expectError(sampleCovariance(new Float64Array(4096 * 4096), 4096, 100000, { seed: 1 }), 'TOO_LARGE', 'count');
    // a semi-definite covariance is fine for eigh (rounding negatives clipped)
    const x = await sampleCovariance([1, 1, 1, 1], 2, 4, { seed: 1 });
    for (let r = 0; r < 4; r++) expect(x[2 * r]).toBeCloseTo(x[2 * r + 1], 12);
  });

  it('sampleStationary, synthesizeAdsn, encodePng', async () => {
    await expectError(sampleStationary([1, 1, 1], 2, 2, { seed: 1 }), 'INVALID_SHAPE', 'power');
    await expectError(sampleStationary([1, 1, 1, 1], 0, 4, { seed: 1 }), 'INVALID_SHAPE', 'height');
    await expectError(sampleStationary([1, 1, 1, 1], 2, 2.5, { seed: 1 }), 'INVALID_SHAPE', 'width');
    await expectError(sampleStationary([1, -1, 1, 1], 2, 2, { seed: 1 }), 'NEGATIVE_EIGENVALUE', 'power');
    await expectError(sampleStationary([1, 1, 1, 1], 2, 2, { seed: 'a' as never }), 'INVALID_OPTION', 'opts.seed');
    await expectError(sampleStationary([], 100000, 100000, { seed: 1 }), 'TOO_LARGE', 'height * width');
    await expectError(synthesizeAdsn(null as never, { seed: 1 }), 'INVALID_SHAPE', 'image');
    await expectError(synthesizeAdsn({ width: 2, height: 2, channels: 3, data: new Float64Array(11) }, { seed: 1 }), 'INVALID_SHAPE', 'image.data');
    await expectError(synthesizeAdsn({ width: 2, height: 2, channels: 1, data: Float64Array.of(0, NaN, 0, 0) }, { seed: 1 }), 'NON_FINITE', 'image.data');
    await expectError(synthesizeAdsn(testImage(4, 4), { seed: 2 ** 60 }), 'INVALID_OPTION', 'opts.seed');
    expect(() => encodePng({ width: 1, height: 1, channels: 5, data: new Float64Array(5) })).toThrow(/image.channels/);
    await expectError(() => encodePng({ width: 1, height: 1, channels: 1, data: Float64Array.of(NaN) }), 'NON_FINITE', 'image.data');
  });
});
