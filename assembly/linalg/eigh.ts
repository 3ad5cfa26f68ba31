// Symmetric eigendecomposition A = Z diag(l) Z^T (LAPACK dsyevd's method), called by src/linalg/eigh.ts.
//
//   1. Scale A by a power of two (exact) so that max |a_ij| is in [1, 2).
//   2. Householder tridiagonalisation Q^T A Q = T (dsytrd, lower): panels of NB columns (dlatrd), each
//      followed by the rank-2k update A <- A - V W^T - W V^T of the trailing matrix as one GEMM.
//   3. Eigenvalues only: implicit QL with Wilkinson shifts on T, O(d^2), no vectors.
//      With vectors: divide and conquer on T (Cuppen, Gu-Eisenstat; dstedc/dlaed0..4): tear T into halves
//      by rank-one corrections down to blocks of at most SMALL, solve those by QL, and merge: deflate
//      (small z components, close poles), solve the secular equation root by root relative to the
//      nearest pole, recompute z from the roots (Loewner) so the vectors are orthogonal, and update the
//      vectors by GEMM.
//   4. Back-transformation Z = Q Z_T, blocks of NBB reflectors in compact WY form I - V T V^T (dlarft,
//      dlarfb): two GEMMs per block.
//   5. Sort ascending, unscale.
//
// Storage. Matrices inside are column-major: M(i, j) at M + 8 (i + j ld); a symmetric row-major input is its
// own column-major form, and only its lower triangle (i >= j) is read. The vectors come out row-major with
// column j the eigenvector of values[j] (numpy's layout). All work memory is one block from the caller
// (eighWorkLength f64); nothing is allocated here.

import { blasGemmCore, BLAS_GEMM_MAX_WORKSPACE, FULL, UPPER } from "./blas";

const EPS: f64 = 1.1102230246251565e-16; // 2^-53, unit roundoff
const SAFMIN: f64 = 2.2250738585072014e-308; // smallest normal
const NB: i32 = 32; // tridiagonalisation panel width
const NBB: i32 = 64; // reflectors per block in the back-transformation
const SMALL: i32 = 32; // D&C leaves: blocks of at most this size are solved by QL
const MAXIT_QL: i32 = 60; // QL sweeps per eigenvalue before giving up
const MAXIT_SECULAR: i32 = 200; // iterations per secular root (bisection-safeguarded)

// 4 x 4 f64 scratch for partial GEMM tiles.

// @ts-ignore: decorator
@inline function at(base: usize, index: i32): usize {
  return base + ((<usize>index) << 3);
}

// M(i, j) of a column-major matrix with leading dimension ld.
// @ts-ignore: decorator
@inline function el(base: usize, i: i32, j: i32, ld: i32): usize {
  return base + ((<usize>i + <usize>j * <usize>ld) << 3);
}

/** Plane rotation of two contiguous columns of length n: x <- c x + s y, y <- c y - s x. */
// @ts-ignore: decorator
@inline function rotateColumns(x: usize, y: usize, n: i32, c: f64, s: f64): void {
  const cv = f64x2.splat(c);
  const sv = f64x2.splat(s);
  let r: i32 = 0;
  for (; r + 1 < n; r += 2) {
    const xr = v128.load(at(x, r));
    const yr = v128.load(at(y, r));
    v128.store(at(x, r), f64x2.add(f64x2.mul(cv, xr), f64x2.mul(sv, yr)));
    v128.store(at(y, r), f64x2.sub(f64x2.mul(cv, yr), f64x2.mul(sv, xr)));
  }
  if (r < n) {
    const xr = load<f64>(at(x, r));
    const yr = load<f64>(at(y, r));
    store<f64>(at(x, r), c * xr + s * yr);
    store<f64>(at(y, r), c * yr - s * xr);
  }
}

// @ts-ignore: decorator
@inline function ati(base: usize, index: i32): usize {
  return base + ((<usize>index) << 2);
}

// @ts-ignore: decorator
@inline function hsum(x: v128): f64 {
  return f64x2.extract_lane(x, 0) + f64x2.extract_lane(x, 1);
}

// sqrt(x^2 + y^2) without overflow or destructive underflow (dlapy2).
function hypot2(x: f64, y: f64): f64 {
  const ax = abs<f64>(x);
  const ay = abs<f64>(y);
  const w = max<f64>(ax, ay);
  const z = min<f64>(ax, ay);
  if (z == 0 || w > 1.7976931348623157e308) return w;
  const r = z / w;
  return w * sqrt<f64>(1 + r * r);
}

// 2^k for -1022 <= k <= 1023, exact.
function pow2(k: i32): f64 {
  return reinterpret<f64>((<u64>(k + 1023)) << 52);
}

// ---------------------------------------------------------------------------------------------------------
// Level-1 helpers (f64x2 over contiguous vectors, any 8-byte alignment).

// y += alpha x
function axpy(n: i32, alpha: f64, x: usize, y: usize): void {
  const a = f64x2.splat(alpha);
  let i: i32 = 0;
  for (; i + 1 < n; i += 2) v128.store(at(y, i), f64x2.add(v128.load(at(y, i)), f64x2.mul(a, v128.load(at(x, i)))));
  if (i < n) store<f64>(at(y, i), load<f64>(at(y, i)) + alpha * load<f64>(at(x, i)));
}

// x . y
function dot(n: i32, x: usize, y: usize): f64 {
  let acc0 = f64x2.splat(0);
  let acc1 = f64x2.splat(0);
  let i: i32 = 0;
  for (; i + 3 < n; i += 4) {
    acc0 = f64x2.add(acc0, f64x2.mul(v128.load(at(x, i)), v128.load(at(y, i))));
    acc1 = f64x2.add(acc1, f64x2.mul(v128.load(at(x, i + 2)), v128.load(at(y, i + 2))));
  }
  let s = hsum(f64x2.add(acc0, acc1));
  for (; i < n; i++) s += load<f64>(at(x, i)) * load<f64>(at(y, i));
  return s;
}

// x *= alpha
function scal(n: i32, alpha: f64, x: usize): void {
  const a = f64x2.splat(alpha);
  let i: i32 = 0;
  for (; i + 1 < n; i += 2) v128.store(at(x, i), f64x2.mul(a, v128.load(at(x, i))));
  if (i < n) store<f64>(at(x, i), alpha * load<f64>(at(x, i)));
}

// max |x_i|
function amax(n: i32, x: usize): f64 {
  let m = f64x2.splat(0);
  let i: i32 = 0;
  for (; i + 1 < n; i += 2) m = f64x2.max(m, f64x2.abs(v128.load(at(x, i))));
  let s = max<f64>(f64x2.extract_lane(m, 0), f64x2.extract_lane(m, 1));
  if (i < n) s = max<f64>(s, abs<f64>(load<f64>(at(x, i))));
  return s;
}

// ||x||_2, scaled when the plain sum of squares could under- or overflow.
function nrm2(n: i32, x: usize): f64 {
  const m = amax(n, x);
  if (m == 0) return 0;
  if (m > 1e-140 && m < 1e140) return sqrt<f64>(dot(n, x, x));
  const inv = 1 / m;
  let s: f64 = 0;
  for (let i: i32 = 0; i < n; i++) {
    const t = load<f64>(at(x, i)) * inv;
    s += t * t;
  }
  return m * sqrt<f64>(s);
}

// ---------------------------------------------------------------------------------------------------------
// GEMM: C op= A B, C row-major (C(i, j) at C + 8 (i ldc + j)), A(i, p) at A + 8 (i rsa + p csa),
// B(p, j) at B + 8 (p rsb + j csb): strides make transposes free.
// C op= A B through the shared GEMM kernel (assembly/linalg/blas.ts): op = 0 sets C, +1 adds, -1 subtracts (alpha
// -1 is exact); `upper` updates only j >= i. GW is its packing workspace (BLAS_GEMM_MAX_WORKSPACE f64).
function gemm(
  m: i32, n: i32, k: i32, a: usize, rsa: i32, csa: i32, b: usize, rsb: i32, csb: i32,
  c: usize, ldc: i32, op: i32, upper: bool,
): void {
  if (m <= 0 || n <= 0) return;
  if (op == 0) for (let i: i32 = 0; i < m; i++) memory.fill(at(c, i * ldc), 0, (<usize>n) << 3);
  if (k <= 0) return;
  blasGemmCore(m, k, n, a, rsa, csa, b, rsb, csb, c, ldc, op < 0 ? -1.0 : 1.0, upper ? UPPER : FULL, GW);
}

// ---------------------------------------------------------------------------------------------------------
// Householder tridiagonalisation (dsytrd, lower: A(i, j), i >= j, is read; the reflectors are stored below
// the subdiagonal).

// Reflector H = I - tau v v^T with v = (1, x) and H (alpha, x) = (beta, 0) (dlarfg). x is overwritten by
// v's tail; returns beta in BETA and tau as the result.
let BETA: f64 = 0;
function larfg(n: i32, alpha: f64, x: usize): f64 {
  BETA = alpha;
  if (n <= 0) return 0;
  let xnorm = nrm2(n, x);
  if (xnorm == 0) return 0;
  let beta = -copysign<f64>(hypot2(alpha, xnorm), alpha); // beta = -sign(alpha) ||(alpha, x)||
  const small = SAFMIN / EPS;
  let knt: i32 = 0;
  if (abs<f64>(beta) < small) {
    // x and alpha tiny: rescale until beta is safely representable (dlarfg)
    const rs = 1 / small;
    do {
      knt++;
      scal(n, rs, x);
      beta *= rs;
      alpha *= rs;
    } while (abs<f64>(beta) < small && knt < 20);
    xnorm = nrm2(n, x);
    beta = -copysign<f64>(hypot2(alpha, xnorm), alpha);
  }
  const tau = (beta - alpha) / beta; // tau = (beta - alpha) / beta
  scal(n, 1 / (alpha - beta), x); // v = x / (alpha - beta)
  for (let j: i32 = 0; j < knt; j++) beta *= small;
  BETA = beta;
  return tau;
}

// y = A v for the symmetric m x m matrix whose lower triangle is at a (ld lda). Four columns c..c+3 per
// pass over the lower triangle: y_r += a_rc v_c (axpy) and y_c += a_rc v_r (dot), so A is read once and
// the four dot products are independent chains.
function symvLower(m: i32, a: usize, lda: i32, v: usize, y: usize): void {
  memory.fill(y, 0, (<usize>m) << 3);
  let c: i32 = 0;
  for (; c + 3 < m; c += 4) {
    const col0 = el(a, 0, c, lda);
    const col1 = at(col0, lda);
    const col2 = at(col1, lda);
    const col3 = at(col2, lda);
    const v0 = load<f64>(at(v, c));
    const v1 = load<f64>(at(v, c + 1));
    const v2 = load<f64>(at(v, c + 2));
    const v3 = load<f64>(at(v, c + 3));
    // the 4 x 4 diagonal block (lower part)
    const a10 = load<f64>(at(col0, c + 1));
    const a20 = load<f64>(at(col0, c + 2));
    const a30 = load<f64>(at(col0, c + 3));
    const a21 = load<f64>(at(col1, c + 2));
    const a31 = load<f64>(at(col1, c + 3));
    const a32 = load<f64>(at(col2, c + 3));
    let y0 = load<f64>(at(col0, c)) * v0 + a10 * v1 + a20 * v2 + a30 * v3;
    let y1 = a10 * v0 + load<f64>(at(col1, c + 1)) * v1 + a21 * v2 + a31 * v3;
    let y2 = a20 * v0 + a21 * v1 + load<f64>(at(col2, c + 2)) * v2 + a32 * v3;
    let y3 = a30 * v0 + a31 * v1 + a32 * v2 + load<f64>(at(col3, c + 3)) * v3;
    const s0 = f64x2.splat(v0);
    const s1 = f64x2.splat(v1);
    const s2 = f64x2.splat(v2);
    const s3 = f64x2.splat(v3);
    let acc0 = f64x2.splat(0);
    let acc1 = f64x2.splat(0);
    let acc2 = f64x2.splat(0);
    let acc3 = f64x2.splat(0);
    let r: i32 = c + 4;
    for (; r + 1 < m; r += 2) {
      const vr = v128.load(at(v, r));
      const x0 = v128.load(at(col0, r));
      const x1 = v128.load(at(col1, r));
      const x2 = v128.load(at(col2, r));
      const x3 = v128.load(at(col3, r));
      acc0 = f64x2.add(acc0, f64x2.mul(x0, vr));
      acc1 = f64x2.add(acc1, f64x2.mul(x1, vr));
      acc2 = f64x2.add(acc2, f64x2.mul(x2, vr));
      acc3 = f64x2.add(acc3, f64x2.mul(x3, vr));
      const u = f64x2.add(f64x2.mul(x0, s0), f64x2.mul(x1, s1));
      const w = f64x2.add(f64x2.mul(x2, s2), f64x2.mul(x3, s3));
      v128.store(at(y, r), f64x2.add(v128.load(at(y, r)), f64x2.add(u, w)));
    }
    if (r < m) {
      const vr = load<f64>(at(v, r));
      const x0 = load<f64>(at(col0, r));
      const x1 = load<f64>(at(col1, r));
      const x2 = load<f64>(at(col2, r));
      const x3 = load<f64>(at(col3, r));
      store<f64>(at(y, r), load<f64>(at(y, r)) + x0 * v0 + x1 * v1 + x2 * v2 + x3 * v3);
      y0 += x0 * vr;
      y1 += x1 * vr;
      y2 += x2 * vr;
      y3 += x3 * vr;
    }
    store<f64>(at(y, c), load<f64>(at(y, c)) + y0 + hsum(acc0));
    store<f64>(at(y, c + 1), load<f64>(at(y, c + 1)) + y1 + hsum(acc1));
    store<f64>(at(y, c + 2), load<f64>(at(y, c + 2)) + y2 + hsum(acc2));
    store<f64>(at(y, c + 3), load<f64>(at(y, c + 3)) + y3 + hsum(acc3));
  }
  // the last (up to 3) columns: their lower triangle is inside the block
  for (; c < m; c++) {
    const col = el(a, 0, c, lda);
    const vc = load<f64>(at(v, c));
    let yc = load<f64>(at(col, c)) * vc;
    for (let r: i32 = c + 1; r < m; r++) {
      const x = load<f64>(at(col, r));
      yc += x * load<f64>(at(v, r));
      store<f64>(at(y, r), load<f64>(at(y, r)) + x * vc);
    }
    store<f64>(at(y, c), load<f64>(at(y, c)) + yc);
  }
}

// y -= X c: X has ncols contiguous columns of length len (ld ldx), c[q] at coef + 8 q; four columns per
// pass, so y is loaded and stored once per four.
function gemvSub(len: i32, x: usize, ldx: i32, ncols: i32, coef: usize, y: usize): void {
  let q: i32 = 0;
  for (; q + 3 < ncols; q += 4) {
    const x0 = el(x, 0, q, ldx);
    const x1 = at(x0, ldx);
    const x2 = at(x1, ldx);
    const x3 = at(x2, ldx);
    const c0 = load<f64>(at(coef, q));
    const c1 = load<f64>(at(coef, q + 1));
    const c2 = load<f64>(at(coef, q + 2));
    const c3 = load<f64>(at(coef, q + 3));
    const s0 = f64x2.splat(c0);
    const s1 = f64x2.splat(c1);
    const s2 = f64x2.splat(c2);
    const s3 = f64x2.splat(c3);
    let r: i32 = 0;
    for (; r + 1 < len; r += 2) {
      const u = f64x2.add(f64x2.mul(v128.load(at(x0, r)), s0), f64x2.mul(v128.load(at(x1, r)), s1));
      const w = f64x2.add(f64x2.mul(v128.load(at(x2, r)), s2), f64x2.mul(v128.load(at(x3, r)), s3));
      v128.store(at(y, r), f64x2.sub(v128.load(at(y, r)), f64x2.add(u, w)));
    }
    if (r < len) {
      store<f64>(at(y, r), load<f64>(at(y, r)) - (load<f64>(at(x0, r)) * c0 + load<f64>(at(x1, r)) * c1 + load<f64>(at(x2, r)) * c2 + load<f64>(at(x3, r)) * c3));
    }
  }
  for (; q < ncols; q++) axpy(len, -load<f64>(at(coef, q)), el(x, 0, q, ldx), y);
}

// out[q] = X(:, q) . v for ncols contiguous columns of length len (ld ldx); four dot products per pass.
function gemvT(len: i32, x: usize, ldx: i32, ncols: i32, v: usize, out: usize): void {
  let q: i32 = 0;
  for (; q + 3 < ncols; q += 4) {
    const x0 = el(x, 0, q, ldx);
    const x1 = at(x0, ldx);
    const x2 = at(x1, ldx);
    const x3 = at(x2, ldx);
    let a0 = f64x2.splat(0);
    let a1 = f64x2.splat(0);
    let a2 = f64x2.splat(0);
    let a3 = f64x2.splat(0);
    let r: i32 = 0;
    for (; r + 1 < len; r += 2) {
      const vr = v128.load(at(v, r));
      a0 = f64x2.add(a0, f64x2.mul(v128.load(at(x0, r)), vr));
      a1 = f64x2.add(a1, f64x2.mul(v128.load(at(x1, r)), vr));
      a2 = f64x2.add(a2, f64x2.mul(v128.load(at(x2, r)), vr));
      a3 = f64x2.add(a3, f64x2.mul(v128.load(at(x3, r)), vr));
    }
    let s0 = hsum(a0);
    let s1 = hsum(a1);
    let s2 = hsum(a2);
    let s3 = hsum(a3);
    if (r < len) {
      const vr = load<f64>(at(v, r));
      s0 += load<f64>(at(x0, r)) * vr;
      s1 += load<f64>(at(x1, r)) * vr;
      s2 += load<f64>(at(x2, r)) * vr;
      s3 += load<f64>(at(x3, r)) * vr;
    }
    store<f64>(at(out, q), s0);
    store<f64>(at(out, q + 1), s1);
    store<f64>(at(out, q + 2), s2);
    store<f64>(at(out, q + 3), s3);
  }
  for (; q < ncols; q++) store<f64>(at(out, q), dot(len, el(x, 0, q, ldx), v));
}

// Panel of nb columns k .. k+nb-1 (dlatrd, lower). W (ld n) receives the panel's W(k+1:n, 0:nb); t is
// scratch of 2 NB.
function latrd(n: i32, k: i32, nb: i32, a: usize, e: usize, tau: usize, w: usize, t: usize): void {
  for (let l: i32 = 0; l < nb; l++) {
    const i = k + l;
    const len = n - i;
    const ai = el(a, i, i, n);
    if (l > 0) {
      // A(i:n, i) -= A(i:n, k:i) W(i, 0:l)^T + W(i:n, 0:l) A(i, k:i)^T
      for (let q: i32 = 0; q < l; q++) {
        store<f64>(at(t, q), load<f64>(el(w, i, q, n)));
        store<f64>(at(t, NB + q), load<f64>(el(a, i, k + q, n)));
      }
      gemvSub(len, el(a, i, k, n), n, l, t, ai);
      gemvSub(len, el(w, i, 0, n), n, l, at(t, NB), ai);
    }
    // reflector annihilating A(i+2:n, i)
    const m = len - 1; // length of v
    const v = el(a, i + 1, i, n);
    const tv = larfg(m - 1, load<f64>(v), at(v, 1));
    store<f64>(at(e, i), BETA);
    store<f64>(v, 1);
    store<f64>(at(tau, i), tv);
    // W(i+1:n, l) = tau (A22 v - V (W^T v) - W (V^T v)), then W += alpha v, alpha = -tau/2 (W . v)
    const wl = el(w, i + 1, l, n);
    symvLower(m, el(a, i + 1, i + 1, n), n, v, wl);
    if (l > 0) {
      gemvT(m, el(w, i + 1, 0, n), n, l, v, t); // t = W^T v
      gemvSub(m, el(a, i + 1, k, n), n, l, t, wl); // W(:, l) -= V t
      gemvT(m, el(a, i + 1, k, n), n, l, v, t); // t = V^T v
      gemvSub(m, el(w, i + 1, 0, n), n, l, t, wl); // W(:, l) -= W t
    }
    scal(m, tv, wl);
    axpy(m, -0.5 * tv * dot(m, wl, v), v, wl);
  }
}

// T = Q^T A Q. d, e: diagonal and subdiagonal of T; tau: reflector factors; the reflectors' tails stay in
// A below the subdiagonal (with A(j+1, j) = 1). xw: n x 3 NB.
function sytrd(n: i32, a: usize, d: usize, e: usize, tau: usize, xw: usize, t: usize): void {
  const w = el(xw, 0, NB, n);
  for (let k: i32 = 0; k < n - 1; k += NB) {
    const nb = min<i32>(NB, n - 1 - k);
    latrd(n, k, nb, a, e, tau, w, t);
    for (let j: i32 = k; j < k + nb; j++) store<f64>(at(d, j), load<f64>(el(a, j, j, n)));
    const s = k + nb;
    const mt = n - s;
    // [V | W | V] side by side: X = [V W] = columns NB-nb .. NB+nb, Y = [W V] = columns NB .. NB+2nb.
    for (let l: i32 = 0; l < nb; l++) {
      memory.copy(el(xw, s, NB - nb + l, n), el(a, s, k + l, n), (<usize>mt) << 3);
      memory.copy(el(xw, s, NB + nb + l, n), el(a, s, k + l, n), (<usize>mt) << 3);
    }
    // A22 -= V W^T + W V^T (lower): C'(j, r) = A(r, j) -= sum_l Y(j, l) X(r, l)
    gemm(mt, mt, 2 * nb, el(xw, s, NB, n), 1, n, el(xw, s, NB - nb, n), n, 1, el(a, s, s, n), n, -1, true);
  }
  store<f64>(at(d, n - 1), load<f64>(el(a, n - 1, n - 1, n)));
}

// ---------------------------------------------------------------------------------------------------------
// Implicit QL with Wilkinson shifts (tql2 / dsteqr). d: n diagonal; e: n entries, e[i] couples i and i+1,
// e[n-1] = 0 (destroyed). With z != 0, the rotations are applied to the columns of z (n rows, ld ldz).
// e_m is negligible when |e_m| <= eps (|d_m| + |d_{m+1}|) or |e_m| <= eps ||T|| (the absolute floor: a
// sweep leaves rounding noise of order eps ||T|| everywhere, so eigenvalues far below ||T||, e.g. a
// cluster at 0, could never meet the relative test alone; dropping e_m perturbs T by |e_m| in norm).
// Returns 0, or 1 when an eigenvalue needed more than MAXIT_QL sweeps.
function tql(n: i32, d: usize, e: usize, z: usize, ldz: i32): i32 {
  let tnorm: f64 = 0;
  for (let i: i32 = 0; i < n; i++) tnorm = max<f64>(tnorm, abs<f64>(load<f64>(at(d, i))) + abs<f64>(load<f64>(at(e, i))));
  const floor = EPS * tnorm;
  for (let l: i32 = 0; l < n; l++) {
    let iter: i32 = 0;
    while (true) {
      let m: i32 = l;
      for (; m < n - 1; m++) {
        const dd = abs<f64>(load<f64>(at(d, m))) + abs<f64>(load<f64>(at(d, m + 1)));
        const em = abs<f64>(load<f64>(at(e, m)));
        if (em <= EPS * dd || em <= floor) break;
      }
      if (m == l) break;
      if (iter++ == MAXIT_QL) return 1;
      // Wilkinson shift from the leading 2 x 2 of the unreduced block l..m
      const dl = load<f64>(at(d, l));
      const el0 = load<f64>(at(e, l));
      let g = (load<f64>(at(d, l + 1)) - dl) / (2 * el0);
      let r = hypot2(g, 1);
      g = load<f64>(at(d, m)) - dl + el0 / (g + copysign<f64>(r, g));
      let s: f64 = 1;
      let c: f64 = 1;
      let p: f64 = 0;
      let i: i32 = m - 1;
      let underflow = false;
      for (; i >= l; i--) {
        const ei = load<f64>(at(e, i));
        const f = s * ei;
        const b = c * ei;
        r = hypot2(f, g);
        store<f64>(at(e, i + 1), r);
        if (r == 0) {
          // recover from underflow
          store<f64>(at(d, i + 1), load<f64>(at(d, i + 1)) - p);
          store<f64>(at(e, m), 0);
          underflow = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = load<f64>(at(d, i + 1)) - p;
        r = (load<f64>(at(d, i)) - g) * s + 2 * c * b;
        p = s * r;
        store<f64>(at(d, i + 1), g + p);
        g = c * r - b;
        if (z != 0) {
          // columns i, i+1: z_i <- c z_i - s z_{i+1}, z_{i+1} <- c z_{i+1} + s z_i (the rotation below with -s)
          rotateColumns(el(z, 0, i, ldz), el(z, 0, i + 1, ldz), n, c, -s);
        }
      }
      if (underflow) continue;
      store<f64>(at(d, l), load<f64>(at(d, l)) - p);
      store<f64>(at(e, l), g);
      store<f64>(at(e, m), 0);
    }
  }
  return 0;
}

// Sort idx[0..n) (i32) by key[idx] ascending (heapsort).
function sortIndex(n: i32, key: usize, idx: usize): void {
  for (let start: i32 = n / 2 - 1; start >= 0; start--) siftDown(key, idx, start, n);
  for (let end: i32 = n - 1; end > 0; end--) {
    const t = load<i32>(ati(idx, 0));
    store<i32>(ati(idx, 0), load<i32>(ati(idx, end)));
    store<i32>(ati(idx, end), t);
    siftDown(key, idx, 0, end);
  }
}

function siftDown(key: usize, idx: usize, start: i32, end: i32): void {
  let root = start;
  while (true) {
    let child = 2 * root + 1;
    if (child >= end) return;
    if (child + 1 < end && load<f64>(at(key, load<i32>(ati(idx, child)))) < load<f64>(at(key, load<i32>(ati(idx, child + 1))))) child++;
    const r = load<i32>(ati(idx, root));
    const ch = load<i32>(ati(idx, child));
    if (load<f64>(at(key, r)) < load<f64>(at(key, ch))) {
      store<i32>(ati(idx, root), ch);
      store<i32>(ati(idx, child), r);
      root = child;
    } else return;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Divide and conquer on the tridiagonal (dstedc with compz = 'I'). Work arrays are module state, set by
// eighSym from the caller's block.

let N: i32 = 0; // order of the problem (leading dimension of ZT)
let DD: usize = 0; // diagonal of T (overwritten by the eigenvalues)
let EE: usize = 0; // subdiagonal of T (read only here)
let ZT: usize = 0; // n x n eigenvectors of T, column-major
let QP: usize = 0; // n x n: a merge's packed columns (the caller's output block, free until the end)
let UU: usize = 0; // n x n: secular deltas, then the rank-one update's eigenvectors
let RR: usize = 0; // n x n: the merged vectors
let GW: usize = 0; // GEMM packing workspace
let VZ: usize = 0; // n: z
let VDL: usize = 0; // n: poles (non-deflated d)
let VW: usize = 0; // n: their z components
let VLAM: usize = 0; // n: roots
let VDEF: usize = 0; // n: deflated values
let VTMP: usize = 0; // n: scratch
let VHAT: usize = 0; // n: Loewner z
let IIDX: usize = 0; // n i32: sorted order of d
let ITYP: usize = 0; // n i32: column types (1 top, 2 dense, 3 bottom, 4 deflated)
let IND: usize = 0; // n i32: non-deflated columns
let IDEF: usize = 0; // n i32: deflated columns
let IPOS: usize = 0; // n i32: packed position of each non-deflated column

// Root j (0-based) of the secular equation f(x) = 1/rho + sum_i z_i^2 / (dl_i - x) = 0 (dl ascending,
// distinct, z_i != 0): dl_j < x < dl_{j+1}, or dl_{k-1} < x <= dl_{k-1} + rho |z|^2 for the last. Writes
// delta_i = dl_i - x, computed from the pole nearest the root (origin o: x = dl_o + tau, delta_i =
// (dl_i - dl_o) - tau), which keeps them accurate however close x is to a pole (dlaed4). Iteration: the
// "middle way" rational model of f with the two neighbouring poles (Li), safeguarded by bisection on a
// bracket that shrinks with the sign of f; stops when |f| is within its rounding error bound.
function secular(k: i32, j: i32, dl: usize, z: usize, rho: f64, delta: usize): f64 {
  if (k == 1) {
    const z0 = load<f64>(z);
    store<f64>(delta, -rho * z0 * z0);
    return load<f64>(dl) + rho * z0 * z0; // 1 x 1: lambda = d + rho z^2
  }
  const rhoinv = 1 / rho;
  let org: i32;
  let lo: f64;
  let hi: f64;
  let tau: f64;
  const last = j == k - 1;
  const split = last ? k - 2 : j; // psi: poles 0..split, phi: poles split+1..k-1
  if (!last) {
    const dj = load<f64>(at(dl, j));
    const mid = 0.5 * (load<f64>(at(dl, j + 1)) - dj);
    let f = rhoinv; // f at the midpoint of (dl_j, dl_{j+1})
    for (let i: i32 = 0; i < k; i++) {
      const zi = load<f64>(at(z, i));
      f += zi * zi / ((load<f64>(at(dl, i)) - dj) - mid);
    }
    if (f >= 0) { org = j; lo = 0; hi = mid; tau = mid; } // root in (dl_j, mid]: origin dl_j
    else { org = j + 1; lo = -mid; hi = 0; tau = -mid; } // root in (mid, dl_{j+1}): origin dl_{j+1}
  } else {
    org = k - 1;
    let zz: f64 = 0;
    for (let i: i32 = 0; i < k; i++) zz += load<f64>(at(z, i)) * load<f64>(at(z, i));
    lo = 0;
    hi = rho * zz; // lambda_k <= dl_{k-1} + rho |z|^2
    tau = hi;
  }
  const dorg = load<f64>(at(dl, org));
  for (let i: i32 = 0; i < k; i++) store<f64>(at(delta, i), load<f64>(at(dl, i)) - dorg);
  const tv0 = f64x2.splat(0);
  for (let it: i32 = 0; it < MAXIT_SECULAR; it++) {
    const tv = f64x2.splat(tau);
    // psi = sum_{i <= split} z_i^2 / delta_i, dpsi = sum z_i^2 / delta_i^2; phi, dphi over the rest
    let ps = tv0;
    let dps = tv0;
    let i: i32 = 0;
    for (; i + 1 <= split; i += 2) {
      const t = f64x2.div(v128.load(at(z, i)), f64x2.sub(v128.load(at(delta, i)), tv));
      ps = f64x2.add(ps, f64x2.mul(v128.load(at(z, i)), t));
      dps = f64x2.add(dps, f64x2.mul(t, t));
    }
    let psi = hsum(ps);
    let dpsi = hsum(dps);
    for (; i <= split; i++) {
      const t = load<f64>(at(z, i)) / (load<f64>(at(delta, i)) - tau);
      psi += load<f64>(at(z, i)) * t;
      dpsi += t * t;
    }
    let ph = tv0;
    let dph = tv0;
    for (; i + 1 < k; i += 2) {
      const t = f64x2.div(v128.load(at(z, i)), f64x2.sub(v128.load(at(delta, i)), tv));
      ph = f64x2.add(ph, f64x2.mul(v128.load(at(z, i)), t));
      dph = f64x2.add(dph, f64x2.mul(t, t));
    }
    let phi = hsum(ph);
    let dphi = hsum(dph);
    for (; i < k; i++) {
      const t = load<f64>(at(z, i)) / (load<f64>(at(delta, i)) - tau);
      phi += load<f64>(at(z, i)) * t;
      dphi += t * t;
    }
    const f = rhoinv + psi + phi;
    const dw = dpsi + dphi;
    // rounding error bound of f (dlaed4's erretm)
    const erretm = 9 * (abs<f64>(psi) + abs<f64>(phi)) + 2 * rhoinv + 3 * abs<f64>(tau) * dw;
    if (abs<f64>(f) <= EPS * erretm) break;
    if (f < 0) lo = max<f64>(lo, tau); // f increases with x
    else hi = min<f64>(hi, tau);
    const d1 = load<f64>(at(delta, split)) - tau;
    const d2 = load<f64>(at(delta, split + 1)) - tau;
    // model: c + s/(d1 - eta) + S/(d2 - eta) = 0 matching psi, phi and their slopes:
    //   c eta^2 - a eta + b = 0, a = (d1 + d2) f - d1 d2 f', b = d1 d2 f
    const a = (d1 + d2) * f - d1 * d2 * dw;
    const b = d1 * d2 * f;
    let c = f - d1 * dpsi - d2 * dphi;
    let eta: f64;
    if (!last) {
      if (c == 0) eta = a != 0 ? b / a : -f / dw;
      else if (a <= 0) eta = (a - sqrt<f64>(abs<f64>(a * a - 4 * b * c))) / (2 * c);
      else eta = 2 * b / (a + sqrt<f64>(abs<f64>(a * a - 4 * b * c)));
    } else {
      c = abs<f64>(c);
      if (c == 0) eta = hi - tau;
      else if (a >= 0) eta = (a + sqrt<f64>(abs<f64>(a * a - 4 * b * c))) / (2 * c);
      else eta = 2 * b / (a - sqrt<f64>(abs<f64>(a * a - 4 * b * c)));
    }
    if (f * eta >= 0) eta = -f / dw; // the model stepped the wrong way: Newton
    let tn = tau + eta;
    if (!(tn > lo && tn < hi)) tn = 0.5 * (lo + hi); // outside the bracket (or NaN): bisect
    if (tn == tau) break;
    tau = tn;
    if (hi - lo <= 4 * EPS * max<f64>(abs<f64>(lo), abs<f64>(hi))) break;
  }
  for (let i: i32 = 0; i < k; i++) store<f64>(at(delta, i), load<f64>(at(delta, i)) - tau);
  return dorg + tau;
}

// Solve a leaf block [s, s+m) by QL with vectors, sorted ascending.
function leaf(s: i32, m: i32): i32 {
  const q = el(ZT, s, s, N);
  for (let j: i32 = 0; j < m; j++) store<f64>(el(q, j, j, N), 1);
  if (m == 1) return 0;
  const te = VTMP;
  memory.copy(te, at(EE, s), (<usize>(m - 1)) << 3);
  store<f64>(at(te, m - 1), 0); // the coupling to the next block is not part of this one
  const d = at(DD, s);
  if (tql(m, d, te, q, N) != 0) return 1;
  for (let i: i32 = 0; i < m - 1; i++) {
    let p = i;
    for (let j: i32 = i + 1; j < m; j++) if (load<f64>(at(d, j)) < load<f64>(at(d, p))) p = j;
    if (p != i) {
      const t = load<f64>(at(d, i));
      store<f64>(at(d, i), load<f64>(at(d, p)));
      store<f64>(at(d, p), t);
      const ci = el(q, 0, i, N);
      const cp = el(q, 0, p, N);
      for (let r: i32 = 0; r < m; r++) {
        const x = load<f64>(at(ci, r));
        store<f64>(at(ci, r), load<f64>(at(cp, r)));
        store<f64>(at(cp, r), x);
      }
    }
  }
  return 0;
}

// w_i *= delta_i / (dl_i - dl_j) for i in [i0, i1) (one root's factors of the Loewner products).
function loewnerFactors(i0: i32, i1: i32, w: usize, delta: usize, dj: f64): void {
  const djv = f64x2.splat(dj);
  let i = i0;
  for (; i + 1 < i1; i += 2) {
    const f = f64x2.div(v128.load(at(delta, i)), f64x2.sub(v128.load(at(VDL, i)), djv));
    v128.store(at(w, i), f64x2.mul(v128.load(at(w, i)), f));
  }
  if (i < i1) store<f64>(at(w, i), load<f64>(at(w, i)) * (load<f64>(at(delta, i)) / (load<f64>(at(VDL, i)) - dj)));
}

// Merge the solved halves [s, s+n1) and [s+n1, s+n1+n2) coupled by rho (dlaed1/2/3): their eigenvalues are
// in d (each half ascending), their vectors in the diagonal blocks of ZT. On return the block's eigenvalues
// are in d, ascending, and its vectors in ZT.
function merge(s: i32, n1: i32, n2: i32, rhoIn: f64): void {
  const m = n1 + n2;
  const d = at(DD, s);
  const q = el(ZT, s, s, N);
  const z = VZ;
  // T = diag(T1, T2) + |rho| v v^T, v = e_{n1} + sign(rho) e_{n1+1}; in the halves' eigenbases
  // v -> (last row of Q1, sign(rho) first row of Q2), normalised: z = v / sqrt 2, rho' = 2 |rho|.
  for (let j: i32 = 0; j < n1; j++) store<f64>(at(z, j), load<f64>(el(q, n1 - 1, j, N)));
  for (let j: i32 = n1; j < m; j++) store<f64>(at(z, j), load<f64>(el(q, n1, j, N)));
  if (rhoIn < 0) scal(n2, -1, at(z, n1));
  scal(m, Math.SQRT1_2, z);
  const rho = abs<f64>(2 * rhoIn);
  // sorted order of d (merge of the two ascending halves)
  let i1: i32 = 0;
  let i2: i32 = n1;
  for (let o: i32 = 0; o < m; o++) {
    const takeLeft = i2 >= m || (i1 < n1 && load<f64>(at(d, i1)) <= load<f64>(at(d, i2)));
    store<i32>(ati(IIDX, o), takeLeft ? i1++ : i2++);
  }
  for (let j: i32 = 0; j < m; j++) store<i32>(ati(ITYP, j), j < n1 ? 1 : 3);
  // deflation (dlaed2): tol = 8 eps max(|d|, |z|)
  const zmax = amax(m, z);
  const tol = 8 * EPS * max<f64>(amax(m, d), zmax);
  let k: i32 = 0; // non-deflated
  let nd: i32 = 0; // deflated
  if (rho * zmax <= tol) {
    for (let o: i32 = 0; o < m; o++) store<i32>(ati(IDEF, nd++), load<i32>(ati(IIDX, o)));
  } else {
    let pj: i32 = -1;
    for (let o: i32 = 0; o < m; o++) {
      const j = load<i32>(ati(IIDX, o));
      const zj = load<f64>(at(z, j));
      if (rho * abs<f64>(zj) <= tol) { // small z component: d_j is an eigenvalue, column j its vector
        store<i32>(ati(ITYP, j), 4);
        store<i32>(ati(IDEF, nd++), j);
        continue;
      }
      if (pj < 0) { pj = j; continue; }
      // close poles d_pj <= d_j: a rotation in the plane (pj, j) zeroes z_pj; deflate if the
      // off-diagonal it leaves, (d_j - d_pj) c s, is below tol
      const zp = load<f64>(at(z, pj));
      const tau = hypot2(zj, zp);
      const c = zj / tau;
      const sn = -zp / tau;
      const dp = load<f64>(at(d, pj));
      const dj = load<f64>(at(d, j));
      if (abs<f64>((dj - dp) * c * sn) <= tol) {
        store<f64>(at(z, j), tau);
        store<f64>(at(z, pj), 0);
        if (load<i32>(ati(ITYP, j)) != load<i32>(ati(ITYP, pj))) store<i32>(ati(ITYP, j), 2);
        store<i32>(ati(ITYP, pj), 4);
        // columns: x = Q(:, pj), y = Q(:, j): x <- c x + s y, y <- c y - s x
        rotateColumns(el(q, 0, pj, N), el(q, 0, j, N), m, c, sn);
        store<f64>(at(d, pj), dp * c * c + dj * sn * sn);
        store<f64>(at(d, j), dp * sn * sn + dj * c * c);
        store<i32>(ati(IDEF, nd++), pj);
        pj = j;
      } else {
        store<i32>(ati(IND, k++), pj);
        pj = j;
      }
    }
    if (pj >= 0) store<i32>(ati(IND, k++), pj);
  }
  // deflated values ascending (insertion sort: they arrive nearly sorted)
  for (let a: i32 = 1; a < nd; a++) {
    const ja = load<i32>(ati(IDEF, a));
    const va = load<f64>(at(d, ja));
    let b = a - 1;
    while (b >= 0 && load<f64>(at(d, load<i32>(ati(IDEF, b)))) > va) {
      store<i32>(ati(IDEF, b + 1), load<i32>(ati(IDEF, b)));
      b--;
    }
    store<i32>(ati(IDEF, b + 1), ja);
  }
  for (let a: i32 = 0; a < nd; a++) store<f64>(at(VDEF, a), load<f64>(at(d, load<i32>(ati(IDEF, a)))));
  // packed columns (ld m): non-deflated by type (1, 2, 3), then the deflated ones
  let c1: i32 = 0;
  let c2: i32 = 0;
  for (let i: i32 = 0; i < k; i++) {
    const t = load<i32>(ati(ITYP, load<i32>(ati(IND, i))));
    if (t == 1) c1++;
    else if (t == 2) c2++;
  }
  let p1: i32 = 0;
  let p2: i32 = c1;
  let p3: i32 = c1 + c2;
  const bytes = (<usize>m) << 3;
  for (let i: i32 = 0; i < k; i++) {
    const j = load<i32>(ati(IND, i));
    const t = load<i32>(ati(ITYP, j));
    const p = t == 1 ? p1++ : (t == 2 ? p2++ : p3++);
    store<i32>(ati(IPOS, i), p);
    memory.copy(el(QP, 0, p, m), el(q, 0, j, N), bytes);
    store<f64>(at(VDL, i), load<f64>(at(d, j)));
    store<f64>(at(VW, i), load<f64>(at(z, j)));
  }
  for (let a: i32 = 0; a < nd; a++) memory.copy(el(QP, 0, k + a, m), el(q, 0, load<i32>(ati(IDEF, a)), N), bytes);
  if (k > 0) {
    // roots; U(:, j) = delta for root j (ld k)
    for (let j: i32 = 0; j < k; j++) store<f64>(at(VLAM, j), secular(k, j, VDL, VW, rho, el(UU, 0, j, k)));
    // Loewner (Gu-Eisenstat): zhat_i^2 rho = -prod_j (dl_i - lambda_j) / prod_{j != i} (dl_i - dl_j);
    // the z for which the computed roots are exact, so the vectors below are orthogonal
    const w = VHAT;
    for (let i: i32 = 0; i < k; i++) store<f64>(at(w, i), load<f64>(el(UU, i, i, k)));
    for (let j: i32 = 0; j < k; j++) {
      const col = el(UU, 0, j, k);
      const dj = load<f64>(at(VDL, j));
      loewnerFactors(0, j, w, col, dj);
      loewnerFactors(j + 1, k, w, col, dj);
    }
    for (let i: i32 = 0; i < k; i++) store<f64>(at(w, i), copysign<f64>(sqrt<f64>(max<f64>(0, -load<f64>(at(w, i)))), load<f64>(at(VW, i))));
    // eigenvectors of diag(dl) + rho w w^T: u_j = (zhat_i / (dl_i - lambda_j))_i / norm, rows in packed order
    for (let j: i32 = 0; j < k; j++) {
      const col = el(UU, 0, j, k);
      let i: i32 = 0;
      for (; i + 1 < k; i += 2) v128.store(at(VTMP, i), f64x2.div(v128.load(at(w, i)), v128.load(at(col, i))));
      if (i < k) store<f64>(at(VTMP, i), load<f64>(at(w, i)) / load<f64>(at(col, i)));
      const inv = 1 / nrm2(k, VTMP);
      for (let i: i32 = 0; i < k; i++) store<f64>(at(col, load<i32>(ati(IPOS, i))), load<f64>(at(VTMP, i)) * inv);
    }
    // R = Q U: rows 0..n1 use the packed columns of types 1, 2; rows n1..m those of types 2, 3.
    // Row-major view C'(j, r) = R(r, j) = sum_c U(c, j) QP(r, c).
    gemm(k, n1, c1 + c2, UU, k, 1, QP, m, 1, RR, m, 0, false);
    gemm(k, n2, k - c1, at(UU, c1), k, 1, el(QP, n1, c1, m), m, 1, at(RR, n1), m, 0, false);
  }
  // write back ascending: roots (R's columns) and deflated values (QP's last columns) interleaved
  let a: i32 = 0;
  let b: i32 = 0;
  for (let o: i32 = 0; o < m; o++) {
    if (a < k && (b >= nd || load<f64>(at(VLAM, a)) <= load<f64>(at(VDEF, b)))) {
      memory.copy(el(q, 0, o, N), el(RR, 0, a, m), bytes);
      store<f64>(at(VTMP, o), load<f64>(at(VLAM, a)));
      a++;
    } else {
      memory.copy(el(q, 0, o, N), el(QP, 0, k + b, m), bytes);
      store<f64>(at(VTMP, o), load<f64>(at(VDEF, b)));
      b++;
    }
  }
  memory.copy(d, VTMP, bytes);
}

// Cuppen's recursion on the unreduced block [s, s+m): tear at the middle (d_{c-1}, d_c -= |e_{c-1}|),
// solve the halves, merge.
function dc(s: i32, m: i32): i32 {
  if (m <= SMALL) return leaf(s, m);
  const n1 = m >> 1;
  const c = s + n1;
  const rho = load<f64>(at(EE, c - 1));
  store<f64>(at(DD, c - 1), load<f64>(at(DD, c - 1)) - abs<f64>(rho));
  store<f64>(at(DD, c), load<f64>(at(DD, c)) - abs<f64>(rho));
  if (dc(s, n1) != 0) return 1;
  if (dc(c, m - n1) != 0) return 1;
  merge(s, n1, m - n1, rho);
  return 0;
}

// ---------------------------------------------------------------------------------------------------------
// Back-transformation Z <- Q Z, Z row-major n x n (ld n), Q = H_0 ... H_{n-2} from sytrd; blocks of NBB
// reflectors, last block first, each as P = I - V T V^T (dlarft forward, columnwise; dlarfb):
//   Z <- P Z = Z - V W,  W = T V^T Z = Y^T Z with Y = V T^T,
// so the block costs two GEMMs with Z plus small ones (the Gram matrix V^T V for T, and Y).
// vw, yw: n x NBB; wb: NBB x n; t, g: NBB x NBB.
function backTransform(n: i32, a: usize, tau: usize, z: usize, vw: usize, yw: usize, wb: usize, t: usize, g: usize, tmp: usize): void {
  const nrefl = n - 1;
  if (nrefl <= 0) return;
  for (let b0: i32 = ((nrefl - 1) / NBB) * NBB; b0 >= 0; b0 -= NBB) {
    const nb = min<i32>(NBB, nrefl - b0);
    const m = n - b0 - 1; // rows b0+1 .. n-1
    // V (ld m): V(r, l) = 0 above the unit diagonal, 1 on it, A(b0+1+r, b0+l) below
    for (let l: i32 = 0; l < nb; l++) {
      const col = el(vw, 0, l, m);
      memory.fill(col, 0, (<usize>l) << 3);
      store<f64>(at(col, l), 1);
      memory.copy(at(col, l + 1), el(a, b0 + l + 2, b0 + l, n), (<usize>(m - l - 1)) << 3);
    }
    // G = V^T V (row-major, ld NBB)
    gemm(nb, nb, m, vw, m, 1, vw, 1, m, g, NBB, 0, false);
    // T (ld NBB): T(l, l) = tau_l, T(0:l, l) = -tau_l T(0:l, 0:l) G(0:l, l)
    for (let l: i32 = 0; l < nb; l++) {
      const tl = load<f64>(at(tau, b0 + l));
      for (let p: i32 = 0; p < l; p++) store<f64>(at(tmp, p), -tl * load<f64>(at(g, p * NBB + l)));
      for (let p: i32 = 0; p < l; p++) {
        let s: f64 = 0;
        for (let r: i32 = p; r < l; r++) s += load<f64>(el(t, p, r, NBB)) * load<f64>(at(tmp, r));
        store<f64>(el(t, p, l, NBB), s);
      }
      for (let p: i32 = l + 1; p < nb; p++) store<f64>(el(t, p, l, NBB), 0);
      store<f64>(el(t, l, l, NBB), tl);
    }
    // Y = V T^T (ld m): row-major view Y^T(l, r) = sum_p T(l, p) V(r, p)
    gemm(nb, m, nb, t, 1, NBB, vw, m, 1, yw, m, 0, false);
    const zb = at(z, (b0 + 1) * n);
    // W = Y^T Z (nb x n, row-major)
    gemm(nb, n, m, yw, m, 1, zb, n, 1, wb, n, 0, false);
    // Z -= V W
    gemm(m, n, nb, vw, 1, m, wb, n, 1, zb, n, -1, false);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Entry points.

/** f64 count of the work block eighSym needs (the facade's eighWorkLength computes the same). */
export function eighWorkLength(n: i32, vectors: i32): f64 {
  const nn = <f64>n;
  const fixed = <f64>(BLAS_GEMM_MAX_WORKSPACE + 2 * NBB * NBB + 4 * NBB + 64);
  const perN = <f64>(3 * NB + 3 * NBB + 16);
  return (vectors != 0 ? 3 * nn * nn : 0) + perN * nn + fixed;
}

let CURSOR: usize = 0;
function take(count: i32): usize {
  const r = CURSOR;
  CURSOR += (<usize>(count + (count & 1))) << 3;
  return r;
}

// floor(log2 x) for finite x > 0 (subnormals included).
function exponentOf(x: f64): i32 {
  const be = <i32>((reinterpret<u64>(x) >> 52) & 0x7ff);
  if (be != 0) return be - 1023;
  return <i32>((reinterpret<u64>(x * pow2(600)) >> 52) & 0x7ff) - 1023 - 600;
}

// x *= 2^k for a vector, k in [-1074, 1074 + 1023], in two exact steps (2^k alone may not be an f64).
function scalePow2(n: i32, x: usize, k: i32): void {
  const k1 = k >> 1;
  const s1 = f64x2.splat(pow2(k1));
  const s2 = f64x2.splat(pow2(k - k1));
  let i: i32 = 0;
  for (; i + 1 < n; i += 2) v128.store(at(x, i), f64x2.mul(f64x2.mul(v128.load(at(x, i)), s1), s2));
  if (i < n) store<f64>(at(x, i), load<f64>(at(x, i)) * pow2(k1) * pow2(k - k1));
}

/**
 * Eigenvalues (ascending, into values: n) and, when vectors != 0, eigenvectors (into vectors: n x n,
 * row-major, column j for values[j]) of the symmetric n x n matrix at a (overwritten). work: workLen f64.
 * Returns 0; 1 if QL did not converge; -1 if the work block is too small.
 */
export function eighSym(n: i32, a: usize, values: usize, vectors: usize, work: usize, workLen: f64): i32 {
  const wantVectors = vectors != 0;
  if (n < 1 || workLen < eighWorkLength(n, wantVectors ? 1 : 0)) return -1;
  const nn = n * n;
  // scale by a power of two (exact): max |a_ij| in [1, 2)
  const big = amax(nn, a);
  if (big == 0) {
    memory.fill(values, 0, (<usize>n) << 3);
    if (wantVectors) {
      memory.fill(vectors, 0, (<usize>nn) << 3);
      for (let i: i32 = 0; i < n; i++) store<f64>(at(vectors, i * n + i), 1);
    }
    return 0;
  }
  const ex = exponentOf(big);
  scalePow2(nn, a, -ex);
  CURSOR = work;
  const d = take(n);
  const e = take(n);
  const tau = take(n);
  const tmp = take(2 * NBB);
  const xw = take(3 * NB * n);
  GW = take(BLAS_GEMM_MAX_WORKSPACE);
  store<f64>(at(e, n - 1), 0);
  sytrd(n, a, d, e, tau, xw, tmp);
  if (!wantVectors) {
    const te = take(n);
    const idx = take(n);
    memory.copy(te, e, (<usize>n) << 3);
    store<f64>(at(te, n - 1), 0);
    if (tql(n, d, te, 0, 0) != 0) return 1;
    for (let j: i32 = 0; j < n; j++) store<i32>(ati(idx, j), j);
    sortIndex(n, d, idx);
    for (let j: i32 = 0; j < n; j++) store<f64>(at(values, j), load<f64>(at(d, load<i32>(ati(idx, j)))));
    scalePow2(n, values, ex);
    return 0;
  }
  N = n;
  DD = d;
  EE = e;
  QP = vectors;
  ZT = take(nn);
  UU = take(nn);
  RR = take(nn);
  const vw = take(n * NBB);
  const yw = take(n * NBB);
  const wb = take(NBB * n);
  const t = take(NBB * NBB);
  const g = take(NBB * NBB);
  VZ = take(n); VDL = take(n); VW = take(n); VLAM = take(n); VDEF = take(n); VTMP = take(n); VHAT = take(n);
  IIDX = take(n); ITYP = take(n); IND = take(n); IDEF = take(n); IPOS = take(n);
  const idx = take(n);
  memory.fill(ZT, 0, (<usize>nn) << 3);
  // unreduced blocks of T (dstedc: split where |e_i| <= eps sqrt|d_i| sqrt|d_{i+1}|), each scaled to
  // max 1 (a power of two) and solved by divide and conquer
  let start: i32 = 0;
  for (let i: i32 = 0; i < n; i++) {
    if (i < n - 1) {
      const tiny = EPS * sqrt<f64>(abs<f64>(load<f64>(at(d, i)))) * sqrt<f64>(abs<f64>(load<f64>(at(d, i + 1))));
      if (abs<f64>(load<f64>(at(e, i))) > tiny) continue;
    }
    const m = i - start + 1;
    const bm = max<f64>(amax(m, at(d, start)), amax(m - 1, at(e, start)));
    const bx = bm > 0 ? exponentOf(bm) : 0;
    scalePow2(m, at(d, start), -bx);
    scalePow2(m - 1, at(e, start), -bx);
    if (dc(start, m) != 0) return 1;
    scalePow2(m, at(d, start), bx);
    start = i + 1;
  }
  // ascending order across blocks; Z(i, j) = ZT(i, idx_j), written row-major into vectors
  for (let j: i32 = 0; j < n; j++) store<i32>(ati(idx, j), j);
  sortIndex(n, d, idx);
  for (let ib: i32 = 0; ib < n; ib += 32) {
    const ie = min<i32>(n, ib + 32);
    for (let jb: i32 = 0; jb < n; jb += 32) {
      const je = min<i32>(n, jb + 32);
      for (let j: i32 = jb; j < je; j++) {
        const col = el(ZT, 0, load<i32>(ati(idx, j)), n);
        for (let i: i32 = ib; i < ie; i++) store<f64>(at(vectors, i * n + j), load<f64>(at(col, i)));
      }
    }
  }
  for (let j: i32 = 0; j < n; j++) store<f64>(at(values, j), load<f64>(at(d, load<i32>(ati(idx, j)))));
  scalePow2(n, values, ex);
  backTransform(n, a, tau, vectors, vw, yw, wb, t, g, tmp);
  return 0;
}
