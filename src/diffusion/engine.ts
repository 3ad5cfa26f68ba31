/**
 * The exact-error engine: run a set of schemes on a set of grids over a prepared spectrum, with the Wasm
 * kernel (default) or the plain-TS reference, optionally split across worker threads, and turn the final
 * variances into W2 values with diagnostics for non-finite results.
 */
import { fail } from '../core/errors.js';
import { type GridGeometry, gridGeometry } from './grid.js';
import { type Schedule } from './schedules/index.js';
import { type SchemeDefinition } from './samplers/index.js';
import { type Plan, buildPlan, evaluatesScoreAtEnd } from './plan.js';
import { type Spectrum } from '../spectra/spectrum.js';
import { INITS, type Init, type PropagateInput } from './propagation.js';
import { propagateReference } from './reference.js';
import { MAX_WASM_BYTES, type OutputView, copyOutput, loadKernel, propagateWasm, propagationBytes } from '../wasm/kernel.js';
import { type ErrorSummary, summarizeErrors } from './w2.js';
import { validateThreads } from '../runtime/threads.js';

export type Backend = 'wasm' | 'reference';

export interface RunOptions {
  /** 'wasm' (default) or 'reference' (plain TypeScript, for checks). */
  backend?: Backend;
  /** Worker threads (node only), an integer from 1 to MAX_THREADS (64); default: up to 2 for large jobs, 1 otherwise. */
  threads?: number;
  /** Called after each finished grid with the work done and the total, in mode-steps. */
  onProgress?: (done: number, total: number) => void;
}

/** One grid's job for a back end: the spectrum travels separately (once per call and worker). */
export interface GridJob {
  readonly geom: GridGeometry;
  readonly plan: Plan;
  readonly curve: boolean;
}

/** What a grid run gives back: error sums for every (scheme, start), and on request the variances. */
export interface GridOutput {
  /** Final variances, index (s * 2 + init) * nModes + i; null unless asked for. */
  readonly variances: Float64Array | null;
  /** Squared W2 to p_{T - t_{k+1}} after step k, index (s * 2 + init) * (points - 1) + k. */
  readonly curve: Float64Array | null;
  readonly summary: ErrorSummary;
}

/** A parallel executor, installed by the node entry (worker threads). */
export type ParallelExecutor = (
  spectrum: { values: Float64Array; weights: Float64Array },
  jobs: GridJob[],
  threads: number,
  keepVariances: boolean,
  onDone: (index: number) => void,
) => Promise<GridOutput[]>;

let executor: ParallelExecutor | null = null;
let defaultThreads = 1;

export function setParallelExecutor(fn: ParallelExecutor | null, threads: number): void {
  executor = fn;
  defaultThreads = threads;
}

/** A back end that hands its output to a consumer (views need not outlive the call). */
export type Propagator = <T>(input: PropagateInput, consume: (view: OutputView) => T) => T;

/** The reference back end in consumer form. */
export const referenceBackend: Propagator = (input, consume) => {
  const out = propagateReference(input);
  return consume({ variances: out.variances, stride: input.values.length, curve: out.curve });
};

/** The Wasm back end in consumer form (views into Wasm memory, no copies). */
export function wasmBackend(ex: Awaited<ReturnType<typeof loadKernel>>): Propagator {
  return (input, consume) => propagateWasm(ex, input, consume);
}

/**
 * Propagate one job on one thread with a given back end, and summarise its errors (`roots`: square roots
 * of the eigenvalues, computed once per spectrum). Variances are copied out only when asked for.
 */
export function runJob(
  values: Float64Array,
  weights: Float64Array,
  roots: Float64Array,
  job: GridJob,
  backend: Propagator,
  keepVariances: boolean,
): GridOutput {
  return backend({ values, weights, geom: job.geom, plan: job.plan, curve: job.curve }, (view) => {
    const summary = summarizeErrors(roots, weights, view.variances, view.stride, 2 * job.plan.schemes.length, view.squared);
    const copy = keepVariances || job.curve ? copyOutput(view, values.length) : null;
    return { variances: keepVariances ? copy!.variances : null, curve: copy ? copy.curve : null, summary };
  });
}

/** Work below which threads cost more than they save (mode x step x scheme updates). */
export const PARALLEL_THRESHOLD = 2e7;

export interface GridRun {
  readonly geom: GridGeometry;
  readonly plan: Plan;
  readonly output: GridOutput;
}

export function validateRunOptions(opts: RunOptions): void {
  if (opts.backend !== undefined && opts.backend !== 'wasm' && opts.backend !== 'reference') {
    fail('INVALID_OPTION', 'backend', `got ${JSON.stringify(opts.backend)}`, "'wasm' or 'reference'");
  }
  if (opts.threads !== undefined) validateThreads(opts.threads);
  if (opts.onProgress !== undefined && typeof opts.onProgress !== 'function') {
    fail('INVALID_OPTION', 'onProgress', `got ${typeof opts.onProgress}`, 'a function (done, total) => void');
  }
}

/**
 * Refuse, before allocating anything, a grid whose plan and kernel buffers (modes x points x schemes)
 * would not fit in Wasm memory.
 */
export function checkGridFits(spectrum: Spectrum, points: number, nSchemes: number, curve: boolean): void {
  const need = propagationBytes(spectrum.values.length, points, nSchemes, curve);
  if (need > MAX_WASM_BYTES) {
    fail('TOO_LARGE', 'steps', `a grid of ${points} points with ${nSchemes} scheme(s) over ${spectrum.values.length} distinct eigenvalues needs ${(need / 2 ** 20).toFixed(0)} MiB`,
      `at most ${MAX_WASM_BYTES / 2 ** 20} MiB per grid: fewer grid points, schemes or distinct eigenvalues`);
  }
}

/** Propagate every scheme on every grid (each grid: one pass for all schemes and both starts). */
export async function runGrids(
  spectrum: Spectrum,
  schedule: Schedule,
  schemes: readonly SchemeDefinition[],
  grids: readonly Float64Array[],
  curve: boolean,
  opts: RunOptions = {},
  keepVariances = false,
): Promise<GridRun[]> {
  validateRunOptions(opts);
  for (const times of grids) checkGridFits(spectrum, times.length, schemes.length, curve);
  const jobs: GridJob[] = grids.map((times) => {
    const geom = gridGeometry(schedule, times);
    return { geom, plan: buildPlan(schemes, geom), curve };
  });
  const nModes = spectrum.values.length;
  const cost = jobs.map((x) => nModes * (x.plan.points - 1) * Math.max(1, x.plan.schemes.length));
  const total = cost.reduce((a, b) => a + b, 0);
  let done = 0;
  const report = (i: number) => {
    done += cost[i];
    opts.onProgress?.(done, total);
  };
  const backend = opts.backend ?? 'wasm';
  const threads = opts.threads ?? (total >= PARALLEL_THRESHOLD ? defaultThreads : 1);
  const { values, counts: weights } = spectrum;
  let outputs: GridOutput[];
  if (backend === 'reference') {
    const roots = values.map(Math.sqrt);
    outputs = jobs.map((job, i) => { const out = runJob(values, weights, roots, job, referenceBackend, keepVariances); report(i); return out; });
  } else if (threads > 1 && executor && nModes >= 2 * threads) {
    outputs = await executor({ values, weights }, jobs, threads, keepVariances, report);
  } else {
    const run = wasmBackend(await loadKernel());
    const roots = values.map(Math.sqrt);
    outputs = [];
    for (let i = 0; i < jobs.length; i++) {
      outputs.push(runJob(values, weights, roots, jobs[i], run, keepVariances));
      report(i);
      // Let progress bars and other tasks breathe between grids.
      if (opts.onProgress && i + 1 < jobs.length) await new Promise((r) => setTimeout(r, 0));
    }
  }
  return jobs.map((job, i) => ({ geom: job.geom, plan: job.plan, output: outputs[i] }));
}

/** Why a W2 value is +Infinity. */
export interface Diagnostic {
  readonly code: 'singular-score' | 'overflow';
  readonly message: string;
  readonly scheme: string;
  readonly eps: number;
  readonly steps: number | null;
  readonly init: Init;
}

/**
 * W2 of scheme s, start init, from a grid run; non-finite values become +Infinity with a diagnostic that
 * names the cause, and NaN never escapes.
 */
export function runW2(
  spectrum: Spectrum,
  run: GridRun,
  s: number,
  init: Init,
  steps: number | null,
): { w2: number; diagnostic: Diagnostic | null } {
  const q = 2 * s + INITS.indexOf(init);
  const { summary } = run.output;
  const w2sq = summary.squared[q];
  if (Number.isFinite(w2sq)) return { w2: Math.sqrt(w2sq), diagnostic: null };
  const scheme = run.plan.schemes[s];
  const where = { scheme: scheme.name, eps: run.geom.eps, steps, init };
  const zero = spectrum.values[0] === 0;
  if (zero && run.geom.eps === 0 && evaluatesScoreAtEnd(run.plan, s)) {
    return {
      w2: Infinity,
      diagnostic: {
        code: 'singular-score',
        message: `${scheme.label} evaluates the score -x/l(t) at forward time eps = 0, where the eigenvalue 0 `
          + `(multiplicity ${spectrum.counts[0]}) has variance l(0) = 0: the score of the singular covariance S is `
          + 'undefined there, so the output variance and W2 are +Infinity (use eps > 0)',
        ...where,
      },
    };
  }
  const bad = summary.firstNonFinite[q];
  if (bad < 0 || summary.nan[q]) {
    fail('INTERNAL', 'engine', `non-finite W2 (${w2sq}) without a known cause for ${scheme.name}`, 'please report this input');
  }
  return {
    w2: Infinity,
    diagnostic: {
      code: 'overflow',
      message: `${scheme.label}: the output variance of eigenvalue ${spectrum.values[bad]} exceeds the f64 range `
        + '(the scheme is unstable on this grid), so W2 is +Infinity',
      ...where,
    },
  };
}
