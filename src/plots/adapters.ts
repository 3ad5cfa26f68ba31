/**
 * Results of the gaussdiff API as figures (figures.ts): the same adapters serve the page and the CLI.
 * Each returns the figure built by lineFigure / barFigure / heatmapFigure; the plotted numbers are the
 * result's, unchanged (see the data-series attribute).
 */
import type { CurveResult, EpsSeries } from '../diffusion/reports/outputs.js';
import type { TableResult } from '../diffusion/reports/table.js';
import type { SamplerTableRow } from '../diffusion/reports/samplers.js';
import type { RankResult } from '../diffusion/rank.js';
import type { PipelineResult } from '../learning/pipeline.js';
import type { CurveAxis, ScalingRow } from '../learning/tradeoff.js';
import type { KernelSource } from '../learning/kernels.js';
import { fail } from '../core/errors.js';
import { barFigure, heatmapFigure, lineFigure, type PlotOptions, type Series } from './figures.js';

const START: Record<string, string> = { pT: 'p_T', normal: 'N(0, I)', prior: 'prior', exact: 'exact' };
/** The continuous process a scheme discretises (P&G: em, ei the backward SDE; euler, heun the flow ODE). */
const PROCESS: Record<string, string> = { em: 'SDE', ei: 'SDE', euler: 'ODE', heun: 'ODE' };

/** 'log' when the positive finite values span more than two decades. */
function scaleOf(values: Iterable<number>): 'linear' | 'log' {
  let lo = Infinity;
  let hi = 0;
  for (const v of values) if (Number.isFinite(v) && v > 0) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  return hi > 0 && hi / lo > 100 ? 'log' : 'linear';
}

const num = (w: number | 'Infinity' | null): number => (w === null ? NaN : Number(w));

/** W2 after every step to the exact law at that time (Figure 1, left), one line per scheme and start. */
export function curveFigure(r: CurveResult, o?: PlotOptions & { title?: string }): Element {
  const x = Array.from(r.forwardTimes);
  const series: Series[] = r.series.map((s) => ({ name: `${s.scheme} from ${START[s.init]}`, x, y: Array.from(s.w2) }));
  return lineFigure({
    title: o?.title ?? 'W2 along the reverse process',
    subtitle: `${r.steps[r.steps.length - 1] ?? 0} steps; W2 to the exact law at each time (Pierret & Galerne, Figure 1 left)`,
    xLabel: 'forward time t', yLabel: 'W2', xScale: 'linear', yScale: scaleOf(series.flatMap((s) => s.y)), series,
  }, o);
}

/**
 * W2 against the truncation time eps (Figure 1, right): each scheme with N points, and the continuous
 * processes (one line per process and start; em and ei share the SDE, euler and heun the ODE).
 */
export function w2VsEpsFigure(r: { eps: ArrayLike<number>; series: EpsSeries[] }, o?: PlotOptions & { title?: string; steps?: number }): Element {
  const x = Array.from(r.eps);
  const series: Series[] = r.series.map((s) => ({ name: `${s.scheme} from ${START[s.init]}`, x, y: Array.from(s.w2) }));
  const seen = new Set<string>();
  for (const s of r.series) {
    const name = `continuous ${PROCESS[s.scheme] ?? s.scheme} from ${START[s.init]}`;
    if (!seen.has(name)) { seen.add(name); series.push({ name, x, y: Array.from(s.continuous) }); }
  }
  return lineFigure({
    title: o?.title ?? 'W2 against the truncation time eps',
    subtitle: `${o?.steps !== undefined ? `N = ${o.steps} grid points; ` : ''}Pierret & Galerne, Figure 1 right`,
    xLabel: 'eps (truncation time)', yLabel: 'W2', xScale: scaleOf(x), yScale: scaleOf(series.flatMap((s) => s.y)), series, markers: true,
  }, o);
}

type StepsInput = TableResult | { rows: SamplerTableRow[] } | RankResult;

/**
 * W2 against steps (table: grid points N, with the continuous floor as dashed rules; samplerTable: steps or
 * NFE) or NFE (rankSamplers), log-log. A table with several eps is drawn at one: `eps` (default the
 * smallest positive eps of the table, else 0).
 */
export function stepsFigure(r: StepsInput, o?: PlotOptions & { title?: string; x?: 'steps' | 'nfe'; eps?: number }): Element {
  const rows = r.rows as unknown[];
  if (!Array.isArray(rows) || rows.length === 0) fail('INVALID_OPTION', 'rows', 'no rows to plot', 'the result of table, samplerTable or rankSamplers');
  const first = rows[0] as Record<string, unknown>;
  const series = new Map<string, Series>();
  const add = (name: string, x: number, y: number) => {
    const s = series.get(name) ?? { name, x: [], y: [] };
    s.x.push(x);
    s.y.push(y);
    series.set(name, s);
  };
  let xLabel: string;
  let subtitle: string;
  const rules: { name: string; y: number }[] = [];
  if ('scheme' in first) {
    const t = r as TableResult;
    const epsAll = [...new Set(t.rows.map((row) => row.eps))];
    const eps = o?.eps ?? (epsAll.filter((e) => e > 0).sort((a, b) => a - b)[0] ?? epsAll[0]);
    if (!epsAll.includes(eps)) fail('INVALID_OPTION', 'eps', `${eps} is not an eps of the table`, epsAll.join(', '));
    for (const row of t.rows) {
      if (row.eps !== eps) continue;
      const who = `${row.scheme} from ${START[row.init]}`;
      if (row.steps === null) {
        const name = `continuous ${PROCESS[row.scheme]} from ${START[row.init]}`;
        if (!rules.some((q) => q.name === name)) rules.push({ name, y: num(row.w2) });
      } else add(who, row.steps, num(row.w2));
    }
    xLabel = 'grid points N (N - 1 steps)';
    subtitle = `eps = ${eps}${epsAll.length > 1 ? ` (table eps: ${epsAll.join(', ')})` : ''}; dashed: the continuous process (floor)`;
  } else if ('start' in first) {
    const by = o?.x ?? 'steps';
    for (const row of rows as SamplerTableRow[]) add(`${row.sampler} (${START[row.start]} start)`, by === 'nfe' ? row.nfe : row.steps, row.w2);
    xLabel = by === 'nfe' ? 'NFE (denoiser evaluations)' : 'steps';
    subtitle = 'k-diffusion / diffusers samplers, exact W2';
  } else {
    for (const row of (r as RankResult).rows) add(row.sampler, row.nfe, num(row.w2));
    xLabel = 'NFE budget (denoiser evaluations)';
    subtitle = 'each sampler with the most steps that fit the budget';
  }
  const all = [...series.values()];
  return lineFigure({
    title: o?.title ?? (xLabel.startsWith('NFE') ? 'W2 against NFE' : 'W2 against steps'), subtitle, xLabel, yLabel: 'W2',
    xScale: 'log', yScale: 'log', series: all, rules, markers: true,
  }, o);
}

/**
 * Which eigenvalues carry the error: each distinct eigenvalue's share of W2^2 (its contribution over their
 * sum), against the eigenvalue l.
 */
export function contributionsFigure(c: { values: ArrayLike<number>; contributions: ArrayLike<number> }, o?: PlotOptions & { title?: string }): Element {
  const x = Array.from(c.values);
  const parts = Array.from(c.contributions);
  const total = parts.reduce((a, b) => a + b, 0);
  const share = total > 0 && Number.isFinite(total);
  const y = share ? parts.map((p) => p / total) : parts;
  return lineFigure({
    title: o?.title ?? 'Per-mode contributions to W2^2',
    subtitle: `${x.length} distinct eigenvalues; W2^2 = ${total.toPrecision(4)}`,
    xLabel: 'eigenvalue l', yLabel: share ? 'share of W2^2' : 'contribution to W2^2',
    xScale: scaleOf(x), yScale: scaleOf(y), series: [{ name: 'share of W2^2', x, y }], markers: true,
  }, o);
}

const SOURCES = ['generalization', 'optimization', 'discretization', 'noise'] as const;

/** The pipeline's first-order E W2^2 by source, as bars; the refined and Monte-Carlo totals as rules. */
export function decompositionFigure(r: PipelineResult, o?: PlotOptions & { title?: string }): Element {
  const w = r.w2sq;
  const rules = [{ name: 'first order (sum)', y: w.firstOrder },
    ...(w.refined === null ? [] : [{ name: 'refined', y: w.refined }]),
    ...(w.monteCarlo ? [{ name: `Monte Carlo (${w.monteCarlo.draws} data sets)`, y: w.monteCarlo.mean }] : [])];
  return barFigure({
    title: o?.title ?? 'Pipeline error by source', subtitle: 'first-order E W2^2 of score matching -> sampling',
    yLabel: 'E W2^2', bars: SOURCES.map((k) => ({ name: k, value: r.decomposition[k] })), rules,
  }, o);
}

const AXIS_LABEL: Record<CurveAxis, string> = {
  sigma: 'DSM noise sigma', sigmaMin: 'sigma_min', samples: 'samples N', tau: 'SGD step tau', gamma: 'ULA step gamma',
};

/** The scaling curve (scalingCurve): first order, refined and Monte Carlo E W2^2 against the parameter. */
export function pipelineFigure(r: { over: CurveAxis; rows: ScalingRow[] }, o?: PlotOptions & { title?: string }): Element {
  const x = r.rows.map((row) => row.x);
  const series: Series[] = [{ name: 'first order', x, y: r.rows.map((row) => row.firstOrder) }];
  const refined = r.rows.filter((row) => row.refined !== null);
  if (refined.length) series.push({ name: 'refined', x: refined.map((row) => row.x), y: refined.map((row) => row.refined as number) });
  const mc = r.rows.filter((row) => row.monteCarlo !== null);
  if (mc.length) series.push({ name: 'Monte Carlo', x: mc.map((row) => row.x), y: mc.map((row) => row.monteCarlo!.mean) });
  return lineFigure({
    title: o?.title ?? `Pipeline E W2^2 against ${AXIS_LABEL[r.over]}`, subtitle: 'score matching -> sampling',
    xLabel: AXIS_LABEL[r.over], yLabel: 'E W2^2', xScale: scaleOf(x), yScale: scaleOf(series.flatMap((s) => s.y)), series, markers: true,
  }, o);
}

/** A first-order kernel on a (l, l') grid (kernelHeatmap's output, row-major rows by cols), log colour. */
export function kernelFigure(k: { kind: KernelSource; rows: ArrayLike<number>; cols: ArrayLike<number>; values: ArrayLike<number> }, o?: PlotOptions & { title?: string }): Element {
  return heatmapFigure({
    title: o?.title ?? `${k.kind} kernel`, xLabel: "eigenvalue l'", yLabel: 'eigenvalue l',
    x: Array.from(k.cols), y: Array.from(k.rows), z: k.values, zLabel: `K_${k.kind}(l, l')`, logColor: true,
  }, o);
}
