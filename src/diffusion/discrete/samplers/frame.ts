/**
 * What the discrete-time samplers share: the frame x_t = sqrt(ab_t) x0 + sqrt(1 - ab_t) eps, whose exact
 * model outputs per mode (model eigenvalue lhat) are single factor slots (tape.ts):
 *   x0_hat  = sqrt(ab) lhat / (ab lhat + 1 - ab) x_t        (slot sqrt(ab), 0, ab, 1 - ab)
 *   eps_hat = sqrt(1 - ab) / (ab lhat + 1 - ab) x_t          (slot 0, sqrt(1 - ab), ab, 1 - ab)
 * and the start law: 'prior' x_T ~ N(0, I) (diffusers'), 'exact' the marginal N(0, ab_T S + (1 - ab_T) I).
 * clip_sample is off: clipping x0_hat to [-1, 1] is not linear, so no Gaussian recursion describes it.
 */
import { fail } from '../../../core/errors.js';
import { describe } from '../../../core/checks.js';
import { TapeBuilder } from '../../statespace/tape.js';
import { type DiscreteSchedule } from '../schedule.js';

export type DiscreteStart = 'prior' | 'exact';

export interface DiscreteSamplerOptions {
  start?: DiscreteStart;
  /** ddim: eta in [0, 1] (default 0). */
  eta?: number;
  /** dpmsolver++, unipc: solver_order 1, 2 (default) or 3. */
  order?: number;
  /** unipc: solver_type 'bh2' (default, B(h) = expm1(hh)) or 'bh1' (B(h) = hh). */
  solverType?: 'bh1' | 'bh2';
}

/** ab_t and 1 - ab_t from log ab_t (1 - ab_t = -expm1(log ab_t): no cancellation as ab_t -> 1). t < 0: final_alpha_cumprod = 1. */
export function alphaBar(schedule: DiscreteSchedule, t: number): { ab: number; logAb: number; oneMinus: number } {
  const logAb = t < 0 ? 0 : schedule.logAlphasCumprod[t];
  return { ab: Math.exp(logAb), logAb, oneMinus: -Math.expm1(logAb) };
}

export function checkStart(start: unknown): void {
  if (start !== undefined && start !== 'prior' && start !== 'exact') fail('INVALID_OPTION', 'start', `got ${describe(start)}`, "'prior' or 'exact'");
}

/** A builder whose register 0 (x_T at the first timestep T) has variance 1 (prior) or ab_T l + 1 - ab_T (exact). */
export function startTape(schedule: DiscreteSchedule, firstTimestep: number, start: DiscreteStart = 'prior'): TapeBuilder {
  checkStart(start);
  const { ab, oneMinus } = alphaBar(schedule, firstTimestep);
  return start === 'exact' ? new TapeBuilder(ab, oneMinus) : new TapeBuilder(0, 1);
}

/** Slot of the exact x0-prediction at ab: sqrt(ab) lhat / (ab lhat + 1 - ab). */
export function x0Slot(b: TapeBuilder, ab: number, oneMinus: number): number {
  return b.factor(Math.sqrt(ab), 0, ab, oneMinus);
}

/** Slot of the exact eps-prediction at ab: sqrt(1 - ab) / (ab lhat + 1 - ab). */
export function epsSlot(b: TapeBuilder, ab: number, oneMinus: number): number {
  return b.factor(0, Math.sqrt(oneMinus), ab, oneMinus);
}

/** Curve point after a step: the exact marginal at ab (scale ab, shift 1 - ab); after the last, the data (1, 0). */
export function markStep(b: TapeBuilder, last: boolean, ab: number, oneMinus: number): void {
  if (last) b.mark(0, 1, 0);
  else b.mark(0, ab, oneMinus);
}
