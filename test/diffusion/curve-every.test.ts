/**
 * The curve stride `every` (curve(spectrum, { every })): the kernel takes the curve only after the steps
 * k + 1 = every, 2 every, ... and the last, fusing the steps in between (four or two per pass). The strided
 * curve must be the every = 1 curve at those points (the fused steps may round differently: 1e-13 relative),
 * on both back ends and with worker threads, with the same Infinity and diagnostics; a bad stride is a typed error.
 */
import { describe, expect, it } from 'vitest';
import {
  GaussdiffError, curve, imageLikeSpectrum, prepareSpectrum, vpLinear, uniformGrid, gridGeometry, buildPlan, SCHEMES, SCHEME_NAMES,
  propagateReference, type CurveResult,
} from '../../src/node.js';
import { loadKernel, propagateWasm } from '../../src/wasm/kernel.js';
import { randomSpectrum } from '../helpers/random.js';

/** Largest relative difference (equal values, Infinity included, count as 0). */
function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(a[i]), Math.abs(b[i])));
  }
  return worst;
}

/** The every = 1 curve at the points a strided curve keeps: after the steps k + 1 = every, 2 every, ..., and K. */
function expectStrided(full: CurveResult, strided: CurveResult, every: number, tol: number): void {
  const K = full.times.length;
  const steps: number[] = [];
  for (let k = 0; k < K; k++) if ((k + 1) % every === 0 || k === K - 1) steps.push(k + 1);
  expect(Array.from(strided.steps)).toEqual(steps);
  const at = (x: Float64Array) => steps.map((s) => x[s - 1]);
  expect(Array.from(strided.times)).toEqual(at(full.times));
  expect(Array.from(strided.forwardTimes)).toEqual(at(full.forwardTimes));
  expect(strided.series.length).toBe(full.series.length);
  strided.series.forEach((s, i) => {
    const f = full.series[i];
    expect([s.scheme, s.init, s.start]).toEqual([f.scheme, f.init, f.start]);
    expect(maxRel(s.w2, at(f.w2)), `${s.scheme} ${s.init} every ${every}`).toBeLessThanOrEqual(tol);
  });
  expect(strided.diagnostics).toEqual(full.diagnostics);
}

describe('curve stride every', () => {
  const spectrum = imageLikeSpectrum(); // d = 3072, as the explorer's CIFAR-10 case

  it('every = 1 is the default and keeps every step', async () => {
    const a = await curve(spectrum, { steps: 101, eps: 1e-3 });
    const b = await curve(spectrum, { steps: 101, eps: 1e-3, every: 1 });
    expect(Array.from(a.steps)).toEqual(Array.from({ length: 100 }, (_, k) => k + 1));
    a.series.forEach((s, i) => expect(Array.from(b.series[i].w2)).toEqual(Array.from(s.w2)));
  });

  for (const backend of ['wasm', 'reference'] as const) {
    for (const threads of backend === 'wasm' ? [1, 2] : [1]) {
      it(`every = 3, 7, 250 equal the every = 1 curve at those steps (${backend}, ${threads} thread(s))`, async () => {
        const opts = { steps: 1000, eps: 1e-3, backend, threads };
        const full = await curve(spectrum, opts);
        for (const every of [3, 7, 250]) expectStrided(full, await curve(spectrum, { ...opts, every }), every, 1e-13);
      });
    }
  }

  it('keeps Infinity and its diagnostic at the same points (a zero eigenvalue at eps = 0), odd mode count and a user grid', async () => {
    const spec = randomSpectrum(11, 301);
    spec[0] = 0;
    for (const every of [2, 5, 13]) {
      const eps0 = { steps: 64, eps: 0 };
      expectStrided(await curve(spec, eps0), await curve(spec, { ...eps0, every }), every, 1e-13);
      const grid = { grid: Array.from({ length: 40 }, (_, k) => 2 * (1 - Math.cos((Math.PI * k) / 78))), horizon: 2 };
      expectStrided(await curve(spec, grid), await curve(spec, { ...grid, every }), every, 1e-13);
    }
    const r = await curve(spec, { steps: 64, eps: 0, every: 5, schemes: ['heun'] });
    expect(r.series[0].w2[r.series[0].w2.length - 1]).toBe(Infinity);
    expect(r.diagnostics.map((d) => d.code)).toContain('singular-score');
  });

  it('the reference back end agrees with the Wasm kernel on strided curves (1e-12 relative)', async () => {
    const spec = prepareSpectrum(randomSpectrum(5, 1000));
    const geom = gridGeometry(vpLinear(), uniformGrid(200, 1e-3, 1));
    const plan = buildPlan(SCHEME_NAMES.map((n) => SCHEMES[n]), geom);
    const ex = await loadKernel();
    for (const every of [1, 3, 7, 250]) {
      const input = { values: spec.values, weights: spec.counts, geom, plan, curve: true, every };
      const w = propagateWasm(ex, input);
      const r = propagateReference(input);
      expect(w.curve!.length).toBe(2 * SCHEME_NAMES.length * Math.ceil(199 / every));
      expect(maxRel(w.curve!, r.curve!)).toBeLessThanOrEqual(1e-12);
      expect(maxRel(w.variances, r.variances)).toBeLessThanOrEqual(1e-12);
    }
  });

  it('a bad stride is a typed error', async () => {
    for (const every of [0, -1, 1.5, NaN, Infinity, '3', 2 ** 53]) {
      const err = await curve(spectrum, { steps: 10, every: every as number }).catch((e) => e);
      expect(err, String(every)).toBeInstanceOf(GaussdiffError);
      expect([err.code, err.argument]).toEqual(['INVALID_OPTION', 'every']);
    }
  });
});
