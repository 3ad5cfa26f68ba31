/**
 * Noise schedules of the forward VP SDE dx = -b(t) x dt + sqrt(2 b(t)) dw on [0, T] (docs/math.md §2). A
 * schedule is a plain object of functions, as in k-diffusion: the engine reads b and B on the grid points
 * only (src/diffusion/grid.ts). A new schedule is one file in this folder (a function from its options to a
 * `Schedule`, ending with `checkSchedule`) plus one entry in SCHEDULES below.
 */
import { vpLinear } from './vp-linear.js';

export { type Schedule, MAX_DECAY_INTEGRAL, checkSchedule, decay, forwardVariance } from './schedule.js';
export { vpLinear, vpLinearOf, VP_LINEAR_KEYS, DEFAULT_SCHEDULE, type VpLinearOptions } from './vp-linear.js';

export const SCHEDULES = {
  'vp-linear': vpLinear,
} as const;

export type ScheduleName = keyof typeof SCHEDULES;

export const SCHEDULE_NAMES = Object.keys(SCHEDULES) as ScheduleName[];
