/**
 * The deterministic RNG (assembly/random/random.ts through src/random/random.ts): Philox4x32-10 known-answer vectors
 * (Random123) for the Wasm kernel and for an independent BigInt scalar Philox written here; the block words
 * (Philox-seeded SFC64 lanes), uniforms and normals bit for bit against a BigInt reference of the value
 * definitions written here (its ziggurat uses musl log in JS arithmetic); the ziggurat tables; determinism,
 * offsets, chunking, output parameters and generators; statistics of 1e7 normals (moments,
 * Kolmogorov-Smirnov against Phi, tail masses, autocorrelations, two seeds); uniforms in (0, 1); typed errors.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { setWasmSource, withWasm, wasmMemoryBytes } from '../../src/wasm/kernel.js';
import { compiledKernel } from '../../src/wasm/node.js';
import { generator, normals, normalsIn, normalsInto, philox4x32, uniforms, uniformsInto } from '../../src/random/random.js';
import { expectError } from '../helpers/errors.js';

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
    scope.kernel.philoxBlocks(p, groups, ctr[0] | 0, ctr[1] | 0, ctr[2] | 0, ctr[3] | 0, key[0] | 0, key[1] | 0);
    const words = new Uint32Array(scope.view(p, 24 * groups).buffer, p, 48 * groups).slice();
    const out: number[][] = [];
    for (let i = 0; i < 12 * groups; i++) out.push(Array.from(words.subarray(4 * i, 4 * i + 4)));
    return out;
  });
}

// ---------- scalar reference of the value definitions (src/random/random.ts, assembly/random/random.ts) ----------
// Values come in blocks of 1024: block b of stream (0, s1) under a seed seeds five SFC64 lanes from Philox
// blocks with counters (8 b + j, 0, s1), j = 0..7; position p is output p >> 2 of main lane p & 3; the
// ziggurat's rare paths draw from the reserve lane in position order.
const M64 = (1n << 64n) - 1n;
const word64 = (lo: number, hi: number) => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
/** One SFC64 generator (state a, b, c, counter n), BigInt arithmetic mod 2^64. */
function sfc64(a: bigint, b: bigint, c: bigint): () => bigint {
  let n = 1n;
  return () => {
    const t = (a + b + n) & M64;
    n += 1n;
    a = b ^ (b >> 11n);
    b = (c + (c << 3n)) & M64;
    c = ((((c << 24n) | (c >> 40n)) & M64) + t) & M64;
    return t;
  };
}
/** Block b: its 1024 main words (position order) and its reserve generator. */
function refBlockWords(seed: number, s1: number, b: number): { main: bigint[]; reserve: () => bigint } {
  const key = [seed >>> 0, Math.floor(seed / 2 ** 32)];
  const P: bigint[][] = [];
  for (let j = 0; j < 8; j++) {
    const c = 8 * b + j;
    const w = philoxRef([c >>> 0, Math.floor(c / 2 ** 32) >>> 0, 0, s1], key);
    P.push([word64(w[0], w[1]), word64(w[2], w[3])]);
  }
  const lanes = [0, 1, 2, 3].map((L) => sfc64(P[L][0], P[L][1], P[4 + L][0]));
  const main: bigint[] = [];
  for (let t = 0; t < 256; t++) for (let L = 0; L < 4; L++) main.push(lanes[L]());
  return { main, reserve: sfc64(P[4][1], P[5][1], P[6][1]) };
}
const unit = (m: number) => (m === 0 ? 2 ** -54 : m * 2 ** -53);
const unit64 = (w: bigint) => unit(Number(w >> 11n));
function refUniforms(seed: number, offset: number, n: number): Float64Array {
  const out = new Float64Array(n);
  let cached = -1;
  let words: bigint[] = [];
  for (let i = 0; i < n; i++) {
    const b = Math.floor((offset + i) / 1024);
    if (b !== cached) { words = refBlockWords(seed, 0x80000000, b).main; cached = b; }
    out[i] = unit64(words[(offset + i) % 1024]);
  }
  return out;
}
// Ziggurat (assembly/random/random.ts): 1024 layers; word w: layer = w & 0x3ff, sign = bit 63, u = bits 11..62 as
// a 52-bit fraction; x = u X_layer; accept if u < K_layer, else wedge / tail with reserve words.
const ZIG_N = 1024;
const ZIG_R = 4.038849846109504;
const ZIG_V = 0.001226324646353088;
interface ZigTables { k: number[]; x: number[]; f: number[] }
/** The tables recomputed here with host Math (Marsaglia-Tsang's zigset recursion, n = 1024). */
function zigTablesHost(): ZigTables {
  const m = 2 ** 52;
  const k = new Array<number>(ZIG_N), x = new Array<number>(ZIG_N), f = new Array<number>(ZIG_N);
  let dn = ZIG_R, tn = dn;
  const q = ZIG_V / Math.exp(-0.5 * dn * dn);
  k[0] = Math.floor(m * (dn / q)); k[1] = 0;
  x[0] = q; x[ZIG_N - 1] = dn; f[0] = 1; f[ZIG_N - 1] = Math.exp(-0.5 * dn * dn);
  for (let i = ZIG_N - 2; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(ZIG_V / dn + Math.exp(-0.5 * dn * dn)));
    k[i + 1] = Math.floor(m * (dn / tn)); tn = dn; f[i] = Math.exp(-0.5 * dn * dn); x[i] = dn;
  }
  return { k, x, f };
}
async function zigTablesWasm(): Promise<ZigTables> {
  return withWasm((scope) => {
    const p = scope.f64(3 * ZIG_N);
    scope.kernel.zigguratTables(p);
    const t = Array.from(scope.read(p, 3 * ZIG_N));
    return { k: t.slice(0, ZIG_N), x: t.slice(ZIG_N, 2 * ZIG_N), f: t.slice(2 * ZIG_N) };
  });
}
// musl log.c, the same operations in the same order as log2x in assembly/random/random.ts (JS arithmetic is
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
let zigStats = { slow: 0, tail: 0 };
function refNormals(tab: ZigTables, seed: number, offset: number, n: number, s1 = 0): Float64Array {
  const z = new Float64Array(n);
  const first = Math.floor(offset / 1024);
  const last = Math.floor((offset + n - 1) / 1024);
  for (let b = first; n > 0 && b <= last; b++) {
    const { main, reserve } = refBlockWords(seed, s1, b);
    // Every position of the block in order (the reserve is shared by the whole block).
    for (let p = 0; p < 1024; p++) {
      const t = b * 1024 + p - offset;
      let w = main[p];
      let value = NaN;
      let first = true;
      for (;;) {
        const layer = Number(w & 0x3ffn);
        const neg = (w >> 63n) !== 0n;
        const u = Number((w >> 11n) & ((1n << 52n) - 1n)) * 2 ** -52;
        const x = u * tab.x[layer];
        const sgn = (v: number) => (neg ? -v : v);
        if (u < tab.k[layer] * 2 ** -52) { value = sgn(x); break; }
        if (first) { if (t >= 0 && t < n) zigStats.slow++; first = false; }
        if (layer === 0) {
          if (t >= 0 && t < n) zigStats.tail++;
          for (;;) {
            const xx = -muslLog(unit64(reserve())) * (1 / ZIG_R);
            const yy = -muslLog(unit64(reserve()));
            if (yy + yy > xx * xx) { value = sgn(ZIG_R + xx); break; }
          }
          break;
        }
        const y = (tab.f[layer - 1] - tab.f[layer]) * unit64(reserve()) + tab.f[layer];
        if (muslLog(y) < -0.5 * x * x) { value = sgn(x); break; }
        w = reserve();
      }
      if (t >= 0 && t < n) z[t] = value;
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
  it('the scalar BigInt reference and src/random/random.ts give the published Random123 vectors', () => {
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
  it('block words: the Wasm SFC64 lanes equal the BigInt reference (main words and reserve)', async () => {
    for (const [seed, s1, b] of [[0, 0, 0], [7, 0x80000000, 3], [2 ** 53 - 1, 0, 2 ** 43 - 1], [123456789, 12345, 2 ** 32 + 5]]) {
      const got = await withWasm((scope) => {
        const p = scope.f64(1024 + 16);
        const key = [seed >>> 0, Math.floor(seed / 2 ** 32)];
        scope.kernel.blockWordsOut(p, b >>> 0, Math.floor(b / 2 ** 32), 0, s1 | 0, key[0] | 0, key[1] | 0);
        return Array.from(new BigUint64Array(scope.view(p, 1040).buffer, p, 1040));
      });
      const want = refBlockWords(seed, s1, b);
      expect(got.slice(0, 1024)).toEqual(want.main);
      expect(got.slice(1024)).toEqual(Array.from({ length: 16 }, () => want.reserve()));
    }
  });

  it('uniforms are bit for bit the 53-bit values of the reference words', async () => {
    for (const [seed, offset, n] of [[0, 0, 3000], [7, 3, 517], [2 ** 53 - 1, 2 ** 40 + 1, 301], [123456789, 2 ** 33 - 5, 64]]) {
      expect(await uniforms(n, { seed, offset })).toEqual(refUniforms(seed, offset, n));
    }
  });

  it('the ziggurat tables are the recomputed Marsaglia-Tsang tables, with equal-area layers', async () => {
    const got = await zigTablesWasm();
    const want = zigTablesHost();
    // Wasm's Math and the host's may differ by an ulp per exp/log; the downward recursion amplifies that
    // towards the top layer (x_1 = 0.135: 3e-13 relative seen), hence 1e-12 relative (k: 2^52 1e-12).
    for (let i = 0; i < ZIG_N; i++) {
      expect(Math.abs(got.k[i] - want.k[i])).toBeLessThanOrEqual(2 ** 52 * 1e-12);
      expect(Math.abs(got.x[i] - want.x[i])).toBeLessThanOrEqual(1e-12 * want.x[i]);
      expect(Math.abs(got.f[i] - want.f[i])).toBeLessThanOrEqual(1e-12 * want.f[i]);
      expect(Number.isInteger(got.k[i])).toBe(true);
    }
    // What makes the sampler exact is self-consistency, not the last bits: equal-area layers,
    // X_i (F_{i-1} - F_i) = v above the base strip (to 1e-15 absolute, 1e-12 relative; 2.1e-16 seen),
    // X_0 F_1023 = v for the strip (tail folded in), and the top closes: v / X_1 + F_1 = 1 (9e-15 seen).
    for (let i = 2; i < ZIG_N; i++) expect(Math.abs(got.x[i] * (got.f[i - 1] - got.f[i]) - ZIG_V)).toBeLessThan(1e-15);
    expect(Math.abs(got.x[0] * got.f[ZIG_N - 1] - ZIG_V)).toBeLessThan(1e-16);
    expect(Math.abs(ZIG_V / got.x[1] + got.f[1] - 1)).toBeLessThan(1e-12);
    // v is the base strip's area: r f(r) + the tail integral sqrt(pi / 2) erfc(r / sqrt 2) (this file's erfc: 1e-14).
    expect(Math.abs(ZIG_R * Math.exp(-0.5 * ZIG_R * ZIG_R) + Math.sqrt(Math.PI / 2) * erfc(ZIG_R / Math.SQRT2) - ZIG_V)).toBeLessThan(1e-14); // erfc here: ~1e-15
    // Rectangle bounds: K_i 2^-52 <= X_{i-1} / X_i, within 2^-52 of it.
    for (let i = 2; i < ZIG_N; i++) {
      const ratio = got.x[i - 1] / got.x[i];
      expect(got.k[i] * 2 ** -52).toBeLessThanOrEqual(ratio);
      expect(ratio - got.k[i] * 2 ** -52).toBeLessThan(2 * 2 ** -52);
    }
    expect(got.k[1]).toBe(0);
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
    // The rare paths were exercised (about 0.4% of values reject the rectangle; about 0.01% reach the tail).
    console.info(`ziggurat reference: ${total} values, ${zigStats.slow} rare-path, ${zigStats.tail} tail`);
    expect(zigStats.slow).toBeGreaterThan(total * 0.002);
    expect(zigStats.tail).toBeGreaterThan(5);
    // And the comparison can fail: one flipped table entry changes values.
    const broken = { ...tab, x: tab.x.slice() };
    broken.x[3] *= 1 + 2 ** -52;
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

  it('normalsInto / uniformsInto fill the caller\'s array in place with the same values, at any offset', async () => {
    for (const [n, offset] of [[0, 0], [1, 0], [1023, 1], [1024, 1024], [70_000, 5], [140_000, 65_535]]) {
      const buf = new Float64Array(n).fill(NaN);
      const got = await normalsInto(buf, { seed: 4, offset });
      expect(got).toBe(buf);
      expect(buf).toEqual(await normals(n, { seed: 4, offset }));
      const ubuf = new Float64Array(n);
      expect(await uniformsInto(ubuf, { seed: 4, offset })).toBe(ubuf);
      expect(ubuf).toEqual(await uniforms(n, { seed: 4, offset }));
    }
    // A view into a larger array: only the view is written.
    const big = new Float64Array(3000).fill(7);
    await normalsInto(big.subarray(1000, 2000), { seed: 2 });
    expect(big.subarray(1000, 2000)).toEqual(await normals(1000, { seed: 2 }));
    expect(big.subarray(0, 1000).every((v) => v === 7) && big.subarray(2000).every((v) => v === 7)).toBe(true);
  });

  it('generator Into forms continue the same positions; overlapping calls get consecutive ranges', async () => {
    const g = generator(77);
    const a = await g.normals(5);
    const b = await g.normalsInto(new Float64Array(2000));
    const c = await g.uniformsInto(new Float64Array(3));
    expect(new Float64Array([...a, ...b])).toEqual(await normals(2005, { seed: 77 }));
    expect(c).toEqual(await uniforms(3, { seed: 77 }));
    // Started together, resolved in any order: still consecutive ranges in call order.
    const h = generator(78);
    const [x, y] = await Promise.all([h.normals(1500), h.normals(700)]);
    expect(new Float64Array([...x, ...y])).toEqual(await normals(2200, { seed: 78 }));
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
    expect(unit64(M64)).toBe(1 - 2 ** -53);
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
    for (const bad of [null, [1, 2], new Float32Array(4), 3, 'x']) {
      await expectError(normalsInto(bad as unknown as Float64Array), 'INVALID_OPTION', 'out', /Float64Array/);
      await expectError(uniformsInto(bad as unknown as Float64Array), 'INVALID_OPTION', 'out', /Float64Array/);
    }
    await expectError(normalsInto(new Float64Array(4), { seed: -1 }), 'INVALID_OPTION', 'seed');
    await expectError(normalsInto(new Float64Array(4), { offset: 2 ** 53 - 3 }), 'INVALID_OPTION', 'offset');
    const g = generator(1);
    await expectError(g.normals(-2), 'INVALID_OPTION', 'n');
    await expectError(() => g.normalsInto(new Float32Array(2) as unknown as Float64Array), 'INVALID_OPTION', 'out');
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
