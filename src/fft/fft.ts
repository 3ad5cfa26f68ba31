/**
 * Discrete Fourier transforms of any length on the Wasm kernel (assembly/fft/fft.ts): radix-2 for powers of two,
 * Bluestein's chirp-z (a power-of-two convolution) otherwise. Conventions (numpy's):
 *   forward  X_k = sum_j x_j e^{-2 pi i jk / n}
 *   inverse  x_j = (1/n) sum_k X_k e^{+2 pi i jk / n}
 * 2-D transforms of a rows x cols row-major array do the rows, then the columns. Inputs are never mutated;
 * results are new arrays. Every twiddle is computed directly (no recurrence), so the error is about
 * 1e-16 * log2(n) relative to the norm of the data (Bluestein: a few times that).
 *
 * `fft`/`fft2` load the kernel; `fftIn`/`fft2In` run inside a caller's Wasm scope (synchronous). The
 * pointer-level helpers at the end are for other Wasm code of the package (src/adsn.ts).
 */
import { fail } from '../core/errors.js';
import { checkArrayShape, checkDimension, checkFiniteEntries } from '../core/checks.js';
import { checkOptions, optionKeys } from '../core/options.js';
import { checkWasmBytes, withWasm, type WasmScope } from '../wasm/kernel.js';
import { fftColWorkLength, fftPlanLength } from '../wasm/constants.js';

export interface FftOptions {
  /** The inverse DFT (with its 1/n) instead of the forward one. Default false. */
  inverse?: boolean;
}

export const FFT_KEYS = optionKeys<FftOptions>({ inverse: true });

export interface ComplexArrays {
  re: Float64Array;
  im: Float64Array;
}

/** Longest 1-D length and largest rows * cols accepted (keeps the kernel's indices in i32). */
export const MAX_FFT_LENGTH = 2 ** 26;

const ALLOWED_DATA = 'an array or typed array of finite numbers';

function checkLength(n: number, argument: string): void {
  if (n > MAX_FFT_LENGTH) {
    fail('TOO_LARGE', argument, `${n} values`, `at most ${MAX_FFT_LENGTH} values per transform`);
  }
}

function inverseOption(opts: FftOptions | undefined): boolean {
  checkOptions(opts, FFT_KEYS);
  const inv = opts?.inverse;
  if (inv !== undefined && typeof inv !== 'boolean') fail('INVALID_OPTION', 'opts.inverse', `got ${String(inv)}`, 'true or false');
  return inv === true;
}

// ---- pointer-level helpers (internal) -------------------------------------------------------------------

// Number of f64 of the plan of a length-n transform (src/wasm/constants.ts, shared with the kernel; fftPlanIn
// checks the loaded build agrees). @internal
export { fftPlanLength };

/** Bytes of the plan of a length-n transform (with allocator slack). @internal */
export function fftPlanBytes(n: number): number {
  return 8 * fftPlanLength(n) + 64;
}

/** Allocate and fill the plan of a length-n transform; returns its pointer. @internal */
export function fftPlanIn(scope: WasmScope, n: number): number {
  const len = fftPlanLength(n);
  const inKernel = scope.kernel.fftPlanSize(n);
  if (inKernel !== len) {
    fail('INTERNAL', 'wasm', `the kernel's FFT plan of length ${n} has ${inKernel} entries, src/fft/fft.ts expects ${len}`, 'rebuild with npm run build');
  }
  const plan = scope.f64(len);
  scope.kernel.fftPlan(n, plan);
  return plan;
}

/** In-place 1-D transform of n complex values at (re, im) with a plan from fftPlanIn. @internal */
export function fft1Ptr(scope: WasmScope, n: number, plan: number, re: number, im: number, inverse: boolean): void {
  scope.kernel.fft1(n, plan, re, im, inverse ? 1 : 0);
}

/** Plans and work of a rows x cols transform. @internal */
export interface Fft2Setup {
  rows: number;
  cols: number;
  /** Plan for the rows (length cols). */
  rowPlan: number;
  /** Plan for the columns (length rows); the same pointer when rows == cols. */
  colPlan: number;
  /** Work of the column pass. */
  work: number;
}

/** Bytes the plans and work of a rows x cols transform take (not the data). @internal */
export function fft2SetupBytes(rows: number, cols: number): number {
  return fftPlanBytes(cols) + (rows === cols ? 0 : fftPlanBytes(rows)) + 8 * fftColWorkLength(rows) + 64;
}

/** Allocate plans and work for rows x cols transforms. @internal */
export function fft2SetupIn(scope: WasmScope, rows: number, cols: number): Fft2Setup {
  const rowPlan = fftPlanIn(scope, cols);
  const colPlan = rows === cols ? rowPlan : fftPlanIn(scope, rows);
  const size = scope.kernel.fftColWorkSize(rows);
  if (size !== fftColWorkLength(rows)) fail('INTERNAL', 'wasm', `the kernel's column work has ${size} entries, expected ${fftColWorkLength(rows)}`, 'rebuild with npm run build');
  const work = scope.f64(size);
  return { rows, cols, rowPlan, colPlan, work };
}

/** In-place 2-D transform of the rows x cols complex array at (re, im). @internal */
export function fft2Ptr(scope: WasmScope, s: Fft2Setup, re: number, im: number, inverse: boolean): void {
  const inv = inverse ? 1 : 0;
  if (s.cols > 1) scope.kernel.fftRows(s.cols, s.rows, s.rowPlan, re, im, inv);
  if (s.rows > 1) scope.kernel.fftCols(s.rows, s.cols, s.colPlan, re, im, s.work, inv);
}

// ---- public API ---------------------------------------------------------------------------------------------

/** Options, shapes and sizes (no entry read); returns n. Then `finite` reads the entries. */
function checkFft(re: unknown, im: unknown, opts: unknown): number {
  inverseOption(opts as FftOptions | undefined);
  const n = checkArrayShape(re, 're');
  if (im !== null && im !== undefined) checkArrayShape(im, 'im', n);
  checkLength(n, 're');
  checkWasmBytes(8 * 2 * n + 2 * 64 + fftPlanBytes(n), 're');
  return n;
}

function checkFft2(re: unknown, im: unknown, rows: unknown, cols: unknown, opts: unknown): number {
  inverseOption(opts as FftOptions | undefined);
  checkDimension(rows, 'rows');
  checkDimension(cols, 'cols');
  const n = (rows as number) * (cols as number);
  checkLength(n, 'rows * cols');
  checkArrayShape(re, 're', n);
  if (im !== null && im !== undefined) checkArrayShape(im, 'im', n);
  checkWasmBytes(8 * 2 * n + 2 * 64 + fft2SetupBytes(rows as number, cols as number), 're');
  return n;
}

function finite(re: ArrayLike<number>, im: ArrayLike<number> | null, n: number): void {
  checkFiniteEntries(re, n, 're', ALLOWED_DATA);
  if (im) checkFiniteEntries(im, n, 'im', ALLOWED_DATA);
}

/** `fft` inside a Wasm scope (synchronous). */
export function fftIn(scope: WasmScope, re: ArrayLike<number>, im: ArrayLike<number> | null, opts?: FftOptions): ComplexArrays {
  const n = checkFft(re, im, opts);
  finite(re, im, n);
  const pr = scope.f64(n, re);
  const pi = scope.f64(n, im ?? undefined);
  if (!im) scope.view(pi, n).fill(0);
  const plan = fftPlanIn(scope, n);
  fft1Ptr(scope, n, plan, pr, pi, inverseOption(opts));
  return { re: scope.read(pr, n), im: scope.read(pi, n) };
}

/** `fft2` inside a Wasm scope (synchronous). */
export function fft2In(
  scope: WasmScope, re: ArrayLike<number>, im: ArrayLike<number> | null, rows: number, cols: number, opts?: FftOptions,
): ComplexArrays {
  const n = checkFft2(re, im, rows, cols, opts);
  finite(re, im, n);
  const pr = scope.f64(n, re);
  const pi = scope.f64(n, im ?? undefined);
  const setup = fft2SetupIn(scope, rows, cols);
  if (!im) scope.view(pi, n).fill(0);
  fft2Ptr(scope, setup, pr, pi, inverseOption(opts));
  return { re: scope.read(pr, n), im: scope.read(pi, n) };
}

/**
 * Complex DFT of any length n >= 1 (`im` null: real input). Returns new arrays; inputs are not mutated.
 * Errors, all before any work: INVALID_OPTION, INVALID_SHAPE (not an array, empty, im of another length),
 * TOO_LARGE (more than MAX_FFT_LENGTH values, or more Wasm memory than allowed), NON_FINITE.
 */
export async function fft(re: ArrayLike<number>, im: ArrayLike<number> | null, opts?: FftOptions): Promise<ComplexArrays> {
  finite(re, im, checkFft(re, im, opts));
  return withWasm((scope) => fftIn(scope, re, im, opts));
}

/** 2-D DFT of a rows x cols row-major array (rows, then columns). Same errors as `fft`, and rows * cols must be the length. */
export async function fft2(
  re: ArrayLike<number>, im: ArrayLike<number> | null, rows: number, cols: number, opts?: FftOptions,
): Promise<ComplexArrays> {
  finite(re, im, checkFft2(re, im, rows, cols, opts));
  return withWasm((scope) => fft2In(scope, re, im, rows, cols, opts));
}
