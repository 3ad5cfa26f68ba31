// Singular values by one-sided Jacobi (Hestenes 1958; Demmel & Veselic, "Jacobi's method is more accurate
// than QR", 1992): plane rotations of pairs of rows of X until all rows are mutually orthogonal to
// working precision; the singular values are then the row norms. Rows are contiguous (row-major), so the
// fused dot products and the rotations run on f64x2 lanes. No threshold: every singular value, however
// small, comes out with an absolute error of a few eps ||X||_2.
// The facade (src/linalg/bures.ts, src/spectra/image.ts) allocates every buffer.

import { at } from "../memory";
import { rotate } from "./rotate";

const EPS: f64 = 2.220446049250313e-16; // 2^-52
const MAX_SWEEPS: i32 = 60;

// Dot products of rows p and q (length m) from one pass: alpha = |x_p|^2, beta = |x_q|^2, gamma = x_p . x_q.
let alpha: f64 = 0;
let beta: f64 = 0;
let gamma: f64 = 0;

function rowProducts(p: usize, q: usize, m: i32): void {
  let va = f64x2.splat(0);
  let vb = f64x2.splat(0);
  let vg = f64x2.splat(0);
  let k: i32 = 0;
  for (; k + 1 < m; k += 2) {
    const xp = v128.load(at(p, k));
    const xq = v128.load(at(q, k));
    va = f64x2.add(va, f64x2.mul(xp, xp));
    vb = f64x2.add(vb, f64x2.mul(xq, xq));
    vg = f64x2.add(vg, f64x2.mul(xp, xq));
  }
  let a = f64x2.extract_lane(va, 0) + f64x2.extract_lane(va, 1);
  let b = f64x2.extract_lane(vb, 0) + f64x2.extract_lane(vb, 1);
  let g = f64x2.extract_lane(vg, 0) + f64x2.extract_lane(vg, 1);
  if (k < m) {
    const xp = load<f64>(at(p, k));
    const xq = load<f64>(at(q, k));
    a += xp * xp;
    b += xq * xq;
    g += xp * xq;
  }
  alpha = a;
  beta = b;
  gamma = g;
}

/** sum_i |x_i| over the n rows of length m. */
function rowNormSum(n: i32, m: i32, x: usize): f64 {
  let s: f64 = 0;
  for (let i: i32 = 0; i < n; i++) {
    rowProducts(at(x, i * m), at(x, i * m), m);
    s += sqrt<f64>(alpha);
  }
  return s;
}

/**
 * The n singular values of X (n x m row-major, n <= m) into sigma
 * (n f64, unsorted); X is overwritten. X is first scaled by a power of two (exact) so its largest entry is
 * in [1, 2): no row norm overflows or loses its small entries to underflow needlessly.
 * A pair (p, q) is rotated while |x_p . x_q| > sqrt(m) eps |x_p| |x_q| (LAPACK dgesvj's threshold: the
 * rounding level of the computed dot product); the rotation t = tan(theta) solves t^2 + 2 zeta t - 1 = 0,
 * zeta = (|x_q|^2 - |x_p|^2) / (2 x_p . x_q), the smaller root, which zeroes the pair's dot product.
 * Stops when no pair is rotated, or when a sweep no longer changes the sum of the row norms (see below).
 * Returns the number of sweeps, or -1 if MAX_SWEEPS sweeps did not converge (never seen: the method
 * converges quadratically).
 */
export function svdValues(n: i32, m: i32, x: usize, sigma: usize): i32 {
  const total = n * m;
  let big: f64 = 0;
  for (let k: i32 = 0; k < total; k++) big = max<f64>(big, abs<f64>(load<f64>(at(x, k))));
  if (big == 0) {
    memory.fill(sigma, 0, (<usize>n) << 3);
    return 0;
  }
  // 2^-e with 2^e <= big < 2^(e+1): exact scaling (kept a power of two by splitting it in two steps).
  const e: i32 = <i32>((reinterpret<u64>(big) >> 52) & 0x7ff) - 1023;
  const half = reinterpret<f64>(<u64>(1023 - (e >> 1)) << 52);
  const rest = reinterpret<f64>(<u64>(1023 - (e - (e >> 1))) << 52);
  for (let k: i32 = 0; k < total; k++) store<f64>(at(x, k), load<f64>(at(x, k)) * half * rest);
  const tol = sqrt<f64>(<f64>m) * EPS;
  let sweeps: i32 = 0;
  let sum = rowNormSum(n, m, x);
  while (true) {
    if (sweeps == MAX_SWEEPS) return -1;
    sweeps++;
    let rotated = false;
    for (let i: i32 = 0; i < n - 1; i++) {
      const p = at(x, i * m);
      for (let j: i32 = i + 1; j < n; j++) {
        const q = at(x, j * m);
        rowProducts(p, q, m);
        if (abs<f64>(gamma) <= tol * sqrt<f64>(alpha) * sqrt<f64>(beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = abs<f64>(zeta) > 1e150
          ? 0.5 / zeta
          : (zeta >= 0 ? 1.0 : -1.0) / (abs<f64>(zeta) + sqrt<f64>(1 + zeta * zeta));
        const c = 1 / sqrt<f64>(1 + t * t);
        rotate(p, q, m, c, -(c * t)); // x_p <- c x_p - s x_q, x_q <- c x_q + s x_p, s = c t
      }
    }
    if (!rotated) break;
    // The sum of the row norms decreases to sum sigma_i (each rotation spreads a pair's norms apart, and sqrt
    // is concave). Rows of a rank-deficient X that should vanish are rounding noise in the row space: they
    // shrink by ~eps a sweep but stay parallel to it, so the cosine test never passes for them. Stop once a
    // sweep changes the sum by no more than its rounding, n eps sum (what a sweep removes bounds what the
    // next, converging quadratically, could).
    const next = rowNormSum(n, m, x);
    const drop = sum - next;
    sum = next;
    if (drop <= <f64>n * EPS * next) break;
  }
  // Undo the scaling: sigma_i = |x_i| / 2^-e.
  const up = 1 / half;
  const upRest = 1 / rest;
  for (let i: i32 = 0; i < n; i++) {
    rowProducts(at(x, i * m), at(x, i * m), m);
    store<f64>(at(sigma, i), sqrt<f64>(alpha) * up * upRest);
  }
  return sweeps;
}
