/**
 * diffusers' unipc (UniPCMultistepScheduler: bh2 and bh1, predict_x0, lower_order_final, corrector on every step but the
 * first) against an independent PROBE: diffusers' step() / multistep_uni_p_bh_update / multistep_uni_c_bh_update
 * run literally per mode (Zhao et al. 2023, Algorithms 2-3, B(h) = expm1(hh) (bh2) or hh (bh1)), on the coefficient of x_T (the
 * sampler is deterministic: every quantity is a scalar multiple of x_T), with the exact model's
 * x0_hat = alpha l / (alpha^2 l + sigma^2) x, sigmas from a plain product of the betas, the phi recursion as
 * diffusers writes it and the linear systems solved by Cramer's rule. Nothing here reads a tape. Tolerance 1e-12
 * relative plus the round-off floor 2 n eps (l + 1). Then NFE = steps, Wasm vs reference, W2 against steps and
 * against dpmsolver++ order 2 on the image-like spectrum.
 */
import { describe, expect, it } from 'vitest';
import { prepareSpectrum, imageLikeSpectrum } from '../../src/node.js'; // also sets the Wasm source
import { runTapeReference } from '../../src/diffusion/statespace/reference.js';
import { DISCRETE_SAMPLERS, discreteSamplerError, discreteSchedule } from '../../src/diffusion/discrete/index.js';
import { randomSpectrum } from '../helpers/random.js';

const EPS = 2 ** -52;
const N = 1000;

function betas(kind: string): number[] {
  if (kind === 'linear') return Array.from({ length: N }, (_, i) => 1e-4 + ((0.02 - 1e-4) * i) / (N - 1));
  if (kind === 'scaled_linear') {
    const [a, b] = [Math.sqrt(0.00085), Math.sqrt(0.012)];
    return Array.from({ length: N }, (_, i) => (a + ((b - a) * i) / (N - 1)) ** 2);
  }
  const f = (t: number) => Math.cos(((t + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
  return Array.from({ length: N }, (_, i) => Math.min(1 - f((i + 1) / N) / f(i / N), 0.999));
}

/** sigma_t = sqrt((1 - ab_t) / ab_t), with 1 - ab_t by q <- q + p beta, p <- p (1 - beta) (no cancellation). */
function sigmasOf(bs: number[]): number[] {
  let p = 1;
  let q = 0;
  return bs.map((beta) => {
    q += p * beta;
    p *= 1 - beta;
    return Math.sqrt(q / p);
  });
}

const roundEven = (x: number): number => (Math.abs(x - Math.floor(x) - 0.5) < 1e-9 ? (Math.floor(x) % 2 === 0 ? Math.floor(x) : Math.ceil(x)) : Math.round(x));

/** UniPCMultistepScheduler.set_timesteps, written out: n + 1 points (linspace, leading), the last dropped; trailing as DDIM's. */
function unipcTimesteps(spacing: string, n: number): number[] {
  if (spacing === 'trailing') return Array.from({ length: n }, (_, k) => Math.round(N - (k * N) / n) - 1);
  const out: number[] = [];
  for (let i = n; i >= 1; i--) out.push(spacing === 'leading' ? i * Math.floor(N / (n + 1)) : roundEven((i * (N - 1)) / n));
  return out;
}

/** Cramer's rule for 1 x 1, 2 x 2, 3 x 3 systems. */
function cramer(A: number[][], y: number[]): number[] {
  const det = (M: number[][]): number =>
    M.length === 1 ? M[0][0]
      : M.length === 2 ? M[0][0] * M[1][1] - M[0][1] * M[1][0]
        : M[0][0] * (M[1][1] * M[2][2] - M[1][2] * M[2][1]) - M[0][1] * (M[1][0] * M[2][2] - M[1][2] * M[2][0]) + M[0][2] * (M[1][0] * M[2][1] - M[1][1] * M[2][0]);
  const d = det(A);
  return y.map((_, c) => det(A.map((row, p) => row.map((v, q) => (q === c ? y[p] : v)))) / d);
}

/** One mode of diffusers' UniPC sampling loop; returns the coefficient of x_T in the output and the model calls. */
function probeUniPC(l: number, sigmaTable: number[], timesteps: number[], solverOrder: number, solverType = 'bh2'): { coef: number; calls: number } {
  const sigmas = [...timesteps.map((t) => sigmaTable[t]), 0]; // final_sigmas_type 'zero'
  const alphaSigma = (s: number): [number, number] => [1 / Math.sqrt(s * s + 1), s / Math.sqrt(s * s + 1)];
  const lambda = (s: number) => {
    const [a, sg] = alphaSigma(s);
    return Math.log(a) - Math.log(sg);
  };
  const modelOutputs: number[] = new Array<number>(solverOrder).fill(NaN);
  let lastSample: number | undefined;
  let thisOrder = 0;
  let lowerOrderNums = 0;
  let calls = 0;

  /** The shared part: h, hh, h_phi_1, B_h, rks, D1s, R, b as diffusers builds them. */
  const setup = (sT: number, sS0: number, si: (i: number) => number, order: number, m0: number) => {
    const [alphaT, sigmaT] = alphaSigma(sT);
    const sigmaS0 = alphaSigma(sS0)[1];
    const h = lambda(sT) - lambda(sS0);
    const rks: number[] = [];
    const D1s: number[] = [];
    for (let i = 1; i < order; i++) {
      const rk = (lambda(sigmas[si(i)]) - lambda(sS0)) / h;
      rks.push(rk);
      D1s.push((modelOutputs[solverOrder - 1 - i] - m0) / rk);
    }
    rks.push(1);
    const hh = -h;
    const hPhi1 = Math.expm1(hh);
    let hPhiK = hPhi1 / hh - 1;
    let factorialI = 1;
    const Bh = solverType === 'bh1' ? hh : Math.expm1(hh);
    const R: number[][] = [];
    const b: number[] = [];
    for (let i = 1; i <= order; i++) {
      R.push(rks.map((r) => r ** (i - 1)));
      b.push((hPhiK * factorialI) / Bh);
      factorialI *= i + 1;
      hPhiK = hPhiK / hh - 1 / factorialI;
    }
    return { alphaT, sigmaT, sigmaS0, hPhi1, Bh, D1s, R, b };
  };

  let x = 1; // the coefficient of x_T
  const n = timesteps.length;
  for (let stepIndex = 0; stepIndex < n; stepIndex++) {
    calls++;
    const [alpha, sigma] = alphaSigma(sigmas[stepIndex]);
    const modelT = ((alpha * l) / (alpha * alpha * l + sigma * sigma)) * x; // exact x0_hat at the given sample
    if (stepIndex > 0 && lastSample !== undefined) {
      // multistep_uni_c_bh_update
      const m0 = modelOutputs[solverOrder - 1];
      const s = setup(sigmas[stepIndex], sigmas[stepIndex - 1], (i) => stepIndex - (i + 1), thisOrder, m0);
      const rhosC = thisOrder === 1 ? [0.5] : cramer(s.R, s.b);
      const corrRes = s.D1s.reduce((acc, d, k) => acc + rhosC[k] * d, 0);
      const xT_ = (s.sigmaT / s.sigmaS0) * lastSample - s.alphaT * s.hPhi1 * m0;
      x = xT_ - s.alphaT * s.Bh * (corrRes + rhosC[rhosC.length - 1] * (modelT - m0));
    }
    for (let i = 0; i < solverOrder - 1; i++) modelOutputs[i] = modelOutputs[i + 1];
    modelOutputs[solverOrder - 1] = modelT;
    thisOrder = Math.min(Math.min(solverOrder, n - stepIndex), lowerOrderNums + 1);
    lastSample = x;
    // multistep_uni_p_bh_update
    const m0 = modelOutputs[solverOrder - 1];
    const s = setup(sigmas[stepIndex + 1], sigmas[stepIndex], (i) => stepIndex - i, thisOrder, m0);
    const xT_ = (s.sigmaT / s.sigmaS0) * x - s.alphaT * s.hPhi1 * m0;
    let predRes = 0;
    if (s.D1s.length > 0) {
      const rhosP = thisOrder === 2 ? [0.5] : cramer(s.R.slice(0, -1).map((row) => row.slice(0, -1)), s.b.slice(0, -1));
      predRes = s.D1s.reduce((acc, d, k) => acc + rhosP[k] * d, 0);
    }
    // Order 1 has no differences: no B(h) term (diffusers writes alpha_t B_h * 0, NaN with bh1's B_h = hh = -inf at sigma 0).
    x = s.D1s.length > 0 ? xT_ - s.alphaT * s.Bh * predRes : xT_;
    if (lowerOrderNums < solverOrder) lowerOrderNums++;
  }
  return { coef: x, calls };
}

describe('unipc against the probe of diffusers\' UniPCMultistepScheduler.step', () => {
  const { values, counts } = prepareSpectrum(randomSpectrum(91, 40, 2));
  const measured: string[] = [];
  for (const betaSchedule of ['linear', 'scaled_linear', 'squaredcos_cap_v2'] as const) {
    const sigmaTable = sigmasOf(betas(betaSchedule));
    const schedule = discreteSchedule(betaSchedule);
    for (const [order, solverType] of [1, 2, 3].flatMap((o) => [[o, 'bh2'], [o, 'bh1']] as const)) {
      it(`${betaSchedule} order ${order} ${solverType}: variances and NFE for 1..20 steps, all spacings, both starts`, () => {
        let worst = 0;
        for (const steps of [1, 2, 3, 5, 10, 20]) {
          for (const spacing of ['linspace', 'leading', 'trailing'] as const) {
            const timesteps = unipcTimesteps(spacing, steps);
            for (const start of ['prior', 'exact'] as const) {
              const tape = DISCRETE_SAMPLERS.unipc.build(schedule, timesteps, { order, solverType, start });
              const got = runTapeReference(values, values, counts, tape);
              const s0 = sigmaTable[timesteps[0]];
              values.forEach((l, i) => {
                const { coef, calls } = probeUniPC(l, sigmaTable, timesteps, order, solverType);
                // Var x_T: 1 (prior) or ab l + 1 - ab = (l + s0^2) / (1 + s0^2) (exact).
                const v = coef * coef * (start === 'prior' ? 1 : (l + s0 * s0) / (1 + s0 * s0));
                const gap = Math.abs(got.variances[i] - v);
                if (v > 0) worst = Math.max(worst, gap / v);
                expect(gap, `n=${steps} ${spacing} ${start} l=${l}: tape ${got.variances[i]} probe ${v}`).toBeLessThanOrEqual(1e-12 * v + 2 * steps * EPS * (l + 1));
                expect(tape.nfe).toBe(calls);
              });
              expect(tape.nfe).toBe(steps);
              expect(got.curve.length).toBe(steps);
            }
          }
        }
        measured.push(`${betaSchedule} unipc order ${order} ${solverType}: worst rel ${worst.toExponential(1)}`);
      });
    }
  }
  it('reports', () => {
    console.log(measured.join('\n'));
    expect(measured.length).toBe(18);
  });
});

describe('unipc through discreteSamplerError', () => {
  const spectrum = randomSpectrum(7, 64, 3);

  it('Wasm and reference back ends agree to 1e-12; curve ends at w2Squared; NFE = steps', async () => {
    for (const order of [1, 2, 3]) {
      for (const betaSchedule of ['linear', 'scaled_linear', 'squaredcos_cap_v2'] as const) {
        for (const steps of [1, 2, 5, 20]) {
          const common = { sampler: 'unipc', steps, order, betaSchedule, timestepSpacing: 'linspace' as const };
          const w = await discreteSamplerError(spectrum, { ...common, backend: 'wasm' });
          const r = await discreteSamplerError(spectrum, { ...common, backend: 'reference' });
          expect(Math.abs(w.w2Squared - r.w2Squared), `${order} ${betaSchedule} ${steps}`).toBeLessThanOrEqual(1e-12 * r.w2Squared);
          w.curve.forEach((c, k) => expect(Math.abs(c - r.curve[k])).toBeLessThanOrEqual(1e-12 * r.curve[k] + 1e-300));
          expect(Math.abs(r.curve[steps - 1] - r.w2Squared)).toBeLessThanOrEqual(1e-12 * r.w2Squared);
          expect(w.nfe).toBe(steps);
        }
      }
    }
  });

  it('image-like spectrum: W2 decreases with steps, and unipc order 2 is at least as good as dpmsolver++ order 2 at 20 steps', async () => {
    const image = imageLikeSpectrum();
    const rows: string[] = [];
    for (const start of ['exact', 'prior'] as const) {
      const common = { betaSchedule: 'linear' as const, timestepSpacing: 'linspace' as const, order: 2, start };
      const ns = [1, 2, 5, 10, 20, 50, 100];
      const uni: number[] = [];
      const dpm: number[] = [];
      for (const steps of ns) {
        uni.push((await discreteSamplerError(image, { ...common, sampler: 'unipc', steps })).w2);
        dpm.push((await discreteSamplerError(image, { ...common, sampler: 'dpmsolver++', steps })).w2);
      }
      rows.push(`${start} start, steps ${ns.join(' ')}\n  unipc(2)       ${uni.map((w) => w.toExponential(3)).join(' ')}\n  dpmsolver++(2) ${dpm.map((w) => w.toExponential(3)).join(' ')}`);
      for (let k = 1; k < ns.length; k++) expect(uni[k], `${start} unipc n=${ns[k]}`).toBeLessThan(uni[k - 1]);
      const k20 = ns.indexOf(20);
      expect(uni[k20], `${start}: unipc ${uni[k20]} vs dpmsolver++ ${dpm[k20]}`).toBeLessThanOrEqual(dpm[k20]);
    }
    console.log(rows.join('\n'));
  });

  it('order 4, an unknown solverType and solverType with another sampler are refused with typed errors before the spectrum is read', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ sampler: 'unipc', steps: 10, order: 4 }, 'order'],
      [{ sampler: 'unipc', steps: 10, solverType: 'bh3' }, 'solverType'],
      [{ sampler: 'unipc', steps: 10, solverType: 'midpoint' }, 'solverType'],
      [{ sampler: 'dpmsolver++', steps: 10, solverType: 'bh1' }, 'solverType'],
    ];
    for (const [opts, argument] of cases) {
      const err = await discreteSamplerError([Number.NaN], opts as never).catch((e: unknown) => e);
      expect(err, JSON.stringify(opts)).toMatchObject({ code: 'INVALID_OPTION', argument });
    }
  });

  it('bh1 and bh2 differ exactly where rho is fixed (order-1 UniC, order-2 UniP) and are the same sampler at order 1 with one step', async () => {
    const image = imageLikeSpectrum();
    const run = (solverType: 'bh1' | 'bh2', order: number, steps: number) =>
      discreteSamplerError(image, { sampler: 'unipc', steps, order, solverType, timestepSpacing: 'linspace', start: 'exact' });
    for (const order of [1, 2, 3]) {
      const [a, b] = [await run('bh1', order, 20), await run('bh2', order, 20)];
      expect(Math.abs(a.w2 - b.w2), `order ${order}: bh1 ${a.w2} bh2 ${b.w2}`).toBeGreaterThan(1e-6 * b.w2);
    }
    // One step: the order-1 predictor to sigma 0 only (no corrector, no B(h) term): identical.
    expect((await run('bh1', 2, 1)).w2).toBe((await run('bh2', 2, 1)).w2);
  });
});
