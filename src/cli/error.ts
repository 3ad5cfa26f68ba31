/**
 * `gaussdiff error`: the exact W2 of one sampler on Gaussian data, by the state-space engine: a k-diffusion
 * sampler (EDM frame, noise levels sigma: src/diffusion/edm/) or a diffusers one (ddim, ddpm, dpmsolver++:
 * discrete-time frame, src/diffusion/discrete/), told apart by name. Prints
 * {"sampler": NAME, "w2": number, "w2Squared": number, "nfe": integer} with --json.
 */
import { type Command, Option } from 'commander';
import { DISCRETE_SAMPLER_NAMES, EDM_SAMPLER_NAMES, samplerError, type EdmSamplerErrorOptions } from '../node.js';
import { choice, discreteOptions, edmLevelOptions, given, integer, loadSpectrum, number, spectrumOption } from './options.js';
import { jsonNumber, write } from './output.js';

export function errorCommand(prog: Command): void {
  const cmd = prog.command('error')
    .description('Exact W2 of a k-diffusion sampler (euler, heun, dpmpp_2m, ...) or a diffusers one (ddim, ddpm, dpmsolver++) on N(0, S), with the exact denoiser');
  discreteOptions(edmLevelOptions(spectrumOption(cmd))
    .addOption(new Option('--sampler <name>', `k-diffusion: ${EDM_SAMPLER_NAMES.join(', ')}; diffusers: ${DISCRETE_SAMPLER_NAMES.join(', ')}`)
      .argParser(choice('--sampler', [...EDM_SAMPLER_NAMES, ...DISCRETE_SAMPLER_NAMES])).makeOptionMandatory())
    .addOption(new Option('--steps <N>', 'number of noise levels before the appended 0').argParser(integer('--steps', 1, 1e7)).default(20))
    .addOption(new Option('--s-churn <x>', 'EDM churn (euler, heun, dpm_2)').argParser(number('--s-churn')))
    .addOption(new Option('--s-tmin <x>', 'EDM churn: lowest level churned').argParser(number('--s-tmin')))
    .addOption(new Option('--s-tmax <x>', 'EDM churn: highest level churned').argParser(number('--s-tmax')))
    .addOption(new Option('--s-noise <x>', 'noise scale of churn or ancestral steps').argParser(number('--s-noise'))))
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
