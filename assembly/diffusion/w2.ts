// Squared W2 between the final laws and p_data, per (scheme, start), for the Wasm back end (the plain-TS
// back end uses summarizeErrors in src/diffusion/w2.ts, the same sums):
//   sums[q] = sum_i w_i (sqrt(v_{q,i}) - sqrt(l_i))^2        (docs/math.md §1, commuting Gaussians)
// by blocks of SUM_BLOCK modes summed plainly (two lanes of f64x2), the blocks combined by Neumaier's
// compensated sum, so the result does not depend on the length of the spectrum's tail.

import { SUM_BLOCK } from "../../src/wasm/constants";
import { at } from "../memory";

/**
 * `variances[q * stride + i]` for q < nq, i < nModes (nModes even, padding modes have weight 0);
 * writes `sums[q]`.
 */
export function errorSums(nModes: i32, lam: usize, w: usize, nq: i32, variances: usize, stride: i32, sums: usize): void {
  const roots = heap.alloc(<usize>nModes << 3);
  for (let j: i32 = 0; j < nModes; j += 2) v128.store(at(roots, j), f64x2.sqrt(v128.load(at(lam, j))));
  for (let q: i32 = 0; q < nq; q++) {
    const v = at(variances, q * stride);
    let sum: f64 = 0;
    let comp: f64 = 0;
    for (let b: i32 = 0; b < nModes; b += SUM_BLOCK) {
      const end = min(nModes, b + SUM_BLOCK);
      let acc = f64x2.splat(0.0);
      for (let j: i32 = b; j < end; j += 2) {
        const d = f64x2.sub(f64x2.sqrt(v128.load(at(v, j))), v128.load(at(roots, j)));
        acc = f64x2.add(acc, f64x2.mul(v128.load(at(w, j)), f64x2.mul(d, d)));
      }
      const x = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
      const t = sum + x;
      comp += abs(sum) >= abs(x) ? sum - t + x : x - t + sum;
      sum = t;
    }
    store<f64>(at(sums, q), sum + comp);
  }
  heap.free(roots);
}
