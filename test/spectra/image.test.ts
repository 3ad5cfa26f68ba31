/**
 * The ADSN spectrum and power spectrum of images (src/spectra/image.ts):
 * - the whole ADSN recipe, re-implemented in plain float64 with a naive 2-D DFT and Moisan's formula as
 *   printed (test/images/reference.ts), agrees to 1e-9;
 * - fabric.png reproduces the published adsn-fabric-spectrum.npy (float32) to 1e-4 relative;
 * - typed errors for wrong shapes and NaN.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { encode } from 'fast-png';
import { setWasmSource } from '../../src/wasm/kernel.js';
import { compiledKernel } from '../../src/wasm/node.js';
import { adsnSpectrum, powerSpectrum } from '../../src/spectra/image.js';
import { decodePng } from '../../src/images/png.js';
import { adsnReference, dft2, fftshift, maxRel, mean, randomImage } from '../images/reference.js';
import { parseNpy } from '../../src/io/npy.js';
import { IN_CI, haveReference, referencePath } from '../helpers/shared.js';
import { rng } from '../helpers/random.js';
import { expectError } from '../helpers/errors.js';

setWasmSource(compiledKernel);

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
