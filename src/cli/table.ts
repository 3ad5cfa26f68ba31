/** `gaussdiff table`: the Table-2-style W2 table (Pierret & Galerne 2025). */
import { type Command, Option } from 'commander';
import { table, formatTable, TABLE_DEFAULTS, formatEps, type TableOptions, type Init, type SchemeName } from '../node.js';
import { engineOptions, integer, loadSpectrum, numberList, scheduleOptions, spectrumOption, warm, words } from './options.js';
import { progress, write } from './output.js';

export function tableCommand(prog: Command): void {
  const cmd = prog.command('table')
    .description('Table-2-style W2 table (Pierret & Galerne 2025): schemes x eps x start x (continuous, each N)');
  spectrumOption(cmd)
    .addOption(new Option('--schemes <list>', 'schemes: em, ei, euler, heun').default(TABLE_DEFAULTS.schemes.join(',')))
    .addOption(new Option('--steps <list>', 'numbers of grid points N (N - 1 steps)').argParser(numberList('--steps')).default(TABLE_DEFAULTS.steps, TABLE_DEFAULTS.steps.join(',')))
    .addOption(new Option('--eps <list>', 'truncation times').argParser(numberList('--eps')).default(TABLE_DEFAULTS.eps, TABLE_DEFAULTS.eps.map(formatEps).join(',')))
    .addOption(new Option('--inits <list>', 'starts: pT (p_T), normal (N(0, I))').default('pT,normal'))
    .addOption(new Option('--digits <n>', "significant digits in text output (1 to 17), or 'paper' for the paper's rounding")
      .argParser((text) => (text === 'paper' ? text : integer('--digits', 1, 17, "an integer from 1 to 17, or 'paper'")(text))).default('paper'))
    .option('--json', 'print {"rows": [...], "diagnostics": [...]} as JSON');
  engineOptions(scheduleOptions(cmd)).action(async (o) => {
    warm(o);
    const spectrum = await loadSpectrum(o.spectrum, Boolean(o.json));
    const bar = await progress('table');
    const opts: TableOptions = {
      schemes: words(o.schemes) as SchemeName[], steps: o.steps, eps: o.eps, inits: words(o.inits) as Init[],
      betaMin: o.betaMin, betaMax: o.betaMax, horizon: o.horizon, backend: o.backend, threads: o.threads, onProgress: bar.onProgress,
    };
    const result = await table(spectrum, opts);
    bar.stop();
    await write(o.json ? `${JSON.stringify(result)}\n` : `${formatTable(result, o.digits)}\n`);
  });
}
