/**
 * The "refined" first-order prediction of the pipeline error (score-matching.md §6, #20-#22; docs/math.md §3.5):
 * the exact bias W2^2(N(0, S), N(0, O0)) of the sampler driven by the exact score, plus the second-order Bures
 * term of the score errors propagated through the sampler's exact Jacobian,
 *
 *   E W2^2 ~ W2^2(S, O0) + sum_{i,j} H_ij(O0) E[dO_ij^2],
 *   H_ij = l_i l_j / (2 sqrt(n_i n_j) (sqrt n_i + sqrt n_j)), n_i = l_i o_i   (Daleckii-Krein, §1),
 *
 * where dO = J . Delta, Delta = A - A* the score error of a source: generalization Delta = -C^-1 (S_N - S) C^-1
 * (symmetric, Var (S_N - S)_ij = l_i l_j (1 + delta_ij) / N), or the stationary SGD error (free: independent
 * entries of variance v_r in row r; symmetric: the variances of §2). Everything is written in the eigenbasis of
 * S, where the exact scores are diagonal, so the Jacobian is analytic: for each ordered pair (i, j) the sampler
 * output moves by dO_ij = sum_k (alpha_k Delta_k,ij + beta_k Delta_k,ji) over the score levels k it uses.
 * Unlike the leading-order kernels this keeps the bias's effect on the Hessian and the Jacobian, which matters
 * when sigma^2 or gamma is not small against the smallest eigenvalues.
 */
import { sgdEntryVariance } from './dsm.js';
import { modeW2Squared, ulaVariance, veEmVariance } from './modes.js';

/** Resolved parameters (checked by the caller). u = sigma^2 throughout. */
export interface RefinedParams {
  samples: number;
  /** DSM noise variance sigma^2 (Langevin / ULA). */
  u: number;
  tau: number;
  batch: number;
  sampler: 'langevin' | 'ula' | 'diffusion';
  /** ULA step (0: continuous Langevin). */
  gamma: number;
  denoise: boolean;
  meanEstimated: boolean;
  symmetric: boolean;
  /** Diffusion: the noise-variance grid u_0 > ... > u_K and the start ('exact': N(0, S + u_0 I); 'prior': N(0, u_0 I)). */
  grid?: Float64Array;
  start?: 'exact' | 'prior';
}

export interface RefinedResult {
  bias: number;
  generalization: number;
  optimization: number;
  total: number;
}


/**
 * Per-mode description of a sampler around the exact score: the score levels u_k it evaluates, and for a pair
 * (i, j) the coefficients alpha_k, beta_k of dO_ij in Delta_k,ij and Delta_k,ji (filled into `alpha`, `beta`).
 */
interface Linearised {
  levels: Float64Array;
  output: Float64Array;
  pair(i: number, j: number, alpha: Float64Array, beta: Float64Array): void;
}

/** Langevin (gamma = 0) or ULA: one level u; dS from the (discrete) Lyapunov equation, then Tweedie. */
function linearLangevin(l: Float64Array, p: RefinedParams): Linearised {
  const d = l.length;
  const a = l.map((x) => 1 / (x + p.u));
  const s = a.map((x) => (p.gamma > 0 ? ulaVariance(x, p.gamma) : 1 / x));
  const m = a.map((x) => 1 - p.gamma * x);
  const t = a.map((x) => (p.denoise ? 1 - p.u * x : 1));
  const output = new Float64Array(d);
  for (let i = 0; i < d; i++) output[i] = t[i] * t[i] * s[i];
  return {
    levels: new Float64Array([p.u]),
    output,
    pair(i, j, alpha, beta) {
      // ULA: dS (1 - m_i m_j) = -gamma (Delta_ij s_j m_j + m_i s_i Delta_ji); continuous: dS (a_i + a_j) = -(...).
      const kappa = p.gamma > 0 ? p.gamma / (1 - m[i] * m[j]) : 1 / (a[i] + a[j]);
      // Tweedie O = T S T^T with T = I - u A: dO_ij = t_i t_j dS_ij - u (Delta_ij s_j t_j + t_i s_i Delta_ji).
      alpha[0] = -t[i] * t[j] * kappa * s[j] * m[j] - (p.denoise ? p.u * s[j] * t[j] : 0);
      beta[0] = -t[i] * t[j] * kappa * m[i] * s[i] - (p.denoise ? p.u * t[i] * s[i] : 0);
    },
  };
}

/** VE Euler-Maruyama over the grid (score-matching.md §3d), one exact score per level, then Tweedie with A_K. */
function linearDiffusion(l: Float64Array, p: RefinedParams): Linearised {
  const u = p.grid as Float64Array;
  const K = u.length - 1;
  const d = l.length;
  // sbar[k][i]: variance before step k; m[k][i] = 1 - h_k a_k,i; tail[k][i] = prod_{q > k} m[q][i].
  const sbar = new Float64Array((K + 1) * d);
  const mm = new Float64Array(K * d);
  for (let i = 0; i < d; i++) {
    let v = p.start === 'prior' ? u[0] : l[i] + u[0];
    for (let k = 0; k < K; k++) {
      sbar[k * d + i] = v;
      mm[k * d + i] = 1 - (u[k] - u[k + 1]) / (l[i] + u[k]);
      v = veEmVariance([u[k], u[k + 1]], () => 1 / (l[i] + u[k]), v);
    }
    sbar[K * d + i] = v;
  }
  const uMin = u[K];
  const t = l.map((x) => (p.denoise ? 1 - uMin / (x + uMin) : 1));
  const output = new Float64Array(d);
  for (let i = 0; i < d; i++) output[i] = t[i] * t[i] * sbar[K * d + i];
  return {
    levels: u,
    output,
    pair(i, j, alpha, beta) {
      // dS_K,ij = -sum_k h_k P_ij(k) (Delta_k,ij sbar_k,j m_k,j + m_k,i sbar_k,i Delta_k,ji), P_ij(k) = prod_{q>k} m_q,i m_q,j.
      let tail = t[i] * t[j];
      for (let k = K - 1; k >= 0; k--) {
        const h = u[k] - u[k + 1];
        alpha[k] = -tail * h * sbar[k * d + j] * mm[k * d + j];
        beta[k] = -tail * h * mm[k * d + i] * sbar[k * d + i];
        tail *= mm[k * d + i] * mm[k * d + j];
      }
      // Tweedie with the level-K score: dO_ij += -u_K (Delta_K,ij s_K,j t_j + t_i s_K,i Delta_K,ji).
      alpha[K] = p.denoise ? -uMin * sbar[K * d + j] * t[j] : 0;
      beta[K] = p.denoise ? -uMin * t[i] * sbar[K * d + i] : 0;
    },
  };
}

/**
 * The refined prediction over distinct values `l` with multiplicities `w` (O(D^2 levels) work: meant for up to
 * a few thousand distinct values). Pairs of modes in the same class count w_k (w_k - 1) times off the diagonal.
 */
export function refinedPrediction(l: Float64Array, w: Float64Array, p: RefinedParams): RefinedResult {
  const lin = p.sampler === 'diffusion' ? linearDiffusion(l, p) : linearLangevin(l, p);
  const { levels, output } = lin;
  const L = levels.length;
  const d = l.length;
  let bias = 0;
  for (let i = 0; i < d; i++) bias += w[i] * modeW2Squared(l[i], output[i]);
  const alpha = new Float64Array(L);
  const beta = new Float64Array(L);
  const rootN = output.map((o, i) => Math.sqrt(l[i] * o));
  let gen = 0;
  let opt = 0;
  const pairTerms = (i: number, j: number, diagonal: boolean): [number, number] => {
    lin.pair(i, j, alpha, beta);
    // A mode of the target with l = 0: W2 does not depend on the output entries coupled to it beyond its own
    // variance (S^1/2 O S^1/2 has a zero row and column there), so H_ij = 0, also the limit of (3.5.1).
    const h = rootN[i] === 0 || rootN[j] === 0 ? 0 : (l[i] * l[j]) / (2 * rootN[i] * rootN[j] * (rootN[i] + rootN[j]));
    // Generalization: Delta_k = -E / (c_k,i c_k,j), E symmetric with Var E_ij = l_i l_j (1 + delta_ij) / N.
    let g = 0;
    for (let k = 0; k < L; k++) g += (alpha[k] + beta[k]) / ((l[i] + levels[k]) * (l[j] + levels[k]));
    const varE = (l[i] * l[j] * (diagonal ? 2 : 1)) / p.samples;
    // Optimization: independent levels; free A: Delta_ij (row i), Delta_ji (row j) independent; symmetric: one entry.
    let o = 0;
    for (let k = 0; k < L; k++) {
      const v = (a: number, b: number) => sgdEntryVariance(a, b, diagonal, levels[k], p.tau, p.batch, p.symmetric);
      o += p.symmetric || diagonal ? (alpha[k] + beta[k]) ** 2 * v(l[i], l[j]) : alpha[k] ** 2 * v(l[i], l[j]) + beta[k] ** 2 * v(l[j], l[i]);
    }
    return [h * g * g * varE, h * o];
  };
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      const pairs = i === j ? w[i] * (w[i] - 1) : w[i] * w[j];
      if (pairs > 0) {
        const [gi, oi] = pairTerms(i, j, false);
        gen += pairs * gi;
        opt += pairs * oi;
      }
    }
    const [gd, od] = pairTerms(i, i, true);
    gen += w[i] * gd;
    opt += w[i] * od;
  }
  // Estimated mean: the sampler's output mean is the sample mean, E |xbar|^2 = tr S / N.
  if (p.meanEstimated) for (let i = 0; i < d; i++) gen += (w[i] * l[i]) / p.samples;
  return { bias, generalization: gen, optimization: opt, total: bias + gen + opt };
}
