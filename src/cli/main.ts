/**
 * The gaussdiff command line (bin/gaussdiff.js): `table` and `curve`. Human output on stdout, aligned;
 * `--json` for machines; progress on stderr when stderr is a terminal and the job is long; typed errors as
 * one line on stderr with exit code 2.
 */
import { Command, Option } from 'commander';
import {
  GaussdiffError, table, formatTable, curve, readNpy, imageLikeSpectrum, DEFAULT_SPECTRUM_DESCRIPTION,
  closeThreads, warmThreads, adoptWorker, TABLE_DEFAULTS, formatEps, type TableOptions, type CurveOptions, type Init, type SchemeName,
  mnistSpectrum, MNIST_DESCRIPTION, readNpyArray, writeNpy, readPng, spectrumOfCovariance, spectrumOfSamples, spectrumOfImage,
  validate, synthesizeAdsn, encodePng,
} from '../node.js';
import { writeFile } from 'node:fs/promises';

const VERSION = '0.1.0';

/** Work (mode-steps) above which a progress bar is worth showing on a terminal (about a second). */
const PROGRESS_WORK = 3e8;

function numberList(argument: string) {
  return (text: string): number[] => text.split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => {
    const x = Number(s);
    if (!Number.isFinite(x)) throw new GaussdiffError('INVALID_OPTION', argument, `${JSON.stringify(s)} is not a number`, 'a comma-separated list of numbers');
    return x;
  });
}

function number(argument: string) {
  return (text: string): number => {
    const x = Number(text);
    if (text.trim() === '' || !Number.isFinite(x)) throw new GaussdiffError('INVALID_OPTION', argument, `${JSON.stringify(text)} is not a number`, 'a finite number');
    return x;
  };
}

const words = (text: string) => text.split(',').map((s) => s.trim()).filter((s) => s !== '');

/** Boot the worker threads while the input is read (they are used for all but small jobs). */
function warm(o: { threads?: number; backend?: string }): void {
  if (o.backend === 'wasm' && (o.threads === undefined || o.threads > 1)) warmThreads(o.threads ?? 2);
}

/** Spectra known by name (a file of that name can be given as ./NAME). */
const NAMED: Record<string, { description: string; load: () => Promise<Float64Array> }> = {
  mnist: { description: MNIST_DESCRIPTION, load: () => withProgress('mnist', (onProgress) => mnistSpectrum({ onProgress })) },
  'image-like': { description: `${DEFAULT_SPECTRUM_DESCRIPTION} (d = 3072)`, load: async () => imageLikeSpectrum() },
};

async function namedSpectrum(name: string, argument: string, quiet = true): Promise<Float64Array> {
  const entry = Object.prototype.hasOwnProperty.call(NAMED, name) ? NAMED[name] : undefined;
  if (!entry) throw new GaussdiffError('INVALID_OPTION', argument, `unknown spectrum ${JSON.stringify(name)}`, Object.keys(NAMED).join(', '));
  if (!quiet) process.stderr.write(`spectrum: ${entry.description}\n`);
  return entry.load();
}

/** --spectrum: a name (default: mnist) or a .npy file. */
async function loadSpectrum(spec: string | undefined, quiet: boolean): Promise<Float64Array> {
  const name = spec ?? 'mnist';
  if (Object.prototype.hasOwnProperty.call(NAMED, name)) return namedSpectrum(name, '--spectrum', quiet);
  return readNpy(name);
}

/** Row-major copy of a Fortran-order (column-major) rows x cols array. */
function fromFortran(data: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = data[j * rows + i];
  return out;
}

/** Run a staged job (about a second or more) with a progress bar on stderr when it is a terminal. */
async function withProgress<T>(label: string, job: (onProgress: (done: number, total: number) => void) => Promise<T>): Promise<T> {
  if (!process.stderr.isTTY) return job(() => {});
  const { SingleBar, Presets } = await import('cli-progress');
  const bar = new SingleBar({ stream: process.stderr, format: `${label} [{bar}] {percentage}%`, hideCursor: true, clearOnComplete: true }, Presets.shades_classic);
  let started = false;
  try {
    return await job((done, total) => {
      if (!started) { bar.start(total, 0); started = true; }
      bar.update(done);
    });
  } finally {
    if (started) bar.stop();
  }
}

/** A progress bar on stderr, only on a terminal, only for long jobs; returns the callback and a stop. */
async function progress(label: string): Promise<{ onProgress?: (done: number, total: number) => void; stop: () => void }> {
  if (!process.stderr.isTTY) return { stop: () => {} };
  const { SingleBar, Presets } = await import('cli-progress');
  let bar: InstanceType<typeof SingleBar> | null = null;
  return {
    onProgress: (done, total) => {
      if (!bar) {
        if (total < PROGRESS_WORK) return;
        bar = new SingleBar({ stream: process.stderr, format: `${label} [{bar}] {percentage}% | ETA {eta}s`, hideCursor: true }, Presets.shades_classic);
        bar.start(total, 0);
      }
      bar.update(done);
    },
    stop: () => bar?.stop(),
  };
}

function scheduleOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--beta-min <b>', 'b(0) of the VP linear schedule').argParser(number('--beta-min')).default(0.05))
    .addOption(new Option('--beta-max <b>', 'b(T) of the VP linear schedule').argParser(number('--beta-max')).default(10))
    .addOption(new Option('--horizon <T>', 'horizon T').argParser(number('--horizon')).default(1))
    .addOption(new Option('--backend <name>', 'propagation back end').choices(['wasm', 'reference']).default('wasm'))
    .addOption(new Option('--threads <n>', 'worker threads (default: 2 for large jobs)').argParser(number('--threads')));
}

export function program(): Command {
  const prog = new Command('gaussdiff')
    .description('Exact Wasserstein errors of diffusion samplers for Gaussian data N(0, S), from the spectrum of S.')
    .version(VERSION)
    .showHelpAfterError();

  scheduleOptions(prog.command('table')
    .description('Table-2-style W2 table (Pierret & Galerne 2025): schemes x eps x start x (continuous, each N)')
    .option('--spectrum <name|file.npy>', 'eigenvalues of S: mnist (default), image-like, or a .npy file (<f4/<f8, any shape)')
    .addOption(new Option('--schemes <list>', 'schemes: em, ei, euler, heun').default(TABLE_DEFAULTS.schemes.join(',')))
    .addOption(new Option('--steps <list>', 'numbers of grid points N (N - 1 steps)').argParser(numberList('--steps')).default(TABLE_DEFAULTS.steps, TABLE_DEFAULTS.steps.join(',')))
    .addOption(new Option('--eps <list>', 'truncation times').argParser(numberList('--eps')).default(TABLE_DEFAULTS.eps, TABLE_DEFAULTS.eps.map(formatEps).join(',')))
    .addOption(new Option('--inits <list>', 'starts: pT (p_T), normal (N(0, I))').default('pT,normal'))
    .option('--digits <n>', "significant digits in text output, or 'paper' for the paper's rounding", 'paper')
    .option('--json', 'print {"rows": [...]} as JSON'))
    .action(async (o) => {
      warm(o);
      const spectrum = await loadSpectrum(o.spectrum, Boolean(o.json));
      const bar = await progress('table');
      const opts: TableOptions = {
        schemes: words(o.schemes) as SchemeName[], steps: o.steps, eps: o.eps, inits: words(o.inits) as Init[],
        betaMin: o.betaMin, betaMax: o.betaMax, horizon: o.horizon, backend: o.backend, threads: o.threads, onProgress: bar.onProgress,
      };
      let digits: number | 'paper' = 'paper';
      if (o.digits !== 'paper') {
        digits = Number(o.digits);
        if (!Number.isInteger(digits) || digits < 1 || digits > 17) throw new GaussdiffError('INVALID_OPTION', '--digits', `got ${o.digits}`, "an integer from 1 to 17, or 'paper'");
      }
      const result = await table(spectrum, opts);
      bar.stop();
      process.stdout.write(o.json ? `${JSON.stringify(result)}\n` : `${formatTable(result, digits)}\n`);
    });

  scheduleOptions(prog.command('curve')
    .description('W2 after every step to the exact law at that time (Figure 1, left of Pierret & Galerne 2025)')
    .option('--spectrum <name|file.npy>', 'eigenvalues of S: mnist (default), image-like, or a .npy file')
    .addOption(new Option('--schemes <list>', 'schemes: em, ei, euler, heun').default('em,ei,euler,heun'))
    .addOption(new Option('--steps <N>', 'number of grid points N').argParser(number('--steps')).default(1000))
    .addOption(new Option('--eps <eps>', 'truncation time').argParser(number('--eps')).default(0))
    .option('--grid <file.npy>', 'a user grid of increasing reverse times in [0, T] (.npy) instead of --steps/--eps')
    .addOption(new Option('--inits <list>', 'starts: pT, normal').default('pT,normal'))
    .addOption(new Option('--every <k>', 'text output: print every k-th step (and the last)').argParser(number('--every')))
    .option('--json', 'print {times, forwardTimes, series} as JSON'))
    .action(async (o) => {
      warm(o);
      const spectrum = await loadSpectrum(o.spectrum, Boolean(o.json));
      const bar = await progress('curve');
      const opts: CurveOptions = {
        schemes: words(o.schemes) as SchemeName[], inits: words(o.inits) as Init[],
        betaMin: o.betaMin, betaMax: o.betaMax, horizon: o.horizon, backend: o.backend, threads: o.threads, onProgress: bar.onProgress,
      };
      if (o.grid) opts.grid = await readNpy(o.grid);
      else { opts.steps = o.steps; opts.eps = o.eps; }
      const every = o.every ?? undefined;
      if (every !== undefined && (!Number.isInteger(every) || every < 1)) throw new GaussdiffError('INVALID_OPTION', '--every', `got ${every}`, 'an integer >= 1');
      const result = await curve(spectrum, opts);
      bar.stop();
      if (o.json) {
        const plain = (x: number) => (Number.isFinite(x) ? x : 'Infinity');
        process.stdout.write(`${JSON.stringify({
          times: Array.from(result.times), forwardTimes: Array.from(result.forwardTimes),
          series: result.series.map((s) => ({ scheme: s.scheme, init: s.init, start: plain(s.start), w2: Array.from(s.w2, plain) })),
        })}\n`);
        return;
      }
      const K = result.times.length;
      const stride = every ?? Math.max(1, Math.ceil(K / 20));
      const header = ['step', 't', 'T-t', ...result.series.map((s) => `${s.scheme} ${s.init === 'pT' ? 'p_T' : 'N(0,I)'}`)];
      const rows: string[][] = [];
      for (let k = 0; k < K; k++) {
        if ((k + 1) % stride !== 0 && k !== K - 1) continue;
        rows.push([String(k + 1), result.times[k].toPrecision(6), result.forwardTimes[k].toPrecision(6), ...result.series.map((s) => (Number.isFinite(s.w2[k]) ? s.w2[k].toPrecision(5) : 'inf'))]);
      }
      const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
      const line = (cells: string[]) => cells.map((c, j) => c.padStart(widths[j])).join('  ');
      process.stdout.write(`${[line(header), ...rows.map(line)].join('\n')}\n`);
    });
  prog.command('spectrum')
    .description('Eigenvalues of a data covariance S, written as a 1-D <f8 .npy: from an image (ADSN), a dataset, a covariance matrix, samples, or the power-law model')
    .option('--adsn <image.png>', 'the ADSN spectrum of a PNG image (alpha ignored; grayscale = one channel)')
    .option('--dataset <name>', 'a dataset shipped with gaussdiff: mnist (10000 digits, 784 pixels, centred covariance)')
    .option('--covariance <C.npy>', 'a d x d covariance matrix')
    .option('--samples <X.npy>', 'n x d samples, one per row')
    .option('--center', 'with --samples: estimate and remove the mean (covariance over n - 1); default: mean known to be 0 (over n)')
    .option('--power-law', 'the built-in power-law image model (3 x 32 x 32)')
    .requiredOption('--out <OUT.npy>', 'the .npy file to write')
    .action(async (o) => {
      const given = ['adsn', 'dataset', 'covariance', 'samples', 'powerLaw'].filter((k) => o[k] !== undefined);
      if (given.length !== 1) {
        throw new GaussdiffError('INVALID_OPTION', 'spectrum', given.length ? `several sources given (${given.join(', ')})` : 'no source given',
          'exactly one of --adsn, --dataset, --covariance, --samples, --power-law');
      }
      if (o.center && !o.samples) throw new GaussdiffError('INVALID_OPTION', '--center', 'given without --samples', '--center with --samples');
      let values: Float64Array;
      if (o.adsn) values = await spectrumOfImage(await readPng(o.adsn));
      else if (o.dataset) {
        if (o.dataset !== 'mnist') throw new GaussdiffError('INVALID_OPTION', '--dataset', `unknown dataset ${JSON.stringify(o.dataset)}`, 'mnist');
        values = await namedSpectrum('mnist', '--dataset');
      }
      else if (o.powerLaw) values = imageLikeSpectrum();
      else if (o.covariance) {
        const c = await readNpyArray(o.covariance);
        if (c.shape.length !== 2 || c.shape[0] !== c.shape[1]) {
          throw new GaussdiffError('INVALID_SHAPE', o.covariance, `shape (${c.shape.join(', ')})`, 'a square d x d covariance matrix');
        }
        values = await spectrumOfCovariance(c.data, c.shape[0]);
      } else {
        const x = await readNpyArray(o.samples);
        if (x.shape.length !== 2) throw new GaussdiffError('INVALID_SHAPE', o.samples, `shape (${x.shape.join(', ')})`, 'an n x d array of samples, one per row');
        const [n, d] = x.shape;
        values = await spectrumOfSamples(x.fortranOrder ? fromFortran(x.data, n, d) : x.data, n, d, { center: Boolean(o.center) });
      }
      await writeNpy(o.out, values);
      const zeros = values.filter((v) => v === 0).length;
      process.stderr.write(`spectrum: d = ${values.length}, ${zeros} zero eigenvalue(s), max ${values[values.length - 1].toPrecision(6)}, trace ${values.reduce((a, b) => a + b, 0).toPrecision(6)} -> ${o.out}\n`);
    });
  scheduleOptions(prog.command('validate')
    .description('Monte-Carlo check of a closed form: simulate particles through one scheme with the exact score, compare the empirical variances and W2 with the exact ones')
    .option('--spectrum <name|file.npy>', 'eigenvalues of S: mnist (default), image-like, or a .npy file')
    .addOption(new Option('--scheme <name>', 'em, ei, euler or heun').default('em'))
    .addOption(new Option('--steps <N>', 'number of grid points N').argParser(number('--steps')).default(100))
    .addOption(new Option('--eps <eps>', 'truncation time').argParser(number('--eps')).default(1e-3))
    .addOption(new Option('--init <start>', 'pT or normal').default('pT'))
    .addOption(new Option('--particles <B>', 'particles per distinct eigenvalue').argParser(number('--particles')).default(1000))
    .addOption(new Option('--seed <K>', 'random seed (integer)').argParser(number('--seed')).default(0))
    .option('--variances-out <V.npy>', 'write the per-mode Monte-Carlo variances (input order) to a .npy')
    .option('--json', 'print {"closedForm", "monteCarlo": {"w2", "stderr"}, "maxAbsZ"} as JSON'))
    .action(async (o) => {
      const spectrum = await loadSpectrum(o.spectrum, Boolean(o.json));
      const r = await validate(spectrum, {
        scheme: o.scheme, steps: o.steps, eps: o.eps, init: o.init, particles: o.particles, seed: o.seed,
        betaMin: o.betaMin, betaMax: o.betaMax, horizon: o.horizon,
      });
      if (o.variancesOut) await writeNpy(o.variancesOut, r.variances);
      if (o.json) {
        const plain = (x: number) => (Number.isFinite(x) ? x : 'Infinity');
        process.stdout.write(`${JSON.stringify({ closedForm: plain(r.closedForm), monteCarlo: { w2: plain(r.monteCarlo.w2), stderr: r.monteCarlo.stderr, bias: r.monteCarlo.bias }, maxAbsZ: r.maxAbsZ })}\n`);
      } else {
        process.stdout.write(`closed form W2   ${r.closedForm}\nMonte-Carlo W2   ${r.monteCarlo.w2} +- ${r.monteCarlo.stderr} (bias ${r.monteCarlo.bias})\nmax |z| per mode ${r.maxAbsZ}\n`);
      }
    });

  prog.command('synth')
    .description('ADSN texture synthesis: a random texture with the Gaussian statistics of an image')
    .requiredOption('--adsn <image.png>', 'the example image (PNG)')
    .requiredOption('--out <sample.png>', 'where to write the synthesised PNG')
    .addOption(new Option('--seed <S>', 'random seed (integer)').argParser(number('--seed')).default(0))
    .action(async (o) => {
      const { image } = await synthesizeAdsn(await readPng(o.adsn), { seed: o.seed });
      try {
        await writeFile(o.out, encodePng(image));
      } catch (err) {
        throw new GaussdiffError('INVALID_OPTION', o.out, `cannot write the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, 'a writable path');
      }
      process.stderr.write(`synth: ${image.channels} x ${image.height} x ${image.width} -> ${o.out}\n`);
    });

  return prog;
}

export { adoptWorker };

export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    await program().parseAsync(argv);
  } catch (err) {
    if (err instanceof GaussdiffError) {
      process.stderr.write(`gaussdiff: error [${err.code}] ${err.message}\n`);
      process.exitCode = 2;
    } else {
      throw err;
    }
  } finally {
    // Workers never keep the process alive; stopping them is not waited for.
    void closeThreads();
  }
}
