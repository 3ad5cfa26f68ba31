/**
 * The Wasm one-sided Jacobi SVD (assembly/linalg/svd.ts, values only) on matrices with known singular values:
 * X = P Q diag(s) Q^T with Q an exact Hadamard-block orthogonal basis (bures-reference.ts) and P a signed row
 * permutation, so X is exact in f64, not symmetric, and its singular values are exactly |s|.
 */
import { describe, expect, it } from 'vitest';
import '../../src/node.js'; // sets the Wasm source
import { withWasm } from '../../src/wasm/kernel.js';
import { rng } from '../helpers/random.js';
import { basis, compose } from './bures-reference.js';

/** Singular values (descending) and the sweep count of the kernel on a copy of x (n x n). */
async function svd(x: Float64Array, n: number): Promise<{ values: Float64Array; sweeps: number }> {
  return withWasm((scope) => {
    const px = scope.f64(n * n, x);
    const ps = scope.f64(n);
    const sweeps = scope.kernel.svdValues(n, n, px, ps);
    return { values: scope.read(ps, n).sort().reverse(), sweeps };
  });
}

/** P Q diag(s) Q^T: rows of Q diag(s) Q^T permuted and sign-flipped (exact). */
function knownMatrix(seed: number, blocks: number[], s: Float64Array): Float64Array {
  const q = basis(seed, blocks);
  const n = q.d;
  const a = compose(q, s);
  const u = rng(seed + 7);
  const order = Array.from({ length: n }, (_, i) => i).sort(() => u() - 0.5);
  const x = new Float64Array(n * n);
  order.forEach((r, i) => {
    const sign = u() < 0.5 ? -1 : 1;
    for (let j = 0; j < n; j++) x[i * n + j] = sign * a[r * n + j];
  });
  return x;
}

describe('svdValues (Wasm one-sided Jacobi)', () => {
  it('graded singular values down to 1e-12 of the largest, odd and even sizes: each within 4 n eps max of |s|', async () => {
    for (const blocks of [[8, 4, 1], [64, 32], [128, 64, 8]]) {
      const n = blocks.reduce((a, b) => a + b, 0);
      const u = rng(n);
      // integers up to 2^40 (exact), times 2^-40; some exact zeros (rank-deficient)
      const s = Float64Array.from({ length: n }, (_, i) => (i % 7 === 3 ? 0 : Math.round(2 ** 40 / 1e12 ** u()) * 2 ** -40));
      const { values, sweeps } = await svd(knownMatrix(n, blocks, s), n);
      expect(sweeps).toBeGreaterThan(0);
      const want = s.slice().sort().reverse();
      for (let i = 0; i < n; i++) expect(Math.abs(values[i] - want[i])).toBeLessThan(4 * n * Number.EPSILON * want[0]);
    }
  });

  it('no overflow or underflow: scaling X by 2^+-600 scales the values exactly as much', async () => {
    const n = 13;
    const s = Float64Array.from({ length: n }, (_, i) => 1 + i);
    const x = knownMatrix(3, [8, 4, 1], s);
    const base = (await svd(x, n)).values;
    for (const k of [600, -600]) {
      const got = (await svd(x.map((v) => v * 2 ** k), n)).values;
      for (let i = 0; i < n; i++) expect(got[i]).toBe(base[i] * 2 ** k);
    }
  });

  it('the zero matrix has zero singular values (no sweep)', async () => {
    const { values, sweeps } = await svd(new Float64Array(25), 5);
    expect(sweeps).toBe(0);
    expect(Array.from(values)).toEqual([0, 0, 0, 0, 0]);
  });
});
