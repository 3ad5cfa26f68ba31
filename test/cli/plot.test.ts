/**
 * `--plot` on the commands and `gaussdiff figure1`: the command's output is unchanged, the file is the figure
 * the API-level adapters draw from the same numbers (same SVG text), PNG by extension, and a bad path is
 * refused with a typed one-line error before any work.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOMParser } from 'linkedom';
import { curve, readNpy, table, w2VsEps } from '../../src/node.js';
import { curveFigure, stepsFigure } from '../../src/plots/adapters.js';
import { plotDocument, svgString } from '../../src/plots/node.js';
import { ROOT, haveReference, referencePath } from '../helpers/shared.js';
import { npyBytes } from '../helpers/npy.js';

const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/gaussdiff.js'), ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const dir = mkdtempSync(join(tmpdir(), 'gaussdiff-plot-cli-'));
const values = [0, 0.001, 0.01, 0.1, 0.1, 1, 3, 10];
const file = join(dir, 'spec.npy');
writeFileSync(file, npyBytes(values, { descr: '<f8' }));
const document = plotDocument();
const seriesOf = (text: string) => {
  const root = new DOMParser().parseFromString(text, 'image/svg+xml').documentElement as unknown as Element;
  expect(root.tagName.toLowerCase()).toBe('svg');
  return JSON.parse(root.getAttribute('data-series') ?? 'null') as { name: string; x: number[]; y: number[] }[];
};

describe('--plot', () => {
  it('table: same stdout, and the SVG the adapter draws from the API result', async () => {
    const args = ['table', '--spectrum', file, '--steps', '10,50,200', '--eps', '0,1e-3', '--schemes', 'em,heun'];
    const plain = run(...args);
    const out = join(dir, 'table.svg');
    const plotted = run(...args, '--plot', out);
    expect(plotted.code, plotted.stderr).toBe(0);
    expect(plotted.stdout).toBe(plain.stdout);
    const api = await table(values, { steps: [10, 50, 200], eps: [0, 1e-3], schemes: ['em', 'heun'] });
    expect(readFileSync(out, 'utf8')).toBe(svgString(stepsFigure(api, { document })));
  });

  it('curve: PNG by extension; --json output unchanged; the SVG carries the curve API numbers', async () => {
    const args = ['curve', '--spectrum', file, '--schemes', 'euler,ei', '--steps', '40', '--eps', '1e-3', '--json'];
    const png = join(dir, 'curve.png');
    const r = run(...args, '--plot', png);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(run(...args).stdout);
    const bytes = readFileSync(png);
    expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(bytes.readUInt32BE(16)).toBe(640);
    const svg = join(dir, 'curve.svg');
    expect(run(...args, '--plot', svg).code).toBe(0);
    const api = await curve(values, { schemes: ['euler', 'ei'], steps: 40, eps: 1e-3 });
    expect(readFileSync(svg, 'utf8')).toBe(svgString(curveFigure(api, { document })));
  });

  it('error, rank, pipeline and tradeoff write their figures', () => {
    const cases: [string, string[], string][] = [
      ['error', ['error', '--spectrum', file, '--sampler', 'heun', '--steps', '10'], 'share of W2^2'],
      ['rank', ['rank', '--spectrum', file, '--samplers', 'euler,heun', '--nfe', '10,20,50'], 'euler'],
      ['pipeline', ['pipeline', '--spectrum', file, '--samples', '100', '--sigma', '0.1', '--draws', '0'], 'generalization'],
      ['tradeoff', ['tradeoff', '--spectrum', file, '--samples', '100', '--over', 'sigma', '--values', '0.05,0.1,0.2', '--draws', '0'], 'first order'],
    ];
    for (const [name, args, first] of cases) {
      const out = join(dir, `${name}.svg`);
      const r = run(...args, '--plot', out);
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toBe(run(...args).stdout);
      const series = seriesOf(readFileSync(out, 'utf8'));
      expect(series[0].name, name).toBe(first);
      expect(readFileSync(out, 'utf8')).not.toMatch(/NaN/);
    }
  });

  it('refuses a bad extension or an unwritable path before any work, with a typed error', () => {
    const bad = run('table', '--spectrum', file, '--plot', join(dir, 'x.pdf'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^gaussdiff: error \[INVALID_OPTION\] --plot: .*x\.pdf has extension "\.pdf" \(allowed: a file name ending in \.svg or \.png\)/);
    expect(bad.stdout).toBe('');
    const missing = run('curve', '--spectrum', file, '--plot', join(dir, 'nope', 'c.svg'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/\[INVALID_OPTION\] --plot: the folder .* does not exist/);
    expect(missing.stdout).toBe('');
  });
});

describe('gaussdiff figure1', () => {
  it('refuses a name that is neither built in nor a .npy, and a bad --out, typed', () => {
    const r = run('figure1', '--spectrum', 'cifar10', '--out', join(dir, 'f.svg'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\[INVALID_OPTION\] --spectrum: "cifar10" is neither a built-in spectrum nor a \.npy file/);
    expect(run('figure1', '--spectrum', file, '--out', join(dir, 'f.txt')).stderr).toMatch(/\[INVALID_OPTION\] --out/);
    expect(existsSync(join(dir, 'f.svg'))).toBe(false);
  });

  it.runIf(haveReference('cifar10-spectrum.npy'))('draws both panels of Figure 1 on CIFAR-10 with the engine\'s numbers', async () => {
    const out = join(dir, 'fig1.svg');
    const r = run('figure1', '--spectrum', referencePath('cifar10-spectrum.npy'), '--out', out, '--steps', '200', '--eps-list', '1e-4,1e-3,1e-2');
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(out, 'utf8');
    const root = new DOMParser().parseFromString(text, 'image/svg+xml').documentElement as unknown as Element;
    expect(root.getAttribute('data-panels')).toBe('2');
    const [left, right] = [...root.querySelectorAll('svg[data-series]')].map((p) => JSON.parse(p.getAttribute('data-series')!));
    const spectrum = await readNpy(referencePath('cifar10-spectrum.npy'));
    const c = await curve(spectrum, { steps: 200, eps: 1e-3 });
    expect(left.map((s: { y: number[] }) => s.y)).toEqual(c.series.map((s) => Array.from(s.w2)));
    const w = await w2VsEps(spectrum, { steps: 200, eps: [1e-4, 1e-3, 1e-2], inits: ['pT', 'normal'] });
    expect(right.slice(0, w.series.length).map((s: { y: number[] }) => s.y)).toEqual(w.series.map((s) => Array.from(s.w2)));
    expect(right.map((s: { name: string }) => s.name)).toContain('continuous ODE from p_T');
  });
});
