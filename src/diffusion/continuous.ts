/**
 * Exact continuous backward processes (docs/math.md §2): started at p_T they are exact, so their only error at
 * forward time eps is the truncation; started at N(0, I) they carry the initialisation error.
 */
import { blockedSum } from '../core/sums.js';
import { SUM_BLOCK } from '../wasm/constants.js';
import { type Schedule } from './schedules/index.js';
import { type Process, type SchemeDefinition } from './samplers/index.js';
import { type Spectrum } from '../spectra/spectrum.js';
import { type Diagnostic, reportW2, w2Overflow } from './engine.js';
import { type Init } from './propagation.js';

/** The schedule's constants of the closed forms at forward time s. */
interface ClosedForm {
  readonly es: number; // e^{-2B(s)}
  readonly oms: number; // 1 - e^{-2B(s)}
  readonly eT: number; // e^{-2B(T)}
  readonly omT: number; // 1 - e^{-2B(T)}
  readonly decay: number; // e^{-2(B(T) - B(s))}
  readonly omDecay: number; // 1 - e^{-2(B(T) - B(s))}
}

function closedForm(schedule: Schedule, s: number): ClosedForm {
  const Bs = schedule.integral(s);
  const BT = schedule.integral(schedule.horizon);
  return {
    es: Math.exp(-2 * Bs), oms: -Math.expm1(-2 * Bs), eT: Math.exp(-2 * BT), omT: -Math.expm1(-2 * BT),
    decay: Math.exp(-2 * (BT - Bs)), omDecay: -Math.expm1(-2 * (BT - Bs)),
  };
}

/**
 * Output variance of one mode l of the continuous process stopped at forward time s (docs/math.md §2 (2.2)):
 *   from p_T:                l(s)
 *   SDE from N(0, I):        l(s) + e^{-2(B(T) - B(s))} l(s)^2 / l(T) (1/l(T) - 1)
 *                          = (l(s)/l(T)) (1 - d + d l(s)/l(T)),   d = e^{-2(B(T) - B(s))}
 *   ODE from N(0, I):        l(s) / l(T)
 * The SDE's second form (the backward flow's gain d (l(s)/l(T))^2 plus its noise l(s) (1 - d) / l(T), using
 * l(T) - d l(s) = 1 - d) has only non-negative terms: no cancellation and no overflow of l(s)^2 for large
 * eigenvalues. l(s)/l(T) <= max(1, e^{2(B(T) - B(s))}) is finite since B(T) <= MAX_DECAY_INTEGRAL.
 */
function varianceAt(c: ClosedForm, l: number, process: Process, init: Init): number {
  const ls = c.es * l + c.oms; // l(s)
  if (init === 'pT') return ls;
  const ratio = ls / (c.eT * l + c.omT); // l(s) / l(T), l(T) > 0 always
  return process === 'sde' ? ratio * (c.omDecay + c.decay * ratio) : ratio;
}

/**
 * v - l for the same mode, without cancellation (W2 of a continuous row is tiny exactly when v is close to l).
 * With 1 - l(s) = e_s (1 - l), 1 - l(T) = e_T (1 - l), l(T) = d l(s) + 1 - d and r = l(s)/l(T):
 *   from p_T:           l(s) - l = om_s (1 - l)
 *   SDE from N(0, I):   v - l = (1 - l) (om_s + e_s (d r)^2)       (d r <= 1)
 *   ODE from N(0, I):   v - l = ((1 - l) / l(T)) (om_s + e_T l)
 * Each is a product of one factor (1 - l) and non-negative terms, so it is accurate to a few ulps.
 */
function gapAt(c: ClosedForm, l: number, process: Process, init: Init): number {
  const ls = c.es * l + c.oms; // l(s)
  if (init === 'pT') return c.oms * (1 - l);
  const lT = c.eT * l + c.omT; // l(T) > 0
  if (process === 'ode') return ((1 - l) / lT) * (c.oms + c.eT * l);
  const dr = (c.decay * ls) / lT;
  return (1 - l) * (c.oms + c.es * dr * dr);
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
 * Squared W2 to p_data of the continuous process stopped at forward time s, in one pass over the modes
 * (blocked summation as in `summarizeErrors`). Every variance is finite (see `varianceAt`), so a non-finite
 * result is W2^2 overflowing: `continuousW2` reports it.
 */
export function continuousW2Squared(
  values: Float64Array,
  counts: Float64Array,
  schedule: Schedule,
  process: Process,
  init: Init,
  s: number,
): number {
  const c = closedForm(schedule, s);
  return blockedSum(values.length, SUM_BLOCK, (from, to) => {
    let x = 0;
    for (let i = from; i < to; i++) {
      // sqrt(v) - sqrt(l) = (v - l) / (sqrt(v) + sqrt(l)) (docs/math.md (1.2), second form).
      const gap = gapAt(c, values[i], process, init);
      const d = gap === 0 ? 0 : gap / (Math.sqrt(varianceAt(c, values[i], process, init)) + Math.sqrt(values[i]));
      x += counts[i] * (d * d);
    }
    return x;
  });
}

/** W2 of the continuous process of `scheme` (its "continuous" row) through the engine's `reportW2`. */
export function continuousW2(
  spectrum: Spectrum,
  schedule: Schedule,
  scheme: SchemeDefinition,
  init: Init,
  eps: number,
  squared = continuousW2Squared(spectrum.values, spectrum.counts, schedule, scheme.process, init, eps),
): { w2: number; diagnostic: Diagnostic | null } {
  return reportW2(squared, () => w2Overflow(`the continuous ${scheme.process.toUpperCase()}`, { scheme: scheme.name, eps, steps: null, init }));
}
