/**
 * samplerCurve and samplerTable (src/diffusion/reports/samplers.ts): the curve's levels and values against an
 * independent per-mode Euler written here from k-diffusion's sample_euler, dpm_fast's own grid, the table's
 * cells against samplerError, and typed errors before any work.
 */
import { describe, expect, it } from 'vitest';
import { samplerError, karrasSigmas } from '../../src/node.js';
import { samplerCurve, samplerTable, formatSamplerTable } from '../../src/diffusion/reports/samplers.js';
import { expectError } from '../helpers/errors.js';

const values = [0, 0.003, 0.05, 0.4, 0.4, 2, 7, 30];

describe('samplerCurve', () => {
  it('matches a direct per-mode Euler (k-diffusion sample_euler with the exact denoiser) after every step, to 1e-12', async () => {
    const steps = 9;
    const s = karrasSigmas(steps, 0.002, 80, 7); // steps levels and the appended 0
    const r = await samplerCurve(values, { sampler: 'euler', steps });
    expect(r.nfe).toBe(steps);
    expect([...r.sigmas!]).toEqual([...s.slice(1)]);
    // Per entry l: x <- x + (s_{k+1} - s_k) (x - D(x)) / s_k, D(x) = l / (l + s_k^2) x; start N(0, s_0^2).
    const v = values.map(() => s[0] ** 2);
    for (let k = 0; k < steps; k++) {
      values.forEach((l, i) => { v[i] *= (1 + (s[k + 1] - s[k]) * s[k] / (l + s[k] ** 2)) ** 2; });
      const w2 = Math.sqrt(values.reduce((acc, l, i) => acc + (Math.sqrt(v[i]) - Math.sqrt(l + s[k + 1] ** 2)) ** 2, 0));
      expect(Math.abs(r.w2[k] - w2)).toBeLessThanOrEqual(1e-12 * Math.max(w2, 1));
    }
    expect(r.w2[steps - 1]).toBe((await samplerError(values, { sampler: 'euler', steps })).w2);
  });

  it('gives dpm_fast its own grid: floor(n/3) + 1 levels uniform in log sigma down to sigma_min', async () => {
    const n = 10;
    const r = await samplerCurve(values, { sampler: 'dpm_fast', steps: n, sigmaMin: 0.01, sigmaMax: 50 });
    const m = Math.floor(n / 3) + 1;
    expect(r.sigmas!.length).toBe(m);
    r.sigmas!.forEach((sigma, k) => {
      const expected = Math.exp(Math.log(50) + ((k + 1) / m) * (Math.log(0.01) - Math.log(50)));
      expect(Math.abs(sigma - expected)).toBeLessThanOrEqual(1e-12 * expected);
    });
  });
});

describe('samplerTable', () => {
  it('has one row per sampler x start x steps, equal to samplerError, and mutates nothing', async () => {
    const spectrum = Float64Array.from(values);
    const opts = { samplers: ['heun', 'ddpm'], steps: [4, 11], starts: ['exact', 'prior'] as ('prior' | 'exact')[], backend: 'reference' };
    const frozen = JSON.stringify(opts);
    const r = await samplerTable(spectrum, opts);
    expect(JSON.stringify(opts)).toBe(frozen);
    expect([...spectrum]).toEqual(values);
    expect(r.rows.map((x) => `${x.sampler}/${x.start}/${x.steps}`)).toEqual([
      'heun/exact/4', 'heun/exact/11', 'heun/prior/4', 'heun/prior/11', 'ddpm/exact/4', 'ddpm/exact/11', 'ddpm/prior/4', 'ddpm/prior/11']);
    for (const row of r.rows) {
      const api = await samplerError(values, { sampler: row.sampler, steps: row.steps, start: row.start, backend: 'reference' });
      expect(row).toEqual({ sampler: row.sampler, start: row.start, steps: row.steps, nfe: api.nfe, w2: api.w2 });
    }
    expect(r.rows[0].nfe).toBe(7); // heun: 2n - 1
    const text = formatSamplerTable(r, 3).split('\n');
    expect(text[0].split(/\s{2,}/)).toEqual(['sampler', 'start', '4 steps', '11 steps']);
    expect(text[2].trim().split(/\s+/)).toEqual(['heun', 'exact', r.rows[0].w2.toPrecision(3), r.rows[1].w2.toPrecision(3)]);
  });

  it('checks every option, the samplers\' own included, before the spectrum is read', async () => {
    const bad = [Number.NaN]; // a spectrum that would itself be refused (NON_FINITE)
    await expectError(samplerTable(bad, { samplers: ['euler', 'ddimm'] }), 'UNKNOWN_SCHEME', 'samplers[1]');
    await expectError(samplerTable(bad, { samplers: [] }), 'INVALID_OPTION', 'samplers');
    await expectError(samplerTable(bad, { samplers: ['euler'], steps: [0] }), 'INVALID_STEPS', 'steps[0]');
    await expectError(samplerTable(bad, { samplers: ['euler'], starts: ['pT' as 'prior'] }), 'INVALID_OPTION', 'starts[0]');
    await expectError(samplerTable(bad, { samplers: ['euler'], order: 2 }), 'INVALID_OPTION', 'order', /no sampler of euler takes it/);
    await expectError(samplerTable(bad, { samplers: ['euler'], step: [3] } as never), 'UNKNOWN_OPTION', /step/);
    // The second sampler's own option, its tape built before any work: ddim's eta must be in [0, 1].
    await expectError(samplerTable(bad, { samplers: ['euler_ancestral', 'ddim'], eta: 2 }), 'INVALID_OPTION', 'eta');
    await expectError(samplerTable(bad, { samplers: ['ddim'], steps: [2000] }), 'INVALID_STEPS', 'steps');
  });
});
