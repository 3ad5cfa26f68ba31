/**
 * k-diffusion's `sample_lms` (order 4): linear multistep in sigma on the derivative d = (x - D) / sigma,
 * x_{i+1} = x_i + sum_j c_j d_{i-j}, with c_j = int_{sigma_i}^{sigma_{i+1}} L_j(tau) dtau, L_j the Lagrange basis
 * polynomial of the node sigma_{i-j} over the nodes sigma_i, ..., sigma_{i-q+1} (q = min(i + 1, 4)).
 * k-diffusion integrates with scipy's quad; the integrand has degree q - 1 <= 3, so two-point Gauss-Legendre
 * quadrature gives the integral exactly (up to round-off).
 */
import { type Tape } from '../../statespace/tape.js';
import { derivativeSlot, startTape } from './common.js';

/** LMS order (k-diffusion's default). */
export const LMS_ORDER = 4;

/** c_j of step i with q nodes (linear_multistep_coeff), by 2-point Gauss-Legendre on [sigma_i, sigma_{i+1}]. */
export function lmsCoefficient(q: number, sigmas: ArrayLike<number>, i: number, j: number): number {
  const lagrange = (tau: number) => {
    let prod = 1;
    for (let k = 0; k < q; k++) if (k !== j) prod *= (tau - sigmas[i - k]) / (sigmas[i - j] - sigmas[i - k]);
    return prod;
  };
  // int_a^b f = (b - a)/2 (f(m - h/sqrt 3) + f(m + h/sqrt 3)), m = (a + b)/2, h = (b - a)/2: exact for degree <= 3.
  const half = (sigmas[i + 1] - sigmas[i]) / 2;
  const mid = (sigmas[i + 1] + sigmas[i]) / 2;
  const off = half / Math.sqrt(3);
  return half * (lagrange(mid - off) + lagrange(mid + off));
}

/** Registers: 0 = x, 1..4 = d_i, d_{i-1}, ... in rotation (d_i in 1 + i mod 4). NFE = steps. */
export function lms(sigmas: Float64Array, opts: { start?: 'prior' | 'exact' } = {}): Tape {
  const b = startTape(sigmas, opts.start);
  const reg = (i: number) => 1 + (i % LMS_ORDER);
  for (let i = 0; i + 1 < sigmas.length; i++) {
    // d_i = (x - D(x, sigma_i)) / sigma_i = sigma_i / (lhat + sigma_i^2) x (one factor).
    b.prec(reg(i), 0, derivativeSlot(b, sigmas[i]));
    b.nfe++;
    const q = Math.min(i + 1, LMS_ORDER);
    const terms: Array<[number, number]> = [[0, 1]];
    for (let j = 0; j < q; j++) terms.push([reg(i - j), lmsCoefficient(q, sigmas, i, j)]);
    b.lin(0, terms);
    b.mark(0, 1, sigmas[i + 1] * sigmas[i + 1]);
  }
  return b.build();
}
