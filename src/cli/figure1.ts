/**
 * `gaussdiff figure1`: both panels of Figure 1 of Pierret & Galerne 2025 from the exact engine, side by
 * side in one SVG (or PNG): left, W2 along the reverse process for each scheme and start (`curve`); right,
 * W2 against the truncation time eps, each scheme with N points and the continuous processes (`w2VsEps`).
 * The paper's figure is drawn on the CIFAR-10 spectrum, which gaussdiff does not ship: pass its .npy.
 */
import { type Command, Option } from 'commander';
import { GaussdiffError, curve, w2VsEps, type Init, type SchemeName } from '../node.js';
import { isSpectrumName, SPECTRUM_NAMES } from '../spectra/index.js';
import { checkPlotPath } from '../plots/paths.js';
import { integer, loadSpectrum, number, numberList, words } from './options.js';
import { write } from './output.js';

/** Default eps of the right panel: 10^-5 to 10^-1, three per decade. */
const EPS_LIST = Array.from({ length: 13 }, (_, i) => Number((10 ** (-5 + i / 3)).toPrecision(3)));

export function figure1Command(prog: Command): void {
  prog.command('figure1')
    .description('Figure 1 of Pierret & Galerne 2025 from the exact engine: W2 along the reverse process (left) and against eps (right), in one SVG or PNG')
    .requiredOption('--spectrum <name|file.npy>', `eigenvalues of S: ${SPECTRUM_NAMES.join(', ')}, or a .npy file (the paper's: the CIFAR-10 spectrum)`)
    .requiredOption('--out <file.svg|file.png>', 'the figure (SVG or PNG by extension), written atomically')
    .addOption(new Option('--schemes <list>', 'schemes: em, ei, euler, heun').default('em,ei,euler,heun'))
    .addOption(new Option('--inits <list>', 'starts: pT, normal').default('pT,normal'))
    .addOption(new Option('--steps <N>', 'number of grid points N of both panels').argParser(integer('--steps', 2, 1e7)).default(1000))
    .addOption(new Option('--eps <eps>', 'truncation time of the left panel').argParser(number('--eps')).default(1e-3))
    .addOption(new Option('--eps-list <list>', 'truncation times of the right panel').argParser(numberList('--eps-list')).default(EPS_LIST, '1e-5 to 1e-1, 3 per decade'))
    .action(async (o) => {
      checkPlotPath(o.out, '--out');
      if (!isSpectrumName(o.spectrum) && !/\.npy$/i.test(o.spectrum)) {
        throw new GaussdiffError('INVALID_OPTION', '--spectrum', `${JSON.stringify(o.spectrum)} is neither a built-in spectrum nor a .npy file`,
          `${SPECTRUM_NAMES.join(', ')}, or a .npy file of eigenvalues (for the paper's figure, the CIFAR-10 spectrum as .npy)`);
      }
      const spectrum = await loadSpectrum(o.spectrum, true);
      const common = { schemes: words(o.schemes) as SchemeName[], inits: words(o.inits) as Init[], steps: o.steps };
      const left = await curve(spectrum, { ...common, eps: o.eps });
      const right = await w2VsEps(spectrum, { ...common, eps: o.epsList });
      const [{ curveFigure, w2VsEpsFigure }, { sideBySide }, node] = await Promise.all([
        import('../plots/adapters.js'), import('../plots/figures.js'), import('../plots/node.js')]);
      const document = node.plotDocument();
      const name = o.spectrum.replace(/^.*\//, '');
      const figure = sideBySide([
        curveFigure(left, { document, title: `W2 along the reverse process (${name}, N = ${o.steps}, eps = ${o.eps})` }),
        w2VsEpsFigure(right, { document, steps: o.steps, title: `W2 against eps (${name}, N = ${o.steps})` }),
      ], { document });
      await node.writePlot(o.out, figure);
      await write(`wrote ${o.out}\n`);
    });
}
