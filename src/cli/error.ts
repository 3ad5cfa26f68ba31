/**
 * `gaussdiff error`: the exact W2 of one sampler on Gaussian data, by the state-space engine: a k-diffusion
 * sampler (EDM frame, noise levels sigma: src/diffusion/edm/) or a diffusers one (ddim, ddpm, dpmsolver++:
 * discrete-time frame, src/diffusion/discrete/), told apart by name. Prints
 * {"sampler": NAME, "w2": number, "w2Squared": number, "nfe": integer} with --json.
 */
import { type Command, Option } from 'commander';
import { DISCRETE_SAMPLER_NAMES, EDM_SAMPLER_NAMES, samplerError, type EdmSamplerErrorOptions } from '../node.js';
import { choice, edmLevelOptions, given, integer, loadSpectrum, number, spectrumOption } from './options.js';
import { jsonNumber, write } from './output.js';

export function errorCommand(prog: Command): void {
  const cmd = prog.command('error')
    .description('Exact W2 of a k-diffusion sampler (euler, heun, dpmpp_2m, ...) or a diffusers one (ddim, ddpm, dpmsolver++) on N(0, S), with the exact denoiser');
  edmLevelOptions(spectrumOption(cmd))
    .addOption(new Option('--sampler <name>', `k-diffusion: ${EDM_SAMPLER_NAMES.join(', ')}; diffusers: ${DISCRETE_SAMPLER_NAMES.join(', ')}`)
      .argParser(choice('--sampler', [...EDM_SAMPLER_NAMES, ...DISCRETE_SAMPLER_NAMES])).makeOptionMandatory())
    .addOption(new Option('--steps <N>', 'number of noise levels before the appended 0').argParser(integer('--steps', 1, 1e7)).default(20))
    .addOption(new Option('--s-churn <x>', 'EDM churn (euler, heun, dpm_2)').argParser(number('--s-churn')))
    .addOption(new Option('--s-tmin <x>', 'EDM churn: lowest level churned').argParser(number('--s-tmin')))
    .addOption(new Option('--s-tmax <x>', 'EDM churn: highest level churned').argParser(number('--s-tmax')))
    .addOption(new Option('--s-noise <x>', 'noise scale of churn or ancestral steps').argParser(number('--s-noise')))
    .addOption(new Option('--eta <x>', 'ancestral / SDE samplers, ddim: noise amount').argParser(number('--eta')))
    .addOption(new Option('--beta-schedule <name>', 'diffusers: training betas (default linear)').argParser(choice('--beta-schedule', ['linear', 'scaled_linear', 'squaredcos_cap_v2'])))
    .addOption(new Option('--beta-start <x>', 'diffusers: first training beta').argParser(number('--beta-start')))
    .addOption(new Option('--beta-end <x>', 'diffusers: last training beta').argParser(number('--beta-end')))
    .addOption(new Option('--train-steps <N>', 'diffusers: training timesteps (default 1000)').argParser(integer('--train-steps', 1, 100000)))
    .addOption(new Option('--timestep-spacing <name>', 'diffusers: leading (default), trailing or linspace').argParser(choice('--timestep-spacing', ['leading', 'trailing', 'linspace'])))
    .addOption(new Option('--steps-offset <k>', 'diffusers: steps_offset with leading spacing (default 0)').argParser(integer('--steps-offset', 0, 100000)))
    .addOption(new Option('--order <k>', 'dpmsolver++: solver order 1, 2 (default) or 3').argParser(integer('--order', 1, 3)))
    .option('--json', 'print {"sampler", "w2", "w2Squared", "nfe"} as JSON');
  cmd.action(async (o) => {
    // Options the user did not give are left out, so that each sampler sees only what it takes.
    const opts = given<EdmSamplerErrorOptions>({
      sampler: o.sampler, schedule: o.schedule, steps: o.steps, sigmaMin: o.sigmaMin, sigmaMax: o.sigmaMax, rho: o.rho,
      betaD: o.betaD, betaMin: o.betaMin, epsS: o.epsS, betaSchedule: o.betaSchedule, betaStart: o.betaStart,
      betaEnd: o.betaEnd, trainSteps: o.trainSteps, timestepSpacing: o.timestepSpacing, stepsOffset: o.stepsOffset, order: o.order,
      start: o.start, sChurn: o.sChurn, sTmin: o.sTmin, sTmax: o.sTmax, sNoise: o.sNoise, eta: o.eta, backend: o.backend,
    });
    const spectrum = await loadSpectrum(o.spectrum, Boolean(o.json));
    const r = await samplerError(spectrum, opts);
    await write(o.json
      ? `{"sampler":${JSON.stringify(r.sampler)},"w2":${jsonNumber(r.w2)},"w2Squared":${jsonNumber(r.w2Squared)},"nfe":${r.nfe}}\n`
      : `sampler  ${r.sampler} (${o.steps} steps, ${o.start} start)\nW2       ${r.w2}\nW2^2     ${r.w2Squared}\nNFE      ${r.nfe}\n`);
  });
}
