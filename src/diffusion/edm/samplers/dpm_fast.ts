/**
 * k-diffusion's `sample_dpm_fast` (DPMSolver.dpm_solver_fast): DPM-Solver-Fast, Lu et al. 2022 ("DPM-Solver",
 * arXiv:2206.00927: singlestep DPM-Solver-1/2/3, §3.3, with its "fast" uniform-in-t step schedule), in the noise-prediction
 * parametrisation eps(x, t) = (x - D(x, sigma(t))) / sigma(t) with t = -log sigma, sigma(t) = e^{-t}.
 *
 * k-diffusion's sampler takes (sigma_min, sigma_max, n = NFE), not a sigma array. Here, as ComfyUI's
 * dpm_fast_function calls it: sigma_max = sigmas[0], sigma_min = the last positive level (sigmas[-1], or
 * sigmas[-2] when sigmas[-1] = 0), n = sigmas.length - 1 (= `steps` on a schedule). The interior levels are
 * not used. Grid: m = floor(n/3) + 1 steps uniform in t from -log sigma_max to -log sigma_min; orders
 * [3]*(m-2) + [2, 1] when n mod 3 = 0, else [3]*(m-1) + [n mod 3]; their sum is n, the NFE.
 * Noise (eta > 0, default 0): sigma_down, sigma_up = get_ancestral_step(sigma(t), sigma(t_next), eta),
 * t_next' = min(t_end, -log sigma_down), the step goes to t_next', then x += s_noise sqrt(sigma(t_next)^2 -
 * sigma(t_next')^2) xi.
 *
 * No final denoising: the output is x at sigma_min, as k-diffusion returns it, and it is compared with N(0, S),
 * so W2 includes the sigma_min noise left in the sample (a floor of W2 about sigma_min, whatever n). The
 * curve has one point per step (m of them), against N(0, S + sigma(t_{k+1})^2 I); its last point is the
 * error against the exact marginal at sigma_min.
 */
import { fail } from '../../../core/errors.js';
import { type Tape, type TapeBuilder } from '../../statespace/tape.js';
import { denoiserSlot, derivativeSlot, startTape } from './common.js';
import { type AncestralOptions, ancestralStep, checkAncestral } from './ancestral.js';

/** Orders of the m steps of dpm_solver_fast for n evaluations (n >= 1). */
export function dpmFastOrders(n: number): number[] {
  const m = Math.floor(n / 3) + 1;
  return n % 3 === 0 ? [...new Array<number>(m - 2).fill(3), 2, 1] : [...new Array<number>(m - 1).fill(3), n % 3];
}

/**
 * Slot of the DPM-Solver-1 map from t to s (Lu et al. 2022, eq. (3.7), alpha = 1):
 * x - sigma(s) expm1(s - t) eps(x, t) = x - (sigma_t - sigma_s) sigma_t / (lhat + sigma_t^2) x
 *   = (lhat + sigma_s sigma_t) / (lhat + sigma_t^2) x, one factor (no 1 - gain difference).
 */
function firstOrderSlot(b: TapeBuilder, sigmaT: number, sigmaS: number): number {
  return b.factor(1, sigmaS * sigmaT, 1, sigmaT * sigmaT);
}

/**
 * r_dst <- eps(u, s) - eps(x, t) for the stage u = firstOrder(t -> s) x, as two factors: with
 * eps(x, sigma) = sigma / (lhat + sigma^2) x, it is lhat / (lhat + sigma_s^2) (sigma_s - sigma_t) / (lhat + sigma_t^2) x
 * (the literal difference cancels to O(lhat / sigma^3) for lhat << sigma^2).
 */
function stageDifference(b: TapeBuilder, dst: number, sigmaT: number, sigmaS: number): void {
  b.prec(dst, 0, denoiserSlot(b, sigmaS));
  b.prec(dst, dst, b.factor(0, sigmaS - sigmaT, 1, sigmaT * sigmaT));
}

/**
 * Registers: 0 = x, 1 = eps(u1, s1) - eps(x, t), 2 = stageDifference(t -> s2) (order 3),
 * 3 = sigma_s2 / (lhat + sigma_s2^2) r1 (eps(u2, s2) - eps(x, t) = r2 + c1 r3). NFE = n = sigmas.length - 1.
 */
export function dpmFast(sigmas: Float64Array, opts: AncestralOptions = {}): Tape {
  const { eta, sNoise } = checkAncestral({ ...opts, eta: opts.eta ?? 0 }); // dpm_fast's eta defaults to 0
  const n = sigmas.length - 1;
  const sigmaMax = sigmas[0];
  const sigmaMin = sigmas[n] > 0 ? sigmas[n] : sigmas[n - 1];
  // n >= 2 has a step of order >= 2, whose coefficients divide by h: t_end > t_start is needed.
  if (n >= 2 ? !(sigmaMin < sigmaMax) : !(sigmaMin <= sigmaMax)) {
    fail('INVALID_SCHEDULE', 'sigmas', `dpm_fast runs from sigmas[0] = ${sigmaMax} to the last positive level ${sigmaMin}`, 'a last positive level below sigmas[0] (dpm_fast uses only these two)');
  }
  const b = startTape(sigmas, opts.start);
  const sigmaOf = (t: number) => Math.exp(-t);
  const tStart = -Math.log(sigmaMax);
  const tEnd = -Math.log(sigmaMin);
  const orders = dpmFastOrders(n);
  const m = orders.length;
  const ts = Array.from({ length: m + 1 }, (_, i) => (i === m ? tEnd : tStart + ((tEnd - tStart) * i) / m)); // linspace
  for (let i = 0; i < m; i++) {
    const t = ts[i];
    let tNext = ts[i + 1];
    let up = 0;
    if (eta > 0) {
      const [down] = ancestralStep(sigmaOf(t), sigmaOf(tNext), eta);
      const tNext2 = Math.min(tEnd, -Math.log(down));
      up = Math.sqrt(sigmaOf(tNext) ** 2 - sigmaOf(tNext2) ** 2);
      tNext = tNext2;
    }
    const h = tNext - t;
    const sT = sigmaOf(t);
    const sN = sigmaOf(tNext);
    b.nfe += orders[i];
    if (orders[i] === 2) {
      // DPM-Solver-2 (r1 = 1/2): s1 = t + r1 h, u1 = x - sigma(s1) expm1(r1 h) eps(x, t);
      // x <- x - sigma(t_next) expm1(h) eps - sigma(t_next) / (2 r1) expm1(h) (eps(u1, s1) - eps).
      const r1 = 1 / 2;
      stageDifference(b, 1, sT, sigmaOf(t + r1 * h));
      b.prec(0, 0, firstOrderSlot(b, sT, sN));
      b.lin(0, [[0, 1], [1, (-sN / (2 * r1)) * Math.expm1(h)]]);
    } else if (orders[i] === 3) {
      // DPM-Solver-3 (r1 = 1/3, r2 = 2/3): s_k = t + r_k h, u1 = x - sigma(s1) expm1(r1 h) eps(x, t);
      // u2 = x - sigma(s2) expm1(r2 h) eps + c1 (eps(u1, s1) - eps), c1 = -sigma(s2) (r2 / r1) (expm1(r2 h) / (r2 h) - 1);
      // x <- x - sigma(t_next) expm1(h) eps + c2 (eps(u2, s2) - eps), c2 = -sigma(t_next) / r2 (expm1(h) / h - 1),
      // where eps(u2, s2) - eps = [first-order part's difference] + c1 sigma_s2 / (lhat + sigma_s2^2) (eps(u1, s1) - eps).
      const r1 = 1 / 3;
      const r2 = 2 / 3;
      const s2 = sigmaOf(t + r2 * h);
      const c1 = -s2 * (r2 / r1) * (Math.expm1(r2 * h) / (r2 * h) - 1);
      const c2 = (-sN / r2) * (Math.expm1(h) / h - 1);
      stageDifference(b, 1, sT, sigmaOf(t + r1 * h));
      stageDifference(b, 2, sT, s2);
      b.prec(3, 1, derivativeSlot(b, s2));
      b.prec(0, 0, firstOrderSlot(b, sT, sN));
      b.lin(0, [[0, 1], [2, c2], [3, c2 * c1]]);
    } else {
      // DPM-Solver-1: x <- x - sigma(t_next) expm1(h) eps(x, t).
      b.prec(0, 0, firstOrderSlot(b, sT, sN));
    }
    // x <- x + s_noise sigma_up xi (fresh noise; sigma_up = 0 when eta = 0 and on the last step).
    b.noise(0, sNoise * up);
    const sigmaAfter = sigmaOf(ts[i + 1]);
    b.mark(0, 1, sigmaAfter * sigmaAfter);
  }
  return b.build();
}
