/**
 * What a sampler is (docs/math.md §2, Pierret & Galerne 2025, §4 and Table 2): a discretisation of the
 * backward SDE or probability-flow ODE, defined once by the increments of an explicit tableau with at most
 * two stages, the score -x / a (a = l(T - t), r = 1/a) being evaluated at grid points t_k and t_{k+1}:
 *
 *   h0 = alpha0 - beta0 r_k,   h1 = alpha1 - beta1 r_{k+1}
 *   m  = 1 + b0 h0                          (one stage)
 *   m  = 1 + b0 h0 + b1 h1 (1 + a10 h0)      (two stages)
 *   n  = nu
 *
 * so that one step maps the variance of a mode as v <- m^2 v + n. `buildPlan` (src/diffusion/plan.ts)
 * expands these into the coefficient table both back ends read. A new sampler is one file in this folder
 * exporting a `SchemeDefinition`, plus one line in the registry (./index.ts).
 */

export type Process = 'sde' | 'ode';

/** Geometry of one step [t_k, t_{k+1}] seen by a scheme. */
export interface StepGeometry {
  /** Step size D = t_{k+1} - t_k. */
  size: number;
  /** c_k = b(T - t_k). */
  beta0: number;
  /** c_{k+1} = b(T - t_{k+1}). */
  beta1: number;
  /** B(T - t_k) - B(T - t_{k+1}) >= 0. */
  integral: number;
}

export interface Tableau {
  readonly stages: 1 | 2;
  readonly a10: number;
  readonly b0: number;
  readonly b1: number;
}

export interface SchemeDefinition<Name extends string = string> {
  readonly name: Name;
  readonly label: string;
  /** The continuous process the scheme discretises (its "continuous" row in Table 2). */
  readonly process: Process;
  readonly tableau: Tableau;
  /** Write [alpha0, beta0, alpha1, beta1, nu] of one step into out[at..at+4]. */
  step(g: StepGeometry, out: Float64Array, at: number): void;
}

/** The tableau of the one-stage schemes (m = 1 + h0). */
export const ONE_STAGE: Tableau = { stages: 1, a10: 0, b0: 1, b1: 0 };
