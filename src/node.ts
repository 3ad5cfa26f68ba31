/**
 * Node entry of gaussdiff: the environment-independent API (src/index.ts), the Wasm module read from
 * build/gaussdiff.wasm, worker threads for large jobs, and file helpers.
 */
import { availableParallelism } from 'node:os';
import { readFile } from 'node:fs/promises';
import { setWasmSource } from './wasm.js';
import { setParallelExecutor } from './engine.js';
import { parallelPropagate } from './threads.js';
import { compiledKernel } from './node-wasm.js';
import { parseNpy } from './npy.js';
import { fail } from './errors.js';

setWasmSource(compiledKernel);
setParallelExecutor(parallelPropagate, Math.max(1, Math.min(2, availableParallelism())));

export * from './index.js';
export { closeThreads, warmThreads, adoptWorker } from './threads.js';

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
