/**
 * k-diffusion's dpm_fast (sample_dpm_fast -> DPMSolver.dpm_solver_fast) against an independent PROBE: per
 * mode, the algorithm of k_diffusion/sampling.py run literally on coefficient vectors over [x_start, xi_1, ...]
 * (eps(x, t) = (x - D(x, sigma(t))) / sigma(t) with the exact denoiser D = lhat / (lhat + sigma^2) x, the
 * eps cache of a step, DPM-Solver-1/2/3 steps as written there, torch.linspace's grid, the orders rule, the
 * ancestral noise). Output variance c_0^2 Var(x_start) + sum_j c_j^2. Nothing here reads a tape or imports
 * the sampler's helpers. Tolerance as in edm-samplers.test.ts: 1e-12 relative plus the round-off floor
 * 2 n eps (l + sigma_0^2). Then NFE = n, the Wasm back end, the sigma_min floor, the order and typed errors.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { prepareSpectrum } from '../../src/node.js'; // also sets the Wasm source
import { runTapeReference } from '../../src/diffusion/statespace/reference.js';
import { edmSamplerError } from '../../src/diffusion/statespace/index.js';
import { validateSampler } from '../../src/diffusion/statespace/validate.js';
import { karrasSigmas } from '../../src/diffusion/edm/sigmas.js';
import { EDM_SAMPLERS } from '../../src/diffusion/edm/samplers/index.js';
import { randomSpectrum } from '../helpers/random.js';
import { expectError } from '../helpers/errors.js';
import { type ErrorCode } from '../../src/core/errors.js';

const EPS = Number.EPSILON;

// --- the probe ---
// A vector carries its coefficients over [x_start, xi_1, ...] and a first-order bound on their round-off in
// this literal f64 evaluation (running error analysis, Higham, Accuracy and Stability, §3.3): for
// z = a x + b y, e_z = |a| e_x + |b| e_y + 4 eps (|a x| + |b y|) componentwise, the 4 eps covering the
// rounding of the product, the sum and of the constant a or b itself (a product of at most three rounded
// factors exp, expm1, sigma). k-diffusion's noise-prediction form x - sigma(s) expm1(r h) eps cancels: it keeps
// sigma_s / sigma_t of x (1 / 40000 in one step from 80 to 0.002), so its literal evaluation loses up to
// log10(sigma_t / sigma_s) digits, and its order-3 corrections (expm1(h) / h - 1 up to 3.8e3) lose more. The
// tape takes that first-order part as one exact factor (lhat + sigma_s sigma_t) / (lhat + sigma_t^2).
interface Vec { c: number[]; e: number[] }
const axpby = (a: number, x: Vec, b: number, y: Vec): Vec => {
  const len = Math.max(x.c.length, y.c.length);
  const c = new Array<number>(len).fill(0);
  const e = new Array<number>(len).fill(0);
  x.c.forEach((v, j) => { c[j] += a * v; e[j] += Math.abs(a) * x.e[j] + 4 * EPS * Math.abs(a * v); });
  y.c.forEach((v, j) => { c[j] += b * v; e[j] += Math.abs(b) * y.e[j] + 4 * EPS * Math.abs(b * v); });
  return { c, e };
};
const ZERO: Vec = { c: [0], e: [0] };
const add = (x: Vec, y: Vec): Vec => axpby(1, x, 1, y);
const sub = (x: Vec, y: Vec): Vec => axpby(1, x, -1, y);
const mul = (a: number, x: Vec): Vec => axpby(a, x, 0, ZERO);
/** c_0^2 Var(x_start) + sum_j c_j^2, and a first-order bound on its error from the coefficients' round-off. */
const variance = (x: Vec, start: number): { v: number; err: number } => {
  let v = 0;
  let err = 0;
  x.c.forEach((c, j) => {
    const w = j === 0 ? start : 1;
    v += c * c * w;
    err += (2 * Math.abs(c) * x.e[j] + x.e[j] ** 2) * w;
  });
  return { v, err };
};

class Probe {
  draws = 0;
  calls = 0;
  constructor(readonly lhat: number) {}
  randn(): Vec {
    this.draws++;
    const c = new Array<number>(this.draws + 1).fill(0);
    c[this.draws] = 1;
    return { c, e: new Array<number>(this.draws + 1).fill(0) };
  }
  model(x: Vec, sigma: number): Vec {
    this.calls++;
    return mul(this.lhat / (this.lhat + sigma * sigma), x);
  }
}

function getAncestralStep(from: number, to: number, eta: number): [number, number] {
  if (!eta) return [to, 0];
  const up = Math.min(to, eta * (to ** 2 * (from ** 2 - to ** 2) / from ** 2) ** 0.5);
  return [(to ** 2 - up ** 2) ** 0.5, up];
}

/** torch.linspace(start, end, steps): start + i step in the first half, end - (steps - 1 - i) step in the second. */
function linspace(start: number, end: number, steps: number): number[] {
  const step = (end - start) / (steps - 1);
  return Array.from({ length: steps }, (_, i) => (i < steps / 2 ? start + i * step : end - (steps - 1 - i) * step));
}

/** DPMSolver with its eps cache (a dict per step). Returns x after each step and the grid ts. */
function probeDpmFast(p: Probe, sigmaMin: number, sigmaMax: number, nfe: number, eta: number, sNoise: number): { xs: Vec[]; ts: number[] } {
  const sigma = (t: number) => Math.exp(-t);
  const tOf = (s: number) => -Math.log(s);
  let cache: Record<string, Vec> = {};
  const eps = (key: string, x: Vec, t: number): Vec => {
    if (!(key in cache)) cache[key] = mul(1 / sigma(t), sub(x, p.model(x, sigma(t))));
    return cache[key];
  };
  const step1 = (x: Vec, t: number, tNext: number): Vec => {
    const h = tNext - t;
    return sub(x, mul(sigma(tNext) * Math.expm1(h), eps('eps', x, t)));
  };
  const step2 = (x: Vec, t: number, tNext: number, r1 = 1 / 2): Vec => {
    const h = tNext - t;
    const e = eps('eps', x, t);
    const s1 = t + r1 * h;
    const u1 = sub(x, mul(sigma(s1) * Math.expm1(r1 * h), e));
    const e1 = eps('eps_r1', u1, s1);
    return sub(sub(x, mul(sigma(tNext) * Math.expm1(h), e)), mul((sigma(tNext) / (2 * r1)) * Math.expm1(h), sub(e1, e)));
  };
  const step3 = (x: Vec, t: number, tNext: number, r1 = 1 / 3, r2 = 2 / 3): Vec => {
    const h = tNext - t;
    const e = eps('eps', x, t);
    const s1 = t + r1 * h;
    const s2 = t + r2 * h;
    const u1 = sub(x, mul(sigma(s1) * Math.expm1(r1 * h), e));
    const e1 = eps('eps_r1', u1, s1);
    const u2 = sub(sub(x, mul(sigma(s2) * Math.expm1(r2 * h), e)), mul(sigma(s2) * (r2 / r1) * (Math.expm1(r2 * h) / (r2 * h) - 1), sub(e1, e)));
    const e2 = eps('eps_r2', u2, s2);
    return sub(sub(x, mul(sigma(tNext) * Math.expm1(h), e)), mul((sigma(tNext) / r2) * (Math.expm1(h) / h - 1), sub(e2, e)));
  };

  const tStart = tOf(sigmaMax);
  const tEnd = tOf(sigmaMin);
  const m = Math.floor(nfe / 3) + 1;
  const ts = linspace(tStart, tEnd, m + 1);
  const orders = nfe % 3 === 0 ? [...Array(m - 2).fill(3), 2, 1] : [...Array(m - 1).fill(3), nfe % 3];
  let x: Vec = { c: [1], e: [0] };
  const xs: Vec[] = [];
  for (let i = 0; i < orders.length; i++) {
    cache = {};
    const t = ts[i];
    const tNext = ts[i + 1];
    let tNext_ = tNext;
    let su = 0;
    if (eta) {
      const [sd] = getAncestralStep(sigma(t), sigma(tNext), eta);
      tNext_ = Math.min(tEnd, tOf(sd));
      su = (sigma(tNext) ** 2 - sigma(tNext_) ** 2) ** 0.5;
    }
    eps('eps', x, t);
    if (orders[i] === 1) x = step1(x, t, tNext_);
    else if (orders[i] === 2) x = step2(x, t, tNext_);
    else x = step3(x, t, tNext_);
    x = add(x, mul(su * sNoise, p.randn()));
    xs.push(x);
  }
  return { xs, ts };
}

const relErr = (a: number, b: number): number => (a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b)));
const measured: string[] = [];
afterAll(() => console.log(measured.join('\n')));

const optsCases: Array<{ eta?: number; sNoise?: number }> = [{}, { eta: 0.5 }, { eta: 0.5, sNoise: 1.02 }, { eta: 1e3 }];

describe('dpm_fast: tape vs the per-mode probe of k-diffusion\'s dpm_solver_fast (1e-12 rel + 2 n eps (l + sigma_0^2))', () => {
  for (const opts of optsCases) {
    for (const n of [1, 2, 3, 4, 5, 10, 20]) {
      for (const start of ['prior', 'exact'] as const) {
        it(`${JSON.stringify(opts)} n=${n} ${start}: variances, curve, NFE = n`, () => {
          const spec = prepareSpectrum(randomSpectrum(700 + n, 60, 3));
          const sigmas = karrasSigmas(n, 0.002, 80, 7);
          const tape = EDM_SAMPLERS.dpm_fast.build(sigmas, { start, ...opts });
          const got = runTapeReference(spec.values, spec.values, spec.counts, tape);
          let curve: number[] = [];
          let curveTol: number[] = [];
          let worst = 0;
          let worstBound = 0;
          for (let i = 0; i < spec.values.length; i++) {
            const l = spec.values[i];
            const p = new Probe(l);
            // ComfyUI's call: sigma_min = the last positive level, sigma_max = sigmas[0], n = len(sigmas) - 1.
            const { xs, ts } = probeDpmFast(p, sigmas[n - 1], sigmas[0], n, opts.eta ?? 0, opts.sNoise ?? 1);
            const startVar = (start === 'exact' ? l : 0) + sigmas[0] ** 2;
            const { v, err } = variance(xs.at(-1)!, startVar);
            const gap = Math.abs(got.variances[i] - v);
            // 1e-12 rel + the round-off floor 2 n eps (l + sigma_0^2) + the probe's own round-off bound.
            const tol = (x: number, e: number) => 1e-12 * x + 2 * n * EPS * (l + sigmas[0] ** 2) + e;
            expect(gap, `mode ${l}: tape ${got.variances[i]} probe ${v} (its bound ${err})`).toBeLessThanOrEqual(tol(v, err));
            if (v > 1e4 * EPS * (l + sigmas[0] ** 2)) worst = Math.max(worst, gap / v);
            worstBound = Math.max(worstBound, gap / tol(v, err));
            if (i === 0) [curve, curveTol] = [new Array<number>(xs.length).fill(0), new Array<number>(xs.length).fill(0)];
            xs.forEach((x, k) => {
              // W2^2 term w (sqrt v - sqrt target)^2; its change for a change dv of v is at most w |sqrt v - sqrt target| dv / sqrt v.
              const vk = variance(x, startVar);
              const root = Math.abs(Math.sqrt(vk.v) - Math.sqrt(l + Math.exp(-2 * ts[k + 1])));
              curve[k] += spec.counts[i] * root ** 2;
              curveTol[k] += spec.counts[i] * (root * tol(vk.v, vk.err) / Math.sqrt(vk.v) + tol(vk.v, vk.err) ** 2 / vk.v);
            });
            expect(p.calls).toBe(n); // k-diffusion's eps_callback count is the NFE asked for
          }
          expect(tape.nfe).toBe(n);
          expect(got.curve.length).toBe(Math.floor(n / 3) + 1);
          let worstCurve = 0;
          curve.forEach((c, k) => {
            expect(Math.abs(got.curve[k] - c), `curve point ${k}`).toBeLessThanOrEqual(1e-12 * c + curveTol[k]);
            worstCurve = Math.max(worstCurve, relErr(got.curve[k], c));
          });
          measured.push(`dpm_fast ${JSON.stringify(opts)} n=${n} ${start}: worst rel ${worst.toExponential(1)}, gap / tolerance ${worstBound.toFixed(3)}, curve rel ${worstCurve.toExponential(1)}`);
        });
      }
    }
  }

  it('a user sigma array: only sigmas[0] and the last positive level count (with and without the final 0); lhat != l', () => {
    const spec = prepareSpectrum(randomSpectrum(11, 40, 2));
    const lhat = spec.values.map((l, i) => l * (1 + 0.3 * Math.sin(i)) + 1e-3);
    for (const sigmas of [Float64Array.from([10, 3, 1.5, 0.4, 0.05, 0]), Float64Array.from([10, 7, 0.9, 0.2, 0.05])]) {
      for (const opts of optsCases) {
        const n = sigmas.length - 1;
        const got = runTapeReference(spec.values, lhat, spec.counts, EDM_SAMPLERS.dpm_fast.build(sigmas, opts));
        for (let i = 0; i < lhat.length; i++) {
          const { xs } = probeDpmFast(new Probe(lhat[i]), 0.05, 10, n, opts.eta ?? 0, opts.sNoise ?? 1);
          const { v, err } = variance(xs.at(-1)!, 100);
          expect(Math.abs(got.variances[i] - v), JSON.stringify(opts)).toBeLessThanOrEqual(1e-12 * v + 2 * n * EPS * (lhat[i] + 100) + err);
        }
      }
    }
  });
});

describe('dpm_fast through edmSamplerError', () => {
  it('the Wasm and reference back ends agree to 1e-12 (W2^2 and the curve), NFE = steps', async () => {
    const values = randomSpectrum(17, 500, 10);
    for (const opts of optsCases) {
      for (const start of ['prior', 'exact'] as const) {
        for (const steps of [4, 15]) {
          const w = await edmSamplerError(values, { sampler: 'dpm_fast', steps, start, ...opts });
          const r = await edmSamplerError(values, { sampler: 'dpm_fast', steps, start, ...opts, backend: 'reference' });
          expect(relErr(w.w2Squared, r.w2Squared), `${JSON.stringify(opts)} ${start}`).toBeLessThan(1e-12);
          expect(w.curve.length).toBe(r.curve.length);
          w.curve.forEach((c, k) => expect(relErr(c, r.curve[k])).toBeLessThan(1e-12));
          expect(w.nfe).toBe(steps);
        }
      }
    }
  });

  it('no final denoising: W2 tends to the sigma_min floor W2(N(0, S + sigma_min^2 I), N(0, S)), not to 0', async () => {
    const values = randomSpectrum(5, 200, 4);
    const spec = prepareSpectrum(values);
    const sigmaMin = 0.02;
    let floor = 0;
    for (let i = 0; i < spec.values.length; i++) floor += spec.counts[i] * (Math.sqrt(spec.values[i] + sigmaMin ** 2) - Math.sqrt(spec.values[i])) ** 2;
    const r = await edmSamplerError(values, { sampler: 'dpm_fast', steps: 200, sigmaMin, start: 'exact' });
    measured.push(`dpm_fast n=200 exact start, sigma_min 0.02: W2^2 ${r.w2Squared.toExponential(6)} vs floor ${floor.toExponential(6)} (last curve point ${r.curve.at(-1)!.toExponential(2)})`);
    expect(relErr(r.w2Squared, floor)).toBeLessThan(1e-3);
    expect(r.curve.at(-1)!).toBeLessThan(1e-6 * floor);
  });

  it('measured order 3 (n = 2 mod 3: every step of order 3 but a last one of order 2) at sigma_min, in the number of steps m', async () => {
    // Local slopes from m = 8 on: 3.40, 3.26, 3.15, 3.08, 3.04 (approaching 3 from above).
    const values = randomSpectrum(8, 300, 0);
    const ms = [32, 64, 128];
    const w2: number[] = [];
    for (const m of ms) {
      const r = await edmSamplerError(values, { sampler: 'dpm_fast', steps: 3 * (m - 1) + 2, sigmaMin: 0.02, start: 'exact' });
      expect(r.curve.length).toBe(m);
      w2.push(Math.sqrt(r.curve[m - 1])); // against N(0, S + sigma_min^2 I)
    }
    const slopes = [0, 1].map((k) => -Math.log(w2[k + 1] / w2[k]) / Math.log(ms[k + 1] / ms[k]));
    measured.push(`dpm_fast order: W2 at sigma_min ${w2.map((w) => w.toExponential(3)).join(', ')} for m = ${ms.join(', ')}; local slopes ${slopes.map((s) => s.toFixed(3)).join(', ')}`);
    expect(Math.abs(slopes[1] - 3)).toBeLessThan(0.1);
  });

  it('Monte Carlo (validateSampler, particles through the tape, eta = 0.5): z-scores within bound, |W2_MC - W2| <= 4 stderr', async () => {
    const spectrum = randomSpectrum(91, 24);
    const r = await validateSampler(spectrum, { sampler: 'dpm_fast', steps: 8, eta: 0.5, particles: 4000, seed: 7 });
    measured.push(`dpm_fast MC: W2 ${r.closedForm.toPrecision(6)} MC ${r.monteCarlo.w2.toPrecision(6)} +- ${r.monteCarlo.stderr.toPrecision(3)}, maxAbsZ ${r.maxAbsZ.toFixed(2)} < ${r.zBound.toFixed(2)}`);
    expect(r.consistent).toBe(true);
    expect(r.maxAbsZ).toBeLessThan(r.zBound);
    expect(Math.abs(r.monteCarlo.w2 - r.closedForm)).toBeLessThanOrEqual(4 * r.monteCarlo.stderr);
  });

  const bad: Array<[string, unknown, string]> = [
    ['negative eta', { sampler: 'dpm_fast', steps: 4, eta: -1 }, 'INVALID_OPTION'],
    ['NaN sNoise', { sampler: 'dpm_fast', steps: 4, sNoise: NaN }, 'INVALID_OPTION'],
    ['churn', { sampler: 'dpm_fast', steps: 4, sChurn: 1 }, 'INVALID_OPTION'],
    ['r', { sampler: 'dpm_fast', steps: 4, r: 0.5 }, 'INVALID_OPTION'],
    ['last positive level = sigmas[0]', { sampler: 'dpm_fast', sigmas: [5, 5, 0] }, 'INVALID_SCHEDULE'],
    ['last positive level above sigmas[0]', { sampler: 'dpm_fast', sigmas: [1, 3, 0] }, 'INVALID_SCHEDULE'],
  ];
  for (const [name, opts, code] of bad) {
    it(`refuses ${name} with ${code}, before reading the spectrum`, async () => {
      await expectError(() => edmSamplerError('not a spectrum' as never, opts as never), code as ErrorCode);
    });
  }

  it('one step from [sigma_max, 0] is the identity (h = 0): the output is the start', async () => {
    const r = await edmSamplerError([0.5, 2], { sampler: 'dpm_fast', steps: 1, sigmaMax: 3, start: 'exact' });
    expect(r.nfe).toBe(1);
    expect(Array.from(r.variances)).toEqual([0.5 + 9, 2 + 9].map((v) => expect.closeTo(v, 12)));
  });
});

describe('dpm_fast in the ranking tools', () => {
  it('convergenceOrder reads W2 at sigma_min (its last curve point): about 3 on n = 2 mod 3', async () => {
    const { convergenceOrder } = await import('../../src/diffusion/rank.js');
    const { imageLikeSpectrum } = await import('../../src/node.js');
    const r = await convergenceOrder(imageLikeSpectrum(), { sampler: 'dpm_fast', steps: [95, 191, 383], sigmaMin: 0.02 });
    expect(Math.abs(r.order - 3)).toBeLessThan(0.25);
  });
  it('optimizeSigmas refuses dpm_fast (no levels to optimise), typed', async () => {
    const { optimizeSigmas } = await import('../../src/diffusion/optimize.js');
    await expect(optimizeSigmas([1, 2], { sampler: 'dpm_fast', steps: 10 })).rejects.toMatchObject({ code: 'INVALID_OPTION', argument: 'sampler' });
  });
});
