/**
 * Worker threads for the node entry: the modes are independent, so each call splits them into one
 * contiguous slice per thread, sends every worker its slice once, then the grid jobs. Each worker returns,
 * per job, the error sums of its slice (merged here), curve sums (added), and the variances only when asked
 * (stitched). Workers are created once, kept idle without holding the process open, and shut down with
 * `closeThreads()`; `warmThreads()` starts them ahead of time.
 */
import { Worker } from 'node:worker_threads';
import { GaussdiffError } from './errors.js';
import { type GridJob, type GridOutput } from './engine.js';
import { mergeSummaries } from './wasserstein.js';
import { compiledKernel } from './node-wasm.js';

interface Pending { resolve: (o: GridOutput) => void; reject: (e: Error) => void }

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
      w.on('message', (msg: { id: number; out?: GridOutput; error?: { message: string; code?: string } }) => {
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
      compiledKernel().then((module) => w.postMessage({ type: 'module', module }), (err) => w.emit('error', err));
    }
  }

  send(worker: number, message: unknown, transfer: ArrayBuffer[] = []): void {
    this.workers[worker].postMessage(message, transfer);
  }

  run(worker: number, message: object): Promise<GridOutput> {
    const id = this.nextId++;
    for (const x of this.workers) x.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.workers[worker].postMessage({ ...message, id });
    });
  }

  async close(): Promise<void> {
    const ws = this.workers;
    this.workers = [];
    await Promise.all(ws.map((w) => w.terminate()));
  }
}

const pool = new Pool();

let nextKey = 0;

/** The structured-clonable part of a job (scheme definitions carry functions; the kernel needs counts). */
function plain(job: GridJob): GridJob {
  const { plan, geom } = job;
  return {
    geom: { times: geom.times, e: geom.e, om: geom.om, beta: geom.beta, integral: geom.integral, eps: geom.eps },
    plan: { schemes: plan.schemes.map((s) => ({ name: s.name })) as never, points: plan.points, tableau: plan.tableau, coefficients: plan.coefficients },
    curve: job.curve,
  };
}

export async function parallelPropagate(
  spectrum: { values: Float64Array; weights: Float64Array },
  jobs: GridJob[],
  threads: number,
  keepVariances: boolean,
  onDone: (index: number) => void,
): Promise<GridOutput[]> {
  pool.ensure(threads);
  const n = spectrum.values.length;
  const key = nextKey++;
  // Even slice boundaries keep every slice SIMD-friendly.
  const bounds = Array.from({ length: threads + 1 }, (_, j) => Math.min(n, 2 * Math.round((n * j) / threads / 2)));
  bounds[threads] = n;
  const offsets = bounds.slice(0, -1);
  offsets.forEach((from, j) => {
    const values = spectrum.values.slice(from, bounds[j + 1]);
    const weights = spectrum.weights.slice(from, bounds[j + 1]);
    pool.send(j, { type: 'spectrum', key, values, weights }, [values.buffer, weights.buffer]);
  });
  return Promise.all(jobs.map(async (job, index) => {
    const message = { type: 'job', key, job: plain(job), keepVariances };
    const parts = await Promise.all(offsets.map((_, j) => pool.run(j, message)));
    const nq = 2 * job.plan.schemes.length;
    let variances: Float64Array | null = null;
    if (keepVariances) {
      variances = new Float64Array(nq * n);
      parts.forEach((part, j) => {
        const m = bounds[j + 1] - bounds[j];
        for (let q = 0; q < nq; q++) variances!.set(part.variances!.subarray(q * m, (q + 1) * m), q * n + bounds[j]);
      });
    }
    let curve: Float64Array | null = null;
    if (job.curve) {
      curve = new Float64Array(parts[0].curve!.length);
      for (const part of parts) for (let i = 0; i < curve.length; i++) curve[i] += part.curve![i];
    }
    onDone(index);
    return { variances, curve, summary: mergeSummaries(parts.map((p) => p.summary), offsets) };
  }));
}

/** Start the worker threads now (they take tens of milliseconds to boot), e.g. while reading input. */
export function warmThreads(threads = 2): void {
  pool.ensure(threads);
}

/** Terminate the worker threads (they do not keep the process alive, so this is optional). */
export function closeThreads(): Promise<void> {
  return pool.close();
}
