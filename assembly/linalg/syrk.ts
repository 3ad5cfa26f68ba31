// Covariance kernels, f64, row-major: centring (blasCenter) and C = alpha X^T X (blasSyrk) through the
// lower-triangle mode of the shared GEMM (gemm.ts). The facade (src/linalg/blas.ts) allocates every buffer.

import { at } from "../memory";
import { blasGemmCore, LOWER } from "./gemm";

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
