/**
 * Independent, deliberately naive transcription of docs/math.md §2 (the project's statement of P&G's formulas)
 * (Pierret & Galerne, ICML 2025, arXiv:2405.14250): exact W2 errors of diffusion
 * samplers for Gaussian data with the exact score.
 *
 * This module is a cross-check for the main engine and must stay a different code
 * path: no coefficient tables, no merging of repeated eigenvalues, no multiplicities.
 * Everything is recomputed mode by mode, step by step, in plain f64.
 * It imports nothing.
 */

export interface DirectOptions {
  /** b(0); default 0.05 */
  betaMin?: number;
  /** b(T); default 10 */
  betaMax?: number;
  /** T; default 1 */
  horizon?: number;
}

export type DirectScheme = 'em' | 'ei' | 'euler' | 'heun';

interface Schedule {
  T: number;
  /** b(t) = betaMin + (betaMax - betaMin) t / T */
  b: (t: number) => number;
  /** B(t) = int_0^t b = betaMin t + (betaMax - betaMin) t^2 / (2T) */
  B: (t: number) => number;
}

function schedule(opts?: DirectOptions): Schedule {
  const betaMin = opts?.betaMin ?? 0.05;
  const betaMax = opts?.betaMax ?? 10;
  const T = opts?.horizon ?? 1;
  if (!(T > 0) || !Number.isFinite(T)) throw new RangeError(`horizon must be a positive finite number, got ${T}`);
  if (!Number.isFinite(betaMin) || !Number.isFinite(betaMax)) throw new RangeError('betaMin/betaMax must be finite');
  return {
    T,
    b: (t: number) => betaMin + ((betaMax - betaMin) * t) / T,
    B: (t: number) => betaMin * t + ((betaMax - betaMin) * t * t) / (2 * T),
  };
}

/**
 * Forward variance of one mode at forward time t (docs/math.md §2.1: l(t) = e^{-2B(t)} l + 1 - e^{-2B(t)}).
 * 1 - e^{-2B} is taken as -expm1(-2B), and the sum is formed as e*l + (1-e) (never 1 + e*(l-1))
 * so that a tiny eigenvalue near t = 0 keeps its relative accuracy.
 */
function forwardVariance(l: number, t: number, s: Schedule): number {
  const twoB = 2 * s.B(t);
  const e = Math.exp(-twoB); //            e^{-2B(t)}
  const oneMinusE = -Math.expm1(-twoB); // 1 - e^{-2B(t)}
  return e * l + oneMinusE;
}

/** Copy the spectrum to f64, clipping round-off negatives in [-1e-12 max, 0) to 0; throw on worse. */
function cleanSpectrum(spectrum: ArrayLike<number>): Float64Array {
  const n = spectrum.length;
  const out = new Float64Array(n);
  let max = 0;
  for (let i = 0; i < n; i++) {
    const x = Number(spectrum[i]);
    if (Number.isNaN(x) || x === Infinity || x === -Infinity) throw new RangeError(`spectrum[${i}] is not finite: ${x}`);
    if (x > max) max = x;
    out[i] = x;
  }
  const tol = 1e-12 * max;
  for (let i = 0; i < n; i++) {
    const x = out[i];
    if (x < 0) {
      if (x >= -tol) out[i] = 0;
      else throw new RangeError(`spectrum[${i}] = ${x} is negative (below -1e-12 * max = ${-tol})`);
    }
  }
  return out;
}

/** Neumaier compensated summation accumulator. */
class NeumaierSum {
  private sum = 0;
  private comp = 0;
  add(x: number): void {
    const t = this.sum + x;
    if (Math.abs(this.sum) >= Math.abs(x)) this.comp += this.sum - t + x;
    else this.comp += x - t + this.sum;
    this.sum = t;
  }
  value(): number {
    return this.sum + this.comp;
  }
}

/** W2 between N(0, diag(v)) and N(0, diag(l)) (commuting case): sqrt(sum_i (sqrt(v_i) - sqrt(l_i))^2). */
function w2Diagonal(v: Float64Array, l: Float64Array): number {
  const acc = new NeumaierSum();
  for (let i = 0; i < l.length; i++) {
    if (v[i] === Infinity) return Infinity;
    const d = Math.sqrt(v[i]) - Math.sqrt(l[i]);
    acc.add(d * d);
  }
  return Math.sqrt(acc.value());
}

function checkCommon(scheme: DirectScheme, eps: number, init: 'pT' | 'normal', s: Schedule): void {
  if (scheme !== 'em' && scheme !== 'ei' && scheme !== 'euler' && scheme !== 'heun') {
    throw new RangeError(`unknown scheme ${String(scheme)}`);
  }
  if (init !== 'pT' && init !== 'normal') throw new RangeError(`unknown init ${String(init)}`);
  if (!(eps >= 0 && eps < s.T)) throw new RangeError(`eps must satisfy 0 <= eps < T, got ${eps}`);
}

/**
 * W2 of the exact continuous process (backward SDE for 'em'/'ei', probability-flow ODE for
 * 'euler'/'heun') stopped at forward time eps, started at p_T or at N(0, I).
 */
export function directContinuous(
  spectrum: ArrayLike<number>,
  scheme: DirectScheme,
  eps: number,
  init: 'pT' | 'normal',
  opts?: DirectOptions,
): number {
  const s = schedule(opts);
  checkCommon(scheme, eps, init, s);
  const l = cleanSpectrum(spectrum);
  const isSde = scheme === 'em' || scheme === 'ei';
  const v = new Float64Array(l.length);
  for (let i = 0; i < l.length; i++) {
    const ls = forwardVariance(l[i], eps, s); // l(s) at s = eps
    if (init === 'pT') {
      // started at p_T, the continuous process is exact: output law p_eps
      v[i] = ls;
    } else if (isSde) {
      const lT = forwardVariance(l[i], s.T, s); // l(T)
      // SDE from N(0, I): l(s) + e^{-2(B(T)-B(s))} l(s)^2 / l(T) * (1/l(T) - 1)
      v[i] = ls + ((Math.exp(-2 * (s.B(s.T) - s.B(eps))) * ls * ls) / lT) * (1 / lT - 1);
    } else {
      const lT = forwardVariance(l[i], s.T, s);
      // ODE from N(0, I): l(s) / l(T)
      v[i] = ls / lT;
    }
  }
  return w2Diagonal(v, l);
}

/**
 * W2 after running the discretized scheme on the N-point grid t_k = (T - eps) k / (N - 1),
 * k = 0..N-1 (N - 1 steps), started at p_T (v_0 = l(T)) or N(0, I) (v_0 = 1).
 */
export function directScheme(
  spectrum: ArrayLike<number>,
  scheme: DirectScheme,
  eps: number,
  N: number,
  init: 'pT' | 'normal',
  opts?: DirectOptions,
): number {
  const s = schedule(opts);
  checkCommon(scheme, eps, init, s);
  if (!Number.isInteger(N) || N < 2) throw new RangeError(`N must be an integer >= 2, got ${N}`);
  const l = cleanSpectrum(spectrum);
  const T = s.T;
  // grid: t_k = (T - eps) k / (N - 1)
  const t = (k: number) => ((T - eps) * k) / (N - 1);
  // D = t_1 - t_0
  const D = t(1) - t(0);
  const v = new Float64Array(l.length);

  for (let i = 0; i < l.length; i++) {
    const li = l[i];
    // v_0 = l(T) from p_T, v_0 = 1 from N(0, I)
    let vi = init === 'pT' ? forwardVariance(li, T, s) : 1;

    for (let k = 0; k <= N - 2; k++) {
      const ak = forwardVariance(li, T - t(k), s); // a_k = l(T - t_k)
      const ck = s.b(T - t(k)); //                    c_k = b(T - t_k)
      if (ak === 0) return Infinity; // score -S_t^{-1} x undefined where l(t) = 0

      if (scheme === 'em') {
        // Euler-Maruyama on the SDE: v <- (1 + D c_k (1 - 2/a_k))^2 v + 2 D c_k
        const m = 1 + D * ck * (1 - 2 / ak);
        vi = m * m * vi + 2 * D * ck;
      } else if (scheme === 'ei') {
        // Exponential integrator on the SDE:
        //   dB = B(T - t_k) - B(T - t_{k+1})
        //   g1 = e^{dB} - 1,  g2 = (e^{2 dB} - 1) / 2
        //   v <- (1 + g1 (1 - 2/a_k))^2 v + 2 g2
        const dB = s.B(T - t(k)) - s.B(T - t(k + 1));
        const g1 = Math.expm1(dB);
        const g2 = Math.expm1(2 * dB) / 2;
        const m = 1 + g1 * (1 - 2 / ak);
        vi = m * m * vi + 2 * g2;
      } else if (scheme === 'euler') {
        // Euler on the ODE: v <- (1 + D c_k (1 - 1/a_k))^2 v
        const m = 1 + D * ck * (1 - 1 / ak);
        vi = m * m * vi;
      } else {
        // Heun on the ODE:
        //   h_k     = D c_k     (1 - 1/a_k)
        //   h_{k+1} = D c_{k+1} (1 - 1/a_{k+1})
        //   v <- (1 + h_k/2 + (h_{k+1}/2)(1 + h_k))^2 v
        const ak1 = forwardVariance(li, T - t(k + 1), s); // a_{k+1} = l(T - t_{k+1})
        const ck1 = s.b(T - t(k + 1)); //                    c_{k+1} = b(T - t_{k+1})
        if (ak1 === 0) return Infinity; // second stage evaluates the score at l = 0 (eps = 0, l_i = 0)
        const hk = D * ck * (1 - 1 / ak);
        const hk1 = D * ck1 * (1 - 1 / ak1);
        const m = 1 + hk / 2 + (hk1 / 2) * (1 + hk);
        vi = m * m * vi;
      }
    }
    v[i] = vi;
  }
  // the output N(0, diag(v)) is compared with p_data = N(0, diag(l)) (forward time 0)
  return w2Diagonal(v, l);
}
