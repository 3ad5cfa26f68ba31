/**
 * Exact continuous backward processes (math.md §2): started at p_T they are exact, so their only error at
 * forward time eps is the truncation; started at N(0, I) they carry the initialisation error.
 */
import { type Schedule } from './schedule.js';
import { type Process } from './scheme.js';
import { type Init } from './propagation.js';

/**
 * Output variance of one mode l of the continuous process stopped at forward time s:
 *   from p_T:                l(s)
 *   SDE from N(0, I):        l(s) + e^{-2(B(T) - B(s))} l(s)^2 / l(T) (1/l(T) - 1)
 *   ODE from N(0, I):        l(s) / l(T)
 */
export function continuousVariancesInto(
  out: Float64Array,
  values: Float64Array,
  schedule: Schedule,
  process: Process,
  init: Init,
  s: number,
): Float64Array {
  const T = schedule.horizon;
  const Bs = schedule.integral(s);
  const BT = schedule.integral(T);
  const es = Math.exp(-2 * Bs);
  const oms = -Math.expm1(-2 * Bs);
  const eT = Math.exp(-2 * BT);
  const omT = -Math.expm1(-2 * BT);
  const decayTs = Math.exp(-2 * (BT - Bs));
  for (let i = 0; i < values.length; i++) {
    const ls = es * values[i] + oms; // l(s)
    if (init === 'pT') { out[i] = ls; continue; }
    const lT = eT * values[i] + omT; // l(T) > 0 always
    out[i] = process === 'sde' ? ls + ((decayTs * ls * ls) / lT) * (1 / lT - 1) : ls / lT;
  }
  return out;
}

/**
 * W2 to p_data of the continuous process stopped at forward time s (one fused pass over the modes, with
 * the variances of `continuousVariancesInto` and blocked summation as in `summarizeErrors`).
 */
export function continuousW2(
  values: Float64Array,
  counts: Float64Array,
  schedule: Schedule,
  process: Process,
  init: Init,
  s: number,
): number {
  const T = schedule.horizon;
  const Bs = schedule.integral(s);
  const BT = schedule.integral(T);
  const es = Math.exp(-2 * Bs);
  const oms = -Math.expm1(-2 * Bs);
  const eT = Math.exp(-2 * BT);
  const omT = -Math.expm1(-2 * BT);
  const decayTs = Math.exp(-2 * (BT - Bs));
  const block = 256;
  let sum = 0;
  let comp = 0;
  for (let b = 0; b < values.length; b += block) {
    const end = Math.min(values.length, b + block);
    let x = 0;
    for (let i = b; i < end; i++) {
      const l = values[i];
      const ls = es * l + oms; // l(s)
      let v = ls;
      if (init === 'normal') {
        const lT = eT * l + omT;
        v = process === 'sde' ? ls + ((decayTs * ls * ls) / lT) * (1 / lT - 1) : ls / lT;
      }
      const d = Math.sqrt(v) - Math.sqrt(l);
      x += counts[i] * (d * d);
    }
    const t = sum + x;
    comp += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
    sum = t;
  }
  return Math.sqrt(sum + comp);
}
