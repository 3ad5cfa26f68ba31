/**
 * `gaussdiff validate --sampler NAME`: the Monte-Carlo check of a k-diffusion sampler (validateSampler) from
 * the command line, with the scheme path's JSON contract; --scheme and P&G-only options refused with it.
 * Needs `npm run build` (runs bin/gaussdiff.js).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validate, validateDiscreteSampler, validateSampler } from '../../src/node.js';
import { ROOT } from '../helpers/shared.js';
import { runCli } from '../helpers/cli.js';
import { npyBytes } from '../helpers/npy.js';

const run = (...args: string[]) => runCli(args);
const dir = mkdtempSync(join(tmpdir(), 'gaussdiff-validate-sampler-'));
const values = [0, 0.001, 0.01, 0.1, 0.1, 1, 3, 10];
const file = join(dir, 'spec.npy');
writeFileSync(file, npyBytes(values, { descr: '<f8' }));

/** The scheme path's JSON contract, built from the API's result. */
const contract = (r: Awaited<ReturnType<typeof validateSampler | typeof validateDiscreteSampler | typeof validate>>) => ({
  closedForm: r.closedForm, monteCarlo: { w2: r.monteCarlo.w2, stderr: r.monteCarlo.stderr, bias: r.monteCarlo.bias },
  maxAbsZ: r.maxAbsZ, zBound: r.zBound, level: r.level, consistent: r.consistent,
});

describe('gaussdiff validate --sampler', () => {
  it('prints the JSON contract equal to validateSampler (euler: 20 Karras levels by default, prior start)', async () => {
    const r = run('validate', '--spectrum', file, '--sampler', 'euler', '--particles', '500', '--seed', '3', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['closedForm', 'monteCarlo', 'maxAbsZ', 'zBound', 'level', 'consistent']);
    expect(Object.keys(out.monteCarlo)).toEqual(['w2', 'stderr', 'bias']);
    expect(out).toEqual(contract(await validateSampler(values, { sampler: 'euler', steps: 20, particles: 500, seed: 3 })));
  });

  it('passes --steps, --sigma-min, --sigma-max, --rho, --start through (euler_ancestral)', async () => {
    const r = run('validate', '--spectrum', file, '--sampler', 'euler_ancestral', '--steps', '9', '--sigma-min', '0.01', '--sigma-max', '20',
      '--rho', '5', '--start', 'exact', '--particles', '400', '--seed', '11', '--json');
    expect(r.code, r.stderr).toBe(0);
    const api = await validateSampler(values, {
      sampler: 'euler_ancestral', steps: 9, sigmaMin: 0.01, sigmaMax: 20, rho: 5, start: 'exact', particles: 400, seed: 11,
    });
    expect(JSON.parse(r.stdout)).toEqual(contract(api));
    // Not the defaults: the options reached the API.
    expect(api.closedForm).not.toBe((await validateSampler(values, { sampler: 'euler_ancestral', steps: 20, particles: 400, seed: 11 })).closedForm);
  });

  it('prints the text report with the verdict', async () => {
    const r = run('validate', '--spectrum', file, '--sampler', 'heun', '--steps', '6', '--particles', '300');
    expect(r.code, r.stderr).toBe(0);
    const api = await validateSampler(values, { sampler: 'heun', steps: 6, particles: 300 });
    expect(r.stdout).toContain(`closed form W2   ${api.closedForm}\n`);
    expect(r.stdout).toMatch(new RegExp(`verdict +${api.consistent ? 'consistent' : 'NOT consistent'}:`));
  });

  it('refuses --scheme with --sampler, P&G-only options with --sampler and sampler options without it: exit 2, one line', () => {
    const cases: [string[], string][] = [
      [['--sampler', 'euler', '--scheme', 'em'], '--scheme'],
      [['--sampler', 'euler', '--eps', '0.01'], '--eps'],
      [['--sampler', 'euler', '--init', 'normal'], '--init'],
      [['--sampler', 'euler', '--beta-min', '0.1'], 'betaMin'], // vp levels' beta_min, refused with karras
      [['--sampler', 'euler', '--beta-max', '20'], '--beta-max'],
      [['--sampler', 'euler', '--horizon', '2'], '--horizon'],
      [['--scheme', 'ei', '--sigma-max', '10'], '--sigma-max'],
      [['--start', 'exact'], '--start'],
      [['--sampler', 'eulr'], '--sampler'],
    ];
    for (const [args, culprit] of cases) {
      const r = run('validate', '--spectrum', file, ...args, '--json');
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`^gaussdiff: error \\[INVALID_OPTION\\] ${culprit}:`));
    }
  });

  it('runs a diffusers name by validateDiscreteSampler: ddim with --eta 0.5, equal JSON; the option reached the API', async () => {
    const r = run('validate', '--spectrum', file, '--sampler', 'ddim', '--steps', '15', '--eta', '0.5', '--particles', '400', '--seed', '5', '--json');
    expect(r.code, r.stderr).toBe(0);
    const api = await validateDiscreteSampler(values, { sampler: 'ddim', steps: 15, eta: 0.5, particles: 400, seed: 5 });
    expect(JSON.parse(r.stdout)).toEqual(contract(api));
    expect(api.closedForm).not.toBe((await validateDiscreteSampler(values, { sampler: 'ddim', steps: 15, particles: 400, seed: 5 })).closedForm);
  });

  it('passes the diffusers schedule options through (dpmsolver++ order 3, trailing, squaredcos_cap_v2, exact start; default 20 steps)', async () => {
    const r = run('validate', '--spectrum', file, '--sampler', 'dpmsolver++', '--order', '3', '--timestep-spacing', 'trailing',
      '--beta-schedule', 'squaredcos_cap_v2', '--train-steps', '500', '--start', 'exact', '--particles', '300', '--seed', '2', '--json');
    expect(r.code, r.stderr).toBe(0);
    const api = await validateDiscreteSampler(values, {
      sampler: 'dpmsolver++', steps: 20, order: 3, timestepSpacing: 'trailing', betaSchedule: 'squaredcos_cap_v2', trainSteps: 500,
      start: 'exact', particles: 300, seed: 2,
    });
    expect(JSON.parse(r.stdout)).toEqual(contract(api));
    expect(api.closedForm).not.toBe((await validateDiscreteSampler(values, { sampler: 'dpmsolver++', steps: 20, particles: 300, seed: 2 })).closedForm);
    const linear = run('validate', '--spectrum', file, '--sampler', 'ddpm', '--steps', '10', '--beta-start', '0.0002', '--beta-end', '0.03',
      '--steps-offset', '1', '--particles', '200', '--json');
    expect(linear.code, linear.stderr).toBe(0);
    expect(JSON.parse(linear.stdout)).toEqual(contract(await validateDiscreteSampler(values, {
      sampler: 'ddpm', steps: 10, betaStart: 0.0002, betaEnd: 0.03, stepsOffset: 1, particles: 200, seed: 0,
    })));
  });

  it('refuses Karras options with a diffusers name and diffusers options with a k-diffusion name or without --sampler: exit 2, one line', () => {
    const cases: [string[], string][] = [
      [['--sampler', 'ddim', '--sigma-min', '0.01'], '--sigma-min'],
      [['--sampler', 'dpmsolver++', '--sigma-max', '10'], '--sigma-max'],
      [['--sampler', 'unipc', '--rho', '5'], '--rho'],
      [['--sampler', 'euler', '--beta-schedule', 'linear'], '--beta-schedule'],
      [['--sampler', 'heun', '--beta-start', '0.001'], '--beta-start'],
      [['--sampler', 'euler', '--beta-end', '0.01'], '--beta-end'],
      [['--sampler', 'dpmpp_2m', '--train-steps', '100'], '--train-steps'],
      [['--sampler', 'euler', '--timestep-spacing', 'trailing'], '--timestep-spacing'],
      [['--sampler', 'euler', '--steps-offset', '1'], '--steps-offset'],
      [['--sampler', 'dpmpp_2m', '--order', '3'], '--order'],
      [['--order', '2'], '--order'],
      [['--eta', '0.5'], '--eta'],
      [['--sampler', 'ddim', '--scheme', 'em'], '--scheme'],
      [['--sampler', 'ddim', '--order', '4'], '--order'],
    ];
    for (const [args, culprit] of cases) {
      const r = run('validate', '--spectrum', file, ...args, '--json');
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`^gaussdiff: error \\[INVALID_OPTION\\] ${culprit}:`));
    }
    // An option the sampler does not take is the API's typed error (eta with ddpm), still one line and exit 2.
    const r = run('validate', '--spectrum', file, '--sampler', 'ddpm', '--eta', '0.5', '--json');
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^gaussdiff: error \[INVALID_OPTION\] eta:/);
  });

  it('the scheme path keeps its options and defaults (no --sampler: --steps 100 grid points)', async () => {
    const r = run('validate', '--spectrum', file, '--scheme', 'ei', '--eps', '0.01', '--beta-min', '0.1', '--particles', '200', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(contract(await validate(values, { scheme: 'ei', steps: 100, eps: 0.01, init: 'pT', betaMin: 0.1, betaMax: 10, horizon: 1, particles: 200, seed: 0 })));
  });
});
