/**
 * `gaussdiff error`: the exact W2 of one sampler on Gaussian data, by the state-space engine: a k-diffusion
 * sampler (EDM frame, noise levels sigma: src/diffusion/edm/) or a diffusers one (ddim, ddpm, dpmsolver++:
 * discrete-time frame, src/diffusion/discrete/), told apart by name. Prints
 * {"sampler": NAME, "w2": number, "w2Squared": number, "nfe": integer} with --json; --contributions adds the
 * per-mode arrays of the result (which eigenvalues carry the error), --model-spectrum the model's lhat.
 */
import { type Command, Option } from 'commander';
import { DISCRETE_SAMPLER_NAMES, EDM_SAMPLER_NAMES, samplerError, writeNpy, type EdmSamplerErrorOptions, type EdmSamplerErrorResult } from '../node.js';
import { checkOutputPath } from '../io/files.js';
import { choice, churnOptions, discreteOptions, edmLevelOptions, integer, loadSpectrum, modelSpectrumOption, samplerValues, spectrumOption } from './options.js';
import { jsonNumber, significant, write, writeJsonArray } from './output.js';
import { checkPlot, plotOption, savePlot } from './plot.js';

/** Modes listed in the text output of --contributions (the largest contributions). */
const TOP = 10;

export function errorCommand(prog: Command): void {
  const cmd = prog.command('error')
    .description('Exact W2 of a k-diffusion sampler (euler, heun, dpmpp_2m, ...) or a diffusers one (ddim, ddpm, dpmsolver++) on N(0, S), with the exact denoiser');
  modelSpectrumOption(churnOptions(discreteOptions(edmLevelOptions(spectrumOption(cmd))
    .addOption(new Option('--sampler <name>', `k-diffusion: ${EDM_SAMPLER_NAMES.join(', ')}; diffusers: ${DISCRETE_SAMPLER_NAMES.join(', ')}`)
      .argParser(choice('--sampler', [...EDM_SAMPLER_NAMES, ...DISCRETE_SAMPLER_NAMES])).makeOptionMandatory())
    .addOption(new Option('--steps <N>', 'number of noise levels before the appended 0').argParser(integer('--steps', 1, 1e7)).default(20)))))
    .option('--contributions', `per mode: value, multiplicity, output variance and share of W2^2 (text: the ${TOP} largest and the total)`)
    .option('--contributions-out <F.npy>', 'write the per-mode table (rows: value, model value, multiplicity, variance, contribution) to a .npy')
    .option('--json', 'print {"sampler", "w2", "w2Squared", "nfe"} as JSON (with --contributions, also the per-mode arrays)');
  plotOption(cmd);
  cmd.action(async (o) => {
    checkPlot(o.plot);
    if (o.contributionsOut !== undefined) checkOutputPath(o.contributionsOut, '--contributions-out');
    // Options the user did not give are left out, so that each sampler sees only what it takes.
    const opts = { sampler: o.sampler, steps: o.steps, ...(await samplerValues(o)) } as EdmSamplerErrorOptions;
    const spectrum = await loadSpectrum(o.spectrum, Boolean(o.json));
    const r = await samplerError(spectrum, opts);
    if (o.contributionsOut !== undefined) {
      const n = r.values.length;
      const table = new Float64Array(5 * n);
      [r.values, r.modelValues, r.counts, r.variances, r.contributions].forEach((column, j) => column.forEach((x, i) => { table[5 * i + j] = x; }));
      await writeNpy(o.contributionsOut, table, [n, 5]);
    }
    if (o.json) {
      await write(`{"sampler":${JSON.stringify(r.sampler)},"w2":${jsonNumber(r.w2)},"w2Squared":${jsonNumber(r.w2Squared)},"nfe":${r.nfe}`);
      if (o.contributions) {
        for (const key of ['values', 'modelValues', 'counts', 'variances', 'contributions'] as const) {
          await write(`,"${key}":`);
          await writeJsonArray(r[key].length, (i) => jsonNumber(r[key][i]));
        }
      }
      await write('}\n');
      await savePlot(o.plot, (a, document) => a.contributionsFigure(r, { document, title: `Per-mode contributions to W2^2: ${r.sampler}, ${o.steps} steps` }));
      return;
    }
    await write(`sampler  ${r.sampler} (${o.steps} steps, ${o.start} start)\nW2       ${r.w2}\nW2^2     ${r.w2Squared}\nNFE      ${r.nfe}\n`);
    if (o.contributions) await write(contributionText(r, r.w2Squared));
    await savePlot(o.plot, (a, document) => a.contributionsFigure(r, { document, title: `Per-mode contributions to W2^2: ${r.sampler}, ${o.steps} steps` }));
  });
}

type Modes = Pick<EdmSamplerErrorResult, 'values' | 'modelValues' | 'counts' | 'variances' | 'contributions'>;

/** The TOP modes by contribution to W2^2, then the total (= W2^2). */
function contributionText(m: Modes, w2Squared: number): string {
  const order = [...m.contributions.keys()].sort((a, b) => m.contributions[b] - m.contributions[a]).slice(0, TOP);
  const model = m.modelValues.some((x, i) => x !== m.values[i]);
  const header = ['eigenvalue', ...(model ? ['model'] : []), 'count', 'variance', 'contribution', 'share'];
  const share = (x: number) => (w2Squared > 0 ? `${(100 * x / w2Squared).toFixed(1)}%` : '-');
  const rows = order.map((i) => [significant(m.values[i], 6), ...(model ? [significant(m.modelValues[i], 6)] : []), String(m.counts[i]),
    significant(m.variances[i], 6), significant(m.contributions[i], 6), share(m.contributions[i])]);
  const total = m.contributions.reduce((s, x) => s + x, 0);
  rows.push(['total', ...(model ? [''] : []), String(m.counts.reduce((s, x) => s + x, 0)), '', significant(total, 6), share(total)]);
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (cells: string[]) => `${cells.map((c, j) => c.padStart(widths[j])).join('  ')}\n`;
  return `\ntop ${order.length} of ${m.values.length} distinct modes by contribution to W2^2:\n${line(header)}${rows.map(line).join('')}`;
}
