/**
 * Node entry of gaussdiff: the environment-independent API (src/index.ts), the Wasm module read from
 * build/gaussdiff.wasm, worker threads for large jobs, and file helpers.
 */
import { availableParallelism } from 'node:os';
import { readFile, writeFile } from 'node:fs/promises';
import { setWasmSource } from './wasm/kernel.js';
import { setParallelExecutor } from './diffusion/engine.js';
import { parallelPropagate } from './runtime/pool.js';
import { compiledKernel } from './wasm/node.js';
import { parseNpy, parseNpyArray, toNpy, type NpyArray } from './io/npy.js';
import { decodePng, type Image } from './images/png.js';
import { fail } from './core/errors.js';

setWasmSource(compiledKernel);
setParallelExecutor(parallelPropagate, Math.max(1, Math.min(2, availableParallelism())));

export * from './index.js';
export { closeThreads, warmThreads, adoptWorker } from './runtime/pool.js';
export { mnistDataset, mnistSpectrum, MNIST_DESCRIPTION, type MnistOptions } from './spectra/mnist.js';

/** Read a spectrum from a .npy file (<f4 or <f8, any shape, flattened). */
export async function readNpy(path: string): Promise<Float64Array> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    fail('NPY_READ', path, `cannot read the file (${e.code ?? e.message})`, 'a readable .npy file');
  }
  return parseNpy(bytes, path);
}

/** Read a .npy file keeping its shape. */
export async function readNpyArray(path: string): Promise<NpyArray> {
  return parseNpyArray(await readBytes(path, 'NPY_READ', 'a readable .npy file'), path);
}

/** Write a float64 array as a .npy file (<f8). */
export async function writeNpy(path: string, data: Float64Array, shape: number[] = [data.length]): Promise<void> {
  try {
    await writeFile(path, toNpy(data, shape));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    fail('INVALID_OPTION', path, `cannot write the file (${e.code ?? e.message})`, 'a writable path');
  }
}

/** Read and decode a PNG image (alpha ignored; values in [0, 1]). */
export async function readPng(path: string): Promise<Image> {
  return decodePng(await readBytes(path, 'IMAGE_READ', 'a readable PNG file'), path);
}

async function readBytes(path: string, code: 'NPY_READ' | 'IMAGE_READ', allowed: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    fail(code, path, `cannot read the file (${e.code ?? e.message})`, allowed);
  }
}
