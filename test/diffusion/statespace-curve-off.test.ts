/**
 * The `curve: false` option of edmSamplerError and discreteSamplerError (issue 11, latency): the tape keeps
 * only its last MARK (lastMarkOnly), so the kernel skips the per-step sums. MARKs change no register, so the
 * results must be those of the full tape BIT FOR BIT (Object.is): w2, w2Squared, variances, contributions,
 * nfe, and the one curve point equals the full curve's last (the same sums in the same order). Checked for
 * every sampler of both frames, on both back ends, and for the callers that now pass curve: false
 * (samplerTable, rankSamplers, optimizeSigmas) against edmSamplerError / discreteSamplerError with the curve.
 */
import { describe, expect, it } from 'vitest';
import { rankSamplers, optimizeSigmas, convergenceOrder } from '../../src/node.js'; // also sets the Wasm source
import { edmSamplerError, type EdmSamplerErrorOptions } from '../../src/diffusion/statespace/index.js';
import { discreteSamplerError, DISCRETE_SAMPLER_NAMES } from '../../src/diffusion/discrete/index.js';
import { EDM_SAMPLERS, EDM_SAMPLER_NAMES } from '../../src/diffusion/edm/samplers/index.js';
import { karrasSigmas } from '../../src/diffusion/edm/sigmas.js';
import { OP_LIN, OP_MARK, OP_PREC, lastMarkOnly, type Tape } from '../../src/diffusion/statespace/tape.js';
import { samplerTable } from '../../src/diffusion/reports/samplers.js';
import { samplerError } from '../../src/diffusion/reports/outputs.js';
import { randomSpectrum } from '../helpers/random.js';
import { expectError } from '../helpers/errors.js';

const spectrum = randomSpectrum(11, 300, 3); // many decades, repeats and zeros
const model = spectrum.map((l, i) => l * (1 + 0.3 * Math.sin(i))); // a learned model's eigenvalues
const BACKENDS = ['wasm', 'reference'];

const same = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]));

type Result = Awaited<ReturnType<typeof edmSamplerError>>;
function expectSameFinal(full: Result, last: Result, what: string) {
  expect(full.curve.length, what).toBeGreaterThan(1);
  expect(last.curve.length, what).toBe(1);
  expect(Object.is(last.curve[0], full.curve[full.curve.length - 1]), `${what}: last curve point`).toBe(true);
  expect(Object.is(last.w2, full.w2) && Object.is(last.w2Squared, full.w2Squared), `${what}: w2 ${last.w2} vs ${full.w2}`).toBe(true);
  expect(last.nfe, what).toBe(full.nfe);
  for (const key of ['values', 'modelValues', 'counts', 'variances', 'contributions'] as const) {
    expect(same(last[key], full[key]), `${what}: ${key}`).toBe(true);
  }
}

/** The ops of a tape's code, each as its fields (tape.ts encoding). */
function ops(tape: Tape): number[][] {
  const out: number[][] = [];
  for (let pc = 0; pc < tape.code.length;) {
    const op = tape.code[pc];
    const width = op === OP_LIN ? 3 + 2 * tape.code[pc + 2] : op === OP_PREC ? 4 : 3;
    out.push(Array.from(tape.code.subarray(pc, pc + width)));
    pc += width;
  }
  return out;
}
const isMark = (op: number[]) => op[0] === OP_MARK;

describe('lastMarkOnly', () => {
  it('keeps every other op in order, and only the last MARK, renumbered 0, with its target', () => {
    const full = EDM_SAMPLERS.heun.build(karrasSigmas(12, 0.002, 80, 7), { sampler: 'heun', sChurn: 1 });
    const kept = lastMarkOnly(full);
    const marks = full.marks.length / 2;
    expect(marks).toBe(12);
    expect(kept.marks.length).toBe(2);
    expect(same(kept.marks, full.marks.subarray(2 * (marks - 1)))).toBe(true);
    expect(ops(kept).filter((op) => !isMark(op))).toEqual(ops(full).filter((op) => !isMark(op)));
    // The one MARK left comes after the same ops as the full tape's last one (which follows marks - 1 MARKs), on the same register.
    const lastFull = ops(full).findLastIndex(isMark);
    expect(ops(kept).findIndex(isMark)).toBe(lastFull - (marks - 1));
    expect(ops(kept).filter(isMark)).toEqual([[OP_MARK, ops(full)[lastFull][1], 0]]);
    expect(kept.nfe).toBe(full.nfe);
    expect(same(kept.slots, full.slots)).toBe(true);
  });
});

describe('curve: false gives the same final results bit for bit', () => {
  for (const sampler of EDM_SAMPLER_NAMES) {
    it(`k-diffusion ${sampler}: both back ends, both starts, the exact and a learned denoiser`, async () => {
      const def = EDM_SAMPLERS[sampler];
      const own: Partial<EdmSamplerErrorOptions> = def.churn ? { sChurn: 0.5 } : {};
      for (const backend of BACKENDS) {
        for (const start of ['prior', 'exact'] as const) {
          for (const modelSpectrum of [undefined, model]) {
            const opts: EdmSamplerErrorOptions = { sampler, steps: 9, start, backend, modelSpectrum, ...own };
            const what = `${sampler} ${backend} ${start}${modelSpectrum ? ' learned' : ''}`;
            expectSameFinal(await edmSamplerError(spectrum, opts), await edmSamplerError(spectrum, { ...opts, curve: false }), what);
          }
        }
      }
      // curve: true is the default, unchanged.
      const dflt = await edmSamplerError(spectrum, { sampler, steps: 9 });
      const explicit = await edmSamplerError(spectrum, { sampler, steps: 9, curve: true });
      expect(same(explicit.curve, dflt.curve)).toBe(true);
    });
  }
  for (const sampler of DISCRETE_SAMPLER_NAMES) {
    it(`diffusers ${sampler}: both back ends, both starts`, async () => {
      for (const backend of BACKENDS) {
        for (const start of ['prior', 'exact'] as const) {
          const opts = { sampler, steps: 9, start, backend };
          expectSameFinal(await discreteSamplerError(spectrum, opts), await discreteSamplerError(spectrum, { ...opts, curve: false }), `${sampler} ${backend} ${start}`);
        }
      }
    });
  }

  it('a bad curve is a typed error before any work, in both frames', async () => {
    await expectError(edmSamplerError(spectrum, { sampler: 'euler', steps: 5, curve: 'no' as unknown as boolean }), 'INVALID_OPTION', 'curve');
    await expectError(discreteSamplerError(spectrum, { sampler: 'ddim', steps: 5, curve: 1 as unknown as boolean }), 'INVALID_OPTION', 'curve');
    // Before the spectrum is read: a bad spectrum with a bad curve still reports the curve.
    await expectError(edmSamplerError([-1, Number.NaN], { sampler: 'euler', steps: 5, curve: null as unknown as boolean }), 'INVALID_OPTION', 'curve');
  });
});

describe('the callers that read only the final W2', () => {
  it('samplerTable: each row is samplerError with the full curve, bit for bit; curve is not a table option', async () => {
    const samplers = ['euler', 'heun', 'dpmpp_2m', 'lms', 'ddim', 'unipc'];
    const steps = [2, 5, 20];
    const { rows } = await samplerTable(spectrum, { samplers, steps, starts: ['prior', 'exact'], sigmaMin: 5e-3 });
    expect(rows).toHaveLength(samplers.length * 2 * steps.length);
    for (const r of rows) {
      const edm = EDM_SAMPLER_NAMES.includes(r.sampler);
      const full = await samplerError(spectrum, { sampler: r.sampler, steps: r.steps, start: r.start, ...(edm ? { sigmaMin: 5e-3 } : {}) } as EdmSamplerErrorOptions);
      expect(full.curve.length).toBeGreaterThan(1);
      expect(Object.is(r.w2, full.w2), `${r.sampler} ${r.start} ${r.steps}`).toBe(true);
      expect(r.nfe).toBe(full.nfe);
    }
    await expectError(samplerTable(spectrum, { samplers: ['euler'], curve: true } as never), 'UNKNOWN_OPTION', 'opts.curve');
  });

  it('rankSamplers: each W2 is the full-curve run bit for bit; convergenceOrder (which reads the curve) refuses curve', async () => {
    const { rows } = await rankSamplers(spectrum, { samplers: ['heun', 'dpmpp_2m', 'ddim'], nfe: [6, 20] });
    for (const r of rows) {
      if (r.steps === null) continue;
      const full = EDM_SAMPLER_NAMES.includes(r.sampler)
        ? await edmSamplerError(spectrum, { sampler: r.sampler, steps: r.steps })
        : await discreteSamplerError(spectrum, { sampler: r.sampler, steps: r.steps });
      expect(Object.is(r.w2, full.w2), `${r.sampler} at ${r.nfe}`).toBe(true);
    }
    await expectError(convergenceOrder(spectrum, { sampler: 'heun', curve: false } as never), 'UNKNOWN_OPTION', 'opts.curve');
  });

  it('optimizeSigmas: w2 and w2Karras are edmSamplerError with the full curve on the same levels, bit for bit', async () => {
    const r = await optimizeSigmas(spectrum, { sampler: 'dpmpp_2m', steps: 6, maxEvaluations: 40 });
    const best = await edmSamplerError(spectrum, { sampler: 'dpmpp_2m', sigmas: r.sigmas });
    const karras = await edmSamplerError(spectrum, { sampler: 'dpmpp_2m', sigmas: r.karrasSigmas });
    expect(best.curve.length).toBeGreaterThan(1);
    expect(Object.is(r.w2, best.w2) && Object.is(r.w2Karras, karras.w2)).toBe(true);
    expect(r.nfe).toBe(best.nfe);
  });
});
