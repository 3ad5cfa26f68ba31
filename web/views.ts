/**
 * The explorer's views: a worker result (web/worker.ts) as figures, drawn by the CLI's adapters
 * (src/plots/adapters.ts) where one fits, else by the shared builders of src/plots/figures.ts (k-diffusion
 * curves, several samplers' contributions, the pipeline split by source). Every figure gets a <desc>.
 */
import { lineFigure, heatmapFigure, type LineFigure, type Series } from '../src/plots/figures.js';
import { stepsFigure, curveFigure, w2VsEpsFigure, kernelFigure } from '../src/plots/adapters.js';
import type { CurveResult, EpsSeries } from '../src/diffusion/reports/outputs.js';
import type { TableResult } from '../src/diffusion/reports/table.js';
import type { SamplerTableRow } from '../src/diffusion/reports/samplers.js';
import type { Family, State, View } from './protocol.js';

interface Parts { name: string; values: Float64Array; counts: Float64Array; contributions: Float64Array; w2: number }
interface ScalingRow { x: number; firstOrder: number; refined: number | null; decomposition: Record<string, number> }

const fmt = (x: number) => (x === 0 ? '0' : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? String(+x.toPrecision(3)) : x.toExponential(1));
const startName = (s: State) => ({ pT: 'p_T', normal: 'N(0, I)', prior: 'N(0, sigma_max^2 I)', exact: 'exact' }[s.start] ?? s.start);

/** W2 after each step of k-diffusion / diffusers samplers (no adapter: samplerCurve has its own levels). */
function kdCurveFigure(s: State, all: { sampler: string; w2: Float64Array }[]): LineFigure {
  return {
    title: 'W2 after each step', subtitle: `${s.steps} steps, start ${startName(s)}`,
    xLabel: 'step', yLabel: 'W2 to the exact marginal', xScale: 'linear', yScale: 'log',
    series: all.map((c) => ({ name: c.sampler, x: Array.from(c.w2, (_, k) => k + 1), y: Array.from(c.w2) })),
  };
}

/** The EDM analogue of Figure 1 (right): W2 against sigma_min. */
function sigmaMinFigure(s: State, series: Series[]): LineFigure {
  return {
    title: 'W2 against sigma_min (k-diffusion samplers)', subtitle: `${s.steps} steps, start ${startName(s)}`,
    xLabel: 'sigma_min', yLabel: 'W2', xScale: 'log', yScale: 'log', markers: true, series,
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
      { name: 'refined', x: rows.filter((r) => r.refined !== null).map((r) => r.x), y: rows.flatMap((r) => (r.refined === null ? [] : [r.refined])) },
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

/** "title: each series' range", read back from the figure's data-series (what is drawn is what is described). */
function described(svg: Element): Element {
  const title = svg.querySelector('title')?.textContent ?? '';
  const series = JSON.parse(svg.getAttribute('data-series') ?? '[]') as { name: string; y: (number | string)[] }[];
  const parts = series.map((c) => {
    const ys = c.y.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    return ys.length ? `${c.name} from ${fmt(Math.min(...ys))} to ${fmt(Math.max(...ys))}` : `${c.name}: no finite value`;
  });
  return withDesc(svg, `${title}. ${parts.join('; ')}.`);
}

const line = (f: LineFigure, width: number) => described(lineFigure(f, { width }));

/** The figures of one view (the table view has none: it is text, drawn by app.ts). */
export function figures(s: State, view: View, family: Family, result: unknown, width: number): Element[] {
  switch (view) {
    case 'steps': return [described(stepsFigure(result as TableResult | { rows: SamplerTableRow[] }, { width, x: s.axis }))];
    case 'curve': return [family === 'pg' ? described(curveFigure(result as CurveResult, { width })) : line(kdCurveFigure(s, result as { sampler: string; w2: Float64Array }[]), width)];
    case 'eps': return [family === 'pg'
      ? described(w2VsEpsFigure(result as { eps: Float64Array; series: EpsSeries[] }, { width, steps: s.steps }))
      : line(sigmaMinFigure(s, result as Series[]), width)];
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
      const r = result as { curve: { rows: ScalingRow[] }; heatmap: { kind: State['kernel']; grid: number[]; z: Float64Array } };
      const h = r.heatmap;
      return [
        line(pipelineFigure(s, r.curve.rows), width),
        withDesc(kernelFigure({ kind: h.kind, rows: h.grid, cols: h.grid, values: h.z }, { width }),
          `The first-order ${h.kind} kernel K(l, l') on a ${h.grid.length} x ${h.grid.length} log grid of eigenvalues, log colour.`),
      ];
    }
    default: return [];
  }
}
