/** Plot output paths (node): checked before any work, without loading the plotting modules. */
import { extname } from 'node:path';
import { fail } from '../core/errors.js';
import { checkOutputPath } from '../io/files.js';

/** Plot file extensions: .svg writes the SVG text, .png renders it. */
export const PLOT_FORMATS = ['.svg', '.png'] as const;

/**
 * Check a plot path before any work: its extension (.svg or .png, any case) and that it can be written
 * (checkOutputPath). INVALID_OPTION naming `argument` otherwise.
 */
export function checkPlotPath(path: string, argument = '--plot'): void {
  const ext = extname(String(path)).toLowerCase();
  if (!(PLOT_FORMATS as readonly string[]).includes(ext)) fail('INVALID_OPTION', argument, `${path} has extension "${ext}"`, 'a file name ending in .svg or .png');
  checkOutputPath(path, argument);
}
