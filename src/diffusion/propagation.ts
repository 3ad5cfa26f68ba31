/**
 * The contract between the engine and its two propagation back ends (Wasm kernel, plain-TS reference):
 * both read the same coefficient plan (src/diffusion/plan.ts) and return the same arrays.
 */
import { type GridGeometry } from './grid.js';
import { type Plan } from './plan.js';

export interface PropagateInput {
  /** Eigenvalues of the modes (distinct values). */
  readonly values: Float64Array;
  /** Weights (multiplicities) of the modes, used by curves. */
  readonly weights: Float64Array;
  readonly geom: GridGeometry;
  readonly plan: Plan;
  /** Also accumulate the squared-W2 curve, after the steps `curveStep` names. */
  readonly curve: boolean;
  /** Curve stride: the curve is taken after the steps k with (k + 1) % every == 0 and after the last (default 1: every step). */
  readonly every?: number;
}

export interface PropagateOutput {
  /** Final variances, index (s * 2 + init) * nModes + i; init 0 = p_T start, 1 = N(0, I) start. */
  readonly variances: Float64Array;
  /** Squared W2 to p_{T - t_{k+1}} after step k = curveStep(j), index (s * 2 + init) * curvePoints(points - 1, every) + j. */
  readonly curve: Float64Array | null;
}

/** Number of curve points over `steps` steps with stride `every`: ceil(steps / every). */
export function curvePoints(steps: number, every: number): number {
  return Math.ceil(steps / every);
}

/** The step k after which curve point j is taken: min((j + 1) every, steps) - 1. */
export function curveStep(j: number, steps: number, every: number): number {
  return Math.min((j + 1) * every, steps) - 1;
}

/** Starts, in the order the back ends store them. */
export const INITS = ['pT', 'normal'] as const;
export type Init = (typeof INITS)[number];
