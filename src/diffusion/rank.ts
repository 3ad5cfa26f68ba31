/**
 * Samplers compared at equal cost, and their measured convergence orders (issue 9, "Outputs"), on the exact
 * W2 of the state-space engine (./statespace/index.ts, edmSamplerError).
 *
 * Cost is the number of denoiser evaluations (NFE) as k-diffusion counts them, read from the sampler's tape
 * (`Tape.nfe`): euler, lms, dpmpp_2m n; heun, dpm_2, dpmpp_sde 2n - 1 (their last step, to sigma = 0, is an
 * Euler step); never from a hand-written table, so a new sampler is ranked as soon as its tape exists.
 */
import { fail } from '../core/errors.js';
import { checkInteger, describe } from '../core/checks.js';
import { checkOptions, nearest, optionKeys } from '../core/options.js';
import { type Spectrum, type SpectrumInput, prepareSpectrum } from '../spectra/spectrum.js';
import { type Tape } from './statespace/tape.js';
import { MAX_SIGMA_STEPS } from './edm/sigmas.js';
import { EDM_SAMPLERS, EDM_SAMPLER_NAMES, checkStart } from './edm/samplers/index.js';
import { EDM_SAMPLER_ERROR_KEYS, type EdmSamplerErrorOptions, edmSamplerError, edmSigmas } from './statespace/index.js';

/** The noise-level and engine options shared by every sampler of a ranking (as in edmSamplerError). */
export type RankScheduleOptions = Pick<EdmSamplerErrorOptions, 'schedule' | 'sigmaMin' | 'sigmaMax' | 'rho' | 'betaD' | 'betaMin' | 'epsS' | 'start' | 'backend'>;

export interface RankOptions extends RankScheduleOptions {
  /** k-diffusion names (deterministic or stochastic), each run with its default options. */
  samplers: readonly string[];
  /** NFE budgets: positive integers. */
  nfe: readonly number[];
  /**
   * Also try, per sampler and budget, the grid SETTINGS_GRID of the sampler's own options and keep the
   * setting of lowest W2 (default false: defaults only; rows then have no `options` / `tried`).
   */
  settings?: boolean;
}

/**
 * The settings grid (issue 9, "best sampler and settings for a budget"): each key is tried by the samplers
 * whose registry entry accepts it (eta: the ancestral / SDE samplers; sChurn: those with EDM churn;
 * solverType: dpmpp_2m_sde); a sampler tries the Cartesian product of its keys' values.
 */
export const SETTINGS_GRID: Readonly<Record<'eta' | 'sChurn' | 'solverType', readonly (number | string)[]>> = Object.freeze({
  eta: [0, 0.5, 1],
  sChurn: [0, 1, 5, 20],
  solverType: ['midpoint', 'heun'],
});

export const RANK_KEYS = optionKeys<RankOptions>({
  samplers: true, nfe: true, schedule: true, sigmaMin: true, sigmaMax: true, rho: true, betaD: true, betaMin: true, epsS: true,
  start: true, backend: true, settings: true,
});

export interface RankRow {
  readonly sampler: string;
  /** The budget. */
  readonly nfe: number;
  /** stepsForNfe(sampler, nfe): the most steps within the budget; null if one step costs more. */
  readonly steps: number | null;
  /** Exact W2 after those steps (null when steps is null). */
  readonly w2: number | null;
  /** With `settings`: the sampler options of that W2 ({} = its defaults). */
  readonly options?: Record<string, number | string>;
  /** With `settings`: the distinct settings tried (the defaults included; 0 when steps is null). */
  readonly tried?: number;
}

export interface RankBest {
  readonly nfe: number;
  readonly sampler: string;
  readonly steps: number;
  readonly w2: number;
  /** With `settings`: the winning row's options. */
  readonly options?: Record<string, number | string>;
}

export interface RankResult {
  /** Sampler-major: for each sampler in the order given, each budget in the order given. */
  readonly rows: RankRow[];
  /** For each budget that some sampler affords: the row of lowest W2 (ties: the sampler listed first). */
  readonly best: RankBest[];
}

/** A k-diffusion sampler name, or UNKNOWN_SCHEME with "did you mean". */
function checkSampler(name: unknown, argument: string): string {
  if (typeof name === 'string' && Object.hasOwn(EDM_SAMPLERS, name)) return name;
  const near = typeof name === 'string' ? nearest(name, EDM_SAMPLER_NAMES) : null;
  return fail('UNKNOWN_SCHEME', argument, `got ${describe(name)}${near ? ` (did you mean ${near}?)` : ''}`, EDM_SAMPLER_NAMES.join(', '));
}

/** A non-empty array (INVALID_OPTION otherwise). */
function checkList(list: unknown, argument: string, allowed: string): readonly unknown[] {
  if (!Array.isArray(list) || list.length === 0) fail('INVALID_OPTION', argument, `got ${Array.isArray(list) ? 'an empty list' : describe(list)}`, allowed);
  return list;
}

/** NFE of `sampler` with `n` steps: its tape's count on the Karras levels (the count depends on n only). */
function tapeNfe(sampler: string, n: number): number {
  return EDM_SAMPLERS[sampler].build(edmSigmas({ sampler, steps: n }), {}).nfe;
}

/**
 * The largest number of steps n (noise levels before the appended 0) whose NFE is <= `nfe`, or null when one
 * step costs more. The NFE is increasing in n and at least n (every step evaluates the denoiser), so n lies
 * in [1, nfe] and is found by bisection on the tapes' counts.
 */
export function stepsForNfe(sampler: string, nfe: number): number | null {
  checkSampler(sampler, 'sampler');
  checkInteger(nfe, 'nfe', 1, MAX_SIGMA_STEPS, `an integer from 1 to ${MAX_SIGMA_STEPS}`);
  if (tapeNfe(sampler, 1) > nfe) return null;
  let lo = 1; // affordable
  let hi = nfe + 1; // not affordable (nfe(n) >= n)
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (tapeNfe(sampler, mid) <= nfe) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** The grid points of `sampler` (SETTINGS_GRID restricted to the keys its registry entry accepts). */
function settingsOf(sampler: string): Record<string, number | string>[] {
  const def = EDM_SAMPLERS[sampler];
  const keys = (Object.keys(SETTINGS_GRID) as Array<keyof typeof SETTINGS_GRID>)
    .filter((k) => (k === 'sChurn' ? def.churn : def.options?.includes(k) ?? false));
  let grid: Record<string, number | string>[] = [{}];
  for (const k of keys) grid = grid.flatMap((g) => SETTINGS_GRID[k].map((v) => ({ ...g, [k]: v })));
  return grid;
}

function sameTape(a: Tape, b: Tape): boolean {
  const same = (x: Float64Array, y: Float64Array) => x.length === y.length && x.every((v, i) => Object.is(v, y[i]));
  return a.registers === b.registers && a.nfe === b.nfe && Object.is(a.startScale, b.startScale) && Object.is(a.startShift, b.startShift)
    && same(a.code, b.code) && same(a.slots, b.slots) && same(a.marks, b.marks);
}

/**
 * The setting of lowest W2 of `sampler` with `steps` steps: its defaults ({}) first, then each grid point
 * whose tape differs from the defaults' (a point whose tape is the defaults' is the defaults: not rerun);
 * ties keep the earlier setting.
 */
async function bestSetting(spec: Spectrum, sampler: string, steps: number, schedule: RankScheduleOptions) {
  const sigmas = edmSigmas({ sampler, steps, ...schedule });
  const tape = (o: Record<string, number | string>) => EDM_SAMPLERS[sampler].build(sigmas, { start: schedule.start, ...o });
  const base = tape({});
  const settings = [{}, ...settingsOf(sampler).filter((o) => !sameTape(tape(o), base))];
  let top = { options: {} as Record<string, number | string>, w2: Infinity };
  for (const options of settings) {
    const { w2 } = await edmSamplerError(spec, { sampler, steps, ...schedule, ...options });
    if (options === settings[0] || w2 < top.w2) top = { options, w2 };
  }
  return { ...top, tried: settings.length };
}

/**
 * W2 of each sampler at each NFE budget (each run with stepsForNfe steps on the same noise-level family),
 * and the best sampler per budget. Every option is checked before any W2 is computed.
 */
export async function rankSamplers(spectrum: SpectrumInput, opts: RankOptions): Promise<RankResult> {
  checkOptions(opts, RANK_KEYS);
  if (opts === undefined) fail('MISSING_OPTION', 'opts', 'no options', 'an options object with samplers and nfe');
  const { samplers, nfe, settings = false, ...schedule } = opts;
  if (settings !== true && settings !== false) fail('INVALID_OPTION', 'settings', `got ${describe(settings)}`, 'true or false');
  const names = checkList(samplers, 'samplers', `a non-empty list of k-diffusion samplers: ${EDM_SAMPLER_NAMES.join(', ')}`)
    .map((s, i) => checkSampler(s, `samplers[${i}]`));
  const budgets = checkList(nfe, 'nfe', 'a non-empty list of integers >= 1')
    .map((x, i) => checkInteger(x, `nfe[${i}]`, 1, MAX_SIGMA_STEPS, `an integer NFE from 1 to ${MAX_SIGMA_STEPS}`));
  checkStart(schedule.start);
  edmSigmas({ sampler: names[0], steps: 1, ...schedule }); // the noise-level options, checked before the work
  const spec = prepareSpectrum(spectrum);
  const rows: RankRow[] = [];
  for (const sampler of names) {
    // steps -> result (several budgets may afford the same steps)
    const cache = new Map<number, { w2: number; options: Record<string, number | string>; tried: number }>();
    for (const budget of budgets) {
      const steps = stepsForNfe(sampler, budget);
      if (steps !== null && !cache.has(steps)) {
        cache.set(steps, settings ? await bestSetting(spec, sampler, steps, schedule) : { w2: (await edmSamplerError(spec, { sampler, steps, ...schedule })).w2, options: {}, tried: 1 });
      }
      const hit = steps === null ? null : cache.get(steps)!;
      const row: RankRow = { sampler, nfe: budget, steps, w2: hit === null ? null : hit.w2 };
      rows.push(settings ? { ...row, options: hit === null ? {} : hit.options, tried: hit === null ? 0 : hit.tried } : row);
    }
  }
  const best: RankBest[] = [];
  for (const budget of budgets) {
    let top: RankBest | null = null;
    for (const r of rows) {
      if (r.nfe === budget && r.steps !== null && r.w2 !== null && (top === null || r.w2 < top.w2)) {
        top = { nfe: budget, sampler: r.sampler, steps: r.steps, w2: r.w2, ...(settings ? { options: r.options } : {}) };
      }
    }
    if (top !== null) best.push(top);
  }
  return { rows, best };
}

export type ConvergenceOrderOptions = Omit<EdmSamplerErrorOptions, 'steps' | 'sigmas'> & {
  /** Numbers of steps, increasing, each >= 2 (default [32, 64, 128, 256]). */
  steps?: readonly number[];
};

// No modelSpectrum: a model error does not vanish with the steps (and spec below is prepared).
export const CONVERGENCE_ORDER_KEYS = Object.freeze(EDM_SAMPLER_ERROR_KEYS.filter((k) => k !== 'sigmas' && k !== 'modelSpectrum'));

export interface ConvergenceOrderResult {
  readonly sampler: string;
  readonly steps: number[];
  /** W2 at sigma_min for each n (see convergenceOrder). */
  readonly w2: number[];
  /** Minus the least-squares slope of log W2 against log n. */
  readonly order: number;
  /** Local slopes log(W2_{i+1} / W2_i) / log(n_{i+1} / n_i) (negative for a converging sampler). */
  readonly slopes: number[];
}

/**
 * Measured convergence order of a sampler: the least-squares slope of log W2 against log n, where W2 is read
 * at sigma_min, i.e. the curve's point n - 2: W2 between the sample after the step to sigma_min and the exact
 * marginal N(0, S + sigma_min^2 I). The final W2 is not used: the last step, a denoising from sigma_min to 0,
 * has an error O(sigma_min^2) whatever n, which soon dominates a high-order sampler's error (with sigma_min
 * 0.02 it dominates Heun's from n = 64 on; test/diffusion/edm.test.ts). The start defaults to 'exact'
 * (N(0, S + sigma_max^2 I)): the prior start's error O(S / sigma_max^2) does not shrink with n either.
 */
export async function convergenceOrder(spectrum: SpectrumInput, opts: ConvergenceOrderOptions): Promise<ConvergenceOrderResult> {
  checkOptions(opts, CONVERGENCE_ORDER_KEYS);
  if (opts === undefined) fail('MISSING_OPTION', 'opts.sampler', 'no options', `an options object with sampler among ${EDM_SAMPLER_NAMES.join(', ')}`);
  const { steps = [32, 64, 128, 256], start = 'exact', ...rest } = opts;
  const sampler = checkSampler(rest.sampler, 'sampler');
  const ns = checkList(steps, 'steps', 'at least two increasing integers >= 2').map((n, i) => checkInteger(n, `steps[${i}]`, 2, MAX_SIGMA_STEPS, `an integer from 2 to ${MAX_SIGMA_STEPS}`));
  if (ns.length < 2) fail('INVALID_OPTION', 'steps', 'a single value: no slope', 'at least two increasing integers >= 2');
  for (let i = 1; i < ns.length; i++) if (ns[i] <= ns[i - 1]) fail('INVALID_OPTION', `steps[${i}]`, `${ns[i]} after ${ns[i - 1]}`, 'increasing numbers of steps');
  // Every other option is checked by edmSamplerError on the first (smallest) run, before the larger ones.
  const spec = prepareSpectrum(spectrum);
  const w2: number[] = [];
  for (const n of ns) {
    const r = await edmSamplerError(spec, { ...rest, sampler, start, steps: n });
    // W2 at sigma_min: the curve point before the final step to 0 (point n - 2); dpm_fast stops at sigma_min,
    // on its own grid (fewer curve points than steps), so there it is the last point.
    w2.push(Math.sqrt(r.curve.length === n ? r.curve[n - 2] : r.curve[r.curve.length - 1]));
  }
  const zero = w2.findIndex((w) => !(w > 0 && Number.isFinite(w)));
  if (zero >= 0) fail('INVALID_OPTION', 'spectrum', `W2 at sigma_min is ${w2[zero]} at ${ns[zero]} steps: no error to measure an order on`, 'a spectrum on which the sampler is not exact');
  const lx = ns.map(Math.log);
  const ly = w2.map(Math.log);
  const slopes = ly.slice(1).map((y, i) => (y - ly[i]) / (lx[i + 1] - lx[i]));
  // Least squares: slope = sum (x - mean x)(y - mean y) / sum (x - mean x)^2.
  const mx = lx.reduce((a, b) => a + b) / lx.length;
  const my = ly.reduce((a, b) => a + b) / ly.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < lx.length; i++) {
    num += (lx[i] - mx) * (ly[i] - my);
    den += (lx[i] - mx) ** 2;
  }
  return { sampler, steps: ns, w2, order: -num / den, slopes };
}
