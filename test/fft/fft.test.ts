/**
 * The Wasm FFT (assembly/fft/fft.ts through src/fft/fft.ts) against a plain O(n^2) DFT written here: radix-2 sizes,
 * Bluestein sizes (primes, odd, even non-powers of two), inverse(forward(x)) = x, 2-D transforms of odd
 * non-power-of-two shapes against row/column naive DFTs, and typed errors before any work.
 */
import { describe, expect, it } from 'vitest';
import { setWasmSource } from '../../src/wasm/kernel.js';
import { compiledKernel } from '../../src/wasm/node.js';
import { fft, fft2, fft2In, fftIn, MAX_FFT_LENGTH, type ComplexArrays } from '../../src/fft/fft.js';
import { withWasm } from '../../src/wasm/kernel.js';
import { rng } from '../helpers/random.js';
import { expectError } from '../helpers/errors.js';

setWasmSource(compiledKernel);

/** Naive DFT, sign -1 forward, +1 inverse (with 1/n); angles reduced exactly: (jk mod n) / n. */
function naiveDft(re: ArrayLike<number>, im: ArrayLike<number>, sign: -1 | 1): ComplexArrays {
  const n = re.length;
  const cos = new Float64Array(n);
  const sin = new Float64Array(n);
  for (let r = 0; r < n; r++) { cos[r] = Math.cos((2 * Math.PI * r) / n); sin[r] = sign * Math.sin((2 * Math.PI * r) / n); }
  const outR = new Float64Array(n);
  const outI = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let sr = 0;
    let si = 0;
    for (let j = 0; j < n; j++) {
      const r = (j * k) % n;
      sr += re[j] * cos[r] - im[j] * sin[r];
      si += re[j] * sin[r] + im[j] * cos[r];
    }
    outR[k] = sign === 1 ? sr / n : sr;
    outI[k] = sign === 1 ? si / n : si;
  }
  return { re: outR, im: outI };
}

/** Naive 2-D DFT: naive DFT of every row, then of every column. */
function naiveDft2(re: ArrayLike<number>, im: ArrayLike<number>, rows: number, cols: number, sign: -1 | 1): ComplexArrays {
  const R = Float64Array.from(re);
  const I = Float64Array.from(im);
  for (let r = 0; r < rows; r++) {
    const out = naiveDft(R.subarray(r * cols, (r + 1) * cols), I.subarray(r * cols, (r + 1) * cols), sign);
    R.set(out.re, r * cols);
    I.set(out.im, r * cols);
  }
  const cr = new Float64Array(rows);
  const ci = new Float64Array(rows);
  for (let c = 0; c < cols; c++) {
    for (let r = 0; r < rows; r++) { cr[r] = R[r * cols + c]; ci[r] = I[r * cols + c]; }
    const out = naiveDft(cr, ci, sign);
    for (let r = 0; r < rows; r++) { R[r * cols + c] = out.re[r]; I[r * cols + c] = out.im[r]; }
  }
  return { re: R, im: I };
}

/** ||a - b|| / ||b|| over complex vectors. */
function relErr(a: ComplexArrays, b: ComplexArrays): number {
  let e = 0;
  let nb = 0;
  for (let i = 0; i < b.re.length; i++) {
    e += (a.re[i] - b.re[i]) ** 2 + (a.im[i] - b.im[i]) ** 2;
    nb += b.re[i] ** 2 + b.im[i] ** 2;
  }
  return Math.sqrt(e / nb);
}

function randomVec(seed: number, n: number): Float64Array {
  const r = rng(seed);
  return Float64Array.from({ length: n }, () => 2 * r() - 1);
}

const SIZES = [1, 2, 3, 5, 7, 8, 12, 15, 16, 17, 64, 100, 127, 128, 1000];

describe('fft (1-D)', () => {
  it.each(SIZES)('n = %i: forward and inverse agree with the naive DFT to 1e-12 of the norm', async (n) => {
    const re = randomVec(n, n);
    const im = randomVec(1000 + n, n);
    const fwd = await fft(re, im);
    expect(relErr(fwd, naiveDft(re, im, -1))).toBeLessThan(1e-12);
    const inv = await fft(re, im, { inverse: true });
    expect(relErr(inv, naiveDft(re, im, 1))).toBeLessThan(1e-12);
    // Real input (im = null) is the same as zeros.
    const real = await fft(re, null);
    expect(relErr(real, naiveDft(re, new Float64Array(n), -1))).toBeLessThan(1e-12);
  });

  it('is accurate to ~1e-15 of the norm (direct twiddles, exact chirp reduction)', async () => {
    for (const n of [1000, 1024, 4095]) {
      const re = randomVec(7 * n, n);
      const im = randomVec(9 * n, n);
      // Unit impulse at j: X_k = exp(-2 pi i jk / n) exactly known, one entry of the DFT matrix per k.
      const j = 37;
      const imp = new Float64Array(n);
      imp[j] = 1;
      const X = await fft(imp, null);
      let worst = 0;
      for (let k = 0; k < n; k++) {
        const a = (2 * Math.PI * ((j * k) % n)) / n;
        worst = Math.max(worst, Math.hypot(X.re[k] - Math.cos(a), X.im[k] + Math.sin(a)));
      }
      expect(worst, `n = ${n}`).toBeLessThan(2e-15 * Math.log2(4 * n));
      const back = await fft((await fft(re, im)).re, (await fft(re, im)).im, { inverse: true });
      expect(relErr(back, { re, im }), `n = ${n}`).toBeLessThan(2e-15);
    }
  });

  it.each([...SIZES, 4096, 4097, 10007])('inverse(forward(x)) = x for n = %i', async (n) => {
    const re = randomVec(3 * n + 1, n);
    const im = randomVec(5 * n + 2, n);
    const f = await fft(re, im);
    const back = await fft(f.re, f.im, { inverse: true });
    expect(relErr(back, { re, im })).toBeLessThan(1e-14);
  });

  it('does not mutate its inputs and returns new arrays', async () => {
    const re = randomVec(1, 15);
    const im = randomVec(2, 15);
    const re0 = re.slice();
    const im0 = im.slice();
    const out = await fft(re, im);
    expect(re).toEqual(re0);
    expect(im).toEqual(im0);
    expect(out.re).not.toBe(re);
    const out2 = await fft2(re, im, 3, 5, { inverse: true });
    expect(re).toEqual(re0);
    expect(im).toEqual(im0);
    expect(out2.im).not.toBe(im);
  });

  it('accepts plain arrays', async () => {
    const out = await fft([1, 2, 3], [0, 0, 0]);
    expect(out.re[0]).toBeCloseTo(6, 14);
    expect(out.re[1]).toBeCloseTo(-1.5, 14);
    expect(out.im[1]).toBeCloseTo(Math.sqrt(3) / 2, 14);
  });
});

describe('fft2', () => {
  it.each([[15, 21], [9, 32], [32, 9], [16, 16], [1, 7], [7, 1], [1, 1], [12, 100]])(
    '%i x %i: forward and inverse agree with row/column naive DFTs to 1e-12',
    async (rows, cols) => {
      const re = randomVec(rows * 100 + cols, rows * cols);
      const im = randomVec(rows * 1000 + cols, rows * cols);
      const fwd = await fft2(re, im, rows, cols);
      expect(relErr(fwd, naiveDft2(re, im, rows, cols, -1))).toBeLessThan(1e-12);
      const inv = await fft2(re, null, rows, cols, { inverse: true });
      expect(relErr(inv, naiveDft2(re, new Float64Array(rows * cols), rows, cols, 1))).toBeLessThan(1e-12);
      const back = await fft2(fwd.re, fwd.im, rows, cols, { inverse: true });
      expect(relErr(back, { re, im })).toBeLessThan(1e-14);
    },
  );

  it('has scope versions (fftIn, fft2In) that give the same results synchronously', async () => {
    const re = randomVec(11, 15 * 21);
    const [a, b] = await withWasm((scope) => [fftIn(scope, re, null), fft2In(scope, re, null, 15, 21)]);
    expect(a).toEqual(await fft(re, null));
    expect(b).toEqual(await fft2(re, null, 15, 21));
  });
});


describe('fft errors', () => {
  it('rejects bad lengths, shapes, values and options with typed errors', async () => {
    await expectError(() => fft([], null), 'INVALID_SHAPE', 're');
    await expectError(() => fft(null as never, null), 'INVALID_SHAPE', 're');
    await expectError(() => fft(5 as never, null), 'INVALID_SHAPE', 're');
    await expectError(() => fft([1, 2, 3], [1, 2]), 'INVALID_SHAPE', 'im');
    await expectError(() => fft([1, NaN, 3], null), 'NON_FINITE', 're');
    await expectError(() => fft([1, 2, 3], [0, Infinity, 0]), 'NON_FINITE', 'im');
    await expectError(() => fft(['a', 2] as never, null), 'NON_FINITE', 're');
    await expectError(() => fft([1, 2], null, { inverse: 'yes' as never }), 'INVALID_OPTION', 'opts.inverse');
    await expectError(() => fft2([1, 2, 3, 4, 5, 6], null, 2, 2), 'INVALID_SHAPE', 're');
    await expectError(() => fft2([1, 2, 3, 4], [1, 2, 3], 2, 2), 'INVALID_SHAPE', 'im');
    await expectError(() => fft2([1, 2, 3, 4], null, 0, 4), 'INVALID_SHAPE', 'rows');
    await expectError(() => fft2([1, 2, 3, 4], null, 2, 2.5), 'INVALID_SHAPE', 'cols');
    await expectError(() => fft2([1, 2, 3, NaN], null, 2, 2), 'NON_FINITE', 're');
  });

  it('reports TOO_LARGE before reading or allocating anything', async () => {
    let reads = 0;
    const huge = (length: number) => new Proxy({ length }, {
      get(target, prop) {
        if (typeof prop === 'string' && /^\d+$/.test(prop)) { reads++; return 0; }
        return Reflect.get(target, prop);
      },
    }) as unknown as ArrayLike<number>;
    await expectError(() => fft(huge(MAX_FFT_LENGTH + 1), null), 'TOO_LARGE', 're');
    // Within the length limit but a Bluestein plan of 7 * 2^27 f64 (7 GiB) exceeds the Wasm memory.
    await expectError(() => fft(huge(MAX_FFT_LENGTH - 1), null), 'TOO_LARGE', 're');
    await expectError(() => fft2(huge(2 ** 27), null, 2 ** 14, 2 ** 13), 'TOO_LARGE', 'rows * cols');
    expect(reads).toBe(0);
  });
});
