/**
 * Samplers compared at equal cost, and their measured convergence orders (issue 9, "Outputs"), on the exact
 * W2 of the state-space engine (./statespace/index.ts, edmSamplerError; diffusers' samplers through
 * ./discrete/index.ts, discreteSamplerError).
 *
 * Cost is the number of denoiser evaluations (NFE) as k-diffusion counts them, read from the sampler's tape
 * (`Tape.nfe`): euler, lms, dpmpp_2m n; heun, dpm_2, dpmpp_sde 2n - 1 (their last step, to sigma = 0, is an
 * Euler step); diffusers' ddim, ddpm, dpmsolver++, unipc n (one model call per step, at most trainSteps
 * steps); never from a hand-written table, so a new sampler is ranked as soon as its tape exists.
 */
import { fail } from '../core/errors.js';
import { checkInteger, describe } from '../core/checks.js';
import { checkOptions, nearest, optionKeys } from '../core/options.js';
import { type Spectrum, type SpectrumInput, prepareSpectrum } from '../spectra/spectrum.js';
import { type Tape } from './statespace/tape.js';
import { MAX_SIGMA_STEPS } from './edm/sigmas.js';
import { EDM_SAMPLERS, EDM_SAMPLER_NAMES, checkStart } from './edm/samplers/index.js';
import { MAX_TRAIN_STEPS } from './discrete/schedule.js';
import { EDM_SAMPLER_ERROR_KEYS, type EdmSamplerErrorOptions, edmSamplerError, edmSigmas } from './statespace/index.js';
import { DISCRETE_SAMPLERS, DISCRETE_SAMPLER_NAMES, type DiscreteSamplerErrorOptions, discreteSamplerError, discreteSchedule, discreteTape } from './discrete/index.js';

/** The noise-level and engine options shared by every k-diffusion sampler of a ranking (as in edmSamplerError); start and backend also by the diffusers ones. */
export type RankScheduleOptions = Pick<EdmSamplerErrorOptions, 'schedule' | 'sigmaMin' | 'sigmaMax' | 'rho' | 'betaD' | 'betaMin' | 'epsS' | 'start' | 'backend'>;

/** The training schedule and timestep options shared by every diffusers sampler of a ranking (as in discreteSamplerError). */
export type RankDiscreteOptions = Pick<DiscreteSamplerErrorOptions, 'betaSchedule' | 'betaStart' | 'betaEnd' | 'trainSteps' | 'timestepSpacing' | 'stepsOffset'>;

/** Options of one frame only: refused (INVALID_OPTION) when no sampler of that frame is ranked. */
const EDM_LEVEL_KEYS = ['schedule', 'sigmaMin', 'sigmaMax', 'rho', 'betaD', 'betaMin', 'epsS'] as const;
const DISCRETE_LEVEL_KEYS = ['betaSchedule', 'betaStart', 'betaEnd', 'trainSteps', 'timestepSpacing', 'stepsOffset'] as const;

export interface RankOptions extends RankScheduleOptions, RankDiscreteOptions {
  /**
   * k-diffusion names (deterministic or stochastic) and diffusers names (ddim, ddpm, dpmsolver++, unipc), each
   * run with its default options. The k-diffusion ones run on the noise levels (schedule, sigmaMin, ...), the
   * diffusers ones on the training schedule and timesteps (betaSchedule, timestepSpacing, ...).
   */
  samplers: readonly string[];
  /** NFE budgets: positive integers. */
  nfe: readonly number[];
  /**
   * Also try, per sampler and budget, the grid SETTINGS_GRID (DISCRETE_SETTINGS_GRID for diffusers names) of
   * the sampler's own options and keep the setting of lowest W2 (default false: defaults only; rows then have
   * no `options` / `tried`).
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

/** The settings grid of the diffusers samplers: eta (ddim), order (dpmsolver++, unipc), solverType (unipc). */
export const DISCRETE_SETTINGS_GRID: Readonly<Record<'eta' | 'order' | 'solverType', readonly (number | string)[]>> = Object.freeze({
  eta: [0, 0.5, 1],
  order: [1, 2, 3],
  solverType: ['bh1', 'bh2'],
});

export const RANK_KEYS = optionKeys<RankOptions>({
  samplers: true, nfe: true, schedule: true, sigmaMin: true, sigmaMax: true, rho: true, betaD: true, betaMin: true, epsS: true,
  start: true, backend: true, settings: true, betaSchedule: true, betaStart: true, betaEnd: true, trainSteps: true,
  timestepSpacing: true, stepsOffset: true,
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

const isDiscrete = (name: string): boolean => Object.hasOwn(DISCRETE_SAMPLERS, name);

/** A k-diffusion sampler name (or, with `discrete`, also a diffusers one), or UNKNOWN_SCHEME with "did you mean". */
function checkSampler(name: unknown, argument: string, discrete = false): string {
  const names = discrete ? [...EDM_SAMPLER_NAMES, ...DISCRETE_SAMPLER_NAMES] : EDM_SAMPLER_NAMES;
  if (typeof name === 'string' && (Object.hasOwn(EDM_SAMPLERS, name) || (discrete && isDiscrete(name)))) return name;
  const near = typeof name === 'string' ? nearest(name, names) : null;
  return fail('UNKNOWN_SCHEME', argument, `got ${describe(name)}${near ? ` (did you mean ${near}?)` : ''}`, names.join(', '));
}

/** A non-empty array (INVALID_OPTION otherwise). */
function checkList(list: unknown, argument: string, allowed: string): readonly unknown[] {
  if (!Array.isArray(list) || list.length === 0) fail('INVALID_OPTION', argument, `got ${Array.isArray(list) ? 'an empty list' : describe(list)}`, allowed);
  return list;
}

/**
 * NFE of `sampler` with `n` steps: its tape's count on the Karras levels, or for a diffusers sampler on the
 * timesteps n, n - 1, ..., 1 of an (n + 1)-step linear schedule (the count depends on n only).
 */
function tapeNfe(sampler: string, n: number): number {
  if (isDiscrete(sampler)) return DISCRETE_SAMPLERS[sampler].build(discreteSchedule('linear', n + 1), Array.from({ length: n }, (_, k) => n - k), {}).nfe;
  return EDM_SAMPLERS[sampler].build(edmSigmas({ sampler, steps: n }), {}).nfe;
}

/**
 * The largest number of steps n (noise levels before the appended 0; diffusers: num_inference_steps) whose
 * NFE is <= `nfe`, or null when one step costs more. The NFE is increasing in n and at least n (every step
 * evaluates the denoiser), so n lies in [1, nfe] (diffusers: [1, min(nfe, trainSteps)], trainSteps default
 * 1000) and is found by bisection on the tapes' counts.
 */
export function stepsForNfe(sampler: string, nfe: number, trainSteps = 1000): number | null {
  checkSampler(sampler, 'sampler', true);
  checkInteger(nfe, 'nfe', 1, MAX_SIGMA_STEPS, `an integer from 1 to ${MAX_SIGMA_STEPS}`);
  const cap = isDiscrete(sampler) ? Math.min(nfe, checkInteger(trainSteps, 'trainSteps', 2, MAX_TRAIN_STEPS, `an integer from 2 to ${MAX_TRAIN_STEPS}`)) : nfe;
  if (tapeNfe(sampler, 1) > nfe) return null;
  let lo = 1; // affordable
  let hi = cap + 1; // not affordable (nfe(n) >= n) or beyond trainSteps
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (tapeNfe(sampler, mid) <= nfe) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** The grid points of `sampler` (SETTINGS_GRID or DISCRETE_SETTINGS_GRID restricted to the keys its registry entry accepts). */
function settingsOf(sampler: string): Record<string, number | string>[] {
  const table: Readonly<Record<string, readonly (number | string)[]>> = isDiscrete(sampler) ? DISCRETE_SETTINGS_GRID : SETTINGS_GRID;
  const accepts = (k: string): boolean => {
    if (isDiscrete(sampler)) return (DISCRETE_SAMPLERS[sampler].options as readonly string[]).includes(k);
    const def = EDM_SAMPLERS[sampler];
    return k === 'sChurn' ? def.churn === true : (def.options as readonly string[] | undefined)?.includes(k) ?? false;
  };
  let grid: Record<string, number | string>[] = [{}];
  for (const k of Object.keys(table).filter(accepts)) grid = grid.flatMap((g) => table[k].map((v) => ({ ...g, [k]: v })));
  return grid;
}

function sameTape(a: Tape, b: Tape): boolean {
  const same = (x: Float64Array, y: Float64Array) => x.length === y.length && x.every((v, i) => Object.is(v, y[i]));
  return a.registers === b.registers && a.nfe === b.nfe && Object.is(a.startScale, b.startScale) && Object.is(a.startShift, b.startShift)
    && same(a.code, b.code) && same(a.slots, b.slots) && same(a.marks, b.marks);
}

/** The options of one run of `sampler` with `steps` steps: its frame's shared options, then its own. */
function runOptions(sampler: string, steps: number, frames: Frames, own: Record<string, number | string> = {}) {
  return { sampler, steps, ...(isDiscrete(sampler) ? frames.discrete : frames.edm), ...own };
}

/** The tape of one run (checks every option of the run, typed errors). */
function runTape(sampler: string, steps: number, frames: Frames, own: Record<string, number | string> = {}): Tape {
  if (isDiscrete(sampler)) return discreteTape(runOptions(sampler, steps, frames, own) as DiscreteSamplerErrorOptions);
  const opts = runOptions(sampler, steps, frames, own) as EdmSamplerErrorOptions;
  return EDM_SAMPLERS[sampler].build(edmSigmas(opts), opts);
}

/** Exact W2 of one run, by the sampler's frame. */
async function runW2(spec: Spectrum, sampler: string, steps: number, frames: Frames, own: Record<string, number | string> = {}): Promise<number> {
  const opts = { ...runOptions(sampler, steps, frames, own), curve: false }; // only the final W2 is read
  return isDiscrete(sampler)
    ? (await discreteSamplerError(spec, opts as DiscreteSamplerErrorOptions)).w2
    : (await edmSamplerError(spec, opts as EdmSamplerErrorOptions)).w2;
}

/** The options each frame's samplers share in a ranking. */
interface Frames { edm: RankScheduleOptions; discrete: RankDiscreteOptions & Pick<RankScheduleOptions, 'start' | 'backend'> }

/**
 * The setting of lowest W2 of `sampler` with `steps` steps: its defaults ({}) first, then each grid point
 * whose tape differs from the defaults' (a point whose tape is the defaults' is the defaults: not rerun);
 * ties keep the earlier setting.
 */
async function bestSetting(spec: Spectrum, sampler: string, steps: number, frames: Frames) {
  const base = runTape(sampler, steps, frames);
  const settings = [{}, ...settingsOf(sampler).filter((o) => !sameTape(runTape(sampler, steps, frames, o), base))];
  let top = { options: {} as Record<string, number | string>, w2: Infinity };
  for (const options of settings) {
    const w2 = await runW2(spec, sampler, steps, frames, options);
    if (options === settings[0] || w2 < top.w2) top = { options, w2 };
  }
  return { ...top, tried: settings.length };
}

/**
 * W2 of each sampler at each NFE budget (each run with stepsForNfe steps: the k-diffusion samplers on the same
 * noise-level family, the diffusers ones on the same training schedule and timestep spacing), and the best
 * sampler per budget. A mixed ranking compares each output law with N(0, S): the frames differ on the way
 * (the levels, the last level before the final denoising), not in what W2 measures. Every option is checked
 * before any W2 is computed; options of a frame none of the samplers belongs to are INVALID_OPTION.
 */
export async function rankSamplers(spectrum: SpectrumInput, opts: RankOptions): Promise<RankResult> {
  checkOptions(opts, RANK_KEYS);
  if (opts === undefined) fail('MISSING_OPTION', 'opts', 'no options', 'an options object with samplers and nfe');
  const { samplers, nfe, settings = false, ...shared } = opts;
  if (settings !== true && settings !== false) fail('INVALID_OPTION', 'settings', `got ${describe(settings)}`, 'true or false');
  const names = checkList(samplers, 'samplers', `a non-empty list of k-diffusion samplers (${EDM_SAMPLER_NAMES.join(', ')}) or diffusers ones (${DISCRETE_SAMPLER_NAMES.join(', ')})`)
    .map((s, i) => checkSampler(s, `samplers[${i}]`, true));
  const budgets = checkList(nfe, 'nfe', 'a non-empty list of integers >= 1')
    .map((x, i) => checkInteger(x, `nfe[${i}]`, 1, MAX_SIGMA_STEPS, `an integer NFE from 1 to ${MAX_SIGMA_STEPS}`));
  checkStart(shared.start);
  const { start, backend } = shared;
  const frames: Frames = {
    edm: Object.fromEntries(Object.entries({ start, backend, ...Object.fromEntries(EDM_LEVEL_KEYS.map((k) => [k, shared[k]])) }).filter(([, v]) => v !== undefined)),
    discrete: Object.fromEntries(Object.entries({ start, backend, ...Object.fromEntries(DISCRETE_LEVEL_KEYS.map((k) => [k, shared[k]])) }).filter(([, v]) => v !== undefined)),
  };
  for (const [keys, frame, has] of [[EDM_LEVEL_KEYS, 'k-diffusion', names.some((s) => !isDiscrete(s))], [DISCRETE_LEVEL_KEYS, 'diffusers', names.some(isDiscrete)]] as const) {
    const key = (keys as readonly (keyof RankOptions)[]).find((k) => opts[k] !== undefined);
    if (!has && key !== undefined) fail('INVALID_OPTION', key, `given without a ${frame} sampler in samplers`, `${keys.join(', ')} only with a ${frame} sampler`);
  }
  // Plan: the steps of each (sampler, budget), every run's options checked on its tape, before any W2.
  const plan = names.map((sampler) => budgets.map((budget) => {
    const steps = stepsForNfe(sampler, budget, shared.trainSteps);
    if (steps !== null) runTape(sampler, steps, frames);
    return steps;
  }));
  const spec = prepareSpectrum(spectrum);
  const rows: RankRow[] = [];
  for (const [s, sampler] of names.entries()) {
    // steps -> result (several budgets may afford the same steps)
    const cache = new Map<number, { w2: number; options: Record<string, number | string>; tried: number }>();
    for (const [b, budget] of budgets.entries()) {
      const steps = plan[s][b];
      if (steps !== null && !cache.has(steps)) {
        cache.set(steps, settings ? await bestSetting(spec, sampler, steps, frames) : { w2: await runW2(spec, sampler, steps, frames), options: {}, tried: 1 });
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

export type ConvergenceOrderOptions = Omit<EdmSamplerErrorOptions, 'steps' | 'sigmas' | 'curve'> & {
  /** Numbers of steps, increasing, each >= 2 (default [32, 64, 128, 256]). */
  steps?: readonly number[];
};

// No modelSpectrum: a model error does not vanish with the steps (and spec below is prepared); no curve: the curve is read.
export const CONVERGENCE_ORDER_KEYS = Object.freeze(EDM_SAMPLER_ERROR_KEYS.filter((k) => k !== 'sigmas' && k !== 'modelSpectrum' && k !== 'curve'));

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
