/**
 * Argument checks shared by the API (stdlib style: an unvalidated base kernel under a thin validating
 * layer). Each names the argument, says what was wrong and what is allowed (src/core/errors.ts), and reads
 * no more of the input than it must: shape checks read no entry.
 */
import { type ErrorCode, fail } from './errors.js';

/** Largest seed + 1: seeds are the 64-bit Philox key restricted to exact f64 integers (src/random/random.ts). */
export const SEED_LIMIT = 2 ** 53;

/** A value as an error message shows it: "null", "an array of length 3", "a Float32Array of length 4", "number NaN". */
export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (ArrayBuffer.isView(x)) return `a ${x.constructor.name}${'length' in x ? ` of length ${(x as unknown as ArrayLike<unknown>).length}` : ''}`;
  if (typeof x === 'number' || typeof x === 'boolean' || typeof x === 'bigint') return `${typeof x} ${String(x)}`;
  if (typeof x === 'string') return `string ${JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}...` : x)}`;
  if (typeof x === 'object') return `a ${(x as object).constructor?.name ?? 'null-prototype object'}`;
  return typeof x;
}

/** An integer lo <= x <= hi; `code` (INVALID_OPTION by default) otherwise. Returns x. */
export function checkInteger(x: unknown, argument: string, lo: number, hi: number, allowed: string, code: ErrorCode = 'INVALID_OPTION'): number {
  if (typeof x !== 'number' || !Number.isInteger(x) || x < lo || x > hi) fail(code, argument, `got ${describe(x)}`, allowed);
  return x;
}

/** A dimension or size: a positive safe integer (INVALID_SHAPE otherwise). */
export function checkDimension(x: unknown, argument: string, allowed = 'a positive integer'): number {
  return checkInteger(x, argument, 1, Number.MAX_SAFE_INTEGER, allowed, 'INVALID_SHAPE');
}

/** A seed: an integer 0 <= seed < 2^53 (INVALID_OPTION otherwise). */
export function checkSeed(seed: unknown, argument = 'seed'): number {
  return checkInteger(seed, argument, 0, SEED_LIMIT - 1, 'an integer 0 <= seed < 2^53 (the key of the generator, src/random/random.ts)');
}

/**
 * An array-like of numbers of length >= 1 (and exactly `expected` when given), without reading its entries
 * (INVALID_SHAPE otherwise). Returns its length.
 */
export function checkArrayShape(x: unknown, argument: string, expected?: number, allowed = 'an array or typed array of finite numbers'): number {
  const len = (x as { length?: unknown } | null)?.length;
  if (x === null || typeof x !== 'object' || typeof len !== 'number' || !Number.isSafeInteger(len) || len < 0) {
    fail('INVALID_SHAPE', argument, `expected an array of numbers, got ${describe(x)}`, allowed);
  }
  if (expected !== undefined && len !== expected) {
    fail('INVALID_SHAPE', argument, `has length ${len}, expected ${expected}`, `exactly ${expected} values`);
  }
  if (len < 1) fail('INVALID_SHAPE', argument, 'is empty', 'at least one value');
  return len;
}

/** An array-like of exactly rows x cols numbers (INVALID_SHAPE otherwise), without reading its entries. */
export function checkMatrixShape(x: unknown, rows: number, cols: number, argument: string): ArrayLike<number> {
  const len = (x as { length?: unknown } | null)?.length;
  if (x === null || typeof x !== 'object' || typeof len !== 'number') {
    fail('INVALID_SHAPE', argument, `expected an array of ${rows} x ${cols} numbers, got ${describe(x)}`, `a ${rows} x ${cols} row-major array`);
  }
  if (len !== rows * cols) {
    fail('INVALID_SHAPE', argument, `has length ${len}, expected ${rows} x ${cols} = ${rows * cols}`, `exactly ${rows * cols} values (row-major)`);
  }
  return x as ArrayLike<number>;
}

// Fast paths for typed arrays (monomorphic, four independent sums): v * 0 is 0 for finite v, else NaN.
function allFinite64(x: Float64Array): boolean {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const n = x.length - (x.length % 4);
  for (let i = 0; i < n; i += 4) {
    s0 += x[i] * 0;
    s1 += x[i + 1] * 0;
    s2 += x[i + 2] * 0;
    s3 += x[i + 3] * 0;
  }
  for (let i = n; i < x.length; i++) s0 += x[i] * 0;
  return s0 + s1 + s2 + s3 === 0;
}

function allFinite32(x: Float32Array): boolean {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * 0;
  return s === 0;
}

/**
 * The first n entries of `x` are finite numbers (NON_FINITE otherwise, naming the first bad entry, as
 * (row, column) of a row-major matrix when `cols` is given).
 */
export function checkFiniteEntries(x: ArrayLike<unknown>, n: number, argument: string, allowed = 'finite numbers', cols?: number): void {
  if (x instanceof Float64Array) {
    if (allFinite64(n === x.length ? x : x.subarray(0, n))) return;
  } else if (x instanceof Float32Array) {
    if (allFinite32(n === x.length ? x : x.subarray(0, n))) return;
  }
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      const at = cols ? `(${Math.floor(i / cols)}, ${i % cols})` : String(i);
      fail('NON_FINITE', argument, `entry ${at} is ${typeof v === 'number' ? String(v) : `not a number (${describe(v)})`}`, allowed);
    }
  }
}
