/**
 * Figures in node: a DOM (linkedom) for the builders of figures.ts, SVG text, PNG through resvg (Wasm, no
 * native binary), and atomic writes (.svg or .png by the file's extension).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join } from 'node:path';
import { parseHTML } from 'linkedom';
import { initWasm, Resvg } from '@resvg/resvg-wasm';
import { fail } from '../core/errors.js';
import { writeFileAtomic } from '../io/files.js';
import { PLOT_FORMATS, checkPlotPath } from './paths.js';

let dom: Document | undefined;

/** A document to pass as `PlotOptions.document` in node. */
export function plotDocument(): Document {
  dom ??= parseHTML('<!doctype html><html><body></body></html>').document as unknown as Document;
  return dom;
}

/** The figure as a standalone SVG file's text (XML declaration, then the <svg> element). */
export function svgString(element: Element): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${element.outerHTML}\n`;
}

export { PLOT_FORMATS, checkPlotPath };

let resvgReady: Promise<void> | undefined;

function initResvg(): Promise<void> {
  const wasm = readFileSync(createRequire(import.meta.url).resolve('@resvg/resvg-wasm/index_bg.wasm'));
  resvgReady ??= initWasm(wasm);
  return resvgReady;
}

/** Folders searched for fonts (resvg in Wasm sees no system fonts): Debian's DejaVu and Liberation. */
const FONT_DIRS = ['/usr/share/fonts/truetype/dejavu', '/usr/share/fonts/truetype/liberation', '/usr/share/fonts/TTF', '/usr/local/share/fonts'];
const FONT_FILE = /^(DejaVuSans(-Bold)?|LiberationSans-(Regular|Bold))\.ttf$/;
let fonts: Uint8Array[] | undefined;

/** The sans-serif fonts found (empty when the machine has none: PNG text is then not drawn). */
export function plotFonts(): Uint8Array[] {
  if (!fonts) {
    fonts = [];
    for (const dir of FONT_DIRS) {
      let names: string[] = [];
      try {
        names = readdirSync(dir);
      } catch {
        continue;
      }
      for (const n of names.filter((n) => FONT_FILE.test(n)).sort()) fonts.push(readFileSync(join(dir, n)));
    }
  }
  return fonts;
}

/** PNG bytes of an SVG text, `width` pixels wide (default: the SVG's own width), white background. */
export async function pngBytes(svg: string, width?: number): Promise<Uint8Array> {
  if (width !== undefined && (!Number.isInteger(width) || width < 16 || width > 16384)) fail('INVALID_OPTION', 'width', `is ${width}`, 'an integer number of pixels from 16 to 16384');
  await initResvg();
  const r = new Resvg(svg, {
    background: 'white',
    fitTo: width === undefined ? { mode: 'original' } : { mode: 'width', value: width },
    font: { fontBuffers: plotFonts(), defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  try {
    const image = r.render();
    try {
      return image.asPng();
    } finally {
      image.free();
    }
  } finally {
    r.free();
  }
}

/** Write a figure to `path`, SVG or PNG by its extension, atomically (checkPlotPath first). */
export async function writePlot(path: string, element: Element): Promise<void> {
  checkPlotPath(path, 'path');
  const svg = svgString(element);
  await writeFileAtomic(path, extname(path).toLowerCase() === '.png' ? await pngBytes(svg) : svg);
}
