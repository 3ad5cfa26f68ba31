/**
 * Monte-Carlo validation of the state-space engine (issue 9, "Outputs": `validate` for every sampler): B
 * particles per distinct eigenvalue run through the SAME tape as the closed form (./tape.ts), by a particle
 * interpreter of its rules, and the empirical output variances and W2 are compared with the exact ones.
 *
 * Particle rules (per mode i with data eigenvalue l and factors f_s = (a_s l + b_s) / (p_s l + q_s); every
 * register holds B particle values; the exact denoiser, lhat = l):
 *   start:   r_0 = sqrt(startScale l + startShift) z,  r_m = 0 (m > 0)
 *   LIN:     r_dst <- sum_j c_j r_src_j          PREC:  r_dst <- f_slot r_src
 *   NOISE:   r_dst <- r_dst + c xi, xi ~ N(0, 1) fresh per particle      MARK: nothing
 * In law this is the covariance recursion of ./tape.ts, so the output r_0 ~ N(0, v_i) exactly.
 *
 * Random numbers: draw j (the start is draw 0, the k-th NOISE op in tape order draw k + 1) of particle g
 * (global index, mode-major: g = i B + b) is value j * total + g (total = modes x B) of the normal stream
 * of `seed` (src/random/random.ts): same seed, same result.
 *
 * Statistics: those of the P&G validation (src/diffusion/montecarlo.ts, `summarize`): vhat_i = mean of
 * r_0^2 (known mean 0), z_i = (vhat_i - v_i) / (v_i sqrt(2/B)), the bias-corrected W2 with its delta-method
 * standard error, and the verdict max |z_i| <= zBound(modes, B) at level VALIDATE_LEVEL.
 */
import { fail } from '../../core/errors.js';
import { checkInteger, checkSeed } from '../../core/checks.js';
import { checkOptions } from '../../core/options.js';
import { neumaierSum } from '../../core/sums.js';
import { type SpectrumInput, prepareSpectrum } from '../../spectra/spectrum.js';
import { type DiscreteSamplerErrorOptions, DISCRETE_SAMPLER_ERROR_KEYS, discreteTape } from '../discrete/index.js';
import { EDM_SAMPLERS } from '../edm/samplers/index.js';
import { MAX_PARTICLES, maxSimulableVariance, summarize } from '../montecarlo.js';
import { normalsInto } from '../../random/random.js';
import { type EdmSamplerErrorOptions, EDM_SAMPLER_ERROR_KEYS, STATESPACE_BACKENDS, edmSamplerError, edmSigmas } from './index.js';
import { squaredRootGap } from './reference.js';
import { OP_LIN, OP_MARK, OP_NOISE, OP_PREC, SLOT_STRIDE, type Tape, noiseOps } from './tape.js';

export interface ValidateSamplerOptions extends EdmSamplerErrorOptions {
  /** Particles per distinct eigenvalue (B >= 2); default 1000. */
  particles?: number;
  /** Seed of the normal stream (an integer 0 <= seed < 2^53); default 0. */
  seed?: number;
}

// No modelSpectrum: the particles (validateTape) run the exact denoiser.
export const VALIDATE_SAMPLER_KEYS: readonly string[] = Object.freeze([...EDM_SAMPLER_ERROR_KEYS.filter((k) => k !== 'modelSpectrum'), 'particles', 'seed']);

export interface ValidateDiscreteSamplerOptions extends DiscreteSamplerErrorOptions {
  /** Particles per distinct eigenvalue (B >= 2); default 1000. */
  particles?: number;
  /** Seed of the normal stream (an integer 0 <= seed < 2^53); default 0. */
  seed?: number;
}

export const VALIDATE_DISCRETE_SAMPLER_KEYS: readonly string[] = Object.freeze([...DISCRETE_SAMPLER_ERROR_KEYS.filter((k) => k !== 'modelSpectrum'), 'particles', 'seed']);

/** Most particle values held at once (registers + one noise buffer, x modes x B): 2^25 f64, 256 MiB. */
export const MAX_PARTICLE_CELLS = 2 ** 25;

export interface SamplerValidation {
  /** The engine's exact W2. */
  readonly closedForm: number;
  readonly monteCarlo: {
    /** Bias-corrected Monte-Carlo W2 (unbiased for W2^2, then sqrt). */
    readonly w2: number;
    /** Its standard error (delta method). */
    readonly stderr: number;
    /** Plug-in W2 minus w2 (the finite-sample bias removed). */
    readonly bias: number;
    readonly plugIn: number;
  };
  /** max_i |z_i| over the distinct modes with a positive closed-form variance. */
  readonly maxAbsZ: number;
  /** The bound a right closed form exceeds with probability at most `level`. */
  readonly zBound: number;
  readonly level: number;
  /** maxAbsZ <= zBound. */
  readonly consistent: boolean;
  /** Per distinct eigenvalue (ascending): the values, closed-form and Monte-Carlo variances, z-scores. */
  readonly values: Float64Array;
  readonly closedFormVariances: Float64Array;
  readonly variances: Float64Array;
  readonly zScores: Float64Array;
}

/** TOO_LARGE, before any allocation, when the particle registers or the random stream would not fit. */
function checkParticleWork(tape: Tape, nModes: number, B: number): void {
  const total = nModes * B;
  if ((tape.registers + 1) * total > MAX_PARTICLE_CELLS) {
    fail('TOO_LARGE', 'particles', `${B} particles x ${nModes} distinct eigenvalues x ${tape.registers + 1} buffers (the tape's registers and one of noise) exceed ${MAX_PARTICLE_CELLS} values`,
      `particles x distinct eigenvalues x (registers + 1) <= ${MAX_PARTICLE_CELLS}`);
  }
  if ((noiseOps(tape) + 1) * total > Number.MAX_SAFE_INTEGER) {
    fail('TOO_LARGE', 'particles', 'the draws exceed the random stream (2^53 values)', 'fewer particles or distinct eigenvalues');
  }
}

/** TOO_LARGE when Monte Carlo cannot estimate a variance (its fourth moments overflow f64; montecarlo.ts). */
function checkSimulable(values: Float64Array, variances: Float64Array, B: number): void {
  const limit = maxSimulableVariance(B);
  for (let i = 0; i < values.length; i++) {
    if (!(Math.max(values[i], variances[i]) <= limit)) {
      fail('TOO_LARGE', 'spectrum', `eigenvalue ${values[i]} has closed-form output variance ${variances[i]}, which ${B} particles cannot estimate in f64`,
        `eigenvalues and output variances up to ${limit.toPrecision(3)} for B = ${B} particles`);
    }
  }
}

/**
 * Run the particles of `tape` (the exact denoiser: lhat = l) on the distinct eigenvalues `values` and compare
 * them with the closed-form variances `closedForm` (of the same modes, multiplicities `counts`). Internal:
 * the caller has checked everything (the tests pass a closed form of another tape to see the check fail).
 */
export async function validateTape(values: Float64Array, counts: Float64Array, closedForm: Float64Array, tape: Tape, B: number, seed: number): Promise<SamplerValidation> {
  const nModes = values.length;
  checkParticleWork(tape, nModes, B);
  checkSimulable(values, closedForm, B);
  const total = nModes * B;
  const R = tape.registers;
  const code = tape.code;
  const regs = Array.from({ length: R }, () => new Float64Array(total));
  const xi = new Float64Array(total);
  let draw = 0;
  // Start: r_0 = sqrt(startScale l + startShift) z (draw 0).
  await normalsInto(xi, { seed, offset: 0 });
  for (let i = 0; i < nModes; i++) {
    const s = Math.sqrt(tape.startScale * values[i] + tape.startShift);
    for (let b = i * B; b < (i + 1) * B; b++) regs[0][b] = s * xi[b];
  }
  // Per-mode factors f_s = (a_s l + b_s) / (p_s l + q_s) (tape.ts).
  const nSlots = tape.slots.length / SLOT_STRIDE;
  const factors = new Float64Array(nSlots * nModes);
  for (let s = 0; s < nSlots; s++) {
    const [a, bb, p, q] = tape.slots.subarray(SLOT_STRIDE * s, SLOT_STRIDE * (s + 1));
    for (let i = 0; i < nModes; i++) factors[s * nModes + i] = (a * values[i] + bb) / (p * values[i] + q);
  }
  for (let pc = 0; pc < code.length;) {
    const op = code[pc];
    if (op === OP_LIN) {
      // r_dst <- sum_j c_j r_src_j (into the noise buffer first: dst may be a src).
      const n = code[pc + 2];
      xi.fill(0);
      for (let j = 0; j < n; j++) {
        const src = regs[code[pc + 3 + 2 * j]];
        const c = code[pc + 4 + 2 * j];
        for (let g = 0; g < total; g++) xi[g] += c * src[g];
      }
      regs[code[pc + 1]].set(xi);
      pc += 3 + 2 * n;
    } else if (op === OP_PREC) {
      // r_dst <- f_slot(l_i) r_src, mode by mode.
      const dst = regs[code[pc + 1]];
      const src = regs[code[pc + 2]];
      const slot = code[pc + 3];
      for (let i = 0; i < nModes; i++) {
        const f = factors[slot * nModes + i];
        for (let g = i * B; g < (i + 1) * B; g++) dst[g] = f * src[g];
      }
      pc += 4;
    } else if (op === OP_NOISE) {
      // r_dst <- r_dst + c xi, xi fresh (draw number `draw`).
      draw++;
      await normalsInto(xi, { seed, offset: draw * total });
      const dst = regs[code[pc + 1]];
      const c = code[pc + 2];
      for (let g = 0; g < total; g++) dst[g] += c * xi[g];
      pc += 3;
    } else if (op === OP_MARK) {
      pc += 3;
    } else {
      fail('INTERNAL', 'tape', `unknown op ${op} at ${pc}`, 'a tape built by TapeBuilder');
    }
  }
  // Sums of r_0^2 and r_0^4 per mode, then the statistics of the P&G validation.
  const s2 = new Float64Array(nModes);
  const s4 = new Float64Array(nModes);
  for (let i = 0; i < nModes; i++) {
    let a2 = 0;
    let a4 = 0;
    for (let g = i * B; g < (i + 1) * B; g++) { const t = regs[0][g] ** 2; a2 += t; a4 += t * t; }
    s2[i] = a2;
    s4[i] = a4;
  }
  const stats = summarize(values, counts, closedForm, s2, s4, B);
  const terms = Float64Array.from(values, (l, i) => squaredRootGap(closedForm[i], l, counts[i]));
  return {
    closedForm: Math.sqrt(neumaierSum(terms)),
    monteCarlo: stats.monteCarlo,
    maxAbsZ: stats.maxAbsZ,
    ...stats.verdict,
    values: values.slice(),
    closedFormVariances: closedForm.slice(),
    variances: stats.vhat,
    zScores: stats.z,
  };
}

/** particles and seed of a validation (INVALID_OPTION). */
function checkParticleOptions(particles: unknown, seed: unknown): number {
  const B = checkInteger(particles, 'particles', 2, MAX_PARTICLES, `an integer number of particles per mode from 2 to ${MAX_PARTICLES}`);
  checkSeed(seed);
  return B;
}

/**
 * Monte-Carlo check of an EDM-frame (k-diffusion) sampler: its exact W2 and per-mode variances
 * (`edmSamplerError`) against particles through the same tape. Errors (before any work): those of
 * edmSamplerError, INVALID_OPTION for particles (an integer 2..2^28) and seed, TOO_LARGE (see above).
 */
export async function validateSampler(spectrum: SpectrumInput, opts: ValidateSamplerOptions): Promise<SamplerValidation> {
  checkOptions(opts, VALIDATE_SAMPLER_KEYS);
  if (opts === undefined) fail('MISSING_OPTION', 'opts.sampler', 'no options', 'an options object with sampler');
  const { particles = 1000, seed = 0, ...errorOpts } = opts;
  const B = checkParticleOptions(particles, seed);
  // The closed form (options, then the spectrum, checked there), and the sampler's tape as it builds it.
  const cf = await edmSamplerError(spectrum, errorOpts);
  const tape = EDM_SAMPLERS[errorOpts.sampler].build(edmSigmas(errorOpts), errorOpts);
  return validateTape(cf.values, cf.counts, cf.variances, tape, B, seed);
}

/**
 * Monte-Carlo check of a discrete-time (diffusers) sampler: particles through the tape that
 * discreteSamplerError evaluates (discreteTape) against its exact per-mode variances (the chosen back end).
 * Errors (before any work): those of discreteSamplerError, INVALID_OPTION for particles and seed, TOO_LARGE.
 */
export async function validateDiscreteSampler(spectrum: SpectrumInput, opts: ValidateDiscreteSamplerOptions): Promise<SamplerValidation> {
  checkOptions(opts, VALIDATE_DISCRETE_SAMPLER_KEYS);
  if (opts === undefined) fail('MISSING_OPTION', 'opts.sampler', 'no options', 'an options object with sampler');
  const { particles = 1000, seed = 0, ...errorOpts } = opts;
  const B = checkParticleOptions(particles, seed);
  const tape = discreteTape(errorOpts);
  const spec = prepareSpectrum(spectrum);
  const { variances } = await STATESPACE_BACKENDS[errorOpts.backend ?? 'wasm'](spec.values, spec.values, spec.counts, tape);
  return validateTape(spec.values, spec.counts, variances, tape, B, seed);
}
