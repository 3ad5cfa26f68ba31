/**
 * The plain-TS tape interpreter (src/diffusion/statespace/reference.ts) against an independent PROBE
 * simulation: per mode, k-diffusion's algorithms (k_diffusion/sampling.py) run literally on a linear
 * representation of every quantity (a coefficient vector over [x_start, xi_1, ..., xi_m]; the exact denoiser
 * multiplies by lhat / (lhat + sigma^2), each noise draw appends a new unit coefficient). The output variance
 * is then c_0^2 Var(x_start) + sum_j c_j^2. Nothing here reads a tape.
 *
 * Tolerance: |v_tape - v_probe| <= rel v_probe + 2 n eps (l + sigma_0^2), rel = 1e-12. The absolute term
 * is a round-off floor: a step that contracts (one Euler step from 80 leaves l^2 / (l + 80^2)) is computed
 * from quantities of size l + sigma_0^2, in the probe (which runs k-diffusion's x + dt (x - D) / sigma
 * literally) as in the tape. The tape forms every gain as one factor (lhat / (lhat + sigma^2), and
 * sigma / (lhat + sigma^2) for (x - D) / sigma: tape.ts), which took its measured floor from 3.3 eps
 * (l + sigma_0^2) to 0.08 at n = 20. Two-step Heun (80 -> 0.002 -> 0) is ill-conditioned beyond that: its
 * predictor keeps 2.5e-5 of x, which the corrector at 0.002 amplifies 2e4-fold; there rel = 1e-5 and the
 * floor 2000 n eps (l + sigma_0^2) (measured 3.2e3 at n = 2). The worst relative error (modes with
 * v > 1e4 eps (l + sigma_0^2)) and the worst |dv| / (eps (l + sigma_0^2)) are printed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { prepareSpectrum } from '../../src/node.js'; // also sets the Wasm source
import { runTapeReference } from '../../src/diffusion/statespace/reference.js';
import { runTape } from '../../src/diffusion/statespace/wasm.js';
import { OP_NOISE } from '../../src/diffusion/statespace/tape.js';
import { edmSamplerError } from '../../src/diffusion/statespace/index.js';
import { karrasSigmas, exponentialSigmas, checkSigmas } from '../../src/diffusion/edm/sigmas.js';
import { EDM_SAMPLERS } from '../../src/diffusion/edm/samplers/index.js';
import { GaussdiffError } from '../../src/core/errors.js';
import { randomSpectrum } from '../helpers/random.js';
import { type Vec, Probe, axpby, toD, variance } from '../helpers/probe.js';
import { expectError } from '../helpers/errors.js';
import { type ErrorCode } from '../../src/core/errors.js';

// --- the probe (test/helpers/probe.ts): linear combinations of [x_start, xi_1, ...] ---

interface Churn { sChurn?: number; sTmin?: number; sTmax?: number; sNoise?: number }

// sample_euler / sample_heun, literally (EDM Algorithm 2). Returns x after every step.
function probeEulerHeun(heun: boolean, sigmas: Float64Array, p: Probe, c: Churn): Vec[] {
  const { sChurn = 0, sTmin = 0, sTmax = Infinity, sNoise = 1 } = c;
  let x: Vec = [1];
  const out: Vec[] = [];
  for (let i = 0; i < sigmas.length - 1; i++) {
    const gamma = sTmin <= sigmas[i] && sigmas[i] <= sTmax ? Math.min(sChurn / (sigmas.length - 1), 2 ** 0.5 - 1) : 0;
    const sigmaHat = sigmas[i] * (gamma + 1);
    if (gamma > 0) x = axpby(1, x, sNoise * (sigmaHat ** 2 - sigmas[i] ** 2) ** 0.5, p.randn());
    const denoised = p.model(x, sigmaHat);
    const d = toD(x, sigmaHat, denoised);
    const dt = sigmas[i + 1] - sigmaHat;
    if (!heun || sigmas[i + 1] === 0) {
      x = axpby(1, x, dt, d);
    } else {
      const x2 = axpby(1, x, dt, d);
      const denoised2 = p.model(x2, sigmas[i + 1]);
      const d2 = toD(x2, sigmas[i + 1], denoised2);
      x = axpby(1, x, dt, axpby(0.5, d, 0.5, d2));
    }
    out.push(x);
  }
  return out;
}

// sample_dpmpp_2m, literally.
function probeDpmpp2m(sigmas: Float64Array, p: Probe): Vec[] {
  const tFn = (s: number) => -Math.log(s);
  const sigmaFn = (t: number) => Math.exp(-t);
  let x: Vec = [1];
  let old: Vec | null = null;
  const out: Vec[] = [];
  for (let i = 0; i < sigmas.length - 1; i++) {
    const denoised = p.model(x, sigmas[i]);
    const t = tFn(sigmas[i]);
    const tNext = tFn(sigmas[i + 1]);
    const h = tNext - t;
    if (old === null || sigmas[i + 1] === 0) {
      x = axpby(sigmaFn(tNext) / sigmaFn(t), x, -Math.expm1(-h), denoised);
    } else {
      const hLast = t - tFn(sigmas[i - 1]);
      const r = hLast / h;
      const denoisedD = axpby(1 + 1 / (2 * r), denoised, -1 / (2 * r), old);
      x = axpby(sigmaFn(tNext) / sigmaFn(t), x, -Math.expm1(-h), denoisedD);
    }
    old = denoised;
    out.push(x);
  }
  return out;
}

const PROBES: Record<string, (sigmas: Float64Array, p: Probe, c: Churn) => Vec[]> = {
  euler: (s, p, c) => probeEulerHeun(false, s, p, c),
  heun: (s, p, c) => probeEulerHeun(true, s, p, c),
  dpmpp_2m: (s, p) => probeDpmpp2m(s, p),
};

const EPS = Number.EPSILON;
const measured: string[] = [];
function record(name: string, worst: number, floor: number, curve: number): void {
  measured.push(`${name}: worst rel ${worst.toExponential(1)}, |dv| / (eps (l + sigma_0^2)) <= ${floor.toFixed(2)}, curve rel ${curve.toExponential(1)}`);
}

function relErr(a: number, b: number): number {
  return a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}

const cases: Array<{ sampler: string; churn: Churn }> = [
  { sampler: 'euler', churn: {} },
  { sampler: 'euler', churn: { sChurn: 40, sTmin: 0.05, sTmax: 50, sNoise: 1.003 } },
  { sampler: 'heun', churn: {} },
  { sampler: 'heun', churn: { sChurn: 40, sTmin: 0.05, sTmax: 50, sNoise: 1.003 } },
  { sampler: 'heun', churn: { sChurn: 1e9 } }, // gamma capped at sqrt 2 - 1 at every level
  { sampler: 'dpmpp_2m', churn: {} },
];

describe('tape interpreter vs the per-mode probe of k-diffusion\'s equations', () => {
  afterAll(() => console.log(measured.join('\n')));
  for (const { sampler, churn } of cases) {
    for (const n of [1, 2, 5, 20]) {
      for (const start of ['prior', 'exact'] as const) {
        it(`${sampler} ${JSON.stringify(churn)} n=${n} start=${start}: variances (1e-12 rel above the round-off floor), curve, NFE`, () => {
          const spec = prepareSpectrum(randomSpectrum(100 + n, 60, 3));
          const sigmas = karrasSigmas(n, 0.002, 80, 7);
          const tape = EDM_SAMPLERS[sampler].build(sigmas, { start, ...churn });
          const got = runTapeReference(spec.values, spec.values, spec.counts, tape);
          let worst = 0;
          let worstCurve = 0;
          const curve = new Float64Array(n);
          let calls = 0;
          let worstFloor = 0;
          for (let i = 0; i < spec.values.length; i++) {
            const l = spec.values[i];
            const p = new Probe(l);
            const steps = PROBES[sampler](sigmas, p, churn);
            const startVar = (start === 'exact' ? l : 0) + 80 * 80;
            const v = variance(steps[n - 1], startVar);
            const gap = Math.abs(got.variances[i] - v);
            const scale = EPS * (l + sigmas[0] ** 2);
            const twoStepHeun = sampler === 'heun' && n === 2;
            expect(gap).toBeLessThanOrEqual((twoStepHeun ? 1e-5 : 1e-12) * v + (twoStepHeun ? 2000 : 2) * n * scale);
            if (v > 1e4 * scale) worst = Math.max(worst, gap / v);
            worstFloor = Math.max(worstFloor, gap / scale);
            steps.forEach((x, k) => {
              curve[k] += spec.counts[i] * (Math.sqrt(Math.max(variance(x, startVar), 0)) - Math.sqrt(l + sigmas[k + 1] ** 2)) ** 2;
            });
            calls = p.calls;
          }
          for (let k = 0; k < n; k++) worstCurve = Math.max(worstCurve, relErr(got.curve[k], curve[k]));
          record(`${sampler} ${JSON.stringify(churn)} n=${n} ${start}`, worst, worstFloor, worstCurve);
          // Curve (W2^2 summed over modes after each step): 1e-11; 1e-8 for n <= 2, whose step 80 -> 0.002
          // is ill-conditioned (the probe's own curve is the naive difference of square roots).
          expect(worstCurve).toBeLessThanOrEqual(n >= 5 ? 1e-11 : 1e-8);
          expect(tape.nfe).toBe(calls);
          expect(tape.nfe).toBe(sampler === 'heun' ? 2 * n - 1 : n);
        });
      }
    }
  }

  it('exponential and user sigmas, and a model spectrum lhat != l (probe with lhat)', () => {
    const spec = prepareSpectrum(randomSpectrum(7, 40, 2));
    const lhat = spec.values.map((l, i) => l * (1 + 0.3 * Math.sin(i)) + 1e-3);
    for (const sigmas of [exponentialSigmas(9, 0.01, 30), Float64Array.from([10, 3, 1.5, 0.4, 0.05])]) {
      for (const sampler of ['euler', 'heun', 'dpmpp_2m']) {
        const got = runTapeReference(spec.values, lhat, spec.counts, EDM_SAMPLERS[sampler].build(sigmas, {}));
        for (let i = 0; i < lhat.length; i++) {
          const x = PROBES[sampler](sigmas, new Probe(lhat[i]), {}).at(-1)!;
          const v = variance(x, sigmas[0] ** 2);
          expect(Math.abs(got.variances[i] - v)).toBeLessThanOrEqual(1e-12 * v + 16 * sigmas.length * EPS * (lhat[i] + sigmas[0] ** 2));
        }
      }
    }
  });
});

describe('edmSamplerError', () => {
  it('W2 is the sum of the per-mode gaps of the interpreter, with NFE and the curve ending at W2^2', async () => {
    const values = randomSpectrum(3, 200, 10);
    const spec = prepareSpectrum(values);
    for (const sampler of ['euler', 'heun', 'dpmpp_2m']) {
      const r = await edmSamplerError(values, { sampler, steps: 12, backend: 'reference' });
      const tape = EDM_SAMPLERS[sampler].build(karrasSigmas(12, 0.002, 80), {});
      const { variances } = runTapeReference(spec.values, spec.values, spec.counts, tape);
      let s = 0;
      for (let i = 0; i < variances.length; i++) s += spec.counts[i] * (Math.sqrt(variances[i]) - Math.sqrt(spec.values[i])) ** 2;
      expect(relErr(r.w2Squared, s)).toBeLessThan(1e-9);
      expect(r.w2).toBe(Math.sqrt(r.w2Squared));
      expect(r.nfe).toBe(sampler === 'heun' ? 23 : 12);
      expect(relErr(r.curve[11], r.w2Squared)).toBeLessThan(1e-12);
    }
  });

  it('user sigmas give the same result as the schedule that built them; the input is not mutated', async () => {
    const sigmas = Array.from(karrasSigmas(8, 0.01, 50, 5));
    const copy = sigmas.slice();
    const a = await edmSamplerError([1, 0.5, 0.01, 0], { sampler: 'heun', sigmas, sChurn: 3 });
    const b = await edmSamplerError([1, 0.5, 0.01, 0], { sampler: 'heun', steps: 8, sigmaMin: 0.01, sigmaMax: 50, rho: 5, sChurn: 3 });
    expect(a.w2Squared).toBe(b.w2Squared);
    expect(sigmas).toEqual(copy);
  });

  const bad: Array<[string, unknown, string]> = [
    ['unknown sampler', { sampler: 'eulr', steps: 4 }, 'UNKNOWN_SCHEME'],
    ['misspelt key', { sampler: 'euler', step: 4 }, 'UNKNOWN_OPTION'],
    ['no steps', { sampler: 'euler' }, 'MISSING_OPTION'],
    ['zero steps', { sampler: 'euler', steps: 0 }, 'INVALID_STEPS'],
    ['fractional steps', { sampler: 'euler', steps: 2.5 }, 'INVALID_STEPS'],
    ['sigmaMin > sigmaMax', { sampler: 'euler', steps: 4, sigmaMin: 5, sigmaMax: 1 }, 'INVALID_SCHEDULE'],
    ['negative sigmaMin', { sampler: 'euler', steps: 4, sigmaMin: -1 }, 'INVALID_SCHEDULE'],
    ['NaN rho', { sampler: 'euler', steps: 4, rho: NaN }, 'INVALID_SCHEDULE'],
    ['unknown schedule', { sampler: 'euler', steps: 4, schedule: 'cosine' }, 'INVALID_SCHEDULE'],
    ['zero inside sigmas', { sampler: 'euler', sigmas: [3, 0, 0] }, 'INVALID_SCHEDULE'],
    ['NaN in sigmas', { sampler: 'euler', sigmas: [3, NaN, 0] }, 'INVALID_SCHEDULE'],
    ['one sigma', { sampler: 'euler', sigmas: [3] }, 'INVALID_SCHEDULE'],
    ['sigmas and steps', { sampler: 'euler', sigmas: [3, 0], steps: 4 }, 'INVALID_OPTION'],
    ['bad start', { sampler: 'euler', steps: 4, start: 'data' }, 'INVALID_OPTION'],
    ['negative sChurn', { sampler: 'heun', steps: 4, sChurn: -1 }, 'INVALID_OPTION'],
    ['churn on dpmpp_2m', { sampler: 'dpmpp_2m', steps: 4, sChurn: 1 }, 'INVALID_OPTION'],
    ['unknown backend', { sampler: 'euler', steps: 4, backend: 'gpu' }, 'INVALID_OPTION'],
  ];
  for (const [name, opts, code] of bad) {
    it(`refuses ${name} with ${code}`, async () => {
      await expectError(() => edmSamplerError([1, 2], opts as never), code as ErrorCode);
    });
  }
  it('the Wasm and reference back ends agree to 1e-12 (variances through W2, and the curve)', async () => {
    const values = randomSpectrum(7, 500, 10);
    for (const sampler of ['euler', 'heun', 'dpmpp_2m']) {
      for (const start of ['prior', 'exact'] as const) {
        const w = await edmSamplerError(values, { sampler, steps: 15, start });
        const r = await edmSamplerError(values, { sampler, steps: 15, start, backend: 'reference' });
        expect(relErr(w.w2Squared, r.w2Squared), `${sampler} ${start}`).toBeLessThan(1e-12);
        for (let k = 0; k < 15; k++) expect(relErr(w.curve[k], r.curve[k])).toBeLessThan(1e-12);
      }
    }
  });

  it('deterministic tapes run the rank-one rules (tape.ts): Wasm = reference (variances bit for bit), and = the covariance rules to 1e-13', async () => {
    // A NOISE of amplitude 0 at the end changes nothing in the law but makes a tape "noisy": both back ends then
    // run the covariance rules on it, the independent check of the rank-one rules.
    const spec = prepareSpectrum(randomSpectrum(11, 400, 10));
    const sigmas = karrasSigmas(40, 0.002, 80, 7);
    for (const sampler of ['euler', 'heun', 'dpmpp_2m', 'lms']) {
      for (const start of ['prior', 'exact'] as const) {
        const tape = EDM_SAMPLERS[sampler].build(sigmas, { start });
        const noisy = { ...tape, code: Float64Array.from([...tape.code, OP_NOISE, 0, 0]) };
        const wasm = await runTape(spec.values, spec.values, spec.counts, tape);
        const ref = runTapeReference(spec.values, spec.values, spec.counts, tape);
        const cov = await runTape(spec.values, spec.values, spec.counts, noisy);
        const covRef = runTapeReference(spec.values, spec.values, spec.counts, noisy);
        expect(Array.from(wasm.variances)).toEqual(Array.from(ref.variances));
        // the curve is a sum over modes, in f64x2 lanes by blocks in Wasm and one by one in the reference
        for (let k = 0; k < wasm.curve.length; k++) expect(relErr(wasm.curve[k], ref.curve[k])).toBeLessThan(1e-14);
        expect(Array.from(cov.variances)).toEqual(Array.from(covRef.variances));
        // 1e-13 relative, with the round-off floor of the file's header, 2 n eps (l + sigma_0^2) (for l = 0
        // the output is ~0: 8.5e-37 from the coefficients, 5.7e-21 from the covariance rules' cancellation)
        for (let i = 0; i < spec.values.length; i++) {
          const floor = 2 * 40 * Number.EPSILON * (spec.values[i] + 80 ** 2);
          expect(Math.abs(wasm.variances[i] - cov.variances[i]), `${sampler} ${start} mode ${i}`).toBeLessThanOrEqual(1e-13 * cov.variances[i] + floor);
        }
        for (let k = 0; k < wasm.curve.length; k++) expect(relErr(wasm.curve[k], cov.curve[k]), `${sampler} ${start} step ${k}`).toBeLessThan(1e-11);
      }
    }
  });

  it('checks options before the spectrum', async () => {
    await expect(edmSamplerError([], { sampler: 'nope' } as never)).rejects.toThrow(/sampler/);
    expect(() => checkSigmas('abc')).toThrow(GaussdiffError);
  });
});

describe('noise levels', () => {
  it('karras: n levels from sigma_max to sigma_min on the rho-ramp, then 0', () => {
    const s = karrasSigmas(10, 0.002, 80, 7);
    expect(s.length).toBe(11);
    expect(s[10]).toBe(0);
    expect(relErr(s[0], 80)).toBeLessThan(1e-14);
    expect(relErr(s[9], 0.002)).toBeLessThan(1e-13);
    // sigma^(1/rho) is affine in i
    for (let i = 1; i < 9; i++) expect(s[i - 1] ** (1 / 7) - 2 * s[i] ** (1 / 7) + s[i + 1] ** (1 / 7)).toBeCloseTo(0, 13);
    expect(Array.from(karrasSigmas(1, 0.002, 80))).toEqual([80, 0]);
  });
  it('exponential: log-uniform from sigma_max to sigma_min, then 0', () => {
    const s = exponentialSigmas(5, 0.01, 100);
    expect(s.length).toBe(6);
    expect(s[5]).toBe(0);
    for (let i = 0; i < 5; i++) expect(relErr(s[i], 100 * 10 ** -i)).toBeLessThan(1e-14);
  });
});
