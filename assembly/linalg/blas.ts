// Dense kernels: GEMM, SYRK (covariance) and Cholesky, f64, row-major, v128 SIMD (f64x2).
//
// GEMM follows the GotoBLAS/BLIS layering. C (m x n) += alpha A (m x k) B (k x n), where A and B are read
// through arbitrary (row, column) strides, so transposes cost nothing (SYRK reads X^T X from one array):
//   for each NC-wide column panel of B and KC-deep slice of k:
//     pack B[KC x NC] into NR-wide micro-panels (row p of a micro-panel: NR contiguous values);
//     for each MC-high block of A: pack A[MC x KC] into MR-high micro-panels (column p: MR values);
//       for each NR micro-panel of B (stays in L1), each MR micro-panel of A (streams from L2):
//         the MR x NR register tile: kc rank-1 updates, MR * NR / 2 f64x2 accumulators.
// Packing zero-pads partial micro-panels, so the inner loop has no edge cases; edge tiles are written
// through a small buffer. With `tri` = LOWER only tiles meeting the lower triangle (j <= i) are computed,
// and diagonal tiles write only their lower part (SYRK, the Cholesky trailing update); with UPPER the same
// for j >= i (the eigensolver's symmetric rank-2k update, assembly/linalg/eigh.ts).
//
// Blocking (tuned on a 48 KiB L1 / 2 MiB L2 core): KC * NR * 8 = 8 KiB of B in L1, MC * KC * 8 = 128 KiB of A
// and KC * NC * 8 = 1 MiB of B in L2. It runs at about 19 GFLOP/s on one 2.6 GHz core, close to the
// 128-bit peak: Wasm without relaxed SIMD has no fused multiply-add, so each rank-1 term is an f64x2 mul
// then an add (at most two of each per cycle: 8 flops per cycle).
//
// The facade (src/linalg/blas.ts) allocates every buffer, including the packing workspace whose size
// `blasGemmWorkspace` gives in f64 (16-byte aligned blocks from `alloc`); nothing here allocates.

const MR: i32 = 4; // register tile rows
const NR: i32 = 4; // register tile columns (two f64x2)
const KC: i32 = 256;
const MC: i32 = 64; // multiple of MR
const NC: i32 = 512; // multiple of NR
const NB: i32 = 64; // Cholesky block size

const TILE: usize = memory.data(MR * NR * 8, 16);

// @ts-ignore: decorator
@inline function at(base: usize, index: i32): usize {
  return base + ((<usize>index) << 3);
}

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

/** The largest packing workspace `blasGemmCore` can need, whatever the sizes (f64 count). */
export const BLAS_GEMM_MAX_WORKSPACE: i32 = MC * KC + KC * NC;

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

/** Copy the lower triangle of the d x d row-major C into its upper triangle. */
function mirrorLower(c: usize, d: i32): void {
  for (let i: i32 = 0; i < d; i++) {
    for (let j: i32 = 0; j < i; j++) store<f64>(at(c, j * d + i), load<f64>(at(c, i * d + j)));
  }
}

/**
 * C = alpha X^T X for X n x d row-major (C d x d): only the lower triangle is computed, then mirrored.
 * `work`: blasGemmWorkspace(d, n, d) f64.
 */
export function blasSyrk(x: usize, n: i32, d: i32, c: usize, alpha: f64, work: usize): void {
  memory.fill(c, 0, (<usize>d * <usize>d) << 3);
  blasGemmCore(d, n, d, x, 1, d, x, d, 1, c, d, alpha, LOWER, work);
  mirrorLower(c, d);
}

/**
 * Column means of X (n x d, row-major) into `mean`, then X -= mean in place. Two passes for the mean (the
 * second adds the mean of the residuals, so a large common offset costs no accuracy); rows are read in
 * order. `tmp` holds d f64.
 */
export function blasCenter(x: usize, n: i32, d: i32, mean: usize, tmp: usize): void {
  const inv = f64x2.splat(1.0 / <f64>n);
  memory.fill(mean, 0, (<usize>d) << 3);
  for (let pass: i32 = 0; pass < 2; pass++) {
    memory.fill(tmp, 0, (<usize>d) << 3);
    for (let r: i32 = 0; r < n; r++) {
      const row = at(x, r * d);
      let j: i32 = 0;
      for (; j + 1 < d; j += 2) {
        v128.store(at(tmp, j), f64x2.add(v128.load(at(tmp, j)), f64x2.sub(v128.load(at(row, j)), v128.load(at(mean, j)))));
      }
      if (j < d) store<f64>(at(tmp, j), load<f64>(at(tmp, j)) + (load<f64>(at(row, j)) - load<f64>(at(mean, j))));
    }
    let j: i32 = 0;
    for (; j + 1 < d; j += 2) v128.store(at(mean, j), f64x2.add(v128.load(at(mean, j)), f64x2.mul(v128.load(at(tmp, j)), inv)));
    if (j < d) store<f64>(at(mean, j), load<f64>(at(mean, j)) + load<f64>(at(tmp, j)) / <f64>n);
  }
  for (let r: i32 = 0; r < n; r++) {
    const row = at(x, r * d);
    let j: i32 = 0;
    for (; j + 1 < d; j += 2) v128.store(at(row, j), f64x2.sub(v128.load(at(row, j)), v128.load(at(mean, j))));
    if (j < d) store<f64>(at(row, j), load<f64>(at(row, j)) - load<f64>(at(mean, j)));
  }
}

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
    const nb = imin(NB, d - k);
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
