/**
 * `gaussdiff curve`: W2 after every step to the exact law at that time (Figure 1, left, of Pierret & Galerne
 * 2025) for P&G's schemes, or with --sampler for a k-diffusion or diffusers sampler (samplerCurve,
 * src/diffusion/reports/samplers.ts).
 */
import { type Command, Option } from 'commander';
import {
  DISCRETE_SAMPLER_NAMES, EDM_SAMPLER_NAMES, GaussdiffError, curve, readNpy, type CurveOptions, type CurveResult, type Init, type SchemeName,
} from '../node.js';
import { type AnySamplerOptions, type SamplerCurveResult, samplerCurve } from '../diffusion/reports/samplers.js';
import {
  checkFrameSchedule, choice, churnOptions, discreteOptions, edmLevels, engineOptions, given, integer, loadSpectrum, modelSpectrumOption, number,
  samplerValues, scheduleOptions, spectrumOption, warm, words,
} from './options.js';
import { jsonNumber, progress, write, writeJsonArray } from './output.js';
import { checkPlot, plotOption, savePlot } from './plot.js';

/** Options of the schemes' curve only, and of the samplers' only (commander names). */
const SCHEME_ONLY = ['schemes', 'eps', 'grid', 'inits', 'betaMax', 'horizon', 'threads'] as const;
const SAMPLER_ONLY = ['start', 'sigmaMin', 'sigmaMax', 'rho', 'betaD', 'epsS', 'sChurn', 'sTmin', 'sTmax', 'sNoise', 'eta', 'modelSpectrum',
  'betaSchedule', 'betaStart', 'betaEnd', 'trainSteps', 'timestepSpacing', 'stepsOffset', 'order'] as const;
const flag = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

export function curveCommand(prog: Command): void {
  const cmd = prog.command('curve')
    .description('W2 after every step to the exact law at that time (Figure 1, left, of Pierret & Galerne 2025), for schemes or one --sampler');
  spectrumOption(cmd)
    .addOption(new Option('--schemes <list>', 'schemes: em, ei, euler, heun').default('em,ei,euler,heun'))
    .addOption(new Option('--sampler <name>', 'a k-diffusion or diffusers sampler instead of schemes (names as in gaussdiff error)')
      .argParser(choice('--sampler', [...EDM_SAMPLER_NAMES, ...DISCRETE_SAMPLER_NAMES])))
    .addOption(new Option('--steps <N>', 'schemes: number of grid points N (default 1000); --sampler: number of steps (default 20)').argParser(number('--steps')))
    .addOption(new Option('--eps <eps>', 'truncation time').argParser(number('--eps')).default(0))
    .option('--grid <file.npy>', 'a user grid of increasing reverse times in [0, T] (.npy) instead of --steps/--eps')
    .addOption(new Option('--inits <list>', 'starts: pT, normal').default('pT,normal'))
    .addOption(new Option('--start <law>', '--sampler: prior (default) or exact').argParser(choice('--start', ['prior', 'exact'])))
    .addOption(new Option('--every <k>', 'print every k-th step and the last (default: about 20 rows in text, every step in JSON)')
      .argParser(integer('--every', 1, Number.MAX_SAFE_INTEGER, 'an integer >= 1')))
    .option('--json', 'print {steps, times, forwardTimes, series: [{scheme, init, start, w2}]} as JSON ("Infinity" where W2 is infinite); --sampler: {sampler, nfe, steps, sigmas or timesteps, w2}');
  plotOption(cmd);
  modelSpectrumOption(churnOptions(discreteOptions(edmLevels(engineOptions(scheduleOptions(cmd, true))))));
  cmd.action(async (o, command: Command) => {
    checkPlot(o.plot);
    if (o.plot !== undefined && o.sampler !== undefined) throw new GaussdiffError('INVALID_OPTION', '--plot', 'is not available with --sampler yet', 'curve --schemes ... --plot FILE');
    const typed = (key: string): boolean => command.getOptionValueSource(key) === 'cli';
    const sampler = o.sampler !== undefined;
    const clash = (sampler ? SCHEME_ONLY : SAMPLER_ONLY).filter(typed);
    if (clash.length) {
      throw new GaussdiffError('INVALID_OPTION', flag(clash[0]), sampler ? 'given with --sampler' : 'given without --sampler',
        `with --sampler: ${SAMPLER_ONLY.map(flag).join(', ')}; with --schemes: ${SCHEME_ONLY.map(flag).join(', ')}`);
    }
    checkFrameSchedule(o.schedule, sampler);
    if (sampler) return samplerRows(o, o.steps ?? 20);
    if (o.grid !== undefined) {
      const both = ['steps', 'eps'].filter(typed);
      if (both.length) throw new GaussdiffError('INVALID_OPTION', '--grid', `given with ${both.map((k) => `--${k}`).join(' and ')}`, 'either --grid or --steps/--eps');
    }
    warm(o);
    const spectrum = await loadSpectrum(o.spectrum, Boolean(o.json));
    const opts = given<CurveOptions>({
      schemes: words(o.schemes) as SchemeName[], inits: words(o.inits) as Init[], schedule: o.schedule,
      betaMin: o.betaMin, betaMax: o.betaMax, horizon: o.horizon, backend: o.backend, threads: o.threads,
    });
    if (o.grid !== undefined) opts.grid = await readNpy(o.grid);
    else { opts.steps = o.steps; opts.eps = o.eps; }
    // The API computes only the rows printed (every k-th step and the last), unless a plot wants every step.
    const points = opts.grid ? opts.grid.length : (opts.steps ?? DEFAULT_POINTS);
    const rows = stride(points - 1, o.every, Boolean(o.json));
    opts.every = o.plot === undefined ? rows : 1;
    const bar = await progress('curve');
    const result = await curve(spectrum, { ...opts, onProgress: bar.onProgress });
    bar.stop();
    const shown = [...result.steps.keys()].filter((j) => result.steps[j] % rows === 0 || j === result.steps.length - 1);
    await (o.json ? printJson(result, shown) : printText(result, shown));
    await savePlot(o.plot, (a, document) => a.curveFigure(result, { document }));
  });
}

/** Grid points of the schemes' curve when neither --steps nor --grid is given (the API's default). */
const DEFAULT_POINTS = 1000;

/** Stride of the rows printed: --every, or by default every step in JSON and about 20 rows in text (K steps). */
function stride(K: number, every: number | undefined, json: boolean): number {
  return every ?? (json ? 1 : Math.max(1, Math.ceil(K / 20)));
}

/** Rows printed: every k-th step (1-based) and the last. */
function rowsShown(K: number, every: number | undefined, json: boolean): number[] {
  const k0 = stride(K, every, json);
  const shown: number[] = [];
  for (let k = 0; k < K; k++) if ((k + 1) % k0 === 0 || k === K - 1) shown.push(k);
  return shown;
}

/** curve --sampler: {"sampler", "nfe", "steps", "sigmas" | "timesteps", "w2"} (JSON, streamed) or aligned text. */
async function samplerRows(o: Record<string, unknown>, steps: number): Promise<void> {
  const opts = { sampler: o.sampler, steps, ...(await samplerValues(o)) } as AnySamplerOptions;
  const spectrum = await loadSpectrum(o.spectrum as string | undefined, Boolean(o.json));
  const r: SamplerCurveResult = await samplerCurve(spectrum, opts);
  const shown = rowsShown(r.w2.length, o.every as number | undefined, Boolean(o.json));
  const [levelKey, levels] = r.sigmas ? ['sigmas', r.sigmas] : ['timesteps', r.timesteps!];
  if (o.json) {
    await write(`{"sampler":${JSON.stringify(r.sampler)},"nfe":${r.nfe},"steps":`);
    await writeJsonArray(shown.length, (i) => String(shown[i] + 1));
    await write(`,"${levelKey}":`);
    await writeJsonArray(shown.length, (i) => jsonNumber(levels[shown[i]]));
    await write(',"w2":');
    await writeJsonArray(shown.length, (i) => jsonNumber(r.w2[shown[i]]));
    await write('}\n');
    return;
  }
  const header = ['step', r.sigmas ? 'sigma after' : 'timestep t', `${r.sampler} W2`];
  const rows = shown.map((k) => [String(k + 1), r.sigmas ? levels[k].toPrecision(6) : String(levels[k]), r.w2[k].toPrecision(5)]);
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((c) => c[j].length)));
  const line = (cells: string[]) => `${cells.map((c, j) => c.padStart(widths[j])).join('  ')}\n`;
  await write(line(header) + rows.map(line).join('') + `NFE ${r.nfe}\n`);
}

/** JSON streamed in pieces: a curve has one value per point and series (130000 steps is fine). */
async function printJson(result: CurveResult, shown: number[]): Promise<void> {
  const n = shown.length;
  await write('{"steps":');
  await writeJsonArray(n, (i) => String(result.steps[shown[i]]));
  await write(',"times":');
  await writeJsonArray(n, (i) => jsonNumber(result.times[shown[i]]));
  await write(',"forwardTimes":');
  await writeJsonArray(n, (i) => jsonNumber(result.forwardTimes[shown[i]]));
  await write(',"series":[');
  for (const [j, s] of result.series.entries()) {
    await write(`${j ? ',' : ''}{"scheme":${JSON.stringify(s.scheme)},"init":${JSON.stringify(s.init)},"start":${jsonNumber(s.start)},"w2":`);
    await writeJsonArray(n, (i) => jsonNumber(s.w2[shown[i]]));
    await write('}');
  }
  await write(']}\n');
}

const label = (s: { scheme: string; init: Init }) => `${s.scheme} ${s.init === 'pT' ? 'p_T' : 'N(0,I)'}`;

/** Aligned text, then one line per cause of an Infinity (as in the JSON, W2 = Infinity there). */
async function printText(result: CurveResult, shown: number[]): Promise<void> {
  const header = ['step', 't', 'T-t', ...result.series.map(label)];
  const rows = shown.map((k) => [String(result.steps[k]), result.times[k].toPrecision(6), result.forwardTimes[k].toPrecision(6),
    ...result.series.map((s) => (Number.isFinite(s.w2[k]) ? s.w2[k].toPrecision(5) : 'Infinity'))]);
  const widths = header.map((h) => h.length);
  for (const r of rows) r.forEach((c, j) => { widths[j] = Math.max(widths[j], c.length); });
  const line = (cells: string[]) => `${cells.map((c, j) => c.padStart(widths[j])).join('  ')}\n`;
  await write(line(header));
  for (let i = 0; i < rows.length; i += 4096) await write(rows.slice(i, i + 4096).map(line).join(''));
  for (const note of infinityNotes(result)) await write(`${note}\n`);
}

/**
 * Why W2 is infinite, per cause: at forward time 0 the score -x / l(t) of a singular S (a zero eigenvalue,
 * l(0) = 0) is undefined (the score of N(0, S_t) is -S_t^{-1} x); elsewhere a variance overflowed f64. The step
 * named is the first printed one where W2 is infinite.
 */
function infinityNotes(result: CurveResult): string[] {
  const singular: string[] = [];
  const overflow: string[] = [];
  for (const s of result.series) {
    const k = s.w2.findIndex((x) => !Number.isFinite(x));
    if (k < 0) continue;
    (result.forwardTimes[k] === 0 ? singular : overflow).push(`${label(s)} from step ${result.steps[k]}`);
  }
  const notes: string[] = [];
  if (singular.length) {
    notes.push(`Infinity (${singular.join('; ')}): the score -x/l(t) is singular at forward time T-t = 0, where a zero eigenvalue of S has variance l(0) = 0, so W2 is infinite (use --eps > 0)`);
  }
  if (overflow.length) notes.push(`Infinity (${overflow.join('; ')}): a variance overflowed the range of f64 (try more steps or a smaller --beta-max)`);
  return notes;
}
