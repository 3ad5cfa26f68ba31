/**
 * gaussdiff: exact Wasserstein errors of diffusion samplers for Gaussian data.
 * Environment-independent API, re-exported by the node entry (src/node.ts) and the browser bundle
 * (src/browser.ts), which only differ in how they load the Wasm module and whether threads exist.
 */
export { GaussdiffError, type ErrorCode } from './core/errors.js';
export { prepareSpectrum, isSpectrum, type Spectrum, type SpectrumInput, NEGATIVE_TOLERANCE } from './spectra/spectrum.js';
export { vpLinear, cosine, type CosineOptions, type ScheduleOptions, forwardVariance, DEFAULT_SCHEDULE, MAX_DECAY_INTEGRAL, SCHEDULES, SCHEDULE_NAMES, type Schedule, type ScheduleName, type VpLinearOptions } from './diffusion/schedules/index.js';
export { uniformGrid, validateGrid, gridGeometry, type GridGeometry } from './diffusion/grid.js';
export { SCHEMES, SCHEME_NAMES, type SchemeName, type SchemeDefinition, type StepGeometry, type Tableau, type Process } from './diffusion/samplers/index.js';
export { buildPlan, type Plan } from './diffusion/plan.js';
export { INITS, type Init, type PropagateInput, type PropagateOutput } from './diffusion/propagation.js';
export { continuousVariancesInto } from './diffusion/continuous.js';
export { neumaierSum } from './core/sums.js';
export { commutingW2Squared, contributionsInto } from './diffusion/w2.js';
export { type Backend, type Diagnostic, type RunOptions } from './diffusion/engine.js';
export { MAX_THREADS, validateThreads } from './runtime/threads.js';
export { table, formatTable, formatPaper, formatEps, TABLE_DEFAULTS, type TableOptions, type TableResult, type TableRow } from './diffusion/reports/table.js';
export {
  samplerError, curve, w2VsEps, contributions,
  type SamplerOptions, type SamplerError, type CurveOptions, type CurveResult, type CurveSeries,
  type EpsSweepOptions, type EpsSeries, type Contributions, type GridOptions,
} from './diffusion/reports/outputs.js';
export {
  edmSamplerError, STATESPACE_BACKENDS, type EdmSamplerErrorOptions, type EdmSamplerErrorResult,
} from './diffusion/statespace/index.js';
export { karrasSigmas, exponentialSigmas } from './diffusion/edm/sigmas.js';
export { EDM_SAMPLERS, EDM_SAMPLER_NAMES } from './diffusion/edm/samplers/index.js';
export { TapeBuilder, type Tape } from './diffusion/statespace/tape.js';
export {
  discreteSamplerError, discreteTape, discreteSchedule, discreteTimesteps, DISCRETE_SAMPLERS, DISCRETE_SAMPLER_NAMES,
  type DiscreteSamplerErrorOptions, type DiscreteSamplerErrorResult,
} from './diffusion/discrete/index.js';
export {
  validateSampler, validateDiscreteSampler, type ValidateSamplerOptions, type ValidateDiscreteSamplerOptions, type SamplerValidation,
} from './diffusion/statespace/validate.js';
export {
  stepsForNfe, rankSamplers, convergenceOrder, SETTINGS_GRID,
  type RankOptions, type RankResult, type RankRow, type RankBest, type ConvergenceOrderOptions, type ConvergenceOrderResult,
} from './diffusion/rank.js';
export { optimizeSigmas, MAX_OPTIMIZE_STEPS, type OptimizeSigmasOptions, type OptimizeSigmasResult } from './diffusion/optimize.js';
export {
  userSamplerError, RANK_TIE_TOLERANCE, type UserSamplerComparisonRow, type UserSampler, type UserModel, type UserSamplerExtra, type UserSamplerErrorOptions, type UserSamplerErrorResult,
} from './diffusion/byo.js';
export { parseNpy, parseNpyArray, toNpy, type NpyArray } from './io/npy.js';
export { imageLikeSpectrum, DEFAULT_SPECTRUM_DESCRIPTION } from './spectra/power-law.js';
export { propagateReference } from './diffusion/reference.js';
export { fft, fft2, type FftOptions, type ComplexArrays } from './fft/fft.js';
export { decodePng, encodePng, readPngHeader, type PngHeader } from './images/png.js';
export { MAX_IMAGE_PIXELS, type Image } from './images/image.js';
export { periodicComponent } from './images/periodic.js';
export { synthesizeAdsn } from './images/adsn.js';
export { adsnSpectrum, powerSpectrum, spectrumOfImage, type PowerSpectrumOptions } from './spectra/image.js';
export { eigh, checkSymmetric, type EighResult, type EighOptions } from './linalg/eigh.js';
export { gemm, covariance, cholesky, type CovarianceResult, type CovarianceOptions } from './linalg/blas.js';
export { spectralFunction, sqrtm, invSqrtm } from './linalg/functions.js';
export { buresW2, type BuresOptions, type BuresResult } from './linalg/bures.js';
export { spectrumOfCovariance, zeroNumericalNoise } from './spectra/covariance.js';
export { spectrumOfSamples, spectrumOfDataset, type Dataset } from './spectra/samples.js';
export { normals, normalsInto, uniforms, uniformsInto, generator, philox4x32, type StreamOptions } from './random/random.js';
export { sampleSpectrum, sampleCovariance, sampleStationary, type SeedOptions, type CovarianceSampleOptions } from './random/sampling.js';
export { validate, validateDense, type ValidateOptions, type ValidateResult } from './diffusion/montecarlo.js';
// Score matching -> sampling (Hurault, Terris, Moreau & Peyre; docs/math.md §3).
export { exactScore, langevinVariance, ulaVariance, tweedieVariance, veEmVariance, veGrid, modeW2Squared } from './learning/modes.js';
export {
  dsmFit, populationScore, dsmSgd, sgdEntryVariances, sgdStationary, toParameterization, fromParameterization,
  type DsmFit, type DsmFitOptions, type DsmSgdOptions, type DsmSgdResult, type Parameterization, type SgdStationaryOptions,
} from './learning/dsm.js';
export {
  langevinCovariance, ulaCovariance, tweedieCovariance, langevinSamplerCovariance, diffusionSamplerCovariance,
  learnedSamplerCovariance, targetW2Squared, modesW2Squared,
  type LinearScore, type LangevinSpec, type DiffusionSpec, type SamplerCovariance, type LearnedSamplerOptions,
} from './learning/samplers.js';
export {
  pipelineKernel, kernelHeatmap, MAX_KERNEL_MATRIX, MAX_KERNEL_LEVELS, MAX_HEATMAP_SIDE,
  type KernelParams, type KernelSource, type KernelSampler, type PipelineKernelResult, type PipelineKernelOptions, type KernelGrid, type KernelDiagnostic,
} from './learning/kernels.js';
export { refinedPrediction, type RefinedParams, type RefinedResult } from './learning/refined.js';
export {
  pipelineError, MAX_MC_DIMENSION, MAX_REFINED_VALUES,
  type PipelineOptions, type PipelineResult, type PipelineDiagnostic,
} from './learning/pipeline.js';
export {
  optimizeNoise, scalingCurve, CURVE_AXES, MAX_CURVE_POINTS,
  type OptimizeNoiseOptions, type NoiseOptimum, type ScalingCurveOptions, type ScalingRow, type CurveAxis,
} from './learning/tradeoff.js';
