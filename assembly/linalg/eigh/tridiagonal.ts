// Householder tridiagonalisation Q^T A Q = T (dsytrd, lower: A(i, j), i >= j, is read; the reflectors are
// stored below the subdiagonal): panels of NB columns (dlatrd), each followed by the rank-2k update
// A <- A - V W^T - W V^T of the trailing matrix as one GEMM (upper-triangle mode of the row-major view).

import { at } from "../../memory";
import { EIGH_NB as NB } from "../../../src/wasm/constants";
import { axpy, dot, el, EPS, gemm, hsum, hypot2, nrm2, SAFMIN, scal } from "./common";

// Reflector H = I - tau v v^T with v = (1, x) and H (alpha, x) = (beta, 0) (dlarfg). x is overwritten by
// v's tail; beta is stored at betaOut and tau returned.
export function larfg(n: i32, alpha: f64, x: usize, betaOut: usize): f64 {
  store<f64>(betaOut, alpha);
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
  store<f64>(betaOut, beta);
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
export function gemvSub(len: i32, x: usize, ldx: i32, ncols: i32, coef: usize, y: usize): void {
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
export function gemvT(len: i32, x: usize, ldx: i32, ncols: i32, v: usize, out: usize): void {
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
    const tv = larfg(m - 1, load<f64>(v), at(v, 1), at(e, i));
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
// A below the subdiagonal (with A(j+1, j) = 1). xw: n x 3 NB; t: 2 NB scratch; gw: GEMM packing workspace.
export function sytrd(n: i32, a: usize, d: usize, e: usize, tau: usize, xw: usize, t: usize, gw: usize): void {
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
    gemm(mt, mt, 2 * nb, el(xw, s, NB, n), 1, n, el(xw, s, NB - nb, n), n, 1, el(a, s, s, n), n, -1, true, gw);
  }
  store<f64>(at(d, n - 1), load<f64>(el(a, n - 1, n - 1, n)));
}
