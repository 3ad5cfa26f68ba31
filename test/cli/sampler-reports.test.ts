/**
 * The reports of issue 9's samplers on the command line: `error --contributions`, `curve --sampler`,
 * `table --samplers`, `--model-spectrum`, and `--schedule` in both frames. Each output equals the API's
 * numbers exactly; bad input is one typed line with exit code 2.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNpy, samplerError, curve, table, validate, validateSampler } from '../../src/node.js';
import { samplerCurve, samplerTable } from '../../src/diffusion/reports/samplers.js';
import { ROOT } from '../helpers/shared.js';
import { runCli } from '../helpers/cli.js';
import { npyBytes } from '../helpers/npy.js';

const run = (...args: string[]) => runCli(args);
const dir = mkdtempSync(join(tmpdir(), 'gaussdiff-sampler-reports-'));
const values = [0, 0.001, 0.01, 0.1, 0.1, 1, 3, 10];
const model = [0, 0.002, 0.01, 0.05, 0.2, 1.5, 3, 8];
const file = join(dir, 'spec.npy');
const modelFile = join(dir, 'model.npy');
const shortFile = join(dir, 'short.npy');
writeFileSync(file, npyBytes(values, { descr: '<f8' }));
writeFileSync(modelFile, npyBytes(model, { descr: '<f8' }));
writeFileSync(shortFile, npyBytes(model.slice(1), { descr: '<f8' }));

/** One typed line on stderr, nothing on stdout, exit 2. */
function expectRefused(args: string[], message: RegExp): void {
  const r = run(...args);
  expect(r.code, args.join(' ')).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trim().split('\n').filter((l) => l.startsWith('gaussdiff: error'))).toHaveLength(1);
  expect(r.stderr).toMatch(message);
}

describe('gaussdiff error --contributions', () => {
  it('prints the per-mode arrays of samplerError in JSON, for both frames, summing to W2^2', async () => {
    for (const [sampler, extra] of [['heun', ['--s-churn', '1']], ['ddim', ['--eta', '0.5']]] as const) {
      const r = run('error', '--spectrum', file, '--sampler', sampler, '--steps', '9', ...extra, '--contributions', '--json');
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(Object.keys(out)).toEqual(['sampler', 'w2', 'w2Squared', 'nfe', 'values', 'modelValues', 'counts', 'variances', 'contributions']);
      const api = await samplerError(values, sampler === 'heun' ? { sampler, steps: 9, sChurn: 1 } : { sampler, steps: 9, eta: 0.5 }) as Awaited<ReturnType<typeof samplerError>> & Record<string, Float64Array>;
      for (const key of ['values', 'modelValues', 'counts', 'variances', 'contributions']) expect(out[key]).toEqual([...api[key]]);
      expect(out.w2Squared).toBe(api.w2Squared);
      // Independently: w_i (sqrt v_i - sqrt l_i)^2 from the printed variances, and their sum is W2^2.
      const direct = out.values.map((l: number, i: number) => out.counts[i] * (Math.sqrt(out.variances[i]) - Math.sqrt(l)) ** 2);
      direct.forEach((c: number, i: number) => expect(Math.abs(c - out.contributions[i])).toBeLessThanOrEqual(1e-12 * Math.max(c, 1e-300)));
      expect(Math.abs(direct.reduce((s: number, x: number) => s + x, 0) - out.w2Squared)).toBeLessThanOrEqual(1e-12 * out.w2Squared);
      expect(out.counts).toEqual([1, 1, 1, 2, 1, 1, 1]); // 0.1 twice: one mode of multiplicity 2
    }
  });

  it('prints the top modes by contribution and a total in text, and writes the table with --contributions-out', async () => {
    const out = join(dir, 'contrib.npy');
    const r = run('error', '--spectrum', file, '--sampler', 'euler', '--steps', '6', '--contributions', '--contributions-out', out);
    expect(r.code, r.stderr).toBe(0);
    const api = await samplerError(values, { sampler: 'euler', steps: 6 });
    const lines = r.stdout.split('\n');
    const header = lines.findIndex((l) => l.trim().startsWith('eigenvalue'));
    const rows = lines.slice(header + 1, header + 2 + api.values.length).map((l) => l.trim().split(/\s+/));
    // Rows sorted by contribution, largest first; the total line carries the dimension and W2^2.
    const shown = rows.slice(0, -1).map((c) => Number(c[3]));
    expect(shown).toEqual([...shown].sort((a, b) => b - a));
    expect(Number(shown[0])).toBeCloseTo(Math.max(...api.contributions), 4);
    const total = rows.at(-1)!;
    expect(total[0]).toBe('total');
    expect(Number(total[1])).toBe(values.length);
    expect(Number(total[2])).toBeCloseTo(api.w2Squared, 5);
    const written = await readNpy(out);
    expect(written.length).toBe(5 * api.values.length);
    for (let i = 0; i < api.values.length; i++) {
      expect([...written.subarray(5 * i, 5 * i + 5)]).toEqual([api.values[i], api.modelValues[i], api.counts[i], api.variances[i], api.contributions[i]]);
    }
  });
});

describe('--model-spectrum', () => {
  it('gives error the API\'s modelSpectrum result (k-diffusion and diffusers), and the exact one with the spectrum itself', async () => {
    for (const sampler of ['dpmpp_2m', 'dpmsolver++']) {
      const r = run('error', '--spectrum', file, '--sampler', sampler, '--steps', '8', '--model-spectrum', modelFile, '--json');
      expect(r.code, r.stderr).toBe(0);
      const api = await samplerError(values, { sampler, steps: 8, modelSpectrum: model });
      expect(JSON.parse(r.stdout).w2Squared).toBe(api.w2Squared);
      expect(api.w2Squared).not.toBe((await samplerError(values, { sampler, steps: 8 })).w2Squared);
      const same = run('error', '--spectrum', file, '--sampler', sampler, '--steps', '8', '--model-spectrum', file, '--json');
      expect(JSON.parse(same.stdout).w2Squared).toBe((await samplerError(values, { sampler, steps: 8 })).w2Squared);
    }
  });

  it('refuses a model spectrum of another length, typed, exit 2', () => {
    expectRefused(['error', '--spectrum', file, '--sampler', 'euler', '--model-spectrum', shortFile], /\[INVALID_SHAPE\] modelSpectrum: has length 7, expected 8/);
  });
});

describe('gaussdiff curve --sampler', () => {
  it('prints samplerError\'s curve (square-rooted) with the level after each step, for a k-diffusion sampler', async () => {
    const r = run('curve', '--spectrum', file, '--sampler', 'heun', '--steps', '6', '--s-churn', '1', '--start', 'exact', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['sampler', 'nfe', 'steps', 'sigmas', 'w2']);
    const api = await samplerError(values, { sampler: 'heun', steps: 6, sChurn: 1, start: 'exact' });
    expect(out.nfe).toBe(api.nfe);
    expect(out.steps).toEqual([1, 2, 3, 4, 5, 6]);
    expect(out.w2).toEqual([...api.curve].map(Math.sqrt));
    expect(out.w2.at(-1)).toBe(api.w2); // the last point is the output against N(0, S)
    // The levels are k-diffusion's Karras sigmas after each step, computed here independently (EDM eq. (5)).
    const karras = Array.from({ length: 6 }, (_, i) => (80 ** (1 / 7) + (i / 5) * (0.002 ** (1 / 7) - 80 ** (1 / 7))) ** 7);
    out.sigmas.slice(0, 5).forEach((s: number, i: number) => expect(Math.abs(s - karras[i + 1])).toBeLessThanOrEqual(1e-12 * karras[i + 1]));
    expect(out.sigmas[5]).toBe(0);
  });

  it('prints diffusers\' timesteps for a diffusers sampler, and --every keeps every k-th step and the last', async () => {
    const r = run('curve', '--spectrum', file, '--sampler', 'ddim', '--steps', '10', '--every', '4', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    const api = await samplerError(values, { sampler: 'ddim', steps: 10 });
    expect(out.steps).toEqual([4, 8, 10]);
    expect(out.w2).toEqual([3, 7, 9].map((k) => Math.sqrt(api.curve[k])));
    // diffusers' leading spacing, 1000 training steps, 10 steps: t = 900, 800, ..., 0 (step k at t = 900 - 100 (k - 1)).
    expect(out.timesteps).toEqual([600, 200, 0]);
    const text = run('curve', '--spectrum', file, '--sampler', 'ddim', '--steps', '10', '--every', '4');
    expect(text.code, text.stderr).toBe(0);
    const rows = text.stdout.trim().split('\n').slice(1, 4).map((l) => l.trim().split(/\s+/).map(Number));
    expect(rows.map((c) => c[0])).toEqual([4, 8, 10]);
    rows.forEach((c, i) => expect(c[2]).toBe(Number(out.w2[i].toPrecision(5))));
  });

  it('equals samplerCurve with a model spectrum', async () => {
    const r = run('curve', '--spectrum', file, '--sampler', 'dpmpp_2m', '--steps', '7', '--model-spectrum', modelFile, '--json');
    expect(r.code, r.stderr).toBe(0);
    const api = await samplerCurve(values, { sampler: 'dpmpp_2m', steps: 7, modelSpectrum: model });
    expect(JSON.parse(r.stdout).w2).toEqual([...api.w2]);
  });

  it('refuses P&G-only options with --sampler and sampler options without it, and a schedule of the other frame', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--sampler', 'euler', '--eps', '0.01'], /\[INVALID_OPTION\] --eps: given with --sampler/],
      [['--sampler', 'euler', '--schemes', 'em'], /\[INVALID_OPTION\] --schemes: given with --sampler/],
      [['--sampler', 'euler', '--horizon', '2'], /\[INVALID_OPTION\] --horizon: given with --sampler/],
      [['--sigma-max', '10'], /\[INVALID_OPTION\] --sigma-max: given without --sampler/],
      [['--start', 'exact'], /\[INVALID_OPTION\] --start: given without --sampler/],
      [['--sampler', 'euler', '--schedule', 'cosine'], /\[INVALID_OPTION\] --schedule: cosine is a schedule of the schemes' VP frame/],
      [['--schedule', 'karras'], /\[INVALID_OPTION\] --schedule: karras is a k-diffusion noise-level schedule/],
      [['--sampler', 'ddim', '--sigma-min', '0.1'], /\[UNKNOWN_OPTION\] opts\.sigmaMin/],
    ];
    for (const [args, message] of cases) expectRefused(['curve', '--spectrum', file, ...args], message);
  });
});

describe('gaussdiff table --samplers', () => {
  it('prints samplerError\'s W2 and NFE per sampler x start x steps, both frames, and text in the layout of Table 2', async () => {
    const r = run('table', '--spectrum', file, '--samplers', 'euler,dpmpp_2m,ddim', '--steps', '5,12', '--starts', 'prior,exact', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.rows).toHaveLength(12);
    for (const row of out.rows) {
      expect(Object.keys(row)).toEqual(['sampler', 'start', 'steps', 'nfe', 'w2']);
      const api = await samplerError(values, { sampler: row.sampler, steps: row.steps, start: row.start });
      expect(row).toEqual({ sampler: row.sampler, start: row.start, steps: row.steps, nfe: api.nfe, w2: api.w2 });
    }
    expect(out.rows.map((x: { sampler: string; start: string; steps: number }) => `${x.sampler} ${x.start} ${x.steps}`).slice(0, 4))
      .toEqual(['euler prior 5', 'euler prior 12', 'euler exact 5', 'euler exact 12']);
    const text = run('table', '--spectrum', file, '--samplers', 'euler,dpmpp_2m,ddim', '--steps', '5,12', '--starts', 'prior,exact', '--digits', '6');
    expect(text.code, text.stderr).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines[0].split(/\s{2,}/)).toEqual(['sampler', 'start', '5 steps', '12 steps']);
    expect(lines[1]).toMatch(/^-+( {2}-+){3}$/);
    const cells = lines.slice(2).map((l) => l.trim().split(/\s+/));
    expect(cells.map((c) => `${c[0]} ${c[1]}`)).toEqual(['euler prior', 'euler exact', 'dpmpp_2m prior', 'dpmpp_2m exact', 'ddim prior', 'ddim exact']);
    cells.forEach((c, i) => [2, 3].forEach((j) => {
      const row = out.rows[2 * i + (j - 2)];
      expect(Number(c[j])).toBe(Number(row.w2.toPrecision(6)));
    }));
  });

  it('passes levels, churn, diffusers options and the model spectrum to the samplers of their frame (samplerTable)', async () => {
    const r = run('table', '--spectrum', file, '--samplers', 'heun,dpmsolver++', '--steps', '8', '--schedule', 'exponential', '--sigma-max', '40',
      '--timestep-spacing', 'trailing', '--model-spectrum', modelFile, '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    const heun = await samplerError(values, { sampler: 'heun', steps: 8, schedule: 'exponential', sigmaMax: 40, modelSpectrum: model });
    const dpm = await samplerError(values, { sampler: 'dpmsolver++', steps: 8, timestepSpacing: 'trailing', modelSpectrum: model });
    expect(out.rows.map((x: { w2: number }) => x.w2)).toEqual([heun.w2, dpm.w2]);
    const api = await samplerTable(values, { samplers: ['heun', 'dpmsolver++'], steps: [8], schedule: 'exponential', sigmaMax: 40, timestepSpacing: 'trailing', modelSpectrum: model });
    expect(out.rows).toEqual(api.rows);
  });

  it('refuses --samplers with --schemes and other P&G options, sampler options without --samplers, and options no listed sampler takes', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--samplers', 'euler', '--schemes', 'em'], /\[INVALID_OPTION\] --schemes: given with --samplers/],
      [['--samplers', 'euler', '--eps', '0.01'], /\[INVALID_OPTION\] --eps: given with --samplers/],
      [['--starts', 'exact'], /\[INVALID_OPTION\] --starts: given without --samplers/],
      [['--model-spectrum', modelFile], /\[INVALID_OPTION\] --model-spectrum: given without --samplers/],
      [['--samplers', 'euler', '--schedule', 'cosine'], /\[INVALID_OPTION\] --schedule/],
      [['--samplers', 'euler,ddim', '--starts', 'prior,exakt'], /\[INVALID_OPTION\] --starts: got "exakt" \(did you mean exact\?\)/],
      [['--samplers', 'euler', '--order', '3'], /\[INVALID_OPTION\] order: no sampler of euler takes it/],
      [['--samplers', 'euler', '--steps', '2.5'], /\[INVALID_STEPS\] steps\[0\]/],
      [['--samplers', 'ddim', '--steps', '5000'], /\[INVALID_STEPS\] steps/],
      [['--samplers', 'euler,heun', '--model-spectrum', shortFile], /\[INVALID_SHAPE\] modelSpectrum/],
    ];
    for (const [args, message] of cases) expectRefused(['table', '--spectrum', file, ...args], message);
  });
});

describe('--schedule and --backend', () => {
  it('runs table and curve of the schemes on the cosine schedule, equal to the API', async () => {
    const t = run('table', '--spectrum', file, '--schemes', 'em,heun', '--steps', '20', '--eps', '1e-3', '--schedule', 'cosine', '--json');
    expect(t.code, t.stderr).toBe(0);
    const api = await table(values, { schemes: ['em', 'heun'], steps: [20], eps: [1e-3], schedule: 'cosine' });
    expect(JSON.parse(t.stdout)).toEqual(JSON.parse(JSON.stringify(api)));
    expect(api.rows).not.toEqual((await table(values, { schemes: ['em', 'heun'], steps: [20], eps: [1e-3] })).rows);
    const c = run('curve', '--spectrum', file, '--schemes', 'euler', '--steps', '15', '--schedule', 'cosine', '--json');
    expect(c.code, c.stderr).toBe(0);
    const capi = await curve(values, { schemes: ['euler'], steps: 15, eps: 0, schedule: 'cosine' });
    expect(JSON.parse(c.stdout).series[0].w2).toEqual([...capi.series[0].w2]);
    expect(JSON.parse(c.stdout).times).toEqual([...capi.times]);
    // The linear schedule's keys are refused on the cosine one (the API's typed error).
    expectRefused(['table', '--spectrum', file, '--schedule', 'cosine', '--beta-max', '20'], /\[UNKNOWN_OPTION\]/);
  });

  it('runs validate --scheme on the cosine schedule and validate --sampler on other noise levels and the reference back end', async () => {
    const v = run('validate', '--spectrum', file, '--scheme', 'heun', '--steps', '30', '--eps', '0.01', '--schedule', 'cosine', '--particles', '300', '--json');
    expect(v.code, v.stderr).toBe(0);
    const api = await validate(values, { scheme: 'heun', steps: 30, eps: 0.01, init: 'pT', schedule: 'cosine', particles: 300, seed: 0 });
    expect(JSON.parse(v.stdout).closedForm).toBe(api.closedForm);
    expect(JSON.parse(v.stdout).monteCarlo.w2).toBe(api.monteCarlo.w2);
    const s = run('validate', '--spectrum', file, '--sampler', 'euler', '--steps', '9', '--schedule', 'vp', '--beta-d', '15', '--backend', 'reference', '--particles', '300', '--json');
    expect(s.code, s.stderr).toBe(0);
    const sapi = await validateSampler(values, { sampler: 'euler', steps: 9, schedule: 'vp', betaD: 15, backend: 'reference', particles: 300, seed: 0 });
    expect(JSON.parse(s.stdout).closedForm).toBe(sapi.closedForm);
    expect(sapi.closedForm).toBe((await samplerError(values, { sampler: 'euler', steps: 9, schedule: 'vp', betaD: 15 })).w2);
    expect(sapi.closedForm).not.toBe((await samplerError(values, { sampler: 'euler', steps: 9 })).w2);
    expectRefused(['validate', '--spectrum', file, '--sampler', 'ddim', '--schedule', 'karras'], /\[INVALID_OPTION\] --schedule: given with the diffusers sampler ddim/);
    expectRefused(['validate', '--spectrum', file, '--scheme', 'em', '--schedule', 'exponential'], /\[INVALID_OPTION\] --schedule: exponential is a k-diffusion/);
  });
});
