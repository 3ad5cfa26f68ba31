/**
 * Reports for the samplers of issue 9 (k-diffusion's, EDM frame; diffusers', discrete-time frame), built on
 * samplerError: the W2 curve after every step (the analogue of Pierret & Galerne's Figure 1, left) and a
 * Table-2-style table samplers x starts x steps, formatted by the same code as Table 2.
 */
import { fail } from '../../core/errors.js';
import { checkInteger, describe } from '../../core/checks.js';
import { checkOptions } from '../../core/options.js';
import { type SpectrumInput } from '../../spectra/spectrum.js';
import { EDM_SAMPLERS, EDM_SAMPLER_NAMES } from '../edm/samplers/index.js';
import { type EdmSamplerErrorOptions, EDM_SAMPLER_ERROR_KEYS, edmSigmas } from '../statespace/index.js';
import { type DiscreteSamplerErrorOptions, DISCRETE_SAMPLER_ERROR_KEYS, DISCRETE_SAMPLER_NAMES, discreteTape, discreteTimesteps } from '../discrete/index.js';
import { samplerError } from './outputs.js';
import { alignedLines, cellFormat } from './table.js';

export type AnySamplerOptions = EdmSamplerErrorOptions | DiscreteSamplerErrorOptions;

const isDiscrete = (sampler: unknown): boolean => typeof sampler === 'string' && DISCRETE_SAMPLER_NAMES.includes(sampler);

export interface SamplerCurveResult {
  sampler: string;
  nfe: number;
  /** k-diffusion samplers: the noise level sigma reached after each step (0 after the final denoising step). */
  sigmas?: Float64Array;
  /** diffusers samplers: the timestep t of each step (diffusers' `for t in scheduler.timesteps`). */
  timesteps?: Float64Array;
  /** W2 after each step to the exact marginal there (N(0, S + sigma^2 I), resp. N(0, ab S + (1 - ab) I); the last to N(0, S)). */
  w2: Float64Array;
}

/** W2 after every step of a sampler (samplerError's `curve`, square-rooted), with the level of each point. */
export async function samplerCurve(spectrum: SpectrumInput, opts: AnySamplerOptions): Promise<SamplerCurveResult> {
  const r = await samplerError(spectrum, opts as EdmSamplerErrorOptions);
  const w2 = r.curve.map(Math.sqrt);
  if (isDiscrete(r.sampler)) {
    const o = opts as DiscreteSamplerErrorOptions;
    return { sampler: r.sampler, nfe: r.nfe, timesteps: Float64Array.from(discreteTimesteps(r.sampler, o.trainSteps ?? 1000, o)), w2 };
  }
  // Each curve point k is a MARK against N(0, 1 l + sigma^2) (scale 1, shift sigma^2): its level is sqrt(shift).
  const tape = EDM_SAMPLERS[r.sampler].build(edmSigmas(opts as EdmSamplerErrorOptions), opts as EdmSamplerErrorOptions);
  const sigmas = new Float64Array(w2.length).map((_, k) => Math.sqrt(tape.marks[2 * k + 1]));
  return { sampler: r.sampler, nfe: r.nfe, sigmas, w2 };
}

/** Options of samplerTable: the samplers, steps and starts, and any option of samplerError for either frame. */
export type SamplerTableOptions = Omit<Partial<EdmSamplerErrorOptions & DiscreteSamplerErrorOptions>, 'sampler' | 'steps' | 'start' | 'sigmas'> & {
  /** k-diffusion and/or diffusers names (required). */
  samplers: string[];
  /** Numbers of steps (k-diffusion: noise levels before the appended 0; diffusers: num_inference_steps); default [10, 20, 50]. */
  steps?: number[];
  /** Default ['prior']. */
  starts?: ('prior' | 'exact')[];
};

export interface SamplerTableRow {
  sampler: string;
  start: 'prior' | 'exact';
  steps: number;
  nfe: number;
  w2: number;
}

export const SAMPLER_TABLE_DEFAULTS = { steps: [10, 20, 50], starts: ['prior'] as ('prior' | 'exact')[] };

const FRAME_KEYS = { edm: EDM_SAMPLER_ERROR_KEYS, discrete: DISCRETE_SAMPLER_ERROR_KEYS };
const OWN_KEYS = ['samplers', 'steps', 'starts'];
const PER_CELL = ['sampler', 'steps', 'start', 'sigmas', 'curve'];

function nonEmpty<T>(x: T[] | undefined, argument: string): T[] {
  if (!Array.isArray(x) || x.length === 0) fail('INVALID_OPTION', argument, `expected a non-empty array, got ${describe(x)}`, 'a non-empty array');
  return x;
}

/**
 * W2 of each sampler x start x steps. Every other option goes to the samplers of the frame that knows it
 * (k-diffusion's noise levels and churn to k-diffusion names, the training schedule to diffusers names); an
 * option no listed sampler takes is refused. Every cell's options are checked (its tape built) before any work.
 */
export async function samplerTable(spectrum: SpectrumInput, opts: SamplerTableOptions): Promise<{ rows: SamplerTableRow[] }> {
  if (opts === null || typeof opts !== 'object') fail('INVALID_OPTION', 'opts', `got ${describe(opts)}`, 'an options object with samplers');
  const known = [...new Set([...OWN_KEYS, ...[...EDM_SAMPLER_ERROR_KEYS, ...DISCRETE_SAMPLER_ERROR_KEYS].filter((k) => !PER_CELL.includes(k))])];
  checkOptions(opts, known);
  const samplers = nonEmpty(opts.samplers, 'samplers').map((s, i) => {
    if (typeof s !== 'string' || !(EDM_SAMPLER_NAMES.includes(s) || isDiscrete(s))) fail('UNKNOWN_SCHEME', `samplers[${i}]`, `got ${describe(s)}`, [...EDM_SAMPLER_NAMES, ...DISCRETE_SAMPLER_NAMES].join(', '));
    return s;
  });
  const steps = nonEmpty(opts.steps ?? SAMPLER_TABLE_DEFAULTS.steps, 'steps').map((n, i) => checkInteger(n, `steps[${i}]`, 1, 1e7, 'an integer from 1 to 10000000', 'INVALID_STEPS'));
  const starts = nonEmpty(opts.starts ?? SAMPLER_TABLE_DEFAULTS.starts, 'starts').map((s, i) => {
    if (s !== 'prior' && s !== 'exact') fail('INVALID_OPTION', `starts[${i}]`, `got ${describe(s)}`, "'prior', 'exact'");
    return s;
  });
  const frames = new Set(samplers.map((s) => (isDiscrete(s) ? 'discrete' : 'edm') as keyof typeof FRAME_KEYS));
  const shared = Object.entries(opts).filter(([k, v]) => !OWN_KEYS.includes(k) && v !== undefined);
  for (const [key] of shared) {
    if (![...frames].some((f) => FRAME_KEYS[f].includes(key))) {
      fail('INVALID_OPTION', key, `no sampler of ${samplers.join(', ')} takes it`, `k-diffusion samplers: ${EDM_SAMPLER_ERROR_KEYS.join(', ')}; diffusers samplers: ${DISCRETE_SAMPLER_ERROR_KEYS.join(', ')}`);
    }
  }
  const cells = samplers.flatMap((sampler) => starts.flatMap((start) => steps.map((n) => {
    const frame = FRAME_KEYS[isDiscrete(sampler) ? 'discrete' : 'edm'];
    const cell = { ...Object.fromEntries(shared.filter(([k]) => frame.includes(k))), sampler, steps: n, start } as AnySamplerOptions;
    // The sampler's own checks (levels, timesteps, its options), as samplerError makes them first.
    if (isDiscrete(sampler)) discreteTape(cell as DiscreteSamplerErrorOptions);
    else EDM_SAMPLERS[sampler].build(edmSigmas(cell as EdmSamplerErrorOptions), cell as EdmSamplerErrorOptions);
    return cell;
  })));
  const rows: SamplerTableRow[] = [];
  for (const cell of cells) {
    const r = await samplerError(spectrum, { ...cell, curve: false } as EdmSamplerErrorOptions); // only w2 and nfe are read
    rows.push({ sampler: cell.sampler, start: cell.start!, steps: cell.steps!, nfe: r.nfe, w2: r.w2 });
  }
  return { rows };
}

/** Aligned text: one line per (sampler, start), one column per number of steps (Table 2's formatting). */
export function formatSamplerTable(result: { rows: SamplerTableRow[] }, digits: number | 'paper' = 'paper'): string {
  const fmt = cellFormat(digits);
  const columns = [...new Set(result.rows.map((r) => r.steps))];
  const lines = new Map<string, Map<number, string>>();
  for (const r of result.rows) {
    const key = `${r.sampler}\u0000${r.start}`;
    if (!lines.has(key)) lines.set(key, new Map());
    lines.get(key)!.set(r.steps, fmt(r.w2 === Infinity ? 'Infinity' : r.w2));
  }
  const body = [...lines].map(([key, cells]) => [...key.split('\u0000'), ...columns.map((n) => cells.get(n) ?? '')]);
  return alignedLines(['sampler', 'start', ...columns.map((n) => `${n} steps`)], body, 2).join('\n');
}
