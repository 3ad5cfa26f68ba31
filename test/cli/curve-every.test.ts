/**
 * `gaussdiff curve --every k` hands the stride to the API (the kernel computes only the printed steps): the
 * printed steps, times and W2 are the every = 1 curve of the API at steps k, 2k, ... and the last (1e-13
 * relative, the fused steps may round differently), in JSON, in the default text (about 20 rows), and with
 * --plot (which still draws every step).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { curve } from '../../src/node.js';
import { runCli } from '../helpers/cli.js';
import { npyBytes } from '../helpers/npy.js';
import { randomSpectrum } from '../helpers/random.js';

const dir = mkdtempSync(join(tmpdir(), 'gaussdiff-curve-every-'));
const file = join(dir, 'spec.npy');
const values = randomSpectrum(3, 40);
writeFileSync(file, npyBytes(Array.from(values)));

function close(a: number, b: number, tol: number, what: string): void {
  expect(a === b || Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b)) <= tol, `${what}: ${a} vs ${b}`).toBe(true);
}

describe('gaussdiff curve --every', () => {
  it('prints the every = 1 API curve at every k-th step and the last (JSON, text, with --plot)', async () => {
    const full = await curve(values, { steps: 200, eps: 1e-3 });
    const expected = (k: number) => Array.from({ length: 199 }, (_, j) => j + 1).filter((s) => s % k === 0 || s === 199);
    for (const every of [7, 50]) {
      const r = runCli(['curve', '--spectrum', file, '--steps', '200', '--eps', '1e-3', '--every', String(every), '--json']);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout);
      const steps = expected(every);
      expect(out.steps).toEqual(steps);
      expect(out.times).toEqual(steps.map((s) => full.times[s - 1]));
      out.series.forEach((s: { w2: number[] }, i: number) => steps.forEach((st, j) => close(s.w2[j], full.series[i].w2[st - 1], 1e-13, `every ${every}`)));
    }
    // Default text: about 20 rows (stride ceil(199 / 20) = 10), the same with --plot (which computes every step).
    const plain = runCli(['curve', '--spectrum', file, '--steps', '200', '--eps', '1e-3']);
    const svg = join(dir, 'c.svg');
    const plotted = runCli(['curve', '--spectrum', file, '--steps', '200', '--eps', '1e-3', '--plot', svg]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plotted.code, plotted.stderr).toBe(0);
    expect(plotted.stdout).toBe(plain.stdout);
    const rows = plain.stdout.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));
    expect(rows.map((c) => Number(c[0]))).toEqual(expected(10));
    rows.forEach((c) => full.series.forEach((s, i) => close(Number(c[3 + i]), s.w2[Number(c[0]) - 1], 1e-4, `row ${c[0]}`)));
    expect(readFileSync(svg, 'utf8')).toContain('199 steps');
  });
});
