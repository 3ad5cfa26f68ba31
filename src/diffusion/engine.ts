/**
 * The exact-error engine: run a set of schemes on a set of grids over a prepared spectrum, with the Wasm
 * kernel (default) or the plain-TS reference, optionally split across worker threads, and turn the final
 * variances into W2 values with diagnostics for non-finite results.
 */
import { fail } from '../core/errors.js';
import { type GridGeometry, gridGeometry } from './grid.js';
import { type Schedule } from './schedules/index.js';
import { type SchemeDefinition } from './samplers/index.js';
import { PLAN_STRIDE, TABLEAU_STRIDE, type Plan, buildPlan, evaluatesScoreAtEnd } from './plan.js';
import { type Spectrum } from '../spectra/spectrum.js';
import { INITS, type Init, type PropagateInput, curveStep } from './propagation.js';
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
  /** Curve stride (PropagateInput.every); default 1. */
  readonly every?: number;
}

/** What a grid run gives back: error sums for every (scheme, start), and on request the variances. */
export interface GridOutput {
  /** Final variances, index (s * 2 + init) * nModes + i; null unless asked for. */
  readonly variances: Float64Array | null;
  /** Squared W2 to p_{T - t_{k+1}} after step k = curveStep(j), index (s * 2 + init) * curvePoints(points - 1, every) + j. */
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
  return backend({ values, weights, geom: job.geom, plan: job.plan, curve: job.curve, every: job.every }, (view) => {
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
 * Largest single buffer the Wasm allocator gives (AssemblyScript's TLSF refuses blocks above 2^30 bytes less
 * its overhead with "Allocation too large"): a plan or an output array must fit in one.
 */
export const MAX_WASM_BLOCK = 2 ** 30 - 64;
/** Largest total of the grids, geometries and plans one call builds in JavaScript before propagating. */
export const MAX_PLAN_BYTES = 2 * 1024 ** 3;

/** Bytes one grid of `points` points takes in JavaScript: times, its 4 geometry arrays, and the plan. */
function planBytes(points: number, nSchemes: number): number {
  return 8 * (5 * points + nSchemes * TABLEAU_STRIDE + nSchemes * (points - 1) * PLAN_STRIDE);
}

/**
 * Refuse, before allocating anything (grids, geometries and plans included), grids (`points`: the number of
 * points of each) that would not fit: the kernel's buffers of one grid in Wasm memory (MAX_WASM_BYTES), its
 * largest buffer (the plan, nSchemes x steps x 5 f64, or the outputs) in one Wasm block (MAX_WASM_BLOCK),
 * and every grid's JavaScript arrays together (MAX_PLAN_BYTES). TOO_LARGE names the size needed and the limit.
 */
export function checkGridFits(spectrum: Spectrum, points: readonly number[], nSchemes: number, curve: boolean): void {
  const modes = spectrum.values.length;
  const what = (n: number) => `a grid of ${n} points with ${nSchemes} scheme(s) over ${modes} distinct eigenvalues`;
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
  const fewer = 'fewer grid points, schemes or distinct eigenvalues';
  let total = 0;
  for (const n of points) {
    const need = propagationBytes(modes, n, nSchemes, curve);
    if (need > MAX_WASM_BYTES) fail('TOO_LARGE', 'steps', `${what(n)} needs ${mib(need)} of Wasm memory`, `at most ${mib(MAX_WASM_BYTES)} per grid: ${fewer}`);
    const block = 8 * Math.max(nSchemes * (n - 1) * PLAN_STRIDE, 2 * nSchemes * (modes + 1), curve ? 2 * nSchemes * (n - 1) : 0);
    if (block > MAX_WASM_BLOCK) fail('TOO_LARGE', 'steps', `${what(n)} needs a buffer of ${mib(block)}`, `at most ${mib(MAX_WASM_BLOCK)} per buffer: ${fewer}`);
    total += planBytes(n, nSchemes);
  }
  if (total > MAX_PLAN_BYTES) {
    fail('TOO_LARGE', 'steps', `${points.length} grid(s) of ${Math.max(...points)} points at most with ${nSchemes} scheme(s) need ${mib(total)} of plans`,
      `at most ${mib(MAX_PLAN_BYTES)} of plans per call: fewer grids, grid points or schemes`);
  }
}

/**
 * Propagate every scheme on every grid (each grid: one pass for all schemes and both starts); with `curve`,
 * the squared-W2 curve after every `every`-th step and the last.
 */
export async function runGrids(
  spectrum: Spectrum,
  schedule: Schedule,
  schemes: readonly SchemeDefinition[],
  grids: readonly Float64Array[],
  curve: boolean,
  opts: RunOptions = {},
  keepVariances = false,
  every = 1,
): Promise<GridRun[]> {
  validateRunOptions(opts);
  checkGridFits(spectrum, grids.map((times) => times.length), schemes.length, curve);
  const jobs: GridJob[] = grids.map((times) => {
    const geom = gridGeometry(schedule, times);
    return { geom, plan: buildPlan(schemes, geom), curve, every };
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
  /** Grid points N; null for the exact continuous process or a user grid. */
  readonly steps: number | null;
  readonly init: Init;
}

/**
 * Largest W2 the engine reports as a number: W2^2 = sum_i w_i (sqrt(v_i) - sqrt(l_i))^2 is accumulated
 * squared, so W2 above sqrt(f64 max) ~ 1.34e154 is +Infinity with an 'overflow' diagnostic.
 */
export const MAX_W2 = Math.sqrt(Number.MAX_VALUE);

/** Where a value was computed, for its diagnostic. */
type Where = Pick<Diagnostic, 'scheme' | 'eps' | 'steps' | 'init'>;

/**
 * The one place where a squared W2 becomes a reported W2 (docs/math.md §2, singular scores and
 * floating-point limits): finite -> its square root; not finite -> +Infinity with the diagnostic `why`
 * names (which fails with INTERNAL when no cause is known). NaN never escapes.
 */
export function reportW2(w2sq: number, why: () => Diagnostic): { w2: number; diagnostic: Diagnostic | null } {
  if (Number.isFinite(w2sq)) return { w2: Math.sqrt(w2sq), diagnostic: null };
  return { w2: Infinity, diagnostic: why() };
}

/** The diagnostic of a W2^2 that overflowed while every variance is finite. */
export function w2Overflow(label: string, where: Where): Diagnostic {
  return {
    code: 'overflow',
    message: `${label}: W2^2 = sum_i w_i (sqrt(v_i) - sqrt(l_i))^2 exceeds the f64 range (W2 > ${MAX_W2.toPrecision(3)}), so W2 is +Infinity`,
    ...where,
  };
}

/**
 * First grid point k <= upTo at which scheme s evaluates the score -x / l(T - t_k) of the smallest eigenvalue
 * with 1 / l(T - t_k) not finite (l(T - t_k) = 0: a zero eigenvalue at forward time 0, or below 1 / f64 max),
 * or -1. Every scheme evaluates the score at t_0..t_{N-2}; the last point only when `evaluatesScoreAtEnd`.
 * a_k = e_k l + om_k is formed as the back ends form it.
 */
function singularPoint(spectrum: Spectrum, run: GridRun, s: number, upTo: number): number {
  const l = spectrum.values[0];
  const { e, om } = run.geom;
  const last = run.plan.points - 1;
  for (let k = 0; k <= Math.min(upTo, last); k++) {
    if (k === last && !evaluatesScoreAtEnd(run.plan, s)) break;
    if (!Number.isFinite(1 / (e[k] * l + om[k]))) return k;
  }
  return -1;
}

/** The largest score factor 1 / l(T - t_k) that scheme s evaluates for eigenvalue l on the grid. */
function largestScore(l: number, run: GridRun, s: number): number {
  const { e, om } = run.geom;
  const end = evaluatesScoreAtEnd(run.plan, s) ? run.plan.points : run.plan.points - 1;
  let r = 0;
  for (let k = 0; k < end; k++) r = Math.max(r, 1 / (e[k] * l + om[k]));
  return r;
}

function singularScore(spectrum: Spectrum, run: GridRun, s: number, k: number, where: Where): Diagnostic {
  const { e, om, times, eps } = run.geom;
  const a = e[k] * spectrum.values[0] + om[k];
  const last = run.plan.points - 1;
  return {
    code: 'singular-score',
    message: `${run.plan.schemes[s].label} evaluates the score -x/l(t) at forward time ${k === last ? `eps = ${eps}` : `T - t_${k} = ${eps + (times[last] - times[k])}`}, `
      + `where the eigenvalue ${spectrum.values[0]} (multiplicity ${spectrum.counts[0]}) has variance l(t) = ${a}: the score of the singular `
      + 'covariance is undefined (or 1/l(t) exceeds the f64 range) there, so the output variance and W2 are +Infinity (use eps > 0)',
    ...where,
  };
}

/**
 * W2 of scheme s, start init, from a grid run (`reportW2`). A non-finite W2^2 is, in this order: a singular
 * score (some grid point's 1/l(t) is not finite), a variance that overflowed f64 (an unstable scheme), or
 * W2^2 itself overflowing with finite variances. A NaN variance with none of these causes is a bug (INTERNAL).
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
  return reportW2(summary.squared[q], () => {
    const scheme = run.plan.schemes[s];
    const where = { scheme: scheme.name, eps: run.geom.eps, steps, init };
    const k = singularPoint(spectrum, run, s, run.plan.points - 1);
    if (k >= 0) return singularScore(spectrum, run, s, k, where);
    const bad = summary.firstNonFinite[q];
    if (bad < 0) return w2Overflow(scheme.label, where);
    if (summary.nan[q]) {
      fail('INTERNAL', 'engine', `NaN variance for eigenvalue ${spectrum.values[bad]} without a known cause for ${scheme.name}`, 'please report this input');
    }
    return {
      code: 'overflow',
      message: `${scheme.label}: the output variance of eigenvalue ${spectrum.values[bad]} exceeds the f64 range `
        + `(the scheme is unstable on this grid, where the largest score factor 1/l(t) it evaluates for this eigenvalue is `
        + `${largestScore(spectrum.values[bad], run, s).toPrecision(3)}), so W2 is +Infinity`,
      ...where,
    };
  });
}

/**
 * The W2 curve of scheme s, start init (`squared`: W2^2 after the steps curveStep(j, K, every)), through the
 * same rules: from the first non-finite point on, +Infinity with one diagnostic (a singular score up to that step, otherwise
 * an overflow of the variance or of W2^2; the curve keeps no per-mode variances to tell them apart).
 */
export function curveW2(
  spectrum: Spectrum,
  run: GridRun,
  s: number,
  init: Init,
  squared: Float64Array,
  every = 1,
): { w2: Float64Array; diagnostic: Diagnostic | null } {
  const w2 = new Float64Array(squared.length);
  let diagnostic: Diagnostic | null = null;
  for (let j = 0; j < squared.length; j++) {
    const k = curveStep(j, run.plan.points - 1, every);
    const r = reportW2(squared[j], () => {
      const scheme = run.plan.schemes[s];
      const where = { scheme: scheme.name, eps: run.geom.eps, steps: null, init };
      const at = singularPoint(spectrum, run, s, k + 1);
      if (at >= 0) return singularScore(spectrum, run, s, at, where);
      return {
        code: 'overflow',
        message: `${scheme.label}: after step ${k} the variance of some mode or W2^2 exceeds the f64 range (the scheme is unstable on this grid), so W2 is +Infinity from there on`,
        ...where,
      };
    });
    w2[j] = r.w2;
    if (r.diagnostic) {
      w2.fill(Infinity, j);
      return { w2, diagnostic: r.diagnostic };
    }
  }
  return { w2, diagnostic };
}
