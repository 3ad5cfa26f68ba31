/**
 * W2 between the sampler's output and its target when both are diagonal in the eigenbasis of S:
 * W2^2 = sum_i (sqrt(v_i) - sqrt(l_i))^2 (docs/math.md §1, commuting case), weighted by multiplicities.
 */

import { blockedSum, neumaierSum } from '../core/sums.js';
import { SUM_BLOCK } from '../wasm/constants.js';

/**
 * Per-mode squared W2 contributions w_i (sqrt(v_i) - sqrt(l_i))^2, written into `out` (gl-matrix style
 * output parameter); v is read from variances[offset + i].
 */
export function contributionsInto(
  out: Float64Array,
  targets: Float64Array,
  weights: Float64Array,
  variances: Float64Array,
  offset = 0,
): Float64Array {
  for (let i = 0; i < targets.length; i++) {
    const d = Math.sqrt(variances[offset + i]) - Math.sqrt(targets[i]);
    out[i] = weights[i] * (d * d);
  }
  return out;
}

/** Squared W2 of commuting Gaussians given per-mode variances and targets, with multiplicities. */
export function commutingW2Squared(
  targets: Float64Array,
  weights: Float64Array,
  variances: Float64Array,
  offset = 0,
  scratch: Float64Array = new Float64Array(targets.length),
): number {
  return neumaierSum(contributionsInto(scratch, targets, weights, variances, offset));
}

/** The W2 errors of every (scheme, start) of a propagation, as sums that can be merged across mode slices. */
export interface ErrorSummary {
  /** Squared W2 to p_data per (scheme, start), index s * 2 + init. */
  readonly squared: Float64Array;
  /** Index of the first mode whose variance is not finite, per (scheme, start), or -1. */
  readonly firstNonFinite: Int32Array;
  /** 1 where that variance is NaN. */
  readonly nan: Uint8Array;
}

/**
 * Summarise final variances (index q * stride + i, q = s * 2 + init) against their targets, the eigenvalues
 * themselves (`rootTargets` = their square roots): squared W2 (`blockedSum`, the same
 * sums as assembly/diffusion/w2.ts; `given` when a back end computed them already), and where non-finite values
 * appear.
 */
export function summarizeErrors(
  rootTargets: Float64Array,
  weights: Float64Array,
  variances: Float64Array,
  stride: number,
  nq: number,
  given?: Float64Array,
): ErrorSummary {
  const n = rootTargets.length;
  const squared = given ?? new Float64Array(nq);
  const firstNonFinite = new Int32Array(nq).fill(-1);
  const nan = new Uint8Array(nq);
  for (let q = 0; q < nq; q++) {
    const at = q * stride;
    if (given) {
      if (!Number.isFinite(squared[q])) findNonFinite(q, at);
      continue;
    }
    squared[q] = blockedSum(n, SUM_BLOCK, (from, to) => {
      let x = 0;
      for (let i = from; i < to; i++) {
        const d = Math.sqrt(variances[at + i]) - rootTargets[i];
        x += weights[i] * (d * d); // w_i (sqrt(v_i) - sqrt(l_i))^2
      }
      return x;
    });
    if (!Number.isFinite(squared[q])) findNonFinite(q, at);
  }
  return { squared, firstNonFinite, nan };

  function findNonFinite(q: number, at: number): void {
    for (let i = 0; i < n; i++) {
      const v = variances[at + i];
      if (!Number.isFinite(v)) { firstNonFinite[q] = i; nan[q] = Number.isNaN(v) ? 1 : 0; return; }
    }
  }
}

/** Merge the summaries of consecutive mode slices starting at the given offsets. */
export function mergeSummaries(parts: readonly ErrorSummary[], offsets: readonly number[]): ErrorSummary {
  const nq = parts[0].squared.length;
  const squared = new Float64Array(nq);
  const firstNonFinite = new Int32Array(nq).fill(-1);
  const nan = new Uint8Array(nq);
  for (let q = 0; q < nq; q++) {
    squared[q] = neumaierSum(parts.map((p) => p.squared[q]));
    for (let j = 0; j < parts.length; j++) {
      if (parts[j].firstNonFinite[q] >= 0) {
        firstNonFinite[q] = offsets[j] + parts[j].firstNonFinite[q];
        nan[q] = parts[j].nan[q];
        break;
      }
    }
  }
  return { squared, firstNonFinite, nan };
}
