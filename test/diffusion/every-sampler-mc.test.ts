/**
 * Monte-Carlo check of EVERY sampler (issue 9, "Acceptance": particles with z-scores on random spectra): for
 * each k-diffusion name (EDM_SAMPLER_NAMES, 6 Karras steps) and each diffusers name (DISCRETE_SAMPLER_NAMES,
 * 8 steps), 4000 particles per distinct eigenvalue run through the sampler's tape (validateSampler /
 * validateDiscreteSampler) agree with the exact per-mode variances (max |z| below the family-wise bound at
 * level 1e-3) and with the exact W2 (within 4 standard errors), and the validation's closed form is the W2
 * that edmSamplerError / discreteSamplerError report. Stochastic samplers run with their default eta, plus
 * ddim and dpmpp_2m_sde with eta 0.5; some run from both starts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import '../../src/node.js'; // sets the Wasm source
import { type SamplerValidation, validateDiscreteSampler, validateSampler } from '../../src/diffusion/statespace/validate.js';
import { edmSamplerError } from '../../src/diffusion/statespace/index.js';
import { EDM_SAMPLER_NAMES } from '../../src/diffusion/edm/samplers/index.js';
import { DISCRETE_SAMPLER_NAMES, discreteSamplerError } from '../../src/diffusion/discrete/index.js';
import { GaussdiffError } from '../../src/core/errors.js';
import { prepareSpectrum } from '../../src/spectra/spectrum.js';
import { randomSpectrum } from '../helpers/random.js';

const SPECTRUM = randomSpectrum(2024, 24); // about 20 distinct values over 8 decades
const PARTICLES = 4000;
const SEED = 17;
const EDM_STEPS = 6;
const DISCRETE_STEPS = 8;

type Case = [string, Record<string, unknown>];
const EDM_CASES: Case[] = [
  ...EDM_SAMPLER_NAMES.map((name): Case => [name, {}]),
  ['heun', { sChurn: 5, sTmin: 0.05, sTmax: 50 }],
  ['dpm_fast', { eta: 1 }],
  ['dpmpp_2m_sde', { eta: 0.5 }],
  ['euler', { start: 'exact' }],
  ['euler_ancestral', { start: 'exact' }],
  ['dpmpp_2m_sde', { start: 'exact' }],
];
const DISCRETE_CASES: Case[] = [
  ...DISCRETE_SAMPLER_NAMES.map((name): Case => [name, {}]),
  ['ddim', { eta: 0.5 }],
  ['dpmsolver++', { order: 3 }],
  ['unipc', { solverType: 'bh1' }],
  ['unipc', { solverType: 'bh1', order: 3 }],
  ['ddim', { eta: 0.5, start: 'exact' }],
  ['ddpm', { start: 'exact' }],
  ['dpmsolver++', { start: 'exact' }],
];

const rows: string[] = [];
const label = (name: string, extra: Record<string, unknown>) => `${name}${Object.keys(extra).length ? ` ${JSON.stringify(extra)}` : ''}`;

function check(name: string, extra: Record<string, unknown>, r: SamplerValidation, exactW2: number): void {
  rows.push([label(name, extra).padEnd(52), r.closedForm.toPrecision(6).padStart(12),
    `${r.monteCarlo.w2.toPrecision(6)} +- ${r.monteCarlo.stderr.toPrecision(2)}`.padStart(22), r.maxAbsZ.toFixed(2).padStart(8), r.zBound.toFixed(2).padStart(7)].join(' '));
  expect(r.level).toBe(1e-3);
  expect(r.maxAbsZ).toBeLessThan(r.zBound);
  expect(r.consistent).toBe(true);
  expect(r.monteCarlo.stderr).toBeGreaterThan(0);
  expect(Math.abs(r.monteCarlo.w2 - r.closedForm)).toBeLessThanOrEqual(4 * r.monteCarlo.stderr);
  // The validation's closed form is the W2 of the sampler's own entry point (same tape, same back end).
  expect(Math.abs(r.closedForm - exactW2)).toBeLessThanOrEqual(1e-12 * exactW2);
}

afterAll(() => {
  console.log([`${'sampler'.padEnd(52)} ${'W2 exact'.padStart(12)} ${'W2 MC +- stderr'.padStart(22)} ${'maxAbsZ'.padStart(8)} ${'bound'.padStart(7)}`, ...rows].join('\n'));
});

describe('every sampler: particles through its tape agree with its exact W2', () => {
  it('the spectrum has about 20 distinct values and every sampler is covered', () => {
    expect(prepareSpectrum(SPECTRUM).values.length).toBeGreaterThanOrEqual(18);
    for (const name of EDM_SAMPLER_NAMES) expect(EDM_CASES.some(([n]) => n === name)).toBe(true);
    for (const name of DISCRETE_SAMPLER_NAMES) expect(DISCRETE_CASES.some(([n]) => n === name)).toBe(true);
  });
  for (const [sampler, extra] of EDM_CASES) {
    it(`k-diffusion ${label(sampler, extra)}: consistent, |W2_MC - W2| <= 4 stderr`, async () => {
      const opts = { sampler, steps: EDM_STEPS, ...extra };
      const r = await validateSampler(SPECTRUM, { ...opts, particles: PARTICLES, seed: SEED });
      check(sampler, extra, r, (await edmSamplerError(SPECTRUM, opts)).w2);
    });
  }
  for (const [sampler, extra] of DISCRETE_CASES) {
    it(`diffusers ${label(sampler, extra)}: consistent, |W2_MC - W2| <= 4 stderr`, async () => {
      const opts = { sampler, steps: DISCRETE_STEPS, ...extra };
      const r = await validateDiscreteSampler(SPECTRUM, { ...opts, particles: PARTICLES, seed: SEED });
      check(sampler, extra, r, (await discreteSamplerError(SPECTRUM, opts)).w2);
    });
  }
});

describe('validateDiscreteSampler: reproducible, checked before work', () => {
  it('same seed, same numbers; another seed, other numbers', async () => {
    const opts = { sampler: 'ddim', eta: 1, steps: 5, particles: 500 };
    const a = await validateDiscreteSampler(SPECTRUM, { ...opts, seed: 11 });
    const b = await validateDiscreteSampler(SPECTRUM, { ...opts, seed: 11 });
    const c = await validateDiscreteSampler(SPECTRUM, { ...opts, seed: 12 });
    expect(b).toEqual(a);
    expect(c.variances).not.toEqual(a.variances);
  });

  it('the reference back end gives the same closed form', async () => {
    const opts = { sampler: 'dpmsolver++', steps: DISCRETE_STEPS, particles: 100 };
    const w = await validateDiscreteSampler(SPECTRUM, opts);
    const r = await validateDiscreteSampler(SPECTRUM, { ...opts, backend: 'reference' });
    expect(Math.abs(r.closedForm - w.closedForm)).toBeLessThanOrEqual(1e-12 * w.closedForm);
  });

  const bad: [string, Record<string, unknown>, string][] = [
    ['particles 1', { sampler: 'ddim', steps: 4, particles: 1 }, 'INVALID_OPTION'],
    ['particles 2.5', { sampler: 'ddim', steps: 4, particles: 2.5 }, 'INVALID_OPTION'],
    ['seed -1', { sampler: 'ddim', steps: 4, seed: -1 }, 'INVALID_OPTION'],
    ['an unknown key', { sampler: 'ddim', steps: 4, particle: 10 }, 'UNKNOWN_OPTION'],
    ['an unknown sampler', { sampler: 'euler', steps: 4 }, 'UNKNOWN_SCHEME'],
    ['eta on ddpm', { sampler: 'ddpm', steps: 4, eta: 0.5 }, 'INVALID_OPTION'],
    ['clipSample true', { sampler: 'ddim', steps: 4, clipSample: true }, 'INVALID_OPTION'],
    ['no steps', { sampler: 'ddim' }, 'MISSING_OPTION'],
    ['too many particles x modes x registers', { sampler: 'dpmsolver++', steps: 4, particles: 2 ** 24 }, 'TOO_LARGE'],
  ];
  for (const [name, opts, code] of bad) {
    it(`refuses ${name} with ${code}`, async () => {
      const err = await validateDiscreteSampler(SPECTRUM, opts as never).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(GaussdiffError);
      expect((err as GaussdiffError).code).toBe(code);
    });
  }

  it('refuses a non-finite spectrum with NON_FINITE and leaves the spectrum and options untouched', async () => {
    const spectrum = Float64Array.of(1, Number.NaN, 2);
    const opts = { sampler: 'ddim', steps: 4, eta: 0.5, particles: 100 };
    const err = await validateDiscreteSampler(spectrum, opts).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(GaussdiffError);
    expect((err as GaussdiffError).code).toBe('NON_FINITE');
    expect(Array.from(spectrum)).toEqual([1, Number.NaN, 2]);
    expect(opts).toEqual({ sampler: 'ddim', steps: 4, eta: 0.5, particles: 100 });
  });
});
