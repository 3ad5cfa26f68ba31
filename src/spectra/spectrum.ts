/**
 * Spectra: the multiset {l_i} of eigenvalues of the data covariance S (docs/math.md §1).
 *
 * Many spectra repeat values (ADSN: two thirds are exactly 0), so a prepared spectrum stores the distinct
 * values, ascending, with their multiplicities: every per-mode computation runs over distinct values only.
 */
import { fail } from '../core/errors.js';
import { NEGATIVE_TOLERANCE } from '../core/tolerances.js';

/** What callers may pass as a spectrum. */
export type SpectrumInput = ArrayLike<number> | Spectrum;

export interface Spectrum {
  readonly kind: 'gaussdiff.spectrum';
  /** Distinct eigenvalues, ascending, all >= 0. */
  readonly values: Float64Array;
  /** Multiplicity of each distinct value (as f64, the weight of the mode in every sum). */
  readonly counts: Float64Array;
  /** Dimension d = sum of counts. */
  readonly dimension: number;
  /** Number of entries in [-1e-12 max, 0) that were clipped to 0. */
  readonly clipped: number;
}

export { NEGATIVE_TOLERANCE };

export function isSpectrum(x: unknown): x is Spectrum {
  return typeof x === 'object' && x !== null && (x as Spectrum).kind === 'gaussdiff.spectrum';
}

/**
 * Validate a spectrum and merge equal eigenvalues into (value, multiplicity). The input is not mutated; a
 * prepared Spectrum is returned as is. `argument` (default 'spectrum') names the input in errors.
 * Errors: INVALID_OPTION (not an array), EMPTY_SPECTRUM, NON_FINITE, NEGATIVE_EIGENVALUE (below -1e-12 * max).
 * Tiny negatives are clipped to 0 and counted.
 */
export function prepareSpectrum(input: SpectrumInput, argument = 'spectrum'): Spectrum {
  if (isSpectrum(input)) return input;
  if (input === null || typeof input !== 'object' || typeof (input as ArrayLike<number>).length !== 'number') {
    fail('INVALID_OPTION', argument, `expected an array of eigenvalues, got ${typeof input}`, 'Float64Array, Float32Array or number[] of eigenvalues >= 0');
  }
  const n = input.length;
  if (n === 0) fail('EMPTY_SPECTRUM', argument, 'the spectrum is empty', 'at least one eigenvalue');
  // Scan first (no allocation): types, finiteness, maximum, minimum. Typed arrays hold numbers only.
  if (!ArrayBuffer.isView(input)) {
    for (let i = 0; i < n; i++) {
      if (typeof input[i] !== 'number') fail('NON_FINITE', argument, `entry ${i} is ${String(input[i])}`, 'finite eigenvalues');
    }
  }
  let max = -Infinity;
  let min = Infinity;
  let finite = true;
  for (let i = 0; i < n; i++) {
    const x = input[i];
    finite = finite && x - x === 0; // false for NaN and +-Infinity
    if (x > max) max = x;
    if (x < min) min = x;
  }
  if (!finite) {
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(input[i])) fail('NON_FINITE', argument, `entry ${i} is ${String(input[i])}`, 'finite eigenvalues');
    }
  }
  const floor = -NEGATIVE_TOLERANCE * Math.max(max, 0);
  if (min < floor) {
    let at = 0;
    for (let i = 0; i < n; i++) if (input[i] === min) { at = i; break; }
    fail('NEGATIVE_EIGENVALUE', argument, `entry ${at} is ${min}, below -1e-12 x max (${floor})`,
      'a positive semi-definite spectrum: eigenvalues >= -1e-12 x max (tiny negatives are clipped to 0)');
  }
  const sorted = Float64Array.from(input as ArrayLike<number>);
  let clipped = 0;
  for (let i = 0; i < n; i++) {
    if (sorted[i] < 0) { sorted[i] = 0; clipped++; }
  }
  sorted.sort();
  let distinct = 1;
  for (let i = 1; i < n; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
  const values = new Float64Array(distinct);
  const counts = new Float64Array(distinct);
  let j = 0;
  values[0] = sorted[0];
  counts[0] = 1;
  for (let i = 1; i < n; i++) {
    if (sorted[i] === sorted[i - 1]) counts[j]++;
    else { j++; values[j] = sorted[i]; counts[j] = 1; }
  }
  return { kind: 'gaussdiff.spectrum', values, counts, dimension: n, clipped };
}
