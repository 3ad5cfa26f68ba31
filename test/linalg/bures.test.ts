/**
 * buresW2 against an independent reference: a plain-TypeScript cyclic Jacobi eigensolver (nothing shared
 * with the Wasm eigh or GEMM) and the Bures formula computed with it.
 *
 * Reference forms (both Jacobi-based):
 *  - direct: A^{1/2} = V sqrt(L) V^T, M = A^{1/2} B A^{1/2} by naive loops, tr M^{1/2} = sum sqrt(eig M);
 *  - factored, for A = G G^T and B = H H^T: tr (A^{1/2} B A^{1/2})^{1/2} is the nuclear norm of G^T H, i.e.
 *    sum sqrt(eig K) with K = (G^T H)(G^T H)^T (or its transpose product, whichever is smaller). For
 *    singular A, B this K is nonsingular, so the reference is accurate to ~eps, where the direct form
 *    loses half the digits (sqrt of rounding-level eigenvalues). Singular cases use integer G, H, so
 *    A and B are exactly singular in f64 and the exact answer is well defined.
 */
import { describe, expect, it } from 'vitest';
import { buresW2 } from '../../src/linalg/bures.js';
import { rng } from '../helpers/random.js';
import { expectError } from '../helpers/errors.js';

// ---------- independent reference ----------

/** Cyclic Jacobi: eigenvalues ascending, eigenvectors as columns of a row-major d x d matrix. */
function jacobi(a: ArrayLike<number>, d: number): { values: Float64Array; vectors: Float64Array } {
  const A = Float64Array.from(a);
  const V = new Float64Array(d * d);
  for (let i = 0; i < d; i++) V[i * d + i] = 1;
  let fro = 0;
  for (const x of A) fro += x * x;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) off += A[i * d + j] ** 2;
    if (off <= 1e-36 * fro) break;
    for (let p = 0; p < d; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = A[p * d + q];
        if (apq === 0) continue;
        // Rotation zeroing A[p][q] (Golub & Van Loan, symmetric Schur decomposition).
        const tau = (A[q * d + q] - A[p * d + p]) / (2 * apq);
        const t = Math.abs(tau) > 1e150 ? 1 / (2 * tau) : (tau >= 0 ? 1 : -1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = t * c;
        for (let k = 0; k < d; k++) {
          const x = A[k * d + p], y = A[k * d + q];
          A[k * d + p] = c * x - s * y;
          A[k * d + q] = s * x + c * y;
        }
        for (let k = 0; k < d; k++) {
          const x = A[p * d + k], y = A[q * d + k];
          A[p * d + k] = c * x - s * y;
          A[q * d + k] = s * x + c * y;
        }
        A[p * d + q] = 0;
        A[q * d + p] = 0;
        for (let k = 0; k < d; k++) {
          const x = V[k * d + p], y = V[k * d + q];
          V[k * d + p] = c * x - s * y;
          V[k * d + q] = s * x + c * y;
        }
      }
    }
  }
  const order = Array.from({ length: d }, (_, i) => i).sort((i, j) => A[i * d + i] - A[j * d + j]);
  const values = Float64Array.from(order, (i) => A[i * d + i]);
  const vectors = new Float64Array(d * d);
  for (let r = 0; r < d; r++) for (let j = 0; j < d; j++) vectors[r * d + j] = V[r * d + order[j]];
  return { values, vectors };
}

function matmul(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) {
    const x = a[i * k + p];
    for (let j = 0; j < n; j++) c[i * n + j] += x * b[p * n + j];
  }
  return c;
}

function transpose(a: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
  return t;
}

function trace(a: ArrayLike<number>, d: number): number {
  let s = 0;
  for (let i = 0; i < d; i++) s += a[i * d + i];
  return s;
}

const sumSqrt = (values: Float64Array): number => values.reduce((s, v) => s + Math.sqrt(Math.max(v, 0)), 0);

/** Direct Bures formula with the Jacobi eigensolver. */
function buresDirect(a: Float64Array, b: Float64Array, d: number): number {
  const { values, vectors } = jacobi(a, d);
  const scaled = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) scaled[i * d + j] = vectors[i * d + j] * Math.sqrt(Math.max(values[j], 0));
  const root = matmul(scaled, transpose(vectors, d, d), d, d, d);
  const m = matmul(matmul(root, b, d, d, d), root, d, d, d);
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) m[i * d + j] = m[j * d + i] = 0.5 * (m[i * d + j] + m[j * d + i]);
  return trace(a, d) + trace(b, d) - 2 * sumSqrt(jacobi(m, d).values);
}

/** Factored Bures formula: A = G G^T (G d x r), B = H H^T (H d x s). */
function buresFactored(g: Float64Array, r: number, h: Float64Array, s: number, d: number): number {
  const c = matmul(transpose(g, d, r), h, r, d, s); // G^T H, r x s
  const k = r <= s ? matmul(c, transpose(c, r, s), r, s, r) : matmul(transpose(c, r, s), c, s, r, s);
  const gg = matmul(g, transpose(g, d, r), d, r, d);
  const hh = matmul(h, transpose(h, d, s), d, s, d);
  return trace(gg, d) + trace(hh, d) - 2 * sumSqrt(jacobi(k, Math.min(r, s)).values);
}

// ---------- inputs ----------

function gaussianMatrix(seed: number, rows: number, cols: number): Float64Array {
  const u = rng(seed);
  return Float64Array.from({ length: rows * cols }, () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u()));
}

function integerMatrix(seed: number, rows: number, cols: number): Float64Array {
  const u = rng(seed);
  return Float64Array.from({ length: rows * cols }, () => Math.floor(7 * u()) - 3);
}

/** G G^T / cols + ridge I. */
function gram(g: Float64Array, d: number, cols: number, scale = 1 / cols, ridge = 0): Float64Array {
  const a = matmul(g, transpose(g, d, cols), d, cols, d);
  for (let i = 0; i < d * d; i++) a[i] *= scale;
  for (let i = 0; i < d; i++) a[i * d + i] += ridge;
  return a;
}

/** Sylvester Hadamard matrix of order d (a power of 2): H H^T = d I, entries +-1. */
function hadamard(d: number): Float64Array {
  let h = new Float64Array([1]);
  for (let n = 1; n < d; n *= 2) {
    const next = new Float64Array(4 * n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      const v = h[i * n + j];
      next[i * 2 * n + j] = v;
      next[i * 2 * n + j + n] = v;
      next[(i + n) * 2 * n + j] = v;
      next[(i + n) * 2 * n + j + n] = -v;
    }
    h = next;
  }
  return h;
}

/** Q diag(l) Q^T with Q = H / sqrt(d): exact in f64 for small-integer l and d a power of 2. */
function hadamardDiag(l: number[]): Float64Array {
  const d = l.length;
  const h = hadamard(d);
  const a = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += h[i * d + k] * l[k] * h[j * d + k];
    a[i * d + j] = s / d;
  }
  return a;
}

function relDiff(x: number, ref: number): number {
  return Math.abs(x - ref) / Math.abs(ref);
}


// ---------- tests ----------

describe('the reference itself', () => {
  it('Jacobi diagonalises: V L V^T = A, V orthogonal', () => {
    const d = 12;
    const a = gram(gaussianMatrix(5, d, d), d, d);
    const { values, vectors } = jacobi(a, d);
    const vl = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) vl[i * d + j] = vectors[i * d + j] * values[j];
    const back = matmul(vl, transpose(vectors, d, d), d, d, d);
    const vtv = matmul(transpose(vectors, d, d), vectors, d, d, d);
    for (let i = 0; i < d * d; i++) {
      expect(Math.abs(back[i] - a[i])).toBeLessThan(1e-13);
      expect(Math.abs(vtv[i] - (i % (d + 1) === 0 ? 1 : 0))).toBeLessThan(1e-13);
    }
  });

  it('direct and factored forms agree on full-rank pairs', () => {
    for (const d of [3, 10]) {
      const g = gaussianMatrix(d, d, d);
      const h = gaussianMatrix(d + 100, d, d);
      const ref = buresFactored(g, d, h, d, d);
      expect(relDiff(buresDirect(gram(g, d, d, 1), gram(h, d, d, 1), d), ref)).toBeLessThan(1e-11);
    }
  });
});

describe('buresW2', () => {
  for (const d of [2, 5, 20, 60]) {
    it(`random PSD pairs, d = ${d}: agrees with the Jacobi reference to 1e-9, symmetric in its arguments`, async () => {
      for (let trial = 0; trial < 3; trial++) {
        const a = gram(gaussianMatrix(1000 * d + trial, d, d), d, d, 1 / d, 1e-3);
        const b = gram(gaussianMatrix(2000 * d + trial, d, 2 * d), d, 2 * d, 0.3 / d, 1e-3);
        const a0 = a.slice();
        const b0 = b.slice();
        const ref = buresDirect(a, b, d);
        const got = await buresW2(a, b, d);
        expect(got.w2Squared).toBeGreaterThan(0);
        expect(relDiff(got.w2Squared, ref)).toBeLessThan(1e-9);
        expect(got.w2).toBe(Math.sqrt(got.w2Squared));
        expect(got.clampedFrom).toBeUndefined();
        expect(relDiff((await buresW2(b, a, d)).w2Squared, got.w2Squared)).toBeLessThan(1e-9);
        expect(a).toEqual(a0);
        expect(b).toEqual(b0);
      }
    });
  }

  for (const d of [5, 20, 60]) {
    it(`singular cases, d = ${d}: rank-deficient A, B, both (exactly singular inputs)`, async () => {
      const r = Math.max(1, Math.floor(d / 3));
      const s = Math.max(2, Math.floor(d / 2));
      const gLow = integerMatrix(d + 1, d, r);
      const hLow = integerMatrix(d + 2, d, s);
      const gFull = integerMatrix(d + 3, d, d);
      const hFull = integerMatrix(d + 4, d, d);
      const cases: Array<[string, Float64Array, number, Float64Array, number]> = [
        ['A singular', gLow, r, hFull, d],
        ['B singular', gFull, d, hLow, s],
        ['both singular', gLow, r, hLow, s],
      ];
      for (const [name, g, rg, h, rh] of cases) {
        const a = gram(g, d, rg, 1);
        const b = gram(h, d, rh, 1);
        const ref = buresFactored(g, rg, h, rh, d);
        const got = await buresW2(a, b, d);
        expect(relDiff(got.w2Squared, ref), name).toBeLessThan(1e-9);
        expect(relDiff((await buresW2(b, a, d)).w2Squared, ref), `${name}, swapped`).toBeLessThan(1e-9);
      }
    });
  }

  it('singular inputs that are themselves rounded (fl(G G^T)): within the sqrt(eps) conditioning', async () => {
    const d = 20;
    const g = gaussianMatrix(7, d, 6);
    const h = gaussianMatrix(8, d, 9);
    const ref = buresFactored(g, 6, h, 9, d);
    const got = await buresW2(gram(g, d, 6, 1), gram(h, d, 9, 1), d);
    expect(relDiff(got.w2Squared, ref)).toBeLessThan(1e-6);
  });

  it('commuting pairs match the per-mode formula sum (sqrt a_i - sqrt b_i)^2', async () => {
    for (const d of [4, 16, 64]) {
      const u = rng(d);
      // Small integers with zeros in either or both: A, B exact in f64 (Hadamard basis).
      const la = Array.from({ length: d }, (_, i) => (i % 5 === 0 ? 0 : 1 + Math.floor(9 * u())));
      const lb = Array.from({ length: d }, (_, i) => (i % 3 === 0 ? 0 : 1 + Math.floor(9 * u())));
      const expected = la.reduce((acc, x, i) => acc + (Math.sqrt(x) - Math.sqrt(lb[i])) ** 2, 0);
      const got = await buresW2(hadamardDiag(la), hadamardDiag(lb), d);
      expect(relDiff(got.w2Squared, expected)).toBeLessThan(1e-9);
    }
    // A generic rotation (not exact in f64), full rank.
    const d = 30;
    const { vectors: q } = jacobi(gram(gaussianMatrix(99, d, d), d, d), d);
    const u = rng(3);
    const la = Array.from({ length: d }, () => 0.01 + u());
    const lb = Array.from({ length: d }, () => 0.01 + 3 * u());
    const rotate = (l: number[]) => {
      const ql = new Float64Array(d * d);
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) ql[i * d + j] = q[i * d + j] * l[j];
      const m = matmul(ql, transpose(q, d, d), d, d, d);
      for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) m[i * d + j] = m[j * d + i];
      return m;
    };
    const expected = la.reduce((acc, x, i) => acc + (Math.sqrt(x) - Math.sqrt(lb[i])) ** 2, 0);
    expect(relDiff((await buresW2(rotate(la), rotate(lb), d)).w2Squared, expected)).toBeLessThan(1e-9);
  });

  it('identical matrices give 0 (exactly, and to rounding through the general path)', async () => {
    const d = 20;
    const a = gram(gaussianMatrix(11, d, d), d, d, 1 / d, 0.01);
    expect(await buresW2(a, a.slice(), d)).toEqual({ w2: 0, w2Squared: 0 });
    // A copy differing in the last bit of one diagonal entry takes the general path: W2^2 at rounding level,
    // never negative or NaN.
    const b = a.slice();
    b[0] *= 1 + Number.EPSILON;
    const near = await buresW2(a, b, d);
    expect(near.w2Squared).toBeGreaterThanOrEqual(0);
    expect(Number.isNaN(near.w2)).toBe(false);
    expect(near.w2Squared).toBeLessThan(1e-12 * trace(a, d));
    if (near.clampedFrom !== undefined) expect(near.clampedFrom).toBeLessThan(0);
  });

  it('means add |mA - mB|^2', async () => {
    const d = 7;
    const a = gram(gaussianMatrix(21, d, d), d, d, 1 / d, 0.01);
    const b = gram(gaussianMatrix(22, d, d), d, d, 2 / d, 0.01);
    const meanA = Array.from({ length: d }, (_, i) => i - 3);
    const meanB = Float64Array.from({ length: d }, (_, i) => 0.5 * i);
    const shift = meanA.reduce((s, x, i) => s + (x - meanB[i]) ** 2, 0);
    const base = (await buresW2(a, b, d)).w2Squared;
    expect(relDiff((await buresW2(a, b, d, { meanA, meanB })).w2Squared, base + shift)).toBeLessThan(1e-13);
    expect(relDiff((await buresW2(a, b, d, { meanA })).w2Squared, base + meanA.reduce((s, x) => s + x * x, 0))).toBeLessThan(1e-13);
    // Same covariance, different means: exactly the mean distance.
    expect((await buresW2(a, a, d, { meanA, meanB })).w2Squared).toBe(shift);
  });

  it('zero covariance on one side: W2^2 = tr of the other', async () => {
    const d = 6;
    const b = gram(gaussianMatrix(31, d, d), d, d, 1 / d);
    expect(relDiff((await buresW2(new Float64Array(d * d), b, d)).w2Squared, trace(b, d))).toBeLessThan(1e-14);
  });

  it('rejects bad input with typed errors', async () => {
    const i2 = [1, 0, 0, 1];
    await expectError(buresW2([1, 0, 0, -1], i2, 2), 'NOT_POSITIVE_DEFINITE', 'a');
    await expectError(buresW2(i2, [1, 2, 2, 1], 2), 'NOT_POSITIVE_DEFINITE', 'b');
    await expectError(buresW2([1, 2, 3, 4], i2, 2), 'NOT_SYMMETRIC', 'a');
    await expectError(buresW2(i2, [1, 0, 0], 2), 'INVALID_SHAPE', 'b');
    await expectError(buresW2(i2, i2, 2, { meanA: [1, 2, 3] }), 'INVALID_SHAPE', 'meanA');
    await expectError(buresW2(i2, i2, 2, { meanB: [1, NaN] }), 'NON_FINITE', 'meanB');
    await expectError(buresW2([1, 0, 0, NaN], i2, 2), 'NON_FINITE', 'a');
    await expectError(buresW2(i2, i2, 0), 'INVALID_SHAPE', 'd');
  });
});
