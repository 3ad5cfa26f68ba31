/**
 * Gaussian sampling (src/random/sampling.ts): empirical covariances against their targets (within 5 standard errors
 * entrywise), periodograms against power spectra, the exact recipes against the white noise of src/random/random.ts,
 * determinism and errors. (ADSN synthesis and PNG output: test/images/.)
 */
import { describe, expect, it } from 'vitest';
import '../../src/node.js'; // sets the Wasm source
import { cholesky, fft2 } from '../../src/node.js';
import { sampleCovariance, sampleSpectrum, sampleStationary } from '../../src/random/sampling.js';
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
    await expectError(sampleCovariance([1, 2, 2, 1], 2, 3, { seed: 1 }), 'NOT_POSITIVE_DEFINITE', 'c', /positive semidefinite/);
    await expectError(sampleCovariance([1, 1, 1, 1], 2, 3, { seed: 1, method: 'cholesky' }), 'NOT_POSITIVE_DEFINITE', 'c');
    await expectError(sampleCovariance([1, 0.5, 0.2, 1], 2, 3, { seed: 1 }), 'NOT_SYMMETRIC', 'c');
    await expectError(sampleCovariance([1, NaN, NaN, 1], 2, 3, { seed: 1 }), 'NON_FINITE', 'c');
    await expectError(sampleCovariance(new Float64Array(4096 * 4096), 4096, 100000, { seed: 1 }), 'TOO_LARGE', 'count');
    // a semi-definite covariance is fine for eigh (rounding negatives clipped)
    const x = await sampleCovariance([1, 1, 1, 1], 2, 4, { seed: 1 });
    for (let r = 0; r < 4; r++) expect(x[2 * r]).toBeCloseTo(x[2 * r + 1], 12);
  });

  it('sampleStationary', async () => {
    await expectError(sampleStationary([1, 1, 1], 2, 2, { seed: 1 }), 'INVALID_SHAPE', 'power');
    await expectError(sampleStationary([1, 1, 1, 1], 0, 4, { seed: 1 }), 'INVALID_SHAPE', 'height');
    await expectError(sampleStationary([1, 1, 1, 1], 2, 2.5, { seed: 1 }), 'INVALID_SHAPE', 'width');
    await expectError(sampleStationary([1, -1, 1, 1], 2, 2, { seed: 1 }), 'NEGATIVE_EIGENVALUE', 'power');
    await expectError(sampleStationary([1, 1, 1, 1], 2, 2, { seed: 'a' as never }), 'INVALID_OPTION', 'opts.seed');
    await expectError(sampleStationary([], 100000, 100000, { seed: 1 }), 'TOO_LARGE', 'height * width');
  });
});
