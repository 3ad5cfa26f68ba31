/**
 * Floating-point limits of the engine (issue 8, defects 3 and 4): finite input never gives NaN or INTERNAL.
 * Each report either computes the value (scaled forms, docs/math.md §2), reports +Infinity with a
 * diagnostic, or refuses the input with a typed error that names the limit, before any work:
 *   - B(T) <= MAX_DECAY_INTEGRAL (350): INVALID_SCHEDULE beyond (betaMax 1e6 and horizon 1e300 were INTERNAL);
 *   - W2 above sqrt(f64 max): +Infinity with an 'overflow' diagnostic;
 *   - validate: an infinite closed form, or eigenvalues/variances whose particles' fourth moments overflow;
 *   - grids: TOO_LARGE before any allocation (--steps 1e7 took 18 s and 7.7 GB, then an untyped abort).
 * Every regression case below failed on the old main (NaN, JSON null, or INTERNAL).
 */
import { describe, expect, it } from 'vitest';
import {
  GaussdiffError, table, curve, w2VsEps, contributions, samplerError, continuousVariancesInto, vpLinear, MAX_DECAY_INTEGRAL,
} from '../../src/node.js';
import { validate } from '../../src/diffusion/montecarlo.js';
import { directScheme } from '../independent/direct.js';
import { expectError } from '../helpers/errors.js';
import { rng } from '../helpers/random.js';

const SCHEMES = ['em', 'ei', 'euler', 'heun'] as const;

/** Paths of every NaN in a result (numbers, typed arrays, nested objects). */
function nanPaths(x: unknown, path = 'result', out: string[] = []): string[] {
  if (typeof x === 'number') {
    if (Number.isNaN(x)) out.push(path);
  } else if (ArrayBuffer.isView(x)) {
    (x as Float64Array).forEach((v, i) => { if (Number.isNaN(v)) out.push(`${path}[${i}]`); });
  } else if (x && typeof x === 'object') {
    for (const [k, v] of Object.entries(x)) nanPaths(v, `${path}.${k}`, out);
  }
  return out;
}

/**
 * Independent per-start recurrence of docs/math.md §2 (2.3)-(2.6) for one eigenvalue on the paper's grid,
 * default schedule: the variance itself from v_0 (no plan, no affine split of the starts).
 */
function directVariance(l: number, scheme: (typeof SCHEMES)[number], eps: number, N: number, v0: number): number {
  const b = (t: number) => 0.05 + 9.95 * t;
  const B = (t: number) => 0.05 * t + (9.95 * t * t) / 2;
  const a = (t: number) => Math.exp(-2 * B(t)) * l - Math.expm1(-2 * B(t)); // (2.1)
  const t = (k: number) => ((1 - eps) * k) / (N - 1);
  let v = v0;
  for (let k = 0; k < N - 1; k++) {
    const D = t(k + 1) - t(k);
    const [ak, ck, ak1, ck1] = [a(1 - t(k)), b(1 - t(k)), a(1 - t(k + 1)), b(1 - t(k + 1))];
    if (scheme === 'em') v = (1 + D * ck * (1 - 2 / ak)) ** 2 * v + 2 * D * ck;
    else if (scheme === 'ei') {
      const dB = B(1 - t(k)) - B(1 - t(k + 1));
      v = (1 + Math.expm1(dB) * (1 - 2 / ak)) ** 2 * v + Math.expm1(2 * dB);
    } else if (scheme === 'euler') v = (1 + D * ck * (1 - 1 / ak)) ** 2 * v;
    else {
      const [h0, h1] = [D * ck * (1 - 1 / ak), D * ck1 * (1 - 1 / ak1)];
      v = (1 + h0 / 2 + (h1 / 2) * (1 + h0)) ** 2 * v;
    }
  }
  return v;
}

describe('NaN on finite input (issue 8, defect 4)', () => {
  it('spectrum [1e200, 1e-200]: every cell a number, or Infinity with a diagnostic; discrete cells match the direct implementation', async () => {
    const spectrum = [1e200, 1e-200];
    const r = await table(spectrum, { steps: [20, 100], threads: 1 });
    expect(nanPaths(r)).toEqual([]);
    for (const row of r.rows) {
      const where = JSON.stringify(row);
      if (row.w2 === 'Infinity') {
        expect(r.diagnostics?.some((d) => d.scheme === row.scheme && d.eps === row.eps && d.steps === row.steps && d.init === row.init), where).toBe(true);
        continue;
      }
      if (row.steps !== null) {
        // W2 is known to rounding only up to ~1e-16 sqrt(tr S) (v_i carry rounding relative to l_i): here 1e84.
        const direct = directScheme(spectrum, row.scheme, row.eps, row.steps, row.init);
        expect(Math.abs(row.w2 - direct), where).toBeLessThanOrEqual(1e-10 * direct + 1e-14 * 1e100);
      } else if (row.init === 'normal') {
        // From N(0, I) every output variance is O(e^{2B(T)}), so W2 = sqrt(1e200) to 1e-90 relative.
        expect(Math.abs(row.w2 - 1e100), where).toBeLessThanOrEqual(1e-12 * 1e100);
      }
    }
  });

  it('an eigenvalue of 1e20 from N(0, I): output variances match the per-start recurrence to 1e-12 (was INTERNAL)', async () => {
    for (const scheme of SCHEMES) {
      const c = await contributions([1e20, 1], { scheme, steps: 60, eps: 1e-3, init: 'normal' });
      expect(c.diagnostic).toBeNull();
      c.values.forEach((l, i) => {
        const expected = directVariance(l, scheme, 1e-3, 60, 1);
        expect(Math.abs(c.variances[i] - expected), `${scheme} l=${l}`).toBeLessThanOrEqual(1e-12 * expected);
      });
      expect(Number.isFinite(c.w2)).toBe(true);
    }
  });

  it('continuous processes from N(0, I) at huge eigenvalues: the limits (2 - d)/d (SDE) and 1/d (ODE), d = e^{-2(B(T) - B(eps))}', () => {
    const schedule = vpLinear();
    for (const eps of [0, 1e-3, 0.5]) {
      const d = Math.exp(-2 * (schedule.integral(1) - schedule.integral(eps)));
      const values = Float64Array.of(1e200, 1.7e308);
      const sde = continuousVariancesInto(new Float64Array(2), values, schedule, 'sde', 'normal', eps);
      const ode = continuousVariancesInto(new Float64Array(2), values, schedule, 'ode', 'normal', eps);
      for (let i = 0; i < 2; i++) {
        expect(Math.abs(sde[i] - (2 - d) / d)).toBeLessThanOrEqual(1e-13 * ((2 - d) / d));
        expect(Math.abs(ode[i] - 1 / d)).toBeLessThanOrEqual(1e-13 / d);
      }
    }
  });

  it('betaMax 1e6, horizon 1e300 or 1e3: INVALID_SCHEDULE naming the B(T) limit (was INTERNAL); B(T) just below 350 is computed', async () => {
    for (const o of [{ betaMax: 1e6 }, { horizon: 1e300 }, { horizon: 1e3 }]) {
      await expectError(table([1, 2], o), 'INVALID_SCHEDULE', 'schedule', /B\(T\)/);
      await expectError(samplerError([1, 2], o), 'INVALID_SCHEDULE', 'schedule');
    }
    const betaMax = 2 * MAX_DECAY_INTEGRAL - 0.1; // B(T) = (0.05 + betaMax) / 2 = 349.975
    const r = await table([0, 1e-8, 1, 1e8], { betaMax, steps: [10, 1000], threads: 1 });
    expect(nanPaths(r)).toEqual([]);
    for (const row of r.rows) {
      if (row.w2 === 'Infinity') expect(r.diagnostics?.length).toBeGreaterThan(0);
    }
  });

  it('W2 above sqrt(f64 max) is +Infinity with an overflow diagnostic, in every report', async () => {
    const spectrum = Float64Array.of(1e308, 1.5e308, 1.7e308);
    const s = await samplerError(spectrum, { init: 'normal', steps: 20 });
    expect(s.w2).toBe(Infinity);
    expect(s.diagnostic?.code).toBe('overflow');
    expect(s.diagnostic?.message).toMatch(/W2\^2 .* exceeds the f64 range/);
    const t = await table(spectrum, { steps: [20], eps: [1e-3], threads: 1 });
    expect(nanPaths(t)).toEqual([]);
    expect(t.rows.filter((r) => r.init === 'normal').every((r) => r.w2 === 'Infinity')).toBe(true);
    expect(t.diagnostics!.length).toBe(t.rows.filter((r) => r.w2 === 'Infinity').length);
    const c = await curve(spectrum, { steps: 20, eps: 1e-3 });
    expect(nanPaths(c)).toEqual([]);
    expect(c.diagnostics.length).toBeGreaterThan(0);
  });

  it('validate: a tiny closed-form variance gives finite stderr, bias and z; huge eigenvalues are TOO_LARGE (was +- NaN)', async () => {
    const r = await validate([1e-300, 1], { scheme: 'euler', steps: 20, eps: 0, init: 'pT', particles: 100, seed: 3 });
    expect(nanPaths(r)).toEqual([]);
    expect(Number.isFinite(r.monteCarlo.stderr) && Number.isFinite(r.monteCarlo.bias)).toBe(true);
    await expectError(validate([1e200, 1], { scheme: 'em', steps: 20, eps: 1e-3, init: 'normal', particles: 100, seed: 3 }), 'TOO_LARGE', 'spectrum', /fourth moments/);
    // Output variances of 4e282 (an unstable EI): the old main printed stderr NaN.
    const unstable = { scheme: 'ei', steps: 20, eps: 0, init: 'pT', betaMin: 300, betaMax: 350 } as const;
    expect((await contributions([1e-300, 1], unstable)).variances[0]).toBeGreaterThan(1e282);
    await expectError(validate([1e-300, 1], { ...unstable, particles: 100, seed: 3 }), 'TOO_LARGE', 'spectrum', /fourth moments/);
  });
});

describe('size checks before any allocation (issue 8, defect 3)', () => {
  for (const threads of [1, 2]) {
    it(`table --steps 1e7 (threads ${threads}): TOO_LARGE with the size and the limit in < 200 ms`, async () => {
      const spectrum = Float64Array.from({ length: 784 }, (_, i) => i / 784);
      const t0 = performance.now();
      const e = await expectError(table(spectrum, { steps: [1e7], threads }), 'TOO_LARGE', 'steps', /1526 MiB/);
      expect(performance.now() - t0).toBeLessThan(200);
      expect(e.allowed).toMatch(/at most 1024 MiB per buffer/);
    });
  }

  it('the JavaScript plans of all grids of a call count together', async () => {
    const e = await expectError(table([1, 2], { steps: [3e6] }), 'TOO_LARGE', 'steps', /4 grid\(s\)/);
    expect(e.allowed).toMatch(/2048 MiB of plans/);
    await expectError(samplerError([1, 2], { steps: 5e7 }), 'TOO_LARGE', 'steps');
    await expectError(w2VsEps([1, 2], { steps: 3e6, eps: [0, 1e-3, 1e-2, 0.1] }), 'TOO_LARGE', 'steps');
  });
});

describe('fuzz: random extreme spectra and schedules (fixed seed)', () => {
  it('no NaN and no INTERNAL in any report; every +Infinity W2 has a diagnostic', async () => {
    const r = rng(20261203);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
    const magnitude = () => pick([0, 5e-324, 1e-310, 10 ** (-320 + 628 * r()), 10 ** (-10 + 20 * r()), 1.7e308 * r()]);
    let typed = 0;
    let computed = 0;
    for (let trial = 0; trial < 60; trial++) {
      const spectrum = Array.from({ length: 1 + Math.floor(r() * 5) }, magnitude);
      const schedule = {
        betaMin: pick([1e-300, 1e-8, 0.05, 1 + 100 * r()]),
        betaMax: pick([10, 100 * r() + 200, 700, 1e6]),
        horizon: pick([1, 1e-300, 1e-8, r(), 3, 1e300]),
      };
      if (schedule.betaMax < schedule.betaMin) schedule.betaMax = schedule.betaMin;
      const eps = pick([0, 5e-324, 1e-300, 1e-12 * schedule.horizon, 0.3 * schedule.horizon]);
      const steps = 2 + Math.floor(r() * 40);
      const scheme = pick(SCHEMES);
      const init = pick(['pT', 'normal'] as const);
      const calls: [string, () => Promise<unknown>][] = [
        ['table', () => table(spectrum, { ...schedule, eps: [eps], steps: [steps], threads: 1 })],
        ['curve', () => curve(spectrum, { ...schedule, eps, steps })],
        ['w2VsEps', () => w2VsEps(spectrum, { ...schedule, eps: [eps], steps })],
        ['samplerError', () => samplerError(spectrum, { ...schedule, scheme, init, eps, steps })],
        ['contributions', () => contributions(spectrum, { ...schedule, scheme, init, eps, steps })],
        ['validate', () => validate(spectrum, { ...schedule, scheme, init, eps, steps, particles: 16, seed: trial })],
      ];
      for (const [name, call] of calls) {
        const where = `trial ${trial} ${name} ${JSON.stringify({ spectrum, schedule, eps, steps, scheme, init })}`;
        let out: unknown;
        try {
          out = await call();
        } catch (err) {
          expect(err, where).toBeInstanceOf(GaussdiffError);
          expect((err as GaussdiffError).code, `${where}: ${(err as Error).message}`).not.toBe('INTERNAL');
          typed++;
          continue;
        }
        computed++;
        expect(nanPaths(out), where).toEqual([]);
        const res = out as { rows?: { w2: unknown }[]; diagnostics?: unknown[]; w2?: unknown; diagnostic?: unknown };
        if (name === 'table') expect(res.rows!.filter((x) => x.w2 === 'Infinity').length, where).toBe(res.diagnostics?.length ?? 0);
        if (name === 'samplerError' || name === 'contributions') expect(res.w2 === Infinity, where).toBe(res.diagnostic !== null);
      }
    }
    // Both outcomes occur: the loop exercises computed extremes as well as refusals.
    expect(typed).toBeGreaterThan(20);
    expect(computed).toBeGreaterThan(100);
  });
});
