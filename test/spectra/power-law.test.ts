/**
 * The parametric image-like spectrum (src/spectra/power-law.ts): its defaults give 3072 finite non-negative
 * eigenvalues whose sum is the mean pixel variance times d (recomputed here from the model's formula), and
 * parameters that would give NaN, Infinity or an oversized array are typed errors before any allocation.
 */
import { describe, expect, it } from 'vitest';
import { imageLikeSpectrum } from '../../src/spectra/power-law.js';
import { expectError } from '../helpers/errors.js';

describe('imageLikeSpectrum', () => {
  it('defaults: 3 x 32 x 32 values, trace 0.25 x 3072, the model P(f) = (1 + |f|^2)^(-1.1) x colour weights', () => {
    const s = imageLikeSpectrum();
    expect(s.length).toBe(3072);
    expect(s.every((v) => v > 0 && Number.isFinite(v))).toBe(true);
    expect(Math.abs(s.reduce((a, b) => a + b, 0) - 0.25 * 3072)).toBeLessThan(1e-12 * 768);
    // ratios fixed by the model: frequency (0, 1) against (0, 0) is 2^(-1.1); colour blocks 0.9 : 0.07 : 0.03
    expect(s[1] / s[0]).toBeCloseTo(2 ** -1.1, 14);
    expect(s[1024] / s[0]).toBeCloseTo(0.07 / 0.9, 14);
    expect(s[2048 + 5] / s[5]).toBeCloseTo(0.03 / 0.9, 14);
  });

  it('refuses parameters that would give NaN or Infinity, and sizes past 2^26 values, with typed errors', async () => {
    await expectError(() => imageLikeSpectrum(-1), 'INVALID_OPTION', 'size');
    await expectError(() => imageLikeSpectrum(2.5), 'INVALID_OPTION', 'size');
    await expectError(() => imageLikeSpectrum(32, NaN), 'INVALID_OPTION', 'gamma');
    await expectError(() => imageLikeSpectrum(32, -1000), 'INVALID_OPTION', 'gamma', /overflows/);
    await expectError(() => imageLikeSpectrum(32, 2.2, 0), 'INVALID_OPTION', 'f0');
    await expectError(() => imageLikeSpectrum(32, 2.2, 1, []), 'INVALID_OPTION', 'colour');
    await expectError(() => imageLikeSpectrum(32, 2.2, 1, [1, -1]), 'INVALID_OPTION', 'colour');
    await expectError(() => imageLikeSpectrum(32, 2.2, 1, [0, 0]), 'INVALID_OPTION', 'colour');
    await expectError(() => imageLikeSpectrum(32, 2.2, 1, [1], -0.25), 'INVALID_OPTION', 'pixelVariance');
    await expectError(() => imageLikeSpectrum(32, 2.2, 1, [1], 1e308), 'INVALID_OPTION', 'gamma', /overflows/);
    const t = performance.now();
    await expectError(() => imageLikeSpectrum(1e6), 'TOO_LARGE', 'size');
    expect(performance.now() - t).toBeLessThan(100);
  });
});
