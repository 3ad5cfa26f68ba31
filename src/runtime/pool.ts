/**
 * Parallel propagation for the node entry: `threads` worker threads share the work while the calling
 * thread only coordinates (it stays responsive). The modes are independent, so each grid job is split into
 * chunks of modes of about equal cost, handed out largest first to whichever worker is free, two in flight
 * per worker. A worker loads and warms up its kernel as it boots, receives the spectrum and the plans once
 * per call, and then tasks (a job index and a range of modes). Each chunk returns the error sums of its
 * modes (merged with Neumaier sums), curve sums (added), and variances only when asked (stitched). Workers
 * are created once, booted ahead with `warmThreads()`, kept idle without holding the process open, and
 * stopped with `closeThreads()`.
 */
import { Worker } from 'node:worker_threads';
import { GaussdiffError } from '../core/errors.js';
import { type GridJob, type GridOutput } from '../diffusion/engine.js';
import { mergeSummaries } from '../diffusion/w2.js';

interface Pending { resolve: (o: GridOutput) => void; reject: (e: Error) => void }

class Pool {
  private workers: Worker[] = [];
  private pending = new Map<number, Pending>();
  private nextId = 0;

  /** Take over a worker started early by the command line (bin/gaussdiff.js). */
  adopt(w: Worker): void {
    this.watch(w);
  }

  ensure(n: number): void {
    // From the TS sources (tests) the worker is worker.ts; from the CLI bundle, its bundled twin; from
    // the library in dist/, worker.js.
    const fromSource = import.meta.url.endsWith('.ts');
    const bundled = import.meta.url.endsWith('.bundle.js');
    const url = new URL(fromSource ? './worker.ts' : bundled ? './worker.bundle.js' : './worker.js', import.meta.url);
    while (this.workers.length < n) {
      // From the TypeScript sources (tests, tsx), the worker registers tsx before loading worker.ts.
      const w = fromSource
        ? new Worker(`(async () => { const { register } = await import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}); register(); await import(${JSON.stringify(url.href)}); })()`, { eval: true })
        : new Worker(url);
      this.watch(w);
    }
  }

  private watch(w: Worker): void {
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

/** Chunks per thread and call: small enough to balance the load, large enough to amortise a task. */
const CHUNKS_PER_THREAD = 24;

interface Task { job: number; from: number; to: number; cost: number }


export async function parallelPropagate(
  spectrum: { values: Float64Array; weights: Float64Array },
  jobs: GridJob[],
  threads: number,
  keepVariances: boolean,
  onDone: (index: number) => void,
): Promise<GridOutput[]> {
  const nWorkers = threads;
  pool.ensure(nWorkers);
  const { values, weights } = spectrum;
  const n = values.length;
  const key = nextKey++;
  const plainJobs = jobs.map(plain);
  for (let w = 0; w < nWorkers; w++) pool.send(w, { type: 'call', key, values, weights, jobs: plainJobs });

  // Tasks: each job cut into chunks of even mode ranges with about the same cost, largest first.
  const cost = jobs.map((j) => (j.plan.points - 1) * j.plan.schemes.length);
  const target = (cost.reduce((a, b) => a + b, 0) * n) / (threads * CHUNKS_PER_THREAD);
  const tasks: Task[] = [];
  jobs.forEach((_, job) => {
    const chunks = Math.max(1, Math.min(Math.floor(n / 2), Math.round((cost[job] * n) / target)));
    for (let c = 0; c < chunks; c++) {
      const from = 2 * Math.round((n * c) / chunks / 2);
      const to = c + 1 === chunks ? n : 2 * Math.round((n * (c + 1)) / chunks / 2);
      if (to > from) tasks.push({ job, from, to, cost: cost[job] * (to - from) });
    }
  });
  tasks.sort((a, b) => b.cost - a.cost);

  const parts: { task: Task; out: GridOutput }[][] = jobs.map(() => []);
  const chunksLeft = jobs.map((_, job) => tasks.filter((t) => t.job === job).length);
  let next = 0;
  const finish = (task: Task, out: GridOutput) => {
    parts[task.job].push({ task, out });
    if (--chunksLeft[task.job] === 0) onDone(task.job);
  };

  const feed = async (w: number) => {
    while (next < tasks.length) {
      const task = tasks[next++];
      finish(task, await pool.run(w, { type: 'task', key, job: task.job, from: task.from, to: task.to, keepVariances }));
    }
  };
  // Two tasks in flight per worker: a worker always has its next task queued.
  await Promise.all(Array.from({ length: 2 * nWorkers }, (_, i) => feed(i % nWorkers)));

  return jobs.map((job, index) => {
    const chunks = parts[index].sort((a, b) => a.task.from - b.task.from);
    const nq = 2 * job.plan.schemes.length;
    let variances: Float64Array | null = null;
    if (keepVariances) {
      variances = new Float64Array(nq * n);
      for (const { task, out } of chunks) {
        const m = task.to - task.from;
        for (let q = 0; q < nq; q++) variances.set(out.variances!.subarray(q * m, (q + 1) * m), q * n + task.from);
      }
    }
    let curve: Float64Array | null = null;
    if (job.curve) {
      curve = new Float64Array(chunks[0].out.curve!.length);
      for (const { out } of chunks) for (let i = 0; i < curve.length; i++) curve[i] += out.curve![i];
    }
    return { variances, curve, summary: mergeSummaries(chunks.map((c) => c.out.summary), chunks.map((c) => c.task.from)) };
  });
}

/** Use a worker thread (running worker.js or its bundle) that the caller started early. */
export function adoptWorker(w: Worker): void {
  pool.adopt(w);
}

/** Start the worker threads now (they take tens of milliseconds to boot), e.g. while reading input. */
export function warmThreads(threads = 2): void {
  pool.ensure(threads);
}

/** Terminate the worker threads (they do not keep the process alive, so this is optional). */
export function closeThreads(): Promise<void> {
  return pool.close();
}
