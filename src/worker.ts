/** Worker thread of the node entry: runs the propagation kernel on a slice of the modes. */
import { parentPort } from 'node:worker_threads';
import { setWasmSource, loadKernel, propagateWasm } from './wasm.js';
import { readWasm } from './node-wasm.js';
import { type PropagateInput } from './propagation.js';

setWasmSource(readWasm);

parentPort!.on('message', async (msg: { id: number; input: PropagateInput }) => {
  try {
    const ex = await loadKernel();
    const out = propagateWasm(ex, msg.input);
    const transfer: ArrayBuffer[] = [out.variances.buffer as ArrayBuffer];
    if (out.curve) transfer.push(out.curve.buffer as ArrayBuffer);
    parentPort!.postMessage({ id: msg.id, out }, transfer);
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, error: { message: (err as Error).message, code: (err as { code?: string }).code } });
  }
});
