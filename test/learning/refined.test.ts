/**
 * The refined first-order prediction (src/learning/refined.ts) against (1) an independent dense computation
 * written here: the sampler's output covariance by a Kronecker solve of its Lyapunov equation, its Jacobian by
 * central differences, and the Daleckii-Krein Hessian, as in score-matching.md §6 #20-#22; (2) the figures the
 * conventions' numpy script check_pipeline.py prints for the spectrum [2, 1, 0.5, 0.25] (quoted below with
 * their configuration); (3) its own multiplicity bookkeeping (distinct values with counts = all modes).
 */
import { describe, expect, it } from 'vitest';
import { refinedPrediction, type RefinedParams } from '../../src/learning/refined.js';
import { veGrid } from '../../src/learning/modes.js';

/** Solve M x = b by Gaussian elimination with partial pivoting (small dense systems). */
function solve(M: number[][], b: number[]): number[] {
  const n = b.length;
  const a = M.map((r, i) => [...r, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    [a[c], a[p]] = [a[p], a[c]];
    for (let r = c + 1; r < n; r++) {
      const f = a[r][c] / a[c][c];
      for (let k = c; k <= n; k++) a[r][k] -= f * a[c][k];
    }
  }
  const x = new Array(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = a[r][n];
    for (let k = r + 1; k < n; k++) s -= a[r][k] * x[k];
    x[r] = s / a[r][r];
  }
  return x;
}

/** Sampler output covariance for a dense score matrix A (d x d, row-major), Langevin / ULA (+ Tweedie). */
function outputCovariance(A: number[], d: number, u: number, gamma: number, denoise: boolean): number[] {
  const n = d * d;
  const M = Array.from({ length: n }, () => new Array(n).fill(0));
  const rhs = new Array(n).fill(0);
  const B = A.map((x, k) => (Math.floor(k / d) === k % d ? 1 : 0) - gamma * x); // I - gamma A
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      const r = i * d + j;
      rhs[r] = i === j ? (gamma > 0 ? 2 * gamma : 2) : 0;
      for (let k = 0; k < d; k++) {
        for (let l = 0; l < d; l++) {
          const c = k * d + l;
          // ULA: S - B S B^T = 2 gamma I; continuous: A S + S A^T = 2 I (row-major vec).
          if (gamma > 0) M[r][c] = (r === c ? 1 : 0) - B[i * d + k] * B[j * d + l];
          else M[r][c] = (j === l ? A[i * d + k] : 0) + (i === k ? A[j * d + l] : 0);
        }
      }
    }
  }
  const S = solve(M, rhs);
  if (!denoise) return S;
  const T = A.map((x, k) => (Math.floor(k / d) === k % d ? 1 : 0) - u * x);
  const O = new Array(n).fill(0);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
    let s = 0;
    for (let k = 0; k < d; k++) for (let l = 0; l < d; l++) s += T[i * d + k] * S[k * d + l] * T[j * d + l];
    O[i * d + j] = s;
  }
  return O;
}

/** The refined prediction computed densely: finite-difference Jacobian, Daleckii-Krein Hessian at diag(O0). */
function denseRefined(l: number[], p: RefinedParams) {
  const d = l.length;
  const n = d * d;
  const A0 = new Array(n).fill(0);
  for (let i = 0; i < d; i++) A0[i * d + i] = 1 / (l[i] + p.u);
  const out = (A: number[]) => outputCovariance(A, d, p.u, p.gamma, p.denoise);
  const O0 = out(A0);
  const o = l.map((_, i) => O0[i * d + i]);
  const eps = 1e-6;
  const J: number[][] = []; // J[a][b] = d O_b / d A_a
  for (let a = 0; a < n; a++) {
    const Ap = [...A0];
    const Am = [...A0];
    Ap[a] += eps;
    Am[a] -= eps;
    const op = out(Ap);
    const om = out(Am);
    J.push(op.map((x, b) => (x - om[b]) / (2 * eps)));
  }
  const c = l.map((x) => x + p.u);
  const rootN = l.map((x, i) => Math.sqrt(x * o[i]));
  let gen = 0;
  let opt = 0;
  let bias = 0;
  for (let i = 0; i < d; i++) bias += (Math.sqrt(o[i]) - Math.sqrt(l[i])) ** 2;
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
    const b = i * d + j;
    const H = (l[i] * l[j]) / (2 * rootN[i] * rootN[j] * (rootN[i] + rootN[j]));
    // Generalization: Delta = -E / (c c), Cov(E_ij, E_kl) = l_i l_j (d_ik d_jl + d_il d_jk) / N.
    let g2 = 0;
    for (let k = 0; k < d; k++) for (let m = 0; m < d; m++) {
      for (let k2 = 0; k2 < d; k2++) for (let m2 = 0; m2 < d; m2++) {
        const cov = (l[k] * l[m] * ((k === k2 && m === m2 ? 1 : 0) + (k === m2 && m === k2 ? 1 : 0))) / p.samples;
        if (cov !== 0) g2 += (J[k * d + m][b] * J[k2 * d + m2][b] * cov) / (c[k] * c[m] * c[k2] * c[m2]);
      }
    }
    // Optimization (free A): independent entries, variance v_r of row r.
    let o2 = 0;
    for (let k = 0; k < d; k++) for (let m = 0; m < d; m++) {
      o2 += J[k * d + m][b] ** 2 * ((p.tau * l[k]) / (2 * p.batch * p.u * c[k]));
    }
    gen += H * g2;
    opt += H * o2;
  }
  return { bias, generalization: gen, optimization: opt };
}

/** VE Euler-Maruyama with one dense score per level (A(k) for k = 0..K; level K is Tweedie's), start N(0, S + u_0 I). */
function diffusionOutput(l: number[], u: Float64Array, A: (k: number) => number[], denoise: boolean): number[] {
  const d = l.length;
  const K = u.length - 1;
  let S = l.map((_, k) => l.map((x, m) => (k === m ? x + u[0] : 0))).flat();
  const mul = (X: number[], Y: number[]) => X.map((_, r) => { const i = Math.floor(r / d); const j = r % d; let s = 0; for (let k = 0; k < d; k++) s += X[i * d + k] * Y[k * d + j]; return s; });
  const tr = (X: number[]) => X.map((_, r) => X[(r % d) * d + Math.floor(r / d)]);
  const step = (M: number[], add: number) => { S = mul(mul(M, S), tr(M)).map((x, r) => x + (Math.floor(r / d) === r % d ? add : 0)); };
  for (let k = 0; k < K; k++) {
    const h = u[k] - u[k + 1];
    step(A(k).map((x, r) => (Math.floor(r / d) === r % d ? 1 : 0) - h * x), h);
  }
  if (denoise) step(A(K).map((x, r) => (Math.floor(r / d) === r % d ? 1 : 0) - u[K] * x), 0);
  return S;
}

/** The refined diffusion prediction, densely: central differences along each score-error direction. */
function denseRefinedDiffusion(l: number[], u: Float64Array, p: RefinedParams) {
  const d = l.length;
  const K = u.length - 1;
  const exact = (k: number) => l.map((_, i) => l.map((x, j) => (i === j ? 1 / (x + u[k]) : 0))).flat();
  const O0 = diffusionOutput(l, u, exact, p.denoise);
  const o = l.map((_, i) => O0[i * d + i]);
  const rootN = l.map((x, i) => Math.sqrt(x * o[i]));
  const eps = 1e-6;
  // Directional derivative of O when the level-k scores move by t * D(k).
  const deriv = (D: (k: number) => number[]) => {
    const plus = diffusionOutput(l, u, (k) => exact(k).map((x, r) => x + eps * D(k)[r]), p.denoise);
    const minus = diffusionOutput(l, u, (k) => exact(k).map((x, r) => x - eps * D(k)[r]), p.denoise);
    return plus.map((x, r) => (x - minus[r]) / (2 * eps));
  };
  const unit = (i: number, j: number, scale: (k: number) => number) => (k: number) => l.map((_, a) => l.map((__, b) => (a === i && b === j ? scale(k) : 0))).flat();
  let gen = 0;
  let opt = 0;
  let bias = 0;
  for (let i = 0; i < d; i++) bias += (Math.sqrt(o[i]) - Math.sqrt(l[i])) ** 2;
  // Generalization: every level sees Delta_k = -E / (c_k c_k^T) for one E, Var E_ij = l_i l_j (1 + d_ij) / N:
  // for i != j, E_ij = E_ji is one variable that moves entries (i, j) and (j, i).
  const gDirs: Array<{ dO: number[]; v: number }> = [];
  for (let i = 0; i < d; i++) for (let j = i; j < d; j++) {
    const s = (k: number) => -1 / ((l[i] + u[k]) * (l[j] + u[k]));
    const D = (k: number) => unit(i, j, s)(k).map((x, r) => x + (i !== j ? unit(j, i, s)(k)[r] : 0));
    gDirs.push({ dO: deriv(D), v: (l[i] * l[j] * (i === j ? 2 : 1)) / p.samples });
  }
  // Optimization: independent entries per level, variance v_{k,r} of row r.
  const oDirs: Array<{ dO: number[]; v: number }> = [];
  for (let k = 0; k <= (p.denoise ? K : K - 1); k++) for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
    oDirs.push({ dO: deriv((q) => unit(i, j, () => (q === k ? 1 : 0))(q)), v: (p.tau * l[i]) / (2 * p.batch * u[k] * (l[i] + u[k])) });
  }
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
    const H = (l[i] * l[j]) / (2 * rootN[i] * rootN[j] * (rootN[i] + rootN[j]));
    for (const g of gDirs) gen += H * g.dO[i * d + j] ** 2 * g.v;
    for (const g of oDirs) opt += H * g.dO[i * d + j] ** 2 * g.v;
  }
  return { bias, generalization: gen, optimization: opt };
}

const base = (over: Partial<RefinedParams>): RefinedParams => ({
  samples: 400, u: 0.05, tau: 2e-4, batch: 1, sampler: 'ula', gamma: 0, denoise: false, meanEstimated: false, symmetric: false, ...over,
});

describe('refinedPrediction', () => {
  it('equals a dense finite-difference computation (Langevin and ULA, with and without Tweedie) to 1e-6', () => {
    const l = [2, 0.7, 0.3];
    for (const gamma of [0, 0.04]) {
      for (const denoise of [false, true]) {
        const p = base({ gamma, denoise, sampler: gamma > 0 ? 'ula' : 'langevin' });
        const mine = refinedPrediction(new Float64Array(l), new Float64Array([1, 1, 1]), p);
        const dense = denseRefined(l, p);
        for (const k of ['bias', 'generalization', 'optimization'] as const) {
          expect(Math.abs(mine[k] / dense[k] - 1), `${k} gamma ${gamma} denoise ${denoise}`).toBeLessThan(1e-6);
        }
      }
    }
  });

  it('VE diffusion: equals a dense finite-difference computation over every level (with and without Tweedie) to 1e-6', () => {
    const l = [2, 0.7, 0.3];
    for (const [spacing, denoise] of [['uniform', false], ['geometric', true]] as const) {
      const grid = veGrid(5, 0.02, 8, spacing);
      const p = base({ sampler: 'diffusion', grid, denoise, start: 'exact' });
      const mine = refinedPrediction(new Float64Array(l), new Float64Array([1, 1, 1]), p);
      const dense = denseRefinedDiffusion(l, grid, p);
      for (const k of ['bias', 'generalization', 'optimization'] as const) {
        expect(Math.abs(mine[k] / dense[k] - 1), `${k} ${spacing}`).toBeLessThan(1e-6);
      }
    }
  });

  it("reproduces check_pipeline.py's refined figures for l = [2, 1, 0.5, 0.25] (1e-6 relative)", () => {
    // python3 check_pipeline.py (refined_prediction), B = 1: (N, sigma^2, tau, gamma, Tweedie) -> bias, gen, opt.
    const rows: Array<[number, number, number, number, boolean, number, number, number]> = [
      [400, 0.05, 2e-4, 0, false, 4.3870948694e-3, 8.8650154038e-3, 7.3881431128e-3],
      [400, 0.05, 2e-4, 0, true, 3.8626661262e-3, 1.0466951082e-2, 8.2173384665e-3],
      [400, 0.05, 2e-4, 0.04, false, 8.6243707266e-3, 8.5694846834e-3, 7.2435973092e-3],
      [400, 0.05, 2e-4, 0.04, true, 1.4961892522e-3, 1.0161948461e-2, 8.0681654414e-3],
      [1600, 0.02, 2.5e-5, 0, false, 7.2961889001e-4, 2.3303052995e-3, 2.2452463594e-3],
      [1600, 0.02, 2.5e-5, 0.04, false, 3.0e-3, 2.2464389517e-3, 2.2003727838e-3],
    ];
    const l = new Float64Array([2, 1, 0.5, 0.25]);
    for (const [samples, u, tau, gamma, denoise, b, g, o] of rows) {
      const r = refinedPrediction(l, new Float64Array(4).fill(1), base({ samples, u, tau, gamma, denoise, sampler: gamma > 0 ? 'ula' : 'langevin' }));
      expect(Math.abs(r.bias / b - 1)).toBeLessThan(1e-6);
      expect(Math.abs(r.generalization / g - 1)).toBeLessThan(1e-6);
      expect(Math.abs(r.optimization / o - 1)).toBeLessThan(1e-6);
    }
  });

  it('ULA + Tweedie at sigma^2 = gamma / 2 has zero bias (score-matching.md §3c)', () => {
    const r = refinedPrediction(new Float64Array([2, 1, 0.5, 0.25]), new Float64Array(4).fill(1), base({ u: 0.02, gamma: 0.04, denoise: true }));
    expect(r.bias).toBeLessThan(1e-30);
    expect(r.generalization).toBeGreaterThan(0);
  });

  it('distinct values with counts give the same sums as every mode listed (Langevin, ULA, diffusion, symmetric)', () => {
    const all = new Float64Array([1.5, 1.5, 0.4, 0.4, 0.4, 0.05]);
    const distinct = new Float64Array([1.5, 0.4, 0.05]);
    const counts = new Float64Array([2, 3, 1]);
    const grid = veGrid(10, 0.01, 40, 'uniform');
    for (const over of [{ gamma: 0.01 }, { sampler: 'langevin' as const, symmetric: true }, { sampler: 'diffusion' as const, grid, denoise: true, meanEstimated: true }]) {
      const p = base(over);
      const a = refinedPrediction(all, new Float64Array(all.length).fill(1), p);
      const b = refinedPrediction(distinct, counts, p);
      for (const k of ['bias', 'generalization', 'optimization'] as const) expect(Math.abs(b[k] / a[k] - 1)).toBeLessThan(1e-13);
    }
  });
});
