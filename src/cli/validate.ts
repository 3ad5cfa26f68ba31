/**
 * `gaussdiff validate`: simulate particles through one scheme with the exact score (--scheme, Pierret &
 * Galerne's VP schemes) or one sampler with the exact denoiser (--sampler: a k-diffusion name runs validateSampler,
 * a diffusers one validateDiscreteSampler; the particles run through the sampler's tape) and say whether the closed form is consistent with the Monte
 * Carlo at a stated level. Both print the same JSON contract and the same text.
 */
import { type Command, Option } from 'commander';
import {
  DISCRETE_SAMPLER_NAMES, EDM_SAMPLER_NAMES, GaussdiffError, validate, validateDiscreteSampler, validateSampler, writeNpy, SCHEME_NAMES,
  type ValidateDiscreteSamplerOptions, type ValidateOptions, type ValidateSamplerOptions,
} from '../node.js';
import { checkOutputPath } from '../io/files.js';
import { MAX_PARTICLES } from '../diffusion/montecarlo.js';
import { DISCRETE_OPTION_KEYS, checkFrameSchedule, choice, discreteOptions, given, integer, loadSpectrum, number, scheduleOptions, spectrumOption } from './options.js';
import { jsonNumber, write } from './output.js';

/**
 * Options of one path only (commander names): P&G's with --scheme, the samplers' with --sampler; among those,
 * the Karras levels are k-diffusion's and the training schedule diffusers' (--eta, --start: both).
 */
const SCHEME_ONLY = ['scheme', 'eps', 'init', 'betaMax', 'horizon', 'variancesOut'] as const;
const EDM_ONLY = ['sigmaMin', 'sigmaMax', 'rho', 'betaD', 'epsS'] as const;
const SAMPLER_ONLY = [...EDM_ONLY, ...DISCRETE_OPTION_KEYS, 'eta', 'start', 'backend'] as const;
const flag = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

export function validateCommand(prog: Command): void {
  const cmd = prog.command('validate')
    .description('Monte-Carlo check of a closed form: simulate particles through one scheme with the exact score, compare the empirical per-mode variances and W2 with the exact ones, and give a verdict');
  spectrumOption(cmd)
    .addOption(new Option('--scheme <name>', SCHEME_NAMES.join(', ')).default('em'))
    .addOption(new Option('--sampler <name>', `a sampler instead of a scheme: k-diffusion ${EDM_SAMPLER_NAMES.join(', ')}; diffusers ${DISCRETE_SAMPLER_NAMES.join(', ')}`)
      .argParser(choice('--sampler', [...EDM_SAMPLER_NAMES, ...DISCRETE_SAMPLER_NAMES])))
    .addOption(new Option('--steps <N>', 'number of grid points N (--sampler: noise levels before the appended 0, default 20)').argParser(number('--steps')).default(100))
    .addOption(new Option('--sigma-min <a>', '--sampler: smallest Karras noise level (default 0.002)').argParser(number('--sigma-min')))
    .addOption(new Option('--sigma-max <b>', '--sampler: largest Karras noise level (default 80)').argParser(number('--sigma-max')))
    .addOption(new Option('--rho <r>', '--sampler: Karras rho (default 7)').argParser(number('--rho')))
    .addOption(new Option('--beta-d <x>', '--sampler --schedule vp: beta_d (default 19.9)').argParser(number('--beta-d')))
    .addOption(new Option('--eps-s <x>', '--sampler --schedule vp: eps_s (default 1e-3)').argParser(number('--eps-s')))
    .addOption(new Option('--backend <name>', '--sampler: the exact W2 by wasm (default) or reference (plain TypeScript)').argParser(choice('--backend', ['wasm', 'reference'])))
    .addOption(new Option('--start <law>', "--sampler: prior (the sampler's own, default) or exact (the true noised law)").argParser(choice('--start', ['prior', 'exact'])))
    .addOption(new Option('--eps <eps>', 'truncation time').argParser(number('--eps')).default(1e-3))
    .addOption(new Option('--init <start>', 'pT or normal').default('pT'))
    .addOption(new Option('--particles <B>', `particles per distinct eigenvalue (2 to ${MAX_PARTICLES})`).argParser(number('--particles')).default(1000))
    .addOption(new Option('--seed <K>', 'random seed (an integer from 0 to 2^53 - 1)').argParser(integer('--seed', 0, Number.MAX_SAFE_INTEGER)).default(0))
    .option('--variances-out <V.npy>', 'write the per-mode Monte-Carlo variances (input order) to a .npy')
    .option('--json', 'print {"closedForm", "monteCarlo": {"w2", "stderr", "bias"}, "maxAbsZ", "zBound", "level", "consistent"} as JSON');
  discreteOptions(scheduleOptions(cmd, true)).action(async (o, command: Command) => {
    // The options the user typed (not defaults) that belong to the other path are refused before any work.
    const typed = (key: string): boolean => command.getOptionValueSource(key) === 'cli';
    const clash = (o.sampler === undefined ? SAMPLER_ONLY : SCHEME_ONLY).filter(typed);
    if (clash.length) {
      throw new GaussdiffError('INVALID_OPTION', flag(clash[0]), o.sampler === undefined ? 'given without --sampler' : 'given with --sampler',
        `with --sampler: --steps, ${SAMPLER_ONLY.map(flag).join(', ')}, --particles, --seed, --json; with --scheme: ${SCHEME_ONLY.map(flag).join(', ')}`);
    }
    checkFrameSchedule(o.schedule, o.sampler !== undefined);
    // So are the noise levels with a diffusers name and the training schedule with a k-diffusion one.
    const discrete = DISCRETE_SAMPLER_NAMES.includes(o.sampler);
    const foreign = (discrete ? [...EDM_ONLY, 'schedule', 'betaMin'] : DISCRETE_OPTION_KEYS).filter(typed);
    if (foreign.length) {
      throw new GaussdiffError('INVALID_OPTION', flag(foreign[0]), `given with the ${discrete ? 'diffusers' : 'k-diffusion'} sampler ${o.sampler}`,
        `k-diffusion samplers: ${EDM_ONLY.map(flag).join(', ')}; diffusers samplers: ${DISCRETE_OPTION_KEYS.map(flag).join(', ')}`);
    }
    if (o.variancesOut !== undefined) checkOutputPath(o.variancesOut, '--variances-out');
    const spectrum = await loadSpectrum(o.spectrum, Boolean(o.json));
    const steps = typed('steps') ? o.steps : 20;
    const r = discrete
      ? await validateDiscreteSampler(spectrum, given<ValidateDiscreteSamplerOptions>({
        sampler: o.sampler, steps, betaSchedule: o.betaSchedule, betaStart: o.betaStart, betaEnd: o.betaEnd, trainSteps: o.trainSteps,
        timestepSpacing: o.timestepSpacing, stepsOffset: o.stepsOffset, eta: o.eta, order: o.order, start: o.start, backend: o.backend, particles: o.particles, seed: o.seed,
      }))
      : o.sampler !== undefined
        ? await validateSampler(spectrum, given<ValidateSamplerOptions>({
          sampler: o.sampler, steps, schedule: o.schedule, sigmaMin: o.sigmaMin, sigmaMax: o.sigmaMax, rho: o.rho, betaD: o.betaD, betaMin: o.betaMin, epsS: o.epsS,
          eta: o.eta, start: o.start, backend: o.backend, particles: o.particles, seed: o.seed,
        }))
        : await validate(spectrum, given<ValidateOptions>({
          scheme: o.scheme, steps: o.steps, eps: o.eps, init: o.init, particles: o.particles, seed: o.seed,
          schedule: o.schedule, betaMin: o.betaMin, betaMax: o.betaMax, horizon: o.horizon,
        }));
    if (o.variancesOut !== undefined) await writeNpy(o.variancesOut, r.variances);
    const { zBound: bound, level, consistent } = r;
    if (o.json) {
      await write(`{"closedForm":${jsonNumber(r.closedForm)},"monteCarlo":{"w2":${jsonNumber(r.monteCarlo.w2)},"stderr":${jsonNumber(r.monteCarlo.stderr)},"bias":${jsonNumber(r.monteCarlo.bias)}},`
        + `"maxAbsZ":${jsonNumber(r.maxAbsZ)},"zBound":${jsonNumber(bound)},"level":${level},"consistent":${consistent}}\n`);
    } else {
      await write(`closed form W2   ${r.closedForm}\nMonte-Carlo W2   ${r.monteCarlo.w2} +- ${r.monteCarlo.stderr} (bias ${r.monteCarlo.bias})\n`
        + `max |z| per mode ${r.maxAbsZ} (bound ${bound.toPrecision(4)} at level ${level})\n`
        + `verdict          ${consistent ? 'consistent' : 'NOT consistent'}: the closed form ${consistent ? 'agrees' : 'disagrees'} with the Monte Carlo at level ${level} `
        + `(a right closed form exceeds the bound with probability <= ${level})\n`);
    }
  });
}

