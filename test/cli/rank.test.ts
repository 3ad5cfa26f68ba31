/**
 * `gaussdiff rank` (issue 9's command-line contract): samplers at equal NFE, as JSON {"rows", "best"} equal to
 * the API's rankSamplers on the same input; the text table; typed one-line errors with exit 2.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../src/node.js'; // the entry point: sets the Wasm source
import { rankSamplers } from '../../src/diffusion/rank.js';
import { ROOT } from '../helpers/shared.js';
import { runCli } from '../helpers/cli.js';
import { npyBytes } from '../helpers/npy.js';

const run = (...args: string[]) => runCli(args);
const dir = mkdtempSync(join(tmpdir(), 'gaussdiff-rank-'));
const values = [0, 0.001, 0.01, 0.1, 0.1, 1, 3, 10];
const file = join(dir, 'spec.npy');
writeFileSync(file, npyBytes(values, { descr: '<f8' }));

describe('gaussdiff rank', () => {
  it('prints the JSON contract, equal to rankSamplers with k-diffusion defaults', async () => {
    const r = run('rank', '--spectrum', file, '--samplers', 'euler,heun,dpmpp_2m,dpmpp_sde', '--nfe', '10,20,50', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['rows', 'best']);
    expect(Object.keys(out.rows[0])).toEqual(['sampler', 'nfe', 'steps', 'w2']);
    expect(Object.keys(out.best[0])).toEqual(['nfe', 'sampler', 'steps', 'w2']);
    const api = await rankSamplers(values, { samplers: ['euler', 'heun', 'dpmpp_2m', 'dpmpp_sde'], nfe: [10, 20, 50] });
    expect(out).toEqual(api);
    // The defaults are k-diffusion's, spelt out.
    const explicit = await rankSamplers(values, {
      samplers: ['euler', 'heun', 'dpmpp_2m', 'dpmpp_sde'], nfe: [10, 20, 50], schedule: 'karras', sigmaMin: 0.002, sigmaMax: 80, rho: 7, start: 'prior',
    });
    expect(out).toEqual(explicit);
  });

  it('passes schedule, levels, start and backend through', async () => {
    const r = run('rank', '--spectrum', file, '--samplers', 'lms,dpm_2', '--nfe', '7,30', '--schedule', 'exponential',
      '--sigma-min', '0.01', '--sigma-max', '50', '--start', 'exact', '--backend', 'reference', '--json');
    expect(r.code, r.stderr).toBe(0);
    const api = await rankSamplers(values, {
      samplers: ['lms', 'dpm_2'], nfe: [7, 30], schedule: 'exponential', sigmaMin: 0.01, sigmaMax: 50, start: 'exact', backend: 'reference',
    });
    expect(JSON.parse(r.stdout)).toEqual(api);
  });

  it('text: a table samplers x NFE, W2 with steps, the best of each column marked', async () => {
    const r = run('rank', '--spectrum', file, '--samplers', 'euler,heun,dpmpp_2m', '--nfe', '10,50');
    expect(r.code, r.stderr).toBe(0);
    console.log(r.stdout);
    const api = await rankSamplers(values, { samplers: ['euler', 'heun', 'dpmpp_2m'], nfe: [10, 50] });
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^sampler\s+NFE 10\s+NFE 50$/);
    for (const [i, sampler] of ['euler', 'heun', 'dpmpp_2m'].entries()) {
      const cells = lines[i + 1].trim().split(/\s{2,}/);
      expect(cells[0]).toBe(sampler);
      for (const [j, nfe] of [10, 50].entries()) {
        const row = api.rows.find((x) => x.sampler === sampler && x.nfe === nfe)!;
        const m = /^(\S+) \((\d+)\)(\*?)$/.exec(cells[j + 1])!;
        expect(m, cells[j + 1]).not.toBeNull();
        expect(Number(m[1])).toBeCloseTo(row.w2!, Math.max(0, 3 - Math.floor(Math.log10(row.w2!))));
        expect(Number(m[2])).toBe(row.steps);
        expect(m[3] === '*').toBe(api.best.find((b) => b.nfe === nfe)!.sampler === sampler);
      }
    }
  });

  it('--settings: JSON rows gain "options" and "tried", equal to rankSamplers with settings; without it, no "options"', async () => {
    const samplers = ['euler', 'dpmpp_2m', 'euler_ancestral', 'dpmpp_2m_sde'];
    const r = run('rank', '--spectrum', file, '--samplers', samplers.join(','), '--nfe', '6,20', '--settings', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out.rows[0])).toEqual(['sampler', 'nfe', 'steps', 'w2', 'options', 'tried']);
    expect(Object.keys(out.best[0])).toEqual(['nfe', 'sampler', 'steps', 'w2', 'options']);
    expect(out).toEqual(await rankSamplers(values, { samplers, nfe: [6, 20], settings: true }));
    const plain = JSON.parse(run('rank', '--spectrum', file, '--samplers', samplers.join(','), '--nfe', '6,20', '--json').stdout);
    for (const row of plain.rows) expect(Object.keys(row)).toEqual(['sampler', 'nfe', 'steps', 'w2']);
    const text = run('rank', '--spectrum', file, '--samplers', 'euler_ancestral', '--nfe', '20', '--settings');
    expect(text.code, text.stderr).toBe(0);
    const row = out.rows.find((x: { sampler: string; nfe: number }) => x.sampler === 'euler_ancestral' && x.nfe === 20);
    for (const [k, v] of Object.entries(row.options)) expect(text.stdout).toContain(`${k}=${v}`);
  });

  it('diffusers samplers beside k-diffusion ones: JSON rows equal rankSamplers with the discrete options passed through', async () => {
    const r = run('rank', '--spectrum', file, '--samplers', 'dpmpp_2m,dpmsolver++,unipc,ddim', '--nfe', '5,20', '--beta-schedule', 'scaled_linear',
      '--timestep-spacing', 'trailing', '--train-steps', '500', '--sigma-min', '0.01', '--start', 'exact', '--json');
    expect(r.code, r.stderr).toBe(0);
    const api = await rankSamplers(values, {
      samplers: ['dpmpp_2m', 'dpmsolver++', 'unipc', 'ddim'], nfe: [5, 20], betaSchedule: 'scaled_linear', timestepSpacing: 'trailing',
      trainSteps: 500, sigmaMin: 0.01, start: 'exact',
    });
    expect(JSON.parse(r.stdout)).toEqual(api);
    const settings = run('rank', '--spectrum', file, '--samplers', 'ddim,unipc', '--nfe', '12', '--settings', '--json');
    expect(settings.code, settings.stderr).toBe(0);
    expect(JSON.parse(settings.stdout)).toEqual(await rankSamplers(values, { samplers: ['ddim', 'unipc'], nfe: [12], settings: true }));
  });

  it('refuses bad input with one typed line and exit 2', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--samplers', 'euler,dpmpp_2n'], /\[INVALID_OPTION\] --samplers: got "dpmpp_2n" \(did you mean dpmpp_2m\?\)/],
      [['--samplers', ','], /\[INVALID_OPTION\] --samplers: got an empty list/],
      [['--nfe', '10'], /\[MISSING_OPTION\] --samplers/],
      [['--samplers', 'euler', '--nfe', '10,0'], /\[INVALID_OPTION\] --nfe: got 0/],
      [['--samplers', 'euler', '--nfe', '2.5'], /\[INVALID_OPTION\] --nfe: got 2.5/],
      [['--samplers', 'euler', '--nfe', ''], /\[INVALID_OPTION\] --nfe: got an empty list/],
      [['--samplers', 'euler', '--schedule', 'cosine'], /\[INVALID_OPTION\] --schedule/],
      [['--samplers', 'euler', '--sigma-min', '-1'], /\[INVALID_SCHEDULE\] sigmaMin/],
      [['--samplers', 'euler', '--s-churn', '1'], /\[UNKNOWN_OPTION\] --s-churn/],
      [['--samplers', 'ddim,unipc', '--sigma-min', '0.01'], /\[INVALID_OPTION\] sigmaMin: given without a k-diffusion sampler/],
      [['--samplers', 'euler', '--beta-schedule', 'linear'], /\[INVALID_OPTION\] betaSchedule: given without a diffusers sampler/],
      [['--samplers', 'ddim', '--order', '2'], /\[UNKNOWN_OPTION\] --order/],
      [['--samplers', 'ddim', '--timestep-spacing', 'uniform'], /\[INVALID_OPTION\] --timestep-spacing/],
    ];
    for (const [args, message] of cases) {
      const r = run('rank', '--spectrum', file, ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^gaussdiff: error \[[A-Z_]+\] [^\n]+\n$/);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    }
  });
});
