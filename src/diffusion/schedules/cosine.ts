/**
 * Cosine schedule (Nichol & Dhariwal 2021, "Improved denoising diffusion probabilistic models", eq. 17) as a VP
 * SDE in Pierret & Galerne's frame (docs/math.md §2): with u = t/T, theta(t) = ((u + s)/(1 + s)) pi/2 and
 * f(t) = cos^2(theta(t)), alpha_bar(t) = f(t)/f(0). The forward decay is e^{-2B(t)} = alpha_bar(t), so
 *   B(t) = log cos(theta(0)) - log cos(theta(t)),   b(t) = B'(t) = (k/T) tan(theta(t)),   k = pi / (2 (1 + s)).
 *
 * End. b(t) diverges at t = T (alpha_bar(T) = 0, B(T) infinite). As DPM-Solver's continuous cosine schedule
 * bounds its time (Lu et al. 2022, NoiseScheduleVP('cosine'): cosine_t_max, where its beta = 2b reaches 999,
 * 0.9980 for T = 1; it samples from T = 0.9946), the schedule stops at the horizon T' < T where
 * b(T') = `cosineBetaMax` (default 999/2 = 499.5 in this SDE's convention): tan(theta(T')) = cosineBetaMax T / k,
 * so T - T' = T atan(k / (cosineBetaMax T)) / k and
 * B(T') = log cos(theta(0)) + log hypot(1, cosineBetaMax T / k) (5.77 by default, alpha_bar(T') = 1e-5).
 * Why a horizon and not Nichol & Dhariwal's clip (beta <= 0.999 per step): a clipped b has a kink, which
 * spoils the schemes' convergence orders near it, while on [0, T'] b is smooth and B stays in closed form.
 * `Schedule.horizon` is T' (what eps and grids refer to); the option `horizon` is the cosine's time scale T.
 */
import { fail } from '../../core/errors.js';
import { checkOptions, optionKeys } from '../../core/options.js';
import { type Schedule, checkSchedule } from './schedule.js';

export interface CosineOptions {
  /** Offset s, default 0.008 (Nichol & Dhariwal). */
  cosineS?: number;
  /** b at the end T' of the schedule, default 499.5 (DPM-Solver's beta max 999, halved for this SDE's convention). */
  cosineBetaMax?: number;
  /** Time scale T of the cosine (alpha_bar(T) = 0), default 1; the schedule stops at T' < T. */
  horizon?: number;
}

export const COSINE_KEYS = optionKeys<CosineOptions>({ cosineS: true, cosineBetaMax: true, horizon: true });

export const COSINE_DEFAULTS = { cosineS: 0.008, cosineBetaMax: 499.5, horizon: 1 } as const;

export function cosine(opts: CosineOptions = {}): Schedule {
  checkOptions(opts, COSINE_KEYS);
  const s = opts.cosineS ?? COSINE_DEFAULTS.cosineS;
  const betaMax = opts.cosineBetaMax ?? COSINE_DEFAULTS.cosineBetaMax;
  const T = opts.horizon ?? COSINE_DEFAULTS.horizon;
  if (typeof s !== 'number' || !Number.isFinite(s) || s < 0) fail('INVALID_SCHEDULE', 'cosineS', `got ${String(s)}`, 'a finite number >= 0');
  if (typeof T !== 'number' || !Number.isFinite(T) || T <= 0) fail('INVALID_SCHEDULE', 'horizon', `got ${String(T)}`, 'a finite number > 0');
  const k = Math.PI / (2 * (1 + s));
  // theta(0) = k s = pi/2 - k: its tangent and cosine through the complement k (accurate for any s).
  const tan0 = 1 / Math.tan(k);
  const logCos0 = Math.log(Math.sin(k));
  const beta0 = (k / T) * tan0;
  if (typeof betaMax !== 'number' || !Number.isFinite(betaMax) || !(betaMax > beta0)) {
    fail('INVALID_SCHEDULE', 'cosineBetaMax', `got ${String(betaMax)} with b(0) = ${beta0}`, `a finite number > b(0) = ${beta0} (the schedule stops where b reaches it)`);
  }
  const horizon = T - (T * Math.atan(k / (betaMax * T))) / k;
  return checkSchedule({
    name: `cosine(${s}, ${betaMax}, ${T})`,
    horizon,
    // b(t) = (k/T) tan(theta), written 1 / tan(pi/2 - theta) = 1 / tan(k (T - t)/T) past pi/4 (no loss near T').
    beta: (t) => {
      const phi = (k * (T - t)) / T;
      return (k / T) * (phi >= Math.PI / 4 ? Math.tan(k * (t / T + s)) : 1 / Math.tan(phi));
    },
    // With d = k t/T: cos(theta)/cos(theta(0)) = 1 - x, x = 2 sin^2(d/2) + tan(theta(0)) sin d >= 0, so
    // B = -log1p(-x) without cancellation while x <= 1/2; beyond, B = log cos(theta(0)) - log sin(k (T - t)/T).
    integral: (t) => {
      const d = (k * t) / T;
      const half = Math.sin(d / 2);
      const x = 2 * half * half + tan0 * Math.sin(d);
      return x <= 0.5 ? -Math.log1p(-x) : logCos0 - Math.log(Math.sin((k * (T - t)) / T));
    },
  }, 'log cos(theta(0)) + log hypot(1, cosineBetaMax T / k)');
}
