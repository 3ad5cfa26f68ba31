/**
 * First-order kernels of the pipeline (src/learning/kernels.ts): the Wasm sums against a plain double loop
 * over all modes written here from ../shared/score-matching.md §2-§4 (not from the library), the figures of
 * §6, small-sigma limits, a Monte-Carlo check of K_gen, heat maps and typed errors.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { normals, buresW2, closeThreads, covariance } from '../../src/node.js';
import {
  pipelineKernel, kernelHeatmap, pairRanges, kernelFeatures, resolveKernelParams, laplaceNodes, laplaceRowSums, laplaceWeight,
  pairRowSums, LAPLACE_MIN_DISTINCT, type KernelParams,
  fOverL,
} from '../../src/learning/kernels.js';
import { prepareSpectrum } from '../../src/spectra/spectrum.js';
import { NeumaierSum } from '../../src/core/sums.js';
import { poolState } from '../../src/runtime/pool.js';
import { expectError } from '../helpers/errors.js';

/** A seeded random spectrum with repeated values (and optionally zeros). */
function randomSpectrum(distinct: number, seed: number, zeros = 0): number[] {
  let x = seed;
  const rand = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
  const out: number[] = [];
  for (let k = 0; k < distinct; k++) {
    const l = Math.exp(-6 * rand() + 1);
    const reps = 1 + Math.floor(3 * rand());
    for (let r = 0; r < reps; r++) out.push(l);
  }
  for (let k = 0; k < zeros; k++) out.push(0);
  return out;
}

interface Full { tau: number; B: number; N: number }

/** Output variance of one mode under the exact score, straight from §3 (not from modes.ts). */
function outputVariance(l: number, p: KernelParams): number {
  if (p.sampler === 'diffusion') {
    const u = grid(p);
    let v = l + u[0];
    for (let k = 0; k + 1 < u.length; k++) { const h = u[k] - u[k + 1]; v = (1 - h / (l + u[k])) ** 2 * v + h; }
    const um = u[u.length - 1];
    return p.denoise ? (l / (l + um)) ** 2 * v : v;
  }
  const u = p.sigma! ** 2, c = l + u;
  const v = p.sampler === 'ula' ? (2 * c * c) / (2 * c - p.gamma!) : c;
  return p.denoise ? (l / c) ** 2 * v : v;
}

function grid(p: KernelParams): number[] {
  const a = p.sigmaMax! ** 2, b = p.sigmaMin! ** 2, K = p.levels!;
  return Array.from({ length: K + 1 }, (_, k) => (k === K ? b : p.spacing === 'geometric' ? a * (b / a) ** (k / K) : a - (k / K) * (a - b)));
}

/** sum_{i,j over modes} of each source, each pair from its formula (score-matching.md §4), O(d^2) plain loops. */
function reference(lam: number[], p: KernelParams): { generalization: number; optimization: number; bias: number } {
  const d = lam.length;
  const { N, tau, B } = { N: p.samples, tau: p.tau ?? 0, B: p.batch ?? 1 } as Full;
  const genRows = new NeumaierSum(), optRows = new NeumaierSum(); // row sums added by Neumaier's sum (d up to 4e3)
  let bias = 0;
  // (K4) discrete: E dS_ij^2 = sum_k h_k^2 P_ij(k)^2 (v_ki (sbar_kj m_kj)^2 + v_kj (sbar_ki m_ki)^2), 4 (..)^2 v for i = j
  const u = p.sampler === 'diffusion' ? grid(p) : [];
  const K = u.length - 1;
  const per = lam.map((l) => {
    const m: number[] = [], sb: number[] = [];
    let s = l + u[0];
    for (let k = 0; k < K; k++) { sb.push(s); m.push(1 - (u[k] - u[k + 1]) / (l + u[k])); s = m[k] ** 2 * s + (u[k] - u[k + 1]); }
    return { m, sb };
  });
  const F = (l: number) => {
    const um = p.sigmaMin! ** 2, uM = p.sigmaMax! ** 2;
    const g = (x: number) => Math.log(x / (l + x)) + l / (l + x) + (l * l) / (2 * (l + x) ** 2);
    return (g(uM) - g(um)) / (l * l);
  };
  for (let i = 0; i < d; i++) {
    let gen = 0, opt = 0;
    for (let j = 0; j < d; j++) {
      const li = lam[i], lj = lam[j], H = 1 / (2 * (li + lj));
      gen += (li * lj) / (2 * N * (li + lj)) + (i === j ? li / (4 * N) + (p.meanEstimated ? li / N : 0) : 0);
      if (p.sampler !== 'diffusion') {
        const u2 = p.sigma! ** 2, ci = li + u2, cj = lj + u2;
        const vi = (tau * li) / (2 * B * u2 * ci), vj = (tau * lj) / (2 * B * u2 * cj);
        if (p.symmetric) {
          const si = li / (u2 * ci), sj = lj / (u2 * cj);
          const V = i === j ? (tau * si) / (2 * B) : (tau * (si * cj + sj * ci)) / (4 * B * (ci + cj));
          opt += ci * ci * cj * cj * V * H;
        } else {
          opt += (i === j ? ci ** 4 * vi : (ci * ci * cj * cj * (cj * cj * vi + ci * ci * vj)) / (ci + cj) ** 2) * H;
        }
      } else if (p.limit === 'continuous') {
        const h = (p.sigmaMax! ** 2 - p.sigmaMin! ** 2) / K, um = p.sigmaMin! ** 2;
        const E = ((h * tau) / (2 * B)) * ((li + um) * (lj + um)) ** 2 * (F(li) + F(lj));
        opt += (i === j ? 2 : 1) * E * H;
      } else {
        let E = 0;
        for (let k = 0; k < K; k++) {
          const h = u[k] - u[k + 1];
          let P = 1;
          for (let l = k + 1; l < K; l++) P *= per[i].m[l] * per[j].m[l];
          const v = (x: number) => (tau * x) / (2 * B * u[k] * (x + u[k]));
          const ai = per[i].sb[k] * per[i].m[k], aj = per[j].sb[k] * per[j].m[k];
          E += h * h * P * P * (i === j ? 4 * ai * ai * v(li) : v(li) * aj * aj + v(lj) * ai * ai);
        }
        opt += E * H;
      }
    }
    genRows.add(gen);
    optRows.add(opt);
    const v = outputVariance(lam[i], p);
    bias += p.bias === 'first-order' ? (v - lam[i]) ** 2 / (4 * lam[i]) : (Math.sqrt(v) - Math.sqrt(lam[i])) ** 2;
  }
  return { generalization: genRows.value, optimization: optRows.value, bias };
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

/** x printed with the digits of `printed` (e.g. '1.0073e-2') reads the same. */
function matchesPrinted(x: number, printed: string): void {
  const digits = printed.split('e')[0].replace('.', '').replace('-', '').length;
  expect(x.toExponential(digits - 1), `${x} vs ${printed}`).toBe(Number(printed).toExponential(digits - 1));
}

describe('pipelineKernel against a plain double loop over all modes', () => {
  const cases: [string, KernelParams][] = [
    ['Langevin, free A', { samples: 300, sigma: 0.2, tau: 1e-4, batch: 2 }],
    ['Langevin, symmetric A, mean estimated, Tweedie', { samples: 50, sigma: 0.05, tau: 3e-5, symmetric: true, meanEstimated: true, denoise: true }],
    ['ULA, first-order bias', { samples: 1000, sigma: 0.1, tau: 2e-4, sampler: 'ula', gamma: 0.003, bias: 'first-order' }],
    ['ULA + Tweedie', { samples: 1000, sigma: 0.1, tau: 2e-4, sampler: 'ula', gamma: 0.003, denoise: true }],
    ['VE diffusion, uniform, discrete', { samples: 80, tau: 1e-5, sampler: 'diffusion', sigmaMin: 0.05, sigmaMax: 3, levels: 12 }],
    ['VE diffusion, geometric, Tweedie', { samples: 80, tau: 1e-5, sampler: 'diffusion', sigmaMin: 0.05, sigmaMax: 3, levels: 9, spacing: 'geometric', denoise: true }],
    ['VE diffusion, continuous limit', { samples: 80, tau: 1e-5, sampler: 'diffusion', sigmaMin: 0.05, sigmaMax: 3, levels: 50, limit: 'continuous' }],
  ];
  for (const [name, params] of cases) {
    it(`${name}: every source to 1e-12, perMode adds up to the totals`, async () => {
      const lam = randomSpectrum(params.sampler === 'diffusion' ? 40 : 400, 7); // 400 distinct: several Wasm blocks
      const r = await pipelineKernel(lam, params);
      const ref = reference(lam, params);
      for (const s of ['generalization', 'optimization', 'bias'] as const) {
        expect(rel(r.sources[s], ref[s]), s).toBeLessThan(1e-12);
        const sum = r.perMode[s].reduce((a, b) => a + b, 0);
        expect(rel(sum, r.sources[s]), s).toBeLessThan(1e-13);
      }
      expect(r.total).toBe(r.sources.generalization + r.sources.optimization + r.sources.bias);
      expect(r.counts.reduce((a, b) => a + b, 0)).toBe(lam.length);
    });
  }

  it('the matrices over distinct values: rows add up to perMode, entries to the totals', async () => {
    const lam = randomSpectrum(30, 3);
    const r = await pipelineKernel(lam, { samples: 100, sigma: 0.1, tau: 1e-4 }, { matrix: true });
    const D = r.values.length;
    for (const s of ['generalization', 'optimization', 'bias'] as const) {
      const M = r.matrix![s];
      for (let k = 0; k < D; k++) {
        let row = 0;
        for (let m = 0; m < D; m++) { row += M[k * D + m]; expect(M[k * D + m]).toBe(M[m * D + k]); }
        expect(rel(row, r.perMode[s][k]) < 1e-12 || row === r.perMode[s][k], s).toBe(true);
      }
    }
  });

  it('zero eigenvalues (as ADSN): finite, the limit of tiny ones; first-order bias Infinity with a diagnostic', async () => {
    const lam = randomSpectrum(20, 5, 7);
    const params: KernelParams = { samples: 100, sigma: 0.1, tau: 1e-4, sampler: 'ula', gamma: 0.01, denoise: true };
    const r = await pipelineKernel(lam, params);
    const ref = reference(lam.map((l) => (l === 0 ? 1e-200 : l)), params);
    for (const s of ['generalization', 'optimization', 'bias'] as const) expect(rel(r.sources[s], ref[s]), s).toBeLessThan(1e-12);
    expect(r.diagnostics).toEqual([]);
    const first = await pipelineKernel(lam, { ...params, denoise: false, bias: 'first-order' });
    expect(first.sources.bias).toBe(Infinity);
    expect(first.diagnostics.map((d) => d.code)).toEqual(['zero-eigenvalue-bias']);
  });
});

describe('score-matching.md §6 figures', () => {
  const flat = Array(6).fill(1);
  const power = Array.from({ length: 8 }, (_, k) => (k + 1) ** -1.5);
  const spread = [4, 1, 0.25, 0.0625, 0.015625];
  const gen = async (lam: number[], N: number, meanEstimated = false) =>
    (await pipelineKernel(lam, { samples: N, sigma: 1, meanEstimated })).sources.generalization;

  it('#2-#5: K_gen / N with known and estimated mean', async () => {
    matchesPrinted(await gen(flat, 400), '2.6250e-2');
    matchesPrinted(await gen(flat, 400, true), '4.1250e-2');
    matchesPrinted(await gen(power, 1600), '1.7393e-3');
    matchesPrinted(await gen(power, 1600, true), '2.9434e-3');
    matchesPrinted(await gen(spread, 100), '4.128e-2');
    matchesPrinted(await gen(spread, 400), '1.032e-2');
    matchesPrinted(await gen(spread, 1600), '2.580e-3');
  });

  it('#12: K_opt (Bures weights at c = l + sigma^2, as check_kernel_linearization.py)', async () => {
    const lam = [2, 1, 0.5, 0.25];
    for (const [s2, tau, printed] of [[0.1, 5e-4, '1.0073e-2'], [0.02, 1e-4, '9.058e-3']] as const) {
      const r = await pipelineKernel(lam, { samples: 1, sigma: Math.sqrt(s2), tau }, { matrix: true });
      // entry (k, m) carries the weight 1 / (2 (l_k + l_m)); the script weighs by 1 / (2 (c_k + c_m)).
      let sum = 0;
      const l = r.values; // ascending
      for (let k = 0; k < 4; k++) for (let m = 0; m < 4; m++) sum += r.matrix!.optimization[k * 4 + m] * (l[k] + l[m]) / (l[k] + l[m] + 2 * s2);
      matchesPrinted(sum, printed);
    }
  });

  it('#8 and #7: ULA bias, exact per mode; ULA + Tweedie at sigma^2 = gamma / 2 is exact', async () => {
    const lam = [4, 1, 0.25, 0.0625];
    const ula = (denoise: boolean, sigma: number, gamma: number) =>
      pipelineKernel(lam, { samples: 1, sigma, sampler: 'ula', gamma, denoise });
    matchesPrinted((await ula(false, Math.sqrt(0.003), 0.002)).sources.bias, '8.34e-5');
    matchesPrinted((await ula(true, Math.sqrt(0.003), 0.002)).sources.bias, '2.046e-5');
    expect((await ula(true, Math.sqrt(0.025), 0.05)).sources.bias).toBeLessThan(1e-28);
  });

  it('#19: diffusion optimization kernel, continuous limit vs discrete (u_max 20, tau 2e-6, h / u_min = 0.02 and 0.2)', async () => {
    const lam = [4, 1, 0.25, 0.0625];
    for (const [uMin, cont, disc] of [[0.01, '9.565e-9', '9.539e-9'], [0.001, '1.713e-8', '1.680e-8']] as const) {
      const p: KernelParams = { samples: 1, sampler: 'diffusion', sigmaMin: Math.sqrt(uMin), sigmaMax: Math.sqrt(20), levels: 100000, tau: 2e-6 };
      matchesPrinted((await pipelineKernel(lam, { ...p, limit: 'continuous' })).sources.optimization, cont);
      matchesPrinted((await pipelineKernel(lam, p)).sources.optimization, disc);
    }
  });
});

describe('small-sigma limits (score-matching.md §4 K2)', () => {
  it('K_opt, free and symmetric A, tends to its sigma^2 << l form with error O(sigma^2 / l)', async () => {
    const lam = [3, 1.5, 1, 0.5];
    const tau = 1e-6, B = 2;
    const small = (s2: number, symmetric: boolean) => {
      let sum = 0;
      for (const l of lam) {
        for (const lp of lam) {
          sum += symmetric ? (tau / (8 * B * s2)) * (l * l * lp * lp) / (l + lp) : (tau / (4 * B * s2)) * (l * l * lp * lp * (l * l + lp * lp)) / (l + lp) ** 3;
        }
        sum += (tau * l ** 3) / (16 * B * s2);
      }
      return sum;
    };
    for (const symmetric of [false, true]) {
      const errors: number[] = [];
      for (const s2 of [1e-2, 1e-4, 1e-6]) {
        const r = await pipelineKernel(lam, { samples: 1, sigma: Math.sqrt(s2), tau, batch: B, symmetric });
        errors.push(rel(r.sources.optimization, small(s2, symmetric)));
      }
      expect(errors[1]).toBeLessThan(errors[0] / 50);
      expect(errors[2]).toBeLessThan(errors[1] / 50);
      expect(errors[2]).toBeLessThan(1e-5);
    }
  });
});

describe('Monte Carlo: K_gen / N is the expected W2^2 of the exact DSM minimiser with a perfect sampler', () => {
  it('E W2^2(N(0, S), N(0, S_N)) over M data sets: within 3 standard errors and 2%', async () => {
    const lam = [2.5, 1, 0.4, 0.1];
    const d = 4, N = 200, M = 6000;
    const z = await normals(M * N * d, { seed: 11 });
    const S = new Float64Array(d * d);
    lam.forEach((l, i) => { S[i * d + i] = l; });
    const w: number[] = [];
    for (let t = 0; t < M; t++) {
      const C = new Float64Array(d * d); // S_N = (1/N) sum x x^T, x = S^1/2 z
      for (let n = 0; n < N; n++) {
        const o = (t * N + n) * d;
        for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) C[i * d + j] += Math.sqrt(lam[i] * lam[j]) * z[o + i] * z[o + j] / N;
      }
      w.push((await buresW2(S, C, d)).w2Squared);
    }
    const mean = w.reduce((a, b) => a + b, 0) / M;
    const se = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / (M - 1) / M);
    const pred = (await pipelineKernel(lam, { samples: N, sigma: 1 })).sources.generalization;
    expect(Math.abs(mean - pred)).toBeLessThan(3 * se);
    expect(rel(mean, pred)).toBeLessThan(0.02);
  }, 60000);
});

describe('Monte Carlo: with the mean estimated, K_gen / N + tr S / N (affine score, sample mean and centred S_N over N)', () => {
  it('E W2^2(N(0, S), N(xbar, S_N^c)) over M data sets: within 3 standard errors and 2%', async () => {
    const lam = [2.5, 1, 0.4, 0.1];
    const d = 4, N = 200, M = 6000;
    const z = await normals(M * N * d, { seed: 12 });
    const S = new Float64Array(d * d);
    lam.forEach((l, i) => { S[i * d + i] = l; });
    const w: number[] = [];
    for (let t = 0; t < M; t++) {
      const x = new Float64Array(N * d);
      for (let k = 0; k < N * d; k++) x[k] = Math.sqrt(lam[k % d]) * z[t * N * d + k];
      const { covariance: c, mean } = await covariance(x, N, d, { center: true });
      for (let k = 0; k < d * d; k++) c[k] *= (N - 1) / N; // the conventions divide the centred sum by N
      w.push((await buresW2(S, c, d, { meanB: mean! })).w2Squared);
    }
    const mean = w.reduce((a, b) => a + b, 0) / M;
    const se = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / (M - 1) / M);
    const pred = (await pipelineKernel(lam, { samples: N, sigma: 1, meanEstimated: true })).sources.generalization;
    console.log(`estimated mean: MC ${mean.toExponential(4)} +- ${se.toExponential(2)}, K_gen / N + tr S / N ${pred.toExponential(4)}`);
    expect(Math.abs(mean - pred)).toBeLessThan(3 * se);
    expect(rel(mean, pred)).toBeLessThan(0.02);
  }, 60000);
});

describe('F(l) / l of the continuous diffusion kernel', () => {
  it('is finite and equals a quadrature of int du / (u (l + u)^3) for l / u_min up to 1e20 (was Infinity past 1e16)', () => {
    for (const [l, uMin, uMax] of [[1e10, 1e-8, 100], [1, 1e-4, 10], [1e-6, 1e-4, 10], [3e3, 1e-12, 1e4]]) {
      // Simpson in v = ln u: int u f(u) dv, f = 1 / (u (l + u)^3).
      const n = 200000;
      const a = Math.log(uMin), b = Math.log(uMax), h = (b - a) / n;
      let sum = 0;
      for (let k = 0; k <= n; k++) {
        const u = Math.exp(a + k * h);
        sum += (k === 0 || k === n ? 1 : k % 2 ? 4 : 2) / (l + u) ** 3;
      }
      const ref = (sum * h) / 3;
      const got = fOverL(l, uMin, uMax);
      expect(Number.isFinite(got)).toBe(true);
      expect(rel(got, ref)).toBeLessThan(1e-9);
    }
  });
});

describe('kernelHeatmap', () => {
  it('is K(l, l\') on the grid (row-major), plus Kd where l = l\', symmetric, and agrees with the matrix entries', async () => {
    const params: KernelParams = { samples: 10, sigma: 0.3, tau: 1e-3 };
    const vals = [0.2, 0.7, 1.5];
    const r = await pipelineKernel(vals, params, { matrix: true });
    for (const kind of ['generalization', 'optimization', 'bias'] as const) {
      const H = kernelHeatmap(kind, { rows: vals, cols: vals }, params);
      expect(H.length).toBe(9);
      for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) expect(rel(H[a * 3 + b], r.matrix![kind][a * 3 + b]) < 1e-14 || H[a * 3 + b] === r.matrix![kind][a * 3 + b]).toBe(true);
    }
    const rect = kernelHeatmap('optimization', { rows: [0.1, 1], cols: [0.5, 2, 4] }, params);
    const tr = kernelHeatmap('optimization', { rows: [0.5, 2, 4], cols: [0.1, 1] }, params);
    for (let a = 0; a < 2; a++) for (let b = 0; b < 3; b++) expect(rel(rect[a * 3 + b], tr[b * 2 + a])).toBeLessThan(1e-15);
  });
});

describe('typed errors, before any work', () => {
  const lam = [1, 0.5];
  it('refuses bad parameters, naming the argument', async () => {
    await expectError(() => pipelineKernel(lam, { sigma: 0.1 } as KernelParams), 'MISSING_OPTION', 'params.samples');
    await expectError(() => pipelineKernel(lam, { samples: 10, sigma: 0.1, taux: 1 } as KernelParams), 'UNKNOWN_OPTION', 'params.taux');
    await expectError(() => pipelineKernel(lam, { samples: 10 }), 'MISSING_OPTION', 'params.sigma');
    await expectError(() => pipelineKernel(lam, { samples: 0, sigma: 0.1 }), 'INVALID_OPTION', 'params.samples');
    await expectError(() => pipelineKernel(lam, { samples: 10, sigma: -1 }), 'INVALID_OPTION', 'params.sigma');
    await expectError(() => pipelineKernel(lam, { samples: 10, sigma: 0.1, tau: NaN }), 'INVALID_OPTION', 'params.tau');
    await expectError(() => pipelineKernel(lam, { samples: 10, sigma: 0.1, batch: 1.5 }), 'INVALID_OPTION', 'params.batch');
    await expectError(() => pipelineKernel(lam, { samples: 10, sigma: 0.1, sampler: 'ddim' as never }), 'INVALID_OPTION', 'params.sampler');
    await expectError(() => pipelineKernel(lam, { samples: 10, sigma: 0.1, gamma: 0.1 }), 'INVALID_OPTION', 'params.gamma');
    await expectError(() => pipelineKernel(lam, { samples: 10, sigma: 0.1, sampler: 'ula' }), 'MISSING_OPTION', 'params.gamma');
    // ULA stability: gamma < 2 (l_min + sigma^2) = 1.02
    await expectError(() => pipelineKernel(lam, { samples: 10, sigma: 0.1, sampler: 'ula', gamma: 1.02 }), 'INVALID_OPTION', 'params.gamma', /diverges/);
    await expectError(() => pipelineKernel(lam, { samples: 10, sigma: 0.1, sampler: 'diffusion' }), 'INVALID_OPTION', 'params.sigma');
    await expectError(() => pipelineKernel(lam, { samples: 10, sampler: 'diffusion', sigmaMin: 1, sigmaMax: 2 }), 'MISSING_OPTION', 'params.levels');
    await expectError(() => pipelineKernel(lam, { samples: 10, sampler: 'diffusion', sigmaMin: 2, sigmaMax: 1, levels: 5 }), 'INVALID_OPTION', 'params.sigmaMax');
    await expectError(() => pipelineKernel(lam, { samples: 10, sampler: 'diffusion', sigmaMin: 1, sigmaMax: 2, levels: 5, spacing: 'geometric', limit: 'continuous' }), 'INVALID_OPTION', 'params.limit');
    await expectError(() => pipelineKernel(lam, { samples: 10, sampler: 'diffusion', sigmaMin: 1, sigmaMax: 2, levels: 5, symmetric: true }), 'INVALID_OPTION', 'params.symmetric');
    await expectError(() => pipelineKernel(lam, { samples: 10, sigma: 0.1, levels: 5 }), 'INVALID_OPTION', 'params.levels');
    await expectError(() => pipelineKernel(lam, { samples: 10, sigma: 0.1 }, { matrix: 1 as never }), 'INVALID_OPTION', 'opts.matrix');
    await expectError(() => pipelineKernel([-1, 1], { samples: 10, sigma: 0.1 }), 'NEGATIVE_EIGENVALUE', 'spectrum');
    const big = Array.from({ length: 2049 }, (_, i) => 1 + i);
    await expectError(() => pipelineKernel(big, { samples: 10, sigma: 0.1 }, { matrix: true }), 'TOO_LARGE', 'opts.matrix');
    expect(big[0]).toBe(1); // not mutated
  });
  it('kernelHeatmap refuses a bad kind or grid', () => {
    const p = { samples: 10, sigma: 0.1 };
    expect(() => kernelHeatmap('noise' as never, { rows: [1], cols: [1] }, p)).toThrow(/kind/);
    expect(() => kernelHeatmap('bias', { rows: [], cols: [1] }, p)).toThrow(/grid.rows/);
    expect(() => kernelHeatmap('bias', { rows: [1], cols: [NaN] }, p)).toThrow(/grid.cols/);
  });
});

describe('row ranges and worker threads (the ADSN kernel sum)', () => {
  afterAll(async () => {
    await closeThreads();
  });
  const rank1: KernelParams = { samples: 500, sigma: 0.1, tau: 1e-4, batch: 3, sampler: 'ula', gamma: 0.005 };
  const diffusion: KernelParams = { samples: 80, tau: 1e-5, sampler: 'diffusion', sigmaMin: 0.05, sigmaMax: 3, levels: 6 };

  it('several row ranges add up to the plain double loop to 1e-12 (rank 1, and the discrete diffusion kernel)', async () => {
    for (const [lam, params] of [[randomSpectrum(1500, 11), rank1], [randomSpectrum(600, 12), diffusion]] as const) {
      const D = new Set(lam).size;
      const ranges = pairRanges(D);
      expect(ranges.length).toBeGreaterThan(1);
      expect(ranges[0][0]).toBe(0);
      expect(ranges.at(-1)![1]).toBe(D);
      ranges.slice(1).forEach(([from], i) => expect(from).toBe(ranges[i][1]));
      const r = await pipelineKernel(lam, params, { threads: 1 });
      const ref = reference(lam, params);
      for (const s of ['generalization', 'optimization'] as const) expect(rel(r.sources[s], ref[s]), s).toBeLessThan(1e-12);
    }
  });

  it('row ranges have about equal pair counts (row k has D - k - 1 pairs)', () => {
    const D = 65511;
    const ranges = pairRanges(D);
    const pairs = ranges.map(([a, b]) => (b - a) * (D - 1) - (b * (b - 1) - a * (a - 1)) / 2);
    expect(pairs.reduce((x, y) => x + y, 0)).toBe((D * (D - 1)) / 2);
    for (const p of pairs) expect(Math.abs(p / ((D * (D - 1)) / 2 / ranges.length) - 1)).toBeLessThan(1e-3);
  });

  it('1, 2 and 3 threads give the same sums bit for bit, and the workers did the work', async () => {
    await closeThreads();
    for (const [lam, params] of [[randomSpectrum(1500, 13), rank1], [randomSpectrum(700, 14), diffusion]] as const) {
      const one = await pipelineKernel(lam, params, { threads: 1 });
      for (const threads of [2, 3]) {
        const many = await pipelineKernel(lam, params, { threads });
        expect(many.sources).toEqual(one.sources);
        for (const s of ['generalization', 'optimization'] as const) expect(many.perMode[s]).toEqual(one.perMode[s]);
      }
    }
    expect(await poolState()).toEqual({ workers: 3, held: 0 });
  });

  it('eigenvalues so small that two pairs cannot share a division: the general path, still to 1e-12', async () => {
    // d = s (s + 2 sigma^2)^2 ~ 1e-164 at s = 3e-160: d^2 is below 1e-300, so every pair divides on its own.
    const lam = [1e-160, 2e-160, ...randomSpectrum(300, 15)];
    const r = await pipelineKernel(lam, rank1);
    const ref = reference(lam, rank1);
    for (const s of ['generalization', 'optimization'] as const) expect(rel(r.sources[s], ref[s]), s).toBeLessThan(1e-12);
  });

  it('refuses a bad thread count before any work', async () => {
    for (const threads of [0, 1.5, 65, '2']) {
      await expectError(() => pipelineKernel([1, 2], rank1, { threads: threads as number }), 'INVALID_OPTION', 'opts.threads');
    }
  });
});

describe('Laplace quadrature of the rank-1 kernels (O(D Q), docs/math.md §3.4)', () => {
  afterAll(async () => {
    await closeThreads();
  });
  /** Seeded log-uniform values on [lo, hi], 1 to 3 copies each, and `zeros` zero eigenvalues. */
  function logUniform(distinct: number, seed: number, lo: number, hi: number, zeros: number): number[] {
    let x = seed;
    const rand = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
    const out: number[] = [];
    for (let k = 0; k < distinct; k++) {
      const l = lo * (hi / lo) ** rand();
      for (let r = 1 + Math.floor(3 * rand()); r > 0; r--) out.push(l);
    }
    return out.concat(Array(zeros).fill(0));
  }
  const settings = (sigma: number, lMin: number): [string, KernelParams][] => [
    ['langevin', { samples: 100, sigma, tau: 1e-3, batch: 2 }],
    ['langevin symmetric', { samples: 100, sigma, tau: 1e-3, batch: 2, symmetric: true, meanEstimated: true }],
    ['ula + tweedie', { samples: 100, sigma, tau: 1e-3, sampler: 'ula', gamma: lMin + sigma * sigma, denoise: true }],
    ['diffusion, continuous limit', { samples: 100, tau: 1e-3, sampler: 'diffusion', sigmaMin: sigma, sigmaMax: 20 * sigma + 1, levels: 50, limit: 'continuous' }],
  ];

  it('g_p: its Laplace transform is 1 / (s (s + e)^p) (Simpson in t), and the series meets the closed form at e t = 1', () => {
    // int_0^inf g(t) e^{-st} dt = int_0^R g(r / s) e^{-r} dr / s (the tail beyond R = 60 is below e^-60 / e^p):
    // Simpson's rule with step 1e-4, error ~ R dr^4 max|f''''| / 180 < 1e-11 here.
    for (const [s, e] of [[1, 0.5], [0.3, 4], [2, 1e-3]]) {
      for (const p of [0, 1, 2]) {
        const n = 600000, dr = 60 / n;
        let sum = 0;
        for (let i = 0; i <= n; i++) {
          const w = i === 0 || i === n ? 1 : i % 2 ? 4 : 2;
          sum += w * laplaceWeight((i * dr) / s, e, p) * Math.exp(-i * dr);
        }
        expect(rel((sum * dr) / 3 / s, 1 / (s * (s + e) ** p)), `s ${s} e ${e} p ${p}`).toBeLessThan(1e-10);
      }
    }
    // p = 2 just below e t = 1 (series) and at it (closed form): a continuous function.
    const below = laplaceWeight(1 - 1e-12, 1, 2), at = laplaceWeight(1, 1, 2);
    expect(rel(below, at)).toBeLessThan(1e-11);
    expect(rel(at, 1 - 2 / Math.E)).toBeLessThan(1e-15);
  });

  it('the same rows as the Wasm pair sums to 1e-13 per mode: repeats, zeros, l from 1e-12 to 1e3, sigma 1e-4 to 10, every rank-1 kernel', async () => {
    let worst = 0, seed = 40;
    for (const [lo, hi] of [[1e-12, 1e3], [0.5, 2], [1e-6, 1e-2]]) {
      for (const sigma of [1e-4, 0.3, 10]) {
        for (const zeros of [0, 4]) {
          const lam = logUniform(400, seed++, lo, hi, zeros);
          const { values, counts } = prepareSpectrum(lam);
          for (const [name, params] of settings(sigma, zeros ? 0 : lo)) {
            const f = kernelFeatures(values, resolveKernelParams(params));
            const nodes = laplaceNodes(values, f);
            expect(nodes, name).not.toBeNull();
            const quad = laplaceRowSums(values, counts, f, nodes!);
            const pairs = await pairRowSums(values, counts, f);
            for (let i = 0; i < 2; i++) {
              for (let k = 0; k < values.length; k++) {
                const err = rel(quad[i][k], pairs[i][k]);
                if (pairs[i][k] > 0) worst = Math.max(worst, err);
                else expect(quad[i][k]).toBe(0);
              }
            }
          }
        }
      }
    }
    expect(worst).toBeLessThan(1e-13);
  });

  it(`pipelineKernel from ${LAPLACE_MIN_DISTINCT} distinct values uses it, and agrees with the plain double loop to 1e-13`, async () => {
    // The test's reference loop has no l = 0 limits: positive values only, each once.
    const spectrum = logUniform(LAPLACE_MIN_DISTINCT + 50, 77, 1e-6, 30, 0).filter((l, i, a) => a.indexOf(l) === i);
    const params: KernelParams = { samples: 300, sigma: 0.05, tau: 1e-4, batch: 4, sampler: 'ula', gamma: 1e-3 };
    const r = await pipelineKernel(spectrum, params, { threads: 1 });
    expect(r.values.length).toBeGreaterThanOrEqual(LAPLACE_MIN_DISTINCT);
    // The per-mode sums are those of the quadrature, bit for bit.
    const f = kernelFeatures(r.values, resolveKernelParams(params));
    const [rowsA, rowsB] = laplaceRowSums(r.values, r.counts, f, laplaceNodes(r.values, f)!);
    for (let k = 0; k < r.values.length; k++) {
      expect(r.perMode.optimization[k]).toBe(r.counts[k] * (rowsB[k] + f.optExtra[k]));
      expect(r.perMode.generalization[k]).toBe(r.counts[k] * (rowsA[k] + f.genExtra[k]));
    }
    const ref = reference(spectrum, params);
    for (const s of ['generalization', 'optimization'] as const) expect(rel(r.sources[s], ref[s]), s).toBeLessThan(1e-13);
  });

  it('no nodes (the pair sums are used) for the discrete diffusion kernel and for values beyond e^{+-150}', () => {
    const diffusion = resolveKernelParams({ samples: 10, tau: 1e-5, sampler: 'diffusion', sigmaMin: 0.05, sigmaMax: 3, levels: 6 });
    const values = Float64Array.from([0.1, 1, 2]);
    expect(laplaceNodes(values, kernelFeatures(values, diffusion))).toBeNull();
    const ula = resolveKernelParams({ samples: 10, sigma: 0.1, sampler: 'ula', gamma: 1e-3 });
    expect(laplaceNodes(values, kernelFeatures(values, ula))).not.toBeNull();
    const tiny = Float64Array.from([1e-160, 2e-160, 1]);
    expect(laplaceNodes(tiny, kernelFeatures(tiny, ula))).toBeNull();
  });
});
