/**
 * Worker thread of the node entry: runs the propagation kernel on a slice of the modes and summarises the
 * errors of that slice. Messages: `spectrum` (the slice, once per call), then `job`s that refer to it.
 */
import { parentPort } from 'node:worker_threads';
import { setWasmSource, loadKernel, propagateWasm } from './wasm.js';
import { readWasm } from './node-wasm.js';
import { runJob, type GridJob } from './engine.js';

setWasmSource(readWasm);

let slice: { key: number; values: Float64Array; weights: Float64Array } | null = null;

type Message =
  | { type: 'spectrum'; key: number; values: Float64Array; weights: Float64Array }
  | { type: 'job'; id: number; key: number; job: GridJob; keepVariances: boolean };

parentPort!.on('message', async (msg: Message) => {
  if (msg.type === 'spectrum') {
    slice = { key: msg.key, values: msg.values, weights: msg.weights };
    return;
  }
  try {
    if (!slice || slice.key !== msg.key) throw new Error(`worker has no spectrum ${msg.key}`);
    const ex = await loadKernel();
    const out = runJob(slice.values, slice.weights, msg.job, (input) => propagateWasm(ex, input), msg.keepVariances);
    const transfer: ArrayBuffer[] = [];
    for (const a of [out.variances, out.curve, out.summary.squared]) if (a) transfer.push(a.buffer as ArrayBuffer);
    parentPort!.postMessage({ id: msg.id, out }, transfer);
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, error: { message: (err as Error).message, code: (err as { code?: string }).code } });
  }
});
