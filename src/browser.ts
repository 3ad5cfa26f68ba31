/**
 * Browser entry of gaussdiff, bundled by scripts/build-browser.js into dist/gaussdiff.browser.js with the
 * Wasm module inlined: the same API as the node entry (no worker threads; readNpy fetches a URL).
 */
import wasmBytes from '../build/gaussdiff.wasm';
import { setWasmSource } from './wasm.js';
import { parseNpy } from './npy.js';
import { fail } from './errors.js';

setWasmSource(async () => wasmBytes);

export * from './index.js';

/** Worker threads are a node feature; in browsers everything runs on the calling thread. */
export async function closeThreads(): Promise<void> {}

/** Worker threads are a node feature: nothing to start in browsers. */
export function warmThreads(_threads = 2): void {}

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
