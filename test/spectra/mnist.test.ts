/**
 * The MNIST spectrum's caches (src/spectra/mnist.ts): in memory per process, and on disk in the documented
 * folder, keyed by the mnist package version and the format version, written atomically, checked when read.
 * A "new process" is a fresh copy of the node entry (vi.resetModules): its in-memory cache is empty.
 * The cache folder is a temporary one (GAUSSDIFF_CACHE), never the user's.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseNpy, toNpy } from '../../src/io/npy.js';

const folder = mkdtempSync(join(tmpdir(), 'gaussdiff-cache-'));
process.env.GAUSSDIFF_CACHE = folder;
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const MNIST_VERSION = (createRequire(import.meta.url)('mnist/package.json') as { version: string }).version;

/** A fresh copy of the MNIST module (and of the node entry, which sets the Wasm source), as a new process has. */
async function fresh() {
  vi.resetModules();
  await import('../../src/node.js');
  return import('../../src/spectra/mnist.js');
}

/** The bytes of a Float64Array (bitwise comparison). */
const bits = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe('the cache folder', () => {
  it('is $GAUSSDIFF_CACHE, else $XDG_CACHE_HOME/gaussdiff when absolute, else ~/.cache/gaussdiff', async () => {
    const { cacheFolder, mnistCachePath, MNIST_CACHE_FORMAT } = await fresh();
    expect(cacheFolder({ GAUSSDIFF_CACHE: '/a/b', XDG_CACHE_HOME: '/x' })).toBe('/a/b');
    expect(cacheFolder({ XDG_CACHE_HOME: '/x' })).toBe('/x/gaussdiff');
    expect(cacheFolder({ XDG_CACHE_HOME: 'relative' })).toBe(join(homedir(), '.cache', 'gaussdiff'));
    expect(cacheFolder({})).toBe(join(homedir(), '.cache', 'gaussdiff'));
    expect(MNIST_CACHE_FORMAT).toBe(1);
    expect(mnistCachePath()).toBe(join(folder, `mnist-${MNIST_VERSION}-spectrum-v1.npy`));
  });
});

describe('mnistSpectrum caches', () => {
  let computed: Float64Array;
  let path: string;

  it('the first call computes and writes the file atomically; a new process reads it: faster, bitwise equal, digits not loaded', async () => {
    const first = await fresh();
    path = first.mnistCachePath();
    expect(existsSync(path)).toBe(false);
    let t = performance.now();
    computed = await first.mnistSpectrum();
    const compute = performance.now() - t;
    expect(computed.length).toBe(784);
    expect(readdirSync(folder)).toEqual([basename(path)]); // no temporary file left behind
    expect(bits(parseNpy(readFileSync(path)))).toEqual(bits(computed));

    const second = await fresh();
    const progress: number[][] = [];
    t = performance.now();
    const read = await second.mnistSpectrum({ onProgress: (done, total) => progress.push([done, total]) });
    const cached = performance.now() - t;
    expect(bits(read)).toEqual(bits(computed));
    expect(progress).toEqual([[2, 2]]); // (1, 2) would mean the digits were loaded
    console.info(`[gaussdiff tests] MNIST spectrum: computed in ${compute.toFixed(0)} ms, read from the cache in ${cached.toFixed(1)} ms`);
    expect(cached).toBeLessThan(compute / 5);

    // In memory: the same process does not read the file again (deleted, not recreated), and returns copies.
    rmSync(path);
    const again = await second.mnistSpectrum();
    expect(bits(again)).toEqual(bits(computed));
    expect(existsSync(path)).toBe(false);
    again[0] = 123;
    expect((await second.mnistSpectrum())[0]).toBe(computed[0]);
  });

  it('returns what a valid file holds (the cache is what is read)', async () => {
    const stand = Float64Array.from({ length: 784 }, (_, i) => i / 7);
    writeFileSync(path, toNpy(stand));
    expect(bits(await (await fresh()).mnistSpectrum())).toEqual(bits(stand));
  });

  const ascending = (f: (i: number) => number) => toNpy(Float64Array.from({ length: 784 }, (_, i) => f(i)));
  it.each([
    ['a truncated file', () => ascending((i) => i).subarray(0, 1000)],
    ['783 values', () => toNpy(new Float64Array(783))],
    ['a NaN', () => ascending((i) => (i === 500 ? NaN : i))],
    ['a negative value', () => ascending((i) => i - 1)],
  ])('ignores a cache file with %s, recomputes and rewrites it', async (_, bytes) => {
    writeFileSync(path, bytes());
    expect(bits(await (await fresh()).mnistSpectrum())).toEqual(bits(computed));
    expect(bits(parseNpy(readFileSync(path)))).toEqual(bits(computed));
  });

  it('a cache folder that cannot be written is not an error: the spectrum is computed', async () => {
    const notAFolder = join(folder, 'a-file');
    writeFileSync(notAFolder, 'x');
    process.env.GAUSSDIFF_CACHE = notAFolder;
    try {
      expect(bits(await (await fresh()).mnistSpectrum())).toEqual(bits(computed));
    } finally {
      process.env.GAUSSDIFF_CACHE = folder;
    }
  });
});
