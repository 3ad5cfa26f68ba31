/**
 * What a schedule is (docs/math.md §2): b and its integral B on [0, T], as plain functions (k-diffusion
 * style), with the limit every schedule keeps so that the engine's f64 quantities stay finite.
 */
import { fail } from '../../core/errors.js';

export interface Schedule {
  readonly name: string;
  /** Horizon T. */
  readonly horizon: number;
  /** b(t). */
  beta(t: number): number;
  /** B(t) = int_0^t b, increasing, with 0 < B(T) <= MAX_DECAY_INTEGRAL. */
  integral(t: number): number;
}

/**
 * Largest B(T) accepted (a limit of f64, docs/math.md §2 floating-point limits). With 2 B(T) <= 700 <
 * ln(f64 max) = 709.78, e^{2B(T)} and hence every step factor of the exponential integrator,
 * g2 = (e^{2(B(T-t_k) - B(T-t_{k+1}))} - 1)/2 <= e^{700}/2, are finite, and so are D c_k <= T b_max and every
 * coefficient of a plan. Beyond it e^{-2B(T)} < 1e-304: p_T is N(0, I) to f64 precision, a longer horizon
 * changes nothing representable, and the exponential integrator's first steps would overflow.
 */
export const MAX_DECAY_INTEGRAL = 350;

/** Check what every schedule promises the engine: a finite horizon T > 0 and 0 < B(T) <= MAX_DECAY_INTEGRAL. */
export function checkSchedule(schedule: Schedule, formula: string): Schedule {
  const total = schedule.integral(schedule.horizon);
  if (!(total > 0 && total <= MAX_DECAY_INTEGRAL)) {
    fail('INVALID_SCHEDULE', 'schedule', `${schedule.name} has B(T) = ${formula} = ${total}`,
      `0 < B(T) <= ${MAX_DECAY_INTEGRAL} (beyond it e^{-2B(T)} < 1e-304, so p_T is N(0, I) to f64 precision, and the exponential integrator's step factors overflow f64)`);
  }
  return schedule;
}

/** e^{-2B(t)} and 1 - e^{-2B(t)} (the latter by expm1, exact for small t). */
export function decay(schedule: Schedule, t: number): { e: number; om: number } {
  const x = -2 * schedule.integral(t);
  return { e: Math.exp(x), om: -Math.expm1(x) };
}

/** Forward variance of one mode: l(t) = e^{-2B(t)} l + 1 - e^{-2B(t)} (docs/math.md §2 (2.1)), without cancellation. */
export function forwardVariance(schedule: Schedule, l: number, t: number): number {
  const { e, om } = decay(schedule, t);
  return e * l + om;
}
