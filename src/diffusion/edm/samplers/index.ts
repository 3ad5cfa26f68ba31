/**
 * EDM-frame samplers under their k-diffusion names: each turns a sigma array (k-diffusion's, ending with
 * the appended 0) and its options into the tape of its algorithm (src/diffusion/statespace/tape.ts).
 */
import { type Tape } from '../../statespace/tape.js';
import { type ChurnOptions } from './common.js';
import { euler } from './euler.js';
import { heun } from './heun.js';
import { dpmpp2m } from './dpmpp_2m.js';

export { type EdmStart, type EdmSamplerOptions, type ChurnOptions, checkChurn, checkStart } from './common.js';
export { euler, heun, dpmpp2m };

export interface EdmSamplerDefinition {
  /** The tape builder. */
  readonly build: (sigmas: Float64Array, opts: ChurnOptions) => Tape;
  /** Whether the sampler takes EDM churn (sChurn, sTmin, sTmax, sNoise). */
  readonly churn: boolean;
}

/** k-diffusion name -> builder. */
export const EDM_SAMPLERS: Readonly<Record<string, EdmSamplerDefinition>> = Object.freeze({
  euler: { build: euler, churn: true },
  heun: { build: heun, churn: true },
  dpmpp_2m: { build: dpmpp2m, churn: false },
});

export const EDM_SAMPLER_NAMES: readonly string[] = Object.freeze(Object.keys(EDM_SAMPLERS));
