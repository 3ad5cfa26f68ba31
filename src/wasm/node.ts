/** Where node finds the Wasm module: build/gaussdiff.wasm, built from assembly/ by `npm install`. */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { fail } from '../core/errors.js';

// This file is src/wasm/node.ts (tests), dist/wasm/node.js (the library) or inlined into dist/*.bundle.js
// (the command line and its workers): the package root is two or one folders up.
export const WASM_URL = new URL(import.meta.url.endsWith('.bundle.js') ? '../build/gaussdiff.wasm' : '../../build/gaussdiff.wasm', import.meta.url);

export async function readWasm(): Promise<Uint8Array> {
  try {
    return await readFile(fileURLToPath(WASM_URL));
  } catch (err) {
    fail('INTERNAL', 'wasm', `cannot read ${fileURLToPath(WASM_URL)} (${(err as Error).message})`, 'run npm install (or npm run build) in the gaussdiff checkout');
  }
}

let compiled: Promise<WebAssembly.Module> | null = null;

/** The kernel compiled once per process; worker threads receive this module instead of compiling again. */
export function compiledKernel(): Promise<WebAssembly.Module> {
  if (!compiled) {
    compiled = readWasm().then((bytes) => WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>));
    compiled.catch(() => { compiled = null; });
  }
  return compiled;
}
