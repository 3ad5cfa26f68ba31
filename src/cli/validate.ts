/**
 * `gaussdiff validate`: simulate particles through one scheme with the exact score and say whether the
 * closed form is consistent with the Monte Carlo at a stated level.
 */
import { type Command, Option } from 'commander';
import { validate, writeNpy, SCHEME_NAMES, } from '../node.js';
import { checkOutputPath } from '../io/files.js';
import { MAX_PARTICLES } from '../diffusion/montecarlo.js';
import { integer, loadSpectrum, number, scheduleOptions, spectrumOption } from './options.js';
import { jsonNumber, write } from './output.js';

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

