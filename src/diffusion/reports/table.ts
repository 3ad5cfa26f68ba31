/**
 * Table-2-style tables (Pierret & Galerne 2025, Table 2): W2 between the sampler's output and p_data for
 * lists of schemes, truncation times eps, grid sizes N and both starts, plus the exact continuous process.
 */
import { fail } from '../../core/errors.js';
import { checkOptions, optionKeys } from '../../core/options.js';
import { checkInteger } from '../../core/checks.js';
import { uniformGrid, validateEps, validatePoints } from '../grid.js';
import { type ScheduleOptions, scheduleOf } from '../schedules/index.js';
import { type SchemeName, resolveSchemes } from '../samplers/index.js';
import { type SpectrumInput, prepareSpectrum } from '../../spectra/spectrum.js';
import { type Init } from '../propagation.js';
import { continuousW2, continuousW2Squared } from '../continuous.js';
import { type Diagnostic, type RunOptions, checkGridFits, runGrids, runW2, validateRunOptions } from '../engine.js';

export interface TableOptions extends ScheduleOptions, RunOptions {
  /** Default ['em', 'ei', 'euler', 'heun']. */
  schemes?: SchemeName[];
  /** Numbers of grid points N (N - 1 steps); default [50, 250, 500, 1000]. */
  steps?: number[];
  /** Truncation times; default [0, 1e-5, 1e-3, 1e-2]. */
  eps?: number[];
  /** Starts; default ['pT', 'normal']. */
  inits?: Init[];
}

export const TABLE_KEYS = optionKeys<TableOptions>({
  schemes: true, steps: true, eps: true, inits: true, schedule: true, betaMin: true, betaMax: true, horizon: true, cosineS: true, cosineBetaMax: true, backend: true, threads: true, onProgress: true,
});

export interface TableRow {
  scheme: SchemeName;
  eps: number;
  /** null: the exact continuous process (SDE for em/ei, ODE for euler/heun). */
  steps: number | null;
  init: Init;
  /** W2 to p_data; the string 'Infinity' when infinite (see `diagnostics`). */
  w2: number | 'Infinity';
}

export interface TableResult {
  rows: TableRow[];
  /** Present when some cell is infinite: the cause of each. */
  diagnostics?: Diagnostic[];
  /** Present when the spectrum needed cleaning (tiny negative eigenvalues clipped to 0). */
  notes?: string[];
}

export const TABLE_DEFAULTS = {
  schemes: ['em', 'ei', 'euler', 'heun'] as SchemeName[],
  steps: [50, 250, 500, 1000],
  eps: [0, 1e-5, 1e-3, 1e-2],
  inits: ['pT', 'normal'] as Init[],
};

function list<T>(x: T[] | undefined, fallback: T[], argument: string): T[] {
  if (x === undefined) return fallback;
  if (!Array.isArray(x) || x.length === 0) fail('INVALID_OPTION', argument, `expected a non-empty array, got ${JSON.stringify(x)}`, 'a non-empty array');
  return x;
}

export function validateInits(inits: unknown[], argument = 'inits'): Init[] {
  return inits.map((x) => {
    if (x !== 'pT' && x !== 'normal') fail('INVALID_OPTION', argument, `unknown start ${JSON.stringify(x)}`, "'pT' (start at p_T) or 'normal' (start at N(0, I))");
    return x;
  });
}

/** Compute a Table-2-style table. Rows: scheme x eps x init x (continuous, then each N). */
export async function table(spectrum: SpectrumInput, opts: TableOptions = {}): Promise<TableResult> {
  // Validate everything before any work.
  checkOptions(opts, TABLE_KEYS);
  const schedule = scheduleOf(opts);
  const schemes = resolveSchemes(list(opts.schemes, TABLE_DEFAULTS.schemes, 'schemes'));
  const steps = list(opts.steps, TABLE_DEFAULTS.steps, 'steps').map((n, i) => validatePoints(n, `steps[${i}]`));
  const epsList = list(opts.eps, TABLE_DEFAULTS.eps, 'eps').map((e, i) => validateEps(e, schedule.horizon, `eps[${i}]`));
  const inits = validateInits(list(opts.inits, TABLE_DEFAULTS.inits, 'inits'));
  validateRunOptions(opts);
  const spec = prepareSpectrum(spectrum);
  checkGridFits(spec, epsList.flatMap(() => steps), schemes.length, false);

  const grids = epsList.flatMap((eps) => steps.map((n) => uniformGrid(n, eps, schedule.horizon)));
  const pending = runGrids(spec, schedule, schemes, grids, false, opts);
  // The continuous rows (closed forms, W2^2) are computed while the grids run (on worker threads, in node).
  const continuous = new Map<string, number>();
  for (const process of new Set(schemes.map((s) => s.process))) {
    for (const eps of epsList) {
      for (const init of inits) {
        continuous.set(`${process}/${eps}/${init}`, continuousW2Squared(spec.values, spec.counts, schedule, process, init, eps));
      }
    }
  }
  const runs = await pending;

  const rows: TableRow[] = [];
  const diagnostics: Diagnostic[] = [];
  schemes.forEach((scheme, s) => {
    epsList.forEach((eps, ie) => {
      for (const init of inits) {
        const exact = continuousW2(spec, schedule, scheme, init, eps, continuous.get(`${scheme.process}/${eps}/${init}`)!);
        if (exact.diagnostic) diagnostics.push(exact.diagnostic);
        rows.push({ scheme: scheme.name, eps, steps: null, init, w2: exact.w2 === Infinity ? 'Infinity' : exact.w2 });
        steps.forEach((n, is) => {
          const { w2, diagnostic } = runW2(spec, runs[ie * steps.length + is], s, init, n);
          if (diagnostic) diagnostics.push(diagnostic);
          rows.push({ scheme: scheme.name, eps, steps: n, init, w2: w2 === Infinity ? 'Infinity' : w2 });
        });
      }
    });
  });
  const result: TableResult = { rows };
  if (diagnostics.length) result.diagnostics = diagnostics;
  if (spec.clipped) result.notes = [`${spec.clipped} eigenvalue(s) slightly below 0 (within 1e-12 x max) were clipped to 0`];
  return result;
}

/** A truncation time as people write it: 0, 1e-5, 0.001, 0.01. */
export function formatEps(eps: number): string {
  return eps !== 0 && Math.abs(eps) < 1e-3 ? eps.toExponential() : String(eps);
}

/** Paper style: two decimals, or two significant digits in scientific notation below 1e-2; 0 as "0". */
export function formatPaper(x: number | 'Infinity'): string {
  if (x === 'Infinity' || x === Infinity) return 'inf';
  if (x === 0) return '0';
  if (Math.abs(x) < 1e-2) return x.toExponential(1).toUpperCase().replace('E-', 'E-');
  return x.toFixed(2);
}

function formatSignificant(x: number | 'Infinity', digits: number): string {
  if (x === 'Infinity' || x === Infinity) return 'inf';
  if (x === 0) return '0';
  return Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5 ? x.toExponential(digits - 1) : x.toPrecision(digits);
}

/** A formatter of W2 cells: 'paper' (the paper's rounding) or a number of significant digits (checked). */
export function cellFormat(digits: number | 'paper'): (x: number | 'Infinity') => string {
  if (digits !== 'paper') checkInteger(digits, 'digits', 1, 17, "an integer number of significant digits from 1 to 17 (f64), or 'paper'");
  return (x) => (digits === 'paper' ? formatPaper(x) : formatSignificant(x, digits));
}

/** Header, a rule of dashes, then the rows; the first `left` columns left-aligned, the others right-aligned. */
export function alignedLines(header: string[], body: string[][], left: number): string[] {
  const widths = header.map((h, j) => Math.max(h.length, ...body.map((r) => r[j].length)));
  const render = (cells: string[]) => cells.map((c, j) => (j < left ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  ');
  return [render(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(render)];
}

/**
 * Aligned text in the layout of Table 2: one line per (scheme, eps), columns continuous then each N, each
 * with both starts. `digits`: significant digits, or 'paper' for the paper's rounding.
 */
export function formatTable(result: TableResult, digits: number | 'paper' = 'paper'): string {
  const fmt = cellFormat(digits);
  const initLabel = (i: Init) => (i === 'pT' ? 'p_T' : 'N(0,I)');
  const keys: string[] = [];
  const columns: string[] = [];
  const lines = new Map<string, Map<string, string>>();
  for (const row of result.rows) {
    const lineKey = `${row.scheme}\u0000${row.eps}`;
    const col = `${row.steps === null ? 'cont.' : `N=${row.steps}`} ${initLabel(row.init)}`;
    if (!lines.has(lineKey)) { lines.set(lineKey, new Map()); keys.push(lineKey); }
    if (!columns.includes(col)) columns.push(col);
    lines.get(lineKey)!.set(col, fmt(row.w2));
  }
  const order = (c: string) => (c.startsWith('cont.') ? -1 : Number(c.slice(2, c.indexOf(' '))));
  columns.sort((a, b) => order(a) - order(b));
  const header = ['scheme', 'eps', ...columns];
  const body = keys.map((k) => {
    const [scheme, eps] = k.split('\u0000');
    const cells = lines.get(k)!;
    return [scheme, formatEps(Number(eps)), ...columns.map((c) => cells.get(c) ?? '')];
  });
  const out = alignedLines(header, body, 2);
  // One line per cause (scheme, eps, message), naming the cells it makes infinite: N x start when they form a product.
  const causes = new Map<string, { scheme: string; eps: number; message: string; steps: string[]; inits: string[]; cells: string[] }>();
  for (const d of result.diagnostics ?? []) {
    const key = `${d.scheme}\u0000${d.eps}\u0000${d.message}`;
    if (!causes.has(key)) causes.set(key, { scheme: d.scheme, eps: d.eps, message: d.message, steps: [], inits: [], cells: [] });
    const c = causes.get(key)!;
    const n = d.steps === null ? 'cont.' : `N=${d.steps}`;
    if (!c.steps.includes(n)) c.steps.push(n);
    if (!c.inits.includes(initLabel(d.init))) c.inits.push(initLabel(d.init));
    c.cells.push(`${n} ${initLabel(d.init)}`);
  }
  for (const c of causes.values()) {
    const cells = c.cells.length === c.steps.length * c.inits.length ? `${c.steps.join(', ')} x ${c.inits.join(', ')}` : c.cells.join(', ');
    out.push(`inf: ${c.scheme}, eps=${formatEps(c.eps)}, ${cells}: ${c.message}`);
  }
  for (const n of result.notes ?? []) out.push(`note: ${n}`);
  return out.join('\n');
}
