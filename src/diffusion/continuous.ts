/**
 * Exact continuous backward processes (math.md §2): started at p_T they are exact, so their only error at
 * forward time eps is the truncation; started at N(0, I) they carry the initialisation error.
 */
import { blockedSum } from '../core/sums.js';
import { type Schedule } from './schedules/index.js';
import { type Process } from './samplers/index.js';
import { type Init } from './propagation.js';

/** The schedule's constants of the closed forms at forward time s. */
interface ClosedForm {
  readonly es: number; // e^{-2B(s)}
  readonly oms: number; // 1 - e^{-2B(s)}
  readonly eT: number; // e^{-2B(T)}
  readonly omT: number; // 1 - e^{-2B(T)}
  readonly decay: number; // e^{-2(B(T) - B(s))}
}

function closedForm(schedule: Schedule, s: number): ClosedForm {
  const Bs = schedule.integral(s);
  const BT = schedule.integral(schedule.horizon);
  return { es: Math.exp(-2 * Bs), oms: -Math.expm1(-2 * Bs), eT: Math.exp(-2 * BT), omT: -Math.expm1(-2 * BT), decay: Math.exp(-2 * (BT - Bs)) };
}

/**
 * Output variance of one mode l of the continuous process stopped at forward time s:
 *   from p_T:                l(s)
 *   SDE from N(0, I):        l(s) + e^{-2(B(T) - B(s))} l(s)^2 / l(T) (1/l(T) - 1)
 *   ODE from N(0, I):        l(s) / l(T)
 */
function varianceAt(c: ClosedForm, l: number, process: Process, init: Init): number {
  const ls = c.es * l + c.oms; // l(s)
  if (init === 'pT') return ls;
  const lT = c.eT * l + c.omT; // l(T) > 0 always
  return process === 'sde' ? ls + ((c.decay * ls * ls) / lT) * (1 / lT - 1) : ls / lT;
}

/** Output variances of the continuous process stopped at forward time s, for every mode, into `out`. */
export function continuousVariancesInto(
  out: Float64Array,
  values: Float64Array,
  schedule: Schedule,
  process: Process,
  init: Init,
  s: number,
): Float64Array {
  const c = closedForm(schedule, s);
  for (let i = 0; i < values.length; i++) out[i] = varianceAt(c, values[i], process, init);
  return out;
}

/**
 * W2 to p_data of the continuous process stopped at forward time s, in one pass over the modes (blocked
 * summation as in `summarizeErrors`).
 */
export function continuousW2(
  values: Float64Array,
  counts: Float64Array,
  schedule: Schedule,
  process: Process,
  init: Init,
  s: number,
): number {
  const c = closedForm(schedule, s);
  return Math.sqrt(blockedSum(values.length, (from, to) => {
    let x = 0;
    for (let i = from; i < to; i++) {
      const d = Math.sqrt(varianceAt(c, values[i], process, init)) - Math.sqrt(values[i]);
      x += counts[i] * (d * d);
    }
    return x;
  }));
}
