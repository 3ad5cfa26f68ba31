/**
 * Bad input: a typed GaussdiffError (code, argument, what is allowed) before any work; inputs never
 * mutated; singular scores give Infinity with a diagnostic, never NaN; Wasm memory does not grow over
 * 10^4 calls.
 */
import { describe, expect, it } from 'vitest';
import {
  GaussdiffError, table, curve, samplerError, w2VsEps, contributions, prepareSpectrum,
} from '../../src/node.js';
import { wasmMemoryBytes } from '../../src/wasm/kernel.js';
import { expectError } from '../helpers/errors.js';


/** An array-like that counts element reads, to prove validation happens before touching the data. */
function watched(values: number[]) {
  let reads = 0;
  const proxy = new Proxy(values, {
    get(target, prop, recv) {
      if (typeof prop === 'string' && /^\d+$/.test(prop)) reads++;
      return Reflect.get(target, prop, recv);
    },
  });
  return { proxy, reads: () => reads };
}

const good = [0.5, 1, 2, 3];

describe('typed errors', () => {
  it('rejects empty, non-finite and negative spectra', async () => {
    await expectError(table([]), 'EMPTY_SPECTRUM', 'spectrum');
    await expectError(table(new Float64Array(0)), 'EMPTY_SPECTRUM');
    const nan = await expectError(table([1, NaN, 2]), 'NON_FINITE', 'spectrum');
    expect(nan.message).toMatch(/entry 1/);
    await expectError(table([1, Infinity]), 'NON_FINITE');
    const neg = await expectError(table([1, 2, -1e-6]), 'NEGATIVE_EIGENVALUE', 'spectrum');
    expect(neg.message).toMatch(/entry 2/);
    await expectError(table('abc' as never), 'INVALID_OPTION', 'spectrum');
  });

  it('clips tiny negatives (rounding) to 0 and reports it', async () => {
    const s = prepareSpectrum([1, 2, -1e-13]);
    expect(s.clipped).toBe(1);
    expect(s.values[0]).toBe(0);
    const r = await table([1, 2, -1e-13], { steps: [10], eps: [1e-3] });
    expect(r.notes?.[0]).toMatch(/1 eigenvalue\(s\).*clipped to 0/);
  });

  it('rejects bad steps, eps, schedules, schemes, starts and grids', async () => {
    await expectError(table(good, { steps: [1] }), 'INVALID_STEPS', 'steps[0]');
    await expectError(table(good, { steps: [10, 2.5] }), 'INVALID_STEPS', 'steps[1]');
    await expectError(table(good, { steps: [] }), 'INVALID_OPTION', 'steps');
    await expectError(table(good, { eps: [-1e-3] }), 'INVALID_EPS', 'eps[0]');
    await expectError(table(good, { eps: [1] }), 'INVALID_EPS', 'eps[0]');
    await expectError(table(good, { eps: [1.5], horizon: 2, steps: [1] }), 'INVALID_STEPS');
    await expectError(table(good, { betaMin: 0 }), 'INVALID_SCHEDULE', 'betaMin');
    await expectError(table(good, { betaMin: -1 }), 'INVALID_SCHEDULE', 'betaMin');
    await expectError(table(good, { betaMin: 5, betaMax: 1 }), 'INVALID_SCHEDULE', 'betaMax');
    await expectError(table(good, { horizon: 0 }), 'INVALID_SCHEDULE', 'horizon');
    const sch = await expectError(table(good, { schemes: ['em', 'rk4' as never] }), 'UNKNOWN_SCHEME', 'schemes');
    expect(sch.allowed).toBe('em, ei, euler, heun');
    await expectError(table(good, { inits: ['uniform' as never] }), 'INVALID_OPTION', 'inits');
    await expectError(curve(good, { grid: [0, 0.5, 0.5, 0.9] }), 'INVALID_GRID', 'grid');
    await expectError(curve(good, { grid: [0, 0.7, 0.3] }), 'INVALID_GRID', 'grid');
    await expectError(curve(good, { grid: [0, 0.5, 1.2] }), 'INVALID_GRID', 'grid');
    await expectError(curve(good, { grid: [0.5] }), 'INVALID_GRID', 'grid');
    await expectError(curve(good, { grid: [0, NaN] }), 'INVALID_GRID', 'grid');
    await expectError(samplerError(good, { grid: [0, 1], steps: 10 }), 'INVALID_OPTION', 'grid');
    await expectError(samplerError(good, { scheme: 'EM' as never }), 'UNKNOWN_SCHEME', 'scheme');
    await expectError(w2VsEps(good, { eps: [] }), 'INVALID_EPS', 'eps');
    await expectError(table(good, { backend: 'gpu' as never }), 'INVALID_OPTION', 'backend');
    await expectError(table(good, { threads: 0 }), 'INVALID_OPTION', 'threads');
  });

  it('refuses work too large for Wasm memory before allocating, saying how much was needed', async () => {
    const e = await expectError(table(good, { steps: [100_000_000] }), 'TOO_LARGE', 'steps');
    expect(e.message).toMatch(/needs \d+ MiB/);
  });

  it('validates options before reading the spectrum', async () => {
    const w = watched([1, 2, 3]);
    await expectError(table(w.proxy, { steps: [1] }), 'INVALID_STEPS');
    await expectError(table(w.proxy, { schemes: ['nope' as never] }), 'UNKNOWN_SCHEME');
    await expectError(curve(w.proxy, { eps: 2 }), 'INVALID_EPS');
    expect(w.reads()).toBe(0);
  });
});

describe('singular scores', () => {
  it('gives Infinity with a diagnostic, never NaN, for Heun at eps = 0 with a zero eigenvalue', async () => {
    const spectrum = [0, 0, 0.25, 1, 4];
    const r = await samplerError(spectrum, { scheme: 'heun', steps: 20, eps: 0 });
    expect(r.w2).toBe(Infinity);
    expect(r.diagnostic?.code).toBe('singular-score');
    expect(r.diagnostic?.message).toMatch(/multiplicity 2/);
    const c = await curve(spectrum, { schemes: ['heun'], steps: 20, eps: 0 });
    for (const s of c.series) {
      expect(s.w2.some(Number.isNaN)).toBe(false);
      expect(s.w2[s.w2.length - 1]).toBe(Infinity);
      expect(Number.isFinite(s.w2[s.w2.length - 2])).toBe(true);
    }
    const cont = await contributions(spectrum, { scheme: 'heun', steps: 20, eps: 0 });
    expect(cont.contributions.some(Number.isNaN)).toBe(false);
    // The other schemes never evaluate the score at t = T - eps: finite.
    for (const scheme of ['em', 'ei', 'euler'] as const) {
      expect(Number.isFinite((await samplerError(spectrum, { scheme, steps: 20, eps: 0 })).w2)).toBe(true);
    }
    // With eps > 0 Heun is finite too.
    expect(Number.isFinite((await samplerError(spectrum, { scheme: 'heun', steps: 20, eps: 1e-4 })).w2)).toBe(true);
  });

  it('reports overflow of an unstable scheme as Infinity with a diagnostic', async () => {
    // Heun at eps = 0 on the eigenvalue 1e-200: its last stage multiplies by the score factor 1/l ~ 1e200, the
    // variance (~1e400) overflows. (b = 1e300, the old way to overflow EM, is now refused as a schedule.)
    const r = await samplerError([1e-200, 1], { scheme: 'heun', steps: 10, eps: 0 });
    expect(r.w2).toBe(Infinity);
    expect(r.diagnostic?.code).toBe('overflow');
    expect(r.diagnostic?.message).toMatch(/exceeds the f64 range/);
  });
});

describe('inputs and memory', () => {
  it('never mutates its inputs', async () => {
    const spectrum = new Float64Array([3, 0, 1, 1, -1e-14, 2]);
    const copy = spectrum.slice();
    const grid = [0, 0.1, 0.5, 0.99];
    const gridCopy = grid.slice();
    const opts = { schemes: ['heun', 'em'] as const, steps: [5, 9], eps: [0, 0.1] };
    const optsCopy = JSON.stringify(opts);
    await table(spectrum, { ...opts, schemes: [...opts.schemes] });
    await curve(spectrum, { grid });
    await contributions(spectrum, { grid, scheme: 'ei' });
    expect(Array.from(spectrum)).toEqual(Array.from(copy));
    expect(grid).toEqual(gridCopy);
    expect(JSON.stringify(opts)).toBe(optsCopy);
  });

  it('frees its Wasm memory: no growth over 10^4 calls', async () => {
    const spectrum = Float64Array.from({ length: 33 }, (_, i) => 0.01 * (i + 1));
    for (let i = 0; i < 50; i++) await samplerError(spectrum, { scheme: 'heun', steps: 16 + (i % 7) });
    const before = await wasmMemoryBytes();
    expect(before).toBeGreaterThan(0);
    for (let i = 0; i < 10_000; i++) await samplerError(spectrum, { scheme: i % 2 ? 'heun' : 'ei', steps: 16 + (i % 7) });
    expect(await wasmMemoryBytes()).toBe(before);
  });
});
