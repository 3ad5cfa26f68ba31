/**
 * The bottom layer (src/core): compensated sums against an exact BigInt reference, the shared argument checks
 * (codes, what they name, what they do not read), and formatTable's digits (issue 8, defect 8: on the old main
 * `formatTable(r, 0)` threw an untyped RangeError).
 */
import { describe, expect, it } from 'vitest';
import { formatTable, table } from '../../src/node.js';
import { NeumaierSum, blockedSum, neumaierSum } from '../../src/core/sums.js';
import { SUM_BLOCK } from '../../src/wasm/constants.js';
import {
  SEED_LIMIT, checkArrayShape, checkDimension, checkFiniteEntries, checkInteger, checkMatrixShape, checkSeed, describe as describeValue,
} from '../../src/core/checks.js';
import { expectError } from '../helpers/errors.js';
import { rng } from '../helpers/random.js';

/** x = m 2^(e - 1075) (normal or subnormal f64): returns m 2^(e - 1075 + SCALE) as a BigInt, exactly. */
const SCALE = 1200;
function scaled(x: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const e = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (e > 0) m |= 1n << 52n;
  const shift = BigInt(Math.max(e, 1) - 1075 + SCALE);
  const v = m << shift;
  return hi >>> 31 ? -v : v;
}

/** The sum of the terms, exact, then rounded once to f64 (normal results). */
function exactSum(terms: ArrayLike<number>): number {
  let s = 0n;
  for (let i = 0; i < terms.length; i++) s += scaled(terms[i]);
  const sign = s < 0n ? -1 : 1;
  let a = s < 0n ? -s : s;
  // Keep 64 bits with a sticky bit for what is dropped: Number() then rounds that to 53 bits as it would the
  // exact value (to nearest); the power of two scales back exactly.
  const k = Math.max(0, a.toString(2).length - 64);
  const dropped = a & ((1n << BigInt(k)) - 1n);
  a = (a >> BigInt(k)) | (dropped ? 1n : 0n);
  const e = k - SCALE;
  return sign * Number(a) * 2 ** Math.floor(e / 2) * 2 ** (e - Math.floor(e / 2));
}

describe('compensated sums', () => {
  it('the BigInt reference is exact on sums a plain loop gets wrong', () => {
    expect(exactSum([1e16, 1, -1e16])).toBe(1);
    expect(exactSum([0.1, 0.2, -0.3])).toBe(2 ** -55); // the doubles 0.1 + 0.2 - 0.3, exactly
    expect(exactSum([1, 2 ** -53 + 2 ** -105])).toBe(1 + 2 ** -52); // above the tie: rounds up
    expect(exactSum([1, 2 ** -53])).toBe(1); // the tie: to even
    expect(0.1 + 0.2 - 0.3).toBe(2 ** -54); // a plain loop is off by 100%
    expect(1e16 + 1 - 1e16).toBe(0);
    expect(neumaierSum([0.1, 0.2, -0.3])).toBe(2 ** -55);
    expect(neumaierSum([1e16, 1, -1e16])).toBe(1);
  });

  it('neumaierSum is within 2 eps |S| + n eps^2 sum|x| of the exact sum, on ill-conditioned random sums', () => {
    const r = rng(20261203);
    const eps = Number.EPSILON / 2;
    let plainOutside = 0;
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(r() * 400);
      const x = new Float64Array(n);
      for (let i = 0; i < n; i++) x[i] = (r() - 0.5) * 10 ** Math.floor(r() * 32 - 16);
      // Cancellation: append the negated large terms in another order.
      const terms = Float64Array.from([...x, ...x.filter((_, i) => i % 3 === 0).map((v) => -v).reverse()]);
      const exact = exactSum(terms);
      const abs = terms.reduce((s, v) => s + Math.abs(v), 0);
      const bound = 2 * eps * Math.abs(exact) + terms.length * eps * eps * abs;
      expect(Math.abs(neumaierSum(terms) - exact)).toBeLessThanOrEqual(bound);
      if (Math.abs(terms.reduce((s, v) => s + v, 0) - exact) > bound) plainOutside++;
      // from/to select a slice; the running form is the same sum.
      const a = Math.floor(r() * terms.length);
      expect(neumaierSum(terms, a)).toBe(neumaierSum(terms.subarray(a)));
      const acc = new NeumaierSum();
      for (const v of terms) acc.add(v);
      expect(acc.value).toBe(neumaierSum(terms));
    }
    expect(plainOutside).toBeGreaterThan(100); // the bound is one a plain loop misses on these sums
  });

  it('blockedSum adds plain block sums of SUM_BLOCK terms by Neumaier', () => {
    const r = rng(7);
    const n = 5 * SUM_BLOCK + 17;
    const terms = Float64Array.from({ length: n }, () => r() * 10 ** Math.floor(r() * 8));
    const blocks: number[] = [];
    const seen: Array<[number, number]> = [];
    const total = blockedSum(n, SUM_BLOCK, (from, to) => {
      seen.push([from, to]);
      let s = 0;
      for (let i = from; i < to; i++) s += terms[i];
      blocks.push(s);
      return s;
    });
    expect(seen).toEqual(Array.from({ length: 6 }, (_, b) => [b * SUM_BLOCK, Math.min(n, (b + 1) * SUM_BLOCK)]));
    expect(total).toBe(neumaierSum(blocks));
    // Non-negative terms: plain blocks lose at most SUM_BLOCK eps relative.
    expect(Math.abs(total - exactSum(terms))).toBeLessThanOrEqual(SUM_BLOCK * Number.EPSILON * exactSum(terms));
    expect(blockedSum(0, SUM_BLOCK, () => 1)).toBe(0);
  });
});

describe('argument checks', () => {
  it('checkInteger: integers in [lo, hi], with the code asked for', async () => {
    expect(checkInteger(5, 'k', 1, 5, 'from 1 to 5')).toBe(5);
    for (const bad of [0, 6, 2.5, NaN, Infinity, '3', null, undefined]) {
      await expectError(() => checkInteger(bad, 'k', 1, 5, 'from 1 to 5'), 'INVALID_OPTION', 'k');
    }
    await expectError(() => checkInteger(1, 'steps', 2, 9, 'from 2 to 9', 'INVALID_STEPS'), 'INVALID_STEPS', 'steps', /got number 1/);
    await expectError(() => checkDimension(0, 'd'), 'INVALID_SHAPE', 'd');
    await expectError(() => checkDimension(2 ** 53, 'd'), 'INVALID_SHAPE', 'd');
  });

  it('checkSeed: 0 <= seed < 2^53', async () => {
    expect(checkSeed(SEED_LIMIT - 1)).toBe(2 ** 53 - 1);
    expect(checkSeed(0)).toBe(0);
    await expectError(() => checkSeed(SEED_LIMIT), 'INVALID_OPTION', 'seed');
    await expectError(() => checkSeed(-1, 'opts.seed'), 'INVALID_OPTION', 'opts.seed');
  });

  it('shape checks read no entry', async () => {
    const untouchable = new Proxy([1, 2, 3], {
      get(target, prop, recv) {
        if (typeof prop === 'string' && /^\d+$/.test(prop)) throw new Error(`read entry ${prop}`);
        return Reflect.get(target, prop, recv);
      },
    });
    expect(checkArrayShape(untouchable, 'x', 3)).toBe(3);
    expect(checkMatrixShape(untouchable, 1, 3, 'x')).toBe(untouchable);
    await expectError(() => checkArrayShape(untouchable, 'x', 4), 'INVALID_SHAPE', 'x', /length 3, expected 4/);
    await expectError(() => checkMatrixShape(untouchable, 2, 2, 'x'), 'INVALID_SHAPE', 'x', /expected 2 x 2 = 4/);
    await expectError(() => checkArrayShape([], 'x'), 'INVALID_SHAPE', 'x', /empty/);
    await expectError(() => checkArrayShape('abc', 'x'), 'INVALID_SHAPE', 'x', /string "abc"/);
  });

  it('checkFiniteEntries names the first bad entry (by index, or row and column), on every array kind', async () => {
    for (const make of [(v: number[]) => v, (v: number[]) => Float64Array.from(v), (v: number[]) => Float32Array.from(v)]) {
      const x = make([1, 2, 3, NaN, 5, Infinity]);
      await expectError(() => checkFiniteEntries(x, 6, 'x'), 'NON_FINITE', 'x', /entry 3 is NaN/);
      await expectError(() => checkFiniteEntries(x, 6, 'x', 'finite numbers', 2), 'NON_FINITE', 'x', /entry \(1, 1\) is NaN/);
      expect(() => checkFiniteEntries(x, 3, 'x')).not.toThrow(); // only the first n entries
    }
    await expectError(() => checkFiniteEntries([1, '2'] as never, 2, 'x'), 'NON_FINITE', 'x', /entry 1 is not a number \(string "2"\)/);
    await expectError(() => checkFiniteEntries(new Float64Array([-Infinity]), 1, 'x'), 'NON_FINITE', 'x', /-Infinity/);
  });

  it('describe says what a value is', () => {
    expect(describeValue(null)).toBe('null');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue([1, 2])).toBe('an array of length 2');
    expect(describeValue(new Float32Array(3))).toBe('a Float32Array of length 3');
    expect(describeValue(2.5)).toBe('number 2.5');
    expect(describeValue('x'.repeat(50))).toBe(`string "${'x'.repeat(40)}..."`);
    expect(describeValue(new Map())).toBe('a Map');
    expect(describeValue(Object.create(null))).toBe('a null-prototype object');
  });
});

describe('formatTable digits', () => {
  it('refuses digits outside 1..17 with a typed error (old main: RangeError)', async () => {
    const r = await table([1, 2], { steps: [10], eps: [1e-3] });
    for (const bad of [0, 18, 2.5, -1, NaN, 'x']) {
      await expectError(() => formatTable(r, bad as never), 'INVALID_OPTION', 'digits');
    }
    const w2 = r.rows[1].w2 as number;
    expect(formatTable(r, 3)).toContain(w2 < 1e-3 ? w2.toExponential(2) : w2.toPrecision(3));
    expect(formatTable(r, 17)).toContain(w2 < 1e-3 ? w2.toExponential(16) : w2.toPrecision(17));
  });
});
