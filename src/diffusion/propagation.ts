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
  /** Also accumulate the squared-W2 curve after each step. */
  readonly curve: boolean;
}

export interface PropagateOutput {
  /** Final variances, index (s * 2 + init) * nModes + i; init 0 = p_T start, 1 = N(0, I) start. */
  readonly variances: Float64Array;
  /** Squared W2 to p_{T - t_{k+1}} after step k, index (s * 2 + init) * (points - 1) + k. */
  readonly curve: Float64Array | null;
}

/** Starts, in the order the back ends store them. */
export const INITS = ['pT', 'normal'] as const;
export type Init = (typeof INITS)[number];
