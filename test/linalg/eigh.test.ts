/**
 * Symmetric eigendecomposition (src/linalg/eigh.ts, assembly/linalg/eigh/).
 *
 * Hard matrices A = Q diag(lambda) Q^T with Q a random orthogonal matrix (a product of Householder
 * reflectors from a seeded PRNG) and prescribed spectra: clustered (many within 1e-10 relative), exactly
 * repeated, rank-deficient PSD, range 1e12, mixed signs, plus random symmetric matrices. Checked: the
 * eigenvalues against the prescribed ones (1e-11 ||A||_2), ||AV - VL||_F / ||A||_F <= 1e-11,
 * max |V^T V - I| <= 1e-11, values-only = with vectors, layout, order, no mutation, typed errors, and no
 * Wasm memory growth.
 */
import { describe, expect, it } from 'vitest';
import { GaussdiffError } from '../../src/node.js'; // also sets the Wasm source
import { checkSymmetric, eigh, eighIn, eighResidentIn, eighWorkLength, SYMMETRY_TOLERANCE } from '../../src/linalg/eigh.js';
import { wasmMemoryBytes, withWasm } from '../../src/wasm/kernel.js';
import { rng } from '../helpers/random.js';
import { expectError } from '../helpers/errors.js';

const TOL = 1e-11;

function gauss(r: () => number): number {
  let u = r();
  while (u === 0) u = r();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

/**
 * A = Q diag(lambda) Q^T, Q = H_1 ... H_k, H = I - 2 v v^T / v^T v with Gaussian v (seeded): each
 * reflector is applied on both sides, A <- H A H = A - b (v w^T + w v^T) + b^2 (v^T w) v v^T, w = A v.
 */
function rotated(lambda: ArrayLike<number>, seed: number, reflectors = Math.min(lambda.length, 24)): Float64Array {
  const n = lambda.length;
  const r = rng(seed);
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) A[i * n + i] = lambda[i];
  const v = new Float64Array(n);
  const w = new Float64Array(n);
  for (let h = 0; h < reflectors; h++) {
    let vv = 0;
    for (let i = 0; i < n; i++) { v[i] = gauss(r); vv += v[i] * v[i]; }
    const b = 2 / vv;
    for (let i = 0; i < n; i++) {
      let t = 0;
      for (let j = 0; j < n; j++) t += A[i * n + j] * v[j];
      w[i] = t;
    }
    let vw = 0;
    for (let i = 0; i < n; i++) vw += v[i] * w[i];
    const c = b * b * vw;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) A[i * n + j] += c * v[i] * v[j] - b * (v[i] * w[j] + w[i] * v[j]);
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const m = 0.5 * (A[i * n + j] + A[j * n + i]);
      A[i * n + j] = m;
      A[j * n + i] = m;
    }
  }
  return A;
}

function randomSymmetric(n: number, seed: number): Float64Array {
  const r = rng(seed);
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const x = gauss(r);
      A[i * n + j] = x;
      A[j * n + i] = x;
    }
  }
  return A;
}

/** Prescribed spectra of length n (seeded). */
function spectra(n: number, seed: number): Record<string, Float64Array> {
  const r = rng(seed);
  const make = (f: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => f(i));
  return {
    // half the spectrum within 1e-10 relative of 1, a quarter within 1e-11 of -0.5, the rest spread
    clustered: make((i) => (i < n / 2 ? 1 + 1e-10 * r() : i < (3 * n) / 4 ? -0.5 * (1 + 1e-11 * r()) : gauss(r))),
    repeated: make((i) => [3, -1, 0.25, 3, 3][i % 5]),
    rankDeficient: make((i) => (i < 0.7 * n ? 0 : 0.1 + r())),
    range1e12: make(() => 10 ** (-12 * r())),
    signed: make(() => (r() < 0.5 ? -1 : 1) * 10 ** (-4 * r())),
  };
}

interface Quality { resid: number; orth: number }

/** ||A V - V diag(l)||_F / ||A||_F and max |V^T V - I| (plain loops, four rows of V per pass). */
function quality(A: Float64Array, n: number, values: Float64Array, V: Float64Array): Quality {
  let normA = 0;
  for (let k = 0; k < n * n; k++) normA += A[k] * A[k];
  normA = Math.sqrt(normA);
  const n4 = n - (n % 4);
  const row = new Float64Array(n);
  let r2 = 0;
  for (let i = 0; i < n; i++) {
    row.fill(0);
    const ai = i * n;
    let k = 0;
    for (; k < n4; k += 4) {
      const a0 = A[ai + k], a1 = A[ai + k + 1], a2 = A[ai + k + 2], a3 = A[ai + k + 3];
      const o0 = k * n, o1 = o0 + n, o2 = o1 + n, o3 = o2 + n;
      for (let j = 0; j < n; j++) row[j] += a0 * V[o0 + j] + a1 * V[o1 + j] + a2 * V[o2 + j] + a3 * V[o3 + j];
    }
    for (; k < n; k++) {
      const a = A[ai + k], o = k * n;
      for (let j = 0; j < n; j++) row[j] += a * V[o + j];
    }
    for (let j = 0; j < n; j++) {
      const t = row[j] - V[ai + j] * values[j];
      r2 += t * t;
    }
  }
  // G = V^T V = sum over rows k of V[k, :]^T V[k, :] (upper triangle)
  const G = new Float64Array(n * n);
  let k = 0;
  for (; k < n4; k += 4) {
    const o0 = k * n, o1 = o0 + n, o2 = o1 + n, o3 = o2 + n;
    for (let i = 0; i < n; i++) {
      const x0 = V[o0 + i], x1 = V[o1 + i], x2 = V[o2 + i], x3 = V[o3 + i];
      const gi = i * n;
      for (let j = i; j < n; j++) G[gi + j] += x0 * V[o0 + j] + x1 * V[o1 + j] + x2 * V[o2 + j] + x3 * V[o3 + j];
    }
  }
  for (; k < n; k++) {
    const o = k * n;
    for (let i = 0; i < n; i++) {
      const x = V[o + i], gi = i * n;
      for (let j = i; j < n; j++) G[gi + j] += x * V[o + j];
    }
  }
  let orth = 0;
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) orth = Math.max(orth, Math.abs(G[i * n + j] - (i === j ? 1 : 0)));
  return { resid: normA === 0 ? Math.sqrt(r2) : Math.sqrt(r2) / normA, orth };
}

function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

/** max_i |values_i - sorted(lambda)_i| / ||A||_2 */
function valueError(values: Float64Array, lambda: Float64Array): number {
  const s = Float64Array.from(lambda).sort();
  const norm = maxAbs(s);
  let e = 0;
  for (let i = 0; i < s.length; i++) e = Math.max(e, Math.abs(values[i] - s[i]));
  return norm === 0 ? e : e / norm;
}

function ascending(values: Float64Array): boolean {
  for (let i = 1; i < values.length; i++) if (!(values[i] >= values[i - 1])) return false;
  return true;
}

const worst = { value: 0, resid: 0, orth: 0, valuesOnly: 0 };

/** Decompose, check everything, record the worst errors. */
async function checkAll(A: Float64Array, n: number, lambda: Float64Array | null, label: string): Promise<void> {
  const before = A.slice();
  const { values, vectors } = await eigh(A, n);
  expect(A, `${label}: input mutated`).toEqual(before);
  expect(values.length).toBe(n);
  expect(vectors!.length).toBe(n * n);
  expect(ascending(values), `${label}: values not ascending`).toBe(true);
  const norm2 = maxAbs(values);
  if (lambda) {
    const ve = valueError(values, lambda);
    worst.value = Math.max(worst.value, ve);
    expect(ve, `${label}: eigenvalue error / ||A||_2`).toBeLessThanOrEqual(TOL);
  }
  const q = quality(A, n, values, vectors!);
  worst.resid = Math.max(worst.resid, q.resid);
  worst.orth = Math.max(worst.orth, q.orth);
  expect(q.resid, `${label}: ||AV - VL||_F / ||A||_F`).toBeLessThanOrEqual(TOL);
  expect(q.orth, `${label}: max |V^T V - I|`).toBeLessThanOrEqual(TOL);
  const only = await eigh(A, n, { vectors: false });
  expect(only.vectors).toBeNull();
  let dv = 0;
  for (let i = 0; i < n; i++) dv = Math.max(dv, Math.abs(only.values[i] - values[i]));
  const rel = norm2 === 0 ? dv : dv / norm2;
  worst.valuesOnly = Math.max(worst.valuesOnly, rel);
  expect(rel, `${label}: values-only differs from values with vectors`).toBeLessThanOrEqual(TOL);
}

describe('eigh: accuracy on prescribed spectra', () => {
  for (const n of [1, 2, 3, 17, 64, 200, 513]) {
    it(`d = ${n}: clustered, repeated, rank-deficient, range 1e12, signed, random`, async () => {
      for (const [name, lambda] of Object.entries(spectra(n, 1000 + n))) {
        await checkAll(rotated(lambda, 7 * n + name.length), n, lambda, `d=${n} ${name}`);
      }
      await checkAll(randomSymmetric(n, 31 * n), n, null, `d=${n} random`);
    });
  }

  it('d = 1024: clustered spectrum and a random symmetric matrix', async () => {
    const n = 1024;
    const lambda = spectra(n, 77).clustered;
    await checkAll(rotated(lambda, 5, 16), n, lambda, 'd=1024 clustered');
    await checkAll(randomSymmetric(n, 9), n, null, 'd=1024 random');
  });

  it('d = 2048: clustered and rank-deficient spectrum (randomized Frobenius estimates of the residual)', async () => {
    // At d = 2048 the exact O(d^3) checks in plain JS would take most of a minute: the eigenvalues are
    // checked exactly against the prescribed ones, and ||AV - VL||_F, ||V^T V - I||_F are estimated with
    // Gaussian probes x (E ||M x||^2 = ||M||_F^2), each probe costing O(d^2).
    const n = 2048;
    const r = rng(2048);
    const lambda = new Float64Array(n);
    for (let i = 0; i < n; i++) lambda[i] = i < n / 4 ? 0 : i < n / 2 ? 1 + 1e-11 * r() : 10 ** (-12 * r());
    const A = rotated(lambda, 77, 8);
    const { values, vectors } = await eigh(A, n);
    const V = vectors!;
    expect(ascending(values)).toBe(true);
    const ve = valueError(values, lambda);
    expect(ve, 'eigenvalue error / ||A||_2').toBeLessThanOrEqual(TOL);
    let frobA = 0;
    for (const x of A) frobA += x * x;
    frobA = Math.sqrt(frobA);
    const probes = 8;
    let resid = 0;
    let orth = 0;
    const x = new Float64Array(n);
    const vx = new Float64Array(n);
    const lx = new Float64Array(n);
    for (let p = 0; p < probes; p++) {
      for (let i = 0; i < n; i++) x[i] = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
      // V x, V (L x), A (V x), V^T (V x)
      vx.fill(0);
      lx.fill(0);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) { vx[i] += V[i * n + j] * x[j]; lx[i] += V[i * n + j] * values[j] * x[j]; }
      let rr = 0;
      for (let i = 0; i < n; i++) {
        let avx = 0;
        for (let j = 0; j < n; j++) avx += A[i * n + j] * vx[j];
        rr += (avx - lx[i]) ** 2;
      }
      let oo = 0;
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += V[i * n + j] * vx[i];
        oo += (s - x[j]) ** 2;
      }
      resid += rr / probes;
      orth += oo / probes;
    }
    expect(Math.sqrt(resid) / frobA, '||AV - VL||_F / ||A||_F (estimate)').toBeLessThanOrEqual(TOL);
    expect(Math.sqrt(orth), '||V^T V - I||_F (estimate; bounds the max entry)').toBeLessThanOrEqual(TOL);
    worst.value = Math.max(worst.value, ve);
  });

  it('structured matrices: zero, identity, diagonal, tridiagonal, block diagonal, all ones', async () => {
    const n = 70;
    const mk = (f: (i: number, j: number) => number) => { // f(i, j) for i >= j, mirrored
      const A = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j <= i; j++) {
          A[i * n + j] = f(i, j);
          A[j * n + i] = A[i * n + j];
        }
      }
      return A;
    };
    const r = rng(3);
    const diag = Float64Array.from({ length: n }, () => gauss(r));
    const cases: Array<[string, Float64Array, Float64Array | null]> = [
      ['zero', mk(() => 0), new Float64Array(n)],
      ['identity', mk((i, j) => (i === j ? 1 : 0)), new Float64Array(n).fill(1)],
      ['diagonal', mk((i, j) => (i === j ? diag[i] : 0)), diag],
      ['tridiagonal 2, -1', mk((i, j) => (i === j ? 2 : i - j === 1 ? -1 : 0)),
        Float64Array.from({ length: n }, (_, k) => 2 - 2 * Math.cos(((k + 1) * Math.PI) / (n + 1)))],
      ['block diagonal', mk((i, j) => (Math.floor(i / 9) === Math.floor(j / 9) ? gauss(r) : 0)), null],
      ['all ones', mk(() => 1), Float64Array.from({ length: n }, (_, k) => (k === 0 ? n : 0))],
      ['Wilkinson W+', mk((i, j) => (i === j ? Math.abs(i - (n - 1) / 2) : i - j === 1 ? 1 : 0)), null],
    ];
    for (const [name, A, lambda] of cases) await checkAll(A, n, lambda, name);
    const z = await eigh(new Float64Array(n * n), n);
    expect(z.vectors).toEqual(mk((i, j) => (i === j ? 1 : 0)));
  });

  it('power-of-two scaling is exact: eigh(2^k A) = 2^k eigh(A), same vectors, bit for bit', async () => {
    const n = 40;
    const A = randomSymmetric(n, 12);
    const base = await eigh(A, n);
    for (const k of [-900, -60, 60, 900]) {
      const s = 2 ** k;
      const scaled = await eigh(A.map((x) => x * s), n);
      expect(scaled.values).toEqual(base.values.map((x) => x * s));
      expect(scaled.vectors).toEqual(base.vectors);
    }
  });

  it('reports the worst errors seen', () => {
    console.log(`eigh worst: eigenvalue ${worst.value.toExponential(2)} ||A||_2, residual ${worst.resid.toExponential(2)}, ` +
      `orthogonality ${worst.orth.toExponential(2)}, values-only vs vectors ${worst.valuesOnly.toExponential(2)}`);
    expect(worst.resid).toBeGreaterThan(0); // the checks above ran
  });
});

describe('eigh: layout, order, small cases', () => {
  it('column j of the row-major result is the eigenvector of values[j] (numpy layout)', async () => {
    // diag(3, 1, 2): values 1, 2, 3 with vectors e_1, e_2, e_0; the transposed layout would put them in rows
    const { values, vectors } = await eigh([3, 0, 0, 0, 1, 0, 0, 0, 2], 3);
    expect(Array.from(values)).toEqual([1, 2, 3]);
    expect(Array.from(vectors!).map(Math.abs)).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 0]);
    // [[2, 1], [1, 2]]: 1 with (1, -1) / sqrt 2, 3 with (1, 1) / sqrt 2, as columns
    const two = await eigh([2, 1, 1, 2], 2);
    expect(two.values[0]).toBeCloseTo(1, 14);
    expect(two.values[1]).toBeCloseTo(3, 14);
    const V = two.vectors!;
    expect(V[0] * V[2]).toBeCloseTo(-0.5, 14); // column 0: components of opposite signs
    expect(V[1] * V[3]).toBeCloseTo(0.5, 14); // column 1: same signs
    // a general check: A v_j = l_j v_j with v_j read as column j
    const n = 9;
    const A = randomSymmetric(n, 4);
    const r = await eigh(A, n);
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += A[i * n + k] * r.vectors![k * n + j];
        expect(Math.abs(s - r.values[j] * r.vectors![i * n + j])).toBeLessThan(1e-13);
      }
    }
  });

  it('d = 1 and d = 2', async () => {
    expect(await eigh([-3.5], 1)).toEqual({ values: Float64Array.of(-3.5), vectors: Float64Array.of(1) });
    expect((await eigh([0], 1, { vectors: false })).values).toEqual(Float64Array.of(0));
    const r = await eigh(Float64Array.of(1, 1e-9, 1e-9, 1), 2);
    expect(r.values[0]).toBeCloseTo(1 - 1e-9, 15);
    expect(r.values[1]).toBeCloseTo(1 + 1e-9, 15);
  });

  it('accepts number[] and typed arrays alike and never mutates them', async () => {
    const arr = [4, 1, 0.5, 1, 3, 0.25, 0.5, 0.25, 2];
    const copy = arr.slice();
    const f32 = Float32Array.from(arr);
    const a = await eigh(arr, 3);
    const b = await eigh(f32, 3);
    expect(arr).toEqual(copy);
    expect(Array.from(f32)).toEqual(copy);
    expect(a.values).toEqual(b.values);
  });

  it('eighIn inside a caller scope gives the same result and holds no memory afterwards', async () => {
    const n = 50;
    const A = randomSymmetric(n, 8);
    const outside = await eigh(A, n);
    await withWasm((scope) => {
      const p = scope.f64(4, [1, 2, 3, 4]);
      const inside = eighIn(scope, A, n);
      expect(inside.values).toEqual(outside.values);
      expect(inside.vectors).toEqual(outside.vectors);
      expect(eighIn(scope, A, n, { vectors: false }).vectors).toBeNull();
      expect(Array.from(scope.read(p, 4))).toEqual([1, 2, 3, 4]); // the caller's block is untouched
    });
  });

  it('slightly asymmetric input (below tolerance) is symmetrised on a copy', async () => {
    const n = 30;
    const A = randomSymmetric(n, 21);
    const B = A.slice();
    B[3 * n + 7] += 1e-13; // asymmetry ~1e-13 x max |a|
    const before = B.slice();
    const sym = checkSymmetric(B, n);
    expect(sym[3 * n + 7]).toBe(sym[7 * n + 3]);
    expect(B).toEqual(before);
    const rb = await eigh(B, n);
    const rs = await eigh(sym, n);
    expect(rb.values).toEqual(rs.values);
  });
});


describe('eighResidentIn (a matrix already in Wasm memory, e.g. a SYRK output)', () => {
  it('gives eighIn\'s values and vectors bit for bit, in place, with the vectors left in the scope', async () => {
    const n = 37;
    const u = rng(5);
    const x = Float64Array.from({ length: 50 * n }, () => u() - 0.5);
    await withWasm((scope) => {
      const px = scope.f64(50 * n, x);
      const pc = scope.f64(n * n);
      scope.kernel.blasSyrk(px, 50, n, pc, 1 / 50, scope.f64(scope.kernel.blasGemmWorkspace(n, 50, n)));
      const s = scope.read(pc, n * n);
      const want = eighIn(scope, s, n);
      const got = eighResidentIn(scope, pc, n);
      expect(Array.from(got.values)).toEqual(Array.from(want.values));
      expect(Array.from(scope.read(got.vectors, n * n))).toEqual(Array.from(want.vectors!));
    });
  });
});

describe('eigh: errors', () => {
  const good = [2, 1, 1, 2];

  it('INVALID_SHAPE: d not a positive integer, a not array-like or of the wrong length', async () => {
    for (const d of [0, -1, 1.5, NaN, Infinity, '2', null, undefined]) {
      await expectError(() => eigh(good, d as number), 'INVALID_SHAPE', 'd');
    }
    for (const a of [null, undefined, 5, 'abcd', {}, { length: -1 }]) {
      await expectError(() => eigh(a as unknown as number[], 2), 'INVALID_SHAPE', 'a');
    }
    await expectError(() => eigh([1, 2, 3], 2), 'INVALID_SHAPE', 'a', /length 3.*2 x 2.*4/);
    await expectError(() => checkSymmetric([1, 2, 3], 2, 'cov'), 'INVALID_SHAPE', 'cov', /length 3/);
  });

  it('NON_FINITE names the entry', async () => {
    await expectError(() => eigh([1, 0, 0, NaN], 2), 'NON_FINITE', 'a', /entry 3 \(row 1, column 1\) is NaN/);
    await expectError(() => eigh([1, Infinity, Infinity, 1], 2), 'NON_FINITE', 'a', /entry 1 \(row 0, column 1\) is Infinity/);
    await expectError(() => eigh([1, '0', '0', 1] as unknown as number[], 2), 'NON_FINITE', 'a', /entry 1/);
    await expectError(() => checkSymmetric([1, 0, 0, -Infinity], 2, 'b'), 'NON_FINITE', 'b');
    // an eigenvalue beyond f64 (2e308) is refused, not returned as Infinity
    await expectError(() => eigh([1e308, 1e308, 1e308, 1e308], 2), 'NON_FINITE', 'a', /overflows/);
  });

  it('NOT_SYMMETRIC says where and how much', async () => {
    const A = randomSymmetric(5, 2);
    A[1 * 5 + 3] += 0.5;
    await expectError(() => eigh(A, 5), 'NOT_SYMMETRIC', 'a', /a\[3\]\[1\].*a\[1\]\[3\].*difference of 0\.500/);
    const B = randomSymmetric(5, 2);
    B[4] += 20 * SYMMETRY_TOLERANCE * maxAbs(B); // just above the tolerance
    await expectError(() => eigh(B, 5), 'NOT_SYMMETRIC', 'a', /a\[4\]\[0\]/);
  });

  it('INVALID_OPTION for bad options', async () => {
    await expectError(() => eigh(good, 2, { vectors: 'yes' as unknown as boolean }), 'INVALID_OPTION', 'options.vectors');
    await expectError(() => eigh(good, 2, null as unknown as object), 'INVALID_OPTION', 'options');
    await withWasm(async (scope) => {
      await expectError(() => eighIn(scope, good, 2, 3 as unknown as object), 'INVALID_OPTION', 'options');
      await expectError(() => eighIn(scope, [1, 2, 3], 2), 'INVALID_SHAPE', 'a');
    });
  });

  it('TOO_LARGE before reading or copying the matrix', async () => {
    const d = 30000;
    let reads = 0;
    const huge = new Proxy({ length: d * d }, {
      get(target, prop) {
        if (typeof prop === 'string' && /^\d+$/.test(prop)) reads++;
        return Reflect.get(target, prop);
      },
    }) as unknown as ArrayLike<number>;
    const err = await expectError(() => eigh(huge, d), 'TOO_LARGE', 'a', /MiB/);
    expect(err.message).toMatch(/needs \d+ MiB/);
    await expectError(() => eigh(huge, d, { vectors: false }), 'TOO_LARGE', 'a');
    expect(reads).toBe(0);
  });
});

describe('eigh: memory', () => {
  it("the facade's work block size is the kernel's", async () => {
    await withWasm((scope) => {
      const kernel = scope.kernel.eighWorkLength;
      for (const d of [1, 2, 31, 64, 513, 4096, 20000]) {
        for (const v of [true, false]) expect(eighWorkLength(d, v), `d=${d} vectors=${v}`).toBe(kernel(d, v ? 1 : 0));
      }
    });
  });

  it('repeated calls do not grow Wasm memory', async () => {
    const A = randomSymmetric(200, 1);
    const B = randomSymmetric(64, 2);
    await eigh(A, 200);
    await eigh(A, 200, { vectors: false });
    await eigh(B, 64);
    const start = await wasmMemoryBytes();
    expect(start).toBeGreaterThan(0);
    for (let k = 0; k < 30; k++) {
      await eigh(k % 2 ? A : B, k % 2 ? 200 : 64, { vectors: k % 3 !== 0 });
      await withWasm((scope) => eighIn(scope, B, 64));
    }
    await expect(eigh([1, 2, 3, 4], 2)).rejects.toThrow(GaussdiffError); // errors free too
    expect(await wasmMemoryBytes()).toBe(start);
  });
});
