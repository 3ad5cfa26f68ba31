/**
 * `--plot FILE.svg|FILE.png` on the commands that have a figure (table, curve, error, rank, pipeline,
 * tradeoff): the path is checked before any work (extension and writable folder, INVALID_OPTION), the
 * figure is built from the command's result by src/plots/adapters.ts and written atomically after the normal
 * output. The plotting modules are loaded only when a plot is asked for.
 */
import type { Command } from 'commander';
import { checkPlotPath } from '../plots/paths.js';

export function plotOption(cmd: Command): Command {
  return cmd.option('--plot <file.svg|file.png>', 'also draw the result to an SVG or PNG file (by extension)');
}

/** Check --plot before the work (no-op without it). */
export function checkPlot(path: string | undefined): void {
  if (path !== undefined) checkPlotPath(path, '--plot');
}

type Adapters = typeof import('../plots/adapters.js');

/** Build the figure with the adapters and a node document, and write it (no-op without --plot). */
export async function savePlot(path: string | undefined, build: (a: Adapters, document: Document) => Element): Promise<void> {
  if (path === undefined) return;
  const [adapters, node] = await Promise.all([import('../plots/adapters.js'), import('../plots/node.js')]);
  await node.writePlot(path, build(adapters, node.plotDocument()));
}
