/**
 * The two Wasm SVDs, values only: the one-sided Jacobi (assembly/linalg/svd.ts) and the bidiagonalisation with
 * dqds (assembly/linalg/bidiag.ts), on matrices with known singular values:
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

/** Singular values (descending) and the status of svdBidiagValues on a copy of the m x n column-major a. */
async function bidiag(a: Float64Array, m: number, n: number, method = 0): Promise<{ values: Float64Array; status: number }> {
  return withWasm((scope) => {
    const pa = scope.f64(m * n, a);
    const ps = scope.f64(n);
    const workLen = scope.kernel.svdWorkLength(m, n);
    const status = scope.kernel.svdBidiagValues(m, n, pa, ps, scope.f64(workLen), workLen, method);
    return { values: scope.read(ps, n), status };
  });
}

/** The m x n column-major matrix whose columns are the rows of the n x n row-major x, with m - n zero rows
 *  shuffled in (exact: its singular values are those of x). */
function tall(x: Float64Array, n: number, m: number, seed: number): Float64Array {
  const u = rng(seed);
  const rows = Array.from({ length: m }, (_, i) => i).sort(() => u() - 0.5); // row i of A comes from rows[i]
  const a = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const r = rows[i];
    if (r >= n) continue;
    for (let j = 0; j < n; j++) a[i + j * m] = x[j * n + r]; // A(i, j) = x^T(r, j)
  }
  return a;
}

describe('svdBidiagValues (Wasm bidiagonalisation, then dqds or QL)', () => {
  const graded = (n: number) => {
    const u = rng(n + 1);
    return Float64Array.from({ length: n }, (_, i) => (i % 7 === 3 ? 0 : Math.round(2 ** 40 / 1e12 ** u()) * 2 ** -40));
  };

  it('graded values down to 1e-12 with exact zeros, panel edges (n = 13, 33, 96, 200), square and tall: within 4 n eps max of |s|, dqds and QL alike', async () => {
    for (const blocks of [[8, 4, 1], [32, 1], [64, 32], [128, 64, 8]]) {
      const n = blocks.reduce((a, b) => a + b, 0);
      const s = graded(n);
      const want = s.slice().sort().reverse();
      const x = knownMatrix(n, blocks, s);
      for (const m of [n, n + 37]) {
        const a = tall(x, n, m, n + m);
        for (const method of [0, 1]) {
          const { values, status } = await bidiag(a, m, n, method);
          expect(status).toBe(method === 0 ? 0 : 2); // dqds converged; QL when asked
          for (let i = 0; i < n; i++) expect(Math.abs(values[i] - want[i]), `n ${n} m ${m} method ${method} i ${i}`).toBeLessThan(4 * n * Number.EPSILON * want[0]);
        }
      }
    }
  });

  it('a diagonal matrix (every e_i = 0: dqds splits into 1 x 1 blocks) with repeated values and zeros: exact', async () => {
    const s = [3, 0, 1.5, 3, 2 ** -30, 0, 7, 1.5];
    const n = s.length;
    const a = new Float64Array(n * n);
    s.forEach((v, i) => { a[i + i * n] = i % 2 ? -v : v; });
    const { values, status } = await bidiag(a, n, n);
    expect(status).toBe(0);
    expect(Array.from(values)).toEqual(s.slice().sort((p, q) => q - p));
  });

  it('agrees with the one-sided Jacobi on random matrices (n = 100, 130 x 97) to 2 n eps max', async () => {
    for (const [m, n] of [[100, 100], [130, 97]]) {
      const u = rng(m * n);
      const a = Float64Array.from({ length: m * n }, () => u() - 0.5);
      const { values } = await bidiag(a, m, n);
      const jacobi = (await withWasm((scope) => {
        const px = scope.f64(m * n, a); // column-major m x n = row-major n x m: the same singular values
        const ps = scope.f64(n);
        scope.kernel.svdValues(n, m, px, ps);
        return scope.read(ps, n);
      })).sort().reverse();
      for (let i = 0; i < n; i++) expect(Math.abs(values[i] - jacobi[i])).toBeLessThan(2 * n * Number.EPSILON * jacobi[0]);
    }
  });

  it('no overflow or underflow: scaling by 2^+-600 scales the values exactly; the zero matrix and 1 x 1 are exact', async () => {
    const n = 13;
    const x = knownMatrix(3, [8, 4, 1], Float64Array.from({ length: n }, (_, i) => 1 + i));
    const base = (await bidiag(x, n, n)).values;
    for (const k of [600, -600]) {
      const got = (await bidiag(x.map((v) => v * 2 ** k), n, n)).values;
      for (let i = 0; i < n; i++) expect(got[i]).toBe(base[i] * 2 ** k);
    }
    expect(Array.from((await bidiag(new Float64Array(12), 4, 3)).values)).toEqual([0, 0, 0]);
    expect(Array.from((await bidiag(Float64Array.of(-2.5), 1, 1)).values)).toEqual([2.5]);
  });

  it('300 random matrices (plain, graded to 1e-12 or 1e-18, zero columns, clustered values, rank-deficient): dqds never falls back, and agrees with QL to 2 n eps max', async () => {
    const u = rng(12345);
    const gauss = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
    let worst = 0;
    for (let t = 0; t < 300; t++) {
      const n = 1 + Math.floor(u() * 60);
      const m = n + Math.floor(u() * 20);
      const kind = t % 6;
      const a = new Float64Array(m * n);
      for (let j = 0; j < n; j++) {
        for (let i = 0; i < m; i++) {
          let v = gauss();
          if (kind === 1) v *= 10 ** (-12 * j / n);
          if (kind === 2) v *= 10 ** (-12 * i / m) * 10 ** (-6 * j / n);
          if (kind === 3 && j % 3 === 0) v = 0;
          if (kind === 4) v = i === j ? 1 + (j % 3) * 1e-9 : 1e-12 * v;
          if (kind === 5 && j > n / 2) v = 0;
          a[i + j * m] = v;
        }
      }
      const dqds = await bidiag(a, m, n, 0);
      const ql = await bidiag(a, m, n, 1);
      expect(dqds.status, `case ${t} (m ${m}, n ${n}, kind ${kind})`).toBe(0);
      for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(dqds.values[i] - ql.values[i]) / (n * Number.EPSILON * (ql.values[0] || 1)));
    }
    expect(worst).toBeLessThan(2);
  });

  it('refuses m < n and a short work block (-1), before touching memory', async () => {
    await withWasm((scope) => {
      const pa = scope.f64(12);
      const ps = scope.f64(4);
      const workLen = scope.kernel.svdWorkLength(4, 3);
      const pw = scope.f64(workLen);
      expect(scope.kernel.svdBidiagValues(3, 4, pa, ps, pw, workLen, 0)).toBe(-1);
      expect(scope.kernel.svdBidiagValues(4, 3, pa, ps, pw, workLen - 1, 0)).toBe(-1);
    });
  });
});
