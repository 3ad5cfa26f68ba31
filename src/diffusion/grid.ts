/**
 * Time grids of the reverse process. Times t_k are reverse-process times, 0 <= t_0 < ... < t_{N-1} <= T;
 * grid point k sits at forward time T - t_k, and the sampler stops at forward time eps = T - t_{N-1}.
 */
import { fail } from '../core/errors.js';
import { checkInteger } from '../core/checks.js';
import { type Schedule } from './schedules/index.js';

/** Largest number of grid points accepted (a guard against typos such as 1e10). */
export const MAX_POINTS = 100_000_000;

export function validatePoints(n: unknown, argument = 'steps'): number {
  return checkInteger(n, argument, 2, MAX_POINTS, `an integer number of grid points N from 2 to ${MAX_POINTS} (N - 1 steps)`, 'INVALID_STEPS');
}

export function validateEps(eps: unknown, horizon: number, argument = 'eps'): number {
  if (typeof eps !== 'number' || !Number.isFinite(eps) || eps < 0 || eps >= horizon) {
    fail('INVALID_EPS', argument, `got ${String(eps)}`, `a truncation time in [0, T) = [0, ${horizon})`);
  }
  return eps;
}

/** The paper's grid: t_k = (T - eps) k / (N - 1), k = 0..N-1 (docs/math.md §2). */
export function uniformGrid(points: number, eps: number, horizon: number): Float64Array {
  validatePoints(points);
  validateEps(eps, horizon);
  const t = new Float64Array(points);
  const span = horizon - eps;
  for (let k = 0; k < points; k++) t[k] = (span * k) / (points - 1);
  t[points - 1] = span; // exact end point
  return t;
}

/** Check a user grid: at least 2 finite, strictly increasing times in [0, T]. Returns a private copy. */
export function validateGrid(times: unknown, horizon: number, argument = 'grid'): Float64Array {
  if (times === null || typeof times !== 'object' || typeof (times as ArrayLike<number>).length !== 'number') {
    fail('INVALID_GRID', argument, `expected an array of times, got ${typeof times}`, 'an increasing array of reverse times in [0, T]');
  }
  const arr = times as ArrayLike<number>;
  if (arr.length < 2 || arr.length > MAX_POINTS) {
    fail('INVALID_GRID', argument, `has ${arr.length} points`, `2 to ${MAX_POINTS} points`);
  }
  for (let k = 0; k < arr.length; k++) {
    const t = arr[k];
    if (typeof t !== 'number' || !Number.isFinite(t)) fail('INVALID_GRID', argument, `time ${k} is ${String(t)}`, 'finite times');
    if (t < 0 || t > horizon) fail('INVALID_GRID', argument, `time ${k} is ${t}, outside [0, T]`, `reverse times in [0, ${horizon}]`);
    if (k > 0 && !(t > arr[k - 1])) {
      fail('INVALID_GRID', argument, `not increasing at index ${k} (${arr[k - 1]} then ${t})`, 'strictly increasing reverse times');
    }
  }
  return Float64Array.from(arr);
}

/** Per grid point quantities shared by every scheme (one evaluation of the schedule per point). */
export interface GridGeometry {
  readonly times: Float64Array;
  /** e_k = exp(-2 B(T - t_k)). */
  readonly e: Float64Array;
  /** 1 - e_k, by expm1. */
  readonly om: Float64Array;
  /** c_k = b(T - t_k). */
  readonly beta: Float64Array;
  /** B(T - t_k). */
  readonly integral: Float64Array;
  /** Forward time at which the sampler stops: eps = T - t_{N-1}. */
  readonly eps: number;
}

export function gridGeometry(schedule: Schedule, times: Float64Array): GridGeometry {
  const n = times.length;
  const e = new Float64Array(n);
  const om = new Float64Array(n);
  const beta = new Float64Array(n);
  const integral = new Float64Array(n);
  const T = schedule.horizon;
  for (let k = 0; k < n; k++) {
    const s = T - times[k];
    integral[k] = schedule.integral(s);
    e[k] = Math.exp(-2 * integral[k]);
    om[k] = -Math.expm1(-2 * integral[k]);
    beta[k] = schedule.beta(s);
  }
  return { times, e, om, beta, integral, eps: T - times[n - 1] };
}
