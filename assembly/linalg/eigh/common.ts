// Helpers shared by the eigensolver's stages (assembly/linalg/eigh/): addressing of column-major
// matrices, level-1 vector kernels (f64x2 over contiguous vectors, any 8-byte alignment), exact scaling by
// powers of two, an index sort, and GEMM through the shared kernel (assembly/linalg/gemm.ts).

import { at, ati } from "../../memory";
import { blasGemmCore, FULL, UPPER } from "../gemm";

export const EPS: f64 = 1.1102230246251565e-16; // 2^-53, unit roundoff
export const SAFMIN: f64 = 2.2250738585072014e-308; // smallest normal

// M(i, j) of a column-major matrix with leading dimension ld.
// @ts-ignore: decorator
@inline export function el(base: usize, i: i32, j: i32, ld: i32): usize {
  return base + ((<usize>i + <usize>j * <usize>ld) << 3);
}

// @ts-ignore: decorator
@inline export function hsum(x: v128): f64 {
  return f64x2.extract_lane(x, 0) + f64x2.extract_lane(x, 1);
}

// sqrt(x^2 + y^2) without overflow or destructive underflow (dlapy2).
export function hypot2(x: f64, y: f64): f64 {
  const ax = abs<f64>(x);
  const ay = abs<f64>(y);
  const w = max<f64>(ax, ay);
  const z = min<f64>(ax, ay);
  if (z == 0 || w > 1.7976931348623157e308) return w;
  const r = z / w;
  return w * sqrt<f64>(1 + r * r);
}

// 2^k for -1022 <= k <= 1023, exact.
export function pow2(k: i32): f64 {
  return reinterpret<f64>((<u64>(k + 1023)) << 52);
}

// y += alpha x
export function axpy(n: i32, alpha: f64, x: usize, y: usize): void {
  const a = f64x2.splat(alpha);
  let i: i32 = 0;
  for (; i + 1 < n; i += 2) v128.store(at(y, i), f64x2.add(v128.load(at(y, i)), f64x2.mul(a, v128.load(at(x, i)))));
  if (i < n) store<f64>(at(y, i), load<f64>(at(y, i)) + alpha * load<f64>(at(x, i)));
}

// x . y
export function dot(n: i32, x: usize, y: usize): f64 {
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
export function scal(n: i32, alpha: f64, x: usize): void {
  const a = f64x2.splat(alpha);
  let i: i32 = 0;
  for (; i + 1 < n; i += 2) v128.store(at(x, i), f64x2.mul(a, v128.load(at(x, i))));
  if (i < n) store<f64>(at(x, i), alpha * load<f64>(at(x, i)));
}

// max |x_i|
export function amax(n: i32, x: usize): f64 {
  let m = f64x2.splat(0);
  let i: i32 = 0;
  for (; i + 1 < n; i += 2) m = f64x2.max(m, f64x2.abs(v128.load(at(x, i))));
  let s = max<f64>(f64x2.extract_lane(m, 0), f64x2.extract_lane(m, 1));
  if (i < n) s = max<f64>(s, abs<f64>(load<f64>(at(x, i))));
  return s;
}

// ||x||_2, scaled when the plain sum of squares could under- or overflow.
export function nrm2(n: i32, x: usize): f64 {
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

// C op= A B through the shared GEMM kernel (assembly/linalg/gemm.ts). C row-major (C(i, j) at C + 8 (i ldc
// + j)), A(i, p) at A + 8 (i rsa + p csa), B(p, j) at B + 8 (p rsb + j csb): strides make transposes free.
// op = 0 sets C, +1 adds, -1 subtracts (alpha -1 is exact); `upper` updates only j >= i. gw is the packing
// workspace (BLAS_GEMM_MAX_WORKSPACE f64).
export function gemm(
  m: i32, n: i32, k: i32, a: usize, rsa: i32, csa: i32, b: usize, rsb: i32, csb: i32,
  c: usize, ldc: i32, op: i32, upper: bool, gw: usize,
): void {
  if (m <= 0 || n <= 0) return;
  if (op == 0) for (let i: i32 = 0; i < m; i++) memory.fill(at(c, i * ldc), 0, (<usize>n) << 3);
  if (k <= 0) return;
  blasGemmCore(m, k, n, a, rsa, csa, b, rsb, csb, c, ldc, op < 0 ? -1.0 : 1.0, upper ? UPPER : FULL, gw);
}

// floor(log2 x) for finite x > 0 (subnormals included).
export function exponentOf(x: f64): i32 {
  const be = <i32>((reinterpret<u64>(x) >> 52) & 0x7ff);
  if (be != 0) return be - 1023;
  return <i32>((reinterpret<u64>(x * pow2(600)) >> 52) & 0x7ff) - 1023 - 600;
}

// x *= 2^k for a vector, k in [-1074, 1074 + 1023], in two exact steps (2^k alone may not be an f64).
export function scalePow2(n: i32, x: usize, k: i32): void {
  const k1 = k >> 1;
  const s1 = f64x2.splat(pow2(k1));
  const s2 = f64x2.splat(pow2(k - k1));
  let i: i32 = 0;
  for (; i + 1 < n; i += 2) v128.store(at(x, i), f64x2.mul(f64x2.mul(v128.load(at(x, i)), s1), s2));
  if (i < n) store<f64>(at(x, i), load<f64>(at(x, i)) * pow2(k1) * pow2(k - k1));
}

// Sort idx[0..n) (i32) by key[idx] ascending (heapsort).
export function sortIndex(n: i32, key: usize, idx: usize): void {
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
