// Off-diagonal sums of the first-order kernels of the score-matching pipeline (docs/math.md §3.4, after
// ../shared/score-matching.md §4): over distinct eigenvalues l_k with multiplicities w_k, two sources at once,
//   A(k, m) = genScale l_k l_m / (2 s)                                           (generalization: genScale = 1/N)  
//   B(k, m) = sum_t (pb_tk qb_tm + qb_tk pb_tm) / (2 s (s + e)^power)            (optimization forms)
// with s = l_k + l_m, power 0, 1 or 2 (K_opt^diff; symmetric A: c_k + c_m = s + e; free A: (c_k + c_m)^2).
// Writes rowsA[k] = sum_{m != k} w_m A(k, m), and rowsB likewise: each unordered pair k < m is evaluated once
// (one division shared by both sources) and added to both rows. Two pairs per f64x2.
// Accuracy (every term is >= 0): the row part of rows[k] is summed by blocks of SUM_BLOCK terms, blocks
// combined by Neumaier's compensated sum; the column part (pairs m < k) is summed plainly over ROW_BLOCK rows,
// those partial sums combined by Neumaier's sum. So rounding grows with SUM_BLOCK + ROW_BLOCK, not with n.
//
// Arrays lam, w hold n + 1 f64 and pb, qb rank rows of stride >= n + 1 f64: slot n is a padding mode
// (l > 0, w = 0, p = q = 0) so that a pair of lanes never reads past the end.

import { SUM_BLOCK } from "../../src/wasm/constants";
import { at } from "../memory";

const ROW_BLOCK: i32 = 64;

// Neumaier's step: (sum, comp) <- sum + x, with the rounding error of the addition kept in comp.
// @ts-ignore: decorator
@inline function neumaier(sum: usize, comp: usize, x: f64): void {
  const s = load<f64>(sum);
  const t = s + x;
  store<f64>(comp, load<f64>(comp) + (abs(s) >= abs(x) ? s - t + x : x - t + s));
  store<f64>(sum, t);
}

// (s + e)^power = sel(se, 1, m1) * sel(se, 1, m2), masks chosen once per call.
// @ts-ignore: decorator
@inline function factor(se: v128, m1: v128, m2: v128): v128 {
  const one = f64x2.splat(1.0);
  return f64x2.mul(v128.bitselect(se, one, m1), v128.bitselect(se, one, m2));
}

export function kernelPairSums(
  n: i32, lam: usize, w: usize, genScale: f64, rank: i32, pb: usize, qb: usize, stride: i32,
  e: f64, power: i32, rowsA: usize, rowsB: usize,
): void {
  const len = <usize>(n + 2) << 3;
  // Column sums and their compensations (A, B), and the current block's plain column sums (A, B).
  const scratch = heap.alloc(6 * len);
  memory.fill(scratch, 0, 6 * len);
  const colA = scratch, colAc = scratch + len, colB = scratch + 2 * len, colBc = scratch + 3 * len;
  const tmpA = scratch + 4 * len, tmpB = scratch + 5 * len;
  const m1 = i64x2.splat(power >= 1 ? -1 : 0);
  const m2 = i64x2.splat(power >= 2 ? -1 : 0);
  const one = f64x2.splat(1.0);
  const two = f64x2.splat(2.0);
  const ev = f64x2.splat(e);
  const cA = f64x2.splat(genScale);
  for (let k0: i32 = 0; k0 < n; k0 += ROW_BLOCK) {
    const k1 = min(n, k0 + ROW_BLOCK);
    for (let k: i32 = k0; k < k1; k++) {
      const lk = v128.load64_splat(at(lam, k));
      const wk = v128.load64_splat(at(w, k));
      const ak = f64x2.mul(cA, lk);
      const pbk = v128.load64_splat(at(pb, k));
      const qbk = v128.load64_splat(at(qb, k));
      let sumA: f64 = 0, compA: f64 = 0, sumB: f64 = 0, compB: f64 = 0;
      for (let b: i32 = k + 1; b < n; b += SUM_BLOCK) {
        const end = min(n, b + SUM_BLOCK);
        let accA = f64x2.splat(0.0);
        let accB = f64x2.splat(0.0);
        if (rank == 1) {
          for (let m: i32 = b; m < end; m += 2) {
            const lm = v128.load(at(lam, m));
            const s = f64x2.add(lk, lm);
            const sp = factor(f64x2.add(s, ev), m1, m2);
            const inv = f64x2.div(one, f64x2.mul(f64x2.mul(two, s), sp));
            const valA = f64x2.mul(f64x2.mul(inv, sp), f64x2.mul(ak, lm));
            const valB = f64x2.mul(inv, f64x2.add(f64x2.mul(pbk, v128.load(at(qb, m))), f64x2.mul(qbk, v128.load(at(pb, m)))));
            const wm = v128.load(at(w, m));
            accA = f64x2.add(accA, f64x2.mul(wm, valA));
            accB = f64x2.add(accB, f64x2.mul(wm, valB));
            v128.store(at(tmpA, m), f64x2.add(v128.load(at(tmpA, m)), f64x2.mul(wk, valA)));
            v128.store(at(tmpB, m), f64x2.add(v128.load(at(tmpB, m)), f64x2.mul(wk, valB)));
          }
        } else {
          for (let m: i32 = b; m < end; m += 2) {
            const lm = v128.load(at(lam, m));
            const s = f64x2.add(lk, lm);
            const sp = factor(f64x2.add(s, ev), m1, m2);
            const inv = f64x2.div(one, f64x2.mul(f64x2.mul(two, s), sp));
            const valA = f64x2.mul(f64x2.mul(inv, sp), f64x2.mul(ak, lm));
            let numB = f64x2.splat(0.0);
            for (let t: i32 = 0; t < rank; t++) {
              const o = t * stride;
              numB = f64x2.add(numB, f64x2.add(
                f64x2.mul(v128.load64_splat(at(pb, o + k)), v128.load(at(qb, o + m))),
                f64x2.mul(v128.load64_splat(at(qb, o + k)), v128.load(at(pb, o + m)))));
            }
            const valB = f64x2.mul(inv, numB);
            const wm = v128.load(at(w, m));
            accA = f64x2.add(accA, f64x2.mul(wm, valA));
            accB = f64x2.add(accB, f64x2.mul(wm, valB));
            v128.store(at(tmpA, m), f64x2.add(v128.load(at(tmpA, m)), f64x2.mul(wk, valA)));
            v128.store(at(tmpB, m), f64x2.add(v128.load(at(tmpB, m)), f64x2.mul(wk, valB)));
          }
        }
        // The pair of lanes may reach slot n (the padding mode, w = 0): its terms are 0.
        const x = f64x2.extract_lane(accA, 0) + f64x2.extract_lane(accA, 1);
        const t = sumA + x;
        compA += abs(sumA) >= abs(x) ? sumA - t + x : x - t + sumA;
        sumA = t;
        const y = f64x2.extract_lane(accB, 0) + f64x2.extract_lane(accB, 1);
        const u = sumB + y;
        compB += abs(sumB) >= abs(y) ? sumB - u + y : y - u + sumB;
        sumB = u;
      }
      store<f64>(at(rowsA, k), sumA + compA);
      store<f64>(at(rowsB, k), sumB + compB);
    }
    // Fold this block's column sums (columns m > k0 only) into the compensated ones.
    for (let m: i32 = k0 + 1; m < n; m++) {
      neumaier(at(colA, m), at(colAc, m), load<f64>(at(tmpA, m)));
      neumaier(at(colB, m), at(colBc, m), load<f64>(at(tmpB, m)));
      store<f64>(at(tmpA, m), 0);
      store<f64>(at(tmpB, m), 0);
    }
  }
  for (let k: i32 = 0; k < n; k++) {
    store<f64>(at(rowsA, k), load<f64>(at(rowsA, k)) + (load<f64>(at(colA, k)) + load<f64>(at(colAc, k))));
    store<f64>(at(rowsB, k), load<f64>(at(rowsB, k)) + (load<f64>(at(colB, k)) + load<f64>(at(colBc, k))));
  }
  heap.free(scratch);
}
