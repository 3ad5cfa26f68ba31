/**
 * Rankings at equal cost and measured convergence orders (src/diffusion/rank.ts): stepsForNfe against
 * k-diffusion's evaluation counts and the tapes, rankSamplers against edmSamplerError run directly, the
 * NFE-50 ranking on the image-like spectrum, convergenceOrder against the nominal orders, typed errors.
 */
import { describe, expect, it } from 'vitest';
import { GaussdiffError, imageLikeSpectrum } from '../../src/node.js';
import { edmSamplerError } from '../../src/diffusion/statespace/index.js';
import { EDM_SAMPLERS } from '../../src/diffusion/edm/samplers/index.js';
import { karrasSigmas } from '../../src/diffusion/edm/sigmas.js';
import { convergenceOrder, rankSamplers, stepsForNfe } from '../../src/diffusion/rank.js';
import { DISCRETE_SAMPLER_NAMES, discreteSamplerError, discreteTape } from '../../src/diffusion/discrete/index.js';

/**
 * k-diffusion's denoiser calls for n steps (k_diffusion/sampling.py): one per step for euler and dpmpp_2m;
 * two per step for heun, dpm_2 and dpmpp_sde except the last, to sigma = 0, which is a single Euler step.
 */
const KDIFFUSION_NFE: Record<string, (n: number) => number> = {
  euler: (n) => n,
  dpmpp_2m: (n) => n,
  heun: (n) => 2 * n - 1,
  dpm_2: (n) => 2 * n - 1,
  dpmpp_sde: (n) => 2 * n - 1,
};

const tapeNfe = (sampler: string, n: number) => EDM_SAMPLERS[sampler].build(karrasSigmas(n, 0.002, 80, 7), {}).nfe;

describe('stepsForNfe', () => {
  for (const sampler of Object.keys(KDIFFUSION_NFE)) {
    it(`${sampler}: the most steps whose k-diffusion count fits the budget, as the tapes count`, () => {
      for (const budget of [1, 2, 3, 4, 9, 10, 11, 20, 49, 50, 51, 1000]) {
        // Independent: the largest n with count(n) <= budget, by counting up.
        let expected = 0;
        while (KDIFFUSION_NFE[sampler](expected + 1) <= budget) expected++;
        const steps = stepsForNfe(sampler, budget);
        expect(steps, `${sampler} at ${budget}`).toBe(expected);
        // The tapes agree: n steps fit, n + 1 do not.
        expect(tapeNfe(sampler, steps!)).toBeLessThanOrEqual(budget);
        expect(tapeNfe(sampler, steps! + 1)).toBeGreaterThan(budget);
      }
    });
  }

  it('every sampler affords one step with one evaluation (its last step to 0 is a plain denoising)', () => {
    for (const sampler of Object.keys(EDM_SAMPLERS)) expect(stepsForNfe(sampler, 1), sampler).toBe(1);
  });
});

describe('rankSamplers', () => {
  const values = [0, 1e-4, 0.003, 0.05, 0.05, 0.4, 1, 2.5, 9];
  const samplers = ['euler', 'heun', 'dpmpp_2m', 'dpmpp_sde', 'euler_ancestral'];
  const nfe = [3, 8, 25];
  const schedule = { schedule: 'exponential' as const, sigmaMin: 0.01, sigmaMax: 40, start: 'exact' as const };

  it('rows are edmSamplerError at the chosen steps; best is the argmin per budget', async () => {
    const r = await rankSamplers(values, { samplers, nfe, ...schedule });
    expect(r.rows.map((row) => [row.sampler, row.nfe])).toEqual(samplers.flatMap((s) => nfe.map((b) => [s, b])));
    for (const row of r.rows) {
      expect(row.steps).toBe(stepsForNfe(row.sampler, row.nfe));
      const direct = await edmSamplerError(values, { sampler: row.sampler, steps: row.steps!, ...schedule });
      expect(row.w2, `${row.sampler} at ${row.nfe}`).toBe(direct.w2);
      expect(direct.nfe).toBeLessThanOrEqual(row.nfe);
    }
    for (const budget of nfe) {
      const column = r.rows.filter((row) => row.nfe === budget);
      const min = Math.min(...column.map((row) => row.w2!));
      const winner = column.find((row) => row.w2 === min)!;
      expect(r.best.find((b) => b.nfe === budget)).toEqual({ nfe: budget, sampler: winner.sampler, steps: winner.steps, w2: min });
    }
    expect(r.best.map((b) => b.nfe)).toEqual(nfe);
    // A stochastic sampler is ranked like the others, and does not win at 25 NFE here.
    expect(r.best.find((b) => b.nfe === 25)!.sampler).not.toBe('euler_ancestral');
  });

  it('image-like spectrum at NFE 50 (k-diffusion defaults): heun and dpmpp_2m beat euler', async () => {
    const names = ['euler', 'heun', 'dpm_2', 'dpmpp_2m', 'lms', 'euler_ancestral', 'dpmpp_sde', 'dpmpp_2m_sde'];
    const r = await rankSamplers(imageLikeSpectrum(), { samplers: names, nfe: [10, 20, 50] });
    const w2 = (sampler: string, budget: number) => r.rows.find((row) => row.sampler === sampler && row.nfe === budget)!.w2!;
    console.log(`W2 at equal NFE (image-like spectrum, Karras 0.002..80, rho 7, prior start)\n${'sampler'.padEnd(16)}${[10, 20, 50].map((b) => `NFE ${b}`.padStart(14)).join('')}\n${
      names.map((s) => s.padEnd(16) + [10, 20, 50].map((b) => w2(s, b).toPrecision(5).padStart(14)).join('')).join('\n')}\nbest: ${
      r.best.map((b) => `NFE ${b.nfe}: ${b.sampler} (${b.steps} steps, W2 ${b.w2.toPrecision(5)})`).join('; ')}`);
    expect(w2('heun', 50)).toBeLessThan(w2('euler', 50));
    expect(w2('dpmpp_2m', 50)).toBeLessThan(w2('euler', 50));
  });

  const bad: Array<[string, unknown, string, RegExp]> = [
    ['unknown sampler', { samplers: ['euler', 'dpmpp_2n'], nfe: [10] }, 'UNKNOWN_SCHEME', /samplers\[1\]: got string "dpmpp_2n" \(did you mean dpmpp_2m\?\)/],
    ['empty samplers', { samplers: [], nfe: [10] }, 'INVALID_OPTION', /samplers: got an empty list/],
    ['samplers not a list', { samplers: 'euler', nfe: [10] }, 'INVALID_OPTION', /samplers/],
    ['empty nfe', { samplers: ['euler'], nfe: [] }, 'INVALID_OPTION', /nfe: got an empty list/],
    ['zero nfe', { samplers: ['euler'], nfe: [10, 0] }, 'INVALID_OPTION', /nfe\[1\]: got number 0/],
    ['fractional nfe', { samplers: ['euler'], nfe: [2.5] }, 'INVALID_OPTION', /nfe\[0\]: got number 2.5/],
    ['NaN nfe', { samplers: ['euler'], nfe: [NaN] }, 'INVALID_OPTION', /nfe\[0\]/],
    ['misspelt key', { samplers: ['euler'], nfe: [10], sigmaMax: 80, sigma_min: 1 }, 'UNKNOWN_OPTION', /sigma_min/],
    ['sampler option', { samplers: ['euler'], nfe: [10], sChurn: 1 }, 'UNKNOWN_OPTION', /sChurn/],
    ['bad schedule value', { samplers: ['euler'], nfe: [10], sigmaMin: -1 }, 'INVALID_SCHEDULE', /sigmaMin/],
    ['bad start', { samplers: ['euler'], nfe: [10], start: 'prio' }, 'INVALID_OPTION', /start/],
  ];
  for (const [name, opts, code, message] of bad) {
    it(`typed error before any work: ${name}`, async () => {
      // An empty spectrum would be an error too: the options are checked first.
      const err = await rankSamplers([], opts as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GaussdiffError);
      expect((err as GaussdiffError).code).toBe(code);
      expect((err as GaussdiffError).message).toMatch(message);
    });
  }

  it('stepsForNfe refuses an unknown sampler (did you mean) and a budget that is not a positive integer', () => {
    expect(() => stepsForNfe('hune', 10)).toThrow(/did you mean heun/);
    for (const b of [0, -3, 1.5, NaN, Infinity]) expect(() => stepsForNfe('euler', b)).toThrow(GaussdiffError);
  });
});

describe('convergenceOrder (image-like spectrum, Karras rho 7, exact start; W2 at sigma_min)', () => {
  const spectrum = imageLikeSpectrum();
  const runs: Array<{ sampler: string; nominal: number; within: number; steps?: number[]; sigmaMin?: number }> = [
    { sampler: 'euler', nominal: 1, within: 0.15 },
    { sampler: 'heun', nominal: 2, within: 0.15 },
    { sampler: 'dpmpp_2m', nominal: 2, within: 0.15 },
    { sampler: 'dpm_2', nominal: 2, within: 0.15 },
    // lms: k-diffusion's start-up steps run at orders 1-3; order 4 shows at moderate n (see edm-samplers.test.ts).
    { sampler: 'lms', nominal: 4, within: 0.4, steps: [48, 64, 96, 128], sigmaMin: 0.02 },
  ];
  for (const { sampler, nominal, within, steps, sigmaMin } of runs) {
    it(`${sampler}: about ${nominal} (within ${within})`, async () => {
      const r = await convergenceOrder(spectrum, { sampler, ...(steps ? { steps } : {}), ...(sigmaMin ? { sigmaMin } : {}) });
      console.log(`${sampler}: order ${r.order.toFixed(3)}, local slopes ${r.slopes.map((s) => s.toFixed(3)).join(', ')} at n = ${r.steps.join(', ')}`);
      expect(Math.abs(r.order - nominal)).toBeLessThan(within);
      expect(r.slopes).toHaveLength(r.steps.length - 1);
      // Independent of the fit: the W2 at sigma_min is the curve point n - 2 of edmSamplerError.
      const n = r.steps[0];
      const direct = await edmSamplerError(spectrum, { sampler, steps: n, start: 'exact', ...(sigmaMin ? { sigmaMin } : {}) });
      expect(r.w2[0]).toBe(Math.sqrt(direct.curve[n - 2]));
      expect(r.slopes[0]).toBeCloseTo(Math.log(r.w2[1] / r.w2[0]) / Math.log(r.steps[1] / r.steps[0]), 12);
    });
  }

  const bad: Array<[string, unknown, string]> = [
    ['unknown sampler', { sampler: 'eulr' }, 'did you mean euler'],
    ['one step count', { sampler: 'euler', steps: [64] }, 'steps'],
    ['steps below 2', { sampler: 'euler', steps: [1, 4] }, 'steps[0]'],
    ['not increasing', { sampler: 'euler', steps: [64, 32] }, 'steps[1]'],
    ['sigmas given', { sampler: 'euler', sigmas: [1, 0] }, 'sigmas'],
  ];
  for (const [name, opts, message] of bad) {
    it(`typed error: ${name}`, async () => {
      const err = await convergenceOrder([], opts as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GaussdiffError);
      expect((err as GaussdiffError).message).toContain(message);
    });
  }

  it('a spectrum on which the sampler is exact has no order: typed error, not NaN', async () => {
    // l = 0: the exact denoiser is 0 and euler's step x sigma_{k+1} / sigma_k follows the marginal exactly.
    const err = await convergenceOrder([0, 0], { sampler: 'euler' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GaussdiffError);
    expect((err as GaussdiffError).message).toMatch(/no error to measure an order on/);
  });
});

describe('rankSamplers with settings (the grid SETTINGS_GRID of each sampler\'s own options)', () => {
  const values = [0, 1e-4, 0.003, 0.05, 0.4, 1, 2.5, 9];
  const samplers = ['euler', 'dpmpp_2m', 'euler_ancestral', 'dpmpp_2m_sde', 'dpm_fast'];
  const nfe = [4, 12];
  const schedule = { schedule: 'exponential' as const, sigmaMin: 0.01, sigmaMax: 40, start: 'exact' as const };

  it('each row is at most the default W2 and equals edmSamplerError with its reported options; best uses them', async () => {
    const plain = await rankSamplers(values, { samplers, nfe, ...schedule });
    const r = await rankSamplers(values, { samplers, nfe, ...schedule, settings: true });
    expect(r.rows.map((row) => [row.sampler, row.nfe, row.steps])).toEqual(plain.rows.map((row) => [row.sampler, row.nfe, row.steps]));
    for (const [i, row] of r.rows.entries()) {
      expect(row.w2!, `${row.sampler} at ${row.nfe}`).toBeLessThanOrEqual(plain.rows[i].w2!);
      const direct = await edmSamplerError(values, { sampler: row.sampler, steps: row.steps!, ...schedule, ...row.options });
      expect(row.w2).toBe(direct.w2);
      // Every grid point is at least as bad (independent rerun of the grid).
      const keys = [...(EDM_SAMPLERS[row.sampler].churn ? ['sChurn'] : []), ...(EDM_SAMPLERS[row.sampler].options ?? [])];
      if (keys.includes('eta')) {
        for (const eta of [0, 0.5, 1]) {
          const w = (await edmSamplerError(values, { sampler: row.sampler, steps: row.steps!, ...schedule, ...row.options, eta })).w2;
          expect(row.w2!).toBeLessThanOrEqual(w);
        }
      }
      if (keys.includes('sChurn')) {
        for (const sChurn of [0, 1, 5, 20]) expect(row.w2!).toBeLessThanOrEqual((await edmSamplerError(values, { sampler: row.sampler, steps: row.steps!, ...schedule, sChurn })).w2);
      }
    }
    // Tried: the distinct settings (defaults + grid points whose tape differs from the defaults').
    const tried = (s: string) => r.rows.find((row) => row.sampler === s)!.tried;
    expect(tried('euler')).toBe(4); // sChurn 0 is the default
    expect(tried('euler_ancestral')).toBe(3); // eta 1 is the default
    expect(tried('dpmpp_2m_sde')).toBe(6); // eta x solverType, (1, midpoint) the default
    expect(tried('dpm_fast')).toBe(3); // its eta defaults to 0
    for (const budget of nfe) {
      const column = r.rows.filter((row) => row.nfe === budget);
      const min = Math.min(...column.map((row) => row.w2!));
      const winner = column.find((row) => row.w2 === min)!;
      expect(r.best.find((b) => b.nfe === budget)).toEqual({ nfe: budget, sampler: winner.sampler, steps: winner.steps, w2: min, options: winner.options });
    }
  });

  it('a deterministic sampler without options (dpmpp_2m) keeps its default row; without settings the output is unchanged', async () => {
    const plain = await rankSamplers(values, { samplers: ['dpmpp_2m', 'euler'], nfe, ...schedule });
    const off = await rankSamplers(values, { samplers: ['dpmpp_2m', 'euler'], nfe, ...schedule, settings: false });
    expect(off).toEqual(plain);
    for (const row of plain.rows) expect(Object.keys(row)).toEqual(['sampler', 'nfe', 'steps', 'w2']);
    const r = await rankSamplers(values, { samplers: ['dpmpp_2m'], nfe, ...schedule, settings: true });
    for (const [i, row] of r.rows.entries()) expect(row).toEqual({ ...plain.rows[i], options: {}, tried: 1 });
  });

  it('settings that is not a boolean: typed error before any work', async () => {
    const err = await rankSamplers([], { samplers: ['euler'], nfe: [10], settings: 'yes' as never }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GaussdiffError);
    expect((err as GaussdiffError).message).toMatch(/settings: got string "yes"/);
  });

  it('image-like spectrum at NFE 20: the best setting per sampler', async () => {
    const names = ['euler', 'heun', 'dpm_2', 'dpmpp_2m', 'lms', 'euler_ancestral', 'dpmpp_sde', 'dpmpp_2m_sde', 'dpmpp_3m_sde'];
    const r = await rankSamplers(imageLikeSpectrum(), { samplers: names, nfe: [20], settings: true });
    const plain = await rankSamplers(imageLikeSpectrum(), { samplers: names, nfe: [20] });
    console.log(`NFE 20, image-like spectrum (Karras defaults, prior start), best setting per sampler:\n${
      r.rows.map((row, i) => `${row.sampler.padEnd(20)}${row.w2!.toPrecision(5).padStart(12)} (default ${plain.rows[i].w2!.toPrecision(5)}) ${JSON.stringify(row.options)} of ${row.tried}`).join('\n')}\nbest: ${JSON.stringify(r.best)}`);
    for (const [i, row] of r.rows.entries()) expect(row.w2!).toBeLessThanOrEqual(plain.rows[i].w2!);
  });
});

describe('rankSamplers with diffusers samplers (discrete-time frame, NFE = steps)', () => {
  const values = [0, 1e-4, 0.003, 0.05, 0.05, 0.4, 1, 2.5, 9];
  const discrete = { betaSchedule: 'scaled_linear' as const, timestepSpacing: 'linspace' as const };
  const nfe = [1, 4, 13, 40];

  it('stepsForNfe: NFE = steps for every diffusers sampler, as their tapes count, capped at trainSteps', () => {
    for (const sampler of DISCRETE_SAMPLER_NAMES) {
      for (const budget of [1, 2, 7, 50, 999, 1000, 1001, 5000]) {
        const steps = stepsForNfe(sampler, budget);
        expect(steps, `${sampler} at ${budget}`).toBe(Math.min(budget, 1000));
        if (steps! <= 100) expect(discreteTape({ sampler, steps: steps! }).nfe).toBe(steps);
      }
      expect(stepsForNfe(sampler, 50, 20)).toBe(20);
    }
  });

  it('rows of a mixed ranking are discreteSamplerError / edmSamplerError at the chosen steps, exactly; best is the argmin', async () => {
    const samplers = ['dpmpp_2m', 'ddim', 'dpmsolver++', 'unipc', 'ddpm', 'heun'];
    const edm = { sigmaMin: 0.01, sigmaMax: 40 };
    const r = await rankSamplers(values, { samplers, nfe, ...discrete, ...edm, start: 'exact' });
    expect(r.rows.map((row) => [row.sampler, row.nfe])).toEqual(samplers.flatMap((s) => nfe.map((b) => [s, b])));
    for (const row of r.rows) {
      expect(row.steps).toBe(stepsForNfe(row.sampler, row.nfe));
      const direct = DISCRETE_SAMPLER_NAMES.includes(row.sampler)
        ? await discreteSamplerError(values, { sampler: row.sampler, steps: row.steps!, ...discrete, start: 'exact' })
        : await edmSamplerError(values, { sampler: row.sampler, steps: row.steps!, ...edm, start: 'exact' });
      expect(row.w2, `${row.sampler} at ${row.nfe}`).toBe(direct.w2);
      expect(direct.nfe).toBeLessThanOrEqual(row.nfe);
    }
    for (const budget of nfe) {
      const column = r.rows.filter((row) => row.nfe === budget);
      const min = Math.min(...column.map((row) => row.w2!));
      expect(r.best.find((b) => b.nfe === budget)).toEqual({ nfe: budget, sampler: column.find((row) => row.w2 === min)!.sampler, steps: column.find((row) => row.w2 === min)!.steps, w2: min });
    }
  });

  it('settings: eta {0, 0.5, 1} for ddim, order {1, 2, 3} for dpmsolver++ and unipc (and solverType bh1/bh2 for unipc); rows equal discreteSamplerError with their options', async () => {
    const samplers = ['ddim', 'dpmsolver++', 'unipc', 'ddpm'];
    const r = await rankSamplers(values, { samplers, nfe: [13, 40], ...discrete, settings: true });
    const plain = await rankSamplers(values, { samplers, nfe: [13, 40], ...discrete });
    for (const [i, row] of r.rows.entries()) {
      expect(row.w2!).toBeLessThanOrEqual(plain.rows[i].w2!);
      expect(row.w2).toBe((await discreteSamplerError(values, { sampler: row.sampler, steps: row.steps!, ...discrete, ...row.options })).w2);
      const grid = row.sampler === 'ddim' ? [{ eta: 0 }, { eta: 0.5 }, { eta: 1 }]
        : row.sampler === 'ddpm' ? [{}]
          : [1, 2, 3].flatMap((order) => (row.sampler === 'unipc' ? [{ order, solverType: 'bh1' }, { order, solverType: 'bh2' }] : [{ order }]));
      for (const o of grid) expect(row.w2!).toBeLessThanOrEqual((await discreteSamplerError(values, { sampler: row.sampler, steps: row.steps!, ...discrete, ...o } as never)).w2);
    }
    const tried = (s: string) => r.rows.find((row) => row.sampler === s)!.tried;
    expect(tried('ddim')).toBe(3); // eta 0 is the default
    expect(tried('dpmsolver++')).toBe(3); // order 2 is the default
    expect(tried('unipc')).toBe(6); // order x solverType, (2, bh2) the default
    expect(tried('ddpm')).toBe(1);
  });

  const bad: Array<[string, object, string, string]> = [
    ['k-diffusion levels with diffusers samplers only', { samplers: ['ddim', 'unipc'], nfe: [10], sigmaMin: 0.01 }, 'INVALID_OPTION', 'sigmaMin'],
    ['k-diffusion schedule with diffusers samplers only', { samplers: ['ddim'], nfe: [10], schedule: 'karras' }, 'INVALID_OPTION', 'schedule'],
    ['diffusers schedule with k-diffusion samplers only', { samplers: ['euler'], nfe: [10], betaSchedule: 'linear' }, 'INVALID_OPTION', 'betaSchedule'],
    ['diffusers spacing with k-diffusion samplers only', { samplers: ['euler', 'heun'], nfe: [10], timestepSpacing: 'trailing' }, 'INVALID_OPTION', 'timestepSpacing'],
    ['bad diffusers option in a mixed ranking', { samplers: ['euler', 'ddim'], nfe: [10], timestepSpacing: 'uniform' }, 'INVALID_OPTION', 'timestepSpacing'],
    ['trailing spacing with 61 steps (timestep -1)', { samplers: ['ddim'], nfe: [10, 61], timestepSpacing: 'trailing' }, 'INVALID_STEPS', 'steps'],
    ['unknown sampler', { samplers: ['dim'], nfe: [10] }, 'UNKNOWN_SCHEME', 'samplers[0]'],
  ];
  for (const [name, opts, code, argument] of bad) {
    it(`typed error before any work: ${name}`, async () => {
      const err = await rankSamplers([], opts as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GaussdiffError);
      expect((err as GaussdiffError).code).toBe(code);
      expect((err as GaussdiffError).argument).toBe(argument);
    });
  }

  it('image-like spectrum: dpmpp_2m (Karras levels) against dpmsolver++ (diffusers timesteps), both to N(0, S)', async () => {
    const r = await rankSamplers(imageLikeSpectrum(), { samplers: ['dpmpp_2m', 'dpmsolver++', 'unipc', 'ddim', 'euler'], nfe: [10, 20, 50] });
    console.log(r.rows.map((row) => `${row.sampler.padEnd(12)} NFE ${String(row.nfe).padStart(3)}: W2 ${row.w2!.toPrecision(5)} (${row.steps} steps)`).join('\n'));
    for (const row of r.rows) expect(row.w2).toBeGreaterThan(0);
  });
});
