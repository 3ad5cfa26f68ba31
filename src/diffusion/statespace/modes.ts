/**
 * The modes a sampler runs on: pairs (l_i, lhat_i) of a data eigenvalue and the model's eigenvalue in the
 * same eigenvector (the denoiser a sampler sees is the model's, D(x, sigma) = lhat / (lhat + sigma^2) x per
 * mode; lhat = l is the exact one), with multiplicities. Equal pairs merge; equal l with different lhat are
 * different modes.
 */
import { fail } from '../../core/errors.js';
import { checkArrayShape, checkFiniteEntries } from '../../core/checks.js';
import { type SpectrumInput, isSpectrum, prepareSpectrum } from '../../spectra/spectrum.js';

export interface Modes {
  /** Data eigenvalues l_i, ascending (pairs sorted by l, then lhat). */
  readonly values: Float64Array;
  /** Model eigenvalues lhat_i of the same modes. */
  readonly modelValues: Float64Array;
  /** Multiplicity of each pair. */
  readonly counts: Float64Array;
}

/**
 * Merge equal pairs (l_i, lhat_i) of weights w_i (sorted by l, then lhat; the inputs are not modified).
 * Internal: the caller has checked the entries (finite, l and lhat >= 0, equal lengths).
 */
export function mergePairs(l: ArrayLike<number>, lhat: ArrayLike<number>, w: ArrayLike<number>): Modes {
  const order = Array.from({ length: l.length }, (_, i) => i).sort((i, j) => l[i] - l[j] || lhat[i] - lhat[j]);
  let distinct = 0;
  for (let k = 0; k < order.length; k++) {
    if (k === 0 || l[order[k]] !== l[order[k - 1]] || lhat[order[k]] !== lhat[order[k - 1]]) distinct++;
  }
  const values = new Float64Array(distinct);
  const modelValues = new Float64Array(distinct);
  const counts = new Float64Array(distinct);
  let j = -1;
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    if (j < 0 || l[i] !== values[j] || lhat[i] !== modelValues[j]) {
      j++;
      values[j] = l[i];
      modelValues[j] = lhat[i];
    }
    counts[j] += w[i];
  }
  return { values, modelValues, counts };
}

/**
 * The modes of a spectrum and an optional model spectrum: `modelSpectrum[i]` is lhat of the i-th entry of
 * `spectrum` (of the i-th distinct value when `spectrum` is a prepared Spectrum); without it lhat = l (the
 * exact denoiser) and the modes are the spectrum's distinct values. Errors: those of prepareSpectrum;
 * INVALID_SHAPE (modelSpectrum not an array, empty or of another length), NON_FINITE, NEGATIVE_EIGENVALUE
 * (an entry of modelSpectrum < 0), all before anything is allocated but the prepared spectrum.
 */
export function prepareModes(spectrum: SpectrumInput, modelSpectrum?: ArrayLike<number>): Modes {
  if (modelSpectrum === undefined) {
    const spec = prepareSpectrum(spectrum);
    return { values: spec.values, modelValues: spec.values, counts: spec.counts };
  }
  const n = checkArrayShape(modelSpectrum, 'modelSpectrum', undefined, 'an array of model eigenvalues lhat >= 0, one per entry of the spectrum');
  checkFiniteEntries(modelSpectrum, n, 'modelSpectrum', 'finite model eigenvalues lhat >= 0');
  for (let i = 0; i < n; i++) {
    if (modelSpectrum[i] < 0) fail('NEGATIVE_EIGENVALUE', 'modelSpectrum', `entry ${i} is ${modelSpectrum[i]}`, 'model eigenvalues lhat >= 0');
  }
  const spec = prepareSpectrum(spectrum);
  // A prepared Spectrum pairs lhat with its distinct values; an array, with its entries (tiny negatives as 0, as prepareSpectrum clips them).
  const prepared = isSpectrum(spectrum);
  const expected = prepared ? spec.values.length : spec.dimension;
  if (n !== expected) {
    fail('INVALID_SHAPE', 'modelSpectrum', `has length ${n}, expected ${expected}`,
      prepared ? 'one model eigenvalue per distinct value of the prepared spectrum' : 'one model eigenvalue per entry of the spectrum');
  }
  if (prepared) return mergePairs(spec.values, modelSpectrum, spec.counts);
  const l = Float64Array.from(spectrum as ArrayLike<number>, (x) => Math.max(x, 0));
  return mergePairs(l, modelSpectrum, new Float64Array(n).fill(1));
}
