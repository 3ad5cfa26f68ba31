/**
 * Compensated summation (Neumaier 1974, "Rundungsfehleranalyse einiger Verfahren zur Summation endlicher
 * Summen"): the rounding error of each addition is carried in a second term, so the result is about as
 * accurate as one rounding of the exact sum, whatever the order of the terms. assembly/diffusion/w2.ts sums
 * the same way in the kernel.
 */
import { SUM_BLOCK } from '../wasm/constants.js'; // a leaf of plain numbers, shared with the kernels

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

/** Modes per block of `blockedSum`: the kernel's (assembly/diffusion/w2.ts), from the constants they share. */
export { SUM_BLOCK };

/**
 * sum_{i < n} term(i) as the kernel sums W2^2: plain sums over blocks of SUM_BLOCK indices (`block(from, to)`
 * returns one), the blocks combined by Neumaier's sum.
 */
export function blockedSum(n: number, block: (from: number, to: number) => number): number {
  const acc = new NeumaierSum();
  for (let b = 0; b < n; b += SUM_BLOCK) acc.add(block(b, Math.min(n, b + SUM_BLOCK)));
  return acc.value;
}
