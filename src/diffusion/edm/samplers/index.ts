/**
 * EDM-frame samplers under their k-diffusion names: each turns a sigma array (k-diffusion's, ending with
 * the appended 0) and its options into the tape of its algorithm (src/diffusion/statespace/tape.ts).
 */
import { type Tape } from '../../statespace/tape.js';
import { type ChurnOptions } from './common.js';
import { euler } from './euler.js';
import { heun } from './heun.js';
import { dpmpp2m } from './dpmpp_2m.js';
import { eulerAncestral } from './euler_ancestral.js';
import { dpm2 } from './dpm_2.js';
import { dpm2Ancestral } from './dpm_2_ancestral.js';
import { lms } from './lms.js';
import { dpmpp2sAncestral } from './dpmpp_2s_ancestral.js';
import { type Dpmpp2mSdeOptions, dpmpp2mSde } from './dpmpp_2m_sde.js';
import { dpmpp3mSde } from './dpmpp_3m_sde.js';
import { type DpmppSdeOptions, dpmppSde } from './dpmpp_sde.js';
import { dpmFast } from './dpm_fast.js';

export { type EdmStart, type EdmSamplerOptions, type ChurnOptions, checkChurn, checkStart } from './common.js';
export { euler, heun, dpmpp2m, eulerAncestral, dpm2, dpm2Ancestral, lms, dpmpp2sAncestral, dpmpp2mSde, dpmpp3mSde, dpmppSde };

/** Every option a builder may read (each builder checks the ones it takes). */
export type EdmBuildOptions = ChurnOptions & Dpmpp2mSdeOptions & DpmppSdeOptions;

export interface EdmSamplerDefinition {
  /** The tape builder. */
  readonly build: (sigmas: Float64Array, opts: EdmBuildOptions) => Tape;
  /** Whether the sampler takes EDM churn (sChurn, sTmin, sTmax, sNoise). */
  readonly churn: boolean;
  /** Its other options (keys of EdmBuildOptions besides start and churn). */
  readonly options?: readonly string[];
}

const ANCESTRAL = ['eta', 'sNoise'] as const;

/** k-diffusion name -> builder. */
export const EDM_SAMPLERS: Readonly<Record<string, EdmSamplerDefinition>> = Object.freeze({
  euler: { build: euler, churn: true },
  heun: { build: heun, churn: true },
  dpmpp_2m: { build: dpmpp2m, churn: false },
  euler_ancestral: { build: eulerAncestral, churn: false, options: ANCESTRAL },
  dpm_2: { build: dpm2, churn: true },
  dpm_2_ancestral: { build: dpm2Ancestral, churn: false, options: ANCESTRAL },
  lms: { build: lms, churn: false },
  dpmpp_2s_ancestral: { build: dpmpp2sAncestral, churn: false, options: ANCESTRAL },
  dpmpp_sde: { build: dpmppSde, churn: false, options: [...ANCESTRAL, 'r'] },
  dpmpp_2m_sde: { build: dpmpp2mSde, churn: false, options: [...ANCESTRAL, 'solverType'] },
  dpmpp_3m_sde: { build: dpmpp3mSde, churn: false, options: ANCESTRAL },
  dpm_fast: { build: dpmFast, churn: false, options: ANCESTRAL }, // eta default 0; uses sigmas[0], the last positive level, n = length - 1
});

export const EDM_SAMPLER_NAMES: readonly string[] = Object.freeze(Object.keys(EDM_SAMPLERS));
