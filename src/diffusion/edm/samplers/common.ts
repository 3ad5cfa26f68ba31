/**
 * What every EDM-frame sampler shares: the start of the tape and EDM's churn (Karras et al. 2022,
 * Algorithm 2), in k-diffusion's conventions (k_diffusion/sampling.py).
 */
import { fail } from '../../../core/errors.js';
import { describe } from '../../../core/checks.js';
import { TapeBuilder } from '../../statespace/tape.js';

/** 'prior': x ~ N(0, sigma_0^2 I) (k-diffusion's); 'exact': x ~ N(0, S + sigma_0^2 I), the true marginal. */
export type EdmStart = 'prior' | 'exact';

export interface EdmSamplerOptions {
  /** Start law (default 'prior'). */
  start?: EdmStart;
}

/** EDM's churn, as sample_euler / sample_heun take it (defaults 0, 0, Infinity, 1: no churn). */
export interface ChurnOptions extends EdmSamplerOptions {
  sChurn?: number;
  sTmin?: number;
  sTmax?: number;
  sNoise?: number;
}

/** A builder whose register 0 starts with variance startScale l + startShift: sigma_0^2 (prior) or l + sigma_0^2. */
export function startTape(sigmas: Float64Array, start: EdmStart = 'prior'): TapeBuilder {
  checkStart(start);
  return new TapeBuilder(start === 'exact' ? 1 : 0, sigmas[0] * sigmas[0]);
}

export function checkStart(start: unknown): void {
  if (start !== undefined && start !== 'prior' && start !== 'exact') fail('INVALID_OPTION', 'start', `got ${describe(start)}`, "'prior' or 'exact'");
}

/** Slot of the exact denoiser's gain at level sigma: D(x, sigma) = lhat / (lhat + sigma^2) x (tape.ts, EDM frame). */
export function denoiserSlot(b: TapeBuilder, sigma: number): number {
  return b.factor(1, 0, 1, sigma * sigma);
}

/**
 * Slot of k-diffusion's derivative d = to_d(x, sigma, D) = (x - D) / sigma = sigma / (lhat + sigma^2) x, as
 * one factor (the difference x - D would cancel for lhat >> sigma^2).
 */
export function derivativeSlot(b: TapeBuilder, sigma: number): number {
  return b.factor(0, sigma, 1, sigma * sigma);
}

function churnValue(x: unknown, argument: string, fallback: number, infiniteOk = false): number {
  if (x === undefined) return fallback;
  if (typeof x !== 'number' || Number.isNaN(x) || x < 0 || (!infiniteOk && !Number.isFinite(x))) {
    fail('INVALID_OPTION', argument, `got ${describe(x)}`, infiniteOk ? 'a number >= 0 (Infinity allowed)' : 'a finite number >= 0');
  }
  return x;
}

/** The churn options with their defaults, checked (INVALID_OPTION). */
export function checkChurn(opts: ChurnOptions): Required<Omit<ChurnOptions, 'start'>> {
  return {
    sChurn: churnValue(opts.sChurn, 'sChurn', 0),
    sTmin: churnValue(opts.sTmin, 'sTmin', 0, true),
    sTmax: churnValue(opts.sTmax, 'sTmax', Infinity, true),
    sNoise: churnValue(opts.sNoise, 'sNoise', 1),
  };
}

/**
 * Returns the churn of step i as a function (b, i) => sigma_hat that emits the churn noise and returns the
 * level the model sees. EDM Algorithm 2 / sample_euler: gamma = min(s_churn / steps, sqrt 2 - 1) when
 * s_tmin <= sigma_i <= s_tmax, else 0; sigma_hat = sigma_i (1 + gamma);
 * x <- x + s_noise sqrt(sigma_hat^2 - sigma_i^2) eps when gamma > 0.
 */
export function churn(sigmas: Float64Array, opts: ChurnOptions): (b: TapeBuilder, i: number) => number {
  const { sChurn, sTmin, sTmax, sNoise } = checkChurn(opts);
  const steps = sigmas.length - 1;
  return (b, i) => {
    const sigma = sigmas[i];
    const gamma = sTmin <= sigma && sigma <= sTmax ? Math.min(sChurn / steps, Math.SQRT2 - 1) : 0;
    if (!(gamma > 0)) return sigma;
    const sigmaHat = sigma * (gamma + 1);
    b.noise(0, sNoise * Math.sqrt(sigmaHat * sigmaHat - sigma * sigma));
    return sigmaHat;
  };
}
