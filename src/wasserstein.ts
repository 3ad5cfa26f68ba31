/**
 * W2 between the sampler's output and its target when both are diagonal in the eigenbasis of S:
 * W2^2 = sum_i (sqrt(v_i) - sqrt(l_i))^2 (math.md §1, commuting case), weighted by multiplicities.
 */

/** Neumaier's compensated sum of terms[from..to), robust to the order of the terms. */
export function neumaierSum(terms: ArrayLike<number>, from = 0, to = terms.length): number {
  let sum = 0;
  let comp = 0;
  for (let i = from; i < to; i++) {
    const x = terms[i];
    const t = sum + x;
    if (Math.abs(sum) >= Math.abs(x)) comp += sum - t + x;
    else comp += x - t + sum;
    sum = t;
  }
  return sum + comp;
}

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
