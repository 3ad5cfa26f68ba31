/**
 * Grid optimiser (src/diffusion/optimize.ts): the optimised levels lower the exact W2 of the Karras rho = 7
 * start, are a valid k-diffusion grid, and give the reported W2 when edmSamplerError is run on them again.
 */
import { describe, expect, it } from 'vitest';
import { GaussdiffError, imageLikeSpectrum } from '../../src/node.js';
import { edmSamplerError } from '../../src/diffusion/statespace/index.js';
import { karrasSigmas } from '../../src/diffusion/edm/sigmas.js';
import { optimizeSigmas } from '../../src/diffusion/optimize.js';
import { randomSpectrum } from '../helpers/random.js';

const spectra: Array<[string, Float64Array]> = [
  ['image-like', imageLikeSpectrum()],
  ['random (d = 200, 2 zeros)', randomSpectrum(9, 200, 2)],
];

/** A valid k-diffusion grid from sigmaMax down to sigmaMin, strictly decreasing, then 0. */
function expectGrid(sigmas: Float64Array, steps: number, sigmaMin: number, sigmaMax: number): void {
  expect(sigmas.length).toBe(steps + 1);
  expect(sigmas[0]).toBe(sigmaMax);
  expect(sigmas[steps - 1]).toBe(sigmaMin);
  expect(sigmas[steps]).toBe(0);
  for (let i = 0; i < steps; i++) expect(sigmas[i]).toBeGreaterThan(sigmas[i + 1]);
}

describe('optimizeSigmas at 10 steps, prior start, sigma in [0.002, 80]', () => {
  for (const [name, spectrum] of spectra) {
    for (const sampler of ['euler', 'dpmpp_2m']) {
      it(`${sampler} on the ${name} spectrum: W2 <= Karras's, a valid grid, W2 recomputed exactly`, async () => {
        const copy = Float64Array.from(spectrum);
        const r = await optimizeSigmas(spectrum, { sampler, steps: 10 });
        console.log(`${sampler} (${name}): W2 Karras ${r.w2Karras.toExponential(4)} -> optimised ${r.w2.toExponential(4)}, gain ${r.gain.toFixed(3)}, ${r.evaluations} evaluations, stop ${r.stop}; sigmas ${Array.from(r.sigmas, (s) => s.toPrecision(3)).join(' ')}`);
        expect(r.w2).toBeLessThanOrEqual(r.w2Karras);
        expect(r.gain).toBe(r.w2Karras / r.w2);
        expect(r.evaluations).toBeLessThanOrEqual(2000);
        expect(r.nfe).toBe(10);
        expectGrid(r.sigmas, 10, 0.002, 80);
        expect(r.karrasSigmas).toEqual(karrasSigmas(10, 0.002, 80, 7));
        expect(r.w2Karras).toBe((await edmSamplerError(spectrum, { sampler, sigmas: r.karrasSigmas, start: 'prior' })).w2);
        expect((await edmSamplerError(spectrum, { sampler, sigmas: r.sigmas, start: 'prior' })).w2).toBe(r.w2);
        // the plain-TS interpreter agrees on the optimised grid (the gain is not a Wasm round-off artefact)
        const reference = await edmSamplerError(spectrum, { sampler, sigmas: r.sigmas, start: 'prior', backend: 'reference' });
        expect(Math.abs(reference.w2 - r.w2)).toBeLessThan(1e-9 * r.w2);
        expect(spectrum).toEqual(copy);
      });
    }
  }

  it('is deterministic: the same options give the same levels, W2 and evaluations', async () => {
    const [, spectrum] = spectra[1];
    const a = await optimizeSigmas(spectrum, { sampler: 'dpmpp_2m', steps: 10, maxEvaluations: 400 });
    const b = await optimizeSigmas(spectrum, { sampler: 'dpmpp_2m', steps: 10, maxEvaluations: 400 });
    expect(b.sigmas).toEqual(a.sigmas);
    expect(b.w2).toBe(a.w2);
    expect(b.evaluations).toBe(a.evaluations);
  });

  it('euler on the random spectrum: a local minimum (no interior level moved by +-0.5% lowers W2 by 1e-9 relative)', async () => {
    const [, spectrum] = spectra[1];
    const r = await optimizeSigmas(spectrum, { sampler: 'euler', steps: 10 });
    expect(r.stop).toBe('tolerance');
    for (let i = 1; i < 9; i++) {
      for (const factor of [0.995, 1.005]) {
        const sigmas = Float64Array.from(r.sigmas);
        sigmas[i] *= factor;
        const { w2 } = await edmSamplerError(spectrum, { sampler: 'euler', sigmas, start: 'prior' });
        expect(w2).toBeGreaterThan(r.w2 * (1 - 1e-9));
      }
    }
  });

  it('improves a bad start a lot: from the uniform grid (Karras rho = 1), euler on the image-like spectrum reaches the optimum found from rho = 7', async () => {
    const [, spectrum] = spectra[0];
    const uniform = await optimizeSigmas(spectrum, { sampler: 'euler', steps: 10, rho: 1 });
    const fromKarras = await optimizeSigmas(spectrum, { sampler: 'euler', steps: 10 });
    console.log(`euler from the uniform grid: W2 ${uniform.w2Karras.toExponential(4)} -> ${uniform.w2.toExponential(4)}, gain ${uniform.gain.toFixed(3)} (${uniform.evaluations} evaluations); from rho = 7: ${fromKarras.w2.toExponential(4)}`);
    for (let i = 0; i < 9; i++) expect(uniform.karrasSigmas[i] - uniform.karrasSigmas[i + 1]).toBeCloseTo((80 - 0.002) / 9, 10); // uniform in sigma
    expect(uniform.gain).toBeGreaterThan(3);
    expect(Math.abs(uniform.w2 - fromKarras.w2)).toBeLessThan(1e-6 * fromKarras.w2);
  });
});

describe('optimizeSigmas: budgets, stochastic samplers, limits', () => {
  const spectrum = randomSpectrum(4, 60);

  it('an nfe budget gives the most steps that fit (heun: 2 steps - 1 evaluations; euler: 1 per step)', async () => {
    for (const [sampler, nfe, steps] of [['heun', 19, 10], ['heun', 20, 10], ['euler', 10, 10], ['dpm_2', 4, 2]] as const) {
      const r = await optimizeSigmas(spectrum, { sampler, nfe, maxEvaluations: 1 });
      expect(r.steps).toBe(steps);
      expect(r.nfe).toBe((await edmSamplerError(spectrum, { sampler, steps, start: 'prior' })).nfe);
      expect(r.nfe).toBeLessThanOrEqual(nfe);
    }
  });

  it('maxEvaluations = 1, or no interior level (steps <= 2), returns the Karras start with gain 1', async () => {
    const a = await optimizeSigmas(spectrum, { sampler: 'dpmpp_2m', steps: 10, maxEvaluations: 1 });
    expect([a.stop, a.evaluations, a.gain]).toEqual(['maxEvaluations', 1, 1]);
    expect(a.sigmas).toEqual(karrasSigmas(10, 0.002, 80));
    const b = await optimizeSigmas(spectrum, { sampler: 'euler', steps: 2 });
    expect([b.evaluations, b.gain]).toEqual([1, 1]);
    expect(b.sigmas).toEqual(karrasSigmas(2, 0.002, 80));
  });

  it('stops at maxEvaluations', async () => {
    const r = await optimizeSigmas(spectrum, { sampler: 'euler', steps: 12, maxEvaluations: 50, tolerance: 0 });
    expect(r.stop).toBe('maxEvaluations');
    expect(r.evaluations).toBeLessThanOrEqual(50);
    expect(r.w2).toBeLessThan(r.w2Karras);
  });

  it('optimises stochastic samplers too (their W2 is exact): euler_ancestral, exact start, with eta', async () => {
    const r = await optimizeSigmas(spectrum, { sampler: 'euler_ancestral', steps: 8, start: 'exact', eta: 0.5, maxEvaluations: 300 });
    console.log(`euler_ancestral eta 0.5 (random d = 60, 8 steps, exact start): gain ${r.gain.toFixed(3)}`);
    expect(r.w2).toBeLessThan(r.w2Karras);
    expectGrid(r.sigmas, 8, 0.002, 80);
    expect((await edmSamplerError(spectrum, { sampler: 'euler_ancestral', sigmas: r.sigmas, start: 'exact', eta: 0.5 })).w2).toBe(r.w2);
  });

  const bad: Array<[string, unknown, string]> = [
    ['no options', undefined, 'MISSING_OPTION'],
    ['a misspelt option', { sampler: 'euler', steps: 4, maxEvaluation: 5 }, 'UNKNOWN_OPTION'],
    ['an unknown sampler', { sampler: 'ddim', steps: 4 }, 'UNKNOWN_SCHEME'],
    ['neither steps nor nfe', { sampler: 'euler' }, 'MISSING_OPTION'],
    ['both steps and nfe', { sampler: 'euler', steps: 4, nfe: 4 }, 'INVALID_OPTION'],
    ['steps 0', { sampler: 'euler', steps: 0 }, 'INVALID_STEPS'],
    ['fractional nfe', { sampler: 'euler', nfe: 4.5 }, 'INVALID_STEPS'],
    ['sigmaMin = sigmaMax', { sampler: 'euler', steps: 4, sigmaMin: 1, sigmaMax: 1 }, 'INVALID_SCHEDULE'],
    ['negative sigmaMin', { sampler: 'euler', steps: 4, sigmaMin: -1 }, 'INVALID_SCHEDULE'],
    ['rho 0', { sampler: 'euler', steps: 4, rho: 0 }, 'INVALID_SCHEDULE'],
    ['maxEvaluations 0', { sampler: 'euler', steps: 4, maxEvaluations: 0 }, 'INVALID_OPTION'],
    ['NaN tolerance', { sampler: 'euler', steps: 4, tolerance: NaN }, 'INVALID_OPTION'],
    ['an unknown start', { sampler: 'euler', steps: 4, start: 'data' }, 'INVALID_OPTION'],
    ['eta on euler', { sampler: 'euler', steps: 4, eta: 1 }, 'INVALID_OPTION'],
    ['negative eta with an nfe budget', { sampler: 'euler_ancestral', nfe: 4, eta: -1 }, 'INVALID_OPTION'],
  ];
  for (const [name, opts, code] of bad) {
    it(`refuses ${name} with ${code}, before reading the spectrum`, async () => {
      const err = await optimizeSigmas('not a spectrum' as never, opts as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GaussdiffError);
      expect((err as GaussdiffError).code).toBe(code);
    });
  }
});
