/**
 * `gaussdiff pipeline` and `gaussdiff tradeoff`: the JSON equals the API's numbers exactly (pipelineError,
 * scalingCurve, optimizeNoise on the same spectrum), the contract's shape (refined / monteCarlo null where
 * absent, diagnostics only when there are some, no NaN), the text forms, and the command-line contract (bad
 * values, missing and unknown options: one typed line, exit 2, nothing on stdout).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../src/node.js';
import { pipelineError } from '../../src/learning/pipeline.js';
import { optimizeNoise, scalingCurve } from '../../src/learning/tradeoff.js';
import { ROOT } from '../helpers/shared.js';
import { runCli } from '../helpers/cli.js';
import { npyBytes } from '../helpers/npy.js';


const run = (args: string[]) => runCli(args);

const dir = mkdtempSync(join(tmpdir(), 'gaussdiff-pipeline-'));
const L = [2, 1, 0.5, 0.25];
const file = join(dir, 'l4.npy');
writeFileSync(file, npyBytes(L));
const zeroFile = join(dir, 'zero.npy');
writeFileSync(zeroFile, npyBytes([0, 0.5, 1]));
const ONE_LINE = /^gaussdiff: error \[[A-Z_]+\] [^\n]+\n$/;

describe('gaussdiff pipeline', () => {
  it('--json equals pipelineError exactly, with the contract keys in order', async () => {
    const r = run(['pipeline', '--spectrum', file, '--samples', '400', '--sigma', '0.2', '--tau', '1e-4', '--batch', '2',
      '--sampler', 'ula', '--gamma', '0.02', '--denoise', '--mean', 'estimated', '--draws', '50', '--seed', '3', '--json']);
    expect(r.code).toBe(0);
    const api = await pipelineError(L, { samples: 400, sigma: 0.2, tau: 1e-4, batch: 2, sampler: 'ula', gamma: 0.02, denoise: true, meanEstimated: true, draws: 50, seed: 3 });
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['w2sq', 'decomposition']);
    expect(Object.keys(out.w2sq)).toEqual(['firstOrder', 'refined', 'monteCarlo']);
    expect(out.w2sq).toEqual(api.w2sq);
    expect(Object.keys(out.decomposition)).toEqual(['generalization', 'optimization', 'discretization', 'noise']);
    expect(out.decomposition).toEqual(api.decomposition);
  });

  it('refined and monteCarlo null where absent, diagnostics only then (k-diffusion sampler, --draws 0)', () => {
    const r = run(['pipeline', '--spectrum', file, '--samples', '400', '--sampler', 'dpmpp_2m', '--steps', '10', '--draws', '0', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.w2sq.refined).toBeNull();
    expect(out.w2sq.monteCarlo).toBeNull();
    expect(out.diagnostics.map((d: { code: string }) => d.code)).toEqual(['no-refined']);
  });

  it('a zero eigenvalue: no NaN printed; the refined prediction is finite', () => {
    for (const json of [true, false]) {
      const r = run(['pipeline', '--spectrum', zeroFile, '--samples', '100', '--sigma', '0.1', '--draws', '0', ...(json ? ['--json'] : [])]);
      expect(r.code).toBe(0);
      expect(r.stdout).not.toMatch(/NaN/);
      if (json) expect(Number.isFinite(JSON.parse(r.stdout).w2sq.refined)).toBe(true);
    }
  });

  it('text: the first order by source, the Monte Carlo +- SE and the 3-SE verdict', async () => {
    const r = run(['pipeline', '--spectrum', file, '--samples', '1600', '--sigma', '0.1414', '--tau', '2.5e-5', '--draws', '200', '--seed', '1']);
    expect(r.code).toBe(0);
    const api = await pipelineError(L, { samples: 1600, sigma: 0.1414, tau: 2.5e-5, draws: 200, seed: 1 });
    const mc = api.w2sq.monteCarlo!;
    for (const source of ['generalization', 'optimization', 'discretization', 'noise', 'total']) expect(r.stdout).toMatch(new RegExp(`^${source} `, 'm'));
    expect(r.stdout).toMatch(/^Monte Carlo .* \+- .* \(200 data sets\)$/m);
    const agree = Math.abs(mc.mean - api.w2sq.firstOrder) <= 3 * mc.stderr;
    expect(r.stdout).toMatch(agree ? /^verdict +Monte Carlo and first order agree within 3 SE/m : /^verdict +Monte Carlo and first order differ by/m);
  });
});

describe('gaussdiff tradeoff', () => {
  it('--over sigma --json: the default grid sigma 2^k, rows equal scalingCurve, the optimum equals optimizeNoise', async () => {
    const r = run(['tradeoff', '--spectrum', file, '--samples', '1600', '--sigma', '0.15', '--tau', '1e-5', '--draws', '20', '--seed', '2', '--over', 'sigma', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const values = [-3, -2, -1, 0, 1, 2, 3].map((k) => 0.15 * 2 ** k);
    const api = await scalingCurve(L, { samples: 1600, tau: 1e-5, seed: 2 }, { over: 'sigma', values, draws: 20 });
    expect(out.over).toBe('sigma');
    expect(out.rows.map((row: { x: number }) => row.x)).toEqual(values);
    out.rows.forEach((row: Record<string, unknown>, i: number) => {
      const a = api.rows[i];
      expect(row).toEqual({ x: a.x, w2sq: { firstOrder: a.firstOrder, refined: a.refined, monteCarlo: a.monteCarlo }, decomposition: a.decomposition, ratio: a.ratio });
    });
    const opt = await optimizeNoise(L, { samples: 1600, tau: 1e-5 });
    expect(out.optimum.value).toBe(opt.value);
    expect(out.optimum.w2sq).toBe(opt.w2sq);
    expect(out.optimum.closedForm).toEqual(opt.closedForm);
  });

  it('--over samples --values, text: one row per value, no optimum', () => {
    const r = run(['tradeoff', '--spectrum', file, '--sigma', '0.1', '--over', 'samples', '--values', '100,400', '--draws', '0']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ *samples +first order/m);
    expect(r.stdout).toMatch(/^ +100 /m);
    expect(r.stdout).toMatch(/^ +400 /m);
    expect(r.stdout).not.toMatch(/optimal/);
  });

  it('--over sigma-min: the diffusion optimum and its closed-form rule', () => {
    const r = run(['tradeoff', '--spectrum', file, '--samples', '1600', '--sampler', 'diffusion', '--sigma-max', '3', '--levels', '200', '--tau', '1e-5',
      '--over', 'sigma-min', '--values', '0.05,0.1', '--draws', '0', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.over).toBe('sigmaMin');
    expect(out.optimum.parameter).toBe('sigmaMin');
    expect(out.optimum.closedForm.rule).toMatch(/h tau Q'/);
  });
});

describe('pipeline and tradeoff: the contract (one typed line, exit 2, nothing on stdout)', () => {
  const cases: [string[], RegExp][] = [
    [['pipeline', '--sigma', '0.1'], /\[MISSING_OPTION\] --samples: is required by pipeline/],
    [['pipeline', '--samples', '10', '--sigma', '0.1', '--drawz', '3'], /\[UNKNOWN_OPTION\] --drawz: .*did you mean --draws\?/],
    [['pipeline', '--samples', '0', '--sigma', '0.1'], /\[INVALID_OPTION\] --samples: got 0/],
    [['pipeline', '--samples', '10', '--sigma', 'x'], /\[INVALID_OPTION\] --sigma: "x" is not a number/],
    [['pipeline', '--samples', '10', '--sigma', '-1'], /\[INVALID_OPTION\] opts\.sigma: got number -1/],
    [['pipeline', '--samples', '10'], /\[MISSING_OPTION\] opts\.sigma: sigma is required/],
    [['pipeline', '--samples', '10', '--sigma', '0.1', '--sgd', 'often'], /\[INVALID_OPTION\] --sgd: got "often"/],
    [['pipeline', '--samples', '10', '--sigma', '0.1', '--sampler', 'langevn'], /\[INVALID_OPTION\] --sampler: got "langevn" \(did you mean langevin\?\)/],
    [['pipeline', '--samples', '10', '--sigma', '0.1', '--mean', 'guessed'], /\[INVALID_OPTION\] --mean: got "guessed"/],
    [['pipeline', '--samples', '10', '--sigma', '0.1', '--fit', 'sgd'], /\[MISSING_OPTION\] tau: fit 'sgd' needs the SGD step/],
    [['pipeline', '--samples', '10', '--sigma', '0.1', '--draws', '1'], /\[INVALID_OPTION\] draws: 1 draw has no standard error/],
    [['pipeline', '--samples', '10', '--sigma', '0.1', '--sampler', 'ula', '--gamma', '5'], /\[INVALID_OPTION\] params\.gamma: ULA diverges/],
    [['pipeline', '--samples', '10', '--sigma', '0.1', 'stray'], /\[UNEXPECTED_ARGUMENT\] "stray"/],
    [['tradeoff', '--samples', '10', '--sigma', '0.1'], /\[MISSING_OPTION\] --over: is required by tradeoff/],
    [['tradeoff', '--samples', '10', '--sigma', '0.1', '--over', 'beta'], /\[INVALID_OPTION\] --over: got "beta"/],
    [['tradeoff', '--samples', '10', '--sigma', '0.1', '--over', 'tau'], /\[MISSING_OPTION\] --values: --over tau needs the values/],
    [['tradeoff', '--samples', '10', '--sigma', '0.1', '--over', 'sigma', '--values', '0.1,0.2'], /\[INVALID_OPTION\] --sigma: given with --values/],
    [['tradeoff', '--sigma', '0.1', '--over', 'tau', '--values', '1e-5'], /\[MISSING_OPTION\] --samples: is required by tradeoff/],
    [['tradeoff', '--samples', '10', '--over', 'sigma', '--values', '0.1,abc'], /\[INVALID_OPTION\] --values: "abc" is not a number/],
    [['tradeoff', '--samples', '10', '--over', 'sigma', '--values', '0.1,-1'], /\[INVALID_OPTION\] curve\.values\[1\]: got number -1/],
    [['tradeoff', '--sigma', '0.1', '--over', 'samples', '--values', '10,2.5'], /\[INVALID_OPTION\] curve\.values\[1\]: got number 2.5/],
  ];
  for (const [args, message] of cases) {
    it(`gaussdiff ${args.join(' ')}`, () => {
      const r = run([...args, '--spectrum', file]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(ONE_LINE);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    });
  }
});
