/**
 * Constants the TypeScript facade shares with the AssemblyScript kernels, stated once: this file is compiled
 * by both (tsc as part of src/; asc through `import ... from "../../src/wasm/constants"` in assembly/). It
 * holds only what is valid in both languages: numeric constants (i32 in AssemblyScript) and plain
 * arithmetic on `number` (f64 in AssemblyScript). The facade checks the loaded module's PLAN_LAYOUT against
 * this file's (src/wasm/kernel.ts), so a stale build/gaussdiff.wasm is refused.
 */

/** Version of the plan's meaning and of the kernel's propagation (row layout, formulas, state: assembly/diffusion/propagate.ts); bump when they change (6: noisy schemes keep the noise part N, not v_pT; 7: kernelPairSums takes a row range and returns column parts; 8: propagate takes a curve stride `every`; 9: statespaceRun carries the coefficients of deterministic tapes). */
export const PLAN_LAYOUT = 9;
/** f64 per (scheme, step) row of a plan: c00, c10, c01, c11, nu. */
export const PLAN_STRIDE = 5;
/** f64 per scheme in the flags table: two-node (1/0), noise-free (1/0). */
export const TABLEAU_STRIDE = 2;

/** Modes per block of the W2 sums (assembly/diffusion/w2.ts; src/core/sums.ts blockedSum sums the same way). */
export const SUM_BLOCK = 256;

/** Modes per block of the propagation kernel (assembly/diffusion/propagate.ts; even). */
export const PROPAGATE_BLOCK = 256;

/**
 * f64 count of the scratch the propagation kernel allocates for nSchemes schemes: five blocks of
 * reciprocals r_k .. r_{k+4}, one of per-mode factors, one of a_0, and two state blocks per scheme.
 */
export function propagateScratchLength(nSchemes: number): number {
  return (7 + 2 * nSchemes) * PROPAGATE_BLOCK;
}

// The state-space engine's tape (src/diffusion/statespace/tape.ts; interpreted by
// assembly/diffusion/statespace.ts): operation codes, and modes per block of the Wasm interpreter.
export const OP_LIN = 1;
export const OP_PREC = 2;
export const OP_NOISE = 3;
export const OP_MARK = 4;
export const STATESPACE_BLOCK = 256;
/** f64 per factor slot of a tape: (a, b, p, q), factor = (a lhat + b) / (p lhat + q). */
export const SLOT_STRIDE = 4;

/**
 * f64 count of the state-space kernel's scratch for R registers and nSlots factor slots: per block, the
 * factors (nSlots blocks), the upper triangle of K (R (R + 1) / 2 blocks), R blocks of LIN temporaries,
 * one f64 per block pointer (a table of R (R + 1) / 2 + R addresses), and one per slot (its use count).
 */
export function statespaceScratchLength(registers: number, nSlots: number): number {
  const blocks = nSlots + (registers * (registers + 1)) / 2 + registers;
  return blocks * STATESPACE_BLOCK + (registers * (registers + 1)) / 2 + registers + nSlots;
}

/**
 * Values per block of the random streams (assembly/random/random.ts: four SFC64 lanes x 256 steps; value i
 * is position i mod RANDOM_BLOCK of block i / RANDOM_BLOCK). The facade fills in chunks of whole blocks.
 */
export const RANDOM_BLOCK = 1024;

/**
 * f64 count of the plan of a length-n transform (assembly/fft/fft.ts lays it out). Power of two: 2n
 * (twiddles); otherwise, with m the least power of two >= 2n - 1 (Bluestein): 6m + 2 (n rounded up to even).
 */
export function fftPlanLength(n: number): number {
  let m: number = 1;
  while (m < n) m *= 2;
  if (m == n || n == 0) return 2 * n;
  while (m < 2 * n - 1) m *= 2;
  return 6 * m + 2 * (n + (n % 2));
}

/** Columns per pass of the column transforms (assembly/fft/fft.ts, fftCols). */
export const FFT_COL_BLOCK = 8;

/** f64 count of the work of the column transforms of columns of length `rows`. */
export function fftColWorkLength(rows: number): number {
  return 2 * FFT_COL_BLOCK * rows;
}

// GEMM blocking (assembly/linalg/gemm.ts): KC-deep slices, MC-high blocks of A, NC-wide panels of B
// (MC a multiple of the register tile's 4 rows, NC of its 4 columns).
export const GEMM_KC = 256;
export const GEMM_MC = 64;
export const GEMM_NC = 512;
/** The largest packing workspace the GEMM can need, whatever the sizes (f64 count). */
export const BLAS_GEMM_MAX_WORKSPACE = GEMM_MC * GEMM_KC + GEMM_KC * GEMM_NC;

// Eigensolver blocking (assembly/linalg/eigh/).
/** Tridiagonalisation panel width. */
export const EIGH_NB = 32;
/** Reflectors per block of the back-transformation. */
export const EIGH_NBB = 64;

/**
 * f64 count of the work block of the singular values by bidiagonalisation (assembly/linalg/bidiag.ts) of an
 * m x n matrix, m >= n: d, e, the panel's X (m x NB) and Y (n x NB), three n-vectors, two NB-vectors, the
 * Golub-Kahan tridiagonal (4 n) and its sort index (n), the GEMM packing workspace, and 64 for rounding each
 * block up to an even count and the panel record.
 */
export function svdWorkLength(m: number, n: number): number {
  return (m + n) * EIGH_NB + 10 * n + 2 * EIGH_NB + 1 + BLAS_GEMM_MAX_WORKSPACE + 64;
}

/**
 * f64 count of the eigensolver's work block for order n (assembly/linalg/eigh/index.ts lays it out):
 * with vectors, three n x n blocks; per n, d, e, tau (3), the panel [V | W | V] (3 NB), the back-
 * transformation's V, Y and W (3 NBB) and the divide-and-conquer vectors (13); fixed, the GEMM packing
 * workspace, T and G (2 NBB^2), scratch (2 NBB) and 2 NBB + 64 for rounding each block up to an even count
 * and the divide-and-conquer record.
 */
export function eighWorkLength(n: number, vectors: boolean): number {
  const fixed = BLAS_GEMM_MAX_WORKSPACE + 2 * EIGH_NBB * EIGH_NBB + 4 * EIGH_NBB + 64;
  const perN = 3 * EIGH_NB + 3 * EIGH_NBB + 16;
  return (vectors ? 3 * n * n : 0) + perN * n + fixed;
}
