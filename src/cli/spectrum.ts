/**
 * `gaussdiff spectrum`: the eigenvalues of a data covariance S from one source, written as a 1-D <f8 .npy,
 * with a summary on stderr.
 */
import type { Command } from 'commander';
import {
  GaussdiffError, readNpyArray, writeNpy, readPng, imageLikeSpectrum, spectrumOfCovariance, spectrumOfSamples, spectrumOfImage,
} from '../node.js';
import { checkOutputPath } from '../io/files.js';
import { clipPsd } from '../linalg/functions.js';
import { neumaierSum } from '../core/sums.js';
import { builtinSpectrum } from './options.js';
import { significant } from './output.js';

const SOURCES = ['adsn', 'dataset', 'covariance', 'samples', 'powerLaw'] as const;
const flag = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

export function spectrumCommand(prog: Command): void {
  prog.command('spectrum')
    .description('Eigenvalues of a data covariance S, written as a 1-D <f8 .npy: from an image (ADSN), a dataset, a covariance matrix, samples, or the power-law model')
    .option('--adsn <image.png>', 'the ADSN spectrum of a PNG image (alpha ignored; grayscale = one channel)')
    .option('--dataset <name>', 'a dataset shipped with gaussdiff: mnist (10000 digits, 784 pixels, centred covariance)')
    .option('--covariance <C.npy>', 'a d x d symmetric positive semidefinite covariance matrix')
    .option('--samples <X.npy>', 'n x d samples, one per row')
    .option('--center', 'with --samples: estimate and remove the mean (covariance over n - 1); default: mean known to be 0 (over n)')
    .option('--power-law', 'the built-in power-law image model (3 x 32 x 32)')
    .requiredOption('--out <OUT.npy>', 'the .npy file to write')
    .action(async (o) => {
      const given = SOURCES.filter((k) => o[k] !== undefined);
      if (given.length !== 1) {
        throw new GaussdiffError('INVALID_OPTION', 'spectrum', given.length ? `several sources given (${given.map(flag).join(', ')})` : 'no source given',
          `exactly one of ${SOURCES.map(flag).join(', ')}`);
      }
      if (o.center && !o.samples) throw new GaussdiffError('INVALID_OPTION', '--center', 'given without --samples', '--center with --samples');
      if (o.dataset !== undefined && o.dataset !== 'mnist') throw new GaussdiffError('INVALID_OPTION', '--dataset', `unknown dataset ${JSON.stringify(o.dataset)}`, 'mnist');
      checkOutputPath(o.out, '--out');
      const values = await compute(o);
      await writeNpy(o.out, values);
      process.stderr.write(`spectrum: ${summary(values)} -> ${o.out}\n`);
    });
}

async function compute(o: Record<string, string | boolean | undefined>): Promise<Float64Array> {
  if (o.adsn) return spectrumOfImage(await readPng(o.adsn as string));
  if (o.dataset) return builtinSpectrum('mnist');
  if (o.powerLaw) return imageLikeSpectrum();
  if (o.covariance) {
    const file = o.covariance as string;
    const c = await readNpyArray(file);
    if (c.shape.length !== 2 || c.shape[0] !== c.shape[1]) {
      throw new GaussdiffError('INVALID_SHAPE', file, `shape (${c.shape.join(', ')})`, 'a square d x d covariance matrix');
    }
    // A covariance is PSD: negatives beyond rounding (-PSD_TOLERANCE x max |l|) are NOT_POSITIVE_DEFINITE, smaller ones 0.
    return clipPsd(await spectrumOfCovariance(c.data, c.shape[0]), file);
  }
  const file = o.samples as string;
  const x = await readNpyArray(file);
  if (x.shape.length !== 2) throw new GaussdiffError('INVALID_SHAPE', file, `shape (${x.shape.join(', ')})`, 'an n x d array of samples, one per row');
  const [n, d] = x.shape;
  return spectrumOfSamples(x.fortranOrder ? fromFortran(x.data, n, d) : x.data, n, d, { center: Boolean(o.center) });
}

/** Row-major copy of a Fortran-order (column-major) rows x cols array. */
function fromFortran(data: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = data[j * rows + i];
  return out;
}

/** d, distinct values, zeros, smallest nonzero, largest and trace, with 4 significant digits. */
export function summary(values: Float64Array): string {
  let zeros = 0;
  let minNonzero = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v === 0) zeros++;
    else minNonzero = Math.min(minNonzero, v);
    max = Math.max(max, v);
  }
  const distinct = new Set(values).size;
  const small = zeros === values.length ? 'none' : significant(minNonzero);
  return `d = ${values.length}, ${distinct} distinct value(s), ${zeros} zero(s), min nonzero ${small}, max ${significant(max)}, trace ${significant(neumaierSum(values))}`;
}
