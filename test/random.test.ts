/**
 * The deterministic RNG (assembly/random.ts through src/random.ts): Philox4x32-10 known-answer vectors
 * (Random123) for the Wasm kernel and for an independent BigInt scalar Philox written here; uniforms and
 * normals against a scalar reference built on that Philox (uniforms bit for bit; normals bit for bit
 * against a scalar ziggurat written here, with musl log in JS arithmetic); determinism, offset continuity and chunking; statistics of 1e7 normals (moments,
 * Kolmogorov-Smirnov against Phi, tail masses, autocorrelations, two seeds); uniforms in (0, 1); typed errors.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { setWasmSource, withWasm, wasmMemoryBytes } from '../src/wasm.js';
import { compiledKernel } from '../src/node-wasm.js';
import { generator, normals, normalsIn, philox4x32, uniforms } from '../src/random.js';
import { expectError } from './helpers/errors.js';

setWasmSource(compiledKernel);

// ---------- independent scalar Philox4x32-10 (BigInt arithmetic) ----------
const MASK = 0xffffffffn;
function philoxRef(ctr: number[], key: number[]): number[] {
  let c = ctr.map((v) => BigInt(v >>> 0));
  let k0 = BigInt(key[0] >>> 0);
  let k1 = BigInt(key[1] >>> 0);
  for (let r = 0; r < 10; r++) {
    const p0 = 0xd2511f53n * c[0];
    const p1 = 0xcd9e8d57n * c[2];
    c = [((p1 >> 32n) ^ c[1] ^ k0) & MASK, p1 & MASK, ((p0 >> 32n) ^ c[3] ^ k1) & MASK, p0 & MASK];
    k0 = (k0 + 0x9e3779b9n) & MASK;
    k1 = (k1 + 0xbb67ae85n) & MASK;
  }
  return c.map(Number);
}

const KAT: Array<{ ctr: number[]; key: number[]; out: number[] }> = [
  { ctr: [0, 0, 0, 0], key: [0, 0], out: [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8] },
  { ctr: [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], key: [0xffffffff, 0xffffffff], out: [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd] },
  { ctr: [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], key: [0xa4093822, 0x299f31d0], out: [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1] },
];

/** Wasm Philox blocks: 12 * groups blocks from counter (blo, bhi, s0, s1) under key (k0, k1). */
async function wasmBlocks(groups: number, ctr: number[], key: number[]): Promise<number[][]> {
  return withWasm((scope) => {
    const p = scope.f64(24 * groups);
    scope.fn('philoxBlocks')(p, groups, ctr[0] | 0, ctr[1] | 0, ctr[2] | 0, ctr[3] | 0, key[0] | 0, key[1] | 0);
    const words = new Uint32Array(scope.view(p, 24 * groups).buffer, p, 48 * groups).slice();
    const out: number[][] = [];
    for (let i = 0; i < 12 * groups; i++) out.push(Array.from(words.subarray(4 * i, 4 * i + 4)));
    return out;
  });
}

// ---------- scalar reference of the value definitions (src/random.ts, assembly/random.ts) ----------
/** 53-bit integer of a word pair: (lo | hi << 32) >> 11. */
const m53 = (lo: number, hi: number) => hi * 2 ** 21 + Math.floor(lo / 2 ** 11);
const unit = (m: number) => (m === 0 ? 2 ** -54 : m * 2 ** -53);
function refBlock(seed: number, s1: number, b: number): number[] {
  return philoxRef([b >>> 0, Math.floor(b / 2 ** 32), 0, s1], [seed >>> 0, Math.floor(seed / 2 ** 32)]);
}
function refUniforms(seed: number, offset: number, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const w = refBlock(seed, 0x80000000, Math.floor((offset + i) / 2));
    out[i] = (offset + i) % 2 === 0 ? unit(m53(w[0], w[1])) : unit(m53(w[2], w[3]));
  }
  return out;
}
// Ziggurat (assembly/random.ts): normal i takes the 64-bit word w = word0 | word1 << 32 (i even) or
// word2 | word3 << 32 (i odd) of block floor(i / 2); layer = w & 0xff, sign = bit 8, rabs = w >> 11.
// Rejections continue on a side sequence: word j of normal i is word pair j & 1 of the block with key
// (seed lo, seed hi | 2^31) and counter (i lo, i hi | (j >> 1) << 21, 0, s1).
const ZIG_R = 3.6541528853610088;
const ZIG_V = 4.92867323399e-3;
/** The tables recomputed here (host Math; compared with the Wasm literals to a few ulps). */
function zigTablesHost(): { k: number[]; w: number[]; f: number[] } {
  const m = 2 ** 53;
  const k = new Array<number>(256), w = new Array<number>(256), f = new Array<number>(256);
  let dn = ZIG_R, tn = dn;
  const q = ZIG_V / Math.exp(-0.5 * dn * dn);
  k[0] = Math.floor((dn / q) * m); k[1] = 0;
  w[0] = q / m; w[255] = dn / m; f[0] = 1; f[255] = Math.exp(-0.5 * dn * dn);
  for (let i = 254; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(ZIG_V / dn + Math.exp(-0.5 * dn * dn)));
    k[i + 1] = Math.floor((dn / tn) * m); tn = dn; f[i] = Math.exp(-0.5 * dn * dn); w[i] = dn / m;
  }
  return { k, w, f };
}
async function zigTablesWasm(): Promise<{ k: number[]; w: number[]; f: number[] }> {
  return withWasm((scope) => {
    const p = scope.f64(768);
    scope.fn('zigguratTables')(p);
    const t = Array.from(scope.read(p, 768));
    return { k: t.slice(0, 256), w: t.slice(256, 512), f: t.slice(512) };
  });
}
// musl log.c, the same operations in the same order as log2x in assembly/random.ts (JS arithmetic is
// IEEE-754 f64 with no fused multiply-add, so the bits must match).
const lv = new DataView(new ArrayBuffer(8));
function muslLog(x: number): number {
  lv.setFloat64(0, x);
  let hx = lv.getUint32(0) + (0x3ff00000 - 0x3fe6a09e);
  const k = (hx >>> 20) - 0x3ff;
  hx = (hx & 0x000fffff) + 0x3fe6a09e;
  lv.setUint32(0, hx);
  const f = lv.getFloat64(0) - 1;
  const hfsq = 0.5 * f * f;
  const s = f / (2 + f);
  const z = s * s;
  const w = z * z;
  const t1 = w * (3.999999999940941908e-01 + w * (2.222219843214978396e-01 + w * 1.531383769920937332e-01));
  const t2 = z * (6.666666666666735130e-01 + w * (2.857142874366239149e-01 + w * (1.818357216161805012e-01 + w * 1.479819860511658591e-01)));
  const R = t2 + t1;
  return s * (hfsq + R) + k * 1.90821492927058770002e-10 - hfsq + f + k * 6.93147180369123816490e-01;
}
const word64 = (lo: number, hi: number) => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
const unit64 = (w: bigint) => unit(Number(w >> 11n));
let zigStats = { slow: 0, tail: 0 };
function refNormals(tab: { k: number[]; w: number[]; f: number[] }, seed: number, offset: number, n: number, s1 = 0): Float64Array {
  const z = new Float64Array(n);
  const key = [seed >>> 0, Math.floor(seed / 2 ** 32)];
  for (let t = 0; t < n; t++) {
    const i = offset + t;
    const b = refBlock(seed, s1, Math.floor(i / 2));
    let w = i % 2 === 0 ? word64(b[0], b[1]) : word64(b[2], b[3]);
    let j = 0;
    const side = () => {
      const c = philoxRef([i >>> 0, (Math.floor(i / 2 ** 32) | ((j >> 1) << 21)) >>> 0, 0, s1], [key[0], (key[1] | 0x80000000) >>> 0]);
      const v = j % 2 === 0 ? word64(c[0], c[1]) : word64(c[2], c[3]);
      j++;
      return v;
    };
    let first = true;
    for (;;) {
      const idx = Number(w & 0xffn);
      const neg = (w & 0x100n) !== 0n;
      const rabs = Number(w >> 11n);
      const x = rabs * tab.w[idx];
      const sgn = (v: number) => (neg ? -v : v);
      if (rabs < tab.k[idx]) { z[t] = sgn(x); break; }
      if (first) { zigStats.slow++; first = false; }
      if (idx === 0) {
        zigStats.tail++;
        for (;;) {
          const xx = -muslLog(unit64(side())) * 0.27366123732975828;
          const yy = -muslLog(unit64(side()));
          if (yy + yy > xx * xx) { z[t] = sgn(ZIG_R + xx); break; }
        }
        break;
      }
      const y = (tab.f[idx - 1] - tab.f[idx]) * unit64(side()) + tab.f[idx];
      if (muslLog(y) < -0.5 * x * x) { z[t] = sgn(x); break; }
      w = side();
    }
  }
  return z;
}

// ---------- Phi and the Kolmogorov distribution ----------
/** erfc(x), x >= 0: positive-term series of erf below 3, continued fraction above (both ~1e-15). */
function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  if (x < 3) {
    let term = x;
    let sum = x;
    for (let n = 1; n < 200 && term > 1e-17 * sum; n++) {
      term *= (2 * x * x) / (2 * n + 1);
      sum += term;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
  }
  let f = x;
  for (let k = 80; k >= 1; k--) f = x + k / 2 / f;
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}
const Phi = (z: number) => 0.5 * erfc(-z / Math.SQRT2);
/** P(K > t) for the Kolmogorov distribution. */
function kolmogorovQ(t: number): number {
  let s = 0;
  for (let k = 1; k < 100; k++) s += 2 * (k % 2 ? 1 : -1) * Math.exp(-2 * k * k * t * t);
  return Math.min(1, Math.max(0, s));
}

describe('Philox4x32-10 known answers', () => {
  it('the scalar BigInt reference and src/random.ts give the published Random123 vectors', () => {
    for (const { ctr, key, out } of KAT) {
      expect(philoxRef(ctr, key)).toEqual(out);
      expect(philox4x32(ctr, key)).toEqual(out);
    }
  });

  it('the Wasm kernel gives the published vectors (each of the twelve interleaved lanes)', async () => {
    for (const { ctr, key, out } of KAT) {
      for (let lane = 0; lane < 12; lane++) {
        // Start `lane` blocks before the vector's counter (with borrow into the high word).
        const lo = (ctr[0] - lane) >>> 0;
        const hi = (ctr[1] - (ctr[0] < lane ? 1 : 0)) >>> 0;
        const blocks = await wasmBlocks(1, [lo, hi, ctr[2], ctr[3]], key);
        expect(blocks[lane].map((v) => v >>> 0)).toEqual(out);
      }
    }
  });

  it('the Wasm kernel equals the scalar reference on random counters and keys, with carries', async () => {
    let s = 12345;
    const r32 = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s; };
    for (let t = 0; t < 40; t++) {
      const ctr = [t < 10 ? (0xffffffff - (t % 12)) >>> 0 : r32(), r32(), r32(), r32()];
      const key = [r32(), r32()];
      const blocks = await wasmBlocks(2, ctr, key);
      for (let i = 0; i < 24; i++) {
        const b = ctr[0] + i;
        const c = [b >>> 0, (ctr[1] + Math.floor(b / 2 ** 32)) >>> 0, ctr[2], ctr[3]];
        expect(blocks[i].map((v) => v >>> 0)).toEqual(philoxRef(c, key));
      }
    }
  });
});

describe('values against the scalar reference', () => {
  it('uniforms are bit for bit the 53-bit values of the scalar Philox', async () => {
    for (const [seed, offset, n] of [[0, 0, 1000], [7, 3, 517], [2 ** 53 - 1, 2 ** 40 + 1, 301], [123456789, 2 ** 33 - 5, 64]]) {
      expect(await uniforms(n, { seed, offset })).toEqual(refUniforms(seed, offset, n));
    }
  });

  it('the ziggurat tables are the recomputed Marsaglia-Tsang tables (k exact to 1, w and f to 4 ulps)', async () => {
    const got = await zigTablesWasm();
    const want = zigTablesHost();
    for (let i = 0; i < 256; i++) {
      expect(Math.abs(got.k[i] - want.k[i])).toBeLessThanOrEqual(1);
      expect(Math.abs(got.w[i] - want.w[i])).toBeLessThanOrEqual(4 * 2 ** -52 * want.w[i]);
      expect(Math.abs(got.f[i] - want.f[i])).toBeLessThanOrEqual(4 * 2 ** -52 * want.f[i]);
    }
    // Equal-area layers: x_i (f_{i-1} - f_i) = v for the rectangles above the base strip.
    for (let i = 2; i < 256; i++) expect(Math.abs(got.w[i] * 2 ** 53 * (got.f[i - 1] - got.f[i]) - ZIG_V)).toBeLessThan(1e-12);
  });

  it('normals are bit for bit the scalar ziggurat reference (fast path, wedges and tail)', async () => {
    const tab = await zigTablesWasm();
    zigStats = { slow: 0, tail: 0 };
    let total = 0;
    for (const [seed, offset, n] of [[0, 0, 100_000], [99, 1, 50_001], [2 ** 52 + 3, 2 ** 45 + 7, 20_000], [5, 2 ** 53 - 30_000, 30_000]]) {
      const got = await normals(n, { seed, offset });
      const want = refNormals(tab, seed, offset, n);
      let bad = 0;
      for (let i = 0; i < n; i++) if (!Object.is(got[i], want[i])) bad++;
      expect(bad).toBe(0);
      total += n;
    }
    // The rare paths were exercised (about 1.2% of values reject the rectangle; about 0.03% reach the tail).
    console.info(`ziggurat reference: ${total} values, ${zigStats.slow} rare-path, ${zigStats.tail} tail`);
    expect(zigStats.slow).toBeGreaterThan(total * 0.005);
    expect(zigStats.tail).toBeGreaterThan(10);
    // And the comparison can fail: one flipped table entry changes values.
    const broken = { ...tab, w: tab.w.slice() };
    broken.w[3] *= 1 + 2 ** -52;
    const got = await normals(5000, { seed: 0 });
    const want = refNormals(broken, 0, 0, 5000);
    let diff = 0;
    for (let i = 0; i < 5000; i++) if (!Object.is(got[i], want[i])) diff++;
    expect(diff).toBeGreaterThan(0);
  });

  it('generator normals are the reference too (after a partial first call)', async () => {
    const tab = await zigTablesWasm();
    const g = generator(11);
    await g.normals(7);
    expect(await g.normals(3000)).toEqual(refNormals(tab, 11, 7, 3000));
  });
});

describe('determinism, offsets, generators', () => {
  it('same seed, same stream; different seeds, different streams', async () => {
    const a = await normals(10_001, { seed: 42 });
    const b = await normals(10_001, { seed: 42 });
    expect(b).toEqual(a);
    const c = await normals(10_001, { seed: 43 });
    let same = 0;
    for (let i = 0; i < a.length; i++) if (a[i] === c[i]) same++;
    expect(same).toBe(0);
    expect(await normals(5)).toEqual(await normals(5, { seed: 0, offset: 0 }));
  });

  it('normals(n, {offset: k}) is the tail of normals(n + k), for every alignment', async () => {
    const full = await normals(200, { seed: 5 });
    const fullU = await uniforms(200, { seed: 5 });
    for (const k of [0, 1, 2, 3, 5, 7, 8, 9, 16, 17, 23, 24, 25, 31, 48, 49]) {
      for (const n of [0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 23, 24, 25, 47, 48, 49, 100]) {
        expect(await normals(n, { seed: 5, offset: k })).toEqual(full.subarray(k, k + n));
        expect(await uniforms(n, { seed: 5, offset: k })).toEqual(fullU.subarray(k, k + n));
      }
    }
  });

  it('a generator continues where it stopped; normals and uniforms keep their own positions', async () => {
    const g = generator(77);
    const parts = [await g.normals(3), await g.normals(10), await g.uniforms(5), await g.normals(0), await g.normals(6)];
    const joined = new Float64Array([...parts[0], ...parts[1], ...parts[4]]);
    expect(joined).toEqual(await normals(19, { seed: 77 }));
    expect(parts[2]).toEqual(await uniforms(5, { seed: 77 }));
    expect(g.seed).toBe(77);
  });

  it('normalsIn fills Wasm memory with the same stream', async () => {
    const want = await normals(37, { seed: 9, offset: 11 });
    const got = await withWasm((scope) => {
      const p = scope.f64(37);
      normalsIn(scope, p, 37, 9, 11);
      return scope.read(p, 37);
    });
    expect(got).toEqual(want);
  });

  it('split streams are deterministic, distinct from each other and from the parent, and uncorrelated', async () => {
    const n = 200_000;
    const root = generator(3);
    const a = await generator(3).split(1).normals(n);
    expect(await root.split(1).normals(n)).toEqual(a);
    const b = await root.split(2).normals(n);
    const p = await normals(n, { seed: 3 });
    const nested = await root.split(1).split(1).normals(n);
    for (const [x, y] of [[a, b], [a, p], [b, p], [a, nested]]) {
      let s = 0;
      for (let i = 0; i < n; i++) s += x[i] * y[i];
      expect(Math.abs(s / n)).toBeLessThan(5 / Math.sqrt(n));
    }
  });
});

describe('statistics of 1e7 normals', () => {
  const N = 10_000_000;
  let z: Float64Array;
  beforeAll(async () => { z = await normals(N, { seed: 20240607 }); });

  it('mean, variance, skewness, kurtosis within 5 sigma of their sampling distributions', () => {
    let s1 = 0, s2 = 0, s3 = 0, s4 = 0;
    for (let i = 0; i < N; i++) { const x = z[i]; const x2 = x * x; s1 += x; s2 += x2; s3 += x2 * x; s4 += x2 * x2; }
    const mean = s1 / N, m2 = s2 / N, m3 = s3 / N, m4 = s4 / N;
    // Raw moments of N(0, 1) (the true mean is 0): sampling sd of mean 1, E z^2 sqrt(2), E z^3 sqrt(15), E z^4 sqrt(96).
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(N));
    expect(Math.abs(m2 - 1)).toBeLessThan(5 * Math.sqrt(2 / N));
    expect(Math.abs(m3)).toBeLessThan(5 * Math.sqrt(15 / N));
    expect(Math.abs(m4 - 3)).toBeLessThan(5 * Math.sqrt(96 / N));
    // Standardised skewness and excess kurtosis (asymptotic sds sqrt(6 / N), sqrt(24 / N)).
    const v = m2 - mean * mean;
    const skew = (m3 - 3 * mean * m2 + 2 * mean ** 3) / v ** 1.5;
    const kurt = (m4 - 4 * mean * m3 + 6 * mean * mean * m2 - 3 * mean ** 4) / (v * v) - 3;
    expect(Math.abs(skew)).toBeLessThan(5 * Math.sqrt(6 / N));
    expect(Math.abs(kurt)).toBeLessThan(5 * Math.sqrt(24 / N));
  });

  it('Kolmogorov-Smirnov against Phi: p > 1e-4', () => {
    // The erfc used for Phi, checked at known values first.
    expect(Phi(0)).toBe(0.5);
    expect(Math.abs(Phi(-1) - 0.15865525393145707) / 0.15865525393145707).toBeLessThan(1e-13);
    expect(Math.abs(Phi(-3) - 0.0013498980316300946) / 0.0013498980316300946).toBeLessThan(1e-13);
    expect(Math.abs(Phi(-5) - 2.866515718791939e-7) / 2.866515718791939e-7).toBeLessThan(1e-12);
    const sorted = z.slice().sort();
    let d = 0;
    for (let i = 0; i < N; i++) {
      const f = Phi(sorted[i]);
      d = Math.max(d, f - i / N, (i + 1) / N - f);
    }
    const sq = Math.sqrt(N);
    const p = kolmogorovQ(d * (sq + 0.12 + 0.11 / sq));
    console.info(`KS: D = ${d.toExponential(3)}, p = ${p.toFixed(4)}`);
    expect(p).toBeGreaterThan(1e-4);
    // And the test can fail: a 0.5% scale error is rejected.
    let d2 = 0;
    for (let i = 0; i < N; i += 1) { const f = Phi(sorted[i] * 1.005); d2 = Math.max(d2, f - i / N, (i + 1) / N - f); }
    expect(kolmogorovQ(d2 * (sq + 0.12 + 0.11 / sq))).toBeLessThan(1e-4);
  });

  it('tail masses beyond 3 and 4 sigma within 5 binomial sigma', () => {
    let t3 = 0, t4 = 0, max = 0;
    for (let i = 0; i < N; i++) { const a = Math.abs(z[i]); if (a > 3) t3++; if (a > 4) t4++; if (a > max) max = a; }
    let tr = 0;
    for (let i = 0; i < N; i++) if (Math.abs(z[i]) > ZIG_R) tr++;
    for (const [count, p] of [[t3, 2 * Phi(-3)], [t4, 2 * Phi(-4)], [tr, 2 * Phi(-ZIG_R)]]) {
      expect(Math.abs(count - N * p)).toBeLessThan(5 * Math.sqrt(N * p * (1 - p)));
    }
    // Ziggurat tail: r + (-log U) / r with U >= 2^-54.
    expect(max).toBeLessThan(ZIG_R + (54 * Math.LN2) / ZIG_R + 1e-12);
  });

  it('lag-1..3 autocorrelations (and of the squares, lag 1) within 5 / sqrt(n)', () => {
    for (const lag of [1, 2, 3]) {
      let s = 0;
      for (let i = 0; i + lag < N; i++) s += z[i] * z[i + lag];
      expect(Math.abs(s / (N - lag))).toBeLessThan(5 / Math.sqrt(N));
    }
    // Box-Muller pairs share a radius: z_{2b}^2 and z_{2b+1}^2 must still be uncorrelated (var z^2 = 2).
    let s = 0;
    for (let i = 0; i + 1 < N; i++) s += (z[i] * z[i] - 1) * (z[i + 1] * z[i + 1] - 1);
    expect(Math.abs(s / (N - 1) / 2)).toBeLessThan(5 / Math.sqrt(N));
  });

  it('two seeds are uncorrelated', async () => {
    const w = await normals(N, { seed: 20240608 });
    let s = 0;
    for (let i = 0; i < N; i++) s += z[i] * w[i];
    expect(Math.abs(s / N)).toBeLessThan(5 / Math.sqrt(N));
  });
});

describe('uniforms', () => {
  it('are never 0 or 1, and have the moments of U(0, 1)', async () => {
    const n = 2_000_000;
    const u = await uniforms(n, { seed: 11 });
    let min = 1, max = 0, s = 0, s2 = 0;
    for (let i = 0; i < n; i++) { const x = u[i]; if (x < min) min = x; if (x > max) max = x; s += x; s2 += x * x; }
    expect(min).toBeGreaterThan(0);
    expect(max).toBeLessThan(1);
    expect(Math.abs(s / n - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(s2 / n - 1 / 3)).toBeLessThan(5 * Math.sqrt(4 / 45 / n));
    // The word pair that gives m = 0 (uniform 2^-54) and the largest m (1 - 2^-53) as the reference defines them.
    expect(unit(0)).toBe(2 ** -54);
    expect(unit(m53(0xffffffff, 0xffffffff))).toBe(1 - 2 ** -53);
  });
});

describe('typed errors before any allocation', () => {
  it('bad counts, seeds, offsets, streams', async () => {
    await normals(1);
    const before = await wasmMemoryBytes();
    for (const bad of [-1, 1.5, NaN, Infinity, '3' as unknown as number]) {
      await expectError(normals(bad), 'INVALID_OPTION', 'count');
      await expectError(uniforms(bad), 'INVALID_OPTION', 'count');
    }
    await expectError(normals(2 ** 29), 'TOO_LARGE', 'count', /4096 MiB/);
    await expectError(uniforms(1e12), 'TOO_LARGE', 'count', /MiB/);
    for (const seed of [-1, 0.5, 2 ** 53, NaN, '1' as unknown as number]) {
      await expectError(normals(4, { seed }), 'INVALID_OPTION', 'seed');
      await expectError(() => generator(seed), 'INVALID_OPTION', 'seed');
    }
    for (const offset of [-1, 2.5, 2 ** 53]) await expectError(normals(4, { offset }), 'INVALID_OPTION', 'offset');
    await expectError(normals(4, { offset: 2 ** 53 - 3 }), 'INVALID_OPTION', 'offset');
    const g = generator(1);
    await expectError(g.normals(-2), 'INVALID_OPTION', 'n');
    await expectError(() => g.split(-1), 'INVALID_OPTION', 'stream');
    await expectError(() => g.split(0.5), 'INVALID_OPTION', 'stream');
    await withWasm(async (scope) => {
      await expectError(() => normalsIn(scope, 0, -1, 0, 0), 'INVALID_OPTION', 'count');
      await expectError(() => normalsIn(scope, 0, 4, -1, 0), 'INVALID_OPTION', 'seed');
      await expectError(() => normalsIn(scope, 0, 2 ** 30, 0, 0), 'TOO_LARGE', 'count');
    });
    expect(await wasmMemoryBytes()).toBe(before);
  });
});
