/**
 * The explorer's views: a worker result (web/worker.ts) as figure descriptions for the shared builders of
 * src/plots/figures.ts (the same code draws the CLI's plots). Every figure gets a <desc> saying what it shows.
 */
import { lineFigure, heatmapFigure, type LineFigure, type Series } from '../src/plots/figures.js';
import type { Family, State, View } from './protocol.js';

type W2 = number | 'Infinity';
const num = (w: W2 | null): number => (w === 'Infinity' ? Infinity : w ?? NaN);
const PROCESS: Record<string, string> = { em: 'SDE', ei: 'SDE', euler: 'ODE', heun: 'ODE' };

interface TableRow { scheme: string; eps: number; steps: number | null; init: string; w2: W2 }
interface SamplerRow { sampler: string; start: string; steps: number; nfe: number; w2: number }
interface Parts { name: string; values: Float64Array; counts: Float64Array; contributions: Float64Array; w2: number }
interface ScalingRow { x: number; firstOrder: number; refined: number | null; decomposition: Record<string, number> }

const fmt = (x: number) => (x === 0 ? '0' : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? String(+x.toPrecision(3)) : x.toExponential(1));
const startName = (s: State) => ({ pT: 'p_T', normal: 'N(0, I)', prior: 'N(0, sigma_max^2 I)', exact: 'exact' }[s.start] ?? s.start);

/** W2 against steps (pg: grid points N, with the continuous processes as dashed floors; kd: steps or NFE). */
function stepsFigure(s: State, family: Family, result: unknown): LineFigure {
  if (family === 'pg') {
    const rows = (result as { rows: TableRow[] }).rows;
    const series: Series[] = s.samplers.map((name) => {
      const mine = rows.filter((r) => r.scheme === name && r.steps !== null);
      return { name, x: mine.map((r) => r.steps as number), y: mine.map((r) => num(r.w2)) };
    });
    const floors = new Map<string, number>();
    for (const r of rows) if (r.steps === null) floors.set(`continuous ${PROCESS[r.scheme]}`, num(r.w2));
    return {
      title: 'W2 against the number of grid points', subtitle: `eps = ${fmt(s.eps)}, start ${startName(s)}`,
      xLabel: 'grid points N', yLabel: 'W2', xScale: 'log', yScale: 'log', markers: true, series,
      rules: [...floors].map(([name, y]) => ({ name, y })),
    };
  }
  const rows = (result as { rows: SamplerRow[] }).rows;
  const series = s.samplers.map((name) => {
    const mine = rows.filter((r) => r.sampler === name);
    return { name, x: mine.map((r) => (s.axis === 'nfe' ? r.nfe : r.steps)), y: mine.map((r) => r.w2) };
  });
  return {
    title: `W2 against ${s.axis === 'nfe' ? 'NFE' : 'steps'}`, subtitle: `sigma_min = ${fmt(s.sigmaMin)} (k-diffusion samplers), start ${startName(s)}`,
    xLabel: s.axis === 'nfe' ? 'denoiser evaluations (NFE)' : 'steps', yLabel: 'W2', xScale: 'log', yScale: 'log', markers: true, series,
  };
}

/** W2 along the reverse process (Pierret & Galerne, Figure 1 left; kd: after each step). */
function curveFigure(s: State, family: Family, result: unknown): LineFigure {
  if (family === 'pg') {
    const r = result as { times: Float64Array; series: { scheme: string; w2: Float64Array }[] };
    return {
      title: 'W2 along the reverse process', subtitle: `N = ${s.steps}, eps = ${fmt(s.eps)}, start ${startName(s)}`,
      xLabel: 'reverse time t', yLabel: 'W2 to the exact process at t', xScale: 'linear', yScale: 'log',
      series: r.series.map((c) => ({ name: c.scheme, x: Array.from(r.times), y: Array.from(c.w2) })),
    };
  }
  const all = result as { sampler: string; w2: Float64Array }[];
  return {
    title: 'W2 after each step', subtitle: `${s.steps} steps, start ${startName(s)}`,
    xLabel: 'step', yLabel: 'W2 to the exact marginal', xScale: 'linear', yScale: 'log',
    series: all.map((c) => ({ name: c.sampler, x: Array.from(c.w2, (_, k) => k + 1), y: Array.from(c.w2) })),
  };
}

/** W2 against the truncation time eps (Figure 1 right), discrete and continuous; kd: against sigma_min. */
function epsFigure(s: State, family: Family, result: unknown): LineFigure {
  if (family === 'pg') {
    const r = result as { eps: Float64Array; series: { scheme: string; continuous: Float64Array; w2: Float64Array }[] };
    const eps = Array.from(r.eps);
    const series: Series[] = r.series.map((c) => ({ name: `${c.scheme}, N = ${s.steps}`, x: eps, y: Array.from(c.w2) }));
    const seen = new Set<string>();
    for (const c of r.series) {
      const name = `continuous ${PROCESS[c.scheme]}`;
      if (!seen.has(name)) series.push({ name, x: eps, y: Array.from(c.continuous) }), seen.add(name);
    }
    return {
      title: 'W2 against the truncation time eps', subtitle: `start ${startName(s)}`,
      xLabel: 'eps', yLabel: 'W2', xScale: 'log', yScale: 'log', markers: true, series,
    };
  }
  return {
    title: 'W2 against sigma_min (k-diffusion samplers)', subtitle: `${s.steps} steps, start ${startName(s)}`,
    xLabel: 'sigma_min', yLabel: 'W2', xScale: 'log', yScale: 'log', markers: true, series: result as Series[],
  };
}

/** Each distinct eigenvalue's share of W2^2 (multiplicity included), per sampler. */
function contribFigure(s: State, all: Parts[]): LineFigure {
  return {
    title: 'Which eigenvalues carry the error', subtitle: `share of W2^2 per distinct eigenvalue, N = ${s.steps}`,
    xLabel: 'eigenvalue', yLabel: 'share of W2^2', xScale: 'log', yScale: 'log', markers: true,
    series: all.map((p) => ({ name: p.name, x: Array.from(p.values), y: Array.from(p.contributions, (c) => c / (p.w2 * p.w2)) })),
  };
}

/** The pipeline's error by source against the swept parameter (scalingCurve, closed forms). */
function pipelineFigure(s: State, rows: ScalingRow[]): LineFigure {
  const sources = ['generalization', 'optimization', 'discretization', 'noise'];
  const x = rows.map((r) => r.x);
  // A source that is 0 at every point (no SGD with tau = 0, no discretization for continuous Langevin) is named, not drawn.
  const zero = sources.filter((k) => rows.every((r) => r.decomposition[k] === 0));
  return {
    title: 'Score matching to sampling: E W2^2 by source',
    subtitle: `${s.psampler}, N = ${s.samples}, sigma = ${fmt(s.sigma)}, tau = ${fmt(s.tau)}${zero.length ? `; zero: ${zero.join(', ')}` : ''}`,
    xLabel: { samples: 'samples N', tau: 'SGD step tau', sigma: 'DSM noise sigma' }[s.over], yLabel: 'E W2^2', xScale: 'log', yScale: 'log', markers: true,
    series: [
      { name: 'first order', x, y: rows.map((r) => r.firstOrder) },
      { name: 'refined', x, y: rows.map((r) => r.refined ?? NaN) },
      ...sources.filter((k) => !zero.includes(k)).map((k) => ({ name: k, x, y: rows.map((r) => r.decomposition[k]) })),
    ],
  };
}

/** A figure's machine-readable description for screen readers: title, then each series' range. */
function withDesc(svg: Element, text: string): Element {
  const desc = svg.ownerDocument.createElementNS('http://www.w3.org/2000/svg', 'desc');
  desc.textContent = text;
  svg.insertBefore(desc, svg.firstChild?.nextSibling ?? null);
  return svg;
}

function describe(f: LineFigure): string {
  const parts = f.series.map((c) => {
    const ys = c.y.filter(Number.isFinite);
    return ys.length ? `${c.name}: ${f.yLabel} from ${fmt(Math.min(...ys))} to ${fmt(Math.max(...ys))}` : `${c.name}: no finite value`;
  });
  return `${f.title} (${f.xLabel} on the horizontal axis). ${parts.join('; ')}.`;
}

const line = (f: LineFigure, width: number) => withDesc(lineFigure(f, { width }), describe(f));

/** The figures of one view (the table view has none: it is text, drawn by app.ts). */
export function figures(s: State, view: View, family: Family, result: unknown, width: number): Element[] {
  switch (view) {
    case 'steps': return [line(stepsFigure(s, family, result), width)];
    case 'curve': return [line(curveFigure(s, family, result), width)];
    case 'eps': return [line(epsFigure(s, family, result), width)];
    case 'contrib': {
      const r = result as { samplers: Parts[]; frequencies: Float64Array | null; image: { height: number; width: number } | null };
      const out = [line(contribFigure(s, r.samplers), width)];
      if (r.frequencies && r.image) {
        const { height: h, width: w } = r.image;
        // adsnSpectrum's fftshift order: row i is frequency i - floor(h / 2), column j is j - floor(w / 2).
        const fx = Array.from({ length: w }, (_, j) => j - Math.floor(w / 2));
        const fy = Array.from({ length: h }, (_, i) => i - Math.floor(h / 2));
        const f = { title: `Error per frequency (${r.samplers[0].name})`, xLabel: 'horizontal frequency', yLabel: 'vertical frequency', x: fx, y: fy, z: r.frequencies, zLabel: 'share of W2^2 per frequency', logColor: true };
        out.push(withDesc(heatmapFigure(f, { width }), `${f.title}: each frequency's share of W2^2, on a ${h} x ${w} grid, log colour.`));
      }
      return out;
    }
    case 'pipeline': {
      const r = result as { curve: { rows: ScalingRow[] }; heatmap: { kind: string; grid: number[]; z: Float64Array } };
      const h = r.heatmap;
      const heat = { title: `First-order ${h.kind} kernel K(l, l')`, xLabel: "eigenvalue l'", yLabel: 'eigenvalue l', x: h.grid, y: h.grid, z: h.z, zLabel: `K_${h.kind}`, logColor: true };
      return [
        line(pipelineFigure(s, r.curve.rows), width),
        withDesc(heatmapFigure(heat, { width }), `${heat.title} on a ${h.grid.length} x ${h.grid.length} log grid of eigenvalues, log colour.`),
      ];
    }
    default: return [];
  }
}
