/**
 * What k-diffusion's ancestral and SDE samplers share (k_diffusion/sampling.py): the options eta and s_noise,
 * checked, and get_ancestral_step.
 */
import { fail } from '../../../core/errors.js';
import { describe } from '../../../core/checks.js';
import { type Tape, type TapeBuilder } from '../../statespace/tape.js';
import { type EdmSamplerOptions, denoiserSlot, startTape } from './common.js';

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

/**
 * The loop k-diffusion's ancestral samplers share (sample_euler_ancestral, sample_dpm_2_ancestral,
 * sample_dpmpp_2s_ancestral): per level, `toDown` emits the sampler's deterministic step from sigma_i to
 * sigma_down (counting its denoiser calls in b.nfe), then fresh noise of standard deviation s_noise sigma_up
 * (none on the step to 0, where sigma_up = 0), then the curve mark. Register 0 holds x.
 */
export function ancestralTape(
  sigmas: Float64Array, opts: AncestralOptions, toDown: (b: TapeBuilder, sigma: number, down: number) => void,
): Tape {
  const { eta, sNoise } = checkAncestral(opts);
  const b = startTape(sigmas, opts.start);
  for (let i = 0; i + 1 < sigmas.length; i++) {
    const [down, up] = ancestralStep(sigmas[i], sigmas[i + 1], eta);
    toDown(b, sigmas[i], down);
    b.noise(0, sNoise * up); // x <- x + s_noise sigma_up eps
    b.mark(0, 1, sigmas[i + 1] * sigmas[i + 1]);
  }
  return b.build();
}

/** The Euler step to sigma_down = 0 (the last step): x + (0 - sigma) (x - D) / sigma = D(x, sigma). One NFE. */
export function eulerToZero(b: TapeBuilder, sigma: number): void {
  b.prec(0, 0, denoiserSlot(b, sigma));
  b.nfe++;
}
