// Divide and conquer on the tridiagonal (dstedc with compz = 'I'; Cuppen, Gu-Eisenstat; dlaed0..4): tear T
// into halves by rank-one corrections down to blocks of at most SMALL, solve those by QL, and merge:
// deflate (small z components, close poles), solve the secular equation root by root relative to the
// nearest pole (secular.ts), recompute z from the roots (Loewner) so the vectors are orthogonal, and
// update the vectors by GEMM. The work arrays come from the caller's block in one record, DivideWork.

import { at, ati } from "../../memory";
import { amax, el, EPS, gemm, hypot2, nrm2, scal } from "./common";
import { rotate } from "../rotate";
import { tql } from "./ql";
import { secular } from "./secular";

const SMALL: i32 = 32; // leaves: blocks of at most this size are solved by QL

/** The divide and conquer's work arrays (n the order of the problem), laid out by eighSym in its work block. */
// @ts-ignore: decorator
@unmanaged export class DivideWork {
  n: i32; // order of the problem (leading dimension of zt)
  d: usize; // diagonal of T (overwritten by the eigenvalues)
  e: usize; // subdiagonal of T (read only here)
  zt: usize; // n x n eigenvectors of T, column-major
  qp: usize; // n x n: a merge's packed columns (the caller's output block, free until the end)
  uu: usize; // n x n: secular deltas, then the rank-one update's eigenvectors
  rr: usize; // n x n: the merged vectors
  gw: usize; // GEMM packing workspace
  z: usize; // n: z
  dl: usize; // n: poles (non-deflated d)
  zw: usize; // n: their z components
  lam: usize; // n: roots
  def: usize; // n: deflated values
  tmp: usize; // n: scratch
  hat: usize; // n: Loewner z
  iidx: usize; // n i32: sorted order of d
  ityp: usize; // n i32: column types (1 top, 2 dense, 3 bottom, 4 deflated)
  ind: usize; // n i32: non-deflated columns
  idef: usize; // n i32: deflated columns
  ipos: usize; // n i32: packed position of each non-deflated column
}

// Solve a leaf block [s, s+m) by QL with vectors, sorted ascending.
function leaf(ws: DivideWork, s: i32, m: i32): i32 {
  const ld = ws.n;
  const q = el(ws.zt, s, s, ld);
  for (let j: i32 = 0; j < m; j++) store<f64>(el(q, j, j, ld), 1);
  if (m == 1) return 0;
  const te = ws.tmp;
  memory.copy(te, at(ws.e, s), (<usize>(m - 1)) << 3);
  store<f64>(at(te, m - 1), 0); // the coupling to the next block is not part of this one
  const d = at(ws.d, s);
  if (tql(m, d, te, q, ld) != 0) return 1;
  for (let i: i32 = 0; i < m - 1; i++) {
    let p = i;
    for (let j: i32 = i + 1; j < m; j++) if (load<f64>(at(d, j)) < load<f64>(at(d, p))) p = j;
    if (p != i) {
      const t = load<f64>(at(d, i));
      store<f64>(at(d, i), load<f64>(at(d, p)));
      store<f64>(at(d, p), t);
      const ci = el(q, 0, i, ld);
      const cp = el(q, 0, p, ld);
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
function loewnerFactors(i0: i32, i1: i32, w: usize, delta: usize, dl: usize, dj: f64): void {
  const djv = f64x2.splat(dj);
  let i = i0;
  for (; i + 1 < i1; i += 2) {
    const f = f64x2.div(v128.load(at(delta, i)), f64x2.sub(v128.load(at(dl, i)), djv));
    v128.store(at(w, i), f64x2.mul(v128.load(at(w, i)), f));
  }
  if (i < i1) store<f64>(at(w, i), load<f64>(at(w, i)) * (load<f64>(at(delta, i)) / (load<f64>(at(dl, i)) - dj)));
}

// Merge the solved halves [s, s+n1) and [s+n1, s+n1+n2) coupled by rho (dlaed1/2/3): their eigenvalues are
// in d (each half ascending), their vectors in the diagonal blocks of zt. On return the block's eigenvalues
// are in d, ascending, and its vectors in zt.
function merge(ws: DivideWork, s: i32, n1: i32, n2: i32, rhoIn: f64): void {
  const ld = ws.n;
  const zt = ws.zt;
  const qp = ws.qp;
  const uu = ws.uu;
  const rr = ws.rr;
  const gw = ws.gw;
  const dl = ws.dl;
  const zw = ws.zw;
  const lam = ws.lam;
  const vdef = ws.def;
  const tmp = ws.tmp;
  const iidx = ws.iidx;
  const ityp = ws.ityp;
  const ind = ws.ind;
  const idef = ws.idef;
  const ipos = ws.ipos;
  const m = n1 + n2;
  const d = at(ws.d, s);
  const q = el(zt, s, s, ld);
  const z = ws.z;
  // T = diag(T1, T2) + |rho| v v^T, v = e_{n1} + sign(rho) e_{n1+1}; in the halves' eigenbases
  // v -> (last row of Q1, sign(rho) first row of Q2), normalised: z = v / sqrt 2, rho' = 2 |rho|.
  for (let j: i32 = 0; j < n1; j++) store<f64>(at(z, j), load<f64>(el(q, n1 - 1, j, ld)));
  for (let j: i32 = n1; j < m; j++) store<f64>(at(z, j), load<f64>(el(q, n1, j, ld)));
  if (rhoIn < 0) scal(n2, -1, at(z, n1));
  scal(m, Math.SQRT1_2, z);
  const rho = abs<f64>(2 * rhoIn);
  // sorted order of d (merge of the two ascending halves)
  let i1: i32 = 0;
  let i2: i32 = n1;
  for (let o: i32 = 0; o < m; o++) {
    const takeLeft = i2 >= m || (i1 < n1 && load<f64>(at(d, i1)) <= load<f64>(at(d, i2)));
    store<i32>(ati(iidx, o), takeLeft ? i1++ : i2++);
  }
  for (let j: i32 = 0; j < m; j++) store<i32>(ati(ityp, j), j < n1 ? 1 : 3);
  // deflation (dlaed2): tol = 8 eps max(|d|, |z|)
  const zmax = amax(m, z);
  const tol = 8 * EPS * max<f64>(amax(m, d), zmax);
  let k: i32 = 0; // non-deflated
  let nd: i32 = 0; // deflated
  if (rho * zmax <= tol) {
    for (let o: i32 = 0; o < m; o++) store<i32>(ati(idef, nd++), load<i32>(ati(iidx, o)));
  } else {
    let pj: i32 = -1;
    for (let o: i32 = 0; o < m; o++) {
      const j = load<i32>(ati(iidx, o));
      const zj = load<f64>(at(z, j));
      if (rho * abs<f64>(zj) <= tol) { // small z component: d_j is an eigenvalue, column j its vector
        store<i32>(ati(ityp, j), 4);
        store<i32>(ati(idef, nd++), j);
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
        if (load<i32>(ati(ityp, j)) != load<i32>(ati(ityp, pj))) store<i32>(ati(ityp, j), 2);
        store<i32>(ati(ityp, pj), 4);
        // columns: x = Q(:, pj), y = Q(:, j): x <- c x + s y, y <- c y - s x
        rotate(el(q, 0, pj, ld), el(q, 0, j, ld), m, c, sn);
        store<f64>(at(d, pj), dp * c * c + dj * sn * sn);
        store<f64>(at(d, j), dp * sn * sn + dj * c * c);
        store<i32>(ati(idef, nd++), pj);
        pj = j;
      } else {
        store<i32>(ati(ind, k++), pj);
        pj = j;
      }
    }
    if (pj >= 0) store<i32>(ati(ind, k++), pj);
  }
  // deflated values ascending (insertion sort: they arrive nearly sorted)
  for (let a: i32 = 1; a < nd; a++) {
    const ja = load<i32>(ati(idef, a));
    const va = load<f64>(at(d, ja));
    let b = a - 1;
    while (b >= 0 && load<f64>(at(d, load<i32>(ati(idef, b)))) > va) {
      store<i32>(ati(idef, b + 1), load<i32>(ati(idef, b)));
      b--;
    }
    store<i32>(ati(idef, b + 1), ja);
  }
  for (let a: i32 = 0; a < nd; a++) store<f64>(at(vdef, a), load<f64>(at(d, load<i32>(ati(idef, a)))));
  // packed columns (ld m): non-deflated by type (1, 2, 3), then the deflated ones
  let c1: i32 = 0;
  let c2: i32 = 0;
  for (let i: i32 = 0; i < k; i++) {
    const t = load<i32>(ati(ityp, load<i32>(ati(ind, i))));
    if (t == 1) c1++;
    else if (t == 2) c2++;
  }
  let p1: i32 = 0;
  let p2: i32 = c1;
  let p3: i32 = c1 + c2;
  const bytes = (<usize>m) << 3;
  for (let i: i32 = 0; i < k; i++) {
    const j = load<i32>(ati(ind, i));
    const t = load<i32>(ati(ityp, j));
    const p = t == 1 ? p1++ : (t == 2 ? p2++ : p3++);
    store<i32>(ati(ipos, i), p);
    memory.copy(el(qp, 0, p, m), el(q, 0, j, ld), bytes);
    store<f64>(at(dl, i), load<f64>(at(d, j)));
    store<f64>(at(zw, i), load<f64>(at(z, j)));
  }
  for (let a: i32 = 0; a < nd; a++) memory.copy(el(qp, 0, k + a, m), el(q, 0, load<i32>(ati(idef, a)), ld), bytes);
  if (k > 0) {
    // roots; U(:, j) = delta for root j (ld k)
    for (let j: i32 = 0; j < k; j++) store<f64>(at(lam, j), secular(k, j, dl, zw, rho, el(uu, 0, j, k)));
    // Loewner (Gu-Eisenstat): zhat_i^2 rho = -prod_j (dl_i - lambda_j) / prod_{j != i} (dl_i - dl_j);
    // the z for which the computed roots are exact, so the vectors below are orthogonal
    const w = ws.hat;
    for (let i: i32 = 0; i < k; i++) store<f64>(at(w, i), load<f64>(el(uu, i, i, k)));
    for (let j: i32 = 0; j < k; j++) {
      const col = el(uu, 0, j, k);
      const dj = load<f64>(at(dl, j));
      loewnerFactors(0, j, w, col, dl, dj);
      loewnerFactors(j + 1, k, w, col, dl, dj);
    }
    for (let i: i32 = 0; i < k; i++) store<f64>(at(w, i), copysign<f64>(sqrt<f64>(max<f64>(0, -load<f64>(at(w, i)))), load<f64>(at(zw, i))));
    // eigenvectors of diag(dl) + rho w w^T: u_j = (zhat_i / (dl_i - lambda_j))_i / norm, rows in packed order
    for (let j: i32 = 0; j < k; j++) {
      const col = el(uu, 0, j, k);
      let i: i32 = 0;
      for (; i + 1 < k; i += 2) v128.store(at(tmp, i), f64x2.div(v128.load(at(w, i)), v128.load(at(col, i))));
      if (i < k) store<f64>(at(tmp, i), load<f64>(at(w, i)) / load<f64>(at(col, i)));
      const inv = 1 / nrm2(k, tmp);
      for (let i: i32 = 0; i < k; i++) store<f64>(at(col, load<i32>(ati(ipos, i))), load<f64>(at(tmp, i)) * inv);
    }
    // R = Q U: rows 0..n1 use the packed columns of types 1, 2; rows n1..m those of types 2, 3.
    // Row-major view C'(j, r) = R(r, j) = sum_c U(c, j) qp(r, c).
    gemm(k, n1, c1 + c2, uu, k, 1, qp, m, 1, rr, m, 0, false, gw);
    gemm(k, n2, k - c1, at(uu, c1), k, 1, el(qp, n1, c1, m), m, 1, at(rr, n1), m, 0, false, gw);
  }
  // write back ascending: roots (R's columns) and deflated values (qp's last columns) interleaved
  let a: i32 = 0;
  let b: i32 = 0;
  for (let o: i32 = 0; o < m; o++) {
    if (a < k && (b >= nd || load<f64>(at(lam, a)) <= load<f64>(at(vdef, b)))) {
      memory.copy(el(q, 0, o, ld), el(rr, 0, a, m), bytes);
      store<f64>(at(tmp, o), load<f64>(at(lam, a)));
      a++;
    } else {
      memory.copy(el(q, 0, o, ld), el(qp, 0, k + b, m), bytes);
      store<f64>(at(tmp, o), load<f64>(at(vdef, b)));
      b++;
    }
  }
  memory.copy(d, tmp, bytes);
}

// Cuppen's recursion on the unreduced block [s, s+m): tear at the middle (d_{c-1}, d_c -= |e_{c-1}|),
// solve the halves, merge.
export function dc(ws: DivideWork, s: i32, m: i32): i32 {
  if (m <= SMALL) return leaf(ws, s, m);
  const n1 = m >> 1;
  const c = s + n1;
  const dd = ws.d;
  const rho = load<f64>(at(ws.e, c - 1));
  store<f64>(at(dd, c - 1), load<f64>(at(dd, c - 1)) - abs<f64>(rho));
  store<f64>(at(dd, c), load<f64>(at(dd, c)) - abs<f64>(rho));
  if (dc(ws, s, n1) != 0) return 1;
  if (dc(ws, c, m - n1) != 0) return 1;
  merge(ws, s, n1, m - n1, rho);
  return 0;
}
