/**
 * `gaussdiff tradeoff`: the pipeline's E W2^2 along one parameter (scalingCurve: first order, refined, Monte
 * Carlo, decomposition, ratio MC / first order), by default on a log grid x 2^k, k = -3..3, around the given
 * value; with --over sigma or sigma-min also the first-order optimum (optimizeNoise) and §5's closed-form rule.
 * JSON: {"over", "rows": [{"x", "w2sq", "decomposition", "ratio"}], "optimum"?}.
 */
import { type Command, Option } from 'commander';
import { GaussdiffError } from '../node.js';
import { optimizeNoise, scalingCurve, type CurveAxis, type NoiseOptimum, type OptimizeNoiseOptions, type ScalingRow } from '../learning/tradeoff.js';
import type { PipelineOptions } from '../learning/pipeline.js';
import { choice, loadSpectrum, numberList } from './options.js';
import { jsonNumber, significant, write } from './output.js';
import { pipelineOptions, pipelineValues, resultJson, ticker, verdict } from './pipeline.js';
import { checkPlot, plotOption, savePlot } from './plot.js';

const AXES: Record<string, CurveAxis> = { sigma: 'sigma', 'sigma-min': 'sigmaMin', samples: 'samples', tau: 'tau', gamma: 'gamma' };

/** The default curve: x 2^k, k = -3..3, around the given value (integers for samples). */
function defaultValues(over: CurveAxis, flag: string, centre: number | undefined): number[] {
  if (centre === undefined || !(centre > 0)) {
    throw new GaussdiffError('MISSING_OPTION', '--values', `--over ${flag} needs the values, or --${flag} > 0 for a grid around it`, `--values a,b,c or --${flag} x`);
  }
  const xs = [-3, -2, -1, 0, 1, 2, 3].map((k) => centre * 2 ** k);
  return over === 'samples' ? [...new Set(xs.map((x) => Math.max(1, Math.round(x))))] : xs;
}

export function tradeoffCommand(prog: Command): void {
  const cmd = prog.command('tradeoff')
    .description('The pipeline\'s E W2^2 along sigma, sigma_min, N, tau or gamma (first order, refined, Monte Carlo), and the optimal noise level');
  pipelineOptions(cmd, false)
    .addOption(new Option('--over <param>', 'the parameter that varies').argParser(choice('--over', Object.keys(AXES))).makeOptionMandatory())
    .addOption(new Option('--values <a,b,c>', 'its values (default: x 2^k, k = -3..3, around the given --sigma, --sigma-min, --samples, --tau or --gamma)').argParser(numberList('--values')))
    .option('--json', 'print {"over", "rows": [{"x", "w2sq", "decomposition", "ratio"}], "optimum"} as JSON');
  plotOption(cmd);
  cmd.action(async (o) => {
    checkPlot(o.plot);
    const over = AXES[o.over];
    const flag = o.over as string;
    const opts = pipelineValues(o);
    const centre = opts[over] as number | undefined;
    if (o.values !== undefined && centre !== undefined) {
      throw new GaussdiffError('INVALID_OPTION', `--${flag}`, `given with --values: the curve's values set ${flag}`, `--${flag} (a grid around it) or --values`);
    }
    if (o.values !== undefined && o.values.length === 0) throw new GaussdiffError('INVALID_OPTION', '--values', 'got an empty list', 'a comma-separated list of numbers');
    const values: number[] = o.values ?? defaultValues(over, flag, centre);
    if (over === 'samples') opts.samples = values[0];
    else if (opts.samples === undefined) throw new GaussdiffError('MISSING_OPTION', '--samples', 'is required by tradeoff (unless --over samples)', '--samples N');
    const spectrum = await loadSpectrum(o.spectrum, Boolean(o.json));
    const tick = ticker('tradeoff');
    let rows: ScalingRow[];
    let optimum: NoiseOptimum | null = null;
    try {
      rows = (await scalingCurve(spectrum, opts, { over, values, onProgress: (done, total) => tick.status(`row ${done}/${total}`) })).rows;
      if (over === 'sigma' || over === 'sigmaMin') optimum = await optimizeNoise(spectrum, noiseParams(opts));
    } finally {
      tick.stop();
    }
    if (o.json) {
      const row = (r: ScalingRow) => `{"x":${jsonNumber(r.x)},${resultJson({ firstOrder: r.firstOrder, refined: r.refined, monteCarlo: r.monteCarlo }, r.decomposition)},`
        + `"ratio":${r.ratio === null ? 'null' : jsonNumber(r.ratio)}${r.diagnostics.length ? `,"diagnostics":${JSON.stringify(r.diagnostics)}` : ''}}`;
      await write(`{"over":${JSON.stringify(over)},"rows":[${rows.map(row).join(',')}]${optimum ? `,"optimum":${optimumJson(optimum)}` : ''}}\n`);
    } else await write(tradeoffText(flag, rows, optimum));
    await savePlot(o.plot, (a, document) => a.pipelineFigure({ over, rows }, { document }));
  });
}

/** optimizeNoise's parameters: the kernel parameters of the pipeline, without the optimised one. */
function noiseParams(opts: PipelineOptions): OptimizeNoiseOptions {
  const { fit: _fit, sgd: _sgd, draws: _draws, seed: _seed, steps: _steps, sigma: _sigma, sigmaMin: _sigmaMin, sampler, ...rest } = opts;
  return { ...rest, ...(sampler === undefined ? {} : { sampler: sampler as OptimizeNoiseOptions['sampler'] }) };
}

function optimumJson(m: NoiseOptimum): string {
  const n = (x: number | null) => (x === null ? 'null' : jsonNumber(x));
  const c = m.closedForm;
  return `{"parameter":${JSON.stringify(m.parameter)},"value":${n(m.value)},"w2sq":${n(m.w2sq)},"method":"${m.method}",`
    + `"range":[${n(m.range[0])},${n(m.range[1])}],"atBoundary":${m.atBoundary},`
    + `"closedForm":{"value":${n(c.value)},"w2sq":${n(c.w2sq)},"rule":${JSON.stringify(c.rule)},"G":${n(c.G)},"Q":${n(c.Q)},"R":${n(c.R)}},`
    + `"exactRule":${n(m.exactRule)}${m.diagnostics.length ? `,"diagnostics":${JSON.stringify(m.diagnostics)}` : ''}}`;
}

function tradeoffText(flag: string, rows: ScalingRow[], optimum: NoiseOptimum | null): string {
  const table = [[flag, 'first order', 'refined', 'Monte Carlo', '+- SE', 'MC / first', 'z'], ...rows.map((r) => {
    const mc = r.monteCarlo;
    return [significant(r.x, 5), significant(r.firstOrder, 5), r.refined === null ? '-' : significant(r.refined, 5),
      mc ? significant(mc.mean, 5) : '-', mc ? significant(mc.stderr, 2) : '-', r.ratio === null ? '-' : significant(r.ratio, 4),
      mc && mc.stderr > 0 && Number.isFinite(mc.stderr) ? ((mc.mean - r.firstOrder) / mc.stderr).toFixed(1) : '-'];
  })];
  const widths = table[0].map((_, j) => Math.max(...table.map((row) => row[j].length)));
  const lines = table.map((row) => row.map((c, j) => c.padStart(widths[j])).join('  '));
  const last = rows[rows.length - 1];
  if (rows.some((r) => r.monteCarlo)) {
    const bad = rows.filter((r) => r.monteCarlo && !verdict(r.firstOrder, r.monteCarlo).startsWith('Monte Carlo and first order agree'));
    lines.push('', bad.length === 0 ? 'Monte Carlo and first order agree within 3 SE at every point'
      : `the first order misses the Monte Carlo by more than 3 SE at ${flag} = ${bad.map((r) => significant(r.x, 4)).join(', ')}`);
  } else if (last) lines.push('', 'no Monte Carlo (--draws 0 or the dimension is above its limits)');
  if (optimum) {
    const c = optimum.closedForm;
    lines.push('', `optimal ${optimum.parameter === 'sigma' ? 'sigma' : 'sigma_min'} (first order, golden section on log sigma): ${significant(optimum.value, 5)}, E W2^2 = ${significant(optimum.w2sq, 5)}${optimum.atBoundary ? ' (at the end of the range searched)' : ''}`,
      `closed-form rule ${c.rule}: ${c.value === null ? '-' : significant(c.value, 5)}${c.w2sq === null ? '' : `, E W2^2 = ${significant(c.w2sq, 5)}`}`);
    if (optimum.exactRule !== null) lines.push(`ULA + Tweedie exactness rule sigma^2 = gamma/2: sigma = ${significant(optimum.exactRule, 5)}`);
  }
  for (const r of rows) for (const g of r.diagnostics) lines.push(`note (${flag} = ${significant(r.x, 4)}): ${g.message}`);
  return `${lines.join('\n')}\n`;
}
