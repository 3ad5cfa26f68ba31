/**
 * EDM-frame samplers (k-diffusion names) on the exact denoiser: measured convergence orders against their
 * nominal ones, and Monte-Carlo particles through k-diffusion's equations against the tape's variances.
 */
import { describe, expect, it } from 'vitest';
import { imageLikeSpectrum, normals } from '../../src/node.js';
import { edmSamplerError } from '../../src/diffusion/statespace/index.js';
import { runTapeReference } from '../../src/diffusion/statespace/reference.js';
import { karrasSigmas } from '../../src/diffusion/edm/sigmas.js';
import { EDM_SAMPLERS } from '../../src/diffusion/edm/samplers/index.js';
import { logSlope } from '../helpers/probe.js';


describe('measured convergence order (image-like spectrum, exact start, Karras rho = 7, sigma in [0.02, 80])', () => {
  // The ODE error is read at sigma_min: W2 between the sample after the step to sigma_min and the exact
  // marginal N(0, S + sigma_min^2 I), the curve's point n - 2. (The final W2 also holds the error of the
  // last step, a denoising from sigma_min to 0 that is O(sigma_min^2) whatever n: with sigma_min = 0.02
  // it dominates Heun's W2 from n = 64 on, so the final W2 is not where an order shows.)
  const spectrum = imageLikeSpectrum();
  const steps = [64, 128, 256, 512];
  const nominal: Record<string, number> = { euler: 1, heun: 2, dpmpp_2m: 2 };
  for (const sampler of Object.keys(nominal)) {
    it(`${sampler}: slope of log W2 against log steps is -${nominal[sampler]} within 0.1`, async () => {
      const w2: number[] = [];
      for (const n of steps) w2.push(Math.sqrt((await edmSamplerError(spectrum, { sampler, steps: n, sigmaMin: 0.02, start: 'exact' })).curve[n - 2]));
      const order = -logSlope(steps, w2);
      console.log(`${sampler}: measured order ${order.toFixed(4)} (W2 at sigma_min ${w2.map((w) => w.toExponential(3)).join(', ')})`);
      expect(Math.abs(order - nominal[sampler])).toBeLessThan(0.1);
    });
  }
});

// --- particles through k-diffusion's equations, with actual normals (x = x0 + sigma z per mode) ---

/** The exact denoiser of a mode of variance l: D(x, sigma) = l / (l + sigma^2) x. */
const denoiser = (l: number, sigma: number) => l / (l + sigma * sigma);

interface Churn { sChurn: number; sTmin: number; sTmax: number; sNoise: number }

/** sample_euler / sample_heun on P particles of one mode; `z` supplies the normals, P at a time. */
function particlesEulerHeun(heun: boolean, x: Float64Array, l: number, sigmas: Float64Array, c: Churn, z: () => Float64Array): void {
  const n = sigmas.length - 1;
  for (let i = 0; i < n; i++) {
    const gamma = c.sTmin <= sigmas[i] && sigmas[i] <= c.sTmax ? Math.min(c.sChurn / n, 2 ** 0.5 - 1) : 0;
    const sigmaHat = sigmas[i] * (gamma + 1);
    if (gamma > 0) {
      const eps = z();
      for (let p = 0; p < x.length; p++) x[p] += eps[p] * c.sNoise * Math.sqrt(sigmaHat ** 2 - sigmas[i] ** 2);
    }
    const dt = sigmas[i + 1] - sigmaHat;
    for (let p = 0; p < x.length; p++) {
      const d = (x[p] - denoiser(l, sigmaHat) * x[p]) / sigmaHat;
      if (!heun || sigmas[i + 1] === 0) {
        x[p] += d * dt;
      } else {
        const x2 = x[p] + d * dt;
        const d2 = (x2 - denoiser(l, sigmas[i + 1]) * x2) / sigmas[i + 1];
        x[p] += ((d + d2) / 2) * dt;
      }
    }
  }
}

/** sample_dpmpp_2m on P particles of one mode. */
function particlesDpmpp2m(x: Float64Array, l: number, sigmas: Float64Array): void {
  const old = new Float64Array(x.length);
  for (let i = 0; i + 1 < sigmas.length; i++) {
    const h = -Math.log(sigmas[i + 1]) + Math.log(sigmas[i]);
    for (let p = 0; p < x.length; p++) {
      const denoised = denoiser(l, sigmas[i]) * x[p];
      let dd = denoised;
      if (i > 0 && sigmas[i + 1] !== 0) {
        const r = (Math.log(sigmas[i - 1]) - Math.log(sigmas[i])) / h;
        dd = (1 + 1 / (2 * r)) * denoised - (1 / (2 * r)) * old[p];
      }
      x[p] = (sigmas[i + 1] / sigmas[i]) * x[p] - Math.expm1(-h) * dd;
      old[p] = denoised;
    }
  }
}

describe('Monte-Carlo particles through k-diffusion\'s equations vs the tape (z-scores within 5)', () => {
  const P = 20000;
  const modes = [1e-4, 0.003, 0.5, 4]; // (a zero mode ends as a point mass at 0: no z-score)
  const sigmas = karrasSigmas(10, 0.002, 80, 7);
  const churn: Churn = { sChurn: 10, sTmin: 0.05, sTmax: 20, sNoise: 1.007 };
  const cases = [
    { sampler: 'euler', churn },
    { sampler: 'heun', churn },
    { sampler: 'heun', churn: { sChurn: 0, sTmin: 0, sTmax: Infinity, sNoise: 1 } },
    { sampler: 'dpmpp_2m', churn: null },
  ];
  let seed = 1;
  for (const { sampler, churn: c } of cases) {
    for (const start of ['prior', 'exact'] as const) {
      const s = seed++;
      it(`${sampler}${c && c.sChurn ? ' with churn' : ''}, ${start} start`, async () => {
        const tape = EDM_SAMPLERS[sampler].build(sigmas, { start, ...(c ?? {}) });
        const values = Float64Array.from(modes);
        const { variances } = runTapeReference(values, values, new Float64Array(modes.length).fill(1), tape);
        // one stream per test: P normals per draw (start, then one per churned step), modes one after another
        const all = await normals(P * modes.length * (sigmas.length + 1), { seed: s });
        let at = 0;
        const z = () => all.subarray(at, (at += P));
        const zs: number[] = [];
        for (let m = 0; m < modes.length; m++) {
          const l = modes[m];
          const x = Float64Array.from(z(), (v) => v * Math.sqrt((start === 'exact' ? l : 0) + sigmas[0] ** 2));
          if (sampler === 'dpmpp_2m') particlesDpmpp2m(x, l, sigmas);
          else particlesEulerHeun(sampler === 'heun', x, l, sigmas, c!, z);
          // E x = 0, so the empirical variance is mean x^2, of standard error v sqrt(2 / P) for Gaussian x
          const empirical = x.reduce((acc, v) => acc + v * v, 0) / P;
          zs.push((empirical - variances[m]) / (variances[m] * Math.sqrt(2 / P)));
        }
        console.log(`${sampler} ${start}: z = ${zs.map((v) => v.toFixed(2)).join(', ')}`);
        for (const zv of zs) expect(Math.abs(zv)).toBeLessThan(5);
      });
    }
  }
});
