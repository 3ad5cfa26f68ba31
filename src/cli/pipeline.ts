/**
 * `gaussdiff pipeline`: the expected W2^2 of the score-matching -> sampling pipeline (pipelineError): N samples,
 * a linear score fitted by DSM (exactly or by SGD), a sampler driven by it. Prints
 * {"w2sq": {"firstOrder", "refined", "monteCarlo": {"mean", "stderr", "draws"}}, "decomposition":
 * {"generalization", "optimization", "discretization", "noise"}} with --json ("diagnostics" when there are
 * any), or a table by source with the Monte Carlo and its verdict. The pipeline options are shared with
 * `tradeoff` (pipelineOptions, pipelineValues).
 */
import { type Command, Option } from 'commander';
import { EDM_SAMPLER_NAMES, GaussdiffError } from '../node.js';
import { MAX_SGD_STEPS, pipelineError, type PipelineOptions, type PipelineResult } from '../learning/pipeline.js';
import { choice, given, integer, loadSpectrum, number, spectrumOption } from './options.js';
import { jsonNumber, significant, write } from './output.js';
import { checkPlot, plotOption, savePlot } from './plot.js';

export const PIPELINE_SAMPLERS = ['langevin', 'ula', 'diffusion', ...EDM_SAMPLER_NAMES];

/** The options of the pipeline (API names in comments), shared by `pipeline` and `tradeoff`. */
export function pipelineOptions(cmd: Command, samplesRequired = true): Command {
  const samples = new Option('--samples <N>', 'number of training samples N').argParser(integer('--samples', 1, Number.MAX_SAFE_INTEGER, 'an integer N >= 1'));
  return spectrumOption(cmd)
    .addOption(samplesRequired ? samples.makeOptionMandatory() : samples)
    .addOption(new Option('--sigma <s>', 'DSM noise amplitude sigma (langevin, ula)').argParser(number('--sigma')))
    .addOption(new Option('--tau <t>', 'SGD step tau (default 0: the exact DSM minimiser)').argParser(number('--tau')))
    .addOption(new Option('--batch <B>', 'SGD batch size (default 1)').argParser(integer('--batch', 1, Number.MAX_SAFE_INTEGER)))
    .addOption(new Option('--sgd <law>', `SGD: its stationary law (default) or K steps from A = 0`).argParser(sgdLaw))
    .addOption(new Option('--fit <how>', 'exact DSM minimiser or sgd (default: sgd when --tau > 0)').argParser(choice('--fit', ['exact', 'sgd'])))
    .addOption(new Option('--sampler <name>', `langevin (default), ula, diffusion (VE Euler-Maruyama), or a k-diffusion sampler (${EDM_SAMPLER_NAMES.join(', ')})`)
      .argParser(choice('--sampler', PIPELINE_SAMPLERS)))
    .addOption(new Option('--gamma <g>', 'ULA step gamma').argParser(number('--gamma')))
    .option('--denoise', 'final Tweedie denoising step')
    .addOption(new Option('--mean <m>', 'mean of the data known (default) or estimated (affine score)').argParser(choice('--mean', ['known', 'estimated'])))
    .option('--symmetric', 'symmetric parameterization A = A^T (langevin, ula)')
    .addOption(new Option('--sigma-min <a>', 'diffusion: smallest noise level sigma_min').argParser(number('--sigma-min')))
    .addOption(new Option('--sigma-max <b>', 'diffusion: largest noise level sigma_max').argParser(number('--sigma-max')))
    .addOption(new Option('--levels <K>', 'diffusion: number of steps on the noise-variance grid').argParser(integer('--levels', 1, 1_000_000)))
    .addOption(new Option('--spacing <grid>', 'diffusion: grid uniform (default) or geometric in sigma^2').argParser(choice('--spacing', ['uniform', 'geometric'])))
    .addOption(new Option('--steps <N>', 'k-diffusion samplers: number of noise levels (default 20)').argParser(integer('--steps', 2, 100_000)))
    .addOption(new Option('--draws <M>', 'Monte-Carlo data sets (default 100 where the dimension allows; 0: none)').argParser(integer('--draws', 0, 1_000_000)))
    .addOption(new Option('--seed <k>', 'seed of the Monte Carlo (default 0)').argParser(integer('--seed', 0, 2 ** 53 - 1, 'an integer 0 <= seed < 2^53')));
}

function sgdLaw(text: string): 'stationary' | number {
  if (text === 'stationary') return text;
  if (/^\d+$/.test(text) && Number(text) >= 1 && Number(text) <= MAX_SGD_STEPS) return Number(text);
  throw new GaussdiffError('INVALID_OPTION', '--sgd', `got ${JSON.stringify(text)}`, `stationary, or a number of steps from 1 to ${MAX_SGD_STEPS}`);
}

/** pipelineError's options from commander's values (unset ones left out, so that the API's defaults apply). */
export function pipelineValues(o: Record<string, unknown>): PipelineOptions {
  return given<PipelineOptions>({
    samples: o.samples, sigma: o.sigma, tau: o.tau, batch: o.batch, sgd: o.sgd, fit: o.fit, sampler: o.sampler, gamma: o.gamma,
    denoise: o.denoise, meanEstimated: o.mean === undefined ? undefined : o.mean === 'estimated', symmetric: o.symmetric,
    sigmaMin: o.sigmaMin, sigmaMax: o.sigmaMax, levels: o.levels, spacing: o.spacing, steps: o.steps, draws: o.draws, seed: o.seed,
  });
}

/**
 * A line on stderr, refreshed every second, once a job has run for a second, when stderr is a terminal
 * (the pipeline's Monte Carlo has no per-draw callback: elapsed time, and the rows done for `tradeoff`).
 */
export function ticker(label: string): { status: (text: string) => void; stop: () => void } {
  if (!process.stderr.isTTY) return { status: () => {}, stop: () => {} };
  const start = Date.now();
  let text = '';
  let shown = false;
  const timer = setInterval(() => {
    shown = true;
    process.stderr.write(`\r${label}${text ? ` ${text}` : ''}, ${Math.round((Date.now() - start) / 1000)} s\x1b[K`);
  }, 1000);
  timer.unref();
  return {
    status: (t) => { text = t; },
    stop: () => { clearInterval(timer); if (shown) process.stderr.write('\r\x1b[K'); },
  };
}

export const resultJson = (w: PipelineResult['w2sq'], d: PipelineResult['decomposition']): string => {
  const mc = w.monteCarlo;
  return `"w2sq":{"firstOrder":${jsonNumber(w.firstOrder)},"refined":${w.refined === null ? 'null' : jsonNumber(w.refined)},`
    + `"monteCarlo":${mc ? `{"mean":${jsonNumber(mc.mean)},"stderr":${jsonNumber(mc.stderr)},"draws":${mc.draws}}` : 'null'}},`
    + `"decomposition":{"generalization":${jsonNumber(d.generalization)},"optimization":${jsonNumber(d.optimization)},`
    + `"discretization":${jsonNumber(d.discretization)},"noise":${jsonNumber(d.noise)}}`;
};

/** Whether the Monte Carlo and the first order agree within 3 standard errors, in words. */
export function verdict(firstOrder: number, mc: { mean: number; stderr: number }): string {
  if (!Number.isFinite(mc.mean)) return 'the Monte Carlo is Infinity (a draw without a stationary law): the first-order expansion does not hold here';
  const z = mc.stderr > 0 ? Math.abs(mc.mean - firstOrder) / mc.stderr : Infinity;
  return z <= 3 ? `Monte Carlo and first order agree within 3 SE (|difference| = ${z.toFixed(1)} SE)`
    : `Monte Carlo and first order differ by ${z.toFixed(1)} SE: the first-order expansion does not hold here (ratio ${significant(mc.mean / firstOrder, 3)})`;
}

export function pipelineCommand(prog: Command): void {
  const cmd = prog.command('pipeline')
    .description('Expected W2^2 of score matching -> sampling on N(0, S): first order by source, refined, and Monte Carlo over data sets');
  plotOption(pipelineOptions(cmd).option('--json', 'print {"w2sq": {"firstOrder", "refined", "monteCarlo"}, "decomposition": {...}} as JSON'));
  cmd.action(async (o) => {
    checkPlot(o.plot);
    const opts = pipelineValues(o);
    const spectrum = await loadSpectrum(o.spectrum, Boolean(o.json));
    const tick = ticker('pipeline');
    let r: PipelineResult;
    try {
      r = await pipelineError(spectrum, opts);
    } finally {
      tick.stop();
    }
    if (o.json) {
      const diagnostics = r.diagnostics.length ? `,"diagnostics":${JSON.stringify(r.diagnostics)}` : '';
      await write(`{${resultJson(r.w2sq, r.decomposition)}${diagnostics}}\n`);
    } else await write(pipelineText(r));
    await savePlot(o.plot, (a, document) => a.decompositionFigure(r, { document }));
  });
}

function pipelineText(r: PipelineResult): string {
  const { w2sq: w, decomposition: d } = r;
  const share = (x: number) => (w.firstOrder > 0 && Number.isFinite(w.firstOrder) ? `${(100 * x / w.firstOrder).toFixed(1)}%` : '-');
  const rows = [['source', 'E W2^2 (first order)', 'share'],
    ...(['generalization', 'optimization', 'discretization', 'noise'] as const).map((k) => [k, significant(d[k], 5), share(d[k])]),
    ['total', significant(w.firstOrder, 5), share(w.firstOrder)]];
  const widths = rows[0].map((_, j) => Math.max(...rows.map((row) => row[j].length)));
  const lines = rows.map((row) => row.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  '));
  const mc = w.monteCarlo;
  lines.push('', `refined      ${w.refined === null ? '-' : significant(w.refined, 5)}`,
    `Monte Carlo  ${mc ? `${significant(mc.mean, 5)} +- ${significant(mc.stderr, 2)} (${mc.draws} data sets)` : '-'}`);
  if (mc) lines.push(`verdict      ${verdict(w.firstOrder, mc)}`);
  for (const g of r.diagnostics) lines.push(`note: ${g.message}`);
  return `${lines.join('\n')}\n`;
}
