/**
 * Worker thread of the node entry: runs the propagation kernel on chunks of modes and summarises their
 * errors, or the pipeline's kernel pair sums on row ranges (`pairs` and `pairTask`, as `call` and `task`). It loads and warms up its kernel as it boots. Messages: `call` (a call's spectrum and plans, once
 * per call, kept under the call's key), `task`s (a key, a job index and a range of modes), `end` (the call's
 * last task is done: drop its data), and `held` (how many calls' data it keeps, for checks). Several calls
 * can be in flight at once: their tasks interleave.
 */
import { parentPort } from 'node:worker_threads';
import { setWasmSource, loadKernel, warmKernel, withKernel } from '../wasm/kernel.js';
import { readWasm } from '../wasm/node.js';
import { runJob, wasmBackend, type GridJob } from '../diffusion/engine.js';
import { runPairRanges, type PairSumInput } from '../learning/kernels.js';

// Load the kernel and let V8 optimize it now, while the main thread is still preparing its input; a
// failure resurfaces, typed, on the first task.
setWasmSource(readWasm);
warmKernel().catch(() => {});

interface Call { values: Float64Array; weights: Float64Array; roots: Float64Array; jobs: GridJob[] }
const calls = new Map<number, Call>();
/** Calls of the pipeline's kernel pair sums (src/learning/kernels.ts), under the same keys. */
const pairCalls = new Map<number, PairSumInput>();

type Message =
  | { type: 'call'; key: number; values: Float64Array; weights: Float64Array; jobs: GridJob[] }
  | { type: 'task'; id: number; key: number; job: number; from: number; to: number; keepVariances: boolean }
  | { type: 'pairs'; key: number; input: PairSumInput }
  | { type: 'pairTask'; id: number; key: number; from: number; to: number }
  | { type: 'end'; key: number }
  | { type: 'held'; id: number };

parentPort!.on('message', async (msg: Message) => {
  if (msg.type === 'call') {
    calls.set(msg.key, { values: msg.values, weights: msg.weights, roots: msg.values.map(Math.sqrt), jobs: msg.jobs });
    return;
  }
  if (msg.type === 'pairs') {
    pairCalls.set(msg.key, msg.input);
    return;
  }
  if (msg.type === 'end') {
    calls.delete(msg.key);
    pairCalls.delete(msg.key);
    return;
  }
  if (msg.type === 'held') {
    parentPort!.postMessage({ id: msg.id, held: calls.size + pairCalls.size });
    return;
  }
  if (msg.type === 'pairTask') {
    const input = pairCalls.get(msg.key);
    try {
      if (!input) throw new Error(`worker has no call ${msg.key}`);
      const [part] = withKernel(await loadKernel(), (scope) => runPairRanges(scope, input, [[msg.from, msg.to]]));
      parentPort!.postMessage({ id: msg.id, part }, [part.rowsA, part.rowsB, part.colsA, part.colsB].map((a) => a.buffer as ArrayBuffer));
    } catch (err) {
      parentPort!.postMessage({ id: msg.id, error: { message: (err as Error).message, code: (err as { code?: string }).code } });
    }
    return;
  }
  // Look the call up now: its `end` can only follow the answer to this task.
  const call = calls.get(msg.key);
  try {
    if (!call) throw new Error(`worker has no call ${msg.key}`);
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
