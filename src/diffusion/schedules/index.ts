/**
 * Noise schedules of the forward VP SDE dx = -b(t) x dt + sqrt(2 b(t)) dw on [0, T] (docs/math.md §2). A
 * schedule is a plain object of functions, as in k-diffusion: the engine reads b and B on the grid points
 * only (src/diffusion/grid.ts). A new schedule is one file in this folder (a function from its options to a
 * `Schedule`, ending with `checkSchedule`) plus one entry in SCHEDULES below.
 */
import { fail } from '../../core/errors.js';
import { describe } from '../../core/checks.js';
import { optionKeys } from '../../core/options.js';
import { type Schedule } from './schedule.js';
import { type VpLinearOptions, vpLinear } from './vp-linear.js';
import { type CosineOptions, cosine } from './cosine.js';

export { type Schedule, MAX_DECAY_INTEGRAL, checkSchedule, decay, forwardVariance } from './schedule.js';
export { vpLinear, vpLinearOf, VP_LINEAR_KEYS, DEFAULT_SCHEDULE, type VpLinearOptions } from './vp-linear.js';
export { cosine, COSINE_KEYS, COSINE_DEFAULTS, type CosineOptions } from './cosine.js';

export const SCHEDULES = {
  'vp-linear': vpLinear,
  cosine,
} as const;

export type ScheduleName = keyof typeof SCHEDULES;

export const SCHEDULE_NAMES = Object.keys(SCHEDULES) as ScheduleName[];

/** The schedule options of the reports (table, samplerError, curve, ...): a name and every schedule's own keys. */
export interface ScheduleOptions extends VpLinearOptions, CosineOptions {
  /** Default 'vp-linear'. */
  schedule?: ScheduleName;
}

export const SCHEDULE_KEYS = optionKeys<ScheduleOptions>({ schedule: true, betaMin: true, betaMax: true, horizon: true, cosineS: true, cosineBetaMax: true });

/** The schedule keys given (not undefined) in a larger options object, to pass them on. */
export function scheduleOptionsOf(opts: ScheduleOptions): ScheduleOptions {
  const own: Record<string, unknown> = {};
  for (const key of SCHEDULE_KEYS) if (opts[key as keyof ScheduleOptions] !== undefined) own[key] = opts[key as keyof ScheduleOptions];
  return own;
}

/**
 * The schedule named by `opts.schedule` (default 'vp-linear'), built by its SCHEDULES entry from the schedule
 * keys of a larger options object (checked by its caller); that entry refuses the keys of other schedules
 * (UNKNOWN_OPTION naming the key and listing its own).
 */
export function scheduleOf(opts: ScheduleOptions): Schedule {
  const { schedule: name = 'vp-linear', ...own } = scheduleOptionsOf(opts);
  if (!SCHEDULE_NAMES.includes(name)) fail('INVALID_SCHEDULE', 'schedule', `got ${describe(name)}`, SCHEDULE_NAMES.join(', '));
  return SCHEDULES[name](own);
}
