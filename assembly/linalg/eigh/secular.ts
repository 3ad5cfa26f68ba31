// The secular equation of a rank-one update of a diagonal matrix (dlaed4), for the divide-and-conquer
// merges (divide.ts).

import { at } from "../../memory";
import { EPS, hsum } from "./common";

const MAXIT_SECULAR: i32 = 200; // iterations per root (bisection-safeguarded)

// Root j (0-based) of the secular equation f(x) = 1/rho + sum_i z_i^2 / (dl_i - x) = 0 (dl ascending,
// distinct, z_i != 0): dl_j < x < dl_{j+1}, or dl_{k-1} < x <= dl_{k-1} + rho |z|^2 for the last. Writes
// delta_i = dl_i - x, computed from the pole nearest the root (origin o: x = dl_o + tau, delta_i =
// (dl_i - dl_o) - tau), which keeps them accurate however close x is to a pole (dlaed4). Iteration: the
// "middle way" rational model of f with the two neighbouring poles (Li), safeguarded by bisection on a
// bracket that shrinks with the sign of f; stops when |f| is within its rounding error bound.
export function secular(k: i32, j: i32, dl: usize, z: usize, rho: f64, delta: usize): f64 {
  if (k == 1) {
    const z0 = load<f64>(z);
    store<f64>(delta, -rho * z0 * z0);
    return load<f64>(dl) + rho * z0 * z0; // 1 x 1: lambda = d + rho z^2
  }
  const rhoinv = 1 / rho;
  let org: i32;
  let lo: f64;
  let hi: f64;
  let tau: f64;
  const last = j == k - 1;
  const split = last ? k - 2 : j; // psi: poles 0..split, phi: poles split+1..k-1
  if (!last) {
    const dj = load<f64>(at(dl, j));
    const mid = 0.5 * (load<f64>(at(dl, j + 1)) - dj);
    let f = rhoinv; // f at the midpoint of (dl_j, dl_{j+1})
    for (let i: i32 = 0; i < k; i++) {
      const zi = load<f64>(at(z, i));
      f += zi * zi / ((load<f64>(at(dl, i)) - dj) - mid);
    }
    if (f >= 0) { org = j; lo = 0; hi = mid; tau = mid; } // root in (dl_j, mid]: origin dl_j
    else { org = j + 1; lo = -mid; hi = 0; tau = -mid; } // root in (mid, dl_{j+1}): origin dl_{j+1}
  } else {
    org = k - 1;
    let zz: f64 = 0;
    for (let i: i32 = 0; i < k; i++) zz += load<f64>(at(z, i)) * load<f64>(at(z, i));
    lo = 0;
    hi = rho * zz; // lambda_k <= dl_{k-1} + rho |z|^2
    tau = hi;
  }
  const dorg = load<f64>(at(dl, org));
  for (let i: i32 = 0; i < k; i++) store<f64>(at(delta, i), load<f64>(at(dl, i)) - dorg);
  const tv0 = f64x2.splat(0);
  for (let it: i32 = 0; it < MAXIT_SECULAR; it++) {
    const tv = f64x2.splat(tau);
    // psi = sum_{i <= split} z_i^2 / delta_i, dpsi = sum z_i^2 / delta_i^2; phi, dphi over the rest
    let ps = tv0;
    let dps = tv0;
    let i: i32 = 0;
    for (; i + 1 <= split; i += 2) {
      const t = f64x2.div(v128.load(at(z, i)), f64x2.sub(v128.load(at(delta, i)), tv));
      ps = f64x2.add(ps, f64x2.mul(v128.load(at(z, i)), t));
      dps = f64x2.add(dps, f64x2.mul(t, t));
    }
    let psi = hsum(ps);
    let dpsi = hsum(dps);
    for (; i <= split; i++) {
      const t = load<f64>(at(z, i)) / (load<f64>(at(delta, i)) - tau);
      psi += load<f64>(at(z, i)) * t;
      dpsi += t * t;
    }
    let ph = tv0;
    let dph = tv0;
    for (; i + 1 < k; i += 2) {
      const t = f64x2.div(v128.load(at(z, i)), f64x2.sub(v128.load(at(delta, i)), tv));
      ph = f64x2.add(ph, f64x2.mul(v128.load(at(z, i)), t));
      dph = f64x2.add(dph, f64x2.mul(t, t));
    }
    let phi = hsum(ph);
    let dphi = hsum(dph);
    for (; i < k; i++) {
      const t = load<f64>(at(z, i)) / (load<f64>(at(delta, i)) - tau);
      phi += load<f64>(at(z, i)) * t;
      dphi += t * t;
    }
    const f = rhoinv + psi + phi;
    const dw = dpsi + dphi;
    // rounding error bound of f (dlaed4's erretm)
    const erretm = 9 * (abs<f64>(psi) + abs<f64>(phi)) + 2 * rhoinv + 3 * abs<f64>(tau) * dw;
    if (abs<f64>(f) <= EPS * erretm) break;
    if (f < 0) lo = max<f64>(lo, tau); // f increases with x
    else hi = min<f64>(hi, tau);
    const d1 = load<f64>(at(delta, split)) - tau;
    const d2 = load<f64>(at(delta, split + 1)) - tau;
    // model: c + s/(d1 - eta) + S/(d2 - eta) = 0 matching psi, phi and their slopes:
    //   c eta^2 - a eta + b = 0, a = (d1 + d2) f - d1 d2 f', b = d1 d2 f
    const a = (d1 + d2) * f - d1 * d2 * dw;
    const b = d1 * d2 * f;
    let c = f - d1 * dpsi - d2 * dphi;
    let eta: f64;
    if (!last) {
      if (c == 0) eta = a != 0 ? b / a : -f / dw;
      else if (a <= 0) eta = (a - sqrt<f64>(abs<f64>(a * a - 4 * b * c))) / (2 * c);
      else eta = 2 * b / (a + sqrt<f64>(abs<f64>(a * a - 4 * b * c)));
    } else {
      c = abs<f64>(c);
      if (c == 0) eta = hi - tau;
      else if (a >= 0) eta = (a + sqrt<f64>(abs<f64>(a * a - 4 * b * c))) / (2 * c);
      else eta = 2 * b / (a - sqrt<f64>(abs<f64>(a * a - 4 * b * c)));
    }
    if (f * eta >= 0) eta = -f / dw; // the model stepped the wrong way: Newton
    let tn = tau + eta;
    if (!(tn > lo && tn < hi)) tn = 0.5 * (lo + hi); // outside the bracket (or NaN): bisect
    if (tn == tau) break;
    tau = tn;
    if (hi - lo <= 4 * EPS * max<f64>(abs<f64>(lo), abs<f64>(hi))) break;
  }
  for (let i: i32 = 0; i < k; i++) store<f64>(at(delta, i), load<f64>(at(delta, i)) - tau);
  return dorg + tau;
}
