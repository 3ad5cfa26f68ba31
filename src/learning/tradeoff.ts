/**
 * Trade-offs of the score-matching -> sampling pipeline (docs/math.md §3, after ../shared/score-matching.md §5):
 *
 * - optimizeNoise: the sigma (Langevin, ULA) or sigma_min (VE diffusion) that minimises the first-order
 *   E W2^2 (pipelineKernel's total, exact bias per mode) with the other parameters fixed, by golden-section
 *   search on log sigma inside the best cell of a log-grid scan; beside it, the closed-form rule of §5 from
 *   the spectrum's G, Q, R (and the ULA + Tweedie exactness rule sigma^2 = gamma / 2).
 * - scalingCurve: pipelineError along one parameter (first order, refined, Monte Carlo, decomposition), and
 *   the ratio Monte Carlo / first order, which shows where the expansion stops holding.
 */
import { fail } from '../core/errors.js';
import { describe } from '../core/checks.js';
import { checkOptions, optionKeys } from '../core/options.js';
import { neumaierSum } from '../core/sums.js';
import { prepareSpectrum, type Spectrum, type SpectrumInput } from '../spectra/spectrum.js';
import { KERNEL_PARAM_KEYS, checkUlaStability, pipelineKernel, resolveKernelParams, type KernelParams } from './kernels.js';
import { MAX_MC_DIMENSION, MAX_MC_SAMPLE_VALUES, pipelineError, resolve, type PipelineOptions, type PipelineResult } from './pipeline.js';

/** The parameters of optimizeNoise: the kernel parameters without the one optimised, and the search range. */
export interface OptimizeNoiseOptions extends Omit<KernelParams, 'sigma' | 'sigmaMin'> {
  /** Search range [lo, hi] of sigma (or sigma_min), 0 < lo < hi. Default: sigma in [1e-6, 10] sqrt(l_max);
   *  sigma_min in [1e-6, 0.999] sigma_max. ULA: raised to keep gamma < 2 (l_min + sigma^2). */
  range?: [number, number];
}

export const OPTIMIZE_NOISE_KEYS = [...KERNEL_PARAM_KEYS.filter((k) => k !== 'sigma' && k !== 'sigmaMin'), 'range'];

export interface NoiseOptimum {
  /** What was optimised: 'sigma' (Langevin, ULA) or 'sigmaMin' (diffusion). */
  parameter: 'sigma' | 'sigmaMin';
  /** The minimiser and the first-order E W2^2 there. */
  value: number;
  w2sq: number;
  /** The first-order sources at the minimiser (bias = noise + discretization). */
  sources: { generalization: number; optimization: number; bias: number };
  method: 'golden-section';
  /** The range searched; atBoundary: the minimiser is at one of its ends (no interior optimum, e.g. tau = 0). */
  range: [number, number];
  atBoundary: boolean;
  evaluations: number;
  /**
   * The closed-form rule of §5 (value null where §5 has none, or R is infinite): Langevin/ULA s^2 (s +- gamma/2)
   * = tau Q / (2 B R), s = sigma^2; diffusion (uniform grid) s (s +- h/2) = h tau Q' / (8 B R), s = sigma_min^2,
   * h = (sigma_max^2 - s) / K; "-" with Tweedie. G/N is the generalization term (known mean), Q the small-sigma
   * optimization constant (tau Q / (B sigma^2); Q' for diffusion), R = sum 1 / (4 l). w2sq: first order there.
   */
  closedForm: { value: number | null; w2sq: number | null; rule: string; G: number; Q: number; R: number };
  /** ULA + Tweedie: sqrt(gamma / 2), where the exact-score bias vanishes for every mode (§3c); else null. */
  exactRule: number | null;
  diagnostics: string[];
}

/** Log-grid points scanned before the golden-section search. */
const SCAN_POINTS = 41;
/** Golden-section stops when the bracket in log sigma is below this. */
const LOG_TOLERANCE = 1e-8;

/**
 * The sigma (or sigma_min) minimising the first-order E W2^2 for fixed N, tau, B, gamma or grid (§5).
 * Errors: those of resolveKernelParams and of the spectrum, INVALID_OPTION (range; a k-diffusion sampler).
 */
export async function optimizeNoise(spectrum: SpectrumInput, opts: OptimizeNoiseOptions): Promise<NoiseOptimum> {
  if (opts === undefined || opts === null) fail('MISSING_OPTION', 'opts.samples', 'no options', 'an options object with samples, tau, batch, sampler, ...');
  checkOptions(opts, OPTIMIZE_NOISE_KEYS, 'opts');
  const { range, ...params } = opts;
  const diffusion = params.sampler === 'diffusion';
  const parameter = diffusion ? 'sigmaMin' : 'sigma';
  // The other parameters checked with a placeholder for the optimised one.
  const at = (x: number): KernelParams => ({ ...params, [parameter]: x });
  const p = resolveKernelParams(at(diffusion ? (params.sigmaMax as number) / 2 : 1), 'opts');
  if (range !== undefined) {
    if (!Array.isArray(range) || range.length !== 2 || !range.every((x) => typeof x === 'number' && x > 0 && Number.isFinite(x)) || !(range[0] < range[1])) {
      fail('INVALID_OPTION', 'opts.range', `got ${describe(range)}${Array.isArray(range) ? ` [${range.join(', ')}]` : ''}`, '[lo, hi] with 0 < lo < hi finite');
    }
    if (diffusion && !(range[1] < p.sigmaMax)) fail('INVALID_OPTION', 'opts.range', `hi = ${range[1]} is not below sigmaMax = ${p.sigmaMax}`, 'a range of sigma_min below sigmaMax');
  }
  const spec = prepareSpectrum(spectrum);
  const { values, counts } = spec;
  const lMin = values[0], lMax = values[values.length - 1];
  let [lo, hi] = range ?? (diffusion ? [1e-6 * p.sigmaMax, 0.999 * p.sigmaMax] : [1e-6 * Math.sqrt(lMax || 1), 10 * Math.sqrt(lMax || 1)]);
  // ULA is stable iff gamma < 2 (l_min + sigma^2): search above sigma^2 = gamma / 2 - l_min.
  if (p.sampler === 'ula' && p.gamma / 2 - lMin > 0) lo = Math.max(lo, Math.sqrt((p.gamma / 2 - lMin) * (1 + 1e-9)));
  if (!(lo < hi)) fail('INVALID_OPTION', 'opts.gamma', `ULA with gamma = ${p.gamma} is unstable on the whole range of sigma`, `sigma range above sqrt(gamma / 2 - l_min) = ${lo}`);
  if (p.sampler === 'ula') checkUlaStability({ ...p, sigma: hi }, lMin, 'opts');

  let evaluations = 0;
  const firstOrder = async (x: number) => { evaluations++; return pipelineKernel(spec, at(x)); };
  const f = async (t: number) => (await firstOrder(Math.exp(t))).total;

  // Scan a log grid, then golden section on log x in the cell around the best point.
  const a0 = Math.log(lo), b0 = Math.log(hi);
  const ts = Array.from({ length: SCAN_POINTS }, (_, k) => a0 + (k / (SCAN_POINTS - 1)) * (b0 - a0));
  const fs: number[] = [];
  for (const t of ts) fs.push(await f(t));
  let best = 0;
  for (let k = 1; k < SCAN_POINTS; k++) if (fs[k] < fs[best]) best = k;
  let tBest = ts[best];
  let fBest = fs[best];
  if (best > 0 && best < SCAN_POINTS - 1) {
    const g = (Math.sqrt(5) - 1) / 2;
    let a = ts[best - 1], b = ts[best + 1];
    let c = b - g * (b - a), d = a + g * (b - a);
    let fc = await f(c), fd = await f(d);
    while (b - a > LOG_TOLERANCE) {
      if (fc <= fd) { b = d; d = c; fd = fc; c = b - g * (b - a); fc = await f(c); }
      else { a = c; c = d; fc = fd; d = a + g * (b - a); fd = await f(d); }
    }
    const [t, ft] = fc <= fd ? [c, fc] : [d, fd];
    if (ft < fBest) { tBest = t; fBest = ft; }
  }
  const value = Math.exp(tBest);
  const at0 = await firstOrder(value);
  const diagnostics = at0.diagnostics.map((d) => d.message);
  const atBoundary = best === 0 || best === SCAN_POINTS - 1;
  if (atBoundary) diagnostics.push(`no interior minimum in [${lo}, ${hi}]: the first order is smallest at the ${best === 0 ? 'lower' : 'upper'} end`);

  // The closed-form rules (§5) from G, Q, R.
  const closedForm = await closedFormRule(spec, p, diffusion);
  let cfW2: number | null = null;
  if (closedForm.value !== null && closedForm.value > 0 && (!diffusion || closedForm.value < p.sigmaMax)
    && (p.sampler !== 'ula' || p.gamma < 2 * (lMin + closedForm.value ** 2))) {
    cfW2 = (await firstOrder(closedForm.value)).total;
  }
  return {
    parameter, value, w2sq: at0.total, sources: at0.sources, method: 'golden-section', range: [lo, hi], atBoundary, evaluations,
    closedForm: { ...closedForm, w2sq: cfW2 },
    exactRule: p.sampler === 'ula' && p.denoise ? Math.sqrt(p.gamma / 2) : null,
    diagnostics,
  };

  async function closedFormRule(sp: Spectrum, q: typeof p, diff: boolean) {
    const tr = neumaierSum(Float64Array.from(values, (l, k) => counts[k] * l));
    const R = neumaierSum(Float64Array.from(values, (l, k) => counts[k] / (4 * l))); // R = sum_i 1 / (4 l_i)
    // G and Q from the kernels themselves: gen = G / N (known mean); Q = lim sigma^2 K_opt (tau = B = 1, sigma -> 0).
    const tiny = 1e-8 * Math.sqrt(lMax || 1);
    const k = await pipelineKernel(sp, { samples: 1, sigma: tiny, tau: 1, batch: 1, symmetric: q.symmetric });
    const G = k.sources.generalization; // (1/2) [sum_ij l l' / (l + l') + (1/2) tr S]
    let Q = tiny ** 2 * k.sources.optimization;
    const out = (value: number | null, rule: string) => ({ value: R < Infinity ? value : null, rule, G, Q, R });
    if (!diff) {
      // s^2 (s + gamma/2) = tau Q / (2 B R) without Tweedie, s^2 (s - gamma/2) = ... with it (Langevin: gamma = 0).
      const half = q.sampler === 'ula' ? (q.denoise ? -q.gamma / 2 : q.gamma / 2) : 0;
      const rhs = (q.tau * Q) / (2 * q.batch * R);
      const s = increasingRoot((x) => x * x * (x + half) - rhs, Math.max(0, -half));
      return out(Math.sqrt(s), `sigma^2 (sigma^2 ${half < 0 ? '-' : '+'} ${q.sampler === 'ula' ? 'gamma/2' : '0'}) = tau Q / (2 B R)`);
    }
    // Q' = sum_ij (1 + delta_ij) (l^2 + l'^2) / (l + l') = 2 d tr S - 2 P + tr S, P = sum_ij l l' / (l + l') = 2 G - tr S / 2.
    const d = sp.dimension;
    Q = 2 * d * tr - 2 * (2 * G - tr / 2) + tr;
    if (q.spacing !== 'uniform') return out(null, 'none in §5 for a geometric grid');
    const uMax = q.sigmaMax ** 2, K = q.levels;
    const h = (u: number) => (uMax - u) / K;
    const sign = q.denoise ? -1 : 1;
    const rhs = (u: number) => (h(u) * q.tau * Q) / (8 * q.batch * R);
    // s (s +- h/2) = h tau Q' / (8 B R); with Tweedie the root lies above s = h(s) / 2, i.e. s = u_max / (2K + 1).
    const s = increasingRoot((u) => u * (u + sign * h(u) / 2) - rhs(u), q.denoise ? uMax / (2 * K + 1) : 0, uMax);
    return out(Math.sqrt(s), `sigma_min^2 (sigma_min^2 ${q.denoise ? '-' : '+'} h/2) = h tau Q' / (8 B R)`);
  }
}

/** The root of f, increasing on [lo, hi] (hi: doubled from 1 until f > 0), by bisection; lo if f(lo) >= 0. */
function increasingRoot(f: (x: number) => number, lo: number, hi?: number): number {
  if (!(f(lo) < 0)) return lo;
  let b = hi ?? Math.max(1, 2 * lo);
  while (hi === undefined && f(b) < 0 && b < 1e300) b *= 2;
  let a = lo;
  for (let i = 0; i < 200 && b - a > 1e-16 * b; i++) {
    const m = (a + b) / 2;
    if (f(m) < 0) a = m; else b = m;
  }
  return (a + b) / 2;
}

export type CurveAxis = 'sigma' | 'sigmaMin' | 'samples' | 'tau' | 'gamma';
export const CURVE_AXES: readonly CurveAxis[] = ['sigma', 'sigmaMin', 'samples', 'tau', 'gamma'];

export interface ScalingCurveOptions {
  /** The parameter that varies. */
  over: CurveAxis;
  /** Its values (1 to MAX_CURVE_POINTS). */
  values: ArrayLike<number>;
  /** Monte-Carlo data sets per point (default: opts.draws, else pipelineError's default). */
  draws?: number;
  /** Called after each row with (rows done, rows). */
  onProgress?: (done: number, total: number) => void;
}

export const SCALING_CURVE_KEYS = optionKeys<ScalingCurveOptions>({ over: true, values: true, draws: true, onProgress: true });
export const MAX_CURVE_POINTS = 1000;

export interface ScalingRow {
  x: number;
  firstOrder: number;
  refined: number | null;
  monteCarlo: PipelineResult['w2sq']['monteCarlo'];
  decomposition: PipelineResult['decomposition'];
  /** Monte Carlo / first order (null without Monte Carlo): 1 where the expansion holds. */
  ratio: number | null;
  /** pipelineError's (among them 'unstable-draw': a draw's learned score has no stationary law, the mean is Infinity). */
  diagnostics: PipelineResult['diagnostics'];
}

/**
 * E W2^2 of the pipeline along one parameter, as data for plots (score-matching.md §5, §8 "scaling curves"):
 * pipelineError at each value. Every row's options are checked before the first row runs.
 */
export async function scalingCurve(spectrum: SpectrumInput, opts: PipelineOptions, curve: ScalingCurveOptions): Promise<{ over: CurveAxis; rows: ScalingRow[] }> {
  if (curve === undefined || curve === null) fail('MISSING_OPTION', 'curve.over', 'no curve options', `{ over: ${CURVE_AXES.join(' | ')}, values }`);
  checkOptions(curve, SCALING_CURVE_KEYS, 'curve');
  const { over, values, draws, onProgress } = curve;
  if (onProgress !== undefined && typeof onProgress !== 'function') fail('INVALID_OPTION', 'curve.onProgress', `got ${describe(onProgress)}`, 'a function (done, total)');
  if (over === undefined) fail('MISSING_OPTION', 'curve.over', 'the parameter that varies is required', CURVE_AXES.join(', '));
  if (!CURVE_AXES.includes(over)) fail('INVALID_OPTION', 'curve.over', `got ${describe(over)}`, CURVE_AXES.join(', '));
  const n = (values as { length?: unknown } | null)?.length;
  if (values === null || typeof values !== 'object' || typeof n !== 'number' || n < 1 || n > MAX_CURVE_POINTS) {
    fail('INVALID_OPTION', 'curve.values', `got ${describe(values)}`, `an array of 1 to ${MAX_CURVE_POINTS} values of ${over}`);
  }
  const xs = Array.from(values);
  xs.forEach((x, i) => {
    const ok = typeof x === 'number' && Number.isFinite(x) && (over === 'tau' ? x >= 0 : x > 0) && (over !== 'samples' || Number.isInteger(x));
    if (!ok) fail('INVALID_OPTION', `curve.values[${i}]`, `got ${describe(x)}`, over === 'samples' ? 'integers N >= 1' : over === 'tau' ? 'finite numbers >= 0' : 'finite numbers > 0');
  });
  const rowOpts = xs.map((x): PipelineOptions => ({ ...opts, [over]: x, ...(draws === undefined ? {} : { draws }) }));
  const resolved = rowOpts.map((o) => resolve(o));
  const spec = prepareSpectrum(spectrum);
  for (const r of resolved) {
    if (!r.edm) checkUlaStability(r.kernel, spec.values[0], 'opts');
    if ((r.draws ?? 0) > 0 && !(spec.dimension <= MAX_MC_DIMENSION && r.kernel.samples * spec.dimension <= MAX_MC_SAMPLE_VALUES)) {
      fail('TOO_LARGE', 'draws', `a Monte Carlo in dimension d = ${spec.dimension} with N = ${r.kernel.samples} samples`, `d <= ${MAX_MC_DIMENSION} and N d <= 2^26 (draws: 0 for the closed forms only)`);
    }
  }
  const rows: ScalingRow[] = [];
  for (let i = 0; i < xs.length; i++) {
    const r = await pipelineError(spec, rowOpts[i]);
    const mc = r.w2sq.monteCarlo;
    rows.push({
      x: xs[i], firstOrder: r.w2sq.firstOrder, refined: r.w2sq.refined, monteCarlo: mc, decomposition: r.decomposition,
      ratio: mc && r.w2sq.firstOrder > 0 && Number.isFinite(r.w2sq.firstOrder) ? mc.mean / r.w2sq.firstOrder : null,
      diagnostics: r.diagnostics,
    });
    onProgress?.(i + 1, xs.length);
  }
  return { over, rows };
}
