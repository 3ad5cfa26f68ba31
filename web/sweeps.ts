/**
 * The explorer's sweeps (which step counts, eps and sigma_min values a view computes) and the frequency map of
 * an uploaded image: plain functions, shared by the worker and the tests.
 */
import type { Job } from './protocol.js';

/** The steps of the steps view: about 8 log-spaced integers from 2 to N (N included). */
export function stepsList(n: number): number[] {
  const k = 8;
  const out = new Set<number>();
  for (let i = 0; i < k; i++) out.add(Math.round(2 * Math.pow(n / 2, i / (k - 1))));
  return [...out].filter((s) => s >= 2 && s <= n).sort((a, b) => a - b);
}

/**
 * The steps of the k-diffusion / diffusers steps view: a fixed ladder 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000,
 * 2000, ... below N, and N. As N moves only its last entry changes, so the worker (which memoises each
 * sampler's W2 per step count) computes one new step count per sampler on a slider move.
 */
export function stepsLadder(n: number): number[] {
  const out = [2, 3, 5];
  for (let decade = 10; out[out.length - 1] < n; decade *= 10) out.push(decade, 2 * decade, 5 * decade);
  return [...out.filter((s) => s < n), n];
}

/** Curve stride of the reverse-process view at N grid points: about 400 points drawn (a plot needs no more), every step up to N = 400. */
export function curveEvery(n: number): number {
  return Math.max(1, Math.ceil(n / 400));
}

/** The step counts of the Table 2 view: N / 20, N / 4, N / 2 and N (the paper's 50, 250, 500, 1000 at N = 1000). */
export function tableSteps(n: number): number[] {
  return [...new Set([n / 20, n / 4, n / 2, n].map(Math.round))].filter((s) => s >= 2);
}

/** The truncation times of the eps view (Figure 1, right), and the sigma_min values of its EDM analogue. */
export const EPS_SWEEP = [1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 1e-1];
export const SIGMA_MIN_SWEEP = [1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 1e-1, 2e-1, 5e-1];

/**
 * For an uploaded image: each frequency's share of W2^2. The spectrum is adsnSpectrum's (H W frequencies in
 * fftshift order, then zeros), so frequency f has eigenvalue spectrum[f]; modes of equal eigenvalue carry equal
 * shares, so the share is contributions[k] / counts[k] of its distinct value k.
 */
export function frequencyMap(spectrum: Float64Array, image: NonNullable<Job['image']>, values: Float64Array, counts: Float64Array, parts: Float64Array): Float64Array {
  const n = image.height * image.width;
  const out = new Float64Array(n);
  for (let f = 0; f < n; f++) {
    const l = Math.max(spectrum[f], 0); // prepareSpectrum clips tiny negatives to 0
    let lo = 0, hi = values.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (values[mid] < l) lo = mid + 1;
      else hi = mid;
    }
    out[f] = parts[lo] / counts[lo];
  }
  return out;
}

