/**
 * The model-spectrum hook (option `modelSpectrum` of edmSamplerError and discreteSamplerError): the sampler
 * sees the denoiser lhat / (lhat + sigma^2) x per mode while the error is measured against the data l.
 * Checked against a direct computation that runs the reference interpreter on every (l_i, lhat_i) entry
 * separately (no merging) and sums w (sqrt v - sqrt l)^2; the one-step denoiser's variance in closed form;
 * pair merging; typed errors; inputs not mutated.
 */
import { describe, expect, it } from 'vitest';
import { prepareSpectrum } from '../../src/node.js'; // also sets the Wasm source
import { edmSamplerError } from '../../src/diffusion/statespace/index.js';
import { mergePairs } from '../../src/diffusion/statespace/modes.js';
import { runTapeReference, squaredRootGap } from '../../src/diffusion/statespace/reference.js';
import { type Tape } from '../../src/diffusion/statespace/tape.js';
import { karrasSigmas } from '../../src/diffusion/edm/sigmas.js';
import { EDM_SAMPLERS, EDM_SAMPLER_NAMES } from '../../src/diffusion/edm/samplers/index.js';
import { DISCRETE_SAMPLERS, discreteSamplerError, discreteSchedule, discreteTimesteps } from '../../src/diffusion/discrete/index.js';
import { validateDiscreteSampler, validateSampler } from '../../src/diffusion/statespace/validate.js';
import { convergenceOrder } from '../../src/diffusion/rank.js';
import { GaussdiffError } from '../../src/core/errors.js';
import { randomSpectrum } from '../helpers/random.js';

/** W2^2 entry by entry: one reference run per (l_i, lhat_i), weight 1 (independent of the merging). */
function directW2Squared(l: ArrayLike<number>, lhat: ArrayLike<number>, tape: Tape): number {
  let sum = 0;
  for (let i = 0; i < l.length; i++) {
    const { variances } = runTapeReference(Float64Array.of(l[i]), Float64Array.of(lhat[i]), Float64Array.of(1), tape);
    sum += squaredRootGap(variances[0], l[i], 1);
  }
  return sum;
}

/** lhat = l on even entries, (1 + 0.4 sin i) l on odd ones; base[3] repeated (even and odd entries: equal l, different lhat). */
function mixedModel(d: number): { l: Float64Array; lhat: Float64Array } {
  const base = randomSpectrum(11, d, 2);
  const l = Float64Array.from([...base, base[3], base[3], base[4]]);
  const lhat = Float64Array.from(l, (x, i) => (i % 2 === 0 ? x : (1 + 0.4 * Math.sin(i)) * x));
  return { l, lhat };
}

describe('model spectrum (edmSamplerError)', () => {
  const spectrum = randomSpectrum(5, 30, 3);

  it('the default is the spectrum itself, bit for bit', async () => {
    for (const sampler of ['euler', 'heun', 'dpmpp_2m_sde']) {
      const a = await edmSamplerError(spectrum, { sampler, steps: 12 });
      const b = await edmSamplerError(spectrum, { sampler, steps: 12, modelSpectrum: spectrum });
      expect(b.w2Squared).toBe(a.w2Squared);
      expect(b.variances).toEqual(a.variances);
      expect(b.curve).toEqual(a.curve);
      expect(b.values).toEqual(a.values);
      expect(b.modelValues).toEqual(a.values);
      expect(b.counts).toEqual(a.counts);
      expect(a.modelValues).toEqual(a.values);
    }
  });

  it('a model equal to the data on some entries and scaled on others: W2 of the direct per-entry computation', async () => {
    const { l, lhat } = mixedModel(25);
    const sigmas = karrasSigmas(15, 0.002, 80, 7);
    for (const sampler of ['euler', 'heun', 'dpmpp_2m', 'lms', 'euler_ancestral']) {
      const want = directW2Squared(l, lhat, EDM_SAMPLERS[sampler].build(sigmas, {}));
      for (const backend of ['wasm', 'reference']) {
        const got = await edmSamplerError(l, { sampler, sigmas, modelSpectrum: lhat, backend });
        expect(Math.abs(got.w2Squared - want)).toBeLessThanOrEqual(1e-12 * want);
        let sum = 0;
        for (const c of got.contributions) sum += c;
        expect(Math.abs(sum - got.w2Squared)).toBeLessThanOrEqual(1e-14 * want);
      }
    }
  });

  it('W2 grows with the model error lhat = (1 + delta) l (heun, 50 steps)', async () => {
    const w2: number[] = [];
    for (const delta of [0, 0.1, 0.5]) {
      const res = await edmSamplerError(spectrum, { sampler: 'heun', steps: 50, modelSpectrum: Array.from(spectrum, (x) => (1 + delta) * x) });
      w2.push(res.w2);
    }
    console.log(`heun 50 steps, lhat = (1 + delta) l: W2 for delta = 0, 0.1, 0.5: ${w2.map((x) => x.toExponential(4)).join(', ')}`);
    expect(w2[1]).toBeGreaterThan(w2[0]);
    expect(w2[2]).toBeGreaterThan(w2[1]);
  });

  it('one euler step [sigma, 0] from the exact start: variance (lhat / (lhat + sigma^2))^2 (l + sigma^2), zero lhat included', async () => {
    const l = Float64Array.of(0, 1e-9, 1e-4, 0.3, 2, 2, 7);
    const lhat = Float64Array.of(0, 0, 2e-4, 0.3, 0, 1.5, 9);
    for (const sigma of [1e-3, 1e-6, 0.5]) {
      const res = await edmSamplerError(l, { sampler: 'euler', sigmas: [sigma, 0], start: 'exact', modelSpectrum: lhat });
      for (let i = 0; i < res.values.length; i++) {
        const [li, mi] = [res.values[i], res.modelValues[i]];
        const want = (mi / (mi + sigma ** 2)) ** 2 * (li + sigma ** 2); // D = lhat / (lhat + sigma^2) x, x ~ N(0, l + sigma^2)
        expect(Number.isFinite(res.variances[i])).toBe(true);
        expect(Math.abs(res.variances[i] - want)).toBeLessThanOrEqual(1e-12 * (li + sigma ** 2));
      }
      expect(Number.isFinite(res.w2)).toBe(true);
    }
  });

  it('a zero lhat gives finite results for every sampler (the model is never evaluated at sigma = 0)', async () => {
    const l = Float64Array.of(0, 0.5, 1, 3);
    const lhat = Float64Array.of(0, 0, 1, 0);
    for (const sampler of EDM_SAMPLER_NAMES) {
      const res = await edmSamplerError(l, { sampler, steps: 8, modelSpectrum: lhat });
      expect([res.w2, ...res.variances, ...res.curve].every(Number.isFinite), sampler).toBe(true);
    }
  });

  it('pairs merge when equal, and equal l with different lhat stay separate', async () => {
    const m = mergePairs([2, 1, 2, 1, 2, 0], [3, 1, 2, 1, 3, 0], [1, 1, 1, 1, 1, 1]);
    expect(Array.from(m.values)).toEqual([0, 1, 2, 2]);
    expect(Array.from(m.modelValues)).toEqual([0, 1, 2, 3]);
    expect(Array.from(m.counts)).toEqual([1, 2, 1, 2]);
    const res = await edmSamplerError([2, 1, 2, 1, 2, 0], { sampler: 'euler', steps: 5, modelSpectrum: [3, 1, 2, 1, 3, 0] });
    expect(Array.from(res.values)).toEqual([0, 1, 2, 2]);
    expect(Array.from(res.modelValues)).toEqual([0, 1, 2, 3]);
    expect(Array.from(res.counts)).toEqual([1, 2, 1, 2]);
    expect(res.variances[2]).not.toBe(res.variances[3]);
    // A prepared Spectrum takes one lhat per distinct value, weighted by its multiplicity.
    const spec = prepareSpectrum([1, 1, 4]);
    const viaSpec = await edmSamplerError(spec, { sampler: 'euler', steps: 5, modelSpectrum: [2, 4] });
    const viaArray = await edmSamplerError([1, 1, 4], { sampler: 'euler', steps: 5, modelSpectrum: [2, 2, 4] });
    expect(viaSpec.w2Squared).toBe(viaArray.w2Squared);
    expect(Array.from(viaSpec.counts)).toEqual([2, 1]);
  });

  it('typed errors naming modelSpectrum, and nothing mutated', async () => {
    const code = async (modelSpectrum: unknown, spec: ArrayLike<number> = [1, 2, 3]) => {
      try {
        await edmSamplerError(spec, { sampler: 'euler', steps: 4, modelSpectrum: modelSpectrum as number[] });
      } catch (e) {
        expect(e).toBeInstanceOf(GaussdiffError);
        return `${(e as GaussdiffError).code} ${(e as GaussdiffError).argument}`;
      }
      return 'no error';
    };
    expect(await code([1, 2])).toBe('INVALID_SHAPE modelSpectrum');
    expect(await code([])).toBe('INVALID_SHAPE modelSpectrum');
    expect(await code(3)).toBe('INVALID_SHAPE modelSpectrum');
    expect(await code([1, NaN, 2])).toBe('NON_FINITE modelSpectrum');
    expect(await code([1, Infinity, 2])).toBe('NON_FINITE modelSpectrum');
    expect(await code([1, '2', 2])).toBe('NON_FINITE modelSpectrum');
    expect(await code([1, -1e-300, 2])).toBe('NEGATIVE_EIGENVALUE modelSpectrum');
    expect(await code([1, 2, 3], [1, NaN, 3])).toBe('NON_FINITE spectrum');
    const l = Float64Array.of(3, 1, 2, 1);
    const lhat = [0.5, 1, 2.5, 1];
    const [l0, lhat0] = [l.slice(), lhat.slice()];
    await edmSamplerError(l, { sampler: 'heun', steps: 6, modelSpectrum: lhat });
    expect(l).toEqual(l0);
    expect(lhat).toEqual(lhat0);
  });
});

describe('model spectrum (discreteSamplerError)', () => {
  it('ddim: the default is the spectrum itself, and a model spectrum gives the direct per-entry W2', async () => {
    const { l, lhat } = mixedModel(20);
    const a = await discreteSamplerError(l, { sampler: 'ddim', steps: 25 });
    const b = await discreteSamplerError(l, { sampler: 'ddim', steps: 25, modelSpectrum: l });
    expect(b.w2Squared).toBe(a.w2Squared);
    expect(b.curve).toEqual(a.curve);
    const tape = DISCRETE_SAMPLERS.ddim.build(discreteSchedule('linear', 1000), discreteTimesteps('ddim', 1000, { steps: 25 }), { eta: 0.5 });
    const want = directW2Squared(l, lhat, tape);
    const got = await discreteSamplerError(l, { sampler: 'ddim', steps: 25, eta: 0.5, modelSpectrum: lhat });
    expect(Math.abs(got.w2Squared - want)).toBeLessThanOrEqual(1e-12 * want);
    expect(got.w2Squared).not.toBe(a.w2Squared);
    await expect(discreteSamplerError(l, { sampler: 'ddim', steps: 25, modelSpectrum: [1] })).rejects.toMatchObject({ code: 'INVALID_SHAPE', argument: 'modelSpectrum' });
  });
});

describe('model spectrum where it has no meaning', () => {
  it('validateSampler, validateDiscreteSampler (particles of the exact denoiser) and convergenceOrder refuse it', async () => {
    const modelSpectrum = [1, 2, 3];
    await expect(validateSampler([1, 2, 3], { sampler: 'euler', steps: 4, modelSpectrum })).rejects.toMatchObject({ code: 'UNKNOWN_OPTION' });
    await expect(validateDiscreteSampler([1, 2, 3], { sampler: 'ddim', steps: 4, modelSpectrum })).rejects.toMatchObject({ code: 'UNKNOWN_OPTION' });
    await expect(convergenceOrder([1, 2, 3], { sampler: 'euler', modelSpectrum } as never)).rejects.toMatchObject({ code: 'UNKNOWN_OPTION' });
  });
});
