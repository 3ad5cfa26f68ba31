/**
 * Figures (src/plots): the SVG is well-formed XML with an <svg> root, carries the plotted numbers (data-series)
 * equal to the API's, its title, axis labels and legend; infinite and zero values are left out of log axes with
 * a note, never NaN; PNG output has the PNG signature and the requested size; plot paths are checked (typed).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOMParser } from 'linkedom';
import { curve, table, contributions, w2VsEps, imageLikeSpectrum, GaussdiffError } from '../../src/node.js';
import { lineFigure, heatmapFigure, sideBySide } from '../../src/plots/figures.js';
import { curveFigure, stepsFigure, contributionsFigure, w2VsEpsFigure } from '../../src/plots/adapters.js';
import { plotDocument, svgString, pngBytes, writePlot } from '../../src/plots/node.js';

const document = plotDocument();
const spectrum = imageLikeSpectrum(8);

/** Parse as SVG XML: the root must be <svg> and no <parsererror>. */
function parseSvg(text: string): Element {
  const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
  const root = doc.documentElement as unknown as Element;
  expect(root.tagName.toLowerCase()).toBe('svg');
  expect(root.getAttribute('xmlns')).toBe('http://www.w3.org/2000/svg');
  expect(doc.querySelector('parsererror')).toBeNull();
  return root;
}

const texts = (root: Element): string[] => [...root.querySelectorAll('text')].map((t) => t.textContent ?? '');
const seriesOf = (root: Element) => JSON.parse(root.getAttribute('data-series') ?? 'null') as { name: string; x: (number | string)[]; y: (number | string)[] }[];

/** PNG width and height from the IHDR chunk (bytes 16-23, big-endian). */
function pngSize(b: Uint8Array): [number, number] {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return [v.getUint32(16), v.getUint32(20)];
}

describe('lineFigure', () => {
  const f = {
    title: 'A test', subtitle: 'sub', xLabel: 'steps N', yLabel: 'W2', xScale: 'log' as const, yScale: 'log' as const, markers: true,
    series: [{ name: 'em', x: [10, 100, 1000], y: [1, 0.1, Infinity] }, { name: 'heun', x: [10, 100, 1000], y: [0.5, 0, 0.001] }],
    rules: [{ name: 'floor', y: 0.005 }],
  };

  it('is well-formed SVG with the series, rules, title, axis labels and legend', () => {
    const text = svgString(lineFigure(f, { document }));
    const root = parseSvg(text);
    expect(seriesOf(root)).toEqual([{ name: 'em', x: [10, 100, 1000], y: [1, 0.1, 'Infinity'] }, { name: 'heun', x: [10, 100, 1000], y: [0.5, 0, 0.001] }]);
    expect(JSON.parse(root.getAttribute('data-rules')!)).toEqual([{ name: 'floor', y: 0.005 }]);
    const t = texts(root);
    for (const s of ['A test', 'steps N', 'W2', 'em', 'heun', 'floor']) expect(t).toContain(s);
    expect(root.querySelector('.gd-title')?.textContent).toBe('A test');
    // The infinite value and the zero on a log axis are not drawn, and the subtitle says so; no NaN anywhere.
    expect(root.getAttribute('data-omitted')).toBe('2');
    expect(root.querySelector('.gd-subtitle')?.textContent).toMatch(/^sub; 2 points not drawn/);
    expect(text).not.toMatch(/NaN/);
    // Two lines, one per series (Plot's line mark draws one path per z group).
    expect(root.querySelectorAll('g[aria-label="line"] path').length).toBe(2);
  });

  it('refuses mismatched series and bad sizes with typed errors', () => {
    expect(() => lineFigure({ ...f, series: [{ name: 'a', x: [1, 2], y: [1] }] }, { document })).toThrow(GaussdiffError);
    expect(() => lineFigure(f, { document, width: 10 })).toThrow(/width/);
  });
});

describe('adapters: plotted values are the API numbers', () => {
  it('curveFigure: one series per scheme and start, x the forward times, y the W2 after each step', async () => {
    const r = await curve(spectrum, { steps: 30, eps: 1e-3 });
    const root = parseSvg(svgString(curveFigure(r, { document })));
    const got = seriesOf(root);
    expect(got.map((s) => s.name)).toEqual(r.series.map((s) => `${s.scheme} from ${s.init === 'pT' ? 'p_T' : 'N(0, I)'}`));
    got.forEach((s, i) => {
      expect(s.x).toEqual(Array.from(r.forwardTimes));
      expect(s.y).toEqual(Array.from(r.series[i].w2));
    });
    expect(texts(root)).toEqual(expect.arrayContaining(['forward time t', 'W2']));
  });

  it('stepsFigure on a table: W2 against N per scheme and start at one eps, the continuous processes as rules', async () => {
    const r = await table(spectrum, { steps: [10, 50, 200], eps: [0, 1e-3], schemes: ['em', 'heun'] });
    const root = parseSvg(svgString(stepsFigure(r, { document })));
    for (const s of seriesOf(root)) {
      const [scheme, , init] = s.name.split(' ');
      const rows = r.rows.filter((row) => row.scheme === scheme && row.eps === 1e-3 && row.steps !== null && (init === 'p_T' ? row.init === 'pT' : row.init === 'normal'));
      expect(s.x).toEqual(rows.map((row) => row.steps));
      expect(s.y).toEqual(rows.map((row) => row.w2));
    }
    const rules = JSON.parse(root.getAttribute('data-rules')!) as { name: string; y: number }[];
    const sde = r.rows.find((row) => row.scheme === 'em' && row.eps === 1e-3 && row.steps === null && row.init === 'pT')!;
    expect(rules.find((q) => q.name === 'continuous SDE from p_T')!.y).toBe(sde.w2);
    expect(rules).toHaveLength(4);
    expect(texts(root)).toEqual(expect.arrayContaining(['grid points N (N - 1 steps)', 'W2']));
    expect(() => stepsFigure(r, { document, eps: 0.5 })).toThrow(/not an eps of the table/);
  });

  it('contributionsFigure: shares of W2^2 that sum to 1 and times W2^2 give the contributions back', async () => {
    const c = await contributions(spectrum, { scheme: 'euler', steps: 20, eps: 1e-3, init: 'pT' });
    const [s] = seriesOf(parseSvg(svgString(contributionsFigure(c, { document }))));
    expect(s.x).toEqual(Array.from(c.values));
    const y = s.y as number[];
    expect(y.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    y.forEach((share, i) => expect(share * c.w2 ** 2).toBeCloseTo(c.contributions[i], 14));
  });

  it('sideBySide keeps each panel and its data (Figure 1 layout)', async () => {
    const left = curveFigure(await curve(spectrum, { steps: 20 }), { document });
    const right = w2VsEpsFigure(await w2VsEps(spectrum, { steps: 20, eps: [1e-4, 1e-3, 1e-2] }), { document, steps: 20 });
    const root = parseSvg(svgString(sideBySide([left, right], { document })));
    expect(root.getAttribute('data-panels')).toBe('2');
    expect(Number(root.getAttribute('width'))).toBe(1280);
    expect(root.querySelectorAll('svg[data-series]').length).toBe(2);
  });
});

describe('heatmapFigure', () => {
  it('draws one cell per finite positive z on a log grid, with the z values in data-series', () => {
    const x = [0.01, 0.1, 1, 10];
    const y = [0.01, 1, 100];
    const z = y.flatMap((a) => x.map((b) => a * b)); // row-major y by x
    z[5] = 0; // not drawable on the log colour scale
    const root = parseSvg(svgString(heatmapFigure({ title: 'K', xLabel: "l'", yLabel: 'l', x, y, z, zLabel: 'K(l, l\')', logColor: true }, { document })));
    expect(seriesOf(root)[0]).toMatchObject({ x, y, z });
    expect(root.getAttribute('data-omitted')).toBe('1');
    expect(root.querySelectorAll('g[aria-label="rect"] rect').length).toBe(11);
  });
});

describe('node output', () => {
  it('pngBytes: PNG signature, the SVG size by default and the requested width', async () => {
    const svg = svgString(lineFigure({ title: 'p', xLabel: 'x', yLabel: 'y', xScale: 'linear', yScale: 'linear', series: [{ name: 's', x: [0, 1], y: [0, 1] }] }, { document, width: 500, height: 300 }));
    const png = await pngBytes(svg);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(pngSize(png)).toEqual([500, 300]);
    expect(pngSize(await pngBytes(svg, 1000))).toEqual([1000, 600]);
  });

  it('writePlot writes by extension and refuses other extensions and missing folders before writing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gaussdiff-plots-'));
    const e = lineFigure({ title: 'w', xLabel: 'x', yLabel: 'y', xScale: 'linear', yScale: 'linear', series: [{ name: 's', x: [0, 1], y: [1, 2] }] }, { document });
    await writePlot(join(dir, 'a.svg'), e);
    parseSvg(readFileSync(join(dir, 'a.svg'), 'utf8'));
    await writePlot(join(dir, 'a.PNG'), e);
    expect(readFileSync(join(dir, 'a.PNG')).subarray(1, 4).toString()).toBe('PNG');
    await expect(writePlot(join(dir, 'a.pdf'), e)).rejects.toMatchObject({ code: 'INVALID_OPTION', argument: 'path' });
    await expect(writePlot(join(dir, 'no', 'a.svg'), e)).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    expect(existsSync(join(dir, 'a.pdf'))).toBe(false);
  });
});
