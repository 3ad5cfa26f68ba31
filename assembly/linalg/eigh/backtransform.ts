// Back-transformation Z <- Q Z, Z row-major n x n (ld n), Q = H_0 ... H_{n-2} from sytrd; blocks of NBB
// reflectors, last block first, each as P = I - V T V^T (dlarft forward, columnwise; dlarfb):
//   Z <- P Z = Z - V W,  W = T V^T Z = Y^T Z with Y = V T^T,
// so the block costs two GEMMs with Z plus small ones (the Gram matrix V^T V for T, and Y).
// vw, yw: n x NBB; wb: NBB x n; t, g: NBB x NBB; tmp: NBB; gw: GEMM packing workspace.

import { at } from "../../memory";
import { EIGH_NBB as NBB } from "../../../src/wasm/constants";
import { el, gemm } from "./common";

export function backTransform(
  n: i32, a: usize, tau: usize, z: usize, vw: usize, yw: usize, wb: usize, t: usize, g: usize, tmp: usize, gw: usize,
): void {
  const nrefl = n - 1;
  if (nrefl <= 0) return;
  for (let b0: i32 = ((nrefl - 1) / NBB) * NBB; b0 >= 0; b0 -= NBB) {
    const nb = min<i32>(NBB, nrefl - b0);
    const m = n - b0 - 1; // rows b0+1 .. n-1
    // V (ld m): V(r, l) = 0 above the unit diagonal, 1 on it, A(b0+1+r, b0+l) below
    for (let l: i32 = 0; l < nb; l++) {
      const col = el(vw, 0, l, m);
      memory.fill(col, 0, (<usize>l) << 3);
      store<f64>(at(col, l), 1);
      memory.copy(at(col, l + 1), el(a, b0 + l + 2, b0 + l, n), (<usize>(m - l - 1)) << 3);
    }
    // G = V^T V (row-major, ld NBB)
    gemm(nb, nb, m, vw, m, 1, vw, 1, m, g, NBB, 0, false, gw);
    // T (ld NBB): T(l, l) = tau_l, T(0:l, l) = -tau_l T(0:l, 0:l) G(0:l, l)
    for (let l: i32 = 0; l < nb; l++) {
      const tl = load<f64>(at(tau, b0 + l));
      for (let p: i32 = 0; p < l; p++) store<f64>(at(tmp, p), -tl * load<f64>(at(g, p * NBB + l)));
      for (let p: i32 = 0; p < l; p++) {
        let s: f64 = 0;
        for (let r: i32 = p; r < l; r++) s += load<f64>(el(t, p, r, NBB)) * load<f64>(at(tmp, r));
        store<f64>(el(t, p, l, NBB), s);
      }
      for (let p: i32 = l + 1; p < nb; p++) store<f64>(el(t, p, l, NBB), 0);
      store<f64>(el(t, l, l, NBB), tl);
    }
    // Y = V T^T (ld m): row-major view Y^T(l, r) = sum_p T(l, p) V(r, p)
    gemm(nb, m, nb, t, 1, NBB, vw, m, 1, yw, m, 0, false, gw);
    const zb = at(z, (b0 + 1) * n);
    // W = Y^T Z (nb x n, row-major)
    gemm(nb, n, m, yw, m, 1, zb, n, 1, wb, n, 0, false, gw);
    // Z -= V W
    gemm(m, n, nb, vw, 1, m, wb, n, 1, zb, n, -1, false, gw);
  }
}
