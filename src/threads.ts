/**
 * Worker threads for the node entry: each propagation is split by modes into one contiguous slice per
 * thread (the modes are independent), the slices run in parallel Wasm instances, and the final variances
 * are stitched back and the curve sums added. Workers are created once, kept idle without holding the
 * process open, and shut down with `closeThreads()`.
 */
import { Worker } from 'node:worker_threads';
import { type PropagateInput, type PropagateOutput } from './propagation.js';
import { GaussdiffError } from './errors.js';

interface Pending { resolve: (o: PropagateOutput) => void; reject: (e: Error) => void }

class Pool {
  private workers: Worker[] = [];
  private pending = new Map<number, Pending>();
  private nextId = 0;

  size(): number { return this.workers.length; }

  ensure(n: number): void {
    const fromSource = import.meta.url.endsWith('.ts');
    const url = new URL(fromSource ? './worker.ts' : './worker.js', import.meta.url);
    while (this.workers.length < n) {
      // From the TypeScript sources (tests, tsx), the worker registers tsx before loading worker.ts.
      const w = fromSource
        ? new Worker(`(async () => { const { register } = await import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}); register(); await import(${JSON.stringify(url.href)}); })()`, { eval: true })
        : new Worker(url);
      w.on('message', (msg: { id: number; out?: PropagateOutput; error?: { message: string; code?: string } }) => {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        if (this.pending.size === 0) for (const x of this.workers) x.unref();
        if (msg.error) p.reject(new GaussdiffError((msg.error.code ?? 'INTERNAL') as never, 'worker', msg.error.message, ''));
        else p.resolve(msg.out!);
      });
      w.on('error', (err) => {
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
      });
      w.unref();
      this.workers.push(w);
    }
  }

  run(worker: number, input: PropagateInput): Promise<PropagateOutput> {
    const id = this.nextId++;
    const w = this.workers[worker];
    for (const x of this.workers) x.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({ id, input });
    });
  }

  async close(): Promise<void> {
    const ws = this.workers;
    this.workers = [];
    await Promise.all(ws.map((w) => w.terminate()));
  }
}

const pool = new Pool();

/** A structured-clonable copy of the part of the input the kernel reads, for modes [from, to). */
function slice(input: PropagateInput, from: number, to: number): PropagateInput {
  const { plan, geom } = input;
  return {
    values: input.values.slice(from, to),
    weights: input.weights.slice(from, to),
    geom: { times: geom.times, e: geom.e, om: geom.om, beta: geom.beta, integral: geom.integral, eps: geom.eps },
    plan: { schemes: plan.schemes.map((s) => ({ name: s.name })) as never, points: plan.points, tableau: plan.tableau, coefficients: plan.coefficients },
    curve: input.curve,
  };
}

export async function parallelPropagate(
  inputs: PropagateInput[],
  threads: number,
  onDone: (index: number) => void,
): Promise<PropagateOutput[]> {
  pool.ensure(threads);
  return Promise.all(inputs.map(async (input, index) => {
    const n = input.values.length;
    const nq = 2 * input.plan.schemes.length;
    // Even slice boundaries keep every slice SIMD-friendly.
    const bounds = Array.from({ length: threads + 1 }, (_, j) => Math.min(n, 2 * Math.round((n * j) / threads / 2)));
    bounds[threads] = n;
    const parts = await Promise.all(bounds.slice(0, -1).map((from, j) => pool.run(j, slice(input, from, bounds[j + 1]))));
    const variances = new Float64Array(nq * n);
    parts.forEach((part, j) => {
      const m = bounds[j + 1] - bounds[j];
      for (let q = 0; q < nq; q++) variances.set(part.variances.subarray(q * m, (q + 1) * m), q * n + bounds[j]);
    });
    let curve: Float64Array | null = null;
    if (input.curve) {
      curve = new Float64Array(parts[0].curve!.length);
      for (const part of parts) for (let i = 0; i < curve.length; i++) curve[i] += part.curve![i];
    }
    onDone(index);
    return { variances, curve };
  }));
}

/** Terminate the worker threads (they do not keep the process alive, so this is optional). */
export function closeThreads(): Promise<void> {
  return pool.close();
}
