/**
 * Worker thread of the node entry: runs the propagation kernel on a slice of the modes and summarises the
 * errors of that slice. Messages: `spectrum` (the slice, once per call), then `job`s that refer to it.
 */
import { parentPort } from 'node:worker_threads';
import { setWasmSource, loadKernel, warmKernel } from './wasm.js';
import { runJob, wasmBackend, type GridJob } from './engine.js';

// The main thread compiles the kernel once and sends the module (first message).
let moduleReady: (m: WebAssembly.Module) => void = () => {};
const module = new Promise<WebAssembly.Module>((resolve) => { moduleReady = resolve; });
setWasmSource(() => module);

let slice: { key: number; values: Float64Array; weights: Float64Array; roots: Float64Array } | null = null;

type Message =
  | { type: 'module'; module: WebAssembly.Module }
  | { type: 'spectrum'; key: number; values: Float64Array; weights: Float64Array }
  | { type: 'job'; id: number; key: number; job: GridJob; keepVariances: boolean };

parentPort!.on('message', async (msg: Message) => {
  if (msg.type === 'module') {
    moduleReady(msg.module);
    // Instantiate and compile the kernel now, while the main thread is still preparing the input.
    warmKernel().catch(() => {}); // a failure resurfaces, typed, on the first job
    return;
  }
  if (msg.type === 'spectrum') {
    slice = { key: msg.key, values: msg.values, weights: msg.weights, roots: msg.values.map(Math.sqrt) };
    return;
  }
  try {
    if (!slice || slice.key !== msg.key) throw new Error(`worker has no spectrum ${msg.key}`);
    const run = wasmBackend(await loadKernel());
    const out = runJob(slice.values, slice.weights, slice.roots, msg.job, run, msg.keepVariances);
    const transfer: ArrayBuffer[] = [];
    for (const a of [out.variances, out.curve, out.summary.squared]) if (a) transfer.push(a.buffer as ArrayBuffer);
    parentPort!.postMessage({ id: msg.id, out }, transfer);
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, error: { message: (err as Error).message, code: (err as { code?: string }).code } });
  }
});
