// Blocked Cholesky factorisation, f64, row-major, trailing updates through the lower-triangle mode of the
// shared GEMM (gemm.ts). The facade (src/linalg/blas.ts) allocates every buffer, including the workspace.

import { at } from "../memory";
import { blasGemmCore, blasGemmWorkspace, LOWER } from "./gemm";

const NB: i32 = 64; // block size

// sum_{p < len} x[p] y[p] with two f64x2 accumulators (unaligned loads are fine in Wasm).
function dot(x: usize, y: usize, len: i32): f64 {
  let s0 = f64x2.splat(0.0), s1 = f64x2.splat(0.0);
  let p: i32 = 0;
  for (; p + 3 < len; p += 4) {
    s0 = f64x2.add(s0, f64x2.mul(v128.load(at(x, p)), v128.load(at(y, p))));
    s1 = f64x2.add(s1, f64x2.mul(v128.load(at(x, p), 16), v128.load(at(y, p), 16)));
  }
  if (p + 1 < len) {
    s0 = f64x2.add(s0, f64x2.mul(v128.load(at(x, p)), v128.load(at(y, p))));
    p += 2;
  }
  s0 = f64x2.add(s0, s1);
  let s = f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1);
  if (p < len) s += load<f64>(at(x, p)) * load<f64>(at(y, p));
  return s;
}

/** f64 count of the workspace `blasCholesky` needs for order d. */
export function blasCholeskyWorkspace(d: i32): i32 {
  return d > NB ? blasGemmWorkspace(d - NB, NB, d - NB) : 0;
}

/**
 * In-place Cholesky of the d x d row-major A (lower triangle read): A = L L^T, L written to the lower
 * triangle and the upper triangle zeroed. Right-looking, blocked by NB: factor the diagonal block, solve
 * the panel below it (L21 = A21 L11^-T, row by row with SIMD dot products), then update the trailing
 * matrix A22 -= L21 L21^T with the lower-only GEMM. Returns -1 on success, or the index of the first
 * pivot that is not > 0 (or NaN): A is not positive definite; A is left partly overwritten, with the
 * failed pivot's value at A[j][j].
 * `work`: blasCholeskyWorkspace(d) f64.
 */
export function blasCholesky(a: usize, d: i32, work: usize): i32 {
  for (let k: i32 = 0; k < d; k += NB) {
    const nb = min<i32>(NB, d - k);
    const end = k + nb;
    // Diagonal block (Cholesky-Crout on rows k..end, columns from k).
    for (let j: i32 = k; j < end; j++) {
      const rowJ = at(a, j * d + k);
      const s = load<f64>(at(a, j * d + j)) - dot(rowJ, rowJ, j - k);
      if (!(s > 0)) {
        store<f64>(at(a, j * d + j), s); // the failed pivot, for the error message
        return j;
      }
      const ljj = Math.sqrt(s);
      store<f64>(at(a, j * d + j), ljj);
      for (let i: i32 = j + 1; i < end; i++) {
        const q = at(a, i * d + j);
        store<f64>(q, (load<f64>(q) - dot(at(a, i * d + k), rowJ, j - k)) / ljj);
      }
    }
    // Panel below: row i of L21 solves x L11^T = a_i by forward substitution.
    for (let i: i32 = end; i < d; i++) {
      const rowI = at(a, i * d + k);
      for (let j: i32 = k; j < end; j++) {
        const q = at(a, i * d + j);
        store<f64>(q, (load<f64>(q) - dot(rowI, at(a, j * d + k), j - k)) / load<f64>(at(a, j * d + j)));
      }
    }
    // Trailing update A22 -= L21 L21^T (lower triangle only).
    if (end < d) {
      const l21 = at(a, end * d + k);
      blasGemmCore(d - end, nb, d - end, l21, d, 1, l21, 1, d, at(a, end * d + end), d, -1.0, LOWER, work);
    }
  }
  for (let i: i32 = 0; i < d; i++) memory.fill(at(a, i * d + i + 1), 0, (<usize>(d - i - 1)) << 3);
  return -1;
}
