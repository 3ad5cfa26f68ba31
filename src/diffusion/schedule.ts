/**
 * Noise schedules of the forward VP SDE dx = -b(t) x dt + sqrt(2 b(t)) dw on [0, T] (math.md §2).
 * A schedule is a plain object of functions, as in k-diffusion.
 */
import { fail } from '../core/errors.js';
import { checkOptions, optionKeys } from '../core/options.js';

export interface Schedule {
  readonly name: string;
  /** Horizon T. */
  readonly horizon: number;
  /** b(t). */
  beta(t: number): number;
  /** B(t) = int_0^t b. */
  integral(t: number): number;
}

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

/**
 * VP linear schedule: b(t) = b_min + (b_max - b_min) t / T, B(t) = b_min t + (b_max - b_min) t^2 / (2T)
 * (math.md §2; with T = 1 this is Pierret & Galerne's schedule).
 */
export function vpLinear(opts: VpLinearOptions = {}): Schedule {
  checkOptions(opts, VP_LINEAR_KEYS);
  return vpLinearOf(opts);
}

/** `vpLinear` reading only the schedule's keys of a larger options object (checked by its caller). */
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
  const slope = (betaMax - betaMin) / horizon;
  return {
    name: `vp-linear(${betaMin}, ${betaMax}, ${horizon})`,
    horizon,
    beta: (t) => betaMin + slope * t,
    integral: (t) => betaMin * t + 0.5 * slope * t * t,
  };
}

/** e^{-2B(t)} and 1 - e^{-2B(t)} (the latter by expm1, exact for small t). */
export function decay(schedule: Schedule, t: number): { e: number; om: number } {
  const x = -2 * schedule.integral(t);
  return { e: Math.exp(x), om: -Math.expm1(x) };
}

/** Forward variance of one mode: l(t) = e^{-2B(t)} l + 1 - e^{-2B(t)} (math.md §2), without cancellation. */
export function forwardVariance(schedule: Schedule, l: number, t: number): number {
  const { e, om } = decay(schedule, t);
  return e * l + om;
}
