/**
 * pipelineError: the whole score-matching -> sampling pipeline. Its three answers are checked against each
 * other where the theory says they agree (score-matching.md §6 #20-#22): the Monte Carlo (real data sets,
 * exact fits or SGD, exact sampler covariances, exact Bures) against the refined prediction within 3 standard
 * errors, and the first-order kernels against both within the expansion's accuracy; the decomposition adds up;
 * and ULA + Tweedie at sigma^2 = gamma / 2 has no bias.
 */
import { describe, expect, it } from 'vitest';
import { pipelineError, type PipelineOptions } from '../../src/learning/pipeline.js';
import { buresW2, covariance, normals } from '../../src/node.js';
import { expectError } from '../helpers/errors.js';

const L4 = new Float64Array([2, 1, 0.5, 0.25]);
const SMALL = { samples: 1600, sigma: Math.sqrt(0.02) }; // score-matching.md §6 #21-#22

/** |a - b| within k standard errors. */
const within = (a: number, b: number, se: number, k = 3) => Math.abs(a - b) <= k * se;

describe('pipelineError: Monte Carlo against the closed forms', () => {
  it('exact DSM fit (#22): MC within 3 SE of the refined prediction, Langevin and ULA, with and without Tweedie', async () => {
    for (const [sampler, gamma, denoise] of [['langevin', 0, false], ['langevin', 0, true], ['ula', 0.04, false], ['ula', 0.04, true]] as const) {
      const r = await pipelineError(L4, { ...SMALL, sampler, ...(gamma ? { gamma } : {}), denoise, draws: 3000, seed: 7 });
      const mc = r.w2sq.monteCarlo!;
      console.log(`exact fit ${sampler} denoise ${denoise}: MC ${mc.mean.toExponential(4)} +- ${mc.stderr.toExponential(2)}, refined ${r.w2sq.refined!.toExponential(4)}, first order ${r.w2sq.firstOrder.toExponential(4)}`);
      expect(within(mc.mean, r.w2sq.refined!, mc.stderr), `${sampler} ${denoise}`).toBe(true);
      // The leading order is within the 3% the conventions report for these parameters (§6 #21-#22).
      expect(Math.abs(r.w2sq.firstOrder / mc.mean - 1)).toBeLessThan(0.05);
    }
  });

  it('the Monte Carlo of one draw is the Bures distance of S_N + sigma^2 I (continuous Langevin, exact fit)', async () => {
    // Independent route: with the exact score (S_N + sigma^2)^-1, continuous Langevin samples N(0, S_N + sigma^2 I).
    // (The pipeline draws the modes in ascending order of eigenvalue.)
    const l = Float64Array.from(L4).sort();
    const n = 50;
    const d = 4;
    const r = await pipelineError(L4, { samples: n, sigma: 0.3, draws: 2, seed: 11 });
    const w: number[] = [];
    for (let m = 0; m < 2; m++) {
      const x = await normals(n * d, { seed: 11, offset: m * n * d });
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x[i * d + j] *= Math.sqrt(l[j]);
      const c = (await covariance(x, n, d)).covariance;
      for (let j = 0; j < d; j++) c[j * d + j] += 0.09;
      const target = new Float64Array(d * d);
      for (let j = 0; j < d; j++) target[j * d + j] = l[j];
      w.push((await buresW2(c, target, d)).w2Squared);
    }
    expect(Math.abs(r.w2sq.monteCarlo!.mean / ((w[0] + w[1]) / 2) - 1)).toBeLessThan(1e-10);
  });

  it('SGD at its stationary law (#21): MC within 3 SE of the refined prediction', async () => {
    for (const [sampler, gamma, denoise] of [['langevin', 0, false], ['ula', 0.04, true]] as const) {
      const r = await pipelineError(L4, { ...SMALL, tau: 2.5e-5, sampler, ...(gamma ? { gamma } : {}), denoise, draws: 3000, seed: 3 });
      const mc = r.w2sq.monteCarlo!;
      console.log(`SGD stationary ${sampler} denoise ${denoise}: MC ${mc.mean.toExponential(4)} +- ${mc.stderr.toExponential(2)}, refined ${r.w2sq.refined!.toExponential(4)}, first order ${r.w2sq.firstOrder.toExponential(4)}`);
      expect(within(mc.mean, r.w2sq.refined!, mc.stderr)).toBe(true);
      expect(r.decomposition.optimization).toBeGreaterThan(0);
    }
  });

  it('simulated SGD (K steps from A = 0, past its relaxation) agrees with its stationary law within 3 SE', async () => {
    const l = new Float64Array([2, 1, 0.5]);
    const base: PipelineOptions = { samples: 400, sigma: Math.sqrt(0.1), tau: 2e-3, batch: 4, draws: 150, seed: 5 };
    const sim = (await pipelineError(l, { ...base, sgd: 4000 })).w2sq.monteCarlo!;
    const stat = (await pipelineError(l, base)).w2sq.monteCarlo!;
    console.log(`simulated SGD ${sim.mean.toExponential(4)} +- ${sim.stderr.toExponential(2)}; stationary law ${stat.mean.toExponential(4)} +- ${stat.stderr.toExponential(2)}`);
    expect(within(sim.mean, stat.mean, Math.hypot(sim.stderr, stat.stderr))).toBe(true);
  });

  it('VE diffusion with per-level SGD: MC within 3 SE of the refined prediction', async () => {
    const r = await pipelineError(L4, { samples: 1600, sampler: 'diffusion', sigmaMin: 0.1, sigmaMax: 3, levels: 40, tau: 1e-5, draws: 400, seed: 9 });
    const mc = r.w2sq.monteCarlo!;
    console.log(`diffusion: MC ${mc.mean.toExponential(4)} +- ${mc.stderr.toExponential(2)}, refined ${r.w2sq.refined!.toExponential(4)}, first order ${r.w2sq.firstOrder.toExponential(4)}`);
    expect(within(mc.mean, r.w2sq.refined!, mc.stderr)).toBe(true);
  });

  it('a k-diffusion sampler driven by the exact fit: MC within 3 SE of K_gen / N + its exact-score error', async () => {
    const l = new Float64Array([3, 1, 0.4, 0.1, 0.05]);
    const r = await pipelineError(l, { samples: 2000, sampler: 'dpmpp_2m', steps: 30, draws: 600, seed: 2 });
    const mc = r.w2sq.monteCarlo!;
    console.log(`dpmpp_2m: MC ${mc.mean.toExponential(4)} +- ${mc.stderr.toExponential(2)}, first order ${r.w2sq.firstOrder.toExponential(4)}`);
    expect(r.w2sq.refined).toBeNull();
    expect(r.diagnostics.some((g) => g.code === 'no-refined')).toBe(true);
    expect(within(mc.mean, r.w2sq.firstOrder, mc.stderr)).toBe(true);
  });
});

describe('pipelineError: decomposition and rules', () => {
  it('the sources add up to the first order; noise + discretization is the bias', async () => {
    const r = await pipelineError(L4, { ...SMALL, tau: 2.5e-5, sampler: 'ula', gamma: 0.01, draws: 0 });
    const { generalization, optimization, discretization, noise } = r.decomposition;
    expect(Math.abs(generalization + optimization + discretization + noise - r.w2sq.firstOrder)).toBeLessThan(1e-15);
    expect(r.w2sq.monteCarlo).toBeNull();
    const sums = (a: Float64Array) => a.reduce((s, v) => s + v, 0);
    expect(Math.abs(sums(r.perMode.bias) - (discretization + noise)) / (discretization + noise)).toBeLessThan(1e-12);
    expect(Math.abs(sums(r.perMode.generalization) - generalization) / generalization).toBeLessThan(1e-12);
    // Noise = continuous Langevin's bias (S + sigma^2 I): per mode (sqrt(l + u) - sqrt l)^2.
    const u = 0.02;
    const noise0 = Array.from(L4).reduce((s, l) => s + (Math.sqrt(l + u) - Math.sqrt(l)) ** 2, 0);
    expect(Math.abs(noise / noise0 - 1)).toBeLessThan(1e-12);
  });

  it('ULA + Tweedie at sigma^2 = gamma / 2: discretization cancels the noise exactly (score-matching.md §3c)', async () => {
    const r = await pipelineError(L4, { samples: 1000, sigma: Math.sqrt(0.02), sampler: 'ula', gamma: 0.04, denoise: true, draws: 0 });
    expect(Math.abs(r.decomposition.noise + r.decomposition.discretization)).toBeLessThan(1e-18);
    expect(r.decomposition.noise).toBeGreaterThan(0);
    expect(r.w2sq.refined! - r.decomposition.generalization).toBeLessThan(r.decomposition.generalization * 0.05);
  });

  it('bad input is refused before any work, with typed errors', async () => {
    await expectError(() => pipelineError(L4, { samples: 100, sigma: 0.1, tau: 0.01, fit: 'exact' }), 'INVALID_OPTION', 'tau');
    await expectError(() => pipelineError(L4, { samples: 100, sigma: 0.1, fit: 'sgd' }), 'MISSING_OPTION', 'tau');
    await expectError(() => pipelineError(L4, { samples: 100, sigma: 0.1, sgd: 10 }), 'INVALID_OPTION', 'sgd');
    await expectError(() => pipelineError(L4, { samples: 100, sigma: 0.1, sampler: 'nope' }), 'INVALID_OPTION', 'sampler');
    await expectError(() => pipelineError(L4, { samples: 100, sigma: 0.1, sampler: 'euler' }), 'INVALID_OPTION', 'sigma');
    await expectError(() => pipelineError(L4, { samples: 100, sampler: 'euler', tau: 1e-3 }), 'INVALID_OPTION', 'tau');
    await expectError(() => pipelineError(L4, { samples: 100, sigma: 0.1, steps: 10 }), 'INVALID_OPTION', 'steps');
    await expectError(() => pipelineError(L4, { samples: 100, sigma: 0.1, draws: 1 }), 'INVALID_OPTION', 'draws');
    await expectError(() => pipelineError(L4, { samples: 100, sigma: 0.1, drawz: 1 } as unknown as PipelineOptions), 'UNKNOWN_OPTION', 'opts.drawz');
    await expectError(() => pipelineError(new Float64Array(3000).fill(1), { samples: 100, sigma: 0.1, draws: 10 }), 'TOO_LARGE', 'draws');
    const input = Float64Array.from(L4);
    await pipelineError(input, { samples: 100, sigma: 0.1, draws: 2 });
    expect(Array.from(input)).toEqual(Array.from(L4));
  });

  it('is reproducible: the same seed gives the same Monte Carlo bit for bit', async () => {
    const a = await pipelineError(L4, { samples: 200, sigma: 0.2, tau: 1e-4, draws: 20, seed: 42 });
    const b = await pipelineError(L4, { samples: 200, sigma: 0.2, tau: 1e-4, draws: 20, seed: 42 });
    expect(b.w2sq.monteCarlo).toEqual(a.w2sq.monteCarlo);
    const c = await pipelineError(L4, { samples: 200, sigma: 0.2, tau: 1e-4, draws: 20, seed: 43 });
    expect(c.w2sq.monteCarlo!.mean).not.toBe(a.w2sq.monteCarlo!.mean);
  });
});
