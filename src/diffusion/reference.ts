/**
 * Plain-TypeScript reference of the propagation kernel (assembly/diffusion/propagate.ts): same plan, same formulas,
 * same states, same order of floating-point operations per mode; no SIMD, no blocking, one step at a time.
 * Used to check the Wasm kernel (to 1e-12 relative) and as a fallback where Wasm is unavailable.
 *
 * States per mode (the output v = M v_0 + N is affine in the start v_0, see assembly/diffusion/propagate.ts):
 *   noise-free scheme: P = prod m;                            v_pT = P^2 a_0, v_normal = P^2
 *   noisy scheme:      N <- m^2 N + n (N_0 = 0), M = prod m^2;   v_pT = N + M a_0, v_normal = N + M
 * (sums of non-negative terms: no cancellation, whatever the eigenvalue). The curve, when asked for, is taken
 * after the steps k with (k + 1) % every == 0 and after the last, as by the kernel.
 */
import { PLAN_STRIDE, TABLEAU_STRIDE } from './plan.js';
import { type PropagateInput, type PropagateOutput, curvePoints } from './propagation.js';

export function propagateReference(input: PropagateInput): PropagateOutput {
  const { values, weights, geom, plan } = input;
  const nModes = values.length;
  const nSchemes = plan.schemes.length;
  const K = plan.points - 1;
  const { e, om } = geom;
  const variances = new Float64Array(nSchemes * 2 * nModes);
  const every = input.every ?? 1;
  const nOut = curvePoints(K, every);
  const curve = input.curve ? new Float64Array(nSchemes * 2 * nOut) : null;
  for (let s = 0; s < nSchemes; s++) {
    const twoNode = plan.tableau[s * TABLEAU_STRIDE] !== 0;
    const noiseFree = plan.tableau[s * TABLEAU_STRIDE + 1] !== 0;
    const c = plan.coefficients;
    for (let i = 0; i < nModes; i++) {
      const l = values[i];
      let a = e[0] * l + om[0]; // a_0 = l(T - t_0)
      let r0 = 1 / a;
      const a0 = a;
      let sA = noiseFree ? 1 : 0; // P, or N
      let sB = 1; // M (noisy schemes)
      for (let k = 0; k < K; k++) {
        const a1 = e[k + 1] * l + om[k + 1]; // a_{k+1} = l(T - t_{k+1})
        const r1 = 1 / a1;
        const row = (s * K + k) * PLAN_STRIDE;
        // m = (c00 + c10 r_k) + r_{k+1} (c01 + c11 r_k)
        const m = twoNode ? c[row] + c[row + 1] * r0 + r1 * (c[row + 2] + c[row + 3] * r0) : c[row] + c[row + 1] * r0;
        const nu = c[row + 4];
        if (noiseFree) {
          sA = m * sA; // P <- m P
        } else {
          const m2 = m * m;
          sA = m2 * sA + nu; // N <- m^2 N + n
          sB = m2 * sB; // M <- m^2 M
        }
        if (curve && ((k + 1) % every === 0 || k === K - 1)) {
          const j = Math.floor(k / every);
          const sa = Math.sqrt(a1);
          const dA = Math.sqrt(noiseFree ? sA * sA * a0 : sA + sB * a0) - sa;
          const dB = Math.sqrt(noiseFree ? sA * sA : sA + sB) - sa;
          curve[2 * s * nOut + j] += weights[i] * (dA * dA);
          curve[(2 * s + 1) * nOut + j] += weights[i] * (dB * dB);
        }
        a = a1;
        r0 = r1;
      }
      variances[2 * s * nModes + i] = noiseFree ? sA * sA * a0 : sA + sB * a0;
      variances[(2 * s + 1) * nModes + i] = noiseFree ? sA * sA : sA + sB;
    }
  }
  return { variances, curve };
}
