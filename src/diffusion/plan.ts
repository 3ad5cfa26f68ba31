/**
 * The coefficient plan (docs/math.md §2): a list of samplers (src/diffusion/samplers/) on one grid, expanded
 * once into the table that both propagation back ends read, the Wasm kernel (assembly/diffusion/propagate.ts)
 * and the plain-TypeScript reference (src/diffusion/reference.ts): the schemes are not written a second time
 * anywhere.
 *
 * A scheme's factor m is a bilinear polynomial in (r_k, r_{k+1}) (src/diffusion/samplers/sampler.ts); a plan
 * row stores its coefficients,
 *
 *   m = (c00 + c10 r_k) + r_{k+1} (c01 + c11 r_k),   row = [c00, c10, c01, c11, nu],
 *
 * so that the back ends evaluate any such scheme with one formula and few operations (c01 = c11 = 0 for one
 * stage).
 */
import { type GridGeometry } from './grid.js';
import { type SchemeDefinition, type StepGeometry, type Tableau } from './samplers/index.js';
import { PLAN_STRIDE, TABLEAU_STRIDE } from '../wasm/constants.js';

// The plan's row and flag strides and its version, stated once for the facade and the kernel.
export { PLAN_LAYOUT, PLAN_STRIDE, TABLEAU_STRIDE } from '../wasm/constants.js';

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
 * eigenvalue with eps = 0 makes the score singular (docs/math.md §2, singular scores).
 */
export function evaluatesScoreAtEnd(plan: Plan, s: number): boolean {
  const steps = plan.points - 1;
  const last = (s * steps + steps - 1) * PLAN_STRIDE;
  return plan.coefficients[last + 2] !== 0 || plan.coefficients[last + 3] !== 0;
}
