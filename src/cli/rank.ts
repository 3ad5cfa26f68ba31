/**
 * `gaussdiff rank`: k-diffusion and diffusers samplers compared at equal cost (src/diffusion/rank.ts): the exact
 * W2 of each sampler with the most steps whose NFE (counted as k-diffusion does; diffusers: steps) fits each
 * budget. The diffusers options (--beta-schedule, --timestep-spacing, ...) are `error`'s (options.ts), without
 * --eta and --order: each sampler runs with its defaults, --settings tries the grid. Prints
 * {"rows": [{"sampler", "nfe", "steps", "w2"}, ...], "best": [{"nfe", "sampler", "steps", "w2"}, ...]} with
 * --json; otherwise a table samplers x NFE with the best of each column marked. With --settings each sampler
 * also tries its options grid (SETTINGS_GRID) and keeps the best: JSON rows gain "options" and "tried", best
 * entries "options"; table cells show the options.
 */
import { Command, Option } from 'commander';
import { DISCRETE_SAMPLER_NAMES, EDM_SAMPLER_NAMES, GaussdiffError } from '../node.js';
import { type RankOptions, type RankResult, rankSamplers } from '../diffusion/rank.js';
import { DISCRETE_OPTION_KEYS, choice, discreteOptions, edmLevelOptions, given, integer, loadSpectrum, spectrumOption, words } from './options.js';
import { jsonNumber, significant, write } from './output.js';
import { checkPlot, plotOption, savePlot } from './plot.js';


/** A non-empty comma-separated list, each item parsed by `item`. */
function list<T>(argument: string, item: (text: string) => T, allowed: string) {
  return (text: string): T[] => {
    const items = words(text);
    if (items.length === 0) throw new GaussdiffError('INVALID_OPTION', argument, 'got an empty list', allowed);
    return items.map(item);
  };
}

/** The training schedule and timestep options of diffusers samplers (discreteOptions' but --order and --eta). */
const RANK_DISCRETE_KEYS: readonly string[] = DISCRETE_OPTION_KEYS.filter((k) => k !== 'order');
const rankDiscreteOptions = (cmd: Command): Command => {
  for (const option of discreteOptions(new Command()).options) if (RANK_DISCRETE_KEYS.includes(option.attributeName())) cmd.addOption(option);
  return cmd;
};

const jsonValue = (x: number | null): string => (x === null ? 'null' : jsonNumber(x));

/** With --settings: ',"options":{...}' (its numbers as jsonNumber prints them). */
const jsonOptions = (o: Record<string, number | string> | undefined): string => (o === undefined ? ''
  : `,"options":{${Object.entries(o).map(([k, v]) => `${JSON.stringify(k)}:${typeof v === 'number' ? jsonNumber(v) : JSON.stringify(v)}`).join(',')}}`);

function json(r: RankResult): string {
  const rows = r.rows.map((x) => `{"sampler":${JSON.stringify(x.sampler)},"nfe":${x.nfe},"steps":${jsonValue(x.steps)},"w2":${jsonValue(x.w2)}${
    jsonOptions(x.options)}${x.tried === undefined ? '' : `,"tried":${x.tried}`}}`);
  const best = r.best.map((x) => `{"nfe":${x.nfe},"sampler":${JSON.stringify(x.sampler)},"steps":${x.steps},"w2":${jsonNumber(x.w2)}${jsonOptions(x.options)}}`);
  return `{"rows":[${rows.join(',')}],"best":[${best.join(',')}]}\n`;
}

/** Samplers down, budgets across; a cell is "W2 (steps)", "*" on the best of its column, "-" if unaffordable. */
function text(r: RankResult, samplers: string[], budgets: number[]): string {
  const cell = (sampler: string, nfe: number): string => {
    const row = r.rows.find((x) => x.sampler === sampler && x.nfe === nfe)!;
    if (row.w2 === null) return '-';
    const best = r.best.find((b) => b.nfe === nfe)?.sampler === sampler;
    const options = row.options === undefined || Object.keys(row.options).length === 0 ? '' : ` ${Object.entries(row.options).map(([k, v]) => `${k}=${v}`).join(',')}`;
    return `${significant(row.w2, 5)} (${row.steps})${options}${best ? '*' : ' '}`;
  };
  const table = [['sampler', ...budgets.map((b) => `NFE ${b}`)], ...samplers.map((s) => [s, ...budgets.map((b) => cell(s, b))])];
  const widths = table[0].map((_, j) => Math.max(...table.map((row) => row[j].length)));
  const lines = table.map((row) => row.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  '));
  return `${lines.join('\n')}\nW2 (steps within the budget); * lowest W2 at that NFE\n`;
}

export function rankCommand(prog: Command): void {
  const cmd = prog.command('rank')
    .description('k-diffusion and diffusers samplers at equal cost: exact W2 of each with the most steps whose NFE fits each budget, and the best per budget');
  const names = [...EDM_SAMPLER_NAMES, ...DISCRETE_SAMPLER_NAMES];
  rankDiscreteOptions(edmLevelOptions(spectrumOption(cmd)))
    .addOption(new Option('--samplers <list>', `comma-separated: k-diffusion ${EDM_SAMPLER_NAMES.join(', ')}; diffusers ${DISCRETE_SAMPLER_NAMES.join(', ')}`)
      .argParser(list('--samplers', choice('--samplers', names), 'a comma-separated list of samplers')).makeOptionMandatory())
    .addOption(new Option('--nfe <list>', 'denoiser-evaluation budgets, comma-separated (counted as k-diffusion does; diffusers: steps)')
      .argParser(list('--nfe', integer('--nfe', 1, 1e7), 'a comma-separated list of integers from 1 to 10000000')).default([10, 20, 50], '10,20,50'))
    .option('--settings', 'also try each sampler\'s options grid (eta 0, 0.5, 1; sChurn 0, 1, 5, 20; solverType midpoint, heun; diffusers: order 1, 2, 3, unipc solverType bh1, bh2) and keep the best')
    .option('--json', 'print {"rows": [...], "best": [...]} as JSON');
  plotOption(cmd);
  cmd.action(async (o) => {
    checkPlot(o.plot);
    // Options the user did not give are left out: the API's defaults apply.
    const opts = given<RankOptions>({
      samplers: o.samplers, nfe: o.nfe, schedule: o.schedule, sigmaMin: o.sigmaMin, sigmaMax: o.sigmaMax, rho: o.rho,
      betaD: o.betaD, betaMin: o.betaMin, epsS: o.epsS, start: o.start, backend: o.backend, settings: o.settings,
      ...Object.fromEntries(RANK_DISCRETE_KEYS.map((k) => [k, o[k]])),
    });
    const spectrum = await loadSpectrum(o.spectrum, Boolean(o.json));
    const r = await rankSamplers(spectrum, opts);
    await write(o.json ? json(r) : text(r, o.samplers, o.nfe));
    await savePlot(o.plot, (a, document) => a.stepsFigure(r, { document }));
  });
}
