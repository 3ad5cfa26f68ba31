/**
 * Parallel propagation for the node entry: `threads` worker threads share the work while the calling
 * thread only coordinates (it stays responsive). The modes are independent, so each grid job is split into
 * chunks of modes of about equal cost, handed out largest first to whichever worker is free, two in flight
 * per worker. A worker loads and warms up its kernel as it boots, receives the spectrum and the plans once
 * per call under the call's key, and then tasks (the key, a job index and a range of modes); any number of
 * calls may overlap, and each call's data is dropped when its last task is done. Each chunk returns the error
 * sums of its modes (merged with Neumaier sums), curve sums (added), and variances only when asked
 * (stitched). The pipeline's kernel pair sums (`parallelPairSums`) go the same way: input once per call,
 * then row ranges. Workers are created once, booted ahead with `warmThreads()`, kept idle without holding
 * the process open, replaced if one stops, and stopped with `closeThreads()`.
 */
import { Worker } from 'node:worker_threads';
import { GaussdiffError } from '../core/errors.js';
import { type GridJob, type GridOutput } from '../diffusion/engine.js';
import { mergeSummaries } from '../diffusion/w2.js';
import { type PairSumInput, type PairSumPart } from '../learning/kernels.js';
import { validateThreads, workerExecArgv } from './threads.js';

/** A worker's answer to a request (`task` or `held`). */
interface Reply { id: number; out?: GridOutput; part?: PairSumPart; held?: number; error?: { message: string; code?: string } }

let nextId = 0;

/** One worker and the answers it owes. It holds the process open only while it owes one. */
class Slot {
  private readonly pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  alive = true;
  closing = false;

  constructor(readonly worker: Worker, onExit: (slot: Slot) => void) {
    let crash: Error | null = null;
    worker.on('message', (msg: Reply) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (this.pending.size === 0) worker.unref();
      if (msg.error) p.reject(new GaussdiffError((msg.error.code ?? 'INTERNAL') as never, 'worker', msg.error.message, ''));
      else p.resolve(msg);
    });
    worker.on('error', (err) => { crash = err; });
    // A worker that stops (crash, out of memory, closeThreads) fails only the tasks it had been sent.
    worker.on('exit', (code) => {
      this.alive = false;
      const why = this.closing ? 'was stopped by closeThreads()' : crash ? `crashed (${crash.message})` : `exited with code ${code}`;
      for (const p of this.pending.values()) {
        p.reject(new GaussdiffError('WORKER_FAILED', 'threads', `a worker thread ${why} while running this call`, 'the same call again: the pool replaces the worker'));
      }
      this.pending.clear();
      onExit(this);
    });
    worker.unref();
  }

  post(message: unknown): void {
    if (this.alive) this.worker.postMessage(message);
  }

  /** Send a request and wait for its answer; null when the worker is gone (nothing was sent). */
  request(message: object): Promise<Reply> | null {
    if (!this.alive) return null;
    const id = nextId++;
    this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id });
    });
  }
}

class Pool {
  private slots: Slot[] = [];

  /** Take over a worker started early by the command line (bin/gaussdiff.js). */
  adopt(w: Worker): void {
    this.slots.push(new Slot(w, (s) => this.drop(s)));
  }

  /** The first n workers, started as needed (n already validated). */
  ensure(n: number): Slot[] {
    // From the TS sources (tests) the worker is worker.ts; from the CLI bundle, its bundled twin; from
    // the library in dist/, worker.js.
    const fromSource = import.meta.url.endsWith('.ts');
    const bundled = import.meta.url.endsWith('.bundle.js');
    const url = new URL(fromSource ? './worker.ts' : bundled ? './worker.bundle.js' : './worker.js', import.meta.url);
    // Explicit flags: the parent's may not suit a worker (see workerExecArgv).
    const execArgv = workerExecArgv(process.execArgv);
    while (this.slots.length < n) {
      // From the TypeScript sources (tests, tsx), the worker registers tsx before loading worker.ts.
      const w = fromSource
        ? new Worker(`(async () => { const { register } = await import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}); register(); await import(${JSON.stringify(url.href)}); })()`, { eval: true, execArgv })
        : new Worker(url, { execArgv });
      this.adopt(w);
    }
    return this.slots.slice(0, n);
  }

  private drop(slot: Slot): void {
    this.slots = this.slots.filter((s) => s !== slot);
  }

  /** How many workers there are, and how many calls' data they keep in all. */
  async state(): Promise<{ workers: number; held: number }> {
    const replies = await Promise.all(this.slots.map((s) => s.request({ type: 'held' })));
    return { workers: this.slots.length, held: replies.reduce((sum, r) => sum + (r?.held ?? 0), 0) };
  }

  async close(): Promise<void> {
    const slots = this.slots;
    this.slots = [];
    for (const s of slots) s.closing = true;
    await Promise.all(slots.map((s) => s.worker.terminate()));
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
    every: job.every,
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
  const slots = pool.ensure(threads);
  const { values, weights } = spectrum;
  const n = values.length;
  // Workers keep this call's data under its key until `end`, so that calls can overlap.
  const key = nextKey++;
  const plainJobs = jobs.map(plain);
  for (const slot of slots) slot.post({ type: 'call', key, values, weights, jobs: plainJobs });

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
  let finished = 0;
  let failure: unknown = null;
  const finish = (task: Task, out: GridOutput) => {
    finished++;
    parts[task.job].push({ task, out });
    if (--chunksLeft[task.job] === 0) onDone(task.job);
  };

  // After a failure (a task's error, a lost worker, onProgress throwing) no new task is sent; those in
  // flight are awaited, so that the call's data is dropped everywhere before the call rejects.
  const feed = async (slot: (typeof slots)[number]) => {
    while (failure === null && next < tasks.length) {
      const task = tasks[next];
      const reply = slot.request({ type: 'task', key, job: task.job, from: task.from, to: task.to, keepVariances });
      if (!reply) return; // the worker is gone: the others take its share
      next++;
      try {
        const { out } = await reply;
        if (failure === null) finish(task, out!);
      } catch (err) {
        if (failure === null) failure = err;
      }
    }
  };
  // Two tasks in flight per worker: a worker always has its next task queued.
  await Promise.all(Array.from({ length: 2 * slots.length }, (_, i) => feed(slots[i % slots.length])));
  for (const slot of slots) slot.post({ type: 'end', key });
  if (failure === null && finished < tasks.length) {
    failure = new GaussdiffError('WORKER_FAILED', 'threads', 'every worker thread of this call stopped', 'the same call again: the pool replaces the workers');
  }
  if (failure !== null) throw failure;

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

/**
 * The pipeline's kernel pair sums (src/learning/kernels.ts) over row ranges on `threads` workers: the input
 * is sent once per worker, the ranges handed out in order to whichever worker is free (two in flight per
 * worker); the parts come back in range order, so the caller's combination does not depend on `threads`.
 */
export async function parallelPairSums(input: PairSumInput, ranges: [number, number][], threads: number): Promise<PairSumPart[]> {
  const slots = pool.ensure(threads);
  const key = nextKey++;
  for (const slot of slots) slot.post({ type: 'pairs', key, input });
  const parts: PairSumPart[] = [];
  let next = 0;
  let failure: unknown = null;
  // As parallelPropagate: after a failure no new range is sent, and those in flight are awaited.
  const feed = async (slot: Slot) => {
    while (failure === null && next < ranges.length) {
      const i = next;
      const reply = slot.request({ type: 'pairTask', key, from: ranges[i][0], to: ranges[i][1] });
      if (!reply) return;
      next++;
      try {
        parts[i] = (await reply).part!;
      } catch (err) {
        if (failure === null) failure = err;
      }
    }
  };
  await Promise.all(Array.from({ length: 2 * slots.length }, (_, i) => feed(slots[i % slots.length])));
  for (const slot of slots) slot.post({ type: 'end', key });
  if (failure === null && parts.filter(Boolean).length < ranges.length) {
    failure = new GaussdiffError('WORKER_FAILED', 'threads', 'every worker thread of this call stopped', 'the same call again: the pool replaces the workers');
  }
  if (failure !== null) throw failure;
  return parts;
}

/** Use a worker thread (running worker.js or its bundle) that the caller started early. */
export function adoptWorker(w: Worker): void {
  pool.adopt(w);
}

/** Start the worker threads now (they take tens of milliseconds to boot), e.g. while reading input. */
export function warmThreads(threads = 2): void {
  pool.ensure(validateThreads(threads));
}

/**
 * The pool's worker threads and how many calls' data they still keep in all (0 once every call has
 * finished), for checks; not part of the package's API.
 */
export function poolState(): Promise<{ workers: number; held: number }> {
  return pool.state();
}

/**
 * Terminate the worker threads (they do not keep the process alive, so this is optional). Calls still
 * running reject (WORKER_FAILED); the next call starts new workers.
 */
export function closeThreads(): Promise<void> {
  return pool.close();
}
