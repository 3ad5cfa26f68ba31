/**
 * Exact W2 of a discrete-time (diffusers) sampler on Gaussian data: training schedule -> inference
 * timesteps -> the sampler's tape -> a state-space back end -> W2 of the output against N(0, S).
 * clip_sample is not offered: clipping x0_hat is nonlinear (the output would not be Gaussian).
 */
import { fail } from '../../core/errors.js';
import { checkInteger, describe } from '../../core/checks.js';
import { checkOptions, optionKeys } from '../../core/options.js';
import { type SpectrumInput } from '../../spectra/spectrum.js';
import { STATESPACE_BACKENDS, type TapeModesResult, checkCurve, runTapeOnModes } from '../statespace/index.js';
import { type Tape, lastMarkOnly } from '../statespace/tape.js';
import { type BetaSchedule, type TimestepSpacing, MAX_TRAIN_STEPS, TIMESTEP_SPACINGS, checkTimesteps, discreteSchedule } from './schedule.js';
import { DISCRETE_SAMPLERS, DISCRETE_SAMPLER_NAMES, type DiscreteStart } from './samplers/index.js';
import { checkStart } from './samplers/frame.js';

export { DISCRETE_SAMPLERS, DISCRETE_SAMPLER_NAMES } from './samplers/index.js';
export * from './schedule.js';

export interface DiscreteSamplerErrorOptions {
  /** diffusers name: 'ddim', 'ddpm', 'dpmsolver++', 'unipc'. */
  sampler: string;
  /** num_inference_steps (1..trainSteps). */
  steps: number;
  /** Training betas (default 'linear'). */
  betaSchedule?: BetaSchedule;
  /** linear: defaults 1e-4, 0.02 (diffusers'); scaled_linear: 0.00085, 0.012 (Stable Diffusion's); not with squaredcos_cap_v2. */
  betaStart?: number;
  betaEnd?: number;
  /** num_train_timesteps (default 1000). */
  trainSteps?: number;
  /** timestep_spacing (default 'leading'). */
  timestepSpacing?: TimestepSpacing;
  /** steps_offset, with 'leading' only (default 0; Stable Diffusion's config uses 1). */
  stepsOffset?: number;
  /** ddim: eta in [0, 1] (default 0). */
  eta?: number;
  /** dpmsolver++, unipc: solver_order 1, 2 (default) or 3. */
  order?: number;
  /** unipc: solver_type 'bh2' (default, diffusers') or 'bh1'. */
  solverType?: 'bh1' | 'bh2';
  /** 'prior' x_T ~ N(0, I) (default, diffusers') or 'exact' N(0, ab_T S + (1 - ab_T) I). */
  start?: DiscreteStart;
  /** Only false: clip_sample is nonlinear, so no exact Gaussian answer exists with it. */
  clipSample?: false;
  /** A key of STATESPACE_BACKENDS: 'wasm' (default) or 'reference'. */
  backend?: string;
  /**
   * The model's eigenvalues lhat_i, one per entry of the spectrum (same eigenbasis): the sampler sees the
   * denoiser lhat / (lhat + sigma^2) x per mode. Default: the spectrum itself (the exact denoiser).
   */
  modelSpectrum?: ArrayLike<number>;
  /** false: only the final W2 is wanted; `curve` then has one point (as edmSamplerError's `curve`). Default true. */
  curve?: boolean;
}

export const DISCRETE_SAMPLER_ERROR_KEYS = optionKeys<DiscreteSamplerErrorOptions>({
  sampler: true, steps: true, betaSchedule: true, betaStart: true, betaEnd: true, trainSteps: true, timestepSpacing: true,
  stepsOffset: true, eta: true, order: true, solverType: true, start: true, clipSample: true, backend: true, modelSpectrum: true, curve: true,
});

/** W2, curve and the per-mode results (values, modelValues, counts, variances, contributions) as edmSamplerError's. */
export interface DiscreteSamplerErrorResult extends TapeModesResult {
  readonly sampler: string;
  /** Model evaluations (one per step for these samplers). */
  readonly nfe: number;
  /** W2^2 after each step against the exact marginal N(0, ab S + (1 - ab) I) at the new timestep; the last against N(0, S) (curve: false: only that one). */
  readonly curve: Float64Array;
}

/** The checked inference timesteps of a sampler (typed errors). */
export function discreteTimesteps(sampler: string, trainSteps: number, opts: Pick<DiscreteSamplerErrorOptions, 'steps' | 'timestepSpacing' | 'stepsOffset'>): number[] {
  const spacing = opts.timestepSpacing ?? 'leading';
  if (!TIMESTEP_SPACINGS.includes(spacing)) fail('INVALID_OPTION', 'timestepSpacing', `got ${describe(spacing)}`, TIMESTEP_SPACINGS.join(', '));
  if (opts.stepsOffset !== undefined && spacing !== 'leading') fail('INVALID_OPTION', 'stepsOffset', `given with ${spacing} spacing`, "stepsOffset only with timestepSpacing 'leading'");
  const offset = checkInteger(opts.stepsOffset ?? 0, 'stepsOffset', 0, trainSteps - 1, `an integer from 0 to ${trainSteps - 1}`);
  if (opts.steps === undefined) fail('MISSING_OPTION', 'steps', 'no steps', `an integer from 1 to ${trainSteps}`);
  const n = checkInteger(opts.steps, 'steps', 1, trainSteps, `an integer from 1 to trainSteps = ${trainSteps}`, 'INVALID_STEPS');
  const timesteps = DISCRETE_SAMPLERS[sampler].timesteps(trainSteps, n, spacing, offset);
  checkTimesteps(timesteps, trainSteps, `${sampler} with ${spacing} spacing and ${n} steps`);
  return timesteps;
}

/**
 * The tape of a diffusers sampler from its options (everything but the spectrum checked, typed errors, before
 * any work); shared by discreteSamplerError and the Monte-Carlo validateDiscreteSampler. Unknown keys are the
 * caller's to check.
 */
export function discreteTape(opts: DiscreteSamplerErrorOptions): Tape {
  if (opts === undefined) fail('MISSING_OPTION', 'opts.sampler', 'no options', `an options object with sampler among ${DISCRETE_SAMPLER_NAMES.join(', ')}`);
  const { sampler, backend = 'wasm' } = opts;
  if (typeof sampler !== 'string' || !Object.hasOwn(DISCRETE_SAMPLERS, sampler)) {
    fail('UNKNOWN_SCHEME', 'sampler', `got ${describe(sampler)}`, DISCRETE_SAMPLER_NAMES.join(', '));
  }
  const definition = DISCRETE_SAMPLERS[sampler];
  for (const key of ['eta', 'order', 'solverType'] as const) {
    if (opts[key] !== undefined && !definition.options.includes(key)) {
      fail('INVALID_OPTION', key, `not an option of ${sampler}`, definition.options.length ? `${sampler} takes ${definition.options.join(', ')}` : `${sampler} takes no sampler options`);
    }
  }
  if (opts.clipSample !== undefined && opts.clipSample !== false) {
    fail('INVALID_OPTION', 'clipSample', `got ${describe(opts.clipSample)}: clipping x0_hat is nonlinear, the output is then not Gaussian`, 'false (clip_sample off)');
  }
  checkStart(opts.start);
  if (typeof backend !== 'string' || !Object.hasOwn(STATESPACE_BACKENDS, backend)) {
    fail('INVALID_OPTION', 'backend', `got ${describe(backend)}`, Object.keys(STATESPACE_BACKENDS).join(', '));
  }
  const trainSteps = checkInteger(opts.trainSteps ?? 1000, 'trainSteps', 2, MAX_TRAIN_STEPS, `an integer from 2 to ${MAX_TRAIN_STEPS}`);
  const timesteps = discreteTimesteps(sampler, trainSteps, opts);
  const schedule = discreteSchedule(opts.betaSchedule, trainSteps, opts.betaStart, opts.betaEnd);
  return definition.build(schedule, timesteps, opts); // checks eta / order / solverType before the spectrum is read
}

/** Exact W2 between a diffusers sampler's output law and N(0, S), with its NFE, its curve and its per-mode results. */
export async function discreteSamplerError(spectrum: SpectrumInput, opts: DiscreteSamplerErrorOptions): Promise<DiscreteSamplerErrorResult> {
  checkOptions(opts, DISCRETE_SAMPLER_ERROR_KEYS);
  const withCurve = checkCurve(opts?.curve);
  const tape = discreteTape(opts);
  const { sampler, backend = 'wasm' } = opts;
  return { sampler, ...(await runTapeOnModes(spectrum, opts.modelSpectrum, withCurve ? tape : lastMarkOnly(tape), backend)) };
}
