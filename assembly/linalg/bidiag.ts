// Singular values by Householder bidiagonalisation (Golub & Kahan 1965; LAPACK dgebrd/dlabrd, the first
// stage of numpy's svd(compute_uv=False)), then the eigenvalues +-sigma_i of the Golub-Kahan tridiagonal
// matrix by implicit QL. Values only: the reflectors are used inside their panel and then dropped.
//
//   1. Scale A by a power of two (exact) so that max |a_ij| is in [1, 2).
//   2. Q^T A P = B upper bidiagonal (m >= n): panels of NB columns (dlabrd). Step i of a panel applies the
//      panel's earlier reflectors to column i and row i only (through X and Y), makes the left reflector
//      zeroing A(i+1:m, i) (d_i) and the right one zeroing A(i, i+2:n) (e_i); after the panel the trailing
//      matrix takes the panel's reflectors at once, A22 -= V Y^T + X U^T (two GEMMs).
//   3. The singular values of B: sigma_i^2 are the eigenvalues of B^T B, whose qd array is (d_i^2, e_i^2);
//      dqds (Fernando & Parlett 1994, the method of LAPACK's dlasq, here with a simpler shift strategy)
//      finds them to high relative accuracy from that array, without forming B^T B. Should it fail (a zero
//      pivot, or no convergence), the nonnegative eigenvalues of the 2n x 2n tridiagonal T_GK with zero
//      diagonal and off-diagonal (d_0, e_0, d_1, ..., d_{n-1}) by QL (eigh/ql.ts), to a few eps ||B||.
//      Either way the error is that of step 2's backward error: every sigma_i within p(n) eps ||A||_2 of
//      the exact one (the accuracy of LAPACK's dgesdd, values only).
//
// Storage: A column-major, A(i, j) at a + 8 (i + j m) (a row-major n x m matrix is its transpose, with the
// same singular values); overwritten. All work memory is one block from the caller (svdWorkLength f64).
// The facade is src/linalg/bures.ts.

import { at } from "../memory";
import { BLAS_GEMM_MAX_WORKSPACE, EIGH_NB as NB, svdWorkLength as workLength } from "../../src/wasm/constants";
import { amax, axpy, el, exponentOf, gemm, scal, scalePow2, sortIndex } from "./eigh/common";
import { tql } from "./eigh/ql";
import { gemvSub, gemvT, larfg } from "./eigh/tridiagonal";

/** f64 count of the work block svdBidiagValues needs (src/wasm/constants.ts, shared with the facade). */
export function svdWorkLength(m: i32, n: i32): f64 {
  return workLength(<f64>m, <f64>n);
}

// The block that follows `count` f64 at p (counts rounded up to even: 16-byte aligned).
// @ts-ignore: decorator
@inline function after(p: usize, count: i32): usize {
  return p + ((<usize>(count + (count & 1))) << 3);
}

// Scratch of one panel: X (m x NB, ld m), Y (n x NB, ld n), a row of A made contiguous (r), its negative
// (nr), an n-vector (w), and two NB-vectors (t, s).
class Panel {
  x: usize;
  y: usize;
  r: usize;
  nr: usize;
  w: usize;
  t: usize;
  s: usize;
}

// Row i of A, columns c0 .. c0+len-1, into / out of the contiguous r.
function getRow(a: usize, m: i32, i: i32, c0: i32, len: i32, r: usize): void {
  for (let c: i32 = 0; c < len; c++) store<f64>(at(r, c), load<f64>(el(a, i, c0 + c, m)));
}
function putRow(a: usize, m: i32, i: i32, c0: i32, len: i32, r: usize): void {
  for (let c: i32 = 0; c < len; c++) store<f64>(el(a, i, c0 + c, m), load<f64>(at(r, c)));
}

// Panel of nb columns k .. k+nb-1 (dlabrd, m >= n). Row indices of X and Y are the matrix's own.
function labrd(m: i32, n: i32, k: i32, nb: i32, a: usize, d: usize, e: usize, p: Panel): void {
  const x = p.x;
  const y = p.y;
  const r = p.r;
  const t = p.t;
  for (let l: i32 = 0; l < nb; l++) {
    const i = k + l;
    const col = el(a, i, i, m);
    const lenM = m - i; // rows i .. m-1
    const lenN = n - i - 1; // columns i+1 .. n-1
    if (l > 0) {
      // A(i:m, i) -= A(i:m, k:i) Y(i, 0:l)^T + X(i:m, 0:l) A(k:i, i)
      for (let q: i32 = 0; q < l; q++) store<f64>(at(t, q), load<f64>(el(y, i, q, n)));
      gemvSub(lenM, el(a, i, k, m), m, l, t, col);
      gemvSub(lenM, el(x, i, 0, m), m, l, el(a, k, i, m), col);
    }
    // left reflector H_i zeroing A(i+1:m, i): d_i; v = (1, A(i+1:m, i))
    const tq = larfg(lenM - 1, load<f64>(col), at(col, 1), at(d, i));
    if (lenN <= 0) continue;
    store<f64>(col, 1);
    // Y(i+1:n, l) = tq (A(i:m, i+1:n)^T v - Y(i+1:n, 0:l) (V^T v) - U^T (X^T v)), V = A(i:m, k:i), U = A(k:i, i+1:n)
    const yl = el(y, i + 1, l, n);
    gemvT(lenM, el(a, i, i + 1, m), m, lenN, col, yl);
    if (l > 0) {
      gemvT(lenM, el(a, i, k, m), m, l, col, t); // t = V^T v
      gemvSub(lenN, el(y, i + 1, 0, n), n, l, t, yl);
      gemvT(lenM, el(x, i, 0, m), m, l, col, t); // t = X^T v
      gemvT(l, el(a, k, i + 1, m), m, lenN, t, p.w); // w = U^T t
      axpy(lenN, -1, p.w, yl);
    }
    scal(lenN, tq, yl);
    // A(i, i+1:n) -= Y(i+1:n, 0:l+1) A(i, k:i+1)^T + U^T X(i, 0:l)^T  (on a contiguous copy r of the row)
    getRow(a, m, i, i + 1, lenN, r);
    for (let q: i32 = 0; q <= l; q++) store<f64>(at(t, q), load<f64>(el(a, i, k + q, m)));
    gemvSub(lenN, el(y, i + 1, 0, n), n, l + 1, t, r);
    if (l > 0) {
      for (let q: i32 = 0; q < l; q++) store<f64>(at(t, q), load<f64>(el(x, i, q, m)));
      gemvT(l, el(a, k, i + 1, m), m, lenN, t, p.w);
      axpy(lenN, -1, p.w, r);
    }
    // right reflector G_i zeroing A(i, i+2:n): e_i; u = (1, r(1:))
    const tp = larfg(lenN - 1, load<f64>(r), at(r, 1), at(e, i));
    store<f64>(r, 1);
    putRow(a, m, i, i + 1, lenN, r);
    // X(i+1:m, l) = tp (A(i+1:m, i+1:n) u - A(i+1:m, k:i+1) (Y^T u) - X(i+1:m, 0:l) (U u))
    const lenM1 = lenM - 1;
    if (lenM1 <= 0) continue;
    const xl = el(x, i + 1, l, m);
    const nr = p.nr;
    for (let c: i32 = 0; c < lenN; c++) store<f64>(at(nr, c), -load<f64>(at(r, c)));
    memory.fill(xl, 0, (<usize>lenM1) << 3);
    gemvSub(lenM1, el(a, i + 1, i + 1, m), m, lenN, nr, xl); // xl = A22 u
    gemvT(lenN, el(y, i + 1, 0, n), n, l + 1, r, t); // t = Y^T u
    gemvSub(lenM1, el(a, i + 1, k, m), m, l + 1, t, xl);
    if (l > 0) {
      const s = p.s;
      memory.fill(s, 0, (<usize>l) << 3);
      gemvSub(l, el(a, k, i + 1, m), m, lenN, nr, s); // s = U u
      gemvSub(lenM1, el(x, i + 1, 0, m), m, l, s, xl);
    }
    scal(lenM1, tp, xl);
  }
}

const TOL2: f64 = 4.930380657631324e-28; // (100 eps)^2, eps = 2^-52: dlasq2's deflation tolerance
const MAXIT_DQDS: i32 = 40; // dqds transforms per eigenvalue, on average, before falling back to QL

// One dqds transform with shift tau of the qd array rows lo..hi (q, e: e[k] couples k and k+1), written to
// q2, e2 (the input is kept for a retry). Returns dmin = min_k d_k, or -1 when a pivot q2[k] is not
// positive (shift too large, or a zero pivot). d_k >= lambda_min - tau: a negative dmin means tau passed
// the smallest eigenvalue, and the new array is not positive.
let dminLeading: f64 = 0; // min_{k < hi} d_k of the last dqdsStep: the same bound for rows lo..hi-1

function dqdsStep(lo: i32, hi: i32, q: usize, e: usize, q2: usize, e2: usize, tau: f64): f64 {
  let d = load<f64>(at(q, lo)) - tau;
  let dmin = d;
  for (let k: i32 = lo; k < hi; k++) {
    dminLeading = dmin;
    const qh = d + load<f64>(at(e, k)); // q^_k = d_k + e_k
    if (!(qh > 0)) return -1;
    const t = load<f64>(at(q, k + 1)) / qh;
    store<f64>(at(q2, k), qh);
    store<f64>(at(e2, k), load<f64>(at(e, k)) * t); // e^_k = e_k q_{k+1} / q^_k
    d = d * t - tau; // d_{k+1} = d_k q_{k+1} / q^_k - tau
    dmin = min<f64>(dmin, d);
  }
  store<f64>(at(q2, hi), d);
  return dmin < 0 ? -1 : dmin;
}

// The eigenvalues of the positive qd array (q: n, e: n - 1 couplings, all >= 0) into q (unsorted), by dqds
// with deflation at the bottom of each unreduced block (split where e_k = 0). Shifts: tau = 0 first, then
// a fraction of the last dmin (an upper bound of the shifted smallest eigenvalue, and close to it once the
// bottom coupling is small), backing off to dmin / 4 and to 0 (always positive) on failure. q2, e2: n
// scratch each. Returns 0, or 1 (no convergence, or a zero pivot at shift 0: the caller falls back).
function dqds(n: i32, q: usize, e: usize, q2: usize, e2: usize): i32 {
  let budget: i32 = MAXIT_DQDS * n;
  let hi: i32 = n - 1;
  while (hi >= 0) {
    let lo = hi;
    while (lo > 0 && load<f64>(at(e, lo - 1)) > 0) lo--;
    // the larger end at the top (dlasq2 flips too): the bottom eigenvalue converges first
    if (1.5 * load<f64>(at(q, lo)) < load<f64>(at(q, hi))) {
      for (let i: i32 = lo, j: i32 = hi; i < j; i++, j--) {
        const t = load<f64>(at(q, i));
        store<f64>(at(q, i), load<f64>(at(q, j)));
        store<f64>(at(q, j), t);
      }
      for (let i: i32 = lo, j: i32 = hi - 1; i < j; i++, j--) {
        const t = load<f64>(at(e, i));
        store<f64>(at(e, i), load<f64>(at(e, j)));
        store<f64>(at(e, j), t);
      }
    }
    let shift: f64 = 0; // accumulated: the block's array is that of B^T B - shift I
    let dmin: f64 = 0;
    let dmin2: f64 = 0;
    while (hi >= lo) {
      if (hi == lo) {
        store<f64>(at(q, hi), load<f64>(at(q, hi)) + shift);
        hi--;
        break;
      }
      const eb = load<f64>(at(e, hi - 1));
      if (eb <= TOL2 * (shift + load<f64>(at(q, hi))) || eb <= TOL2 * load<f64>(at(q, hi - 1))) {
        store<f64>(at(q, hi), load<f64>(at(q, hi)) + shift); // lambda = q_hi + shift
        hi--;
        dmin = max<f64>(dmin2, 0); // the bound for what is left
        dmin2 = 0;
        continue;
      }
      if (budget-- <= 0) return 1;
      let tau = 0.98 * dmin;
      let r = dqdsStep(lo, hi, q, e, q2, e2, tau);
      if (r < 0 && tau > 0) {
        tau = 0.25 * dmin;
        r = dqdsStep(lo, hi, q, e, q2, e2, tau);
      }
      if (r < 0 && tau > 0) {
        tau = 0;
        r = dqdsStep(lo, hi, q, e, q2, e2, tau);
      }
      if (r < 0) return 1;
      dmin = r;
      dmin2 = dminLeading;
      shift += tau;
      memory.copy(at(q, lo), at(q2, lo), (<usize>(hi - lo + 1)) << 3);
      memory.copy(at(e, lo), at(e2, lo), (<usize>(hi - lo)) << 3);
    }
  }
  return 0;
}

/**
 * The n singular values (descending, into sigma: n f64) of the m x n column-major matrix at a (m >= n,
 * overwritten). work: workLen f64 (svdWorkLength). method 0: dqds, QL on T_GK if dqds fails; 1: QL only
 * (tests compare the two). Returns 0 (dqds), 2 (QL), 1 if QL did not converge, -1 if the work block is too
 * small or m < n.
 */
export function svdBidiagValues(m: i32, n: i32, a: usize, sigma: usize, work: usize, workLen: f64, method: i32): i32 {
  if (n < 1 || m < n || workLen < svdWorkLength(m, n)) return -1;
  const big = amax(m * n, a); // the matrix is contiguous (ld m)
  if (big == 0) {
    memory.fill(sigma, 0, (<usize>n) << 3);
    return 0;
  }
  const ex = exponentOf(big);
  scalePow2(m * n, a, -ex);
  const d = work;
  const e = after(d, n);
  const idx = after(e, n); // 2n i32
  const p = changetype<Panel>(after(idx, n)); // the record, in the work block's slack
  p.x = after(changetype<usize>(p), 8);
  p.y = after(p.x, m * NB);
  p.r = after(p.y, n * NB);
  p.nr = after(p.r, n);
  p.w = after(p.nr, n);
  p.t = after(p.w, n);
  p.s = after(p.t, NB + 1);
  const gw = after(p.s, NB);
  const tgd = after(gw, BLAS_GEMM_MAX_WORKSPACE);
  const tge = after(tgd, 2 * n);
  store<f64>(at(e, n - 1), 0);
  for (let k: i32 = 0; k < n; k += NB) {
    const nb = min<i32>(NB, n - k);
    labrd(m, n, k, nb, a, d, e, p);
    const s = k + nb;
    if (s >= n) break;
    // A22 -= V2 Y2^T + X2 U2 (column-major A22 = row-major C' = A22^T: C' -= Y2 V2^T + U2^T X2^T)
    const mt = m - s;
    const nt = n - s;
    gemm(nt, mt, nb, el(p.y, s, 0, n), 1, n, el(a, s, k, m), m, 1, el(a, s, s, m), m, -1, false, gw);
    gemm(nt, mt, nb, el(a, k, s, m), m, 1, el(p.x, s, 0, m), m, 1, el(a, s, s, m), m, -1, false, gw);
  }
  // sigma_i^2 = the eigenvalues of B^T B, from the squares of d and e by dqds; QL on T_GK if it fails
  const qd = tgd;
  const qe = tge;
  for (let i: i32 = 0; i < n; i++) {
    const di = load<f64>(at(d, i));
    store<f64>(at(qd, i), di * di);
    const ei = i < n - 1 ? load<f64>(at(e, i)) : 0;
    store<f64>(at(qe, i), ei * ei);
  }
  let status: i32 = 0;
  if (method == 0 && dqds(n, qd, qe, at(qd, n), at(qe, n)) == 0) {
    for (let i: i32 = 0; i < n; i++) store<f64>(at(qd, i), sqrt<f64>(load<f64>(at(qd, i))));
  } else {
    // T_GK: zero diagonal, off-diagonal d_0, e_0, d_1, ..., d_{n-1}; eigenvalues +-sigma_i
    const nn = 2 * n;
    memory.fill(tgd, 0, (<usize>nn) << 3);
    for (let i: i32 = 0; i < n; i++) {
      store<f64>(at(tge, 2 * i), load<f64>(at(d, i)));
      store<f64>(at(tge, 2 * i + 1), i < n - 1 ? load<f64>(at(e, i)) : 0);
    }
    if (tql(nn, tgd, tge, 0, 0) != 0) return 1;
    status = 2;
    // the n largest of the +-sigma_i, moved to the front (a zero sigma may come out as a tiny negative: |.|)
    for (let j: i32 = 0; j < nn; j++) store<i32>(idx + ((<usize>j) << 2), j);
    sortIndex(nn, tgd, idx);
    for (let j: i32 = 0; j < n; j++) store<f64>(at(tge, j), abs<f64>(load<f64>(at(tgd, load<i32>(idx + ((<usize>(nn - 1 - j)) << 2))))));
    memory.copy(tgd, tge, (<usize>n) << 3);
  }
  // descending
  for (let j: i32 = 0; j < n; j++) store<i32>(idx + ((<usize>j) << 2), j);
  sortIndex(n, tgd, idx);
  for (let j: i32 = 0; j < n; j++) store<f64>(at(sigma, j), load<f64>(at(tgd, load<i32>(idx + ((<usize>(n - 1 - j)) << 2)))));
  scalePow2(n, sigma, ex);
  return status;
}
