/**
 * Compensated summation (Neumaier 1974, "Rundungsfehleranalyse einiger Verfahren zur Summation endlicher
 * Summen"): the rounding error of each addition is carried in a second term, so the result is about as
 * accurate as one rounding of the exact sum, whatever the order of the terms. assembly/diffusion/w2.ts sums
 * the same way in the kernel.
 */
/** A running Neumaier sum: `add` terms in any order, read `value`. */
export class NeumaierSum {
  private sum = 0;
  private comp = 0;

  add(x: number): void {
    const t = this.sum + x;
    // The low-order bits lost by t = sum + x: exact in f64 when |sum| >= |x| (resp. |x| >= |sum|).
    this.comp += Math.abs(this.sum) >= Math.abs(x) ? this.sum - t + x : x - t + this.sum;
    this.sum = t;
  }

  get value(): number {
    return this.sum + this.comp;
  }
}

/** Neumaier's compensated sum of terms[from..to), robust to the order of the terms. */
export function neumaierSum(terms: ArrayLike<number>, from = 0, to = terms.length): number {
  const acc = new NeumaierSum();
  for (let i = from; i < to; i++) acc.add(terms[i]);
  return acc.value;
}

/**
 * sum_{i < n} term(i) summed as the W2 kernel does (assembly/diffusion/w2.ts, with size = SUM_BLOCK of
 * src/wasm/constants.ts): plain sums over blocks of `size` indices (`block(from, to)` returns one), the
 * blocks combined by Neumaier's sum.
 */
export function blockedSum(n: number, size: number, block: (from: number, to: number) => number): number {
  const acc = new NeumaierSum();
  for (let b = 0; b < n; b += size) acc.add(block(b, Math.min(n, b + size)));
  return acc.value;
}
