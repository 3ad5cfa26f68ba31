/**
 * VP linear schedule: b(t) = b_min + (b_max - b_min) t / T, B(t) = b_min t + (b_max - b_min) t^2 / (2T)
 * (docs/math.md §2; with T = 1 this is Pierret & Galerne's schedule; Song et al. 2021, VP SDE).
 */
import { fail } from '../../core/errors.js';
import { checkOptions, optionKeys } from '../../core/options.js';
import { type Schedule, checkSchedule } from './schedule.js';

export interface VpLinearOptions {
  /** b(0), default 0.05 (Song et al.'s 0.1 halved for this SDE's convention). */
  betaMin?: number;
  /** b(T), default 10. */
  betaMax?: number;
  /** T, default 1. */
  horizon?: number;
}

export const VP_LINEAR_KEYS = optionKeys<VpLinearOptions>({ betaMin: true, betaMax: true, horizon: true });

export const DEFAULT_SCHEDULE = { betaMin: 0.05, betaMax: 10, horizon: 1 } as const;

export function vpLinear(opts: VpLinearOptions = {}): Schedule {
  checkOptions(opts, VP_LINEAR_KEYS);
  return vpLinearOf(opts);
}

/**
 * `vpLinear` reading only the schedule's keys of a larger options object (checked by its caller).
 * Limit: B(T) = (b_min + b_max) T / 2 <= MAX_DECAY_INTEGRAL (350, see ./schedule.ts).
 */
export function vpLinearOf(opts: VpLinearOptions): Schedule {
  const betaMin = opts.betaMin ?? DEFAULT_SCHEDULE.betaMin;
  const betaMax = opts.betaMax ?? DEFAULT_SCHEDULE.betaMax;
  const horizon = opts.horizon ?? DEFAULT_SCHEDULE.horizon;
  if (typeof betaMin !== 'number' || !Number.isFinite(betaMin) || betaMin <= 0) {
    fail('INVALID_SCHEDULE', 'betaMin', `got ${String(betaMin)}`, 'a finite number > 0');
  }
  if (typeof betaMax !== 'number' || !Number.isFinite(betaMax) || betaMax < betaMin) {
    fail('INVALID_SCHEDULE', 'betaMax', `got ${String(betaMax)} with betaMin ${betaMin}`, 'a finite number >= betaMin');
  }
  if (typeof horizon !== 'number' || !Number.isFinite(horizon) || horizon <= 0) {
    fail('INVALID_SCHEDULE', 'horizon', `got ${String(horizon)}`, 'a finite number > 0');
  }
  const rise = betaMax - betaMin;
  // (t / T) in [0, 1] keeps every product finite whatever T (with T = 1 the same operations as t^2).
  return checkSchedule({
    name: `vp-linear(${betaMin}, ${betaMax}, ${horizon})`,
    horizon,
    beta: (t) => betaMin + rise * (t / horizon),
    integral: (t) => betaMin * t + 0.5 * rise * (t / horizon) * t,
  }, '(betaMin + betaMax) horizon / 2');
}
