/**
 * Options objects (issue 8, defect 8): every public function that takes one rejects an unknown key with
 * UNKNOWN_OPTION (naming the key, listing the known ones, "did you mean" for a near miss) and a null or
 * non-object options argument with INVALID_OPTION, before any work; valid options still work. On the old
 * main, `table(s, { step: 50 })` silently ran with the default steps.
 */
import { describe, expect, it } from 'vitest';
import {
  GaussdiffError, table, samplerError, curve, w2VsEps, contributions, validate, validateDense, vpLinear, cosine, eigh, covariance,
  buresW2, normals, uniforms, normalsInto, uniformsInto, sampleSpectrum, sampleCovariance, sampleStationary,
  synthesizeAdsn, fft, fft2, powerSpectrum, spectrumOfSamples, mnistSpectrum, type Image,
} from '../../src/node.js';
import { namedSpectrum } from '../../src/spectra/index.js';
import { editDistance } from '../../src/core/options.js';
import { expectError } from '../helpers/errors.js';

const spectrum = [0.5, 1, 2];
const image: Image = { width: 4, height: 4, channels: 1, data: Float64Array.from({ length: 16 }, (_, i) => (i * 7 % 16) / 16) };
const samples = [1, 2, 3, 5, 4, 1]; // 3 samples of dimension 2
const schedule = ['betaMin', 'betaMax', 'horizon'];
/** The reports' schedule keys: its name and every schedule's own keys. */
const schedules = ['schedule', ...schedule, 'cosineS', 'cosineBetaMax'];
const run = ['backend', 'threads', 'onProgress'];
const mc = { scheme: 'em', steps: 10, eps: 1e-3, init: 'pT', particles: 8, seed: 1 } as const;

interface Case {
  name: string;
  /** Call the function with these options. */
  call: (opts: unknown) => unknown;
  /** Its known keys, as documented on its options type. */
  known: string[];
  /** Valid options (merged into every probe: some options are required). */
  valid: Record<string, unknown>;
  /** Whether `undefined` options are allowed (all defaults). */
  optional: boolean;
}

const o = (x: unknown) => x as never;
const cases: Case[] = [
  { name: 'table', call: (x) => table(spectrum, o(x)), known: ['schemes', 'steps', 'eps', 'inits', ...schedules, ...run], valid: { steps: [10], eps: [1e-3] }, optional: true },
  { name: 'samplerError', call: (x) => samplerError(spectrum, o(x)), known: ['scheme', 'init', 'steps', 'eps', 'grid', ...schedules, ...run], valid: { steps: 10 }, optional: true },
  { name: 'curve', call: (x) => curve(spectrum, o(x)), known: ['schemes', 'inits', 'every', 'steps', 'eps', 'grid', ...schedules, ...run], valid: { steps: 10 }, optional: true },
  { name: 'w2VsEps', call: (x) => w2VsEps(spectrum, o(x)), known: ['schemes', 'inits', 'steps', 'eps', ...schedules, ...run], valid: { eps: [1e-3], steps: 10 }, optional: false },
  { name: 'contributions', call: (x) => contributions(spectrum, o(x)), known: ['scheme', 'init', 'steps', 'eps', 'grid', ...schedules, ...run], valid: { steps: 10 }, optional: true },
  { name: 'validate', call: (x) => validate(spectrum, o(x)), known: ['scheme', 'steps', 'eps', 'init', 'particles', 'seed', ...schedules], valid: mc, optional: false },
  { name: 'validateDense', call: (x) => validateDense(spectrum, o(x)), known: ['scheme', 'steps', 'eps', 'init', 'particles', 'seed', ...schedules], valid: mc, optional: false },
  { name: 'vpLinear', call: (x) => vpLinear(o(x)), known: schedule, valid: { betaMax: 20 }, optional: true },
  { name: 'cosine', call: (x) => cosine(o(x)), known: ['cosineS', 'cosineBetaMax', 'horizon'], valid: { cosineS: 0.01 }, optional: true },
  { name: 'eigh', call: (x) => eigh([2, 1, 1, 2], 2, o(x)), known: ['vectors'], valid: { vectors: false }, optional: true },
  { name: 'covariance', call: (x) => covariance(samples, 3, 2, o(x)), known: ['center'], valid: { center: true }, optional: true },
  { name: 'buresW2', call: (x) => buresW2([2, 1, 1, 2], [1, 0, 0, 1], 2, o(x)), known: ['meanA', 'meanB'], valid: { meanA: [1, 0] }, optional: true },
  { name: 'normals', call: (x) => normals(4, o(x)), known: ['seed', 'offset'], valid: { seed: 1, offset: 2 }, optional: true },
  { name: 'uniforms', call: (x) => uniforms(4, o(x)), known: ['seed', 'offset'], valid: { seed: 1, offset: 2 }, optional: true },
  { name: 'normalsInto', call: (x) => normalsInto(new Float64Array(4), o(x)), known: ['seed', 'offset'], valid: { seed: 1 }, optional: true },
  { name: 'uniformsInto', call: (x) => uniformsInto(new Float64Array(4), o(x)), known: ['seed', 'offset'], valid: { seed: 1 }, optional: true },
  { name: 'sampleSpectrum', call: (x) => sampleSpectrum([1, 2], 3, o(x)), known: ['seed'], valid: { seed: 1 }, optional: false },
  { name: 'sampleCovariance', call: (x) => sampleCovariance([2, 1, 1, 2], 2, 3, o(x)), known: ['seed', 'method', 'mean'], valid: { seed: 1, method: 'cholesky' }, optional: false },
  { name: 'sampleStationary', call: (x) => sampleStationary(new Float64Array(16).fill(1), 4, 4, o(x)), known: ['seed'], valid: { seed: 1 }, optional: false },
  { name: 'synthesizeAdsn', call: (x) => synthesizeAdsn(image, o(x)), known: ['seed'], valid: { seed: 1 }, optional: false },
  { name: 'fft', call: (x) => fft([1, 2, 3], null, o(x)), known: ['inverse'], valid: { inverse: true }, optional: true },
  { name: 'fft2', call: (x) => fft2([1, 2, 3, 4], null, 2, 2, o(x)), known: ['inverse'], valid: { inverse: true }, optional: true },
  { name: 'powerSpectrum', call: (x) => powerSpectrum(image, o(x)), known: ['periodic'], valid: { periodic: true }, optional: true },
  { name: 'spectrumOfSamples', call: (x) => spectrumOfSamples(samples, 3, 2, o(x)), known: ['center'], valid: { center: true }, optional: true },
  { name: 'mnistSpectrum', call: (x) => mnistSpectrum(o(x)), known: ['onProgress'], valid: { onProgress: () => {} }, optional: true },
  { name: 'namedSpectrum', call: (x) => namedSpectrum('image-like', o(x)), known: ['onProgress'], valid: { onProgress: () => {} }, optional: true },
];

/** Run `f` (sync or async) and return what it threw or rejected with. */
async function thrown(f: () => unknown): Promise<unknown> {
  try {
    await f();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe.each(cases)('$name options', ({ name, call, known, valid, optional }) => {
  it('rejects an unknown key with UNKNOWN_OPTION naming it and listing exactly the known keys', async () => {
    const err = await expectError(() => call({ ...valid, zzUnknown: 1 }), 'UNKNOWN_OPTION', /^(opts|options)\.zzUnknown$/);
    expect(err.message).toContain('"zzUnknown"');
    expect(err.message).not.toMatch(/did you mean/);
    expect(err.allowed.split(', ').sort()).toEqual([...known].sort());
  });

  it('rejects null and non-object options with INVALID_OPTION', async () => {
    for (const bad of [null, 3, 'steps', [1, 2]]) {
      await expectError(() => call(bad), 'INVALID_OPTION', /^(opts|options)$/);
    }
  });

  it('runs with valid options (and with none when they are optional)', async () => {
    expect(await thrown(() => call(valid)), `${name} with ${Object.keys(valid).join(', ')}`).toBeUndefined();
    if (optional) expect(await thrown(() => call(undefined))).toBeUndefined();
  });
});

describe('did you mean', () => {
  it('suggests the known key within edit distance 2 (the defect: table(s, { step: 50 }))', async () => {
    const err = await expectError(table(spectrum, { step: 50 } as never), 'UNKNOWN_OPTION', 'opts.step', /did you mean steps\?/);
    expect(err).toBeInstanceOf(GaussdiffError);
    await expectError(samplerError(spectrum, { shceme: 'ei' } as never), 'UNKNOWN_OPTION', 'opts.shceme', /did you mean scheme\?/);
    await expectError(table(spectrum, { betamax: 5 } as never), 'UNKNOWN_OPTION', 'opts.betamax', /did you mean betaMax\?/);
    await expectError(normals(3, { sed: 2 } as never), 'UNKNOWN_OPTION', 'opts.sed', /did you mean seed\?/);
    await expectError(eigh([1], 1, { vector: false } as never), 'UNKNOWN_OPTION', 'options.vector', /did you mean vectors\?/);
  });

  it('suggests nothing beyond distance 2', async () => {
    const err = await expectError(table(spectrum, { stepsCount: 50 } as never), 'UNKNOWN_OPTION', 'opts.stepsCount');
    expect(err.message).not.toMatch(/did you mean/);
  });

  it('measures edit distance with insertions, deletions, substitutions and adjacent swaps', () => {
    // Against a plain Levenshtein recursion (no swaps) on small words: swaps can only lower the distance, by at most 1 per swap.
    const lev = (a: string, b: string): number =>
      !a.length ? b.length : !b.length ? a.length
        : Math.min(lev(a.slice(1), b) + 1, lev(a, b.slice(1)) + 1, lev(a.slice(1), b.slice(1)) + (a[0] === b[0] ? 0 : 1));
    const words = ['', 'a', 'ab', 'ba', 'step', 'steps', 'stpes', 'seed', 'sede', 'eps', 'horizon'];
    for (const a of words) {
      for (const b of words) {
        const d = editDistance(a, b);
        expect(d).toBe(editDistance(b, a));
        expect(d).toBeLessThanOrEqual(lev(a, b));
        expect(d === 0).toBe(a === b);
      }
    }
    expect(editDistance('stpes', 'steps')).toBe(1); // one swap; Levenshtein says 2
    expect(lev('stpes', 'steps')).toBe(2);
    expect(editDistance('step', 'steps')).toBe(1);
    expect(editDistance('eps', 'steps')).toBe(2);
  });
});

describe('no work before the check', () => {
  it('reads no entry of the spectrum when the options are bad', async () => {
    let reads = 0;
    const watched = new Proxy([1, 2, 3], {
      get(target, prop, recv) {
        if (typeof prop === 'string' && /^\d+$/.test(prop)) reads++;
        return Reflect.get(target, prop, recv);
      },
    });
    await expectError(table(watched, { step: 50 } as never), 'UNKNOWN_OPTION');
    await expectError(table(watched, null as never), 'INVALID_OPTION');
    expect(reads).toBe(0);
  });
});
