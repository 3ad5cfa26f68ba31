/**
 * Figure builders shared by the web page and the command line: plain descriptions of a figure (series of
 * numbers, labels, scales) drawn with Observable Plot into one self-contained <svg> element. DOM-agnostic:
 * the page uses its own `document`; node passes one (linkedom, see node.ts).
 *
 * Every figure root is an <svg> carrying its data, so that tests and tools can read the plotted numbers
 * without parsing paths:
 * - `data-series`: JSON array of { name, x, y } as given (an infinite value is the string "Infinity" or
 *   "-Infinity", as in `table`'s rows), one per series (line figure) or one { name: zLabel, x, y, z }
 *   (heat map, z row-major y by x), or one { name, x: [i], y: [value] } per bar (bar figure, bar i);
 * - `data-rules`: JSON array of { name, y } (line and bar figures);
 * - `data-omitted`: how many points were left out of the drawing (non-finite, or <= 0 on a log axis); the
 *   subtitle says so when there are any. NaN never reaches the SVG.
 * Title and subtitle are <text> elements of class `gd-title` / `gd-subtitle`; the legend is drawn in SVG
 * (class `gd-legend`) with Plot's color scale, so the file is one SVG that any viewer renders.
 */
import * as Plot from '@observablehq/plot';
import { fail } from '../core/errors.js';

export interface Series { name: string; x: number[]; y: number[] }
export interface LineFigure {
  title: string; subtitle?: string; xLabel: string; yLabel: string;
  xScale: 'linear' | 'log'; yScale: 'linear' | 'log'; series: Series[]; markers?: boolean;
  rules?: { name: string; y: number }[];
}
export interface HeatmapFigure {
  title: string; subtitle?: string; xLabel: string; yLabel: string; x: number[]; y: number[];
  z: ArrayLike<number>; zLabel: string; logColor?: boolean;
}
export interface BarFigure {
  title: string; subtitle?: string; yLabel: string; yScale?: 'linear' | 'log';
  bars: { name: string; value: number }[]; rules?: { name: string; y: number }[];
}
export interface PlotOptions { document?: Document; width?: number; height?: number }

const SVG_NS = 'http://www.w3.org/2000/svg';
const FONT = 'system-ui, DejaVu Sans, Liberation Sans, sans-serif';
const HEADER = 46; // title and subtitle band, px
const LEGEND_ROW = 18;

/** A number for the JSON attributes: infinities as strings (JSON has none). */
const encode = (v: number): number | string => (Number.isFinite(v) ? v : String(v));

function documentOf(o: PlotOptions | undefined): Document {
  const d = o?.document ?? (globalThis as { document?: Document }).document;
  if (!d) fail('INVALID_OPTION', 'document', 'no DOM document here', 'a Document (in node, svgString/writePlot in src/plots/node.ts provide one)');
  return d;
}

function size(o: PlotOptions | undefined): { width: number; height: number } {
  const width = o?.width ?? 640;
  const height = o?.height ?? 420;
  for (const [k, v] of [['width', width], ['height', height]] as const) {
    if (!Number.isInteger(v) || v < 200 || v > 8000) fail('INVALID_OPTION', k, `is ${v}`, 'an integer number of pixels from 200 to 8000');
  }
  return { width, height };
}

/** Tick labels: plain numbers, exponents outside [1e-3, 1e5) (Plot's default SI prefixes read badly as errors). */
export const tick = (v: number): string => (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)
  ? v.toExponential().replace(/\.?0*e/, 'e').replace('e+', 'e') : String(Number(v.toPrecision(6))));

/** Dash patterns of the reference rules (drawn in grey, told apart by their dashes). */
const DASHES = ['6,4', '2,3', '10,3,2,3', '1,4', '12,6'];
const RULE_COLOR = '#555';
/** Line colours: Plot's observable10 then tableau10's darker tones, 16 distinct colours before any repeats. */
const PALETTE = ['#4269d0', '#efb118', '#ff725c', '#6cc5b0', '#3ca951', '#ff8ab7', '#a463f2', '#97bbf5', '#9c6b4e', '#9498a0',
  '#1f3a93', '#b07aa1', '#8c6d31', '#17becf', '#d62728', '#2ca02c'];

/** Can this value be drawn on an axis of this type? (log axes need positive values) */
const drawable = (v: number, scale: 'linear' | 'log'): boolean => Number.isFinite(v) && (scale === 'linear' || v > 0);

function el(d: Document, tag: string, attrs: Record<string, string | number>, text?: string): Element {
  const e = d.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** The outer <svg>: title, subtitle, then the plot (nested svg) at y = HEADER, then the legend rows. */
function frame(d: Document, title: string, subtitle: string, width: number, plot: Element, plotHeight: number, legendHeight: number): Element {
  const root = el(d, 'svg', {
    xmlns: SVG_NS, width, height: HEADER + plotHeight + legendHeight, viewBox: `0 0 ${width} ${HEADER + plotHeight + legendHeight}`,
    'font-family': FONT, 'font-size': 10, role: 'img', 'aria-label': title,
  });
  root.appendChild(el(d, 'title', {}, title));
  root.appendChild(el(d, 'rect', { width: '100%', height: '100%', fill: 'white' }));
  root.appendChild(el(d, 'text', { class: 'gd-title', x: 10, y: 18, 'font-size': 14, 'font-weight': 'bold' }, title));
  if (subtitle) root.appendChild(el(d, 'text', { class: 'gd-subtitle', x: 10, y: 36, 'font-size': 11, fill: '#555' }, subtitle));
  plot.setAttribute('x', '0');
  plot.setAttribute('y', String(HEADER));
  // Plot's own stylesheet sizes a top-level chart (height: auto, max-width: 100%); nested, it is fixed.
  plot.setAttribute('style', `${plot.getAttribute('style') ?? ''};width:${width}px;height:${plotHeight}px;max-width:none`);
  root.appendChild(plot);
  return root;
}

/** Legend entries laid out left to right, wrapping at `width` (text width estimated at 6.5 px a character). */
function legendLayout(names: string[], width: number): { x: number; row: number }[] {
  let x = 10;
  let row = 0;
  return names.map((n) => {
    const w = 30 + 6.5 * n.length;
    if (x + w > width && x > 10) { x = 10; row += 1; }
    const at = { x, row };
    x += w;
    return at;
  });
}

/**
 * A line figure: one line per series (with dots if `markers`), dashed horizontal rules (e.g. the
 * continuous-process floor), Plot's color scale for both, grid lines, and a legend.
 */
export function lineFigure(f: LineFigure, o?: PlotOptions): Element {
  const d = documentOf(o);
  const { width, height } = size(o);
  for (const s of f.series) {
    if (s.x.length !== s.y.length) fail('INVALID_OPTION', `series ${s.name}`, `has ${s.x.length} x values and ${s.y.length} y values`, 'as many x values as y values');
  }
  const points: { name: string; x: number; y: number }[] = [];
  let omitted = 0;
  for (const s of f.series) {
    for (let i = 0; i < s.x.length; i++) {
      if (drawable(s.x[i], f.xScale) && drawable(s.y[i], f.yScale)) points.push({ name: s.name, x: s.x[i], y: s.y[i] });
      else omitted++;
    }
  }
  const rules = (f.rules ?? []).filter((r) => drawable(r.y, f.yScale));
  omitted += (f.rules ?? []).length - rules.length;
  const names = [...f.series.map((s) => s.name), ...rules.map((r) => r.name)];
  const layout = legendLayout(names, width);
  const legendHeight = names.length ? (Math.max(...layout.map((l) => l.row)) + 1) * LEGEND_ROW + 6 : 0;
  const plotHeight = Math.max(120, height - HEADER - legendHeight);
  const plot = Plot.plot({
    document: d, width, height: plotHeight, marginLeft: 64, marginRight: 20, marginBottom: 36,
    style: { fontFamily: FONT, fontSize: '10px' },
    x: { type: f.xScale, label: f.xLabel, grid: true, labelAnchor: 'center', labelArrow: 'none', tickFormat: tick },
    // A log y axis is extended to whole decades, so that the lowest series has a labelled tick beside it.
    y: { type: f.yScale, label: f.yLabel, grid: true, labelArrow: 'none', tickFormat: tick, ...(f.yScale === 'log' ? { nice: true } : {}) },
    color: { domain: f.series.map((s) => s.name), range: PALETTE },
    marks: [
      Plot.line(points, { x: 'x', y: 'y', z: 'name', stroke: 'name', strokeWidth: 1.5 }),
      ...(f.markers ? [Plot.dot(points, { x: 'x', y: 'y', fill: 'name', r: 2.5 })] : []),
      ...rules.map((r, i) => Plot.ruleY([r.y], { stroke: RULE_COLOR, strokeDasharray: DASHES[i % DASHES.length], strokeWidth: 1.2 })),
    ],
  });
  const color = plot.scale('color') as { apply: (v: string) => string };
  const subtitle = [f.subtitle, omitted ? `${omitted} point${omitted === 1 ? '' : 's'} not drawn (infinite${f.xScale === 'log' || f.yScale === 'log' ? ', or zero on a log axis' : ''})` : '']
    .filter(Boolean).join('; ');
  const root = frame(d, f.title, subtitle, width, plot, plotHeight, legendHeight);
  const legend = el(d, 'g', { class: 'gd-legend', transform: `translate(0,${HEADER + plotHeight + 4})` });
  names.forEach((n, i) => {
    const { x, row } = layout[i];
    const y = row * LEGEND_ROW + 9;
    const r = i - f.series.length; // >= 0: a rule
    legend.appendChild(el(d, 'line', { x1: x, x2: x + 22, y1: y, y2: y, 'stroke-width': 2,
      ...(r >= 0 ? { stroke: RULE_COLOR, 'stroke-dasharray': DASHES[r % DASHES.length] } : { stroke: color.apply(n) }) }));
    legend.appendChild(el(d, 'text', { x: x + 26, y: y + 3.5, 'font-size': 11 }, n));
  });
  root.appendChild(legend);
  root.setAttribute('data-series', JSON.stringify(f.series.map((s) => ({ name: s.name, x: s.x.map(encode), y: s.y.map(encode) }))));
  root.setAttribute('data-rules', JSON.stringify((f.rules ?? []).map((r) => ({ name: r.name, y: encode(r.y) }))));
  root.setAttribute('data-omitted', String(omitted));
  return root;
}

/** Cell edges around sorted centres: midpoints (geometric on a log axis), the ends mirrored. */
function edges(c: number[], log: boolean): number[] {
  const t = log ? c.map(Math.log) : c;
  const e = [t.length > 1 ? t[0] - (t[1] - t[0]) / 2 : t[0] - 0.5];
  for (let i = 1; i < t.length; i++) e.push((t[i - 1] + t[i]) / 2);
  e.push(t.length > 1 ? t[t.length - 1] + (t[t.length - 1] - t[t.length - 2]) / 2 : t[0] + 0.5);
  return log ? e.map(Math.exp) : e;
}

/**
 * A heat map of z (row-major, y by x) on the grid x, y (log axes when the grid is positive and spans
 * more than two decades), colour by z (log colour when `logColor` and z > 0; other cells are left blank
 * and counted in the subtitle), with a colour ramp legend.
 */
export function heatmapFigure(f: HeatmapFigure, o?: PlotOptions): Element {
  const d = documentOf(o);
  const { width, height } = size(o);
  if (f.z.length !== f.x.length * f.y.length) fail('INVALID_OPTION', 'z', `has ${f.z.length} values for a ${f.y.length} x ${f.x.length} grid`, 'y.length * x.length values, row-major');
  const wide = (v: number[]) => v.length > 1 && v.every((a) => a > 0) && Math.max(...v) / Math.min(...v) > 100;
  const xLog = wide(f.x);
  const yLog = wide(f.y);
  const xe = edges(f.x, xLog);
  const ye = edges(f.y, yLog);
  const cells: { x1: number; x2: number; y1: number; y2: number; z: number }[] = [];
  let omitted = 0;
  for (let i = 0; i < f.y.length; i++) {
    for (let j = 0; j < f.x.length; j++) {
      const z = f.z[i * f.x.length + j];
      if (drawable(z, f.logColor ? 'log' : 'linear')) cells.push({ x1: xe[j], x2: xe[j + 1], y1: ye[i], y2: ye[i + 1], z });
      else omitted++;
    }
  }
  const legendHeight = 50;
  const plotHeight = Math.max(120, height - HEADER - legendHeight);
  const plot = Plot.plot({
    document: d, width, height: plotHeight, marginLeft: 64, marginRight: 20, marginBottom: 36,
    style: { fontFamily: FONT, fontSize: '10px' },
    x: { type: xLog ? 'log' : 'linear', label: f.xLabel, labelAnchor: 'center', labelArrow: 'none', tickFormat: tick },
    y: { type: yLog ? 'log' : 'linear', label: f.yLabel, labelArrow: 'none', tickFormat: tick },
    color: { type: f.logColor ? 'log' : 'linear', scheme: 'viridis', label: f.zLabel },
    marks: [Plot.rect(cells, { x1: 'x1', x2: 'x2', y1: 'y1', y2: 'y2', fill: 'z', inset: 0 })],
  });
  const subtitle = [f.subtitle, omitted ? `${omitted} cell${omitted === 1 ? '' : 's'} not drawn (infinite${f.logColor ? ', or <= 0 on the log colour scale' : ''})` : ''].filter(Boolean).join('; ');
  const root = frame(d, f.title, subtitle, width, plot, plotHeight, legendHeight);
  if (cells.length) root.appendChild(ramp(d, plot, f, HEADER + plotHeight + 4, Math.min(320, width - 20)));
  root.setAttribute('data-series', JSON.stringify([{ name: f.zLabel, x: f.x.map(encode), y: f.y.map(encode), z: Array.from(f.z, encode) }]));
  root.setAttribute('data-omitted', String(omitted));
  return root;
}

/** A colour ramp legend in SVG: a gradient through Plot's colour scale over its domain, labelled at both ends. */
function ramp(d: Document, plot: ReturnType<typeof Plot.plot>, f: HeatmapFigure, top: number, width: number): Element {
  const color = plot.scale('color') as { domain: number[]; apply: (v: number) => string };
  const [lo, hi] = [color.domain[0], color.domain[color.domain.length - 1]];
  const g = el(d, 'g', { class: 'gd-legend', transform: `translate(10,${top})` });
  const defs = el(d, 'defs', {});
  const grad = el(d, 'linearGradient', { id: 'gd-ramp', x1: 0, x2: 1, y1: 0, y2: 0 });
  for (let k = 0; k <= 10; k++) {
    // geometric interpolation on a log colour scale, arithmetic otherwise
    const v = f.logColor ? lo * (hi / lo) ** (k / 10) : lo + (hi - lo) * (k / 10);
    grad.appendChild(el(d, 'stop', { offset: k / 10, 'stop-color': color.apply(v) }));
  }
  defs.appendChild(grad);
  g.appendChild(defs);
  g.appendChild(el(d, 'text', { x: 0, y: 9, 'font-size': 11 }, f.zLabel + (f.logColor ? ' (log colour)' : '')));
  g.appendChild(el(d, 'rect', { x: 0, y: 14, width, height: 10, fill: 'url(#gd-ramp)' }));
  g.appendChild(el(d, 'text', { x: 0, y: 36, 'text-anchor': 'start' }, lo.toPrecision(3)));
  g.appendChild(el(d, 'text', { x: width, y: 36, 'text-anchor': 'end' }, hi.toPrecision(3)));
  return g;
}

/** Bars (one per named value, e.g. the error by source) with optional dashed reference rules. */
export function barFigure(f: BarFigure, o?: PlotOptions): Element {
  const d = documentOf(o);
  const { width, height } = size(o);
  const yScale = f.yScale ?? 'linear';
  const bars = f.bars.filter((b) => drawable(b.value, yScale));
  const rules = (f.rules ?? []).filter((r) => drawable(r.y, yScale));
  const omitted = f.bars.length - bars.length + (f.rules ?? []).length - rules.length;
  const layout = legendLayout(rules.map((r) => r.name), width);
  const legendHeight = rules.length ? (Math.max(...layout.map((l) => l.row)) + 1) * LEGEND_ROW + 6 : 0;
  const plotHeight = Math.max(120, height - HEADER - legendHeight);
  const plot = Plot.plot({
    document: d, width, height: plotHeight, marginLeft: 64, marginRight: 20, marginBottom: 36,
    style: { fontFamily: FONT, fontSize: '10px' },
    x: { type: 'band', domain: f.bars.map((b) => b.name), label: null, padding: 0.3 },
    y: { type: yScale, label: f.yLabel, grid: true, labelArrow: 'none', tickFormat: tick, ...(yScale === 'linear' ? { zero: true } : {}) },
    marks: [
      yScale === 'log' ? Plot.dot(bars, { x: 'name', y: 'value', fill: '#4269d0', r: 4 }) : Plot.barY(bars, { x: 'name', y: 'value', fill: '#4269d0' }),
      ...rules.map((r, i) => Plot.ruleY([r.y], { stroke: RULE_COLOR, strokeDasharray: DASHES[i % DASHES.length], strokeWidth: 1.2 })),
    ],
  });
  const subtitle = [f.subtitle, omitted ? `${omitted} value${omitted === 1 ? '' : 's'} not drawn (infinite${yScale === 'log' ? ', or zero on a log axis' : ''})` : ''].filter(Boolean).join('; ');
  const root = frame(d, f.title, subtitle, width, plot, plotHeight, legendHeight);
  if (rules.length) {
    const legend = el(d, 'g', { class: 'gd-legend', transform: `translate(0,${HEADER + plotHeight + 4})` });
    rules.forEach((r, i) => {
      const { x, row } = layout[i];
      const y = row * LEGEND_ROW + 9;
      legend.appendChild(el(d, 'line', { x1: x, x2: x + 22, y1: y, y2: y, stroke: RULE_COLOR, 'stroke-width': 2, 'stroke-dasharray': DASHES[i % DASHES.length] }));
      legend.appendChild(el(d, 'text', { x: x + 26, y: y + 3.5, 'font-size': 11 }, r.name));
    });
    root.appendChild(legend);
  }
  root.setAttribute('data-series', JSON.stringify(f.bars.map((b, i) => ({ name: b.name, x: [i], y: [encode(b.value)] }))));
  root.setAttribute('data-rules', JSON.stringify((f.rules ?? []).map((r) => ({ name: r.name, y: encode(r.y) }))));
  root.setAttribute('data-omitted', String(omitted));
  return root;
}

/**
 * Figures side by side in one <svg> (e.g. the two panels of Figure 1): each panel keeps its own <svg> and
 * data attributes, placed at its x offset; the root's `data-panels` is the number of panels.
 */
export function sideBySide(panels: Element[], o?: { document?: Document }): Element {
  const d = documentOf(o);
  const widths = panels.map((p) => Number(p.getAttribute('width')));
  const heights = panels.map((p) => Number(p.getAttribute('height')));
  const width = widths.reduce((a, b) => a + b, 0);
  const height = Math.max(...heights);
  const root = el(d, 'svg', { xmlns: SVG_NS, width, height, viewBox: `0 0 ${width} ${height}`, 'font-family': FONT, 'data-panels': panels.length });
  root.appendChild(el(d, 'rect', { width: '100%', height: '100%', fill: 'white' }));
  let x = 0;
  panels.forEach((p, i) => {
    p.setAttribute('x', String(x));
    p.setAttribute('y', '0');
    x += widths[i];
    root.appendChild(p);
  });
  return root;
}
