/**
 * What k-diffusion's ancestral and SDE samplers share (k_diffusion/sampling.py): the options eta and s_noise,
 * checked, and get_ancestral_step.
 */
import { fail } from '../../../core/errors.js';
import { describe } from '../../../core/checks.js';
import { type EdmSamplerOptions } from './common.js';

/** eta scales the injected noise (0: deterministic), s_noise multiplies it (k-diffusion's defaults 1, 1). */
export interface AncestralOptions extends EdmSamplerOptions {
  eta?: number;
  sNoise?: number;
}

function nonNegative(x: unknown, argument: string): number {
  if (x === undefined) return 1;
  if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) fail('INVALID_OPTION', argument, `got ${describe(x)}`, 'a finite number >= 0');
  return x;
}

/** eta and s_noise with their defaults (1, 1), checked (INVALID_OPTION). */
export function checkAncestral(opts: AncestralOptions): { eta: number; sNoise: number } {
  return { eta: nonNegative(opts.eta, 'eta'), sNoise: nonNegative(opts.sNoise, 'sNoise') };
}

/**
 * get_ancestral_step: sigma_up = min(sigma_to, eta sqrt(sigma_to^2 (sigma_from^2 - sigma_to^2) / sigma_from^2)),
 * sigma_down = sqrt(sigma_to^2 - sigma_up^2); (sigma_to, 0) when eta = 0. Returns [sigma_down, sigma_up].
 */
export function ancestralStep(from: number, to: number, eta: number): [number, number] {
  if (eta === 0) return [to, 0];
  const up = Math.min(to, eta * Math.sqrt((to * to * (from * from - to * to)) / (from * from)));
  return [Math.sqrt(to * to - up * up), up];
}
