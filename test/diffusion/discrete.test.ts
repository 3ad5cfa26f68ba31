/**
 * The discrete-time (diffusers) frame: training schedules and inference timesteps against their formulas
 * (computed here, directly: alphas_cumprod as a plain product, timesteps from diffusers' set_timesteps
 * formulas written out), then each sampler (ddim, ddpm, dpmsolver++ orders 1-3) against an independent PROBE:
 * per mode, diffusers' step run literally on coefficient vectors over [x_T, z_1, z_2, ...] with the exact
 * model's x0_hat = sqrt(ab) l / (ab l + 1 - ab) x and eps_hat = sqrt(1 - ab) / (ab l + 1 - ab) x as scalar
 * multiples (both from one call; diffusers' (x - sqrt(1 - ab) eps) / sqrt(ab) would lose eps (1 - ab) / (ab l)
 * relative to cancellation, 5e-9 at t = 999 of squaredcos_cap_v2); variance
 * c_0^2 Var(x_T) + sum_j c_j^2. Nothing here reads a tape. Tolerance 1e-12 relative plus the round-off floor
 * 2 n eps (l + 1). Then ddim(eta = 1) = ddpm, DDIM eta = 0 convergence, Wasm vs reference, typed errors.
 */
import { describe, expect, it } from 'vitest';
import { prepareSpectrum } from '../../src/node.js'; // also sets the Wasm source
import { runTapeReference } from '../../src/diffusion/statespace/reference.js';
import { DISCRETE_SAMPLERS, discreteSamplerError, discreteSchedule, discreteTimesteps } from '../../src/diffusion/discrete/index.js';
import { GaussdiffError } from '../../src/core/errors.js';
import { randomSpectrum } from '../helpers/random.js';

const EPS = 2 ** -52;
const N = 1000;

// --- schedule, written out independently ---
function betasDirect(kind: string, n = N, start?: number, end?: number): number[] {
  if (kind === 'linear') {
    const [a, b] = [start ?? 1e-4, end ?? 0.02];
    return Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));
  }
  if (kind === 'scaled_linear') {
    const [a, b] = [Math.sqrt(start ?? 0.00085), Math.sqrt(end ?? 0.012)];
    return Array.from({ length: n }, (_, i) => (a + ((b - a) * i) / (n - 1)) ** 2);
  }
  const f = (t: number) => Math.cos(((t + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
  return Array.from({ length: n }, (_, i) => Math.min(1 - f((i + 1) / n) / f(i / n), 0.999));
}
const cumprod = (betas: number[]): number[] => {
  let p = 1;
  return betas.map((b) => (p *= 1 - b));
};
const roundEven = (x: number): number => (Math.abs(x - Math.floor(x) - 0.5) < 1e-9 ? (Math.floor(x) % 2 === 0 ? Math.floor(x) : Math.ceil(x)) : Math.round(x));

/** DDIM/DDPM set_timesteps, written out. */
function timestepsDirect(spacing: string, n: number, offset = 0): number[] {
  const out: number[] = [];
  if (spacing === 'leading') for (let i = n - 1; i >= 0; i--) out.push(i * Math.floor(N / n) + offset);
  if (spacing === 'linspace') for (let i = n - 1; i >= 0; i--) out.push(n === 1 ? 0 : roundEven((i * (N - 1)) / (n - 1)));
  if (spacing === 'trailing') for (let k = 0; k < n; k++) out.push(Math.round(N - (k * N) / n) - 1);
  return out;
}
/** DPMSolverMultistep set_timesteps, written out (n + 1 points, the last dropped). */
function dpmTimestepsDirect(spacing: string, n: number): number[] {
  if (spacing === 'trailing') return timestepsDirect('trailing', n);
  const out: number[] = [];
  for (let i = n; i >= 1; i--) out.push(spacing === 'leading' ? i * Math.floor(N / (n + 1)) : roundEven((i * (N - 1)) / n));
  return out;
}

describe('training schedules and timesteps (diffusers formulas)', () => {
  it('alphas_cumprod of linear, scaled_linear, squaredcos_cap_v2 against the plain product', () => {
    for (const kind of ['linear', 'scaled_linear', 'squaredcos_cap_v2'] as const) {
      const s = discreteSchedule(kind);
      const direct = cumprod(betasDirect(kind));
      for (const t of [0, 1, 10, 250, 499, 998, 999]) {
        const got = Math.exp(s.logAlphasCumprod[t]);
        expect(Math.abs(got - direct[t]), `${kind} t=${t}`).toBeLessThanOrEqual(1e-12 * direct[t]);
      }
    }
    // Linear at t = 0 is 1 - beta_start; cosine telescopes: ab_t = abar((t + 1)/N) / abar(0) while the cap is off.
    expect(Math.exp(discreteSchedule('linear').logAlphasCumprod[0])).toBeCloseTo(1 - 1e-4, 15);
    const f = (t: number) => Math.cos(((t + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
    const cos = discreteSchedule('squaredcos_cap_v2');
    for (const t of [0, 100, 500, 900]) expect(Math.exp(cos.logAlphasCumprod[t]) / (f((t + 1) / N) / f(0)) - 1).toBeLessThan(1e-12);
    // User betas.
    const user = discreteSchedule('linear', 500, 2e-4, 0.03);
    expect(Math.exp(user.logAlphasCumprod[499]) / cumprod(betasDirect('linear', 500, 2e-4, 0.03))[499] - 1).toBeLessThan(1e-12);
  });

  it('inference timesteps for 10 and 50 steps (leading, trailing, linspace) and DPM-Solver', () => {
    for (const n of [10, 50, 7]) {
      for (const spacing of ['leading', 'trailing', 'linspace'] as const) {
        expect(discreteTimesteps('ddim', N, { steps: n, timestepSpacing: spacing }), `${spacing} ${n}`).toEqual(timestepsDirect(spacing, n));
        expect(discreteTimesteps('dpmsolver++', N, { steps: n, timestepSpacing: spacing }), `dpm ${spacing} ${n}`).toEqual(dpmTimestepsDirect(spacing, n));
      }
    }
    // What diffusers prints (numpy: linspace(0, 999, 7) rounds half to even: 166.5 -> 166, 832.5 -> 832).
    expect(discreteTimesteps('ddim', N, { steps: 50 }).slice(0, 3)).toEqual([980, 960, 940]);
    expect(discreteTimesteps('ddim', N, { steps: 50 }).at(-1)).toBe(0);
    expect(discreteTimesteps('ddim', N, { steps: 10, timestepSpacing: 'trailing' })).toEqual([999, 899, 799, 699, 599, 499, 399, 299, 199, 99]);
    expect(discreteTimesteps('ddim', N, { steps: 10, timestepSpacing: 'linspace' })).toEqual([999, 888, 777, 666, 555, 444, 333, 222, 111, 0]);
    expect(discreteTimesteps('ddim', N, { steps: 7, timestepSpacing: 'linspace' })).toEqual([999, 832, 666, 500, 333, 166, 0]);
    expect(discreteTimesteps('ddim', N, { steps: 10, stepsOffset: 1 })).toEqual([901, 801, 701, 601, 501, 401, 301, 201, 101, 1]);
    expect(discreteTimesteps('dpmsolver++', N, { steps: 10, timestepSpacing: 'linspace' })).toEqual([999, 899, 799, 699, 599, 500, 400, 300, 200, 100]);
    expect(discreteTimesteps('dpmsolver++', N, { steps: 10 })).toEqual([900, 810, 720, 630, 540, 450, 360, 270, 180, 90]);
    // numpy's arange(1000, 0, -1000/61) has 62 entries, the last rounding to timestep -1: refused.
    expect(() => discreteTimesteps('ddim', N, { steps: 61, timestepSpacing: 'trailing' })).toThrow(expect.objectContaining({ code: 'INVALID_STEPS' }));
  });
});

// --- the probe ---
type Vec = number[];
const axpby = (a: number, x: Vec, b: number, y: Vec): Vec => {
  const out = new Array<number>(Math.max(x.length, y.length)).fill(0);
  x.forEach((v, j) => (out[j] += a * v));
  y.forEach((v, j) => (out[j] += b * v));
  return out;
};
const mul = (a: number, x: Vec): Vec => x.map((v) => a * v);
const variance = (x: Vec, start: number): number => x.reduce((s, c, j) => s + c * c * (j === 0 ? start : 1), 0);

/**
 * The schedule as the probe reads it: ab_t = prod_{s <= t} (1 - beta_s), and 1 - prod_{s = a..b} (1 - beta_s) by
 * the recurrence q <- q + p beta_s, p <- p (1 - beta_s) (no cancellation: 1 - ab computed as 1 - ab would lose
 * eps / (1 - ab) relative near t = 0).
 */
class Chain {
  readonly ac: number[];
  private readonly cache = new Map<string, number>();
  constructor(readonly betas: number[]) {
    this.ac = cumprod(betas);
  }
  /** 1 - prod_{s = a..b} (1 - beta_s) (0 when a > b). */
  oneMinus(a: number, b: number): number {
    const key = `${a},${b}`;
    let q = this.cache.get(key);
    if (q === undefined) {
      let p = 1;
      q = 0;
      for (let s = a; s <= b; s++) {
        q += p * this.betas[s];
        p *= 1 - this.betas[s];
      }
      this.cache.set(key, q);
    }
    return q;
  }
  /** ab at t (1 for t < 0) and 1 - ab. */
  at(t: number): [number, number] {
    return t < 0 ? [1, 0] : [this.ac[t], this.oneMinus(0, t)];
  }
}

class Probe {
  draws = 0;
  calls = 0;
  constructor(readonly l: number, readonly chain: Chain) {}
  randn(): Vec {
    this.draws++;
    const v = new Array<number>(this.draws + 1).fill(0);
    v[this.draws] = 1;
    return v;
  }
  /** One model call at timestep t: the exact [x0_hat, eps_hat] as scalar multiples of x. */
  model(x: Vec, t: number): [Vec, Vec] {
    this.calls++;
    const [ab, om] = this.chain.at(t);
    return [mul((Math.sqrt(ab) * this.l) / (ab * this.l + om), x), mul(Math.sqrt(om) / (ab * this.l + om), x)];
  }
}

interface ProbeOpts { eta?: number; order?: number }
type ProbeFn = (p: Probe, timesteps: number[], o: ProbeOpts) => Vec;

const probeDdim: ProbeFn = (p, timesteps, { eta = 0 }) => {
  let x: Vec = [1];
  for (const t of timesteps) {
    const prevT = t - Math.floor(N / timesteps.length);
    const [abT, omT] = p.chain.at(t);
    const [abPrev, omPrev] = p.chain.at(prevT);
    const [x0, e] = p.model(x, t);
    const v = (omPrev / omT) * p.chain.oneMinus(Math.max(prevT + 1, 0), t); // 1 - ab_t / ab_prev
    const std = eta * Math.sqrt(v);
    x = axpby(Math.sqrt(abPrev), x0, Math.sqrt(Math.max(0, omPrev - std * std)), e);
    if (eta > 0) x = axpby(1, x, std, p.randn());
  }
  return x;
};

const probeDdpm: ProbeFn = (p, timesteps) => {
  let x: Vec = [1];
  for (const t of timesteps) {
    const prevT = t - Math.floor(N / timesteps.length);
    const [abT, omT] = p.chain.at(t);
    const [abPrev, omPrev] = p.chain.at(prevT);
    const currentAlpha = abT / abPrev;
    const currentBeta = p.chain.oneMinus(Math.max(prevT + 1, 0), t); // 1 - current_alpha
    const [x0] = p.model(x, t);
    x = axpby((Math.sqrt(abPrev) * currentBeta) / omT, x0, (Math.sqrt(currentAlpha) * omPrev) / omT, x);
    if (t > 0) x = axpby(1, x, Math.sqrt(Math.max((omPrev / omT) * currentBeta, 1e-20)), p.randn());
  }
  return x;
};

/** DPMSolverMultistepScheduler.step, dpmsolver++, midpoint, lower_order_final, final sigma 0. */
const probeDpm: ProbeFn = (p, timesteps, { order = 2 }) => {
  const sigmas = [...timesteps.map((t) => Math.sqrt(p.chain.at(t)[1] / p.chain.at(t)[0])), 0];
  const alphaSigma = (s: number) => [1 / Math.sqrt(s * s + 1), s / Math.sqrt(s * s + 1)];
  const lambda = (s: number) => {
    const [a, sg] = alphaSigma(s);
    return Math.log(a) - Math.log(sg);
  };
  let x: Vec = [1];
  const outputs: Vec[] = [];
  let lowerOrderNums = 0;
  const n = timesteps.length;
  for (let i = 0; i < n; i++) {
    const t = timesteps[i];
    outputs.unshift(p.model(x, t)[0]);
    const lowerFinal = i === n - 1;
    const lowerSecond = i === n - 2 && n < 15;
    const [alphaT, sigmaT] = alphaSigma(sigmas[i + 1]);
    const sigmaS0 = alphaSigma(sigmas[i])[1];
    const h = lambda(sigmas[i + 1]) - lambda(sigmas[i]);
    const first = axpby(sigmaT / sigmaS0, x, -alphaT * (Math.exp(-h) - 1), outputs[0]);
    if (order === 1 || lowerOrderNums < 1 || lowerFinal) {
      x = first;
    } else if (order === 2 || lowerOrderNums < 2 || lowerSecond) {
      const r0 = (lambda(sigmas[i]) - lambda(sigmas[i - 1])) / h;
      const D1 = mul(1 / r0, axpby(1, outputs[0], -1, outputs[1]));
      x = axpby(1, first, -0.5 * alphaT * (Math.exp(-h) - 1), D1);
    } else {
      const r0 = (lambda(sigmas[i]) - lambda(sigmas[i - 1])) / h;
      const r1 = (lambda(sigmas[i - 1]) - lambda(sigmas[i - 2])) / h;
      const D10 = mul(1 / r0, axpby(1, outputs[0], -1, outputs[1]));
      const D11 = mul(1 / r1, axpby(1, outputs[1], -1, outputs[2]));
      const D1 = axpby(1, D10, r0 / (r0 + r1), axpby(1, D10, -1, D11));
      const D2 = mul(1 / (r0 + r1), axpby(1, D10, -1, D11));
      x = axpby(1, axpby(1, first, alphaT * ((Math.exp(-h) - 1) / h + 1), D1), -alphaT * ((Math.exp(-h) - 1 + h) / h ** 2 - 0.5), D2);
    }
    if (lowerOrderNums < order) lowerOrderNums++;
  }
  return x;
};

const PROBES: Record<string, ProbeFn> = { ddim: probeDdim, ddpm: probeDdpm, 'dpmsolver++': probeDpm };
const CASES: Array<[string, ProbeOpts]> = [
  ['ddim', {}], ['ddim', { eta: 0.5 }], ['ddim', { eta: 1 }], ['ddpm', {}],
  ['dpmsolver++', { order: 1 }], ['dpmsolver++', { order: 2 }], ['dpmsolver++', { order: 3 }],
];

describe('samplers against the probe of diffusers\' step', () => {
  const spectrum = randomSpectrum(91, 40, 2);
  const { values, counts } = prepareSpectrum(spectrum);
  const measured: string[] = [];
  for (const betaSchedule of ['linear', 'scaled_linear', 'squaredcos_cap_v2'] as const) {
    const chain = new Chain(betasDirect(betaSchedule));
    const schedule = discreteSchedule(betaSchedule);
    for (const [sampler, opts] of CASES) {
      it(`${betaSchedule} ${sampler} ${JSON.stringify(opts)}: variances and NFE for 1..50 steps, all spacings, both starts`, () => {
        let worst = 0;
        for (const steps of [1, 2, 3, 5, 10, 14, 15, 20, 50]) {
          for (const spacing of ['leading', 'trailing', 'linspace'] as const) {
            const timesteps = sampler === 'dpmsolver++' ? dpmTimestepsDirect(spacing, steps) : timestepsDirect(spacing, steps);
            for (const start of ['prior', 'exact'] as const) {
              const tape = DISCRETE_SAMPLERS[sampler].build(schedule, timesteps, { ...opts, start });
              const got = runTapeReference(values, values, counts, tape);
              values.forEach((l, i) => {
                const p = new Probe(l, chain);
                const out = PROBES[sampler](p, timesteps, opts);
                const [abT, omT] = chain.at(timesteps[0]);
                const v = variance(out, start === 'prior' ? 1 : abT * l + omT);
                const gap = Math.abs(got.variances[i] - v);
                if (v > 0) worst = Math.max(worst, gap / v);
                expect(gap, `n=${steps} ${spacing} ${start} l=${l}: tape ${got.variances[i]} probe ${v}`).toBeLessThanOrEqual(1e-12 * v + 2 * steps * EPS * (l + 1));
                expect(tape.nfe).toBe(p.calls);
              });
              expect(tape.nfe).toBe(steps);
              expect(got.curve.length).toBe(steps);
            }
          }
        }
        measured.push(`${betaSchedule} ${sampler} ${JSON.stringify(opts)}: worst rel ${worst.toExponential(1)}`);
      });
    }
  }
  it('reports', () => {
    console.log(measured.join('\n'));
    expect(measured.length).toBe(3 * CASES.length);
  });
});

describe('discreteSamplerError', () => {
  const spectrum = randomSpectrum(7, 64, 3);

  it('ddim with eta = 1 is ddpm (fixed_small) exactly: the same posterior q(x_prev | x_t, x0_hat) (Song et al. 2021, eq. 16)', async () => {
    const rows: string[] = [];
    for (const steps of [1, 10, 50, 250, 1000]) {
      const a = await discreteSamplerError(spectrum, { sampler: 'ddim', eta: 1, steps, backend: 'reference' });
      const b = await discreteSamplerError(spectrum, { sampler: 'ddpm', steps, backend: 'reference' });
      rows.push(`n=${steps}: ddim(1) ${a.w2.toExponential(6)} ddpm ${b.w2.toExponential(6)}`);
      expect(Math.abs(a.w2 - b.w2)).toBeLessThanOrEqual(1e-12 * b.w2 + 1e-15);
    }
    console.log(rows.join('\n'));
  });

  it('DDIM eta = 0 converges to the 1000-step chain with order about 1, and its W2 to the data decreases', async () => {
    const { values, counts } = prepareSpectrum(spectrum);
    const schedule = discreteSchedule('linear');
    const run = (n: number) => runTapeReference(values, values, counts, DISCRETE_SAMPLERS.ddim.build(schedule, timestepsDirect('leading', n), { start: 'exact' })).variances;
    const limit = run(N);
    // W2 between the n-step and the 1000-step outputs (both diagonal in the eigenbasis).
    const gap = (v: Float64Array) => Math.sqrt(v.reduce((s, vi, i) => s + counts[i] * (Math.sqrt(vi) - Math.sqrt(limit[i])) ** 2, 0));
    const ns = [10, 20, 40, 50, 100, 200];
    const gaps = ns.map((n) => gap(run(n)));
    const w2 = [];
    for (const steps of ns) w2.push((await discreteSamplerError(spectrum, { sampler: 'ddim', steps, start: 'exact' })).w2);
    const orders = ns.slice(1).map((n, k) => Math.log(gaps[k] / gaps[k + 1]) / Math.log(n / ns[k]));
    console.log(`ddim eta=0 W2 ${w2.map((w) => w.toExponential(3)).join(' ')}; gap to n=1000 ${gaps.map((g) => g.toExponential(3)).join(' ')}; orders ${orders.map((o) => o.toFixed(2)).join(' ')}`);
    for (let k = 1; k < ns.length; k++) {
      expect(w2[k]).toBeLessThan(w2[k - 1]);
      expect(gaps[k]).toBeLessThan(gaps[k - 1]);
    }
    expect(orders[0]).toBeGreaterThan(0.8);
    expect(orders[0]).toBeLessThan(1.3);
  });

  it('Wasm and reference back ends agree to 1e-12; curve ends at w2Squared; NFE = steps', async () => {
    for (const [sampler, opts] of CASES) {
      for (const betaSchedule of ['linear', 'scaled_linear', 'squaredcos_cap_v2'] as const) {
        const common = { sampler, steps: 20, betaSchedule, ...opts };
        const w = await discreteSamplerError(spectrum, { ...common, backend: 'wasm' });
        const r = await discreteSamplerError(spectrum, { ...common, backend: 'reference' });
        expect(Math.abs(w.w2Squared - r.w2Squared), `${sampler} ${betaSchedule}`).toBeLessThanOrEqual(1e-12 * r.w2Squared);
        w.curve.forEach((c, k) => expect(Math.abs(c - r.curve[k])).toBeLessThanOrEqual(1e-12 * r.curve[k] + 1e-300));
        expect(Math.abs(r.curve[19] - r.w2Squared)).toBeLessThanOrEqual(1e-12 * r.w2Squared);
        expect(w.nfe).toBe(20);
      }
    }
  });

  it('per-mode results as edmSamplerError\'s: modes of the spectrum, variances equal to the probe\'s, contributions summing to w2Squared', async () => {
    const { values, counts } = prepareSpectrum(spectrum);
    const chain = new Chain(betasDirect('linear'));
    for (const [sampler, opts] of CASES) {
      for (const backend of ['wasm', 'reference']) {
        const steps = 12;
        const r = await discreteSamplerError(spectrum, { sampler, steps, backend, ...opts });
        const label = `${sampler} ${JSON.stringify(opts)} ${backend}`;
        expect(Array.from(r.values), label).toEqual(Array.from(values));
        expect(Array.from(r.modelValues), label).toEqual(Array.from(values));
        expect(Array.from(r.counts), label).toEqual(Array.from(counts));
        const timesteps = sampler === 'dpmsolver++' ? dpmTimestepsDirect('leading', steps) : timestepsDirect('leading', steps);
        values.forEach((l, i) => {
          const v = variance(PROBES[sampler](new Probe(l, chain), timesteps, opts), 1);
          expect(Math.abs(r.variances[i] - v), `${label} l=${l}`).toBeLessThanOrEqual(1e-12 * v + 2 * steps * EPS * (l + 1));
          // w_i (sqrt v_i - sqrt l_i)^2, computed here from the probe's variance.
          const c = counts[i] * (Math.sqrt(v) - Math.sqrt(l)) ** 2;
          expect(Math.abs(r.contributions[i] - c), `${label} l=${l}`).toBeLessThanOrEqual(1e-10 * c + 1e-13 * counts[i] * (l + 1));
        });
        const sum = r.contributions.reduce((a, b) => a + b, 0);
        expect(Math.abs(sum - r.w2Squared), label).toBeLessThanOrEqual(1e-12 * r.w2Squared);
      }
    }
  });

  it('an exact start (the marginal at the first timestep) beats the N(0, I) prior start', async () => {
    const prior = await discreteSamplerError(spectrum, { sampler: 'ddim', steps: 50 });
    const exact = await discreteSamplerError(spectrum, { sampler: 'ddim', steps: 50, start: 'exact' });
    expect(exact.w2).toBeLessThan(prior.w2);
  });

  it('typed errors before the spectrum is read', async () => {
    const bad = [Number.NaN]; // an invalid spectrum: the option error must come first
    const cases: Array<[object, string, string]> = [
      [{ sampler: 'euler', steps: 10 }, 'UNKNOWN_SCHEME', 'sampler'],
      [{ sampler: 'ddim' }, 'MISSING_OPTION', 'steps'],
      [{ sampler: 'ddim', steps: 0 }, 'INVALID_STEPS', 'steps'],
      [{ sampler: 'ddim', steps: 1001 }, 'INVALID_STEPS', 'steps'],
      [{ sampler: 'ddim', steps: 61, timestepSpacing: 'trailing' }, 'INVALID_STEPS', 'steps'],
      [{ sampler: 'ddpm', steps: 10, eta: 0.5 }, 'INVALID_OPTION', 'eta'],
      [{ sampler: 'ddim', steps: 10, eta: 1.5 }, 'INVALID_OPTION', 'eta'],
      [{ sampler: 'ddim', steps: 10, order: 2 }, 'INVALID_OPTION', 'order'],
      [{ sampler: 'dpmsolver++', steps: 10, order: 4 }, 'INVALID_OPTION', 'order'],
      [{ sampler: 'ddim', steps: 10, clipSample: true }, 'INVALID_OPTION', 'clipSample'],
      [{ sampler: 'ddim', steps: 10, betaSchedule: 'cosine' }, 'INVALID_SCHEDULE', 'betaSchedule'],
      [{ sampler: 'ddim', steps: 10, betaSchedule: 'squaredcos_cap_v2', betaStart: 1e-4 }, 'INVALID_OPTION', 'betaStart'],
      [{ sampler: 'ddim', steps: 10, betaStart: 0.03 }, 'INVALID_OPTION', 'betaEnd'],
      [{ sampler: 'ddim', steps: 10, betaEnd: 1 }, 'INVALID_OPTION', 'betaEnd'],
      [{ sampler: 'ddim', steps: 10, timestepSpacing: 'uniform' }, 'INVALID_OPTION', 'timestepSpacing'],
      [{ sampler: 'ddim', steps: 10, timestepSpacing: 'trailing', stepsOffset: 1 }, 'INVALID_OPTION', 'stepsOffset'],
      [{ sampler: 'ddim', steps: 10, trainSteps: 1 }, 'INVALID_OPTION', 'trainSteps'],
      [{ sampler: 'ddim', steps: 10, start: 'noise' }, 'INVALID_OPTION', 'start'],
      [{ sampler: 'ddim', steps: 10, backend: 'gpu' }, 'INVALID_OPTION', 'backend'],
      [{ sampler: 'ddim', steps: 10, step: 5 }, 'UNKNOWN_OPTION', 'opts.step'],
    ];
    for (const [opts, code, argument] of cases) {
      const err = await discreteSamplerError(bad, opts as never).catch((e: unknown) => e);
      expect(err, JSON.stringify(opts)).toBeInstanceOf(GaussdiffError);
      expect((err as GaussdiffError).code, JSON.stringify(opts)).toBe(code);
      expect((err as GaussdiffError).argument, JSON.stringify(opts)).toBe(argument);
    }
    // The options object is not mutated.
    const opts = Object.freeze({ sampler: 'dpmsolver++', steps: 5, order: 3 });
    await expect(discreteSamplerError(spectrum, opts)).resolves.toHaveProperty('nfe', 5);
  });
});
