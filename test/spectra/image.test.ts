/**
 * PNG decoding, Moisan's periodic component, and the ADSN spectrum / power spectrum of images:
 * - the periodic component p of u satisfies its defining equations (Delta_per p = Delta_interior u,
 *   mean p = mean u), leaves an image without boundary jumps unchanged, and leaves a harmonic smooth part;
 * - the whole ADSN recipe of ../shared/reference/README.md, re-implemented here in plain float64 with a naive
 *   2-D DFT and Moisan's formula as printed (full boundary image v, cos denominators), agrees to 1e-9;
 * - fabric.png reproduces the published adsn-fabric-spectrum.npy (float32) to 1e-4 relative;
 * - typed errors for unreadable files, wrong shapes and NaN.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { encode } from 'fast-png';
import { setWasmSource } from '../../src/wasm/kernel.js';
import { compiledKernel } from '../../src/wasm/node.js';
import { adsnSpectrum, periodicComponent, powerSpectrum } from '../../src/images/adsn.js';
import { decodePng, type Image } from '../../src/images/png.js';
import { parseNpy } from '../../src/io/npy.js';
import { GaussdiffError } from '../../src/core/errors.js';
import { IN_CI, haveReference, referencePath } from '../helpers/shared.js';
import { rng } from '../helpers/random.js';
import { expectError } from '../helpers/errors.js';

setWasmSource(compiledKernel);

// ---- independent plain-TS float64 reference ------------------------------------------------------------------

/** Naive 2-D DFT (forward, or inverse with 1/(MN)) of a real or complex M x N array, exact angle reduction. */
function dft2(re: Float64Array, im: Float64Array | null, M: number, N: number, sign = -1): [Float64Array, Float64Array] {
  const outR = new Float64Array(M * N);
  const outI = new Float64Array(M * N);
  const L = M * N;
  for (let k = 0; k < M; k++) {
    for (let l = 0; l < N; l++) {
      let sr = 0;
      let si = 0;
      for (let x = 0; x < M; x++) {
        for (let y = 0; y < N; y++) {
          // phase = kx/M + ly/N = ((kx mod M) N + (ly mod N) M) / (MN)
          const a = (2 * Math.PI * ((((k * x) % M) * N + ((l * y) % N) * M) % L)) / L;
          const c = Math.cos(a);
          const s = sign * Math.sin(a);
          const ur = re[x * N + y];
          const ui = im ? im[x * N + y] : 0;
          sr += ur * c - ui * s;
          si += ur * s + ui * c;
        }
      }
      outR[k * N + l] = sign > 0 ? sr / L : sr;
      outI[k * N + l] = sign > 0 ? si / L : si;
    }
  }
  return [outR, outI];
}

/** Moisan's boundary image v of u: v = Delta_per u - Delta_interior u. */
function boundaryImage(u: Float64Array, M: number, N: number): Float64Array {
  const v = new Float64Array(M * N);
  for (let y = 0; y < N; y++) {
    v[y] += u[(M - 1) * N + y] - u[y];
    v[(M - 1) * N + y] += u[y] - u[(M - 1) * N + y];
  }
  for (let x = 0; x < M; x++) {
    v[x * N] += u[x * N + N - 1] - u[x * N];
    v[x * N + N - 1] += u[x * N] - u[x * N + N - 1];
  }
  return v;
}

/** DFT of the periodic component, Moisan's formula as printed: P = U - V / (2cos + 2cos - 4), P(0,0) = U(0,0). */
function periodicDft(u: Float64Array, M: number, N: number): [Float64Array, Float64Array] {
  const [UR, UI] = dft2(u, null, M, N);
  const [VR, VI] = dft2(boundaryImage(u, M, N), null, M, N);
  for (let k = 0; k < M; k++) {
    for (let l = 0; l < N; l++) {
      if (k === 0 && l === 0) continue;
      const d = 2 * Math.cos((2 * Math.PI * k) / M) + 2 * Math.cos((2 * Math.PI * l) / N) - 4;
      UR[k * N + l] -= VR[k * N + l] / d;
      UI[k * N + l] -= VI[k * N + l] / d;
    }
  }
  return [UR, UI];
}

/** numpy's fftshift of an M x N array. */
function fftshift(a: Float64Array, M: number, N: number): Float64Array {
  const out = new Float64Array(M * N);
  const mod = (x: number, m: number) => ((x % m) + m) % m;
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) out[i * N + j] = a[mod(i - Math.floor(M / 2), M) * N + mod(j - Math.floor(N / 2), N)];
  }
  return out;
}

/** The README's recipe, step by step (periodic = false: without step 3's periodic component). */
function adsnReference(img: Image, periodic = true): Float64Array {
  const { channels: C, height: M, width: N, data } = img;
  const n = M * N;
  const power = new Float64Array(n);
  for (let c = 0; c < C; c++) {
    const u = data.slice(c * n, (c + 1) * n);
    let mean = 0;
    for (const x of u) mean += x;
    mean /= n;
    const t = u.map((x) => (x - mean) / Math.sqrt(n));
    const [TR, TI] = periodic ? periodicDft(t, M, N) : dft2(t, null, M, N);
    for (let q = 0; q < n; q++) power[q] += TR[q] ** 2 + TI[q] ** 2;
  }
  const out = new Float64Array(C * n);
  out.set(fftshift(power, M, N));
  return out;
}

function randomImage(seed: number, C: number, M: number, N: number): Image {
  const r = rng(seed);
  // Smooth gradient plus noise: boundary jumps are large, as in real images.
  const data = new Float64Array(C * M * N);
  for (let c = 0; c < C; c++) {
    for (let x = 0; x < M; x++) {
      for (let y = 0; y < N; y++) data[(c * M + x) * N + y] = 0.5 * (x / M) + 0.3 * (y / N) * (c + 1) / C + 0.2 * r();
    }
  }
  return { channels: C, height: M, width: N, data };
}

/** max_i |a_i - b_i| / max_i |b_i|. */
function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0;
  let m = 0;
  for (let i = 0; i < b.length; i++) { e = Math.max(e, Math.abs(a[i] - b[i])); m = Math.max(m, Math.abs(b[i])); }
  return e / m;
}

// ---- periodic component -----------------------------------------------------------------------------------------

/** Periodic 5-point Laplacian, and the interior one (neighbours outside the image left out). */
function laplacians(u: ArrayLike<number>, M: number, N: number): { per: Float64Array; interior: Float64Array } {
  const per = new Float64Array(M * N);
  const interior = new Float64Array(M * N);
  for (let x = 0; x < M; x++) {
    for (let y = 0; y < N; y++) {
      const c = u[x * N + y];
      for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) {
        const xx = x + dx;
        const yy = y + dy;
        per[x * N + y] += u[((xx + M) % M) * N + ((yy + N) % N)] - c;
        if (xx >= 0 && xx < M && yy >= 0 && yy < N) interior[x * N + y] += u[xx * N + yy] - c;
      }
    }
  }
  return { per, interior };
}

function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
}

describe('periodicComponent', () => {
  it.each([[15, 21], [9, 11], [16, 8], [1, 7], [6, 1], [2, 3]])(
    '%i x %i: Delta_per p = Delta_interior u and mean p = mean u (the equations that define p)',
    async (M, N) => {
      const u = randomImage(M * 31 + N, 1, M, N).data;
      const p = await periodicComponent(u, M, N);
      const lp = laplacians(p, M, N).per;
      const lu = laplacians(u, M, N).interior;
      expect(maxRel(lp, lu)).toBeLessThan(1e-12);
      expect(Math.abs(mean(p) - mean(u))).toBeLessThan(1e-14);
      // and against the plain reference: inverse naive DFT of Moisan's formula
      const [PR, PI] = periodicDft(u, M, N);
      const [pr] = dft2(PR, PI, M, N, 1);
      expect(maxRel(p, pr)).toBeLessThan(1e-12);
    },
  );

  it('leaves an image without boundary jumps unchanged (first row = last row, first column = last column)', async () => {
    const M = 13;
    const N = 10;
    const u = randomImage(5, 1, M, N).data;
    for (let y = 0; y < N; y++) u[(M - 1) * N + y] = u[y];
    for (let x = 0; x < M; x++) u[x * N + N - 1] = u[x * N];
    const p = await periodicComponent(u, M, N);
    expect(maxRel(p, u)).toBeLessThan(1e-14);
    // ... while a generic image does change (this check can fail)
    const g = randomImage(6, 1, M, N).data;
    expect(maxRel(await periodicComponent(g, M, N), g)).toBeGreaterThan(1e-3);
  });

  it('has a smooth part s = u - p that is harmonic at interior pixels, of mean zero', async () => {
    const M = 15;
    const N = 21;
    const u = randomImage(7, 1, M, N).data;
    const p = await periodicComponent(u, M, N);
    const s = u.map((x, i) => x - p[i]);
    const { interior } = laplacians(s, M, N);
    let worst = 0;
    let scale = 0;
    for (let x = 1; x < M - 1; x++) {
      for (let y = 1; y < N - 1; y++) worst = Math.max(worst, Math.abs(interior[x * N + y]));
    }
    for (const v of s) scale = Math.max(scale, Math.abs(v));
    expect(scale).toBeGreaterThan(1e-2);
    expect(worst / scale).toBeLessThan(1e-12);
    expect(Math.abs(mean(s))).toBeLessThan(1e-15);
  });

  it('commutes with adding a constant and does not mutate its input', async () => {
    const u = randomImage(8, 1, 9, 11).data;
    const u0 = u.slice();
    const p = await periodicComponent(u, 9, 11);
    const q = await periodicComponent(u.map((x) => x + 3), 9, 11);
    expect(maxRel(q.map((x) => x - 3), p)).toBeLessThan(1e-14);
    expect(u).toEqual(u0);
  });
});

// ---- ADSN spectrum against the independent reference -----------------------------------------------------------

describe('adsnSpectrum against a plain float64 implementation of the recipe', () => {
  it.each([[3, 15, 21], [1, 9, 11], [3, 8, 12], [2, 1, 7], [3, 4, 4]])(
    '%i channels, %i x %i: equal to 1e-9 relative, in fftshift order, with (C - 1) H W zeros',
    async (C, M, N) => {
      const img = randomImage(C * 1000 + M * 31 + N, C, M, N);
      const got = await adsnSpectrum(img);
      const want = adsnReference(img);
      expect(got.length).toBe(C * M * N);
      const max = Math.max(...want);
      for (let i = 0; i < want.length; i++) {
        // the DC value is |sum t|^2, exactly 0 in theory, a rounding residue (~1e-32) in both
        expect(Math.abs(got[i] - want[i]), `entry ${i}`).toBeLessThanOrEqual(1e-9 * want[i] + 1e-20 * max);
      }
      for (let i = M * N; i < C * M * N; i++) expect(got[i]).toBe(0);
      // The periodic step matters here (this comparison can fail): without it the values differ.
      expect(maxRel(adsnReference(img, false), want)).toBeGreaterThan(1e-3);
    },
  );

  it('powerSpectrum(image, { periodic: true }) is adsnSpectrum; without periodic it is the plain periodogram', async () => {
    const img = randomImage(42, 3, 15, 21);
    expect(await powerSpectrum(img, { periodic: true })).toEqual(await adsnSpectrum(img));
    const plain = await powerSpectrum(img);
    const want = adsnReference(img, false);
    expect(maxRel(plain, want)).toBeLessThan(1e-12);
    for (let i = 15 * 21; i < plain.length; i++) expect(plain[i]).toBe(0);
  });

  it('powerSpectrum of several one-channel images is the average periodogram (pooled mean)', async () => {
    const imgs = [1, 2, 3].map((s) => randomImage(s, 1, 9, 11));
    const got = await powerSpectrum(imgs);
    const n = 99;
    let m = 0;
    for (const im of imgs) for (const x of im.data) m += x;
    m /= 3 * n;
    const want = new Float64Array(n);
    for (const im of imgs) {
      const [TR, TI] = dft2(im.data.map((x) => (x - m) / Math.sqrt(n)), null, 9, 11);
      for (let q = 0; q < n; q++) want[q] += (TR[q] ** 2 + TI[q] ** 2) / 3;
    }
    expect(maxRel(got, fftshift(want, 9, 11))).toBeLessThan(1e-12);
  });

  it('powerSpectrum of two RGB images: eigenvalues of the averaged 3 x 3 cross-periodogram', async () => {
    const M = 7;
    const N = 9;
    const n = M * N;
    const imgs = [randomImage(11, 3, M, N), randomImage(12, 3, M, N)];
    const got = await powerSpectrum(imgs);
    expect(got.length).toBe(3 * n);
    const means = [0, 1, 2].map((c) => (mean(imgs[0].data.subarray(c * n, (c + 1) * n)) + mean(imgs[1].data.subarray(c * n, (c + 1) * n))) / 2);
    const T = imgs.map((im) => [0, 1, 2].map((c) => dft2(im.data.subarray(c * n, (c + 1) * n).map((x) => (x - means[c]) / Math.sqrt(n)), null, M, N)));
    const trace = new Float64Array(n);
    const frob = new Float64Array(n);
    for (let q = 0; q < n; q++) {
      for (let c = 0; c < 3; c++) {
        for (let d = 0; d < 3; d++) {
          let sr = 0;
          let si = 0;
          for (const t of T) { // S_cd = (1/2) sum_i T_ic conj(T_id)
            sr += (t[c][0][q] * t[d][0][q] + t[c][1][q] * t[d][1][q]) / 2;
            si += (t[c][1][q] * t[d][0][q] - t[c][0][q] * t[d][1][q]) / 2;
          }
          if (c === d) trace[q] += sr;
          frob[q] += sr * sr + si * si;
        }
      }
    }
    const tr = fftshift(trace, M, N);
    const fr = fftshift(frob, M, N);
    const scale = Math.max(...tr);
    for (let q = 0; q < n; q++) {
      const [a, b, c] = [got[q], got[n + q], got[2 * n + q]];
      expect(a).toBeGreaterThanOrEqual(b);
      expect(b).toBeGreaterThanOrEqual(c);
      expect(c).toBeLessThan(1e-12 * scale); // rank <= 2 (two images)
      // trace and Frobenius norm fix the two nonzero eigenvalues
      expect(Math.abs(a + b + c - tr[q])).toBeLessThan(1e-12 * scale);
      expect(Math.abs(a * a + b * b + c * c - fr[q])).toBeLessThan(1e-11 * scale * scale);
    }
  });
});

// ---- PNG decoding ----------------------------------------------------------------------------------------------

describe('decodePng', () => {
  const W = 5;
  const H = 3;
  const r = rng(99);
  const rgb = Uint8Array.from({ length: W * H * 3 }, () => Math.floor(256 * r()));

  it('decodes 8-bit RGB to channel-major floats / 255', () => {
    const img = decodePng(encode({ width: W, height: H, data: rgb, channels: 3, depth: 8 }), 'rgb.png');
    expect([img.channels, img.height, img.width]).toEqual([3, H, W]);
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < W * H; p++) expect(img.data[c * W * H + p]).toBe(rgb[p * 3 + c] / 255);
    }
  });

  it('drops the alpha channel of RGBA and gray + alpha', () => {
    const rgba = new Uint8Array(W * H * 4);
    for (let p = 0; p < W * H; p++) { rgba.set(rgb.subarray(3 * p, 3 * p + 3), 4 * p); rgba[4 * p + 3] = Math.floor(256 * r()); }
    const a = decodePng(encode({ width: W, height: H, data: rgba, channels: 4, depth: 8 }), 'rgba.png');
    const b = decodePng(encode({ width: W, height: H, data: rgb, channels: 3, depth: 8 }), 'rgb.png');
    expect(a).toEqual(b);
    const ga = Uint8Array.from({ length: W * H * 2 }, (_, i) => (i % 2 ? 7 : rgb[i]));
    const g = decodePng(encode({ width: W, height: H, data: ga, channels: 2, depth: 8 }), 'ga.png');
    expect(g.channels).toBe(1);
    for (let p = 0; p < W * H; p++) expect(g.data[p]).toBe(rgb[2 * p] / 255);
  });

  it('decodes 16-bit samples / 65535, 1-bit grayscale, and expands palettes', () => {
    const d16 = Uint16Array.from({ length: W * H }, () => Math.floor(65536 * r()));
    const g16 = decodePng(encode({ width: W, height: H, data: d16, channels: 1, depth: 16 }), 'g16.png');
    expect(g16.channels).toBe(1);
    for (let p = 0; p < W * H; p++) expect(g16.data[p]).toBe(d16[p] / 65535);
    // 1-bit: rows of 5 pixels packed in one byte each, MSB first
    const bits = [0b10110000, 0b01001000, 0b11111000];
    const g1 = decodePng(encode({ width: W, height: H, data: Uint8Array.from(bits), channels: 1, depth: 1 }), 'g1.png');
    expect(Array.from(g1.data)).toEqual([1, 0, 1, 1, 0, 0, 1, 0, 0, 1, 1, 1, 1, 1, 1]);
    const palette = [[255, 0, 0], [0, 128, 255], [10, 20, 30]];
    const idx = Uint8Array.from({ length: W * H }, (_, i) => i % 3);
    const pal = decodePng(encode({ width: W, height: H, data: idx, channels: 1, depth: 8, palette }), 'pal.png');
    expect(pal.channels).toBe(3);
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < W * H; p++) expect(pal.data[c * W * H + p]).toBe(palette[idx[p]][c] / 255);
    }
  });

  it('reports IMAGE_READ naming the file and why', () => {
    const bad = (bytes: Uint8Array, why: RegExp) => {
      let err: unknown;
      try { decodePng(bytes, 'photo.png'); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(GaussdiffError);
      expect((err as GaussdiffError).code).toBe('IMAGE_READ');
      expect((err as GaussdiffError).argument).toBe('photo.png');
      expect((err as GaussdiffError).message).toMatch(why);
    };
    bad(new TextEncoder().encode('definitely not a png'), /photo\.png.*not a PNG/);
    const good = encode({ width: W, height: H, data: rgb, channels: 3, depth: 8 });
    bad(good.slice(0, 40), /photo\.png.*cannot be decoded/);
    bad(new Uint8Array(0), /not a PNG/);
  });
});

// ---- spectra of images: grayscale, alpha, errors -------------------------------------------------------------

describe('adsnSpectrum of decoded images', () => {
  it('a grayscale image has no zero eigenvalues (only the DC value, |sum t|^2, is ~0)', async () => {
    const M = 12;
    const N = 17;
    const r = rng(3);
    const gray = Uint8Array.from({ length: M * N }, (_, i) => Math.floor(100 + 100 * Math.sin(i / 7) + 50 * r()));
    const img = decodePng(encode({ width: N, height: M, data: gray, channels: 1, depth: 8 }), 'gray.png');
    const s = await adsnSpectrum(img);
    expect(s.length).toBe(M * N);
    const dc = Math.floor(M / 2) * N + Math.floor(N / 2);
    const max = Math.max(...s);
    expect(s[dc]).toBeLessThan(1e-25 * max);
    for (let i = 0; i < s.length; i++) if (i !== dc) expect(s[i], `entry ${i}`).toBeGreaterThan(1e-12 * max);
  });

  it("ignores an RGBA image's alpha", async () => {
    const M = 9;
    const N = 14;
    const r = rng(4);
    const rgba = Uint8Array.from({ length: M * N * 4 }, () => Math.floor(256 * r()));
    const rgb = new Uint8Array(M * N * 3);
    for (let p = 0; p < M * N; p++) rgb.set(rgba.subarray(4 * p, 4 * p + 3), 3 * p);
    const a = await adsnSpectrum(decodePng(encode({ width: N, height: M, data: rgba, channels: 4, depth: 8 }), 'a.png'));
    const b = await adsnSpectrum(decodePng(encode({ width: N, height: M, data: rgb, channels: 3, depth: 8 }), 'b.png'));
    expect(a.length).toBe(3 * M * N);
    expect(a).toEqual(b);
    // the alpha would change the spectrum if it were used as a fourth channel
    const four = await adsnSpectrum({ width: N, height: M, channels: 4, data: decodeAll(rgba, M, N) });
    expect(four.length).toBe(4 * M * N);
    expect(maxRel(four.subarray(0, M * N), a.subarray(0, M * N))).toBeGreaterThan(1e-3);
  });

  it('rejects wrong shapes, NaN and oversized images with typed errors', async () => {
    const img = randomImage(1, 3, 4, 5);
    await expectError(() => adsnSpectrum({ ...img, data: img.data.subarray(1) }), 'INVALID_SHAPE', 'image.data');
    await expectError(() => adsnSpectrum({ ...img, width: 0 }), 'INVALID_SHAPE', 'image.width');
    await expectError(() => adsnSpectrum({ ...img, channels: 1.5 }), 'INVALID_SHAPE', 'image.channels');
    await expectError(() => adsnSpectrum(null as never), 'INVALID_SHAPE', 'image');
    const nan = img.data.slice();
    nan[17] = NaN;
    await expectError(() => adsnSpectrum({ ...img, data: nan }), 'NON_FINITE', 'image.data');
    await expectError(() => adsnSpectrum({ ...img, height: 2 ** 14, width: 2 ** 13 }), 'TOO_LARGE', 'image');
    await expectError(() => periodicComponent([1, 2, 3], 2, 2), 'INVALID_SHAPE', 'u');
    await expectError(() => periodicComponent([1, 2, 3, 4], 2, -2), 'INVALID_SHAPE', 'u.width');
    await expectError(() => periodicComponent([1, 2, NaN, 4], 2, 2), 'NON_FINITE', 'u');
    await expectError(() => powerSpectrum([]), 'INVALID_SHAPE', 'images');
    await expectError(() => powerSpectrum([img, randomImage(2, 3, 5, 4)]), 'INVALID_SHAPE', 'images[1]');
    await expectError(() => powerSpectrum([img, { ...img, data: nan }]), 'NON_FINITE', 'images[1].data');
    await expectError(() => powerSpectrum(img, { periodic: 1 as never }), 'INVALID_OPTION', 'opts.periodic');
  });
});

function decodeAll(interleaved: Uint8Array, M: number, N: number): Float64Array {
  const C = interleaved.length / (M * N);
  const out = new Float64Array(interleaved.length);
  for (let c = 0; c < C; c++) for (let p = 0; p < M * N; p++) out[c * M * N + p] = interleaved[p * C + c] / 255;
  return out;
}


// ---- fabric.png against the published spectrum -----------------------------------------------------------------

const HAVE = haveReference('fabric.png') && haveReference('adsn-fabric-spectrum.npy');

describe('ADSN spectrum of fabric.png', () => {
  it('has its reference data in CI', () => {
    if (IN_CI) expect(HAVE, '../shared/reference must exist when CI=true').toBe(true);
  });

  describe.skipIf(!HAVE)('with ../shared/reference', () => {
    // Tolerance: the published values were computed in float32. Its own Hermitian twins (frequencies (k, l) and
    // (-k, -l), equal in exact arithmetic for a real image) differ by up to 1.05e-4 relative, so 1e-4 relative
    // is the float32 noise level; our worst is 6.4e-5 (median 2e-7). The DC value is |sum t|^2 with t
    // mean-subtracted: 0 in exact arithmetic, 7.3e-11 in float32 (about 3e-12 of the largest value), ~1e-29
    // here, hence the absolute 1e-9 (4e-11 of the largest value).
    const RTOL = 1e-4;
    const ATOL = 1e-9;

    const load = () => ({
      img: decodePng(readFileSync(referencePath('fabric.png')), 'fabric.png'),
      ref: parseNpy(readFileSync(referencePath('adsn-fabric-spectrum.npy')), 'adsn-fabric-spectrum.npy'),
    });

    it('matches adsn-fabric-spectrum.npy as a multiset to 1e-4 relative', async () => {
      const { img, ref } = load();
      expect([img.channels, img.height, img.width]).toEqual([3, 256, 256]);
      const got = await adsnSpectrum(img);
      expect(got.length).toBe(ref.length);
      const a = Float64Array.from(got).sort();
      const b = Float64Array.from(ref).sort();
      let worst = 0;
      let bad = -1;
      for (let i = 0; i < b.length; i++) {
        const err = Math.abs(a[i] - b[i]);
        if (b[i] > ATOL) worst = Math.max(worst, err / b[i]);
        if (bad < 0 && !(err <= RTOL * b[i] + ATOL)) bad = i;
      }
      expect(bad, bad < 0 ? '' : `sorted entry ${bad}: ${a[bad]} vs ${b[bad]}`).toBe(-1);
      console.info(`[gaussdiff tests] fabric.png ADSN spectrum vs published: worst relative difference ${worst.toExponential(2)}`);
      expect(a.filter((x) => x === 0).length).toBe(131072);
    });

    it('matches it entry by entry too (same fftshift order)', async () => {
      const { img, ref } = load();
      const got = await adsnSpectrum(img);
      for (let i = 0; i < ref.length; i++) {
        if (Math.abs(got[i] - ref[i]) > RTOL * ref[i] + ATOL) expect.fail(`entry ${i}: ${got[i]} vs ${ref[i]}`);
      }
    });
  });
});
