/**
 * `gaussdiff error` (issue 9's command-line contract): the exact W2 of a k-diffusion sampler, as JSON
 * {"sampler", "w2", "w2Squared", "nfe"}, equal to the API's samplerError({ sampler, ... }) on the same input;
 * k-diffusion's defaults (karras, sigma_min 0.002, sigma_max 80, rho 7, prior start); typed errors.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { samplerError, edmSamplerError, karrasSigmas } from '../../src/node.js';
import { ROOT } from '../helpers/shared.js';
import { runCli } from '../helpers/cli.js';
import { npyBytes } from '../helpers/npy.js';

const run = (...args: string[]) => runCli(args);
const dir = mkdtempSync(join(tmpdir(), 'gaussdiff-error-'));
const values = [0, 0.001, 0.01, 0.1, 0.1, 1, 3, 10];
const file = join(dir, 'spec.npy');
writeFileSync(file, npyBytes(values, { descr: '<f8' }));

describe('gaussdiff error', () => {
  it('prints the JSON contract, equal to samplerError({ sampler }) with k-diffusion defaults', async () => {
    for (const sampler of ['euler', 'heun', 'dpmpp_2m']) {
      const r = run('error', '--spectrum', file, '--sampler', sampler, '--json');
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(Object.keys(out)).toEqual(['sampler', 'w2', 'w2Squared', 'nfe']);
      const api = await samplerError(values, { sampler, steps: 20 });
      expect(out).toEqual({ sampler, w2: api.w2, w2Squared: api.w2Squared, nfe: api.nfe });
      // The defaults are k-diffusion's: Karras levels from 80 to 0.002 with rho = 7, prior start.
      const explicit = await edmSamplerError(values, { sampler, sigmas: karrasSigmas(20, 0.002, 80, 7), start: 'prior' });
      expect(out.w2Squared).toBe(explicit.w2Squared);
    }
  });

  it('passes schedule, start, churn and backend through', async () => {
    const r = run('error', '--spectrum', file, '--sampler', 'heun', '--steps', '7', '--schedule', 'exponential',
      '--sigma-min', '0.01', '--sigma-max', '50', '--start', 'exact', '--s-churn', '2', '--backend', 'reference', '--json');
    expect(r.code, r.stderr).toBe(0);
    const api = await samplerError(values, {
      sampler: 'heun', steps: 7, schedule: 'exponential', sigmaMin: 0.01, sigmaMax: 50, start: 'exact', sChurn: 2, backend: 'reference',
    });
    expect(JSON.parse(r.stdout).w2Squared).toBe(api.w2Squared);
    expect(JSON.parse(r.stdout).nfe).toBe(13);
  });

  it('runs diffusers samplers by name (ddim, dpmsolver++) with their options, equal to samplerError', async () => {
    const r = run('error', '--spectrum', file, '--sampler', 'dpmsolver++', '--steps', '12', '--order', '3', '--timestep-spacing', 'trailing', '--beta-schedule', 'squaredcos_cap_v2', '--json');
    expect(r.code, r.stderr).toBe(0);
    const api = await samplerError(values, { sampler: 'dpmsolver++', steps: 12, order: 3, timestepSpacing: 'trailing', betaSchedule: 'squaredcos_cap_v2' });
    expect(JSON.parse(r.stdout)).toEqual({ sampler: 'dpmsolver++', w2: api.w2, w2Squared: api.w2Squared, nfe: 12 });
    const ddim = run('error', '--spectrum', file, '--sampler', 'ddim', '--steps', '25', '--eta', '0.5', '--json');
    expect(JSON.parse(ddim.stdout).w2Squared).toBe((await samplerError(values, { sampler: 'ddim', steps: 25, eta: 0.5 })).w2Squared);
    // A k-diffusion option with a diffusers sampler is refused, typed.
    const bad = run('error', '--spectrum', file, '--sampler', 'ddim', '--sigma-min', '0.1');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/\[UNKNOWN_OPTION\] opts\.sigmaMin/);
  });

  it('refuses bad input with one typed line and exit 2', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--sampler', 'dpmpp_2n'], /\[INVALID_OPTION\] --sampler: .*did you mean dpmpp_2m\?/],
      [[], /\[MISSING_OPTION\] --sampler/],
      [['--sampler', 'euler', '--steps', '0'], /\[INVALID_OPTION\] --steps/],
      [['--sampler', 'euler', '--schedule', 'cosine'], /\[INVALID_OPTION\] --schedule/],
      [['--sampler', 'dpmpp_2m', '--s-churn', '1'], /\[INVALID_OPTION\] sChurn/],
    ];
    for (const [args, message] of cases) {
      const r = run('error', '--spectrum', file, ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n').filter((l) => l.startsWith('gaussdiff: error'))).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  });
});
