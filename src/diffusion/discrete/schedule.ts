/**
 * The discrete-time (diffusers) frame: a training schedule of N steps (betas -> alphas_cumprod) and the
 * inference timesteps a scheduler picks, as diffusers' DDPMScheduler / DDIMScheduler /
 * DPMSolverMultistepScheduler compute them (diffusers/schedulers/scheduling_*.py), in f64 (diffusers builds
 * the betas and their cumulative product in float32: its alphas_cumprod differ from these by ~1e-7 relative).
 *
 * Frame: x_t = sqrt(ab_t) x0 + sqrt(1 - ab_t) eps, ab_t = alphas_cumprod[t] = prod_{s <= t} (1 - beta_s).
 */
import { fail } from '../../core/errors.js';
import { checkInteger, describe } from '../../core/checks.js';

export type BetaSchedule = 'linear' | 'scaled_linear' | 'squaredcos_cap_v2';
export type TimestepSpacing = 'leading' | 'trailing' | 'linspace';
export const BETA_SCHEDULES: readonly BetaSchedule[] = Object.freeze(['linear', 'scaled_linear', 'squaredcos_cap_v2']);
export const TIMESTEP_SPACINGS: readonly TimestepSpacing[] = Object.freeze(['leading', 'trailing', 'linspace']);
export const MAX_TRAIN_STEPS = 100000;

/** numpy's linspace(start, stop, num)[i] = start + i (stop - start) / (num - 1), the last entry exactly stop ([start] when num = 1). */
function linspace(start: number, stop: number, num: number): Float64Array {
  if (num === 1) return Float64Array.of(start);
  const out = new Float64Array(num);
  const step = (stop - start) / (num - 1);
  for (let i = 0; i < num; i++) out[i] = start + i * step;
  out[num - 1] = stop;
  return out;
}

/** numpy's round (and torch's): half to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The betas of a diffusers training schedule (N = trainSteps):
 *   linear:            linspace(beta_start, beta_end, N)
 *   scaled_linear:     linspace(sqrt(beta_start), sqrt(beta_end), N)^2
 *   squaredcos_cap_v2: betas_for_alpha_bar: beta_i = min(1 - abar((i + 1)/N) / abar(i/N), 0.999),
 *                      abar(t) = cos((t + 0.008) / 1.008 * pi / 2)^2 (Nichol & Dhariwal 2021, eq. 17)
 */
export function trainingBetas(schedule: BetaSchedule, trainSteps: number, betaStart: number, betaEnd: number): Float64Array {
  if (schedule === 'linear') return linspace(betaStart, betaEnd, trainSteps);
  if (schedule === 'scaled_linear') return linspace(Math.sqrt(betaStart), Math.sqrt(betaEnd), trainSteps).map((s) => s * s);
  const abar = (t: number): number => Math.cos(((t + 0.008) / 1.008) * Math.PI / 2) ** 2;
  const out = new Float64Array(trainSteps);
  for (let i = 0; i < trainSteps; i++) out[i] = Math.min(1 - abar((i + 1) / trainSteps) / abar(i / trainSteps), 0.999);
  return out;
}

/** log alphas_cumprod: log ab_t = sum_{s <= t} log1p(-beta_s) (the product in log space, no underflow). */
export function logAlphasCumprod(betas: Float64Array): Float64Array {
  const out = new Float64Array(betas.length);
  let acc = 0;
  for (let t = 0; t < betas.length; t++) out[t] = acc += Math.log1p(-betas[t]);
  return out;
}

/**
 * DDIMScheduler / DDPMScheduler.set_timesteps (descending integers):
 *   linspace: round(linspace(0, N - 1, n)) reversed
 *   leading:  (arange(n) * (N // n)) reversed, + steps_offset (diffusers' default 0; Stable Diffusion's config 1)
 *   trailing: round(arange(N, 0, -N / n)) - 1   (numpy's arange: ceil(N / (N / n)) entries N - k N / n)
 */
export function ddimTimesteps(N: number, n: number, spacing: TimestepSpacing, stepsOffset: number): number[] {
  if (spacing === 'linspace') return Array.from(linspace(0, N - 1, n), roundHalfEven).reverse();
  if (spacing === 'leading') {
    const ratio = Math.floor(N / n);
    return Array.from({ length: n }, (_, i) => (n - 1 - i) * ratio + stepsOffset);
  }
  return trailing(N, n);
}

/**
 * DPMSolverMultistepScheduler.set_timesteps (lambda_min_clipped = -inf, so last_timestep = N):
 *   linspace: round(linspace(0, N - 1, n + 1)) reversed, the last (0) dropped
 *   leading:  (arange(n + 1) * (N // (n + 1))) reversed, the last dropped, + steps_offset
 *   trailing: as DDIM's
 */
export function dpmSolverTimesteps(N: number, n: number, spacing: TimestepSpacing, stepsOffset: number): number[] {
  if (spacing === 'linspace') return Array.from(linspace(0, N - 1, n + 1), roundHalfEven).reverse().slice(0, n);
  if (spacing === 'leading') {
    const ratio = Math.floor(N / (n + 1));
    return Array.from({ length: n }, (_, i) => (n - i) * ratio + stepsOffset);
  }
  return trailing(N, n);
}

/**
 * round(arange(N, 0, -N / n)) - 1 with numpy's arange: ceil((0 - N) / (-N / n)) entries N + k (-N / n). That
 * length is n + 1 for some n (61, 103, ...): the extra entry rounds to 0 and gives timestep -1 (checkTimesteps).
 */
function trailing(N: number, n: number): number[] {
  const step = -N / n;
  const length = Math.ceil((0 - N) / step);
  return Array.from({ length }, (_, k) => roundHalfEven(N + k * step) - 1);
}

/** Timesteps must be integers in [0, N - 1], strictly decreasing (INVALID_STEPS otherwise, naming the first bad one). */
export function checkTimesteps(timesteps: readonly number[], N: number, what: string): void {
  timesteps.forEach((t, k) => {
    if (t < 0 || t > N - 1 || (k > 0 && t >= timesteps[k - 1])) {
      fail('INVALID_STEPS', 'steps', `${what} gives timestep ${t} at position ${k} of [${timesteps.slice(0, 4).join(', ')}${timesteps.length > 4 ? ', ...' : ''}]`,
        `steps and spacing whose timesteps are distinct and within 0..${N - 1}`);
    }
  });
}

export interface DiscreteSchedule {
  readonly trainSteps: number;
  /** log ab_t for t = 0..N-1. */
  readonly logAlphasCumprod: Float64Array;
}

/** The checked training schedule (typed errors before any allocation). */
export function discreteSchedule(betaSchedule: unknown = 'linear', trainSteps: unknown = 1000, betaStart?: unknown, betaEnd?: unknown): DiscreteSchedule {
  if (!BETA_SCHEDULES.includes(betaSchedule as BetaSchedule)) fail('INVALID_SCHEDULE', 'betaSchedule', `got ${describe(betaSchedule)}`, BETA_SCHEDULES.join(', '));
  const N = checkInteger(trainSteps, 'trainSteps', 2, MAX_TRAIN_STEPS, `an integer from 2 to ${MAX_TRAIN_STEPS}`);
  const schedule = betaSchedule as BetaSchedule;
  if (schedule === 'squaredcos_cap_v2') {
    for (const [key, v] of [['betaStart', betaStart], ['betaEnd', betaEnd]] as const) {
      if (v !== undefined) fail('INVALID_OPTION', key, 'given with squaredcos_cap_v2 (its betas come from the cosine alpha_bar)', `${key} only with linear or scaled_linear`);
    }
    return { trainSteps: N, logAlphasCumprod: logAlphasCumprod(trainingBetas(schedule, N, 0, 0)) };
  }
  // diffusers' defaults 1e-4, 0.02; scaled_linear defaults to Stable Diffusion's 0.00085, 0.012.
  const [start0, end0] = schedule === 'linear' ? [1e-4, 0.02] : [0.00085, 0.012];
  const start = betaStart ?? start0;
  const end = betaEnd ?? end0;
  for (const [key, v] of [['betaStart', start], ['betaEnd', end]] as const) {
    if (typeof v !== 'number' || !(v > 0 && v < 1)) fail('INVALID_OPTION', key, `got ${describe(v)}`, 'a number in (0, 1)');
  }
  if ((start as number) > (end as number)) fail('INVALID_OPTION', 'betaEnd', `${end} is below betaStart ${start}`, 'betaEnd >= betaStart');
  return { trainSteps: N, logAlphasCumprod: logAlphasCumprod(trainingBetas(schedule, N, start as number, end as number)) };
}
