/**
 * Worker thread of the node entry: runs the propagation kernel on chunks of modes and summarises their
 * errors. It loads and warms up its kernel as it boots. Messages: `call` (spectrum and plans, once per
 * call), then `task`s (a job index and a range of modes).
 */
import { parentPort } from 'node:worker_threads';
import { setWasmSource, loadKernel, warmKernel } from '../wasm/kernel.js';
import { readWasm } from '../wasm/node.js';
import { runJob, wasmBackend, type GridJob } from '../diffusion/engine.js';

// Load the kernel and let V8 optimize it now, while the main thread is still preparing its input; a
// failure resurfaces, typed, on the first task.
setWasmSource(readWasm);
warmKernel().catch(() => {});

let call: { key: number; values: Float64Array; weights: Float64Array; roots: Float64Array; jobs: GridJob[] } | null = null;

type Message =
  | { type: 'call'; key: number; values: Float64Array; weights: Float64Array; jobs: GridJob[] }
  | { type: 'task'; id: number; key: number; job: number; from: number; to: number; keepVariances: boolean };

parentPort!.on('message', async (msg: Message) => {
  if (msg.type === 'call') {
    call = { key: msg.key, values: msg.values, weights: msg.weights, roots: msg.values.map(Math.sqrt), jobs: msg.jobs };
    return;
  }
  try {
    if (!call || call.key !== msg.key) throw new Error(`worker has no call ${msg.key}`);
    const run = wasmBackend(await loadKernel());
    const r = [msg.from, msg.to] as const;
    const out = runJob(call.values.subarray(...r), call.weights.subarray(...r), call.roots.subarray(...r), call.jobs[msg.job], run, msg.keepVariances);
    const transfer: ArrayBuffer[] = [];
    for (const a of [out.variances, out.curve, out.summary.squared]) if (a) transfer.push(a.buffer as ArrayBuffer);
    parentPort!.postMessage({ id: msg.id, out }, transfer);
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, error: { message: (err as Error).message, code: (err as { code?: string }).code } });
  }
});
