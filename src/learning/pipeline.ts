/**
 * The whole score-matching -> sampling pipeline (Hurault, Terris, Moreau & Peyre; docs/math.md §3.5-§3.6):
 * N samples of N(0, S) -> a linear score fitted by DSM (exactly, or by SGD) -> a sampler driven by it ->
 * the expected W2^2 of its output law to N(0, S), three ways:
 *
 * - firstOrder: the kernel norm sum_ij K(l_i, l_j) of the spectrum, one kernel per source (kernels.ts);
 * - refined: exact bias + the Bures Hessian at the biased output + the sampler's exact Jacobian (refined.ts);
 * - monteCarlo: M data sets drawn, fitted, pushed through the sampler's exact output covariance, and measured
 *   with the exact Bures distance; mean and standard error.
 *
 * and splits the first-order error by source: generalization (finite N), optimization (SGD), noise (the bias
 * of the same sampler in continuous time with the exact score: sigma^2 for Langevin, sigma_min^2 for the
 * diffusion) and discretization (the rest of the exact-score bias: what the step gamma or the grid adds).
 * A k-diffusion sampler (edmSamplerError's names) is driven per level by the exact fit of the same samples
 * (samplers.ts learnedSamplerCovariance); its exact-score error is all counted as discretization.
 */
import { GaussdiffError, fail } from '../core/errors.js';
import { checkInteger, checkSeed, describe } from '../core/checks.js';
import { checkOptions, optionKeys } from '../core/options.js';
import { neumaierSum } from '../core/sums.js';
import { singularValuesResidentIn } from '../linalg/bures.js';
import { eighResidentIn } from '../linalg/eigh.js';
import { clipPsd } from '../linalg/functions.js';
import { normals, normalsIn } from '../random/random.js';
import { prepareSpectrum, type SpectrumInput } from '../spectra/spectrum.js';
import { withWasm, type WasmScope } from '../wasm/kernel.js';
import { EDM_SAMPLERS } from '../diffusion/edm/samplers/index.js';
import { edmSamplerError } from '../diffusion/statespace/index.js';
import { dsmFit, dsmSgd, sgdStationary, type DsmFit } from './dsm.js';
import {
  KERNEL_PARAM_KEYS, biasTerm, pipelineKernel, resolveKernelParams,
  type KernelParams, type ResolvedKernelParams,
} from './kernels.js';
import { exactScore, langevinOutputVariance, veGrid } from './modes.js';
import { refinedPrediction } from './refined.js';
import { diffusionSamplerCovariance, langevinSamplerCovariance, learnedSamplerCovariance, targetW2Squared, type LinearScore } from './samplers.js';

export interface PipelineOptions extends Omit<KernelParams, 'sampler'> {
  /** 'langevin' (default), 'ula', 'diffusion' (VE Euler-Maruyama), or a k-diffusion sampler name (exact fit only). */
  sampler?: string;
  /** How the score is learned: 'exact' DSM minimiser (default without tau) or 'sgd' (default with tau > 0). */
  fit?: 'exact' | 'sgd';
  /** SGD: its 'stationary' law (default) or that many steps from A = 0 (simulated). */
  sgd?: 'stationary' | number;
  /** Monte-Carlo data sets M (default 100 when the dimension allows it; 0: no Monte Carlo). */
  draws?: number;
  /** Seed of the Monte Carlo (default 0). */
  seed?: number;
  /** k-diffusion samplers: number of noise levels (default 20); their other options take k-diffusion's defaults. */
  steps?: number;
}

export const PIPELINE_KEYS = optionKeys<PipelineOptions>({
  ...Object.fromEntries(KERNEL_PARAM_KEYS.map((k) => [k, true])) as Record<keyof KernelParams, true>,
  fit: true, sgd: true, draws: true, seed: true, steps: true,
});

/** Largest dimension d for the Monte Carlo (dense d x d covariances per draw). */
export const MAX_MC_DIMENSION = 2048;
/** Most samples x dimension drawn per data set. */
export const MAX_MC_SAMPLE_VALUES = 2 ** 26;
/** Most distinct values for the refined prediction (O(D^2 levels) plain-TS work). */
export const MAX_REFINED_VALUES = 4096;
/** Most simulated SGD steps per fit. */
export const MAX_SGD_STEPS = 10_000_000;

export interface PipelineDiagnostic {
  code: 'no-monte-carlo' | 'no-refined' | 'kernel' | 'unstable-draw';
  message: string;
}

export interface PipelineResult {
  w2sq: {
    /** Leading order: sum of the kernel norms of the sources (exact bias per mode unless bias: 'first-order'). */
    firstOrder: number;
    /** Exact bias + Hessian at the biased point + exact Jacobian; null where not derived (see diagnostics). */
    refined: number | null;
    /** Mean of W2^2 over `draws` data sets, its standard error; null without Monte Carlo; Infinity (both) with an
     *  'unstable-draw' diagnostic when a draw's sampler diverges. */
    monteCarlo: { mean: number; stderr: number; draws: number } | null;
  };
  /** The first-order error by source; they add up to firstOrder. */
  decomposition: { generalization: number; optimization: number; discretization: number; noise: number };
  /** Per distinct eigenvalue: which modes carry which error (first order). */
  perMode: { values: Float64Array; counts: Float64Array; generalization: Float64Array; optimization: Float64Array; bias: Float64Array };
  diagnostics: PipelineDiagnostic[];
}

export interface Resolved {
  kernel: ResolvedKernelParams;
  kernelParams: KernelParams;
  edm: string | null;
  fit: 'exact' | 'sgd';
  sgd: 'stationary' | number;
  draws: number | undefined;
  seed: number;
  steps: number;
}

/** Check every option before any work (exported for tradeoff.ts, which checks every row before the first). */
export function resolve(opts: PipelineOptions): Resolved {
  if (opts === undefined || opts === null) fail('MISSING_OPTION', 'opts.samples', 'no options', 'an options object with samples, sigma, ...');
  checkOptions(opts, PIPELINE_KEYS, 'opts');
  const { fit: fitOpt, sgd: sgdOpt, draws, seed, steps, sampler = 'langevin', ...rest } = opts;
  const edm = sampler in EDM_SAMPLERS ? sampler : null;
  if (!edm && !['langevin', 'ula', 'diffusion'].includes(sampler)) {
    fail('INVALID_OPTION', 'sampler', `got ${describe(sampler)}`, `langevin, ula, diffusion or a k-diffusion sampler (${Object.keys(EDM_SAMPLERS).join(', ')})`);
  }
  // A k-diffusion sampler sees the exact fit at its own levels: its kernels are those of the exact score
  // (generalization) plus its own exact-score error, so the kernel parameters are checked as Langevin's.
  const kernelParams: KernelParams = { ...rest, sampler: edm ? 'langevin' : (sampler as KernelParams['sampler']) };
  if (edm) {
    for (const k of ['sigma', 'gamma', 'denoise', 'symmetric', 'sigmaMin', 'sigmaMax', 'levels', 'spacing', 'limit'] as const) {
      if (rest[k] !== undefined) fail('INVALID_OPTION', k, `not an option of the k-diffusion sampler '${edm}' here`, 'samples, tau (refused), meanEstimated, bias, steps, draws, seed');
    }
    if (rest.tau !== undefined && rest.tau !== 0) fail('INVALID_OPTION', 'tau', `SGD per level is not modelled for '${edm}'`, "tau with sampler 'langevin', 'ula' or 'diffusion'");
    kernelParams.sigma = 1; // unused by the generalization kernel; the bias comes from the engine
  } else if (steps !== undefined) {
    fail('INVALID_OPTION', 'steps', `steps is the number of noise levels of a k-diffusion sampler (sampler '${sampler}')`, "levels for 'diffusion', gamma for 'ula'");
  }
  const kernel = resolveKernelParams(kernelParams, 'opts');
  const fit = fitOpt ?? (kernel.tau > 0 ? 'sgd' : 'exact');
  if (fit !== 'exact' && fit !== 'sgd') fail('INVALID_OPTION', 'fit', `got ${describe(fitOpt)}`, "'exact' or 'sgd'");
  if (fit === 'sgd' && !(kernel.tau > 0)) fail('MISSING_OPTION', 'tau', "fit 'sgd' needs the SGD step", 'tau > 0');
  if (fit === 'exact' && kernel.tau > 0) fail('INVALID_OPTION', 'tau', `tau = ${kernel.tau} with fit 'exact' (no SGD)`, "leave tau out, or fit 'sgd'");
  let sgd: 'stationary' | number = 'stationary';
  if (sgdOpt !== undefined) {
    if (fit !== 'sgd') fail('INVALID_OPTION', 'sgd', "given with fit 'exact'", "sgd with fit 'sgd'");
    sgd = sgdOpt === 'stationary' ? sgdOpt : checkInteger(sgdOpt, 'sgd', 1, MAX_SGD_STEPS, `'stationary' or a number of steps from 1 to ${MAX_SGD_STEPS}`);
  }
  if (draws !== undefined) checkInteger(draws, 'draws', 0, 1_000_000, 'an integer from 0 to 1000000 (0: no Monte Carlo)');
  if (draws !== undefined && draws === 1) fail('INVALID_OPTION', 'draws', '1 draw has no standard error', '0, or at least 2 draws');
  return {
    kernel, kernelParams, edm, fit, sgd, draws,
    seed: checkSeed(seed ?? 0),
    steps: steps === undefined ? 20 : checkInteger(steps, 'steps', 2, 100_000, 'an integer from 2 to 100000'),
  };
}

/** The exact-score output variance of each mode in continuous time: the "noise" part of the bias. */
function noiseOnlyVariance(l: number, p: ResolvedKernelParams): number {
  // Continuous Langevin with the exact score: S + u I; the VE SDE solved exactly to u_min: S + u_min I; a final
  // Tweedie step maps l + u to l^2 / (l + u) (score-matching.md §3a, §3c, §3d).
  const u = p.sampler === 'diffusion' ? p.sigmaMin ** 2 : p.sigma ** 2;
  return p.denoise ? (l * l) / (l + u) : l + u;
}

/**
 * Expected W2^2 of the pipeline's output to N(0, S): first order (kernels), refined, and Monte Carlo, with the
 * first-order error split by source. `spectrum` is the eigenvalues of S (the Monte Carlo works in its
 * eigenbasis, which loses nothing: every step is equivariant under rotations).
 * Errors: those of the spectrum, of the kernel parameters (resolveKernelParams), INVALID_OPTION, MISSING_OPTION,
 * UNKNOWN_OPTION, TOO_LARGE (draws asked for on a dimension above MAX_MC_DIMENSION).
 */
export async function pipelineError(spectrum: SpectrumInput, opts: PipelineOptions): Promise<PipelineResult> {
  const r = resolve(opts);
  const spec = prepareSpectrum(spectrum);
  const d = spec.dimension;
  const { kernel: p } = r;
  const diagnostics: PipelineDiagnostic[] = [];
  const mcPossible = d <= MAX_MC_DIMENSION && p.samples * d <= MAX_MC_SAMPLE_VALUES;
  if (r.draws !== undefined && r.draws > 0 && !mcPossible) {
    fail('TOO_LARGE', 'draws', `a Monte Carlo in dimension d = ${d} with N = ${p.samples} samples`,
      `d <= ${MAX_MC_DIMENSION} and N d <= 2^26 (draws: 0 for the closed forms only)`);
  }
  const draws = r.draws ?? (mcPossible ? 100 : 0);
  if (draws === 0 && r.draws === undefined) {
    diagnostics.push({ code: 'no-monte-carlo', message: `no Monte Carlo: dimension ${d} or N d above the limits (d <= ${MAX_MC_DIMENSION}, N d <= 2^26)` });
  }

  // First order, by source and per mode.
  const ker = await pipelineKernel(spec, r.kernelParams);
  for (const dg of ker.diagnostics) diagnostics.push({ code: 'kernel', message: dg.message });
  const { values, counts } = ker;
  let bias = ker.perMode.bias;
  let discretization: number;
  let noise: number;
  if (r.edm) {
    // The sampler's own exact-score error, per distinct value, replaces the Langevin bias.
    const run = await edmSamplerError(spec, { sampler: r.edm, steps: r.steps });
    const byValue = new Map<number, number>();
    for (let k = 0; k < run.values.length; k++) byValue.set(run.values[k], (byValue.get(run.values[k]) ?? 0) + run.contributions[k]);
    bias = Float64Array.from(values, (x) => byValue.get(x) ?? 0);
    discretization = neumaierSum(bias);
    noise = 0;
  } else {
    const noisePerMode = Float64Array.from(values, (x, k) => counts[k] * biasTerm(x, noiseOnlyVariance(x, p), p.bias));
    noise = neumaierSum(noisePerMode);
    discretization = ker.sources.bias - noise;
  }
  const generalization = ker.sources.generalization;
  const optimization = ker.sources.optimization;
  const firstOrder = generalization + optimization + discretization + noise;

  // Refined (Langevin, ULA, VE diffusion).
  let refined: number | null = null;
  if (r.edm) {
    diagnostics.push({ code: 'no-refined', message: `the refined prediction is not derived for k-diffusion samplers ('${r.edm}')` });
  } else if (values.length > MAX_REFINED_VALUES) {
    diagnostics.push({ code: 'no-refined', message: `the refined prediction takes O(D^2) work: ${values.length} distinct values > ${MAX_REFINED_VALUES}` });
  } else {
    const grid = p.sampler === 'diffusion' ? veGrid(p.sigmaMax ** 2, p.sigmaMin ** 2, p.levels, p.spacing) : undefined;
    refined = refinedPrediction(values, counts, {
      samples: p.samples, u: p.sigma ** 2, tau: p.tau, batch: p.batch, sampler: p.sampler, gamma: p.gamma,
      denoise: p.denoise, meanEstimated: p.meanEstimated, symmetric: p.symmetric, grid, start: 'exact',
    }).total;
  }

  let monteCarlo = null;
  if (draws > 0) {
    // The Monte Carlo works with every mode: each distinct value repeated by its multiplicity.
    const l = new Float64Array(d);
    for (let k = 0, i = 0; k < values.length; k++) for (let c = 0; c < counts[k]; c++) l[i++] = values[k];
    monteCarlo = await monteCarloError(l, r, draws);
    if (monteCarlo.mean === Infinity) {
      diagnostics.push({ code: 'unstable-draw', message: "a Monte-Carlo draw's learned score gives a sampler without a stationary law (SGD error too large for tau / sigma^2): E W2^2 is Infinity" });
    }
  }
  return {
    w2sq: { firstOrder, refined, monteCarlo },
    decomposition: { generalization, optimization, discretization, noise },
    perMode: { values, counts, generalization: ker.perMode.generalization, optimization: ker.perMode.optimization, bias },
    diagnostics,
  };
}

/** M data sets: draw, fit, sampler covariance, exact W2^2; mean and standard error. */
async function monteCarloError(l: Float64Array, r: Resolved, draws: number): Promise<{ mean: number; stderr: number; draws: number }> {
  const d = l.length;
  const p = r.kernel;
  const n = p.samples;
  const rootL = l.map(Math.sqrt);
  const traceL = neumaierSum(l);
  const w = new Float64Array(draws);
  // An exact fit driving Langevin or ULA has a per-mode output: the whole draw stays in one Wasm scope.
  const perMode = r.fit === 'exact' && !r.edm && p.sampler !== 'diffusion';
  for (let m = 0; m < draws; m++) {
    if (perMode) {
      w[m] = await withWasm((scope) => perModeDrawIn(scope, l, rootL, traceL, r, m));
      continue;
    }
    // x_j ~ N(0, diag(l)): one stream, data set m at offset m N d.
    const x = await normals(n * d, { seed: r.seed, offset: m * n * d });
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x[i * d + j] *= rootL[j];
    const mean = p.meanEstimated ? 'estimated' : 'known';
    const fit = await dsmFit(x, d, p.sampler === 'diffusion' ? p.sigmaMin : r.edm ? 1 : p.sigma, { mean });
    const meanTerm = fit.mean ? neumaierSum(fit.mean.map((v) => v * v)) : 0;
    w[m] = meanTerm + await drawError(l, rootL, traceL, x, fit, r, m);
  }
  // A diverging draw (see drawError) makes E W2^2 infinite: mean and standard error are Infinity (diagnosed).
  if (w.some((v) => v === Infinity)) return { mean: Infinity, stderr: Infinity, draws };
  const mean = neumaierSum(w) / draws;
  const varSum = neumaierSum(w.map((v) => (v - mean) ** 2));
  return { mean, stderr: Math.sqrt(varSum / (draws - 1) / draws), draws };
}

/** W2^2 = tr S + sum v - 2 ||diag(sqrt l) U diag(sqrt v)||_* of a per-mode output U diag(v) U^T (Bures, the nuclear
 *  norm of a factor of S^{1/2} C^{1/2}), U the eigenvectors of S_N (row-major, columns). */
function perModeW2In(scope: WasmScope, rootL: Float64Array, traceL: number, vectors: Float64Array, v: Float64Array): number {
  const d = rootL.length;
  const px = scope.f64(d * d, vectors);
  return perModeW2ResidentIn(scope, rootL, traceL, px, v);
}

/** The same with U in the scope's Wasm memory at pu (scaled in place into the factor: overwritten). */
function perModeW2ResidentIn(scope: WasmScope, rootL: Float64Array, traceL: number, pu: number, v: Float64Array): number {
  const d = rootL.length;
  const x = scope.view(pu, d * d);
  const rootV = v.map((t) => Math.sqrt(Math.max(t, 0)));
  for (let i = 0; i < d; i++) {
    const li = rootL[i];
    for (let j = 0, k = i * d; j < d; j++, k++) x[k] *= li * rootV[j];
  }
  return Math.max(traceL + neumaierSum(v) - 2 * neumaierSum(singularValuesResidentIn(scope, pu, d, d)), 0);
}

/**
 * W2^2 (with the mean term) of draw m for an exact DSM fit and Langevin or ULA (+- Tweedie), in one Wasm scope:
 * the samples are drawn, scaled and reduced in Wasm memory (no copies out), S_N is eigendecomposed once, and
 * the output variances come per mode (no dense U diag(v) U^T). Same data set and same numbers, to rounding, as
 * dsmFit + langevinSamplerCovariance on normals(N d, { seed, offset: m N d }).
 */
function perModeDrawIn(scope: WasmScope, l: Float64Array, rootL: Float64Array, traceL: number, r: Resolved, m: number): number {
  const d = l.length;
  const p = r.kernel;
  const n = p.samples;
  const u = p.sigma ** 2;
  // A*_N = U diag(1 / (mu + u)) U^T (§2); per mode Langevin or ULA, then Tweedie (§3a-§3c).
  const variance = (mu: number) => langevinOutputVariance(exactScore(mu, u), p.gamma, p.denoise ? u : 0);
  // Modes with l = 0 (first in ascending order) have samples exactly 0: S_N (centred or not) is block diagonal,
  // they keep mu = 0, output variance(0) and zero rows of the Bures factor. The work is on the q others.
  let zeros = 0;
  while (zeros < d && l[zeros] === 0) zeros++;
  const q = d - zeros;
  // x_j ~ N(0, diag(l)): one stream, data set m at offset m N d; row i keeps its q positive modes, packed.
  const px = scope.f64(n * d);
  normalsIn(scope, px, n * d, r.seed, m * n * d);
  const x = scope.view(px, n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < q; j++) x[i * q + j] = x[i * d + zeros + j] * rootL[zeros + j];
  let w2 = zeros > 0 ? zeros * variance(0) : 0;
  let meanTerm = 0;
  if (q > 0) {
    // S_N = X^T X / N, or sum (x - xbar)(x - xbar)^T / N with the mean estimated (score-matching.md §1).
    const pc = scope.f64(q * q);
    const pm = scope.f64(q);
    const pt = scope.f64(q);
    const pw = scope.f64(scope.kernel.blasGemmWorkspace(q, n, q));
    if (p.meanEstimated) scope.kernel.blasCenter(px, n, q, pm, pt);
    scope.kernel.blasSyrk(px, n, q, pc, 1 / n, pw);
    if (p.meanEstimated) meanTerm = neumaierSum(scope.read(pm, q).map((t) => t * t));
    const eig = eighResidentIn(scope, pc, q); // S_N is exactly symmetric (SYRK): decomposed where it lies
    w2 += perModeW2ResidentIn(scope, rootL.subarray(zeros), traceL, eig.vectors, clipPsd(eig.values, 'samples').map(variance));
  }
  return meanTerm + w2;
}

/** W2^2 (without the mean term) of the sampler's output for one fitted data set. */
async function drawError(l: Float64Array, rootL: Float64Array, traceL: number, x: Float64Array, fit: DsmFit, r: Resolved, m: number): Promise<number> {
  const d = l.length;
  const p = r.kernel;
  const sgdSeed = (r.seed + 1 + m) % 2 ** 53;
  // A per-mode output U diag(v) U^T: W2^2 = tr S + sum v - 2 ||diag(sqrt l) U diag(sqrt v)||_* (Bures, the
  // nuclear norm of a factor of S^{1/2} C^{1/2}).
  const perMode = (v: Float64Array) => withWasm((scope) => perModeW2In(scope, rootL, traceL, fit.vectors, v));
  if (r.edm) return perMode((await learnedSamplerCovariance(fit, { sampler: r.edm, steps: r.steps })).variances!);
  // The learned score at noise variance u: exact fit (U diag(1 / (mu + u)) U^T), or SGD around it.
  const score = async (u: number, level: number): Promise<LinearScore> => {
    const values = fit.mu.map((x) => exactScore(x, u));
    if (r.fit === 'exact') return { values, vectors: fit.vectors };
    const at: DsmFit = { ...fit, sigma: Math.sqrt(u), values };
    const seed = (sgdSeed * 1009 + level) % 2 ** 53;
    if (r.sgd === 'stationary') return { matrix: await sgdStationary(at, { tau: p.tau, batch: p.batch, count: 1, seed, symmetric: p.symmetric }) };
    // r.sgd steps of SGD from A = 0 on this data set (dsmSgd), the score at the last step.
    // With the mean estimated, SGD learns A of the affine score on the centred data (m = the sample mean).
    const data = fit.mean ? x.map((v, k) => v - fit.mean![k % d]) : x;
    const run = await dsmSgd(data, d, Math.sqrt(u), { tau: p.tau, batch: p.batch, steps: r.sgd as number, seed, symmetric: p.symmetric });
    return { matrix: run.matrices.subarray(run.matrices.length - d * d) };
  };
  if (p.sampler === 'diffusion') {
    const grid = veGrid(p.sigmaMax ** 2, p.sigmaMin ** 2, p.levels, p.spacing);
    const scores: LinearScore[] = [];
    for (let k = 0; k < grid.length; k++) scores.push(await score(grid[k], k));
    // Exact start N(0, S + u_0 I) (the conventions' §3d): dense, since S and S_N do not commute.
    const out = await diffusionSamplerCovariance(scores, d, { levels: grid, start: 'exact', spectrum: l, denoise: p.denoise });
    return targetW2Squared(l, out.covariance, d);
  }
  const u = p.sigma ** 2;
  const learned = await score(u, 0);
  let out;
  try {
    out = await langevinSamplerCovariance(learned, d, {
      sampler: p.sampler as 'langevin' | 'ula', ...(p.sampler === 'ula' ? { gamma: p.gamma } : {}), ...(p.denoise ? { denoise: u } : {}),
    });
  } catch (e) {
    // An SGD draw whose A has no stationary law under this sampler (an eigenvalue with real part <= 0, or
    // |1 - gamma a| >= 1): the sampler diverges, its W2 is infinite. (The Gaussian stationary law of SGD has
    // unbounded support, so this has positive probability, negligible while tau / sigma^2 is small.)
    if (e instanceof GaussdiffError && (e.code === 'NOT_POSITIVE_DEFINITE' || (e.code === 'INVALID_OPTION' && e.argument === 'gamma'))) return Infinity;
    throw e;
  }
  return out.variances ? perMode(out.variances) : targetW2Squared(l, out.covariance, d);
}
