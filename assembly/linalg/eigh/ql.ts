// Implicit QL with Wilkinson shifts (tql2 / dsteqr). d: n diagonal; e: n entries, e[i] couples i and i+1,
// e[n-1] = 0 (destroyed). With z != 0, the rotations are applied to the columns of z (n rows, ld ldz).
// e_m is negligible when |e_m| <= eps (|d_m| + |d_{m+1}|) or |e_m| <= eps ||T|| (the absolute floor: a
// sweep leaves rounding noise of order eps ||T|| everywhere, so eigenvalues far below ||T||, e.g. a
// cluster at 0, could never meet the relative test alone; dropping e_m perturbs T by |e_m| in norm).
// Returns 0, or 1 when an eigenvalue needed more than MAXIT_QL sweeps. Used alone for eigenvalues only
// (O(n^2), no vectors) and, with vectors, on the divide-and-conquer leaves (divide.ts).

import { at } from "../../memory";
import { el, EPS, hypot2 } from "./common";
import { rotate } from "../rotate";

const MAXIT_QL: i32 = 60; // QL sweeps per eigenvalue before giving up

export function tql(n: i32, d: usize, e: usize, z: usize, ldz: i32): i32 {
  let tnorm: f64 = 0;
  for (let i: i32 = 0; i < n; i++) tnorm = max<f64>(tnorm, abs<f64>(load<f64>(at(d, i))) + abs<f64>(load<f64>(at(e, i))));
  const floor = EPS * tnorm;
  for (let l: i32 = 0; l < n; l++) {
    let iter: i32 = 0;
    while (true) {
      let m: i32 = l;
      for (; m < n - 1; m++) {
        const dd = abs<f64>(load<f64>(at(d, m))) + abs<f64>(load<f64>(at(d, m + 1)));
        const em = abs<f64>(load<f64>(at(e, m)));
        if (em <= EPS * dd || em <= floor) break;
      }
      if (m == l) break;
      if (iter++ == MAXIT_QL) return 1;
      // Wilkinson shift from the leading 2 x 2 of the unreduced block l..m
      const dl = load<f64>(at(d, l));
      const el0 = load<f64>(at(e, l));
      let g = (load<f64>(at(d, l + 1)) - dl) / (2 * el0);
      let r = hypot2(g, 1);
      g = load<f64>(at(d, m)) - dl + el0 / (g + copysign<f64>(r, g));
      let s: f64 = 1;
      let c: f64 = 1;
      let p: f64 = 0;
      let i: i32 = m - 1;
      let underflow = false;
      for (; i >= l; i--) {
        const ei = load<f64>(at(e, i));
        const f = s * ei;
        const b = c * ei;
        r = hypot2(f, g);
        store<f64>(at(e, i + 1), r);
        if (r == 0) {
          // recover from underflow
          store<f64>(at(d, i + 1), load<f64>(at(d, i + 1)) - p);
          store<f64>(at(e, m), 0);
          underflow = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = load<f64>(at(d, i + 1)) - p;
        r = (load<f64>(at(d, i)) - g) * s + 2 * c * b;
        p = s * r;
        store<f64>(at(d, i + 1), g + p);
        g = c * r - b;
        if (z != 0) {
          // columns i, i+1: z_i <- c z_i - s z_{i+1}, z_{i+1} <- c z_{i+1} + s z_i (the rotation below with -s)
          rotate(el(z, 0, i, ldz), el(z, 0, i + 1, ldz), n, c, -s);
        }
      }
      if (underflow) continue;
      store<f64>(at(d, l), load<f64>(at(d, l)) - p);
      store<f64>(at(e, l), g);
      store<f64>(at(e, m), 0);
    }
  }
  return 0;
}
