/**
 * The engine's other outputs: the W2 of one sampler, the W2 curve along the grid (Pierret & Galerne 2025,
 * Figure 1 left), W2 against the truncation time eps (Figure 1 right), and per-mode contributions (which
 * eigenvalues carry the error).
 */
import { fail } from '../../core/errors.js';
import { checkOptions, optionKeys } from '../../core/options.js';
import { uniformGrid, validateEps, validateGrid, validatePoints } from '../grid.js';
import { type Schedule, type ScheduleOptions, scheduleOf } from '../schedules/index.js';
import { type SchemeName, resolveSchemes } from '../samplers/index.js';
import { type SpectrumInput, prepareSpectrum } from '../../spectra/spectrum.js';
import { INITS, type Init, curvePoints, curveStep } from '../propagation.js';
import { continuousVariancesInto, continuousW2 } from '../continuous.js';
import { type Diagnostic, type RunOptions, checkGridFits, curveW2, reportW2, runGrids, runW2, validateRunOptions, w2Overflow } from '../engine.js';
import { commutingW2Squared, contributionsInto } from '../w2.js';
import { validateInits } from './table.js';
import { type EdmSamplerErrorOptions, type EdmSamplerErrorResult, edmSamplerError } from '../statespace/index.js';
import { type DiscreteSamplerErrorOptions, type DiscreteSamplerErrorResult, DISCRETE_SAMPLER_NAMES, discreteSamplerError } from '../discrete/index.js';

export interface GridOptions extends ScheduleOptions, RunOptions {
  /** Number of grid points N of the paper's grid t_k = (T - eps) k / (N - 1); default 1000. */
  steps?: number;
  /** Truncation time eps, default 0 (ignored when `grid` is given). */
  eps?: number;
  /** A user grid of increasing reverse times in [0, T] instead of `steps`/`eps`. */
  grid?: ArrayLike<number>;
}

/** A validated grid request: a user grid (already an array) or the paper's grid, built on demand. */
interface GridRequest { points: number; build(): Float64Array }

function resolveGrid(opts: GridOptions, schedule: Schedule): GridRequest {
  if (opts.grid !== undefined) {
    if (opts.steps !== undefined) fail('INVALID_OPTION', 'grid', 'both grid and steps were given', 'either grid or steps (with eps)');
    const times = validateGrid(opts.grid, schedule.horizon);
    return { points: times.length, build: () => times };
  }
  const n = validatePoints(opts.steps ?? 1000);
  const eps = validateEps(opts.eps ?? 0, schedule.horizon);
  return { points: n, build: () => uniformGrid(n, eps, schedule.horizon) };
}

/** Prepare the spectrum, check the job fits, and build the grid (in that order: nothing big before checks). */
function prepare(spectrum: SpectrumInput, request: GridRequest, nSchemes: number, curve: boolean) {
  const spec = prepareSpectrum(spectrum);
  checkGridFits(spec, [request.points], nSchemes, curve);
  return { spec, times: request.build() };
}

function oneInit(init: unknown): Init {
  return validateInits([init ?? 'pT'], 'init')[0];
}

export interface SamplerOptions extends GridOptions {
  /** Default 'em'. */
  scheme?: SchemeName;
  /** Default 'pT'. */
  init?: Init;
}

export const SAMPLER_KEYS = optionKeys<SamplerOptions>({
  scheme: true, init: true, steps: true, eps: true, grid: true, schedule: true, betaMin: true, betaMax: true, horizon: true, cosineS: true, cosineBetaMax: true, backend: true, threads: true, onProgress: true,
});

export interface SamplerError {
  /** W2 between the sampler's output and p_data; +Infinity with a diagnostic when undefined. */
  w2: number;
  diagnostic: Diagnostic | null;
}

/** Validate, then run one scheme on one grid (shared by samplerError and contributions). */
async function runOne(spectrum: SpectrumInput, opts: SamplerOptions, keepVariances: boolean) {
  checkOptions(opts, SAMPLER_KEYS);
  const schedule = scheduleOf(opts);
  const [scheme] = resolveSchemes([opts.scheme ?? 'em'], 'scheme');
  const init = oneInit(opts.init);
  const request = resolveGrid(opts, schedule);
  validateRunOptions(opts);
  const { spec, times } = prepare(spectrum, request, 1, false);
  const [run] = await runGrids(spec, schedule, [scheme], [times], false, opts, keepVariances);
  return { spec, run, init, ...runW2(spec, run, 0, init, opts.grid ? null : times.length) };
}

/**
 * W2 between a sampler's output and p_data. With `sampler` (a k-diffusion name: the EDM frame, noise levels
 * sigma), the state-space engine's `edmSamplerError` (src/diffusion/statespace/index.ts); with a diffusers
 * name (ddim, ddpm, dpmsolver++: the discrete-time frame), `discreteSamplerError`; with `scheme`
 * (em, ei, euler, heun: the VP frame of Pierret & Galerne, a grid of times), the closed-form engine.
 */
export async function samplerError(spectrum: SpectrumInput, opts: DiscreteSamplerErrorOptions): Promise<DiscreteSamplerErrorResult>;
export async function samplerError(spectrum: SpectrumInput, opts: EdmSamplerErrorOptions): Promise<EdmSamplerErrorResult>;
export async function samplerError(spectrum: SpectrumInput, opts?: SamplerOptions): Promise<SamplerError>;
export async function samplerError(
  spectrum: SpectrumInput,
  opts: SamplerOptions | EdmSamplerErrorOptions | DiscreteSamplerErrorOptions = {},
): Promise<SamplerError | EdmSamplerErrorResult | DiscreteSamplerErrorResult> {
  if (opts !== null && typeof opts === 'object' && 'sampler' in opts) {
    // diffusers' discrete-time samplers (ddim, ddpm, dpmsolver++) by name; every other name is k-diffusion's.
    if (typeof opts.sampler === 'string' && DISCRETE_SAMPLER_NAMES.includes(opts.sampler)) return discreteSamplerError(spectrum, opts as DiscreteSamplerErrorOptions);
    return edmSamplerError(spectrum, opts as EdmSamplerErrorOptions);
  }
  const { w2, diagnostic } = await runOne(spectrum, opts as SamplerOptions, false);
  return { w2, diagnostic };
}

export interface CurveOptions extends GridOptions {
  schemes?: SchemeName[];
  inits?: Init[];
  /**
   * Curve stride k, an integer >= 1 (default 1): the curve is taken only after the steps k, 2k, 3k, ... and
   * the last, and the kernel fuses the steps in between (a plot needs a few hundred points, not every step).
   */
  every?: number;
}

export const CURVE_KEYS = optionKeys<CurveOptions>({
  schemes: true, inits: true, every: true, steps: true, eps: true, grid: true, schedule: true, betaMin: true, betaMax: true, horizon: true, cosineS: true, cosineBetaMax: true, backend: true, threads: true, onProgress: true,
});

export interface CurveSeries {
  scheme: SchemeName;
  init: Init;
  /** w2[j]: W2 between the law after steps[j] steps and p_{T - t_steps[j]}; w2 at index -1 is the start. */
  w2: Float64Array;
  /** W2 of the start law to p_{T - t_0}: 0 from p_T, the initialisation error from N(0, I). */
  start: number;
}

export interface CurveResult {
  /**
   * Steps taken at each point of the curve: 1..N-1 (every = 1), or every, 2 every, ... and N-1 (ceil((N-1) / every)
   * points); `times`, `forwardTimes` and each series' `w2` hold the same points.
   */
  steps: Float64Array;
  /** Reverse times t_steps[j] (t_1..t_{N-1} with every = 1). */
  times: Float64Array;
  /** Forward times T - t_steps[j]. */
  forwardTimes: Float64Array;
  series: CurveSeries[];
  /** Why some values are +Infinity: one per (scheme, start) that reaches it (empty when all are finite). */
  diagnostics: Diagnostic[];
}

/** W2 along the grid, after every step (or every `every`-th and the last), to the law the exact process has there (Figure 1, left). */
export async function curve(spectrum: SpectrumInput, opts: CurveOptions = {}): Promise<CurveResult> {
  checkOptions(opts, CURVE_KEYS);
  const schedule = scheduleOf(opts);
  const schemes = resolveSchemes(opts.schemes ?? ['em', 'ei', 'euler', 'heun']);
  const inits = validateInits(opts.inits ?? ['pT', 'normal']);
  const every = opts.every ?? 1;
  if (!Number.isSafeInteger(every) || every < 1) fail('INVALID_OPTION', 'every', `got ${typeof every === 'number' ? every : JSON.stringify(every)}`, 'an integer >= 1');
  const request = resolveGrid(opts, schedule);
  validateRunOptions(opts);
  const { spec, times } = prepare(spectrum, request, schemes.length, true);
  const [run] = await runGrids(spec, schedule, schemes, [times], true, opts, false, every);
  const K = times.length - 1;
  const nOut = curvePoints(K, every);
  const T = schedule.horizon;
  const aStart = new Float64Array(spec.values.length);
  const ones = new Float64Array(spec.values.length).fill(1);
  continuousVariancesInto(aStart, spec.values, schedule, 'ode', 'pT', T - times[0]);
  const normalSquared = commutingW2Squared(aStart, spec.counts, ones);
  const series: CurveSeries[] = [];
  const diagnostics: Diagnostic[] = [];
  schemes.forEach((scheme, s) => {
    for (const init of inits) {
      const q = 2 * s + INITS.indexOf(init);
      const start = init === 'pT' ? { w2: 0, diagnostic: null }
        : reportW2(normalSquared, () => w2Overflow('the N(0, I) start', { scheme: scheme.name, eps: run.geom.eps, steps: null, init }));
      const { w2, diagnostic } = curveW2(spec, run, s, init, run.output.curve!.subarray(q * nOut, (q + 1) * nOut), every);
      for (const d of [start.diagnostic, diagnostic]) if (d) diagnostics.push(d);
      series.push({ scheme: scheme.name, init, w2, start: start.w2 });
    }
  });
  const steps = Float64Array.from({ length: nOut }, (_, j) => curveStep(j, K, every) + 1);
  const after = steps.map((k) => times[k]);
  return { steps, times: after, forwardTimes: after.map((t) => T - t), series, diagnostics };
}

export interface EpsSweepOptions extends ScheduleOptions, RunOptions {
  schemes?: SchemeName[];
  inits?: Init[];
  /** Number of grid points N; default 1000. */
  steps?: number;
  /** The truncation times to sweep (required). */
  eps: number[];
}

export const EPS_SWEEP_KEYS = optionKeys<EpsSweepOptions>({
  schemes: true, inits: true, steps: true, eps: true, schedule: true, betaMin: true, betaMax: true, horizon: true, cosineS: true, cosineBetaMax: true, backend: true, threads: true, onProgress: true,
});

export interface EpsSeries {
  scheme: SchemeName;
  init: Init;
  /** W2 of the exact continuous process at each eps (+Infinity only where W2^2 overflows f64, see diagnostics). */
  continuous: Float64Array;
  /** W2 of the scheme with N points at each eps (+Infinity where undefined, see diagnostics). */
  w2: Float64Array;
}

/** W2 against the truncation time eps, discrete and continuous (Figure 1, right). */
export async function w2VsEps(spectrum: SpectrumInput, opts: EpsSweepOptions): Promise<{ eps: Float64Array; series: EpsSeries[]; diagnostics: Diagnostic[] }> {
  if (opts === undefined) fail('INVALID_OPTION', 'opts', 'no options given', 'an object { eps: number[], ... }');
  checkOptions(opts, EPS_SWEEP_KEYS);
  const schedule = scheduleOf(opts);
  const schemes = resolveSchemes(opts.schemes ?? ['em', 'ei', 'euler', 'heun']);
  const inits = validateInits(opts.inits ?? ['pT']);
  const n = validatePoints(opts.steps ?? 1000);
  if (!Array.isArray(opts.eps) || opts.eps.length === 0) fail('INVALID_EPS', 'eps', 'no truncation times given', 'a non-empty array of times in [0, T)');
  const epsList = opts.eps.map((e, i) => validateEps(e, schedule.horizon, `eps[${i}]`));
  validateRunOptions(opts);
  const spec = prepareSpectrum(spectrum);
  checkGridFits(spec, epsList.map(() => n), schemes.length, false);
  const runs = await runGrids(spec, schedule, schemes, epsList.map((e) => uniformGrid(n, e, schedule.horizon)), false, opts);
  const diagnostics: Diagnostic[] = [];
  const series: EpsSeries[] = [];
  schemes.forEach((scheme, s) => {
    for (const init of inits) {
      const c = new Float64Array(epsList.length);
      const w = new Float64Array(epsList.length);
      epsList.forEach((eps, i) => {
        const exact = continuousW2(spec, schedule, scheme, init, eps);
        const r = runW2(spec, runs[i], s, init, n);
        c[i] = exact.w2;
        w[i] = r.w2;
        for (const d of [exact.diagnostic, r.diagnostic]) if (d) diagnostics.push(d);
      });
      series.push({ scheme: scheme.name, init, continuous: c, w2: w });
    }
  });
  return { eps: Float64Array.from(epsList), series, diagnostics };
}

export interface Contributions {
  /** Distinct eigenvalues, ascending. */
  values: Float64Array;
  /** Their multiplicities. */
  counts: Float64Array;
  /** Output variance of each distinct mode. */
  variances: Float64Array;
  /** Squared-W2 contribution of each distinct value (multiplicity included); they sum to w2^2. */
  contributions: Float64Array;
  w2: number;
  diagnostic: Diagnostic | null;
}

/** Which eigenvalues carry the error of one sampler: per-mode contributions to W2^2. */
export async function contributions(spectrum: SpectrumInput, opts: SamplerOptions = {}): Promise<Contributions> {
  const { spec, run, init, w2, diagnostic } = await runOne(spectrum, opts, true);
  const n = spec.values.length;
  const variances = run.output.variances!.slice(INITS.indexOf(init) * n, (INITS.indexOf(init) + 1) * n);
  const parts = contributionsInto(new Float64Array(n), spec.values, spec.counts, variances);
  return { values: spec.values.slice(), counts: spec.counts.slice(), variances, contributions: parts, w2, diagnostic };
}
