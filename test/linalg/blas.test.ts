/**
 * Dense kernels against naive loops: GEMM on odd shapes (every edge path of the packed, blocked kernel),
 * covariance in both modes, Cholesky (L L^T = A, lower-triangular, typed failure at the right pivot),
 * spectral functions (sqrtm^2 = A, invSqrtm sqrtm = I); typed errors before work, inputs not mutated,
 * Wasm memory not growing over repeated calls.
 */
import { describe, expect, it } from 'vitest';
import { wasmMemoryBytes } from '../../src/wasm/kernel.js';
import { gemm, covariance, cholesky } from '../../src/linalg/blas.js';
import { spectralFunction, sqrtm, invSqrtm } from '../../src/linalg/functions.js';
import { rng } from '../helpers/random.js';
import { expectError } from '../helpers/errors.js';

function randomMatrix(seed: number, rows: number, cols: number, offset = 0): Float64Array {
  const r = rng(seed);
  return Float64Array.from({ length: rows * cols }, () => 2 * r() - 1 + offset);
}

function naiveGemm(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
      c[i * n + j] = s;
    }
  }
  return c;
}

function transpose(a: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
  return t;
}

/** ||x - y||_F / ||y||_F. */
function relErr(x: ArrayLike<number>, y: ArrayLike<number>): number {
  expect(x.length).toBe(y.length);
  let e = 0;
  let n = 0;
  for (let i = 0; i < y.length; i++) {
    e += (x[i] - y[i]) ** 2;
    n += y[i] ** 2;
  }
  return Math.sqrt(e / n);
}

function identity(d: number): Float64Array {
  const a = new Float64Array(d * d);
  for (let i = 0; i < d; i++) a[i * d + i] = 1;
  return a;
}

/** A random SPD matrix G G^T / d + ridge I. */
function randomSpd(seed: number, d: number, ridge = 0.1): Float64Array {
  const g = randomMatrix(seed, d, d);
  const a = naiveGemm(g, transpose(g, d, d), d, d, d);
  for (let i = 0; i < d * d; i++) a[i] /= d;
  for (let i = 0; i < d; i++) a[i * d + i] += ridge;
  return a;
}


/** An array-like that counts element reads (proves validation happens before touching the data). */
function watched(length: number): { x: ArrayLike<number>; reads: () => number } {
  let reads = 0;
  const x = new Proxy({ length } as ArrayLike<number>, {
    get(target, key) {
      if (typeof key === 'string' && /^\d+$/.test(key)) { reads++; return 0; }
      return (target as never)[key];
    },
  });
  return { x, reads: () => reads };
}

describe('gemm', () => {
  const shapes: Array<[number, number, number]> = [
    [1, 1, 1], [3, 5, 7], [17, 33, 9], [64, 64, 64], [129, 65, 31], [300, 200, 100],
    [5, 600, 3], [2, 1, 700], // k beyond one KC slice; n beyond one NC panel
  ];
  for (const [m, k, n] of shapes) {
    it(`${m} x ${k} x ${n} matches the naive triple loop to 1e-13`, async () => {
      const a = randomMatrix(m * 1000 + k, m, k);
      const b = randomMatrix(n * 7 + 3, k, n);
      const a0 = a.slice();
      const b0 = b.slice();
      const c = await gemm(a, b, m, k, n);
      expect(c).toBeInstanceOf(Float64Array);
      expect(c.length).toBe(m * n);
      expect(relErr(c, naiveGemm(a, b, m, k, n))).toBeLessThan(1e-13);
      expect(a).toEqual(a0);
      expect(b).toEqual(b0);
    });
  }

  it('accepts plain arrays', async () => {
    expect(Array.from(await gemm([1, 2, 3, 4], [5, 6, 7, 8], 2, 2, 2))).toEqual([19, 22, 43, 50]);
  });

  it('rejects bad input with typed errors before any work', async () => {
    await expectError(gemm(new Float64Array(6), new Float64Array(6), 2, 3, 3), 'INVALID_SHAPE', 'b', /length 6, expected 3 x 3/);
    await expectError(gemm(new Float64Array(5), new Float64Array(6), 2, 3, 2), 'INVALID_SHAPE', 'a', /2 x 3/);
    await expectError(gemm(new Float64Array(6), new Float64Array(6), 2.5, 3, 2), 'INVALID_SHAPE', 'm');
    await expectError(gemm(new Float64Array(0), new Float64Array(0), 0, 3, 2), 'INVALID_SHAPE', 'm');
    await expectError(gemm(null as never, new Float64Array(6), 2, 3, 2), 'INVALID_SHAPE', 'a');
    await expectError(gemm([1, 2, NaN, 4], [1, 2, 3, 4], 2, 2, 2), 'NON_FINITE', 'a', /\(1, 0\)/);
    await expectError(gemm([1, 2, 3, 4], [1, Infinity, 3, 4], 2, 2, 2), 'NON_FINITE', 'b');
    const big = watched(30000 * 30000);
    await expectError(gemm(big.x, big.x, 30000, 30000, 30000), 'TOO_LARGE');
    expect(big.reads()).toBe(0);
  });

  it('does not grow Wasm memory over repeated calls', async () => {
    const a = randomMatrix(1, 90, 70);
    const b = randomMatrix(2, 70, 110);
    await gemm(a, b, 90, 70, 110);
    const before = await wasmMemoryBytes();
    for (let i = 0; i < 200; i++) await gemm(a, b, 90, 70, 110);
    expect(await wasmMemoryBytes()).toBe(before);
  });
});

describe('covariance', () => {
  function naiveCov(x: Float64Array, n: number, d: number, center: boolean): { c: Float64Array; mean: Float64Array } {
    const mean = new Float64Array(d);
    if (center) {
      for (let s = 0; s < n; s++) for (let j = 0; j < d; j++) mean[j] += x[s * d + j];
      for (let j = 0; j < d; j++) mean[j] /= n;
    }
    const c = new Float64Array(d * d);
    for (let s = 0; s < n; s++) {
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) c[i * d + j] += (x[s * d + i] - mean[i]) * (x[s * d + j] - mean[j]);
    }
    for (let i = 0; i < d * d; i++) c[i] /= center ? n - 1 : n;
    return { c, mean };
  }

  const shapes: Array<[number, number]> = [[1, 1], [2, 3], [50, 7], [1000, 33], [300, 130], [77, 257]];
  for (const [n, d] of shapes) {
    for (const center of [false, true]) {
      if (center && n < 2) continue;
      it(`n = ${n}, d = ${d}, center = ${center}: matches the naive sums, exactly symmetric`, async () => {
        // An offset of 3 on every coordinate: centring must remove it without losing accuracy.
        const x = randomMatrix(n * 31 + d, n, d, center ? 3 : 0);
        const x0 = x.slice();
        const { covariance: c, mean } = await covariance(x, n, d, { center });
        const ref = naiveCov(x, n, d, center);
        expect(relErr(c, ref.c)).toBeLessThan(1e-13);
        for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) expect(c[i * d + j]).toBe(c[j * d + i]);
        if (center) expect(relErr(mean!, ref.mean)).toBeLessThan(1e-14);
        else expect(mean).toBeNull();
        expect(x).toEqual(x0);
      });
    }
  }

  it('centring is exact for data with a huge common offset (two-pass mean)', async () => {
    // Two samples (1e8 + 1, 1e8 - 1): mean 1e8, variance 2.
    const { covariance: c, mean } = await covariance([1e8 + 1, 1e8 - 1], 2, 1, { center: true });
    expect(mean![0]).toBe(1e8);
    expect(c[0]).toBe(2);
  });

  it('rejects bad input with typed errors', async () => {
    await expectError(covariance(new Float64Array(5), 2, 3), 'INVALID_SHAPE', 'x', /2 x 3/);
    await expectError(covariance(new Float64Array(3), 1, 3, { center: true }), 'INVALID_SHAPE', 'n', /at least 2/);
    await expectError(covariance(new Float64Array(6), 2, 3, { center: 'yes' as never }), 'INVALID_OPTION', 'center');
    await expectError(covariance([0, 1, 2, NaN], 2, 2), 'NON_FINITE', 'x', /\(1, 1\)/);
    const big = watched(1e9);
    await expectError(covariance(big.x, 1e6, 1000), 'TOO_LARGE');
    expect(big.reads()).toBe(0);
  });
});

describe('cholesky', () => {
  for (const d of [1, 2, 5, 63, 64, 65, 150, 257]) {
    it(`d = ${d}: L L^T = A to 1e-13, L lower-triangular with a positive diagonal`, async () => {
      const a = randomSpd(d + 11, d);
      const a0 = a.slice();
      const l = await cholesky(a, d);
      for (let i = 0; i < d; i++) {
        expect(l[i * d + i]).toBeGreaterThan(0);
        for (let j = i + 1; j < d; j++) expect(l[i * d + j]).toBe(0);
      }
      expect(relErr(naiveGemm(l, transpose(l, d, d), d, d, d), a)).toBeLessThan(1e-13);
      expect(a).toEqual(a0);
    });
  }

  it('names the failing pivot of a matrix that is not positive definite', async () => {
    // Leading 2 x 2 block [[4, 2], [2, 1]] is singular: pivot 1 is 1 - 2^2 / 4 = 0.
    await expectError(cholesky([4, 2, 1, 2, 1, 0, 1, 0, 3], 3), 'NOT_POSITIVE_DEFINITE', 'a', /pivot 1 /);
    // Indefinite beyond the first block (pivot index > 64): A = I with one entry -1 on the diagonal.
    const d = 100;
    const a = identity(d);
    a[80 * d + 80] = -1;
    await expectError(cholesky(a, d), 'NOT_POSITIVE_DEFINITE', 'a', /pivot 80 .* -1/);
    await expectError(cholesky([1, 0, 0, -1e-300], 2), 'NOT_POSITIVE_DEFINITE', 'a', /pivot 1 /);
  });

  it('rejects bad input with typed errors', async () => {
    await expectError(cholesky([1, 2, 3, 4], 2), 'NOT_SYMMETRIC', 'a');
    await expectError(cholesky([1, 2, 3], 2), 'INVALID_SHAPE', 'a');
    await expectError(cholesky([1, NaN, NaN, 1], 2), 'NON_FINITE', 'a');
    const big = watched(40000 * 40000);
    await expectError(cholesky(big.x, 40000), 'TOO_LARGE');
    expect(big.reads()).toBe(0);
  });
});

describe('spectral functions', () => {
  for (const d of [1, 4, 37, 100]) {
    it(`d = ${d}: sqrtm(A)^2 = A, invSqrtm(A) sqrtm(A) = I, f = identity gives A`, async () => {
      const a = randomSpd(3 * d + 1, d, 0.05);
      const a0 = a.slice();
      const s = await sqrtm(a, d);
      const si = await invSqrtm(a, d);
      for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) expect(s[i * d + j]).toBe(s[j * d + i]);
      expect(relErr(naiveGemm(s, s, d, d, d), a)).toBeLessThan(1e-12);
      expect(relErr(naiveGemm(si, s, d, d, d), identity(d))).toBeLessThan(1e-12);
      expect(relErr(await spectralFunction(a, d, (x) => x), a)).toBeLessThan(1e-13);
      expect(relErr(await spectralFunction(a, d, (x) => x * x), naiveGemm(a, a, d, d, d))).toBeLessThan(1e-12);
      expect(a).toEqual(a0);
    });
  }

  it('sqrtm of a singular PSD matrix (rounding negatives clipped), errors otherwise', async () => {
    // Rank 1: v v^T, v = (1, 2, 3); its square root is v v^T / |v|.
    const v = [1, 2, 3];
    const a = v.flatMap((x) => v.map((y) => x * y));
    const s = await sqrtm(a, 3);
    expect(relErr(s, a.map((x) => x / Math.sqrt(14)))).toBeLessThan(1e-14); // null space kept exactly
    expect(relErr(naiveGemm(s, s, 3, 3, 3), a)).toBeLessThan(1e-13);
    await expectError(sqrtm([1, 0, 0, -1e-3], 2), 'NOT_POSITIVE_DEFINITE', 'a', /eigenvalue 0/);
    await expectError(invSqrtm(a, 3), 'NOT_POSITIVE_DEFINITE', 'a');
    await expectError(invSqrtm([1, 0, 0, 0], 2), 'NOT_POSITIVE_DEFINITE', 'a');
    await expectError(spectralFunction([1, 0, 0, 0], 2, (x) => 1 / x), 'NON_FINITE', 'f');
    await expectError(spectralFunction([1, 0, 0, 1], 2, 3 as never), 'INVALID_OPTION', 'f');
    await expectError(sqrtm([1, 2, 3, 4], 2), 'NOT_SYMMETRIC', 'a');
  });
});

describe('blasGemmCore triangle modes (used by SYRK/Cholesky: lower; by eigh: upper)', () => {
  it('updates exactly the lower, the upper, or the whole C, and matches a naive product there', async () => {
    const { withWasm } = await import('../../src/wasm/kernel.js');
    for (const n of [1, 5, 13, 67, 300]) {
      const k = 37;
      const a = Float64Array.from({ length: n * k }, (_, i) => Math.sin(i * 0.7));
      const b = Float64Array.from({ length: k * n }, (_, i) => Math.cos(i * 0.3));
      const c0 = Float64Array.from({ length: n * n }, (_, i) => (i % 7) - 3);
      for (const [tri, keep] of [[0, () => true], [1, (i: number, j: number) => j <= i], [2, (i: number, j: number) => j >= i]] as const) {
        const out = await withWasm((scope) => {
          const pa = scope.f64(n * k, a);
          const pb = scope.f64(k * n, b);
          const pc = scope.f64(n * n, c0);
          const work = scope.f64(scope.kernel.blasGemmWorkspace(n, k, n));
          scope.kernel.blasGemmCore(n, k, n, pa, k, 1, pb, n, 1, pc, n, -1.5, tri, work);
          return scope.read(pc, n * n);
        });
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
          let s = 0;
          for (let p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
          const want = keep(i, j) ? c0[i * n + j] - 1.5 * s : c0[i * n + j];
          expect(Math.abs(out[i * n + j] - want), `n=${n} tri=${tri} (${i},${j})`).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(want)));
        }
      }
    }
  });
});
