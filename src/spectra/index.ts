/**
 * Built-in spectra by name (node only: MNIST reads the mnist package and its cache): the registry the CLI's
 * `--spectrum NAME` resolves through. A new built-in spectrum is one source file in this folder and one line
 * in SPECTRA.
 */
import { fail } from '../core/errors.js';
import { checkOptions } from '../core/options.js';
import { MNIST_DESCRIPTION, MNIST_KEYS, mnistSpectrum, type MnistOptions } from './mnist.js';
import { DEFAULT_SPECTRUM_DESCRIPTION, imageLikeSpectrum } from './power-law.js';

export interface NamedSpectrum {
  /** One line for `spectrum:` messages and help texts. */
  readonly description: string;
  /** The eigenvalues, a new array each call. */
  load(opts: MnistOptions): Promise<Float64Array>;
}

export const SPECTRA = {
  mnist: { description: MNIST_DESCRIPTION, load: (opts) => mnistSpectrum(opts) },
  'image-like': { description: `${DEFAULT_SPECTRUM_DESCRIPTION} (d = 3072)`, load: async () => imageLikeSpectrum() },
} as const satisfies Record<string, NamedSpectrum>;

export type SpectrumName = keyof typeof SPECTRA;

/** The names namedSpectrum knows, in registry order: mnist, image-like. */
export const SPECTRUM_NAMES = Object.keys(SPECTRA) as SpectrumName[];

export function isSpectrumName(name: unknown): name is SpectrumName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(SPECTRA, name);
}

/**
 * The built-in spectrum `name` (one of SPECTRUM_NAMES). Options: `onProgress(done, total)` for slow sources
 * (default none). `argument` (default 'name') names the name in errors, e.g. '--spectrum'.
 * Errors: INVALID_OPTION (unknown name, listing the known ones), UNKNOWN_OPTION / INVALID_OPTION (opts).
 */
export async function namedSpectrum(name: string, opts: MnistOptions = {}, argument = 'name'): Promise<Float64Array> {
  checkOptions(opts, MNIST_KEYS);
  if (!isSpectrumName(name)) fail('INVALID_OPTION', argument, `unknown spectrum ${JSON.stringify(name)}`, SPECTRUM_NAMES.join(', '));
  return SPECTRA[name].load(opts);
}
