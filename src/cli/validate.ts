/**
 * `gaussdiff validate`: simulate particles through one scheme with the exact score and say whether the
 * closed form is consistent with the Monte Carlo at a stated level.
 */
import { type Command, Option } from 'commander';
import { validate, writeNpy, SCHEME_NAMES, type ValidateResult } from '../node.js';
import { checkOutputPath } from '../io/files.js';
import { MAX_PARTICLES } from '../diffusion/montecarlo.js';
import { integer, loadSpectrum, number, scheduleOptions, spectrumOption } from './options.js';
import { jsonNumber, write } from './output.js';

/** Chance of calling a right closed form inconsistent. */
export const LEVEL = 1e-3;

export function validateCommand(prog: Command): void {
  const cmd = prog.command('validate')
    .description('Monte-Carlo check of a closed form: simulate particles through one scheme with the exact score, compare the empirical per-mode variances and W2 with the exact ones, and give a verdict');
  spectrumOption(cmd)
    .addOption(new Option('--scheme <name>', SCHEME_NAMES.join(', ')).default('em'))
    .addOption(new Option('--steps <N>', 'number of grid points N').argParser(number('--steps')).default(100))
    .addOption(new Option('--eps <eps>', 'truncation time').argParser(number('--eps')).default(1e-3))
    .addOption(new Option('--init <start>', 'pT or normal').default('pT'))
    .addOption(new Option('--particles <B>', `particles per distinct eigenvalue (2 to ${MAX_PARTICLES})`).argParser(number('--particles')).default(1000))
    .addOption(new Option('--seed <K>', 'random seed (an integer from 0 to 2^53 - 1)').argParser(integer('--seed', 0, Number.MAX_SAFE_INTEGER)).default(0))
    .option('--variances-out <V.npy>', 'write the per-mode Monte-Carlo variances (input order) to a .npy')
    .option('--json', 'print {"closedForm", "monteCarlo": {"w2", "stderr", "bias"}, "maxAbsZ", "zBound", "level", "consistent"} as JSON');
  scheduleOptions(cmd).action(async (o) => {
    if (o.variancesOut !== undefined) checkOutputPath(o.variancesOut, '--variances-out');
    const spectrum = await loadSpectrum(o.spectrum, Boolean(o.json));
    const r = await validate(spectrum, {
      scheme: o.scheme, steps: o.steps, eps: o.eps, init: o.init, particles: o.particles, seed: o.seed,
      betaMin: o.betaMin, betaMax: o.betaMax, horizon: o.horizon,
    });
    if (o.variancesOut !== undefined) await writeNpy(o.variancesOut, r.variances);
    const bound = zBound(modes(spectrum, r), o.particles);
    const consistent = r.maxAbsZ < bound;
    if (o.json) {
      await write(`{"closedForm":${jsonNumber(r.closedForm)},"monteCarlo":{"w2":${jsonNumber(r.monteCarlo.w2)},"stderr":${jsonNumber(r.monteCarlo.stderr)},"bias":${jsonNumber(r.monteCarlo.bias)}},`
        + `"maxAbsZ":${jsonNumber(r.maxAbsZ)},"zBound":${jsonNumber(bound)},"level":${LEVEL},"consistent":${consistent}}\n`);
    } else {
      await write(`closed form W2   ${r.closedForm}\nMonte-Carlo W2   ${r.monteCarlo.w2} +- ${r.monteCarlo.stderr} (bias ${r.monteCarlo.bias})\n`
        + `max |z| per mode ${r.maxAbsZ} (bound ${bound.toPrecision(4)} at level ${LEVEL})\n`
        + `verdict          ${consistent ? 'consistent' : 'NOT consistent'}: the closed form ${consistent ? 'agrees' : 'disagrees'} with the Monte Carlo at level ${LEVEL} `
        + `(a right closed form exceeds the bound with probability <= ${LEVEL})\n`);
    }
  });
}

/** Distinct eigenvalues whose z-score is defined (finite, positive closed-form variance). */
function modes(spectrum: Float64Array, r: ValidateResult): number {
  const values = new Set<number>();
  for (let i = 0; i < spectrum.length; i++) if (Number.isFinite(r.zScores[i])) values.add(spectrum[i]);
  return values.size;
}

/**
 * The bound t on max |z| over m modes with B particles, exceeded with probability <= LEVEL when the closed
 * form is right: vhat / v ~ chi2_B / B, Chernoff bounds P(chi2_B/B - 1 >= x) <= exp(-B/2 (x - ln(1 + x)))
 * and P(chi2_B/B - 1 <= -x) <= exp(-B/2 (-x - ln(1 - x))) with x = t sqrt(2/B), and a union bound over
 * the m modes: t solves m (upper + lower) = LEVEL (bisection).
 */
export function zBound(m: number, b: number, alpha = LEVEL): number {
  const tail = (t: number): number => {
    const x = t * Math.sqrt(2 / b);
    const up = Math.exp(-(b / 2) * (x - Math.log1p(x)));
    const down = x < 1 ? Math.exp(-(b / 2) * (-x - Math.log1p(-x))) : 0;
    return m * (up + down);
  };
  let lo = 0;
  let hi = 100;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (tail(mid) > alpha) lo = mid;
    else hi = mid;
  }
  return hi;
}
