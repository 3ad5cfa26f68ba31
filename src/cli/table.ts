/**
 * `gaussdiff table`: the Table-2-style W2 table (Pierret & Galerne 2025), or with --samplers the same layout
 * for k-diffusion / diffusers samplers: rows sampler x start, columns steps (src/diffusion/reports/samplers.ts).
 */
import { type Command, Option } from 'commander';
import {
  DISCRETE_SAMPLER_NAMES, EDM_SAMPLER_NAMES, GaussdiffError, table, formatTable, TABLE_DEFAULTS, formatEps, type TableOptions, type Init, type SchemeName,
} from '../node.js';
import { type SamplerTableOptions, SAMPLER_TABLE_DEFAULTS, formatSamplerTable, samplerTable } from '../diffusion/reports/samplers.js';
import {
  checkFrameSchedule, choice, churnOptions, discreteOptions, edmLevels, engineOptions, given, integer, loadSpectrum, modelSpectrumOption, number, numberList,
  samplerValues, scheduleOptions, spectrumOption, warm, words,
} from './options.js';
import { jsonNumber, progress, write } from './output.js';
import { checkPlot, plotOption, savePlot } from './plot.js';

/** Options of the schemes' table only, and of the samplers' only (commander names). */
const SCHEME_ONLY = ['schemes', 'eps', 'inits', 'betaMax', 'horizon', 'threads'] as const;
const SAMPLER_ONLY = ['starts', 'sigmaMin', 'sigmaMax', 'rho', 'betaD', 'epsS', 'sChurn', 'sTmin', 'sTmax', 'sNoise', 'eta', 'modelSpectrum',
  'betaSchedule', 'betaStart', 'betaEnd', 'trainSteps', 'timestepSpacing', 'stepsOffset', 'order'] as const;
const flag = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

export function tableCommand(prog: Command): void {
  const cmd = prog.command('table')
    .description('Table-2-style W2 table (Pierret & Galerne 2025): schemes x eps x start x (continuous, each N); or samplers x start x steps with --samplers');
  spectrumOption(cmd)
    .addOption(new Option('--schemes <list>', 'schemes: em, ei, euler, heun').default(TABLE_DEFAULTS.schemes.join(',')))
    .addOption(new Option('--samplers <list>', 'k-diffusion / diffusers samplers instead of schemes, comma-separated (e.g. euler,heun,dpmpp_2m,ddim)')
      .argParser((text) => words(text).map(choice('--samplers', [...EDM_SAMPLER_NAMES, ...DISCRETE_SAMPLER_NAMES]))))
    .addOption(new Option('--steps <list>', `schemes: numbers of grid points N, N - 1 steps (default ${TABLE_DEFAULTS.steps.join(',')}); --samplers: numbers of steps (default ${SAMPLER_TABLE_DEFAULTS.steps.join(',')})`)
      .argParser(numberList('--steps')))
    .addOption(new Option('--eps <list>', 'truncation times').argParser(numberList('--eps')).default(TABLE_DEFAULTS.eps, TABLE_DEFAULTS.eps.map(formatEps).join(',')))
    .addOption(new Option('--inits <list>', 'starts: pT (p_T), normal (N(0, I))').default('pT,normal'))
    .addOption(new Option('--starts <list>', '--samplers: starts prior, exact (default prior)').argParser((text) => words(text).map(choice('--starts', ['prior', 'exact']))))
    .addOption(new Option('--digits <n>', "significant digits in text output (1 to 17), or 'paper' for the paper's rounding")
      .argParser((text) => (text === 'paper' ? text : integer('--digits', 1, 17, "an integer from 1 to 17, or 'paper'")(text))).default('paper'))
    .option('--json', 'print {"rows": [...], "diagnostics": [...]} as JSON (--samplers: rows {sampler, start, steps, nfe, w2})');
  plotOption(cmd).option('--plot-eps <eps>', 'with --plot: the eps drawn (default: the smallest positive eps of the table)', number('--plot-eps'));
  modelSpectrumOption(churnOptions(discreteOptions(edmLevels(engineOptions(scheduleOptions(cmd, true))))));
  cmd.action(async (o, command: Command) => {
    checkPlot(o.plot);
    if (o.plotEps !== undefined && !(o.eps as number[]).includes(o.plotEps)) throw new GaussdiffError('INVALID_OPTION', '--plot-eps', `${o.plotEps} is not one of --eps`, (o.eps as number[]).join(', '));
    const typed = (key: string): boolean => command.getOptionValueSource(key) === 'cli';
    const samplers = o.samplers !== undefined;
    const clash = (samplers ? SCHEME_ONLY : SAMPLER_ONLY).filter(typed);
    if (clash.length) {
      throw new GaussdiffError('INVALID_OPTION', flag(clash[0]), samplers ? 'given with --samplers' : 'given without --samplers',
        `with --samplers: ${SAMPLER_ONLY.map(flag).join(', ')}; with --schemes: ${SCHEME_ONLY.map(flag).join(', ')}`);
    }
    checkFrameSchedule(o.schedule, samplers);
    if (samplers) return samplerRows(o);
    warm(o);
    const spectrum = await loadSpectrum(o.spectrum, Boolean(o.json));
    const bar = await progress('table');
    const opts = given<TableOptions>({
      schemes: words(o.schemes) as SchemeName[], steps: o.steps, eps: o.eps, inits: words(o.inits) as Init[], schedule: o.schedule,
      betaMin: o.betaMin, betaMax: o.betaMax, horizon: o.horizon, backend: o.backend, threads: o.threads, onProgress: bar.onProgress,
    });
    const result = await table(spectrum, opts);
    bar.stop();
    await write(o.json ? `${JSON.stringify(result)}\n` : `${formatTable(result, o.digits)}\n`);
    await savePlot(o.plot, (a, document) => a.stepsFigure(result, { document, eps: o.plotEps }));
  });
}

/** table --samplers: samplerTable's rows as JSON ({"rows": [{sampler, start, steps, nfe, w2}]}) or aligned text. */
async function samplerRows(o: Record<string, unknown>): Promise<void> {
  const opts = given<SamplerTableOptions>({ ...(await samplerValues(o)), samplers: o.samplers, starts: o.starts, steps: o.steps });
  const spectrum = await loadSpectrum(o.spectrum as string | undefined, Boolean(o.json));
  const result = await samplerTable(spectrum, opts);
  await write(o.json
    ? `{"rows":[${result.rows.map((r) => `{"sampler":${JSON.stringify(r.sampler)},"start":"${r.start}","steps":${r.steps},"nfe":${r.nfe},"w2":${jsonNumber(r.w2)}}`).join(',')}]}\n`
    : `${formatSamplerTable(result, o.digits as number | 'paper')}\n`);
  await savePlot(o.plot as string | undefined, (a, document) => a.stepsFigure(result, { document }));
}
