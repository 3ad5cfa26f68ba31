/**
 * Exact W2 of an EDM-frame (k-diffusion) sampler on Gaussian data: build the sampler's tape on its noise
 * levels, run it on the distinct eigenvalues with a back end, and sum the per-mode errors against the data.
 */
import { fail } from '../../core/errors.js';
import { describe } from '../../core/checks.js';
import { checkOptions, optionKeys } from '../../core/options.js';
import { neumaierSum } from '../../core/sums.js';
import { type SpectrumInput } from '../../spectra/spectrum.js';
import { checkSigmas, exponentialSigmas, karrasSigmas, polyexponentialSigmas, vpSigmas } from '../edm/sigmas.js';
import { EDM_SAMPLERS, EDM_SAMPLER_NAMES, type EdmStart, checkChurn, checkStart } from '../edm/samplers/index.js';
import { prepareModes } from './modes.js';
import { type Tape, lastMarkOnly } from './tape.js';
import { type StatespaceBackend, runTapeReference, squaredRootGap } from './reference.js';
import { runTape } from './wasm.js';

export { type StatespaceBackend, type StatespaceResult, runTapeReference } from './reference.js';

/** Back ends by name: the Wasm interpreter (default) and the plain-TS one, which read the same tapes. */
export const STATESPACE_BACKENDS: Record<string, StatespaceBackend> = { wasm: runTape, reference: runTapeReference };

export interface EdmSamplerErrorOptions {
  /** k-diffusion name (EDM_SAMPLER_NAMES: euler, heun, dpm_2, lms, dpmpp_2m, the ancestral and SDE samplers, dpm_fast). */
  sampler: string;
  /** Noise levels sigma_0 > ... > sigma_n >= 0 (k-diffusion's array, the 0 included); else built from `schedule`. */
  sigmas?: ArrayLike<number>;
  /** 'karras' (default), 'exponential', 'polyexponential' (rho default 1) or 'vp' when `sigmas` is not given. */
  schedule?: 'karras' | 'exponential' | 'polyexponential' | 'vp';
  /** Number of noise levels before the appended 0 (required with `schedule`). */
  steps?: number;
  sigmaMin?: number;
  sigmaMax?: number;
  rho?: number;
  /** Parameters of schedule 'vp' (get_sigmas_vp; defaults 19.9, 0.1, 1e-3). */
  betaD?: number;
  betaMin?: number;
  epsS?: number;
  start?: EdmStart;
  sChurn?: number;
  sTmin?: number;
  sTmax?: number;
  sNoise?: number;
  /** Ancestral/SDE samplers and dpm_fast: noise scale (default 1, as k-diffusion; dpm_fast: 0). */
  eta?: number;
  /** dpmpp_2m_sde: 'midpoint' (default) or 'heun'. */
  solverType?: 'midpoint' | 'heun';
  /** dpmpp_sde: stage position (default 1/2). */
  r?: number;
  /** A key of STATESPACE_BACKENDS: 'wasm' (default) or 'reference'. */
  backend?: string;
  /**
   * The model's eigenvalues lhat_i, one per entry of the spectrum (same eigenbasis): the sampler sees the
   * denoiser lhat / (lhat + sigma^2) x per mode. Default: the spectrum itself (the exact denoiser).
   */
  modelSpectrum?: ArrayLike<number>;
  /**
   * true (default): `curve` has a point after every step. false: only the final W2 is wanted, so the tape keeps
   * only its last curve mark (lastMarkOnly) and `curve` has that one point (W2^2 against N(0, S)); w2, w2Squared,
   * variances and contributions are the same bit for bit, and the run skips a sqrt per mode per step.
   */
  curve?: boolean;
}

export const EDM_SAMPLER_ERROR_KEYS = optionKeys<EdmSamplerErrorOptions>({
  sampler: true, sigmas: true, schedule: true, steps: true, sigmaMin: true, sigmaMax: true, rho: true, start: true,
  sChurn: true, sTmin: true, sTmax: true, sNoise: true, backend: true, betaD: true, betaMin: true, epsS: true,
  eta: true, solverType: true, r: true, modelSpectrum: true, curve: true,
});

/** What running a sampler's tape on the modes gives (both frames; the curve's reference law is the frame's). */
export interface TapeModesResult {
  readonly w2: number;
  readonly w2Squared: number;
  /** Model evaluations read from the tape. */
  readonly nfe: number;
  /** W2^2 after each step against the exact marginal at the step's noise level (the last against N(0, S)); with curve: false, only that last point. */
  readonly curve: Float64Array;
  /** The modes: distinct pairs (l_i, lhat_i) of data and model eigenvalues (sorted by l, then lhat), multiplicities w_i. */
  readonly values: Float64Array;
  readonly modelValues: Float64Array;
  readonly counts: Float64Array;
  /** Output variance v_i of each distinct mode (the tape's final K[0, 0]). */
  readonly variances: Float64Array;
  /** w_i (sqrt v_i - sqrt l_i)^2 per distinct value: which eigenvalues carry the error; they sum to w2Squared. */
  readonly contributions: Float64Array;
}

export interface EdmSamplerErrorResult extends TapeModesResult {
  readonly sampler: string;
  /** Denoiser evaluations, counted as k-diffusion does. */
  readonly nfe: number;
  /** W2^2 between the sample after step k and the exact marginal N(0, S + sigma_{k+1}^2 I) (curve: false: the last point only). */
  readonly curve: Float64Array;
}

const CHURN_KEYS = ['sChurn', 'sTmin', 'sTmax', 'sNoise'] as const;
/** Sampler options: each sampler takes churn (EdmSamplerDefinition.churn) and/or the keys in its `options`. */
const SAMPLER_KEYS = [...CHURN_KEYS, 'eta', 'solverType', 'r'] as const;
const VP_KEYS = ['betaD', 'betaMin', 'epsS'] as const;

/** The noise levels an options object asks for (checked). */
export function edmSigmas(opts: EdmSamplerErrorOptions): Float64Array {
  if (opts.sigmas !== undefined) {
    for (const key of ['schedule', 'steps', 'sigmaMin', 'sigmaMax', 'rho', ...VP_KEYS] as const) {
      if (opts[key] !== undefined) fail('INVALID_OPTION', key, 'given together with sigmas', 'either sigmas or schedule options, not both');
    }
    return checkSigmas(opts.sigmas);
  }
  const schedule = opts.schedule ?? 'karras';
  if (opts.steps === undefined) fail('MISSING_OPTION', 'steps', 'no steps and no sigmas', 'steps (an integer >= 1) or sigmas');
  if (schedule === 'vp') {
    for (const key of ['sigmaMin', 'sigmaMax', 'rho'] as const) {
      if (opts[key] !== undefined) fail('INVALID_OPTION', key, 'given with the vp schedule', 'betaD, betaMin, epsS with schedule vp');
    }
    return vpSigmas(opts.steps, opts.betaD ?? 19.9, opts.betaMin ?? 0.1, opts.epsS ?? 1e-3);
  }
  for (const key of VP_KEYS) {
    if (opts[key] !== undefined) fail('INVALID_OPTION', key, `given with the ${String(schedule)} schedule`, `${key} only with schedule vp`);
  }
  const sigmaMin = opts.sigmaMin ?? 0.002;
  const sigmaMax = opts.sigmaMax ?? 80;
  if (schedule === 'karras') return karrasSigmas(opts.steps, sigmaMin, sigmaMax, opts.rho ?? 7);
  if (schedule === 'exponential') {
    if (opts.rho !== undefined) fail('INVALID_OPTION', 'rho', 'given with the exponential schedule', 'rho only with schedule karras');
    return exponentialSigmas(opts.steps, sigmaMin, sigmaMax);
  }
  if (schedule === 'polyexponential') return polyexponentialSigmas(opts.steps, sigmaMin, sigmaMax, opts.rho ?? 1);
  return fail('INVALID_SCHEDULE', 'schedule', `got ${describe(schedule)}`, "'karras', 'exponential', 'polyexponential' or 'vp'");
}

/** Exact W2 between an EDM-frame sampler's output law and N(0, S), with its NFE and its curve. */
export async function edmSamplerError(spectrum: SpectrumInput, opts: EdmSamplerErrorOptions): Promise<EdmSamplerErrorResult> {
  checkOptions(opts, EDM_SAMPLER_ERROR_KEYS);
  if (opts === undefined) fail('MISSING_OPTION', 'opts.sampler', 'no options', `an options object with sampler among ${EDM_SAMPLER_NAMES.join(', ')}`);
  const { sampler, backend = 'wasm' } = opts;
  if (typeof sampler !== 'string' || !Object.hasOwn(EDM_SAMPLERS, sampler)) {
    fail('UNKNOWN_SCHEME', 'sampler', `got ${describe(sampler)}`, EDM_SAMPLER_NAMES.join(', '));
  }
  const definition = EDM_SAMPLERS[sampler];
  checkStart(opts.start);
  if (definition.churn) checkChurn(opts);
  const allowed: readonly string[] = [...(definition.churn ? CHURN_KEYS : []), ...(definition.options ?? [])];
  for (const key of SAMPLER_KEYS) {
    if (opts[key] !== undefined && !allowed.includes(key)) {
      fail('INVALID_OPTION', key, `not an option of ${sampler}`, allowed.length ? `${sampler} takes ${allowed.join(', ')}` : `${sampler} takes no sampler options`);
    }
  }
  if (typeof backend !== 'string' || !Object.hasOwn(STATESPACE_BACKENDS, backend)) {
    fail('INVALID_OPTION', 'backend', `got ${describe(backend)}`, Object.keys(STATESPACE_BACKENDS).join(', '));
  }
  const withCurve = checkCurve(opts.curve);
  const sigmas = edmSigmas(opts);
  const tape = definition.build(sigmas, opts); // checks the sampler's own options before the spectrum is read
  return { sampler, ...(await runTapeOnModes(spectrum, opts.modelSpectrum, withCurve ? tape : lastMarkOnly(tape), backend)) };
}

/** The `curve` option of edmSamplerError and discreteSamplerError (default true). */
export function checkCurve(curve: unknown): boolean {
  if (curve !== undefined && typeof curve !== 'boolean') fail('INVALID_OPTION', 'curve', `got ${describe(curve)}`, 'true (a point after every step) or false (the final W2 only)');
  return curve ?? true;
}

/**
 * Run a checked tape on the modes of a spectrum (and model spectrum) with the back end `backend` (a key of
 * STATESPACE_BACKENDS, checked by the caller): W2 to N(0, S), the curve and the per-mode results. Shared by
 * edmSamplerError and the diffusers frame's discreteSamplerError.
 */
export async function runTapeOnModes(spectrum: SpectrumInput, modelSpectrum: ArrayLike<number> | undefined, tape: Tape, backend: string): Promise<TapeModesResult> {
  const modes = prepareModes(spectrum, modelSpectrum);
  const { variances, curve } = await STATESPACE_BACKENDS[backend](modes.values, modes.modelValues, modes.counts, tape);
  // W2^2 = sum_i w_i (sqrt v_i - sqrt l_i)^2 (both laws diagonal in the eigenbasis of S).
  const terms = new Float64Array(modes.values.length);
  for (let i = 0; i < terms.length; i++) terms[i] = squaredRootGap(variances[i], modes.values[i], modes.counts[i]);
  const w2Squared = neumaierSum(terms);
  return {
    w2: Math.sqrt(w2Squared), w2Squared, nfe: tape.nfe, curve,
    values: modes.values.slice(), modelValues: modes.modelValues.slice(), counts: modes.counts.slice(), variances, contributions: terms,
  };
}
