// Off-diagonal sums of the first-order kernels of the score-matching pipeline (docs/math.md §3.4, after
// ../shared/score-matching.md §4): over distinct eigenvalues l_k with multiplicities w_k, two sources at once,
//   A(k, m) = genScale l_k l_m / (2 s)                                           (generalization: genScale = 1/N)
//   B(k, m) = sum_t (pb_tk qb_tm + qb_tk pb_tm) / (2 s (s + e)^power)            (optimization forms)
// with s = l_k + l_m, power 0, 1 or 2 (K_opt^diff; symmetric A: c_k + c_m = s + e; free A: (c_k + c_m)^2).
// One call handles the pairs k < m with k in rows [from, to): it writes the row parts
// rowsA[k] = sum_{m > k} w_m A(k, m) for k in [from, to), and the column parts
// colsA[m] = sum_{from <= k < min(m, to)} w_k A(k, m) for every m (0 for m <= from); likewise B. Each pair is
// evaluated once and added to both. Summing the row parts and every row range's column parts gives
// sum_{m != k} w_m A(k, m).
// Accuracy (every term is >= 0): a row part is summed by blocks of at most SUM_BLOCK terms, blocks combined by
// Neumaier's compensated sum; a column part is summed plainly over ROW_BLOCK rows, those partial sums combined
// by Neumaier's sum. So rounding grows with SUM_BLOCK + ROW_BLOCK, not with n.
//
// Rank 1 (every kernel but the discrete diffusion one) takes a faster path: per mode x,
//   U_x = sum_y w_y qb_y / d_xy,  V_x = sum_y w_y pb_y / d_xy,  Z_x = sum_y w_y l_y / s_xy,  d = s (s + e)^power,
// so that A's sum is genScale l_x Z_x / 2 and B's is (pb_x U_x + qb_x V_x) / 2; four pairs per step share one
// division (1 / d0 = d1 / (d0 d1), 1 / d1 = d0 / (d0 d1)) when no product d0 d1 can leave the normal range,
// and the pairs are taken in tiles of ROW_BLOCK rows x SUM_BLOCK columns (in cache).
//
// Arrays lam, w hold n + 1 f64 and pb, qb rank rows of stride >= n + 1 f64: slot n is a padding mode
// (l > 0, w = 0, p = q = 0) so that a pair of lanes never reads past the end (general path).

import { SUM_BLOCK } from "../../src/wasm/constants";
import { at } from "../memory";

const ROW_BLOCK: i32 = 256;

// Neumaier's step: (sum, comp) <- sum + x, with the rounding error of the addition kept in comp.
// @ts-ignore: decorator
@inline function neumaier(sum: usize, comp: usize, x: f64): void {
  const s = load<f64>(sum);
  const t = s + x;
  store<f64>(comp, load<f64>(comp) + (abs(s) >= abs(x) ? s - t + x : x - t + s));
  store<f64>(sum, t);
}

// @ts-ignore: decorator
@inline function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

// (s + e)^power, power a constant after inlining.
// @ts-ignore: decorator
@inline function spow(s: v128, ev: v128, power: i32): v128 {
  if (power == 0) return f64x2.splat(1.0);
  const se = f64x2.add(s, ev);
  return power == 1 ? se : f64x2.mul(se, se);
}

// @ts-ignore: decorator
@inline function spowScalar(s: f64, e: f64, power: i32): f64 {
  if (power == 0) return 1.0;
  const se = s + e;
  return power == 1 ? se : se * se;
}

// v[i] += x, for a v128 at address p.
// @ts-ignore: decorator
@inline function addTo(p: usize, x: v128): void {
  v128.store(p, f64x2.add(v128.load(p), x));
}

export function kernelPairSums(
  n: i32, lam: usize, w: usize, genScale: f64, rank: i32, pb: usize, qb: usize, stride: i32,
  e: f64, power: i32, from: i32, to: i32, rowsA: usize, rowsB: usize, colsA: usize, colsB: usize,
): void {
  if (rank == 1 && n >= 2 && sharedDivisionSafe(n, lam, e, power)) {
    if (power == 2) rankOne(n, lam, w, genScale, pb, qb, e, 2, from, to, rowsA, rowsB, colsA, colsB);
    else if (power == 1) rankOne(n, lam, w, genScale, pb, qb, e, 1, from, to, rowsA, rowsB, colsA, colsB);
    else rankOne(n, lam, w, genScale, pb, qb, e, 0, from, to, rowsA, rowsB, colsA, colsB);
  } else {
    general(n, lam, w, genScale, rank, pb, qb, stride, e, power, from, to, rowsA, rowsB, colsA, colsB);
  }
}

// Every pair has l_min1 + l_min2 <= s <= 2 l_max (the two smallest values, the largest; the tiles' padding
// mode has l = l_max): the products d0 d1 lie in [d_lo^2, d_hi^2], which must stay within 1e-300 .. 1e300.
function sharedDivisionSafe(n: i32, lam: usize, e: f64, power: i32): bool {
  let a = Infinity, b = Infinity, hi = -Infinity;
  for (let i: i32 = 0; i < n; i++) {
    const l = load<f64>(at(lam, i));
    if (l < a) { b = a; a = l; } else if (l < b) b = l;
    hi = max(hi, l);
  }
  const sLo = a + b, sHi = 2 * hi;
  const dLo = sLo * spowScalar(sLo, e, power), dHi = sHi * spowScalar(sHi, e, power);
  return dLo * dLo >= 1e-300 && dHi * dHi <= 1e300;
}

// @ts-ignore: decorator
@inline function rankOne(
  n: i32, lam: usize, w: usize, g: f64, pb: usize, qb: usize, e: f64, power: i32,
  from: i32, to: i32, rowsA: usize, rowsB: usize, colsA: usize, colsB: usize,
): void {
  const n4 = (n + 3) & ~3;
  const len = <usize>n4 << 3;
  // Per mode: l (padded with l_max), w qb, w pb, w l (padded with 0); row sums U, V, Z and their
  // compensations; the same for the columns; the current row block's plain column sums.
  const buf = heap.alloc(19 * len);
  memory.fill(buf, 0, 19 * len);
  const L = buf, WQ = buf + len, WP = buf + 2 * len, LW = buf + 3 * len;
  const rU = buf + 4 * len, rUc = buf + 5 * len, rV = buf + 6 * len, rVc = buf + 7 * len, rZ = buf + 8 * len, rZc = buf + 9 * len;
  const cU = buf + 10 * len, cUc = buf + 11 * len, cV = buf + 12 * len, cVc = buf + 13 * len, cZ = buf + 14 * len, cZc = buf + 15 * len;
  const tU = buf + 16 * len, tV = buf + 17 * len, tZ = buf + 18 * len;
  let lMax = -Infinity;
  for (let i: i32 = 0; i < n; i++) {
    const l = load<f64>(at(lam, i)), wi = load<f64>(at(w, i));
    store<f64>(at(L, i), l);
    store<f64>(at(WQ, i), wi * load<f64>(at(qb, i)));
    store<f64>(at(WP, i), wi * load<f64>(at(pb, i)));
    store<f64>(at(LW, i), wi * l);
    lMax = max(lMax, l);
  }
  for (let i: i32 = n; i < n4; i++) store<f64>(at(L, i), lMax);
  const ev = f64x2.splat(e);
  const one = f64x2.splat(1.0);
  for (let k0: i32 = from; k0 < to; k0 += ROW_BLOCK) {
    const k1 = min(to, k0 + ROW_BLOCK);
    // Tiles of columns [c0, c1), c0 a multiple of SUM_BLOCK (itself a multiple of 4), from the first pair's.
    for (let c0: i32 = (k0 + 1) / SUM_BLOCK * SUM_BLOCK; c0 < n4; c0 += SUM_BLOCK) {
      const c1 = min(n4, c0 + SUM_BLOCK);
      for (let k: i32 = k0; k < min(k1, c1 - 1); k++) {
        const lks = load<f64>(at(L, k)), wqk = load<f64>(at(WQ, k)), wpk = load<f64>(at(WP, k)), lwk = load<f64>(at(LW, k));
        let m = max(c0, k + 1);
        let u: f64 = 0, v: f64 = 0, z: f64 = 0;
        // Up to 3 leading pairs, one at a time, so that the 4-wide steps start on a multiple of 4.
        for (; m < c1 && (m & 3) != 0; m++) {
          const s = lks + load<f64>(at(L, m));
          const sp = spowScalar(s, e, power);
          const inv = 1.0 / (s * sp);
          const invS = power == 0 ? inv : inv * sp;
          u += inv * load<f64>(at(WQ, m));
          v += inv * load<f64>(at(WP, m));
          z += invS * load<f64>(at(LW, m));
          store<f64>(at(tU, m), load<f64>(at(tU, m)) + inv * wqk);
          store<f64>(at(tV, m), load<f64>(at(tV, m)) + inv * wpk);
          store<f64>(at(tZ, m), load<f64>(at(tZ, m)) + invS * lwk);
        }
        const lk = f64x2.splat(lks), wqv = f64x2.splat(wqk), wpv = f64x2.splat(wpk), lwv = f64x2.splat(lwk);
        let aU0 = f64x2.splat(0.0), aV0 = f64x2.splat(0.0), aZ0 = f64x2.splat(0.0);
        let aU1 = f64x2.splat(0.0), aV1 = f64x2.splat(0.0), aZ1 = f64x2.splat(0.0);
        for (; m < c1; m += 4) {
          const s0 = f64x2.add(lk, v128.load(at(L, m)));
          const s1 = f64x2.add(lk, v128.load(at(L, m + 2)));
          const sp0 = spow(s0, ev, power), sp1 = spow(s1, ev, power);
          const d0 = power == 0 ? s0 : f64x2.mul(s0, sp0);
          const d1 = power == 0 ? s1 : f64x2.mul(s1, sp1);
          const r = f64x2.div(one, f64x2.mul(d0, d1));
          const inv0 = f64x2.mul(r, d1), inv1 = f64x2.mul(r, d0); // 1 / d
          const is0 = power == 0 ? inv0 : f64x2.mul(inv0, sp0);   // 1 / s
          const is1 = power == 0 ? inv1 : f64x2.mul(inv1, sp1);
          aU0 = f64x2.add(aU0, f64x2.mul(inv0, v128.load(at(WQ, m))));
          aU1 = f64x2.add(aU1, f64x2.mul(inv1, v128.load(at(WQ, m + 2))));
          aV0 = f64x2.add(aV0, f64x2.mul(inv0, v128.load(at(WP, m))));
          aV1 = f64x2.add(aV1, f64x2.mul(inv1, v128.load(at(WP, m + 2))));
          aZ0 = f64x2.add(aZ0, f64x2.mul(is0, v128.load(at(LW, m))));
          aZ1 = f64x2.add(aZ1, f64x2.mul(is1, v128.load(at(LW, m + 2))));
          addTo(at(tU, m), f64x2.mul(inv0, wqv));
          addTo(at(tU, m + 2), f64x2.mul(inv1, wqv));
          addTo(at(tV, m), f64x2.mul(inv0, wpv));
          addTo(at(tV, m + 2), f64x2.mul(inv1, wpv));
          addTo(at(tZ, m), f64x2.mul(is0, lwv));
          addTo(at(tZ, m + 2), f64x2.mul(is1, lwv));
        }
        neumaier(at(rU, k), at(rUc, k), u + hsum(f64x2.add(aU0, aU1)));
        neumaier(at(rV, k), at(rVc, k), v + hsum(f64x2.add(aV0, aV1)));
        neumaier(at(rZ, k), at(rZc, k), z + hsum(f64x2.add(aZ0, aZ1)));
      }
    }
    // Fold this row block's column sums (columns m > k0 only) into the compensated ones.
    for (let m: i32 = k0 + 1; m < n; m++) {
      neumaier(at(cU, m), at(cUc, m), load<f64>(at(tU, m)));
      neumaier(at(cV, m), at(cVc, m), load<f64>(at(tV, m)));
      neumaier(at(cZ, m), at(cZc, m), load<f64>(at(tZ, m)));
    }
    memory.fill(tU, 0, 3 * len);
  }
  // A = genScale l Z / 2, B = (pb U + qb V) / 2, per row and per column part.
  for (let k: i32 = from; k < to; k++) {
    const l = load<f64>(at(lam, k));
    store<f64>(at(rowsA, k), 0.5 * g * l * (load<f64>(at(rZ, k)) + load<f64>(at(rZc, k))));
    store<f64>(at(rowsB, k), 0.5 * (load<f64>(at(pb, k)) * (load<f64>(at(rU, k)) + load<f64>(at(rUc, k)))
      + load<f64>(at(qb, k)) * (load<f64>(at(rV, k)) + load<f64>(at(rVc, k)))));
  }
  for (let m: i32 = 0; m < n; m++) {
    const l = load<f64>(at(lam, m));
    store<f64>(at(colsA, m), 0.5 * g * l * (load<f64>(at(cZ, m)) + load<f64>(at(cZc, m))));
    store<f64>(at(colsB, m), 0.5 * (load<f64>(at(pb, m)) * (load<f64>(at(cU, m)) + load<f64>(at(cUc, m)))
      + load<f64>(at(qb, m)) * (load<f64>(at(cV, m)) + load<f64>(at(cVc, m)))));
  }
  heap.free(buf);
}

// (s + e)^power = sel(se, 1, m1) * sel(se, 1, m2), masks chosen once per call.
// @ts-ignore: decorator
@inline function factor(se: v128, m1: v128, m2: v128): v128 {
  const one = f64x2.splat(1.0);
  return f64x2.mul(v128.bitselect(se, one, m1), v128.bitselect(se, one, m2));
}

// Any rank, any range of values: each f64x2 of pairs divides once, the numerator of B summed over the rank.
function general(
  n: i32, lam: usize, w: usize, genScale: f64, rank: i32, pb: usize, qb: usize, stride: i32,
  e: f64, power: i32, from: i32, to: i32, rowsA: usize, rowsB: usize, colsA: usize, colsB: usize,
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
  for (let k0: i32 = from; k0 < to; k0 += ROW_BLOCK) {
    const k1 = min(to, k0 + ROW_BLOCK);
    for (let k: i32 = k0; k < k1; k++) {
      const lk = v128.load64_splat(at(lam, k));
      const wk = v128.load64_splat(at(w, k));
      const ak = f64x2.mul(cA, lk);
      let sumA: f64 = 0, compA: f64 = 0, sumB: f64 = 0, compB: f64 = 0;
      for (let b: i32 = k + 1; b < n; b += SUM_BLOCK) {
        const end = min(n, b + SUM_BLOCK);
        let accA = f64x2.splat(0.0);
        let accB = f64x2.splat(0.0);
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
          addTo(at(tmpA, m), f64x2.mul(wk, valA));
          addTo(at(tmpB, m), f64x2.mul(wk, valB));
        }
        // The pair of lanes may reach slot n (the padding mode, w = 0): its terms are 0.
        const x = hsum(accA);
        const t = sumA + x;
        compA += abs(sumA) >= abs(x) ? sumA - t + x : x - t + sumA;
        sumA = t;
        const y = hsum(accB);
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
  for (let m: i32 = 0; m < n; m++) {
    store<f64>(at(colsA, m), load<f64>(at(colA, m)) + load<f64>(at(colAc, m)));
    store<f64>(at(colsB, m), load<f64>(at(colB, m)) + load<f64>(at(colBc, m)));
  }
  heap.free(scratch);
}
