/**
 * Moisan's periodic-plus-smooth decomposition ("Periodic plus smooth image decomposition", 2011) on the Wasm
 * FFT (src/fft/fft.ts) and the kernels boundaryJumps / periodicSpectrum (assembly/fft/). The building blocks
 * (channelWorkIn, periodicSpectrumIn) are shared with the image spectra of src/spectra/image.ts.
 */
import { checkArrayShape, checkFiniteEntries } from '../core/checks.js';
import { checkWasmBytes, withWasm, type WasmScope } from '../wasm/kernel.js';
import { fft1Ptr, fft2Ptr, fft2SetupBytes, fft2SetupIn, type Fft2Setup } from '../fft/fft.js';
import { checkImageSize } from './image.js';

/** Wasm buffers for transforming one M x N channel. */
export interface ChannelWork {
  rows: number;
  cols: number;
  setup: Fft2Setup;
  re: number;
  im: number;
  ar: number; // boundary jumps a (length cols) and their DFT
  ai: number;
  br: number; // boundary jumps b (length rows) and their DFT
  bi: number;
  work: number; // 3 (rows + cols)
}

/** Wasm bytes of a ChannelWork (for checkWasmBytes before allocating). */
export function channelBytes(rows: number, cols: number): number {
  return 8 * (2 * rows * cols + 2 * cols + 2 * rows + 3 * (rows + cols)) + fft2SetupBytes(rows, cols) + 7 * 64;
}

export function channelWorkIn(scope: WasmScope, rows: number, cols: number): ChannelWork {
  const n = rows * cols;
  return {
    rows, cols,
    setup: fft2SetupIn(scope, rows, cols),
    re: scope.f64(n), im: scope.f64(n),
    ar: scope.f64(cols), ai: scope.f64(cols), br: scope.f64(rows), bi: scope.f64(rows),
    work: scope.f64(3 * (rows + cols)),
  };
}

/** w.re/w.im hold a real channel: replace them by DFT2 of its periodic component (Moisan). */
export function periodicSpectrumIn(scope: WasmScope, w: ChannelWork): void {
  const { rows, cols } = w;
  scope.kernel.boundaryJumps(rows, cols, w.re, w.ar, w.br);
  scope.view(w.ai, cols).fill(0);
  scope.view(w.bi, rows).fill(0);
  fft1Ptr(scope, cols, w.setup.rowPlan, w.ar, w.ai, false);
  fft1Ptr(scope, rows, w.setup.colPlan, w.br, w.bi, false);
  fft2Ptr(scope, w.setup, w.re, w.im, false);
  scope.kernel.periodicSpectrum(rows, cols, w.re, w.im, w.ar, w.ai, w.br, w.bi, w.work);
}

/**
 * Moisan's periodic component p of one channel u (height x width, row-major): u = p + s with s the smooth
 * part, the zero-mean solution of Delta_per s = v (v: the jumps of u across the periodic boundary). So
 * Delta_per p equals the non-periodic Laplacian of u (neighbours outside the image omitted), and
 * mean(p) = mean(u): DFT2(p) at (0, 0) is the sum of u. No options. Returns a new array; u is not modified.
 * Errors: INVALID_SHAPE (height, width, u's length), TOO_LARGE (more than 2^26 pixels or the Wasm memory),
 * NON_FINITE.
 */
export async function periodicComponent(u: ArrayLike<number>, height: number, width: number): Promise<Float64Array> {
  const [rows, cols] = checkImageSize(height, width, 'u');
  checkArrayShape(u, 'u', rows * cols);
  checkWasmBytes(channelBytes(rows, cols), 'u');
  checkFiniteEntries(u, rows * cols, 'u');
  return withWasm((scope) => {
    const w = channelWorkIn(scope, rows, cols);
    scope.view(w.re, rows * cols).set(u);
    scope.view(w.im, rows * cols).fill(0);
    periodicSpectrumIn(scope, w);
    fft2Ptr(scope, w.setup, w.re, w.im, true);
    return scope.read(w.re, rows * cols);
  });
}
