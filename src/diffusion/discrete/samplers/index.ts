/**
 * Discrete-time (diffusers) samplers under their diffusers names: each turns a training schedule, the
 * inference timesteps and its options into the tape of its algorithm (src/diffusion/statespace/tape.ts).
 */
import { type Tape } from '../../statespace/tape.js';
import { type TimestepSpacing, ddimTimesteps, dpmSolverTimesteps, type DiscreteSchedule } from '../schedule.js';
import { type DiscreteSamplerOptions } from './frame.js';
import { ddim } from './ddim.js';
import { ddpm } from './ddpm.js';
import { dpmSolverPP } from './dpmsolver_pp.js';
import { uniPC } from './unipc.js';

export { type DiscreteSamplerOptions, type DiscreteStart } from './frame.js';
export { ddim, ddpm, dpmSolverPP, uniPC };

export interface DiscreteSamplerDefinition {
  readonly build: (schedule: DiscreteSchedule, timesteps: readonly number[], opts: DiscreteSamplerOptions) => Tape;
  /** The scheduler's set_timesteps: (N, n, spacing, steps_offset) -> descending timesteps. */
  readonly timesteps: (N: number, n: number, spacing: TimestepSpacing, stepsOffset: number) => number[];
  /** Its sampler options (keys of DiscreteSamplerOptions besides start). */
  readonly options: readonly ('eta' | 'order' | 'solverType')[];
}

/** diffusers name -> builder. */
export const DISCRETE_SAMPLERS: Readonly<Record<string, DiscreteSamplerDefinition>> = Object.freeze({
  ddim: { build: ddim, timesteps: ddimTimesteps, options: ['eta'] },
  ddpm: { build: ddpm, timesteps: ddimTimesteps, options: [] },
  'dpmsolver++': { build: dpmSolverPP, timesteps: dpmSolverTimesteps, options: ['order'] },
  unipc: { build: uniPC, timesteps: dpmSolverTimesteps, options: ['order', 'solverType'] },
});

export const DISCRETE_SAMPLER_NAMES: readonly string[] = Object.freeze(Object.keys(DISCRETE_SAMPLERS));
