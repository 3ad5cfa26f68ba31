/**
 * The Wasm kernel against the plain-TS reference: both read the same coefficient plan, so their per-mode
 * variances, curves and W2 must agree to 1e-12 relative, for every scheme, on random spectra (odd and even
 * numbers of modes, zeros, repeats, 12 decades), uniform and user grids, and other schedules.
 */
import { describe, expect, it } from 'vitest';
import {
  prepareSpectrum, vpLinear, uniformGrid, gridGeometry, buildPlan, SCHEMES, SCHEME_NAMES, propagateReference,
  table, curve, samplerError, type PropagateInput,
} from '../../src/node.js';
import { loadKernel, propagateWasm } from '../../src/wasm/kernel.js';
import { randomSpectrum } from '../helpers/random.js';

function relClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    const rel = Math.abs(a[i] - b[i]) / Math.max(Math.abs(a[i]), Math.abs(b[i]));
    worst = Math.max(worst, rel);
  }
  expect(worst).toBeLessThanOrEqual(tol);
  return worst;
}

describe('Wasm kernel vs plain-TS reference', () => {
  const cases = [
    { seed: 1, d: 1, points: 2, eps: 0 },
    { seed: 2, d: 7, points: 11, eps: 1e-3 },
    { seed: 3, d: 300, points: 50, eps: 1e-5 },
    { seed: 4, d: 513, points: 257, eps: 0.01 },
    { seed: 5, d: 1000, points: 100, eps: 0.3 },
  ];
  for (const c of cases) {
    it(`agrees per mode and on curves (d=${c.d}, N=${c.points}, eps=${c.eps})`, async () => {
      const spec = prepareSpectrum(randomSpectrum(c.seed, c.d));
      const schedule = vpLinear({ betaMin: 0.1, betaMax: 20 });
      const geom = gridGeometry(schedule, uniformGrid(c.points, c.eps, 1));
      const plan = buildPlan(SCHEME_NAMES.map((n) => SCHEMES[n]), geom);
      const input: PropagateInput = { values: spec.values, weights: spec.counts, geom, plan, curve: true };
      const ex = await loadKernel();
      const w = propagateWasm(ex, input);
      const r = propagateReference(input);
      expect(w.variances.every(Number.isFinite)).toBe(true);
      relClose(w.variances, r.variances, 1e-12);
      relClose(w.curve!, r.curve!, 1e-12);
    });
  }

  it('agrees on a non-uniform user grid and another horizon', async () => {
    const spec = randomSpectrum(9, 200);
    const grid = Array.from({ length: 40 }, (_, k) => 2 * (1 - Math.cos((Math.PI * k) / 78))); // increasing, in [0, 2)
    const opts = { grid, horizon: 2, betaMin: 0.02, betaMax: 5 };
    for (const scheme of SCHEME_NAMES) {
      const a = await curve(spec, { ...opts, schemes: [scheme] });
      const b = await curve(spec, { ...opts, schemes: [scheme], backend: 'reference' });
      a.series.forEach((s, i) => relClose(s.w2, b.series[i].w2, 1e-12));
      const ea = await samplerError(spec, { ...opts, scheme, init: 'normal' });
      const eb = await samplerError(spec, { ...opts, scheme, init: 'normal', backend: 'reference' });
      relClose([ea.w2], [eb.w2], 1e-12);
    }
  });

  it('gives the same table with 1 and 2 worker threads and with the reference', async () => {
    const spec = randomSpectrum(11, 4001, 3);
    const opts = { steps: [10, 200], eps: [0, 1e-3] };
    const one = await table(spec, { ...opts, threads: 1 });
    const two = await table(spec, { ...opts, threads: 2 });
    const ref = await table(spec, { ...opts, backend: 'reference' });
    expect(two.rows.map((r) => [r.scheme, r.eps, r.steps, r.init])).toEqual(one.rows.map((r) => [r.scheme, r.eps, r.steps, r.init]));
    const num = (x: number | 'Infinity') => (x === 'Infinity' ? Infinity : x);
    relClose(two.rows.map((r) => num(r.w2)), one.rows.map((r) => num(r.w2)), 1e-12);
    relClose(ref.rows.map((r) => num(r.w2)), one.rows.map((r) => num(r.w2)), 1e-12);
    // Heun with eps = 0 on a spectrum with zeros: N = 10 and 200, both starts.
    expect(one.diagnostics?.map((d) => [d.scheme, d.eps, d.steps, d.init])).toEqual([['heun', 0, 10, 'pT'], ['heun', 0, 200, 'pT'], ['heun', 0, 10, 'normal'], ['heun', 0, 200, 'normal']]);
  });
});
