/**
 * Plain-TypeScript reference of the propagation kernel (assembly/propagate.ts): same plan, same formulas,
 * same order of floating-point operations per mode, no SIMD and no blocking. Used to check the Wasm kernel
 * (to 1e-12 relative) and as a fallback where Wasm is unavailable.
 */
import { PLAN_STRIDE, TABLEAU_STRIDE } from './scheme.js';
import { type PropagateInput, type PropagateOutput } from './propagation.js';

export function propagateReference(input: PropagateInput): PropagateOutput {
  const { values, weights, geom, plan } = input;
  const nModes = values.length;
  const nSchemes = plan.schemes.length;
  const K = plan.points - 1;
  const { e, om } = geom;
  const variances = new Float64Array(nSchemes * 2 * nModes);
  const curve = input.curve ? new Float64Array(nSchemes * 2 * K) : null;
  for (let s = 0; s < nSchemes; s++) {
    const tab = s * TABLEAU_STRIDE;
    const stages = plan.tableau[tab];
    const a10 = plan.tableau[tab + 1];
    const b0 = plan.tableau[tab + 2];
    const b1 = plan.tableau[tab + 3];
    const noiseFree = plan.tableau[tab + 4] !== 0;
    for (let i = 0; i < nModes; i++) {
      const l = values[i];
      let a = e[0] * l + om[0]; // a_0 = l(T - t_0)
      let r0 = 1 / a;
      const a0 = a;
      // Noise-free schemes keep M = prod m^2 in vA (v = M v_0); others the two variances.
      let vA = noiseFree ? 1 : a; // start at p_T
      let vB = 1; // start at N(0, I)
      for (let k = 0; k < K; k++) {
        const a1 = e[k + 1] * l + om[k + 1]; // a_{k+1} = l(T - t_{k+1})
        const r1 = 1 / a1;
        const row = (s * K + k) * PLAN_STRIDE;
        let m: number;
        if (stages === 1) {
          m = plan.coefficients[row] - plan.coefficients[row + 1] * r0; // m = c0 - c1 r_k
        } else {
          const h0 = plan.coefficients[row] - plan.coefficients[row + 1] * r0;
          const h1 = plan.coefficients[row + 2] - plan.coefficients[row + 3] * r1;
          m = 1 + b0 * h0 + b1 * (h1 * (1 + a10 * h0));
        }
        const m2 = m * m;
        const nu = plan.coefficients[row + 4];
        if (noiseFree) {
          vA = m2 * vA; // M <- m^2 M
        } else {
          vA = m2 * vA + nu; // v <- m^2 v + n
          vB = m2 * vB + nu;
        }
        if (curve) {
          const sa = Math.sqrt(a1);
          const dA = Math.sqrt(noiseFree ? vA * a0 : vA) - sa;
          const dB = Math.sqrt(noiseFree ? vA : vB) - sa;
          curve[2 * s * K + k] += weights[i] * (dA * dA);
          curve[(2 * s + 1) * K + k] += weights[i] * (dB * dB);
        }
        a = a1;
        r0 = r1;
      }
      variances[2 * s * nModes + i] = noiseFree ? vA * a0 : vA;
      variances[(2 * s + 1) * nModes + i] = noiseFree ? vA : vB;
    }
  }
  return { variances, curve };
}
