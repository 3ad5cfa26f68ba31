/**
 * `gaussdiff error`: the exact W2 of one k-diffusion sampler (EDM frame, noise levels sigma) on Gaussian
 * data, by the state-space engine (src/diffusion/statespace/). Prints
 * {"sampler": NAME, "w2": number, "w2Squared": number, "nfe": integer} with --json.
 */
import { type Command, Option } from 'commander';
import { EDM_SAMPLER_NAMES, edmSamplerError, type EdmSamplerErrorOptions } from '../node.js';
import { choice, integer, loadSpectrum, number, spectrumOption } from './options.js';
import { jsonNumber, write } from './output.js';

const SCHEDULES = ['karras', 'exponential', 'polyexponential', 'vp'] as const;

export function errorCommand(prog: Command): void {
  const cmd = prog.command('error')
    .description('Exact W2 of a k-diffusion sampler (euler, heun, dpmpp_2m, ...) on N(0, S): noise levels as in k-diffusion, exact denoiser');
  spectrumOption(cmd)
    .addOption(new Option('--sampler <name>', `k-diffusion sampler: ${EDM_SAMPLER_NAMES.join(', ')}`).argParser(choice('--sampler', EDM_SAMPLER_NAMES)).makeOptionMandatory())
    .addOption(new Option('--schedule <name>', 'noise levels').argParser(choice('--schedule', SCHEDULES)).default('karras'))
    .addOption(new Option('--steps <N>', 'number of noise levels before the appended 0').argParser(integer('--steps', 1, 1e7)).default(20))
    .addOption(new Option('--sigma-min <a>', 'smallest noise level (default 0.002; not with vp)').argParser(number('--sigma-min')))
    .addOption(new Option('--sigma-max <b>', 'largest noise level (default 80; not with vp)').argParser(number('--sigma-max')))
    .addOption(new Option('--beta-d <x>', 'vp schedule: beta_d (default 19.9)').argParser(number('--beta-d')))
    .addOption(new Option('--beta-min <x>', 'vp schedule: beta_min (default 0.1)').argParser(number('--beta-min')))
    .addOption(new Option('--eps-s <x>', 'vp schedule: eps_s (default 1e-3)').argParser(number('--eps-s')))
    .addOption(new Option('--rho <r>', 'Karras rho (karras only; default 7)').argParser(number('--rho')))
    .addOption(new Option('--start <law>', "prior: N(0, sigma_max^2 I) (k-diffusion's); exact: N(0, S + sigma_max^2 I)").argParser(choice('--start', ['prior', 'exact'])).default('prior'))
    .addOption(new Option('--s-churn <x>', 'EDM churn (euler, heun, dpm_2)').argParser(number('--s-churn')))
    .addOption(new Option('--s-tmin <x>', 'EDM churn: lowest level churned').argParser(number('--s-tmin')))
    .addOption(new Option('--s-tmax <x>', 'EDM churn: highest level churned').argParser(number('--s-tmax')))
    .addOption(new Option('--s-noise <x>', 'noise scale of churn or ancestral steps').argParser(number('--s-noise')))
    .addOption(new Option('--eta <x>', 'ancestral / SDE samplers: noise amount').argParser(number('--eta')))
    .addOption(new Option('--backend <name>', 'wasm (default) or reference (plain TypeScript)').argParser(choice('--backend', ['wasm', 'reference'])).default('wasm'))
    .option('--json', 'print {"sampler", "w2", "w2Squared", "nfe"} as JSON');
  cmd.action(async (o) => {
    // Options the user did not give are left out, so that each sampler sees only what it takes.
    const given: Record<string, unknown> = {
      sampler: o.sampler, schedule: o.schedule, steps: o.steps, sigmaMin: o.sigmaMin, sigmaMax: o.sigmaMax, rho: o.rho,
      betaD: o.betaD, betaMin: o.betaMin, epsS: o.epsS,
      start: o.start, sChurn: o.sChurn, sTmin: o.sTmin, sTmax: o.sTmax, sNoise: o.sNoise, eta: o.eta, backend: o.backend,
    };
    const opts = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as unknown as EdmSamplerErrorOptions;
    const spectrum = await loadSpectrum(o.spectrum, Boolean(o.json));
    const r = await edmSamplerError(spectrum, opts);
    await write(o.json
      ? `{"sampler":${JSON.stringify(r.sampler)},"w2":${jsonNumber(r.w2)},"w2Squared":${jsonNumber(r.w2Squared)},"nfe":${r.nfe}}\n`
      : `sampler  ${r.sampler} (${o.schedule}, ${o.steps} steps, ${o.start} start)\nW2       ${r.w2}\nW2^2     ${r.w2Squared}\nNFE      ${r.nfe}\n`);
  });
}
