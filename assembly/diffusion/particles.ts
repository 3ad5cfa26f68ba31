// Particle (Monte-Carlo) simulation of the samplers with the exact linear score, in the eigenbasis
// (issue 4: the Monte-Carlo check of the closed forms of docs/math.md §2).
//
// Each distinct eigen-mode l carries a block of `stride` particles (stride a multiple of 4); particle y of the
// mode follows the scheme's step with the exact score -r y, r = 1/a, a_k = e_k l + om_k:
//   y <- m_k y + sqrt(nu_k) z_k,   m_k = (c00 + c10 r_k) + r_{k+1} (c01 + c11 r_k),   z_k ~ N(0, 1)
// with the coefficients [c00, c10, c01, c11, nu] of the scheme's plan row k (src/diffusion/plan.ts, the same table
// assembly/diffusion/propagate.ts reads: the schemes are not written here). In law this is v <- m_k^2 v + nu_k, the
// closed form. The particles of all modes form one flat array (mode-major); the facade (src/diffusion/montecarlo.ts)
// walks it in chunks of `count` particles starting at global index `first`, and fills the noise of each
// chunk and step with the seeded generator (src/random/random.ts, `normalsIn`), so memory stays bounded. Within a
// chunk the particles of one mode share m and sqrt(nu): two particles per v128 (f64x2) lane pair.

import { at } from "../memory";

// Each kernel below walks the chunk in runs of particles of one mode: global particle g = first + j,
// mode = g / stride, local index within the mode = g % stride (stride and count even: runs are lane pairs).

/**
 * Scale the start draws: y <- sqrt(a_0) y for the p_T start (y_0 ~ N(0, a_0), a_0 = e_0 l + om_0), nothing for
 * the N(0, I) start (y_0 ~ N(0, 1)). `y` holds `count` standard normals for particles first..first+count-1.
 */
export function particlesStart(y: usize, count: i32, first: f64, stride: i32, lam: usize, e0: f64, om0: f64, pT: i32): void {
  if (pT == 0) return;
  let j: i32 = 0;
  let mode = <i32>Math.floor(first / <f64>stride);
  let local = <i32>(first - <f64>mode * <f64>stride);
  while (j < count) {
    const run = min<i32>(stride - local, count - j);
    const s = f64x2.splat(sqrt<f64>(e0 * load<f64>(at(lam, mode)) + om0));
    for (let p: i32 = j; p < j + run; p += 2) v128.store(at(y, p), f64x2.mul(s, v128.load(at(y, p))));
    j += run;
    local = 0;
    mode++;
  }
}

/**
 * One step k of a scheme for a chunk of particles: y <- m_k y + sqrt(nu_k) z (z: `count` standard normals,
 * ignored when nu_k = 0). `row` points at the plan row [c00, c10, c01, c11, nu] of the step; r_{k+1} is only
 * evaluated when the row uses it (a one-node scheme must not see 0 * Inf at a singular last point).
 */
export function particlesStep(
  y: usize, z: usize, count: i32, first: f64, stride: i32, lam: usize,
  ek: f64, omk: f64, ek1: f64, omk1: f64, row: usize,
): void {
  const c00 = load<f64>(row);
  const c10 = load<f64>(row, 8);
  const c01 = load<f64>(row, 16);
  const c11 = load<f64>(row, 24);
  const nu = load<f64>(row, 32);
  const twoNode = c01 != 0 || c11 != 0;
  const noisy = nu != 0;
  const sn = f64x2.splat(sqrt<f64>(nu));
  let j: i32 = 0;
  let mode = <i32>Math.floor(first / <f64>stride);
  let local = <i32>(first - <f64>mode * <f64>stride);
  while (j < count) {
    const run = min<i32>(stride - local, count - j);
    const l = load<f64>(at(lam, mode));
    const r0 = 1.0 / (ek * l + omk); // r_k = 1 / a_k (docs/math.md §2, forward variance)
    let m = c00 + c10 * r0; // m = (c00 + c10 r_k) + r_{k+1} (c01 + c11 r_k) (src/diffusion/plan.ts)
    if (twoNode) m += (1.0 / (ek1 * l + omk1)) * (c01 + c11 * r0);
    const mv = f64x2.splat(m);
    if (noisy) {
      for (let p: i32 = j; p < j + run; p += 2) {
        v128.store(at(y, p), f64x2.add(f64x2.mul(mv, v128.load(at(y, p))), f64x2.mul(sn, v128.load(at(z, p)))));
      }
    } else {
      for (let p: i32 = j; p < j + run; p += 2) v128.store(at(y, p), f64x2.mul(mv, v128.load(at(y, p))));
    }
    j += run;
    local = 0;
    mode++;
  }
}

/**
 * Accumulate, per mode, sum y^2 into s2[mode] and sum y^4 into s4[mode] over the particles of the chunk whose
 * local index is below `used` (the stride's padding particles are simulated but not counted).
 */
export function particlesMoments(y: usize, count: i32, first: f64, stride: i32, used: i32, s2: usize, s4: usize): void {
  let j: i32 = 0;
  let mode = <i32>Math.floor(first / <f64>stride);
  let local = <i32>(first - <f64>mode * <f64>stride);
  while (j < count) {
    const run = min<i32>(stride - local, count - j);
    const stop = min<i32>(run, used - local); // particles with local index < used
    let a2 = f64x2.splat(0);
    let a4 = f64x2.splat(0);
    let p: i32 = j;
    const end2 = j + (stop > 0 ? stop & ~1 : 0);
    for (; p < end2; p += 2) {
      const v = v128.load(at(y, p));
      const v2 = f64x2.mul(v, v);
      a2 = f64x2.add(a2, v2);
      a4 = f64x2.add(a4, f64x2.mul(v2, v2));
    }
    let t2 = f64x2.extract_lane(a2, 0) + f64x2.extract_lane(a2, 1);
    let t4 = f64x2.extract_lane(a4, 0) + f64x2.extract_lane(a4, 1);
    if (stop > 0 && (stop & 1) != 0) {
      const v = load<f64>(at(y, p));
      t2 += v * v;
      t4 += v * v * v * v;
    }
    store<f64>(at(s2, mode), load<f64>(at(s2, mode)) + t2);
    store<f64>(at(s4, mode), load<f64>(at(s4, mode)) + t4);
    j += run;
    local = 0;
    mode++;
  }
}
