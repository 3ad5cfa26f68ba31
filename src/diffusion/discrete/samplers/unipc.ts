/**
 * diffusers' UniPCMultistepScheduler with its defaults: predict_x0 true (epsilon prediction turned into x0),
 * solver_type 'bh2' (or 'bh1'), solver_order 2 (1..3 accepted), lower_order_final true, disable_corrector [],
 * final_sigmas_type 'zero' (Zhao et al. 2023, "UniPC: A Unified Predictor-Corrector Framework", Algorithms
 * 2 and 3 (B(h) variants) in data prediction), on the exact x0_hat. Timesteps: its set_timesteps is
 * DPMSolverMultistepScheduler's (dpmSolverTimesteps). With alpha = sqrt(ab), sigma = sqrt(1 - ab),
 * lambda = log(alpha / sigma), a step from s0 to t of order k over the x0_hat history m0 (at s0), m1, m2:
 *   h = lambda_t - lambda_s0, hh = -h, B(h) = expm1(hh) (bh2) or hh (bh1), r_j = (lambda_{s_j} - lambda_s0) / h,
 *   D_j = (m_j - m0) / r_j, g_1 = expm1(hh) / hh - 1, g_{i+1} = g_i / hh - 1 / (i + 1)!, b_i = g_i i! / B(h),
 *   R[p][q] = r_q^p over r = (r_1, .., r_{k-1}, 1)  (p = 0..k-1);
 *   base    = (sigma_t / sigma_s0) x_s0 - alpha_t expm1(hh) m0
 *   UniP:     x_t = base - alpha_t B(h) sum_{j<k} rho_p,j D_j,
 *             rho_p = [0.5] at order 2, else R[:-1, :-1] rho_p = b[:-1]
 *   UniC:     x_t^c = base - alpha_t B(h) (sum_{j<k} rho_c,j D_j + rho_c,k (m_t - m0)),
 *             rho_c = [0.5] at order 1, else R rho_c = b
 * B(h) cancels where rho solves a system (B(h) rho is the same for bh1 and bh2): the two differ only by the
 * fixed rho = 0.5 of the order-2 UniP and the order-1 UniC.
 * Step i (n steps) evaluates the model once at the predicted (uncorrected) x at timestep i (m_t); when
 * i > 0 it first replaces x by UniC of the previous step (from the previous corrected x, with the previous
 * step's order), then predicts with order min(solver_order, n - i, i + 1). The last step goes to sigma 0
 * (h = inf) at order 1: x <- m0 (there is no difference term; diffusers' bh1 writes it as alpha_t B(h) 0 with
 * B(h) = hh = -inf, NaN in floating point: taken here as the empty sum it is), and is not corrected (no model call after it), so NFE = steps.
 * diffusers holds sigmas in float32; here everything is f64, and the g_i come from their series for
 * |hh| < 1 (the recursion above cancels: g_i ~ hh / (i + 1)!).
 */
import { fail } from '../../../core/errors.js';
import { describe } from '../../../core/checks.js';
import { type Tape } from '../../statespace/tape.js';
import { type DiscreteSchedule } from '../schedule.js';
import { type DiscreteSamplerOptions, alphaBar, markStep, startTape, x0Slot } from './frame.js';
import { checkOrder } from './dpmsolver_pp.js';

export type UniPCSolverType = 'bh1' | 'bh2';

export function checkSolverType(solverType: unknown): UniPCSolverType {
  if (solverType === undefined) return 'bh2';
  if (solverType !== 'bh1' && solverType !== 'bh2') fail('INVALID_OPTION', 'solverType', `got ${describe(solverType)}`, "'bh1' or 'bh2' (solver_type)");
  return solverType;
}

interface Level { ab: number; oneMinus: number; alpha: number; sigma: number; lambda: number }

/** g_i(hh) = sum_{j > i} hh^{j - i} / j!, i = 1..k: 25 terms of the series for |hh| < 1, else the recursion from g_1. */
function phiTails(hh: number, k: number): number[] {
  const g: number[] = [];
  if (Math.abs(hh) < 1) {
    for (let i = 1; i <= k; i++) {
      let term = hh / factorial(i + 1);
      let sum = 0;
      for (let j = i + 1; j <= i + 25; j++, term *= hh / j) sum += term;
      g.push(sum);
    }
    return g;
  }
  let gi = Math.expm1(hh) / hh - 1;
  for (let i = 1; i <= k; i++) {
    g.push(gi);
    gi = gi / hh - 1 / factorial(i + 1);
  }
  return g;
}

function factorial(i: number): number {
  return i <= 1 ? 1 : i * factorial(i - 1);
}

/** Solves the k x k system A x = y (k <= 3) by Gaussian elimination with partial pivoting. */
function solve(A: number[][], y: number[]): number[] {
  const k = y.length;
  const M = A.map((row, p) => [...row.slice(0, k), y[p]]);
  for (let c = 0; c < k; c++) {
    let piv = c;
    for (let p = c + 1; p < k; p++) if (Math.abs(M[p][c]) > Math.abs(M[piv][c])) piv = p;
    [M[c], M[piv]] = [M[piv], M[c]];
    for (let p = c + 1; p < k; p++) {
      const f = M[p][c] / M[c][c];
      for (let q = c; q <= k; q++) M[p][q] -= f * M[c][q];
    }
  }
  const x = new Array<number>(k).fill(0);
  for (let p = k - 1; p >= 0; p--) {
    let s = M[p][k];
    for (let q = p + 1; q < k; q++) s -= M[p][q] * x[q];
    x[p] = s / M[p][p];
  }
  return x;
}

/**
 * Coefficients of one UniP (corrector false) or UniC step of order k from level s0 to level t, over
 * x_s0, m0, m1, m2 and (UniC) m_t: x_t = cx x_s0 + sum_j cm[j] m_j + cmt m_t.
 */
function uniStep(levels: readonly Level[], s0: number, t: number, k: number, corrector: boolean, solverType: UniPCSolverType): { cx: number; cm: number[]; cmt: number } {
  const a = levels[s0];
  const z = levels[t];
  const h = z.lambda - a.lambda;
  const hh = -h; // predict_x0
  const bh = solverType === 'bh1' ? hh : Math.expm1(hh); // B(h)
  const cm = [-z.alpha * Math.expm1(hh), 0, 0];
  let cmt = 0;
  const rks = Array.from({ length: k - 1 }, (_, j) => (levels[s0 - 1 - j].lambda - a.lambda) / h);
  let rhos: number[] = [];
  if (corrector && k === 1) rhos = [0.5];
  else if (!corrector && k === 2) rhos = [0.5];
  else if (k > 1) {
    const m = corrector ? k : k - 1; // R rho_c = b, or R[:-1, :-1] rho_p = b[:-1]
    const g = phiTails(hh, m);
    const b = g.map((gi, i) => (gi * factorial(i + 1)) / bh);
    const r = [...rks, 1];
    const R = Array.from({ length: m }, (_, p) => r.slice(0, m).map((rq) => rq ** p));
    rhos = solve(R, b);
  }
  // - alpha_t B(h) sum_j rho_j (m_j - m0) / r_j
  rks.forEach((rk, j) => {
    const c = (-z.alpha * bh * rhos[j]) / rk;
    cm[j + 1] += c;
    cm[0] -= c;
  });
  if (corrector) {
    // - alpha_t B(h) rho_c,k (m_t - m0)
    cmt = -z.alpha * bh * rhos[k - 1];
    cm[0] -= cmt;
  }
  return { cx: z.sigma / a.sigma, cm, cmt };
}

/** Registers: 0 = x, 1 = the last (corrected) x, 2..4 = m0, m1, m2, 5 = m_t. NFE = steps. */
export function uniPC(schedule: DiscreteSchedule, timesteps: readonly number[], opts: DiscreteSamplerOptions = {}): Tape {
  const order = checkOrder(opts.order);
  const solverType = checkSolverType(opts.solverType);
  const b = startTape(schedule, timesteps[0], opts.start);
  const n = timesteps.length;
  const levels: Level[] = timesteps.map((t) => {
    const { ab, logAb, oneMinus } = alphaBar(schedule, t);
    return { ab, oneMinus, alpha: Math.sqrt(ab), sigma: Math.sqrt(oneMinus), lambda: 0.5 * (logAb - Math.log(oneMinus)) };
  });
  levels.push({ ab: 1, oneMinus: 0, alpha: 1, sigma: 0, lambda: Infinity });
  // lower_order_final and the warm-up: min(solver_order, n - i, lower_order_nums + 1).
  const stepOrder = (i: number): number => Math.min(order, n - i, i + 1);
  for (let i = 0; i < n; i++) {
    const s = levels[i];
    b.prec(5, 0, x0Slot(b, s.ab, s.oneMinus)); // m_t = x0_hat(x, t_i) at the predicted x
    b.nfe++;
    if (i > 0) {
      const c = uniStep(levels, i - 1, i, stepOrder(i - 1), true, solverType);
      b.lin(0, [[1, c.cx], [2, c.cm[0]], [3, c.cm[1]], [4, c.cm[2]], [5, c.cmt]]);
    }
    if (order === 3) b.lin(4, [[3, 1]]); // m2 <- m1
    if (order >= 2) b.lin(3, [[2, 1]]); // m1 <- m0
    b.lin(2, [[5, 1]]); // m0 <- m_t
    if (i < n - 1) b.lin(1, [[0, 1]]); // last_sample <- x
    const c = uniStep(levels, i, i + 1, stepOrder(i), false, solverType);
    b.lin(0, [[0, c.cx], [2, c.cm[0]], [3, c.cm[1]], [4, c.cm[2]]]);
    markStep(b, i === n - 1, levels[i + 1].ab, levels[i + 1].oneMinus);
  }
  return b.build();
}
