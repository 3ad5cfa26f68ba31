// The plane (Givens/Jacobi) rotation of two contiguous f64 vectors, shared by the eigensolver
// (assembly/linalg/eigh/: QL and the divide-and-conquer deflation) and the one-sided Jacobi SVD
// (assembly/linalg/svd.ts).

import { at } from "../memory";

/** Plane rotation of two contiguous vectors of length n: x <- c x + s y, y <- c y - s x. */
// @ts-ignore: decorator
@inline export function rotate(x: usize, y: usize, n: i32, c: f64, s: f64): void {
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
