/**
 * The exact-error engine: run a set of schemes on a set of grids over a prepared spectrum, with the Wasm
 * kernel (default) or the plain-TS reference, optionally split across worker threads, and turn the final
 * variances into W2 values with diagnostics for non-finite results.
 */
import { fail } from './errors.js';
import { type GridGeometry, gridGeometry } from './grid.js';
import { type Schedule } from './schedule.js';
import { type Plan, type SchemeDefinition, buildPlan, evaluatesScoreAtEnd } from './scheme.js';
import { type Spectrum } from './spectrum.js';
import { INITS, type Init, type PropagateInput, type PropagateOutput } from './propagation.js';
import { propagateReference } from './reference.js';
import { MAX_WASM_BYTES, loadKernel, propagateWasm, propagationBytes } from './wasm.js';
import { commutingW2Squared } from './wasserstein.js';

export type Backend = 'wasm' | 'reference';

export interface RunOptions {
  /** 'wasm' (default) or 'reference' (plain TypeScript, for checks). */
  backend?: Backend;
  /** Worker threads (node only); default: up to 2 for large jobs, 1 otherwise. */
  threads?: number;
  /** Called after each finished grid with the work done and the total, in mode-steps. */
  onProgress?: (done: number, total: number) => void;
}

/** A parallel executor, installed by the node entry (worker threads). */
export type ParallelExecutor = (
  inputs: PropagateInput[],
  threads: number,
  onDone: (index: number) => void,
) => Promise<PropagateOutput[]>;

let executor: ParallelExecutor | null = null;
let defaultThreads = 1;

export function setParallelExecutor(fn: ParallelExecutor | null, threads: number): void {
  executor = fn;
  defaultThreads = threads;
}

/** Work below which threads cost more than they save (mode x step x scheme updates). */
export const PARALLEL_THRESHOLD = 2e7;

export interface GridRun {
  readonly geom: GridGeometry;
  readonly plan: Plan;
  readonly output: PropagateOutput;
}

export function validateRunOptions(opts: RunOptions): void {
  if (opts.backend !== undefined && opts.backend !== 'wasm' && opts.backend !== 'reference') {
    fail('INVALID_OPTION', 'backend', `got ${JSON.stringify(opts.backend)}`, "'wasm' or 'reference'");
  }
  if (opts.threads !== undefined && (!Number.isInteger(opts.threads) || opts.threads < 1 || opts.threads > 64)) {
    fail('INVALID_OPTION', 'threads', `got ${String(opts.threads)}`, 'an integer from 1 to 64');
  }
  if (opts.onProgress !== undefined && typeof opts.onProgress !== 'function') {
    fail('INVALID_OPTION', 'onProgress', `got ${typeof opts.onProgress}`, 'a function (done, total) => void');
  }
}

/**
 * Refuse, before allocating anything, a grid whose plan and kernel buffers (modes x points x schemes)
 * would not fit in Wasm memory.
 */
export function checkSize(spectrum: Spectrum, points: number, nSchemes: number, curve: boolean): void {
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
): Promise<GridRun[]> {
  validateRunOptions(opts);
  for (const times of grids) checkSize(spectrum, times.length, schemes.length, curve);
  const inputs: PropagateInput[] = grids.map((times) => {
    const geom = gridGeometry(schedule, times);
    return { values: spectrum.values, weights: spectrum.counts, geom, plan: buildPlan(schemes, geom), curve };
  });
  const cost = inputs.map((x) => x.values.length * (x.plan.points - 1) * Math.max(1, x.plan.schemes.length));
  const total = cost.reduce((a, b) => a + b, 0);
  let done = 0;
  const report = (i: number) => {
    done += cost[i];
    opts.onProgress?.(done, total);
  };
  const backend = opts.backend ?? 'wasm';
  const threads = opts.threads ?? (total >= PARALLEL_THRESHOLD ? defaultThreads : 1);
  let outputs: PropagateOutput[];
  if (backend === 'reference') {
    outputs = inputs.map((input, i) => { const out = propagateReference(input); report(i); return out; });
  } else if (threads > 1 && executor && spectrum.values.length >= 2 * threads) {
    outputs = await executor(inputs, threads, report);
  } else {
    const ex = await loadKernel();
    outputs = [];
    for (let i = 0; i < inputs.length; i++) {
      outputs.push(propagateWasm(ex, inputs[i]));
      report(i);
      // Let progress bars and other tasks breathe between grids.
      if (opts.onProgress && i + 1 < inputs.length) await new Promise((r) => setTimeout(r, 0));
    }
  }
  return inputs.map((input, i) => ({ geom: input.geom, plan: input.plan, output: outputs[i] }));
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
  scratch: Float64Array,
  steps: number | null,
): { w2: number; diagnostic: Diagnostic | null } {
  const nModes = spectrum.values.length;
  const offset = (2 * s + INITS.indexOf(init)) * nModes;
  const w2sq = commutingW2Squared(spectrum.values, spectrum.counts, run.output.variances, offset, scratch);
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
  let bad = -1;
  for (let i = 0; i < nModes; i++) {
    if (!Number.isFinite(run.output.variances[offset + i])) { bad = i; break; }
  }
  if (bad < 0 || Number.isNaN(run.output.variances[offset + bad])) {
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
