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

// Files: tridiagonal.ts (step 2), ql.ts (3, values only, and the D&C leaves), divide.ts and secular.ts (3,
// with vectors), backtransform.ts (4), common.ts (level-1 helpers, scaling, sort, GEMM). Block sizes NB and
// NBB, and the work block's length, are in src/wasm/constants.ts, shared with the facade.

import { at, ati } from "../../memory";
import {
  BLAS_GEMM_MAX_WORKSPACE, EIGH_NB as NB, EIGH_NBB as NBB, eighWorkLength as workLength,
} from "../../../src/wasm/constants";
import { backTransform } from "./backtransform";
import { amax, el, EPS, exponentOf, scalePow2, sortIndex } from "./common";
import { dc, DivideWork } from "./divide";
import { tql } from "./ql";
import { sytrd } from "./tridiagonal";

/** f64 count of the work block eighSym needs (src/wasm/constants.ts, shared with the facade). */
export function eighWorkLength(n: i32, vectors: i32): f64 {
  return workLength(<f64>n, vectors != 0);
}

// The block that follows `count` f64 at p in the work block (counts rounded up to even: 16-byte aligned).
// @ts-ignore: decorator
@inline function after(p: usize, count: i32): usize {
  return p + ((<usize>(count + (count & 1))) << 3);
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
  const d = work;
  const e = after(d, n);
  const tau = after(e, n);
  const tmp = after(tau, n);
  const xw = after(tmp, 2 * NBB);
  const gw = after(xw, 3 * NB * n);
  const rest = after(gw, BLAS_GEMM_MAX_WORKSPACE);
  store<f64>(at(e, n - 1), 0);
  sytrd(n, a, d, e, tau, xw, tmp, gw);
  if (!wantVectors) {
    const te = rest;
    const idx = after(te, n);
    memory.copy(te, e, (<usize>n) << 3);
    store<f64>(at(te, n - 1), 0);
    if (tql(n, d, te, 0, 0) != 0) return 1;
    for (let j: i32 = 0; j < n; j++) store<i32>(ati(idx, j), j);
    sortIndex(n, d, idx);
    for (let j: i32 = 0; j < n; j++) store<f64>(at(values, j), load<f64>(at(d, load<i32>(ati(idx, j)))));
    scalePow2(n, values, ex);
    return 0;
  }
  const zt = rest;
  const uu = after(zt, nn);
  const rr = after(uu, nn);
  const vw = after(rr, nn);
  const yw = after(vw, n * NBB);
  const wb = after(yw, n * NBB);
  const t = after(wb, NBB * n);
  const g = after(t, NBB * NBB);
  // the divide and conquer's n-vectors, then idx, then its record (in the fixed part's slack)
  const z = after(g, NBB * NBB);
  const dl = after(z, n);
  const zw = after(dl, n);
  const lam = after(zw, n);
  const def = after(lam, n);
  const dtmp = after(def, n);
  const hat = after(dtmp, n);
  const iidx = after(hat, n);
  const ityp = after(iidx, n);
  const ind = after(ityp, n);
  const idef = after(ind, n);
  const ipos = after(idef, n);
  const idx = after(ipos, n);
  const ws = changetype<DivideWork>(after(idx, n));
  ws.n = n;
  ws.d = d;
  ws.e = e;
  ws.zt = zt;
  ws.qp = vectors; // free until the vectors are written at the end
  ws.uu = uu;
  ws.rr = rr;
  ws.gw = gw;
  ws.z = z;
  ws.dl = dl;
  ws.zw = zw;
  ws.lam = lam;
  ws.def = def;
  ws.tmp = dtmp;
  ws.hat = hat;
  ws.iidx = iidx;
  ws.ityp = ityp;
  ws.ind = ind;
  ws.idef = idef;
  ws.ipos = ipos;
  memory.fill(zt, 0, (<usize>nn) << 3);
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
    if (dc(ws, start, m) != 0) return 1;
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
        const col = el(zt, 0, load<i32>(ati(idx, j)), n);
        for (let i: i32 = ib; i < ie; i++) store<f64>(at(vectors, i * n + j), load<f64>(at(col, i)));
      }
    }
  }
  for (let j: i32 = 0; j < n; j++) store<f64>(at(values, j), load<f64>(at(d, load<i32>(ati(idx, j)))));
  scalePow2(n, values, ex);
  backTransform(n, a, tau, vectors, vw, yw, wb, t, g, tmp, gw);
  return 0;
}
