/**
 * Monte-Carlo validation of the k-diffusion samplers (src/diffusion/statespace/validate.ts): particles run
 * through the sampler's tape agree with the exact per-mode variances (z-scores within the family-wise bound
 * zBound at level 1e-3) and with the exact W2 (within 4 standard errors); a closed form that is wrong by a
 * 10% noise coefficient is caught; the seed reproduces; and edmSamplerError's per-mode contributions sum to
 * its W2^2 and its variances are the tape interpreter's.
 */
import { describe, expect, it } from 'vitest';
import '../../src/node.js'; // sets the Wasm source
import { validateSampler, validateTape } from '../../src/diffusion/statespace/validate.js';
import { edmSamplerError } from '../../src/diffusion/statespace/index.js';
import { runTapeReference } from '../../src/diffusion/statespace/reference.js';
import { OP_LIN, OP_NOISE, OP_PREC, type Tape } from '../../src/diffusion/statespace/tape.js';
import { karrasSigmas } from '../../src/diffusion/edm/sigmas.js';
import { EDM_SAMPLERS } from '../../src/diffusion/edm/samplers/index.js';
import { GaussdiffError } from '../../src/core/errors.js';
import { prepareSpectrum } from '../../src/spectra/spectrum.js';
import { randomSpectrum } from '../helpers/random.js';

const SPECTRUM = randomSpectrum(91, 24); // about 20 distinct values over 8 decades
const CASES: [string, Record<string, number>][] = [
  ['euler', {}],
  ['heun', { sChurn: 5, sTmin: 0.05, sTmax: 50 }],
  ['dpmpp_2m', {}],
  ['euler_ancestral', {}],
  ['dpmpp_sde', {}],
];

describe('validateSampler: particles through the tape', () => {
  it('uses a spectrum of about 20 distinct values', () => {
    expect(prepareSpectrum(SPECTRUM).values.length).toBeGreaterThanOrEqual(18);
  });
  for (const [sampler, extra] of CASES) {
    it.runIf(Object.hasOwn(EDM_SAMPLERS, sampler))(`${sampler}: consistent, |W2_MC - W2| <= 4 stderr`, async () => {
      const r = await validateSampler(SPECTRUM, { sampler, steps: 8, particles: 4000, seed: 7, ...extra });
      console.log(`${sampler}: W2 ${r.closedForm.toPrecision(6)} MC ${r.monteCarlo.w2.toPrecision(6)} +- ${r.monteCarlo.stderr.toPrecision(3)} (bias removed ${r.monteCarlo.bias.toPrecision(3)}), maxAbsZ ${r.maxAbsZ.toFixed(2)} < ${r.zBound.toFixed(2)}`);
      expect(r.consistent).toBe(true);
      expect(r.maxAbsZ).toBeLessThan(r.zBound);
      expect(r.level).toBe(1e-3);
      expect(Math.abs(r.monteCarlo.w2 - r.closedForm)).toBeLessThanOrEqual(4 * r.monteCarlo.stderr);
      const exact = await edmSamplerError(SPECTRUM, { sampler, steps: 8, ...extra });
      expect(r.closedForm).toBeCloseTo(exact.w2, 12);
    });
  }
});

/** The tape with the coefficient of its `k`-th NOISE op scaled by `s`. */
function scaleNoise(tape: Tape, k: number, s: number): Tape {
  const code = tape.code.slice();
  let seen = 0;
  for (let pc = 0; pc < code.length;) {
    const op = code[pc];
    if (op === OP_NOISE && seen++ === k) code[pc + 2] *= s;
    pc += op === OP_LIN ? 3 + 2 * code[pc + 2] : op === OP_PREC ? 4 : 3;
  }
  expect(seen).toBeGreaterThan(k);
  return { ...tape, code };
}

describe('validateTape catches a wrong closed form', () => {
  it('euler_ancestral: the last noise coefficient scaled by 1.1 gives a large z', async () => {
    const spec = prepareSpectrum(SPECTRUM);
    const tape = EDM_SAMPLERS.euler_ancestral.build(karrasSigmas(8, 0.002, 80, 7), {});
    let noises = 0;
    for (let pc = 0; pc < tape.code.length;) {
      const op = tape.code[pc];
      if (op === OP_NOISE) noises++;
      pc += op === OP_LIN ? 3 + 2 * tape.code[pc + 2] : op === OP_PREC ? 4 : 3;
    }
    const right = runTapeReference(spec.values, spec.values, spec.counts, tape).variances;
    const wrong = runTapeReference(spec.values, spec.values, spec.counts, scaleNoise(tape, noises - 1, 1.1)).variances;
    const B = 16000;
    const good = await validateTape(spec.values, spec.counts, right, tape, B, 3);
    const bad = await validateTape(spec.values, spec.counts, wrong, tape, B, 3);
    // The particles estimate `right`: against `wrong`, E z_i = (right_i / wrong_i - 1) / sqrt(2/B).
    const expected = Math.max(...right.map((v, i) => Math.abs(v / wrong[i] - 1) / Math.sqrt(2 / B)));
    console.log(`wrong closed form: maxAbsZ ${bad.maxAbsZ.toFixed(1)} (expected ${expected.toFixed(1)}; right closed form: ${good.maxAbsZ.toFixed(2)}), zBound ${bad.zBound.toFixed(2)}`);
    expect(expected).toBeGreaterThan(bad.zBound + 6);
    expect(good.consistent).toBe(true);
    expect(bad.consistent).toBe(false);
    expect(bad.maxAbsZ).toBeGreaterThan(expected - 5);
  });
});

describe('validateSampler: reproducible, checked', () => {
  it('same seed, same numbers; another seed, other numbers', async () => {
    const opts = { sampler: 'euler_ancestral', steps: 5, particles: 500 };
    const a = await validateSampler(SPECTRUM, { ...opts, seed: 11 });
    const b = await validateSampler(SPECTRUM, { ...opts, seed: 11 });
    const c = await validateSampler(SPECTRUM, { ...opts, seed: 12 });
    expect(b).toEqual(a);
    expect(c.monteCarlo.w2).not.toBe(a.monteCarlo.w2);
    expect(c.variances).not.toEqual(a.variances);
  });

  const bad: [string, Record<string, unknown>, string][] = [
    ['particles 1', { sampler: 'euler', steps: 4, particles: 1 }, 'INVALID_OPTION'],
    ['particles 2.5', { sampler: 'euler', steps: 4, particles: 2.5 }, 'INVALID_OPTION'],
    ['seed -1', { sampler: 'euler', steps: 4, seed: -1 }, 'INVALID_OPTION'],
    ['an unknown key', { sampler: 'euler', steps: 4, particle: 10 }, 'UNKNOWN_OPTION'],
    ['an unknown sampler', { sampler: 'nope', steps: 4 }, 'UNKNOWN_SCHEME'],
    ['too many particles x modes x registers', { sampler: 'heun', steps: 4, particles: 2 ** 24 }, 'TOO_LARGE'],
  ];
  for (const [name, opts, code] of bad) {
    it(`refuses ${name} with ${code}`, async () => {
      const err = await validateSampler(SPECTRUM, opts as never).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(GaussdiffError);
      expect((err as GaussdiffError).code).toBe(code);
    });
  }
});

describe('edmSamplerError: per-mode contributions', () => {
  for (const [sampler, extra] of CASES) {
    it.runIf(Object.hasOwn(EDM_SAMPLERS, sampler))(`${sampler}: contributions sum to w2Squared, variances are the tape's`, async () => {
      const r = await edmSamplerError(SPECTRUM, { sampler, steps: 8, ...extra });
      const spec = prepareSpectrum(SPECTRUM);
      expect(r.values).toEqual(spec.values);
      expect(r.counts).toEqual(spec.counts);
      const tape = EDM_SAMPLERS[sampler].build(karrasSigmas(8, 0.002, 80, 7), extra);
      const ref = runTapeReference(spec.values, spec.values, spec.counts, tape).variances;
      let sum = 0;
      for (let i = 0; i < ref.length; i++) {
        expect(Math.abs(r.variances[i] - ref[i])).toBeLessThanOrEqual(1e-12 * ref[i]);
        // w_i (sqrt v_i - sqrt l_i)^2, directly.
        const direct = spec.counts[i] * (Math.sqrt(ref[i]) - Math.sqrt(spec.values[i])) ** 2;
        expect(Math.abs(r.contributions[i] - direct)).toBeLessThanOrEqual(1e-9 * direct + 1e-15 * spec.counts[i] * (ref[i] + spec.values[i]));
        sum += r.contributions[i];
      }
      expect(Math.abs(sum - r.w2Squared)).toBeLessThanOrEqual(1e-12 * r.w2Squared);
      const viaReference = await edmSamplerError(SPECTRUM, { sampler, steps: 8, ...extra, backend: 'reference' });
      expect(viaReference.variances).toEqual(ref);
    });
  }
});
