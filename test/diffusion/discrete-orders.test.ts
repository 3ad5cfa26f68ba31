/**
 * Convergence orders in the diffusers frame (image-like spectrum, linear betas, leading spacing, exact start).
 * The error is read at a FIXED timestep t* = 100 (W2 against the exact marginal there), on the uniform grids
 * of step d in t that contain it (ddim: n = 1000 / d; dpmsolver++ / unipc: n + 1 = 1000 / d). Not at the last
 * timestep before the final one: that timestep moves with n towards t = 0 where lambda diverges, so its last
 * steps stay O(1) in lambda for every n and no asymptotic range exists there. Asymptotic range: d <= 10
 * (n >= 100). Measured slopes (d 50 -> 2): ddim 1.00; dpmsolver++(2) 2.00; dpmsolver++(3) 2.01 (diffusers'
 * third-order multistep: its D2 = (D1_0 - D1_1) / (r0 + r1) is h^2 m''/2 and its coefficient
 * alpha_t ((e^-h - 1 + h) / h^2 - 1/2) ~ h / 6, half the h / 3 of the Taylor expansion: local O(h^3), global
 * order 2); unipc orders 2 and 3 (bh1, bh2) 2.95 and 3.94: UniP-p with UniC is of order p + 1.
 */
import { describe, expect, it } from 'vitest';
import { imageLikeSpectrum } from '../../src/node.js';
import { discreteSamplerError, discreteTimesteps } from '../../src/diffusion/discrete/index.js';

const T_STAR = 100;
const STEPS_IN_T = [20, 10, 5, 4, 2];

async function errorsAtTStar(sampler: string, opts: Record<string, unknown>): Promise<number[]> {
  const spectrum = imageLikeSpectrum();
  const out: number[] = [];
  for (const d of STEPS_IN_T) {
    const n = sampler === 'ddim' ? 1000 / d : 1000 / d - 1;
    const j = discreteTimesteps(sampler, 1000, { steps: n }).indexOf(T_STAR);
    expect(j, `${sampler} d=${d}`).toBeGreaterThan(0);
    const r = await discreteSamplerError(spectrum, { sampler, steps: n, start: 'exact', ...opts });
    out.push(Math.sqrt(r.curve[j - 1])); // after step j - 1 the sample is at timesteps[j] = t*
  }
  return out;
}

describe('measured convergence orders of the diffusers samplers (error at t* = 100)', () => {
  const cases: Array<[string, Record<string, unknown>, number]> = [
    ['ddim', {}, 1],
    ['dpmsolver++', { order: 2 }, 2],
    ['dpmsolver++', { order: 3 }, 2], // not 3: see the header
    ['unipc', { order: 2, solverType: 'bh2' }, 3],
    ['unipc', { order: 2, solverType: 'bh1' }, 3],
    ['unipc', { order: 3, solverType: 'bh2' }, 4],
    ['unipc', { order: 3, solverType: 'bh1' }, 4],
  ];
  for (const [sampler, opts, nominal] of cases) {
    it(`${sampler} ${JSON.stringify(opts)}: order ${nominal} within 0.1 (slope d = 4 -> 2)`, async () => {
      const w = await errorsAtTStar(sampler, opts);
      const slopes = w.slice(1).map((x, i) => Math.log(w[i] / x) / Math.log(STEPS_IN_T[i] / STEPS_IN_T[i + 1]));
      console.log(`${sampler} ${JSON.stringify(opts)}: W2 at t* ${w.map((x) => x.toExponential(3)).join(' ')}; slopes ${slopes.map((s) => s.toFixed(3)).join(' ')}`);
      expect(Math.abs(slopes.at(-1)! - nominal)).toBeLessThan(0.1);
    });
  }
});
