// GEMM, f64, row-major, v128 SIMD (f64x2): the packing and register-tile kernel shared by SYRK
// (syrk.ts), Cholesky (cholesky.ts) and the eigensolver (eigh/).
//
// GotoBLAS/BLIS layering. C (m x n) += alpha A (m x k) B (k x n), where A and B are read
// through arbitrary (row, column) strides, so transposes cost nothing (SYRK reads X^T X from one array):
//   for each NC-wide column panel of B and KC-deep slice of k:
//     pack B[KC x NC] into NR-wide micro-panels (row p of a micro-panel: NR contiguous values);
//     for each MC-high block of A: pack A[MC x KC] into MR-high micro-panels (column p: MR values);
//       for each NR micro-panel of B (stays in L1), each MR micro-panel of A (streams from L2):
//         the MR x NR register tile: kc rank-1 updates, MR * NR / 2 f64x2 accumulators.
// Packing zero-pads partial micro-panels, so the inner loop has no edge cases; edge tiles are written
// through a small buffer. With `tri` = LOWER only tiles meeting the lower triangle (j <= i) are computed,
// and diagonal tiles write only their lower part (SYRK, the Cholesky trailing update); with UPPER the same
// for j >= i (the eigensolver's symmetric rank-2k update, assembly/linalg/eigh/tridiagonal.ts).
//
// Blocking (KC, MC, NC: src/wasm/constants.ts, shared with the facade), tuned on a 48 KiB L1 / 2 MiB L2
// core: KC * NR * 8 = 8 KiB of B in L1, MC * KC * 8 = 128 KiB of A and KC * NC * 8 = 1 MiB of B in L2.
// It runs at about 19 GFLOP/s on one 2.6 GHz core, close to the 128-bit peak: Wasm without relaxed SIMD
// has no fused multiply-add, so each rank-1 term is an f64x2 mul then an add (at most two of each per
// cycle: 8 flops per cycle).
//
// The facade (src/linalg/blas.ts) allocates every buffer, including the packing workspace whose size
// `blasGemmWorkspace` gives in f64 (16-byte aligned blocks from `alloc`); nothing here allocates.

import { at } from "../memory";
import { BLAS_GEMM_MAX_WORKSPACE, GEMM_KC as KC, GEMM_MC as MC, GEMM_NC as NC } from "../../src/wasm/constants";

export { BLAS_GEMM_MAX_WORKSPACE }; // also a Wasm global, checked against the facade's by test/wasm

const MR: i32 = 4; // register tile rows (MC is a multiple)
const NR: i32 = 4; // register tile columns, two f64x2 (NC is a multiple)

const TILE: usize = memory.data(MR * NR * 8, 16);

// @ts-ignore: decorator
@inline function roundUp(x: i32, q: i32): i32 {
  return ((x + q - 1) / q) * q;
}

// @ts-ignore: decorator
@inline function imin(a: i32, b: i32): i32 {
  return a < b ? a : b;
}

/** Which part of C `blasGemmCore` updates. */
export const FULL: i32 = 0;
export const LOWER: i32 = 1;
export const UPPER: i32 = 2;

/** f64 count of the packing workspace `blasGemmCore` needs for these sizes. */
export function blasGemmWorkspace(m: i32, k: i32, n: i32): i32 {
  if (m <= 0 || k <= 0 || n <= 0) return 0;
  const kc = imin(KC, k);
  return imin(MC, roundUp(m, MR)) * kc + kc * imin(NC, roundUp(n, NR));
}

// Pack A[0:mc, 0:kc] (element (i, p) at a + 8 (i rsa + p csa)) into MR-row micro-panels, zero-padded.
function packA(dst: usize, a: usize, rsa: i32, csa: i32, mc: i32, kc: i32): void {
  let q = dst;
  for (let i0: i32 = 0; i0 < mc; i0 += MR) {
    const rows = imin(MR, mc - i0);
    const row0 = at(a, i0 * rsa);
    if (rows == MR) {
      const r1 = (<usize>rsa) << 3;
      if (rsa == 1) {
        // Rows of A are columns of the source (A = X^T): MR contiguous values per p.
        for (let p: i32 = 0; p < kc; p++) {
          const s = at(row0, p * csa);
          v128.store(q, v128.load(s));
          v128.store(q, v128.load(s, 16), 16);
          q += MR << 3;
        }
      } else {
        for (let p: i32 = 0; p < kc; p++) {
          const s = at(row0, p * csa);
          store<f64>(q, load<f64>(s));
          store<f64>(q, load<f64>(s + r1), 8);
          store<f64>(q, load<f64>(s + 2 * r1), 16);
          store<f64>(q, load<f64>(s + 3 * r1), 24);
          q += MR << 3;
        }
      }
    } else {
      for (let p: i32 = 0; p < kc; p++) {
        for (let i: i32 = 0; i < MR; i++) {
          store<f64>(q, i < rows ? load<f64>(at(row0, i * rsa + p * csa)) : 0.0);
          q += 8;
        }
      }
    }
  }
}

// Pack B[0:kc, 0:nc] (element (p, j) at b + 8 (p rsb + j csb)) into NR-column micro-panels, zero-padded.
function packB(dst: usize, b: usize, rsb: i32, csb: i32, kc: i32, nc: i32): void {
  let q = dst;
  for (let j0: i32 = 0; j0 < nc; j0 += NR) {
    const cols = imin(NR, nc - j0);
    const col0 = at(b, j0 * csb);
    if (cols == NR) {
      if (csb == 1) {
        for (let p: i32 = 0; p < kc; p++) {
          const s = at(col0, p * rsb);
          v128.store(q, v128.load(s));
          v128.store(q, v128.load(s, 16), 16);
          q += NR << 3;
        }
      } else {
        const c1 = (<usize>csb) << 3;
        for (let p: i32 = 0; p < kc; p++) {
          const s = at(col0, p * rsb);
          store<f64>(q, load<f64>(s));
          store<f64>(q, load<f64>(s + c1), 8);
          store<f64>(q, load<f64>(s + 2 * c1), 16);
          store<f64>(q, load<f64>(s + 3 * c1), 24);
          q += NR << 3;
        }
      }
    } else {
      for (let p: i32 = 0; p < kc; p++) {
        for (let j: i32 = 0; j < NR; j++) {
          store<f64>(q, j < cols ? load<f64>(at(col0, p * rsb + j * csb)) : 0.0);
          q += 8;
        }
      }
    }
  }
}

// The MR x NR register tile: C[0:rows, 0:cols] += alpha * sum_p pa[p] pb[p]^T. `diag` != NO_DIAG marks a
// diagonal tile of a triangular product: only entries with j <= i + diag (lower) or j >= i + diag (upper)
// are written; NO_DIAG otherwise.
const NO_DIAG: i32 = -0x40000000;

function micro(kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, alpha: f64, rows: i32, cols: i32, diag: i32, upper: bool): void {
  let c00 = f64x2.splat(0.0), c01 = f64x2.splat(0.0);
  let c10 = f64x2.splat(0.0), c11 = f64x2.splat(0.0);
  let c20 = f64x2.splat(0.0), c21 = f64x2.splat(0.0);
  let c30 = f64x2.splat(0.0), c31 = f64x2.splat(0.0);
  for (let p: i32 = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load64_splat(pa);
    c00 = f64x2.add(c00, f64x2.mul(a, b0));
    c01 = f64x2.add(c01, f64x2.mul(a, b1));
    a = v128.load64_splat(pa, 8);
    c10 = f64x2.add(c10, f64x2.mul(a, b0));
    c11 = f64x2.add(c11, f64x2.mul(a, b1));
    a = v128.load64_splat(pa, 16);
    c20 = f64x2.add(c20, f64x2.mul(a, b0));
    c21 = f64x2.add(c21, f64x2.mul(a, b1));
    a = v128.load64_splat(pa, 24);
    c30 = f64x2.add(c30, f64x2.mul(a, b0));
    c31 = f64x2.add(c31, f64x2.mul(a, b1));
    pa += MR << 3;
    pb += NR << 3;
  }
  const al = f64x2.splat(alpha);
  if (rows == MR && cols == NR && diag == NO_DIAG) {
    const ld = (<usize>ldc) << 3;
    let r = c;
    v128.store(r, f64x2.add(v128.load(r), f64x2.mul(al, c00)));
    v128.store(r, f64x2.add(v128.load(r, 16), f64x2.mul(al, c01)), 16);
    r += ld;
    v128.store(r, f64x2.add(v128.load(r), f64x2.mul(al, c10)));
    v128.store(r, f64x2.add(v128.load(r, 16), f64x2.mul(al, c11)), 16);
    r += ld;
    v128.store(r, f64x2.add(v128.load(r), f64x2.mul(al, c20)));
    v128.store(r, f64x2.add(v128.load(r, 16), f64x2.mul(al, c21)), 16);
    r += ld;
    v128.store(r, f64x2.add(v128.load(r), f64x2.mul(al, c30)));
    v128.store(r, f64x2.add(v128.load(r, 16), f64x2.mul(al, c31)), 16);
  } else {
    v128.store(TILE, f64x2.mul(al, c00));
    v128.store(TILE, f64x2.mul(al, c01), 16);
    v128.store(TILE, f64x2.mul(al, c10), 32);
    v128.store(TILE, f64x2.mul(al, c11), 48);
    v128.store(TILE, f64x2.mul(al, c20), 64);
    v128.store(TILE, f64x2.mul(al, c21), 80);
    v128.store(TILE, f64x2.mul(al, c30), 96);
    v128.store(TILE, f64x2.mul(al, c31), 112);
    for (let i: i32 = 0; i < rows; i++) {
      const jmin = diag == NO_DIAG || !upper ? 0 : max<i32>(0, i + diag);
      const jmax = diag == NO_DIAG || upper ? cols : imin(cols, i + diag + 1);
      for (let j: i32 = jmin; j < jmax; j++) {
        const q = at(c, i * ldc + j);
        store<f64>(q, load<f64>(q) + load<f64>(at(TILE, i * NR + j)));
      }
    }
  }
}

/**
 * C += alpha A B, A m x k (element (i, p) at a + 8 (i rsa + p csa)), B k x n (element (p, j) at
 * b + 8 (p rsb + j csb)), C row-major with leading dimension ldc. With tri = LOWER (UPPER), only the
 * lower (upper) triangle of C, j <= i (j >= i), is touched. `work` holds blasGemmWorkspace(m, k, n) f64,
 * 16-byte aligned.
 */
export function blasGemmCore(
  m: i32, k: i32, n: i32, a: usize, rsa: i32, csa: i32, b: usize, rsb: i32, csb: i32,
  c: usize, ldc: i32, alpha: f64, tri: i32, work: usize,
): void {
  const lower = tri == LOWER;
  const upper = tri == UPPER;
  if (m <= 0 || n <= 0 || k <= 0) return;
  const kcMax = imin(KC, k);
  const pa = work;
  const pb = at(work, imin(MC, roundUp(m, MR)) * kcMax);
  for (let jc: i32 = 0; jc < n; jc += NC) {
    const nc = imin(NC, n - jc);
    if (lower && jc > m - 1) break;
    for (let pc: i32 = 0; pc < k; pc += KC) {
      const kc = imin(KC, k - pc);
      packB(pb, at(b, pc * rsb + jc * csb), rsb, csb, kc, nc);
      for (let ic: i32 = 0; ic < m; ic += MC) {
        const mc = imin(MC, m - ic);
        if (lower && jc > ic + mc - 1) continue;
        if (upper && jc + nc - 1 < ic) continue;
        packA(pa, at(a, ic * rsa + pc * csa), rsa, csa, mc, kc);
        for (let jr: i32 = 0; jr < nc; jr += NR) {
          const cols = imin(NR, nc - jr);
          const gj = jc + jr;
          const bp = at(pb, jr * kc);
          for (let ir: i32 = 0; ir < mc; ir += MR) {
            const rows = imin(MR, mc - ir);
            const gi = ic + ir;
            let diag = NO_DIAG;
            if (lower) {
              if (gj > gi + rows - 1) continue; // tile entirely above the diagonal
              if (gj + cols - 1 > gi) diag = gi - gj;
            } else if (upper) {
              if (gj + cols - 1 < gi) continue; // tile entirely below the diagonal
              if (gj < gi + rows - 1) diag = gi - gj;
            }
            micro(kc, at(pa, ir * kc), bp, at(c, gi * ldc + gj), ldc, alpha, rows, cols, diag, upper);
          }
        }
      }
    }
  }
}

/** C = A B, all row-major: A m x k, B k x n, C m x n. `work`: blasGemmWorkspace(m, k, n) f64. */
export function blasGemm(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, work: usize): void {
  memory.fill(c, 0, (<usize>m * <usize>n) << 3);
  blasGemmCore(m, k, n, a, k, 1, b, n, 1, c, n, 1.0, FULL, work);
}
