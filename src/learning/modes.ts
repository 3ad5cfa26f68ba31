/**
 * Per-mode closed forms of the samplers driven by a linear score s(y) = -a y (one scalar a per eigen-mode):
 * the building blocks shared by the dense samplers, the first-order kernels and the pipeline.
 * Conventions: docs/math.md §3 (after ../shared/score-matching.md §3), u = sigma^2 is a noise variance.
 * These are unvalidated base kernels: callers check their arguments.
 */

/** The exact (population) DSM score coefficient at noise variance u for a mode of variance l: a = 1 / (l + u). */
export const exactScore = (l: number, u: number): number => 1 / (l + u);

/** Continuous Langevin dX = -a X dt + sqrt(2) dW: stationary variance 1 / a (a S + S a = 2). */
export const langevinVariance = (a: number): number => 1 / a;

/**
 * Unadjusted Langevin x <- (1 - gamma a) x + sqrt(2 gamma) z: stationary variance of
 * S = (1 - gamma a)^2 S + 2 gamma, i.e. 2 / (a (2 - gamma a)); finite only for 0 < gamma a < 2.
 * With a = 1/c this is 2 c^2 / (2 c - gamma) (score-matching.md §3b).
 */
export const ulaVariance = (a: number, gamma: number): number => 2 / (a * (2 - gamma * a));

/** Final Tweedie denoising y -> (1 - u a) y of a variance v (§3c). */
export const tweedieVariance = (a: number, u: number, v: number): number => (1 - u * a) ** 2 * v;

/**
 * Output variance of one mode under Langevin (gamma = 0) or ULA (step gamma > 0) driven by the score
 * coefficient a, followed by a Tweedie step at noise variance `denoise` when it is > 0 (§3a-§3c).
 */
export function langevinOutputVariance(a: number, gamma: number, denoise: number): number {
  const v = gamma > 0 ? ulaVariance(a, gamma) : langevinVariance(a);
  return denoise > 0 ? tweedieVariance(a, denoise, v) : v;
}

/**
 * VE reverse SDE by Euler-Maruyama on the noise-variance grid u_0 > ... > u_K (§3d):
 * x_{k+1} = (1 - h_k a_k) x_k + sqrt(h_k) xi_k, h_k = u_k - u_{k+1}, so v_{k+1} = (1 - h_k a_k)^2 v_k + h_k.
 * `a(k)` is the score coefficient used at level u_k; returns v_K.
 */
export function veEmVariance(u: ArrayLike<number>, a: (k: number) => number, v0: number): number {
  let v = v0;
  for (let k = 0; k + 1 < u.length; k++) {
    const h = u[k] - u[k + 1];
    v = (1 - h * a(k)) ** 2 * v + h;
  }
  return v;
}

/**
 * Noise-variance grid of the VE diffusion: K + 1 levels from uMax down to uMin, uniform in u
 * (u_k = uMax - k (uMax - uMin)/K) or geometric (u_k = uMax rho^k, rho = (uMin/uMax)^(1/K)).
 */
export function veGrid(uMax: number, uMin: number, levels: number, spacing: 'uniform' | 'geometric'): Float64Array {
  const u = new Float64Array(levels + 1);
  for (let k = 0; k <= levels; k++) {
    u[k] = spacing === 'uniform' ? uMax - (k / levels) * (uMax - uMin) : uMax * (uMin / uMax) ** (k / levels);
  }
  u[levels] = uMin;
  return u;
}

/**
 * W2^2 between the 1-D laws N(0, l) and N(0, v) of one mode: (sqrt v - sqrt l)^2, written as
 * (v - l)^2 / (sqrt v + sqrt l)^2 so that it keeps its digits when v is close to l.
 */
export function modeW2Squared(l: number, v: number): number {
  const s = Math.sqrt(v) + Math.sqrt(l);
  return s > 0 ? ((v - l) / s) ** 2 : 0;
}
