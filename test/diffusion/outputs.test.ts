/**
 * Consistency of the engine's outputs with each other and with theory: curves end at the table's value,
 * contributions sum to W2^2, W2-vs-eps matches the table, schemes converge to the continuous process as
 * N grows, multiplicities equal repeated entries, and the continuous closed forms match a fine grid.
 */
import { describe, expect, it } from 'vitest';
import {
  table, curve, w2VsEps, contributions, samplerError, imageLikeSpectrum, prepareSpectrum, neumaierSum, continuousVariancesInto, vpLinear,
} from '../../src/node.js';
import { randomSpectrum } from '../helpers/random.js';

const spectrum = imageLikeSpectrum();

describe('outputs', () => {
  it('built-in spectrum: d = 3072, image-like, with repeated values', () => {
    expect(spectrum.length).toBe(3072);
    const s = prepareSpectrum(spectrum);
    expect(s.values.length).toBeLessThan(3072 / 4);
    expect(neumaierSum(spectrum) / 3072).toBeCloseTo(0.25, 12);
    expect(s.values[s.values.length - 1] / s.values[0]).toBeGreaterThan(1e3);
  });

  it('the curve after the last step equals the table cell when eps = 0 (target p_0 = p_data)', async () => {
    const t = await table(spectrum, { steps: [60], eps: [0] });
    const c = await curve(spectrum, { steps: 60, eps: 0 });
    for (const s of c.series) {
      const row = t.rows.find((r) => r.scheme === s.scheme && r.init === s.init && r.steps === 60)!;
      expect(s.w2[s.w2.length - 1]).toBeCloseTo(row.w2 as number, 12);
      expect(s.w2.length).toBe(59);
    }
    expect(c.times[c.times.length - 1]).toBe(1);
    expect(c.forwardTimes[0]).toBeCloseTo(1 - 1 / 59, 14);
  });

  it('contributions are non-negative and sum to W2^2', async () => {
    const r = await contributions(spectrum, { scheme: 'ei', steps: 100, eps: 1e-3, init: 'normal' });
    expect(r.contributions.every((x) => x >= 0)).toBe(true);
    expect(Math.sqrt(neumaierSum(r.contributions))).toBeCloseTo(r.w2, 12);
    const e = await samplerError(spectrum, { scheme: 'ei', steps: 100, eps: 1e-3, init: 'normal' });
    expect(r.w2).toBe(e.w2);
    expect(r.counts.reduce((a, b) => a + b, 0)).toBe(3072);
  });

  it('W2 against eps matches the table', async () => {
    const eps = [0, 1e-4, 1e-2, 0.1];
    const sweep = await w2VsEps(spectrum, { eps, steps: 80, inits: ['pT', 'normal'] });
    const t = await table(spectrum, { eps, steps: [80] });
    for (const s of sweep.series) {
      eps.forEach((e, i) => {
        const disc = t.rows.find((r) => r.scheme === s.scheme && r.init === s.init && r.eps === e && r.steps === 80)!;
        const cont = t.rows.find((r) => r.scheme === s.scheme && r.init === s.init && r.eps === e && r.steps === null)!;
        expect(s.w2[i]).toBe(disc.w2);
        expect(s.continuous[i]).toBe(cont.w2);
      });
    }
  });

  /** Per-mode output variances of a scheme (the start `init`) on the paper's grid. */
  async function variances(spec: ArrayLike<number>, scheme: 'em' | 'ei' | 'euler' | 'heun', steps: number, eps: number, init: 'pT' | 'normal') {
    return (await contributions(spec, { scheme, steps, eps, init })).variances;
  }
  function continuous(values: Float64Array, process: 'sde' | 'ode', init: 'pT' | 'normal', eps: number) {
    return continuousVariancesInto(new Float64Array(values.length), values, vpLinear(), process, init, eps);
  }
  function maxRel(a: Float64Array, b: Float64Array) {
    let m = 0;
    for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / b[i]);
    return m;
  }

  it('converges to the continuous process at order 1 (EM, EI, Euler) and 2 (Heun), per mode', async () => {
    const spec = prepareSpectrum(randomSpectrum(21, 50).map((x) => x + 1e-2));
    const eps = 1e-2;
    const exact = continuous(spec.values, 'sde', 'pT', eps); // = l(eps) for both processes
    const expected = { em: 1, ei: 1, euler: 1, heun: 2 } as const;
    for (const scheme of ['em', 'ei', 'euler', 'heun'] as const) {
      const errs: number[] = [];
      for (const n of [401, 801, 1601]) errs.push(maxRel(await variances(spec, scheme, n, eps, 'pT'), exact));
      const orders = [Math.log2(errs[0] / errs[1]), Math.log2(errs[1] / errs[2])];
      for (const p of orders) expect(Math.abs(p - expected[scheme]), `${scheme}: errors ${errs}, orders ${orders}`).toBeLessThan(0.15);
    }
  });

  it('the continuous closed forms from N(0, I) match extrapolated fine grids (EI for the SDE, Heun for the ODE)', async () => {
    const spec = prepareSpectrum(randomSpectrum(5, 40).map((x) => x + 1e-3));
    const eps = 1e-3;
    // EI is first order: Richardson v* = 2 v(h/2) - v(h) is second order.
    const coarse = await variances(spec, 'ei', 8001, eps, 'normal');
    const fine = await variances(spec, 'ei', 16001, eps, 'normal');
    const extrapolated = fine.map((v, i) => 2 * v - coarse[i]);
    expect(maxRel(extrapolated, continuous(spec.values, 'sde', 'normal', eps))).toBeLessThan(1e-4);
    expect(maxRel(await variances(spec, 'heun', 16001, eps, 'normal'), continuous(spec.values, 'ode', 'normal', eps))).toBeLessThan(1e-5);
  });

  it('merging equal eigenvalues gives the same W2 as listing them', async () => {
    const base = [0.1, 0.1, 0.1, 2, 2, 5];
    const merged = await table(base, { steps: [30], eps: [1e-3] });
    const distinct = await table([0.1, 2, 5], { steps: [30], eps: [1e-3] });
    // Repeating a mode k times multiplies its squared contribution by k: compare through a direct weighting.
    const weighted = await contributions(base, { scheme: 'euler', steps: 30, eps: 1e-3 });
    expect(Array.from(weighted.counts)).toEqual([3, 2, 1]);
    const single = await contributions([0.1, 2, 5], { scheme: 'euler', steps: 30, eps: 1e-3 });
    weighted.contributions.forEach((c, i) => expect(c).toBeCloseTo(single.contributions[i] * weighted.counts[i], 14));
    expect(merged.rows.length).toBe(distinct.rows.length);
  });
});
