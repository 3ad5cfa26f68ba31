/**
 * Option parsing shared by the commands: numbers, lists and choices parsed when commander reads them (so a
 * bad value is a typed error before any work), the spectrum a command runs on, and the option groups that
 * several commands take (schedule, engine).
 */
import { type Command, Option } from 'commander';
import { GaussdiffError, readNpy, warmThreads } from '../node.js';
import { nearest } from '../core/options.js';
import { SPECTRA, SPECTRUM_NAMES, isSpectrumName, namedSpectrum, type SpectrumName } from '../spectra/index.js';
import { SCHEDULE_NAMES } from '../diffusion/schedules/index.js';
import { validateThreads } from '../runtime/threads.js';
import { withProgress } from './output.js';

/** A finite number. */
export function number(argument: string) {
  return (text: string): number => {
    const x = Number(text);
    if (text.trim() === '' || !Number.isFinite(x)) throw new GaussdiffError('INVALID_OPTION', argument, `${JSON.stringify(text)} is not a number`, 'a finite number');
    return x;
  };
}

/** An integer in [lo, hi]. */
export function integer(argument: string, lo: number, hi: number, allowed = `an integer from ${lo} to ${hi}`) {
  return (text: string): number => {
    const x = number(argument)(text);
    if (!Number.isInteger(x) || x < lo || x > hi) throw new GaussdiffError('INVALID_OPTION', argument, `got ${text}`, allowed);
    return x;
  };
}

/** A comma-separated list of finite numbers. */
export function numberList(argument: string) {
  return (text: string): number[] => words(text).map((s) => {
    const x = Number(s);
    if (!Number.isFinite(x)) throw new GaussdiffError('INVALID_OPTION', argument, `${JSON.stringify(s)} is not a number`, 'a comma-separated list of numbers');
    return x;
  });
}

export const words = (text: string): string[] => text.split(',').map((s) => s.trim()).filter((s) => s !== '');

/** One of `allowed` (INVALID_OPTION with "did you mean" otherwise). */
export function choice(argument: string, allowed: readonly string[]) {
  return (text: string): string => {
    if (allowed.includes(text)) return text;
    const near = nearest(text, allowed);
    throw new GaussdiffError('INVALID_OPTION', argument, `got ${JSON.stringify(text)}${near ? ` (did you mean ${near}?)` : ''}`, allowed.join(', '));
  };
}

/** A built-in spectrum by name (the registry of src/spectra/index.ts), its description on stderr unless quiet. */
export async function builtinSpectrum(name: SpectrumName, quiet = true): Promise<Float64Array> {
  if (!quiet) process.stderr.write(`spectrum: ${SPECTRA[name].description}\n`);
  return withProgress(name, (onProgress) => namedSpectrum(name, { onProgress }, '--spectrum'));
}

/** --spectrum: a built-in name (default: mnist; a file of that name is ./NAME) or a .npy file. */
export async function loadSpectrum(spec: string | undefined, quiet: boolean): Promise<Float64Array> {
  const name = spec ?? 'mnist';
  return isSpectrumName(name) ? builtinSpectrum(name, quiet) : readNpy(name);
}

export function spectrumOption(cmd: Command): Command {
  return cmd.option('--spectrum <name|file.npy>', `eigenvalues of S: ${SPECTRUM_NAMES[0]} (default), ${SPECTRUM_NAMES.slice(1).join(', ')}, or a .npy file (<f4/<f8, any shape, flattened)`);
}

/**
 * The schedule of Pierret & Galerne's VP frame: --schedule vp-linear (b(t) = betaMin + t (betaMax - betaMin) / T
 * on [0, T]) or cosine. Unset values are left out, so that the API's defaults apply (and cosine is not given
 * the linear schedule's keys). With `samplers`, --schedule also takes k-diffusion's noise levels (for
 * --sampler) and --beta-min is also the vp levels' beta_min: see `checkFrameSchedule`.
 */
export function scheduleOptions(cmd: Command, samplers = false): Command {
  const names = samplers ? [...SCHEDULE_NAMES, ...EDM_SCHEDULES] : SCHEDULE_NAMES;
  return cmd
    .addOption(new Option('--schedule <name>', samplers ? `schemes: ${SCHEDULE_NAMES.join(', ')} (default vp-linear); samplers: k-diffusion levels ${EDM_SCHEDULES.join(', ')} (default karras)`
      : `VP schedule: ${SCHEDULE_NAMES.join(', ')} (default vp-linear)`).argParser(choice('--schedule', names)))
    .addOption(new Option('--beta-min <b>', `b(0) of the vp-linear schedule (default 0.05)${samplers ? '; samplers with --schedule vp: beta_min (default 0.1)' : ''}`).argParser(number('--beta-min')))
    .addOption(new Option('--beta-max <b>', 'b(T) of the vp-linear schedule (default 10)').argParser(number('--beta-max')))
    .addOption(new Option('--horizon <T>', 'horizon T (default 1)').argParser(number('--horizon')));
}

/** --schedule must belong to the frame in use: P&G's VP schedules with schemes, k-diffusion's levels with samplers. */
export function checkFrameSchedule(name: string | undefined, samplers: boolean): void {
  if (name === undefined || (samplers ? (EDM_SCHEDULES as readonly string[]) : SCHEDULE_NAMES).includes(name)) return;
  throw new GaussdiffError('INVALID_OPTION', '--schedule', `${name} is ${samplers ? "a schedule of the schemes' VP frame, given with samplers" : 'a k-diffusion noise-level schedule, given with schemes'}`,
    samplers ? `with samplers: ${EDM_SCHEDULES.join(', ')}` : `with schemes: ${SCHEDULE_NAMES.join(', ')}`);
}

export const BACKENDS = ['wasm', 'reference'] as const;

/** Where the propagation runs: --threads is checked when read (an integer in [1, 64]), before any worker starts. */
export function engineOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--backend <name>', `propagation back end: ${BACKENDS.join(', ')}`).argParser(choice('--backend', BACKENDS)).default('wasm'))
    .addOption(new Option('--threads <n>', 'worker threads, 1 to 64 (default: 2 for large jobs)').argParser((text) => validateThreads(number('--threads')(text), '--threads')));
}

/** Boot the worker threads while the input is read (they are used for all but small jobs). */
export function warm(o: { threads?: number; backend?: string }): void {
  if (o.backend === 'wasm' && (o.threads === undefined || o.threads > 1)) warmThreads(o.threads ?? 2);
}

/** k-diffusion's noise levels (EDM frame), for `error` and `rank`: options left unset take the API's defaults. */
export const EDM_SCHEDULES = ['karras', 'exponential', 'polyexponential', 'vp'] as const;

export function edmLevelOptions(cmd: Command): Command {
  return edmLevels(cmd
    .addOption(new Option('--schedule <name>', 'k-diffusion noise levels (default karras)').argParser(choice('--schedule', EDM_SCHEDULES))))
    .addOption(new Option('--beta-min <x>', 'vp schedule: beta_min (default 0.1)').argParser(number('--beta-min')))
    .addOption(new Option('--start <law>', "prior: N(0, sigma_max^2 I) (k-diffusion's); exact: N(0, S + sigma_max^2 I)").argParser(choice('--start', ['prior', 'exact'])).default('prior'))
    .addOption(new Option('--backend <name>', 'wasm (default) or reference (plain TypeScript)').argParser(choice('--backend', ['wasm', 'reference'])).default('wasm'));
}

/** k-diffusion's levels without --schedule, --beta-min, --start, --backend (for commands that have their own). */
export function edmLevels(cmd: Command): Command {
  return cmd
    .addOption(new Option('--sigma-min <a>', 'smallest noise level (default 0.002; not with vp)').argParser(number('--sigma-min')))
    .addOption(new Option('--sigma-max <b>', 'largest noise level (default 80; not with vp)').argParser(number('--sigma-max')))
    .addOption(new Option('--rho <r>', 'Karras rho (karras only; default 7)').argParser(number('--rho')))
    .addOption(new Option('--beta-d <x>', 'vp schedule: beta_d (default 19.9)').argParser(number('--beta-d')))
    .addOption(new Option('--eps-s <x>', 'vp schedule: eps_s (default 1e-3)').argParser(number('--eps-s')));
}

/** Options of single k-diffusion samplers: EDM churn and the ancestral noise scale. */
export function churnOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--s-churn <x>', 'EDM churn (euler, heun, dpm_2)').argParser(number('--s-churn')))
    .addOption(new Option('--s-tmin <x>', 'EDM churn: lowest level churned').argParser(number('--s-tmin')))
    .addOption(new Option('--s-tmax <x>', 'EDM churn: highest level churned').argParser(number('--s-tmax')))
    .addOption(new Option('--s-noise <x>', 'noise scale of churn or ancestral steps').argParser(number('--s-noise')));
}

export function modelSpectrumOption(cmd: Command): Command {
  return cmd.option('--model-spectrum <name|file.npy>', "the model's eigenvalues lhat, one per entry of the spectrum: the samplers see lhat/(lhat+sigma^2) x (default: the exact denoiser)");
}

/**
 * The options of the samplers (both frames, API names) that the user gave, from commander's values, with
 * --model-spectrum read: samplerError takes those of the sampler's frame, and refuses the others.
 */
export async function samplerValues(o: Record<string, unknown>): Promise<Record<string, unknown>> {
  const values = given<Record<string, unknown>>({
    schedule: o.schedule, sigmaMin: o.sigmaMin, sigmaMax: o.sigmaMax, rho: o.rho, betaD: o.betaD, betaMin: o.betaMin, epsS: o.epsS,
    sChurn: o.sChurn, sTmin: o.sTmin, sTmax: o.sTmax, sNoise: o.sNoise, eta: o.eta, start: o.start, backend: o.backend,
    ...Object.fromEntries(DISCRETE_OPTION_KEYS.map((k) => [k, o[k]])),
  });
  if (o.modelSpectrum !== undefined) values.modelSpectrum = await loadSpectrum(o.modelSpectrum as string, true);
  return values;
}

/**
 * diffusers' options (discrete-time frame, src/diffusion/discrete/), for `error` and `validate`: unset ones
 * left out so that the API's defaults apply. --eta is also k-diffusion's (ancestral / SDE samplers).
 */
export const DISCRETE_OPTION_KEYS = ['betaSchedule', 'betaStart', 'betaEnd', 'trainSteps', 'timestepSpacing', 'stepsOffset', 'order'] as const;

export function discreteOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--eta <x>', 'ancestral / SDE samplers, ddim: noise amount').argParser(number('--eta')))
    .addOption(new Option('--beta-schedule <name>', 'diffusers: training betas (default linear)').argParser(choice('--beta-schedule', ['linear', 'scaled_linear', 'squaredcos_cap_v2'])))
    .addOption(new Option('--beta-start <x>', 'diffusers: first training beta').argParser(number('--beta-start')))
    .addOption(new Option('--beta-end <x>', 'diffusers: last training beta').argParser(number('--beta-end')))
    .addOption(new Option('--train-steps <N>', 'diffusers: training timesteps (default 1000)').argParser(integer('--train-steps', 1, 100000)))
    .addOption(new Option('--timestep-spacing <name>', 'diffusers: leading (default), trailing or linspace').argParser(choice('--timestep-spacing', ['leading', 'trailing', 'linspace'])))
    .addOption(new Option('--steps-offset <k>', 'diffusers: steps_offset with leading spacing (default 0)').argParser(integer('--steps-offset', 0, 100000)))
    .addOption(new Option('--order <k>', 'dpmsolver++: solver order 1, 2 (default) or 3').argParser(integer('--order', 1, 3)));
}

/** The options object of the values the user gave (unset ones left out, so that the API's defaults apply). */
export function given<T>(values: Record<string, unknown>): T {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as T;
}

