/**
 * Discretisation schemes of the backward SDE / probability-flow ODE, each defined once by its per-mode
 * coefficients (math.md §2, Pierret & Galerne 2025, §4 and Table 2).
 *
 * With the exact score -x / a (a = l(T - t) the forward variance of the mode, r = 1/a), one step of any of
 * these schemes maps the variance of a mode as v <- m^2 v + n. A scheme gives, for each step, the increments
 * of an explicit tableau with at most two stages, the score being evaluated at grid points t_k and t_{k+1}:
 *
 *   h0 = alpha0 - beta0 r_k,   h1 = alpha1 - beta1 r_{k+1}
 *   m  = 1 + b0 h0                          (one stage)
 *   m  = 1 + b0 h0 + b1 h1 (1 + a10 h0)      (two stages)
 *   n  = nu
 *
 * Such an m is a bilinear polynomial in (r_k, r_{k+1}); a plan row stores its coefficients,
 *
 *   m = (c00 + c10 r_k) + r_{k+1} (c01 + c11 r_k),   row = [c00, c10, c01, c11, nu],
 *
 * expanded once per step here, so that the back ends evaluate any such scheme with one formula and few
 * operations (c01 = c11 = 0 for one stage).
 *
 * `buildPlan` turns a list of schemes and a grid into one coefficient table that both the Wasm kernel
 * (assembly/diffusion/propagate.ts) and the plain-TypeScript reference (src/diffusion/reference.ts) read: the schemes are not
 * written a second time anywhere.
 */
import { fail } from '../core/errors.js';
import { type GridGeometry } from './grid.js';

export type SchemeName = 'em' | 'ei' | 'euler' | 'heun';
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

export interface SchemeDefinition {
  readonly name: SchemeName;
  readonly label: string;
  /** The continuous process the scheme discretises (its "continuous" row in Table 2). */
  readonly process: Process;
  readonly tableau: Tableau;
  /** Write [alpha0, beta0, alpha1, beta1, nu] of one step into out[at..at+4]. */
  step(g: StepGeometry, out: Float64Array, at: number): void;
}

/** Version of the plan's meaning; must match assembly/diffusion/propagate.ts (bump both when formulas change). */
export const PLAN_LAYOUT = 5;
/** Number of f64 per (scheme, step) row of a plan; must match assembly/diffusion/propagate.ts. */
export const PLAN_STRIDE = 5;
/** Number of f64 per scheme in the flags table (two-node, noise-free); must match assembly/diffusion/propagate.ts. */
export const TABLEAU_STRIDE = 2;

const ONE_STAGE: Tableau = { stages: 1, a10: 0, b0: 1, b1: 0 };

/** Euler-Maruyama on the backward SDE: v <- (1 + D c_k (1 - 2/a_k))^2 v + 2 D c_k (math.md §2). */
export const eulerMaruyama: SchemeDefinition = {
  name: 'em',
  label: 'EM',
  process: 'sde',
  tableau: ONE_STAGE,
  step(g, out, at) {
    const dc = g.size * g.beta0;
    out[at] = dc; // h0 = D c_k (1 - 2 r_k)
    out[at + 1] = 2 * dc;
    out[at + 2] = 0;
    out[at + 3] = 0;
    out[at + 4] = 2 * dc; // n = 2 D c_k
  },
};

/**
 * Exponential integrator on the backward SDE: with g1 = e^{B(T-t_k) - B(T-t_{k+1})} - 1 and
 * g2 = (e^{2(B(T-t_k) - B(T-t_{k+1}))} - 1)/2, v <- (1 + g1 (1 - 2/a_k))^2 v + 2 g2 (math.md §2).
 */
export const exponentialIntegrator: SchemeDefinition = {
  name: 'ei',
  label: 'EI',
  process: 'sde',
  tableau: ONE_STAGE,
  step(g, out, at) {
    const g1 = Math.expm1(g.integral);
    const g2 = 0.5 * Math.expm1(2 * g.integral);
    out[at] = g1; // h0 = g1 (1 - 2 r_k)
    out[at + 1] = 2 * g1;
    out[at + 2] = 0;
    out[at + 3] = 0;
    out[at + 4] = 2 * g2;
  },
};

/** Euler on the probability-flow ODE: v <- (1 + D c_k (1 - 1/a_k))^2 v (math.md §2). */
export const eulerOde: SchemeDefinition = {
  name: 'euler',
  label: 'Euler',
  process: 'ode',
  tableau: ONE_STAGE,
  step(g, out, at) {
    const dc = g.size * g.beta0;
    out[at] = dc; // h0 = D c_k (1 - r_k)
    out[at + 1] = dc;
    out[at + 2] = 0;
    out[at + 3] = 0;
    out[at + 4] = 0;
  },
};

/**
 * Heun on the probability-flow ODE: h_k = D c_k (1 - 1/a_k), v <- (1 + h_k/2 + (h_{k+1}/2)(1 + h_k))^2 v
 * (math.md §2). The second stage evaluates the score at t_{k+1}: at forward time eps on the last step.
 */
export const heunOde: SchemeDefinition = {
  name: 'heun',
  label: 'Heun',
  process: 'ode',
  tableau: { stages: 2, a10: 1, b0: 0.5, b1: 0.5 },
  step(g, out, at) {
    const dc0 = g.size * g.beta0;
    const dc1 = g.size * g.beta1;
    out[at] = dc0; // h_k = D c_k (1 - r_k)
    out[at + 1] = dc0;
    out[at + 2] = dc1; // h_{k+1} = D c_{k+1} (1 - r_{k+1})
    out[at + 3] = dc1;
    out[at + 4] = 0;
  },
};

export const SCHEMES: Readonly<Record<SchemeName, SchemeDefinition>> = {
  em: eulerMaruyama,
  ei: exponentialIntegrator,
  euler: eulerOde,
  heun: heunOde,
};

export const SCHEME_NAMES = Object.keys(SCHEMES) as SchemeName[];

export function resolveSchemes(names: unknown, argument = 'schemes'): SchemeDefinition[] {
  if (!Array.isArray(names) || names.length === 0) {
    fail('UNKNOWN_SCHEME', argument, `expected a non-empty list of scheme names, got ${JSON.stringify(names)}`, SCHEME_NAMES.join(', '));
  }
  const seen = new Set<string>();
  return names.map((name) => {
    if (typeof name !== 'string' || !Object.prototype.hasOwnProperty.call(SCHEMES, name)) {
      fail('UNKNOWN_SCHEME', argument, `unknown scheme ${JSON.stringify(name)}`, SCHEME_NAMES.join(', '));
    }
    if (seen.has(name)) fail('UNKNOWN_SCHEME', argument, `scheme ${name} is listed twice`, 'each scheme once');
    seen.add(name);
    return SCHEMES[name as SchemeName];
  });
}

/** The coefficient table of a list of schemes on one grid, read by both propagation back ends. */
export interface Plan {
  readonly schemes: readonly SchemeDefinition[];
  readonly points: number;
  /**
   * nSchemes x TABLEAU_STRIDE flags: two-node (1 when some step uses r_{k+1}, i.e. c01 or c11 != 0), noise-free
   * (1 when n = 0 on every step: the back ends then keep P = prod m only).
   */
  readonly tableau: Float64Array;
  /** nSchemes x (points - 1) x PLAN_STRIDE: c00, c10, c01, c11, nu of m = (c00 + c10 r_k) + r_{k+1} (c01 + c11 r_k). */
  readonly coefficients: Float64Array;
}

/**
 * Expand one step of a tableau into the bilinear coefficients of m (in place: `row` holds
 * [alpha0, beta0, alpha1, beta1, nu] on entry, [c00, c10, c01, c11, nu] on exit). With y1 = 1 + a10 h0 =
 * p - q r_k (p = 1 + a10 alpha0, q = a10 beta0):
 *   m = [1 + b0 alpha0 + b1 alpha1 p] - [b0 beta0 + b1 alpha1 q] r_k - [b1 beta1 p] r_{k+1} + [b1 beta1 q] r_k r_{k+1}
 */
function expandStep(t: Tableau, c: Float64Array, row: number): void {
  const alpha0 = c[row];
  const beta0 = c[row + 1];
  const alpha1 = c[row + 2];
  const beta1 = c[row + 3];
  if (t.stages === 1) {
    c[row] = 1 + t.b0 * alpha0;
    c[row + 1] = -(t.b0 * beta0);
    c[row + 2] = 0;
    c[row + 3] = 0;
    return;
  }
  const p = 1 + t.a10 * alpha0;
  const q = t.a10 * beta0;
  c[row] = 1 + t.b0 * alpha0 + t.b1 * alpha1 * p;
  c[row + 1] = -(t.b0 * beta0 + t.b1 * alpha1 * q);
  c[row + 2] = -(t.b1 * beta1 * p);
  c[row + 3] = t.b1 * beta1 * q;
}

export function buildPlan(schemes: readonly SchemeDefinition[], geom: GridGeometry): Plan {
  const points = geom.times.length;
  const steps = points - 1;
  const tableau = new Float64Array(schemes.length * TABLEAU_STRIDE);
  const coefficients = new Float64Array(schemes.length * steps * PLAN_STRIDE);
  schemes.forEach((scheme, s) => {
    let noiseFree = 1;
    let twoNode = 0;
    const g: StepGeometry = { size: 0, beta0: 0, beta1: 0, integral: 0 }; // reused for every step
    for (let k = 0; k < steps; k++) {
      g.size = geom.times[k + 1] - geom.times[k];
      g.beta0 = geom.beta[k];
      g.beta1 = geom.beta[k + 1];
      g.integral = geom.integral[k] - geom.integral[k + 1];
      const row = (s * steps + k) * PLAN_STRIDE;
      scheme.step(g, coefficients, row);
      expandStep(scheme.tableau, coefficients, row);
      if (coefficients[row + 2] !== 0 || coefficients[row + 3] !== 0) twoNode = 1;
      if (coefficients[row + 4] !== 0) noiseFree = 0;
    }
    tableau.set([twoNode, noiseFree], s * TABLEAU_STRIDE);
  });
  return { schemes, points, tableau, coefficients };
}

/**
 * Whether the scheme evaluates the score at the last grid point (forward time eps), where a zero
 * eigenvalue with eps = 0 makes the score singular (math.md §2, last point).
 */
export function evaluatesScoreAtEnd(plan: Plan, s: number): boolean {
  const steps = plan.points - 1;
  const last = (s * steps + steps - 1) * PLAN_STRIDE;
  return plan.coefficients[last + 2] !== 0 || plan.coefficients[last + 3] !== 0;
}
