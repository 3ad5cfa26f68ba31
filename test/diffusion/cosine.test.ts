/**
 * The cosine schedule (Nichol & Dhariwal 2021) in Pierret & Galerne's VP frame (src/diffusion/schedules/cosine.ts):
 * B against a quadrature of b, e^{-2B} against alpha_bar, the stop T' against DPM-Solver's 0.9946, Table-2 style
 * rows against a naive per-mode transcription of docs/math.md §2 with a naive cosine schedule, convergence
 * orders, both back ends, the other reports, typed errors, and the default schedule unchanged.
 */
import { describe, expect, it } from 'vitest';
import { cosine, table, samplerError, curve, w2VsEps, contributions, validate, type TableRow } from '../../src/node.js';
import { MAX_DECAY_INTEGRAL, scheduleOf, vpLinearOf } from '../../src/diffusion/schedules/index.js';
import { logSlope } from '../helpers/probe.js';
import { expectError } from '../helpers/errors.js';

const S = 0.008;
/** Naive forms of the brief: theta, alpha_bar = cos^2(theta)/cos^2(theta(0)), b = (pi/(2T(1+s))) tan(theta). */
const theta = (t: number, T = 1, s = S) => (((t / T + s) / (1 + s)) * Math.PI) / 2;
const alphaBar = (t: number, T = 1, s = S) => (Math.cos(theta(t, T, s)) / Math.cos(theta(0, T, s))) ** 2;
const bNaive = (t: number, T = 1, s = S) => (Math.PI / (2 * T * (1 + s))) * Math.tan(theta(t, T, s));

/** n-point Gauss-Legendre nodes and weights on [-1, 1] (Newton on P_n from cos guesses). */
function gaussLegendre(n: number): { x: number[]; w: number[] } {
  const x: number[] = [];
  const w: number[] = [];
  for (let i = 1; i <= n; i++) {
    let z = Math.cos((Math.PI * (i - 0.25)) / (n + 0.5));
    let dp = 0;
    for (let it = 0; it < 100; it++) {
      let p0 = 1;
      let p1 = z;
      for (let k = 2; k <= n; k++) [p0, p1] = [p1, ((2 * k - 1) * z * p1 - (k - 1) * p0) / k];
      dp = (n * (z * p1 - p0)) / (z * z - 1);
      const dz = p1 / dp;
      z -= dz;
      if (Math.abs(dz) < 1e-16) break;
    }
    x.push(z);
    w.push(2 / ((1 - z * z) * dp * dp));
  }
  return { x, w };
}
const GL = gaussLegendre(20);

/** int_0^t b on pieces graded towards the pole of b at T (each piece at most a quarter of its distance to T). */
function quadrature(b: (t: number) => number, t: number, T: number): number {
  let total = 0;
  let a = 0;
  while (a < t) {
    const c = Math.min(t, a + 0.25 * (T - a), a + 0.05 * T);
    const h = (c - a) / 2;
    for (let i = 0; i < GL.x.length; i++) total += GL.w[i] * h * b(a + h + h * GL.x[i]);
    a = c;
  }
  return total;
}

describe('cosine schedule', () => {
  const T = 1;
  const sched = cosine();
  const Tp = sched.horizon;
  const probes = [0, 1e-8, 1e-4, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 0.994, Tp];

  it("stops at T' where b = cosineBetaMax: DPM-Solver's cosine_t_max for the defaults", () => {
    // DPM-Solver: cosine_t_max = atan(beta_max (1 + s)/pi) 2 (1 + s)/pi - s with beta_max = 999 = 2 x 499.5.
    const dpm = (Math.atan((999 * (1 + S)) / Math.PI) * 2 * (1 + S)) / Math.PI - S;
    expect(Math.abs(Tp - dpm)).toBeLessThan(1e-14);
    expect(Tp.toFixed(4)).toBe('0.9980');
    expect(Math.abs(sched.beta(Tp) / 499.5 - 1)).toBeLessThan(1e-12);
    const BT = sched.integral(Tp);
    expect(BT).toBeGreaterThan(5.7);
    expect(BT).toBeLessThanOrEqual(MAX_DECAY_INTEGRAL);
  });

  it('b equals the naive tan form and B equals a Gauss-Legendre quadrature of b to 1e-10', () => {
    let worstB = 0;
    let worstb = 0;
    for (const t of probes) {
      worstb = Math.max(worstb, Math.abs(sched.beta(t) / bNaive(t) - 1));
      const q = quadrature(bNaive, t, T);
      worstB = Math.max(worstB, Math.abs(sched.integral(t) - q) / Math.max(1, q));
    }
    // A non-default schedule too: T = 2, s = 0.1, b stops at 50.
    const other = cosine({ horizon: 2, cosineS: 0.1, cosineBetaMax: 50 });
    for (const f of [0, 0.2, 0.5, 0.9, 1]) {
      const t = f * other.horizon;
      worstb = Math.max(worstb, Math.abs(other.beta(t) / bNaive(t, 2, 0.1) - 1));
      const q = quadrature((u) => bNaive(u, 2, 0.1), t, 2);
      worstB = Math.max(worstB, Math.abs(other.integral(t) - q) / Math.max(1, q));
    }
    console.log(`cosine: max rel. |b - naive| ${worstb.toExponential(2)}, max |B - quadrature| ${worstB.toExponential(2)}`);
    expect(worstb).toBeLessThan(1e-12);
    expect(worstB).toBeLessThan(1e-10);
  });

  it('e^{-2B(t)} equals alpha_bar(t) to 1e-12 relative, and 1 - alpha_bar keeps its digits near t = 0', () => {
    for (const t of probes) expect(Math.abs(Math.exp(-2 * sched.integral(t)) / alphaBar(t) - 1)).toBeLessThan(1e-12);
    // Near 0: B(t) = b(0) t + O(t^2), b(0) = (k/T) tan(theta(0)), exactly (the naive log of a cos ratio would be 0 or noise).
    const t = 1e-12;
    expect(Math.abs(sched.integral(t) / (bNaive(0) * t) - 1)).toBeLessThan(1e-9);
  });
});

/** Naive per-mode transcription of docs/math.md §2 (2.1)-(2.6) on any b, B: output variance of each mode. */
function naiveVariances(l: number[], b: (t: number) => number, B: (t: number) => number, T: number, grid: number[], scheme: string, init: string): number[] {
  const lt = (x: number, s: number) => Math.exp(-2 * B(s)) * x + 1 - Math.exp(-2 * B(s));
  return l.map((x) => {
    let v = init === 'pT' ? lt(x, T - grid[0]) : 1;
    for (let k = 0; k + 1 < grid.length; k++) {
      const D = grid[k + 1] - grid[k];
      const a0 = lt(x, T - grid[k]);
      const a1 = lt(x, T - grid[k + 1]);
      const c0 = b(T - grid[k]);
      const c1 = b(T - grid[k + 1]);
      let m: number;
      let n = 0;
      if (scheme === 'em') { m = 1 + D * c0 * (1 - 2 / a0); n = 2 * D * c0; } else if (scheme === 'ei') {
        const dB = B(T - grid[k]) - B(T - grid[k + 1]);
        m = 1 + (Math.exp(dB) - 1) * (1 - 2 / a0);
        n = Math.exp(2 * dB) - 1;
      } else if (scheme === 'euler') m = 1 + D * c0 * (1 - 1 / a0);
      else {
        const h0 = D * c0 * (1 - 1 / a0);
        const h1 = D * c1 * (1 - 1 / a1);
        m = 1 + h0 / 2 + (h1 / 2) * (1 + h0);
      }
      v = m * m * v + n;
    }
    return v;
  });
}
const naiveW2 = (l: number[], v: number[]) => Math.sqrt(l.reduce((acc, x, i) => acc + (Math.sqrt(v[i]) - Math.sqrt(x)) ** 2, 0));

describe("reports with schedule: 'cosine'", () => {
  const spectrum = Array.from({ length: 12 }, (_, i) => 10 ** (-3 + (5 * i) / 11)); // 1e-3 .. 1e2
  const schemes = ['em', 'ei', 'euler', 'heun'] as const;
  const steps = Array.from({ length: 10 }, (_, i) => 1000 * 2 ** i); // 1000 .. 512000
  const eps = 1e-2;
  /**
   * Asymptotic ranges, measured (the test prints every gap): b reaches 499.5 near T', so D b_max < 1 needs
   * N > 500, and em, ei change sign (W2_N - W2 from above to below) before their first-order regime.
   */
  const monotoneFrom = { em: 16000, ei: 64000, euler: 16000, heun: 1000 };
  const orderOn = { em: [128000, 512000], ei: [128000, 512000], euler: [128000, 512000], heun: [4000, 64000] };
  const cell = (rows: TableRow[], scheme: string, n: number | null, init: string) =>
    rows.find((r) => r.scheme === scheme && r.steps === n && r.init === init && r.eps === eps)!.w2 as number;

  it('table: finite W2 for every scheme and start, equal to a naive transcription, converging to the continuous row at orders 1 (em, ei, euler) and 2 (heun)', async () => {
    const { rows, diagnostics } = await table(spectrum, { schedule: 'cosine', steps, eps: [eps] });
    expect(diagnostics).toBeUndefined();
    for (const r of rows) expect(Number.isFinite(r.w2)).toBe(true);
    const sched = cosine();
    const T = sched.horizon;
    const B = (s: number) => -Math.log(alphaBar(s)) / 2; // naive B from alpha_bar
    let worstNaive = 0;
    for (const scheme of schemes) {
      for (const init of ['pT', 'normal']) {
        // The naive transcription at the smallest N (1e-9 relative: naive B loses ~1e-13 near 0 and T').
        const grid = Array.from({ length: steps[0] }, (_, k) => ((T - eps) * k) / (steps[0] - 1));
        const direct = naiveW2(spectrum, naiveVariances(spectrum, bNaive, B, T, grid, scheme, init));
        worstNaive = Math.max(worstNaive, Math.abs(cell(rows, scheme, steps[0], init) / direct - 1));
        const cont = cell(rows, scheme, null, init);
        const signed = steps.map((n) => cell(rows, scheme, n, init) - cont);
        const gaps = signed.map(Math.abs);
        for (let i = 1; i < gaps.length; i++) if (steps[i - 1] >= monotoneFrom[scheme]) expect(gaps[i], `${scheme} ${init} N=${steps[i]}`).toBeLessThan(gaps[i - 1]);
        const [lo, hi] = orderOn[scheme];
        const fit = steps.map((n, i) => [n, gaps[i]]).filter(([n]) => n >= lo && n <= hi);
        const order = -logSlope(fit.map(([n]) => n - 1), fit.map(([, g]) => g));
        console.log(`cosine ${scheme} ${init}: cont. W2 ${cont.toPrecision(6)}, W2_N - cont. ${signed.map((g) => g.toExponential(2)).join(' ')}, order ${order.toFixed(3)}`);
        expect(Math.abs(order - (scheme === 'heun' ? 2 : 1))).toBeLessThan(0.05);
      }
    }
    console.log(`cosine: table vs naive transcription, max rel. diff ${worstNaive.toExponential(2)}`);
    expect(worstNaive).toBeLessThan(1e-9);
  });

  it('the Wasm and reference back ends agree to 1e-12', async () => {
    const opts = { schedule: 'cosine' as const, steps: [50, 400], eps: [0, 1e-3] };
    const wasm = await table(spectrum, opts);
    const ref = await table(spectrum, { ...opts, backend: 'reference' });
    let worst = 0;
    wasm.rows.forEach((r, i) => {
      const a = r.w2 as number;
      const b = ref.rows[i].w2 as number;
      expect(Number.isFinite(a)).toBe(true);
      worst = Math.max(worst, Math.abs(a - b) / Math.max(Math.abs(b), 1e-300));
    });
    console.log(`cosine: wasm vs reference, max rel. diff ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-12);
  });

  it('samplerError, contributions, curve, w2VsEps and validate take the same schedule', async () => {
    const opts = { schedule: 'cosine' as const, cosineS: 0.02, cosineBetaMax: 100 };
    const { rows } = await table(spectrum, { ...opts, schemes: ['heun'], steps: [100], eps: [eps], inits: ['normal'] });
    const w2 = rows[1].w2 as number;
    expect((await samplerError(spectrum, { ...opts, scheme: 'heun', steps: 100, eps, init: 'normal' })).w2).toBe(w2);
    expect((await contributions(spectrum, { ...opts, scheme: 'heun', steps: 100, eps, init: 'normal' })).w2).toBe(w2);
    const c = await curve(spectrum, { ...opts, schemes: ['heun'], inits: ['normal'], steps: 100, eps });
    expect(c.forwardTimes[c.forwardTimes.length - 1]).toBeCloseTo(eps, 15);
    expect(c.series[0].w2.every(Number.isFinite)).toBe(true);
    const sweep = await w2VsEps(spectrum, { ...opts, schemes: ['heun'], inits: ['normal'], steps: 100, eps: [eps] });
    expect(sweep.series[0].w2[0]).toBe(w2);
    expect(sweep.series[0].continuous[0]).toBe(rows[0].w2);
    // A user grid ends at the schedule's horizon T' < T.
    const T = cosine({ cosineS: 0.02, cosineBetaMax: 100 }).horizon;
    const grid = Array.from({ length: 100 }, (_, k) => ((T - eps) * k) / 99);
    expect((await samplerError(spectrum, { ...opts, scheme: 'heun', grid, init: 'normal' })).w2).toBeCloseTo(w2, 12);
    const mc = await validate(spectrum, { ...opts, scheme: 'em', steps: 50, eps, init: 'normal', particles: 2000, seed: 3 });
    expect(mc.closedForm).toBe((await samplerError(spectrum, { ...opts, scheme: 'em', steps: 50, eps, init: 'normal' })).w2);
    expect(mc.consistent).toBe(true);
  });

  it('refuses bad cosine options with typed errors before any work', async () => {
    const s = [1, 2];
    await expectError(table(s, { schedule: 'cosine', cosineS: -0.1 }), 'INVALID_SCHEDULE', 'cosineS');
    await expectError(table(s, { schedule: 'cosine', cosineS: NaN }), 'INVALID_SCHEDULE', 'cosineS');
    await expectError(table(s, { schedule: 'cosine', horizon: 0 }), 'INVALID_SCHEDULE', 'horizon');
    await expectError(table(s, { schedule: 'cosine', cosineBetaMax: Infinity }), 'INVALID_SCHEDULE', 'cosineBetaMax');
    // b(0) = (k/T) tan(theta(0)) = 0.0197 for the defaults: the schedule must stop after it.
    await expectError(table(s, { schedule: 'cosine', cosineBetaMax: 0.01 }), 'INVALID_SCHEDULE', 'cosineBetaMax', /b\(0\)/);
    // B(T') = log cos(theta(0)) + log hypot(1, ...) > 350.
    await expectError(table(s, { schedule: 'cosine', cosineBetaMax: 1e160 }), 'INVALID_SCHEDULE', 'schedule', /B\(T\)/);
    await expectError(table(s, { schedule: 'cosin' as never }), 'INVALID_SCHEDULE', 'schedule', /cosin/);
    // Keys of the other schedule are refused, not ignored.
    await expectError(table(s, { schedule: 'cosine', betaMax: 20 }), 'UNKNOWN_OPTION', 'opts.betaMax');
    await expectError(samplerError(s, { cosineS: 0.01 }), 'UNKNOWN_OPTION', 'opts.cosineS');
    await expectError(samplerError(s, { schedule: 'cosine', steps: 10, eps: 0.999 }), 'INVALID_EPS', 'eps'); // eps >= T'
  });
});

describe('default schedule unchanged', () => {
  it("builds today's vp-linear schedule (same b and B, bit for bit), and Table 2 cells equal those with schedule: 'vp-linear'", async () => {
    for (const opts of [{}, { betaMin: 0.1, betaMax: 20, horizon: 2 }]) {
      const built = scheduleOf(opts);
      const today = vpLinearOf(opts);
      expect(built.horizon).toBe(today.horizon);
      expect(built.name).toBe(today.name);
      for (let t = 0; t <= today.horizon; t += today.horizon / 97) {
        expect(built.beta(t)).toBe(today.beta(t));
        expect(built.integral(t)).toBe(today.integral(t));
      }
    }
    const spectrum = [1e-3, 0.04, 0.5, 1, 3, 20];
    const opts = { steps: [50, 250], eps: [1e-3, 0], schemes: ['em' as const, 'heun' as const] };
    const now = await table(spectrum, opts);
    expect((await table(spectrum, { ...opts, schedule: 'vp-linear' })).rows).toEqual(now.rows);
  });
});
