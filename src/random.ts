/**
 * Deterministic random numbers on the Wasm kernel (assembly/random.ts): Philox4x32-10 counter-based
 * generator, uniforms in (0, 1) from 53 bits, standard normals by a 256-layer ziggurat (one 64-bit Philox
 * word per normal; the rare rejections continue on a side Philox sequence of that normal's index; log
 * written in Wasm arithmetic). Value i of a stream is a pure function of (seed, stream, i): the same bits in node and
 * in every browser, at any offset, in any chunking.
 *
 * Streams: key = seed (64-bit, seed < 2^53 here); counter = (block lo, block hi, s0, s1). The default stream
 * of a seed has (s0, s1) = (0, 0) for normals and (0, 2^31) for uniforms (top bit of s1: normals and
 * uniforms of one seed never share a block). `generator(seed).split(i)` derives (s0, s1) from the parent's
 * with one scalar Philox block (a 63-bit stream name; distinct parents or indices collide with
 * probability about 2^-63 per pair).
 */
import { fail } from './errors.js';
import { checkWasmBytes, withWasm, type WasmScope } from './wasm.js';

const TWO53 = 2 ** 53;
const UNIFORM_BIT = 0x80000000;

function checkCount(count: unknown, argument = 'count'): number {
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
    fail('INVALID_OPTION', argument, `got ${String(count)}`, 'a non-negative integer');
  }
  checkWasmBytes(8 * count, argument);
  return count;
}

function checkSeed(seed: unknown, argument = 'seed'): number {
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed >= TWO53) {
    fail('INVALID_OPTION', argument, `got ${String(seed)}`, 'an integer 0 <= seed < 2^53');
  }
  return seed;
}

function checkOffset(offset: unknown, count: number, argument = 'offset'): number {
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0 || offset > TWO53 - count) {
    fail('INVALID_OPTION', argument, `got ${String(offset)}`, 'an integer 0 <= offset with offset + count <= 2^53');
  }
  return offset;
}

type Kind = 'normals' | 'uniforms';

function fillIn(kind: Kind, scope: WasmScope, ptr: number, count: number, seed: number, s0: number, s1: number, offset: number): void {
  if (count === 0) return;
  const f = scope.fn(kind === 'normals' ? 'fillNormals' : 'fillUniforms');
  f(ptr, count, seed, s0 | 0, (kind === 'uniforms' ? s1 | UNIFORM_BIT : s1) | 0, offset);
}

/** Values per chunk of `draw`: 512 KiB of Wasm memory, cache-resident, then copied out. */
const CHUNK = 1 << 16;

async function draw(kind: Kind, count: number, seed: number, s0: number, s1: number, offset: number): Promise<Float64Array> {
  const out = new Float64Array(count);
  if (count === 0) return out;
  // Value i depends only on its index: generating in chunks gives the same numbers, without an allocation
  // (and a Wasm memory growth) of the whole output.
  return withWasm((scope) => {
    const len = Math.min(count, CHUNK);
    const p = scope.f64(len);
    for (let start = 0; start < count; start += CHUNK) {
      const n = Math.min(CHUNK, count - start);
      fillIn(kind, scope, p, n, seed, s0, s1, offset + start);
      out.set(scope.view(p, n), start);
    }
    return out;
  });
}

function options(count: unknown, opts: { seed?: number; offset?: number } | undefined): [number, number, number] {
  const n = checkCount(count);
  if (opts !== undefined && (typeof opts !== 'object' || opts === null)) {
    fail('INVALID_OPTION', 'opts', `got ${String(opts)}`, 'an object { seed?, offset? }');
  }
  const seed = checkSeed(opts?.seed ?? 0);
  const offset = checkOffset(opts?.offset ?? 0, n);
  return [n, seed, offset];
}

/** `count` standard normals N(0, 1), f64, from the stream of `seed` (an integer 0 <= seed < 2^53), starting
 *  at `offset` (default 0). Same seed, same numbers, on every platform. */
export async function normals(count: number, opts?: { seed?: number; offset?: number }): Promise<Float64Array> {
  const [n, seed, offset] = options(count, opts);
  return draw('normals', n, seed, 0, 0, offset);
}

/** `count` uniforms in (0, 1) (never 0 or 1; multiples of 2^-53, and 2^-54), stream of `seed`, from `offset`. */
export async function uniforms(count: number, opts?: { seed?: number; offset?: number }): Promise<Float64Array> {
  const [n, seed, offset] = options(count, opts);
  return draw('uniforms', n, seed, 0, 0, offset);
}

/** Scope version for other Wasm code: fill `ptr` with `count` normals of stream (seed, offset). */
export function normalsIn(scope: WasmScope, ptr: number, count: number, seed: number, offset: number): void {
  checkCount(count);
  checkSeed(seed);
  checkOffset(offset, count);
  fillIn('normals', scope, ptr, count, seed, 0, 0, offset);
}

// --- scalar Philox4x32-10 (stream derivation only; the bulk work is in Wasm) ---

function mulhilo(a: number, b: number): [number, number] {
  const lo = Math.imul(a, b) >>> 0;
  const aL = a & 0xffff, aH = a >>> 16, bL = b & 0xffff, bH = b >>> 16;
  const ll = aL * bL, lh = aL * bH, hl = aH * bL, hh = aH * bH;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  const hi = (hh + (lh >>> 16) + (hl >>> 16) + Math.floor(mid / 65536)) >>> 0;
  return [hi, lo];
}

/** Philox4x32-10 of a counter (4 u32) under a key (2 u32): 4 u32. */
export function philox4x32(ctr: readonly number[], key: readonly number[]): number[] {
  let [c0, c1, c2, c3] = ctr.map((v) => v >>> 0);
  let k0 = key[0] >>> 0;
  let k1 = key[1] >>> 0;
  for (let r = 0; r < 10; r++) {
    const [hi0, lo0] = mulhilo(0xd2511f53, c0);
    const [hi1, lo1] = mulhilo(0xcd9e8d57, c2);
    [c0, c1, c2, c3] = [(hi1 ^ c1 ^ k0) >>> 0, lo1, (hi0 ^ c3 ^ k1) >>> 0, lo0];
    k0 = (k0 + 0x9e3779b9) >>> 0;
    k1 = (k1 + 0xbb67ae85) >>> 0;
  }
  return [c0, c1, c2, c3];
}

export interface Generator {
  /** The next `n` normals of this generator's stream (continues where the previous call stopped). */
  normals(n: number): Promise<Float64Array>;
  /** The next `n` uniforms in (0, 1) (a position of their own, and blocks never shared with the normals). */
  uniforms(n: number): Promise<Float64Array>;
  /** An independent stream, a pure function of (this stream, index). */
  split(stream: number): Generator;
  readonly seed: number;
}

function makeGenerator(seed: number, s0: number, s1: number): Generator {
  let normalAt = 0;
  let uniformAt = 0;
  return {
    seed,
    async normals(n: number): Promise<Float64Array> {
      const count = checkCount(n, 'n');
      checkOffset(normalAt, count, 'n');
      const out = await draw('normals', count, seed, s0, s1, normalAt);
      normalAt += count;
      return out;
    },
    async uniforms(n: number): Promise<Float64Array> {
      const count = checkCount(n, 'n');
      checkOffset(uniformAt, count, 'n');
      const out = await draw('uniforms', count, seed, s0, s1, uniformAt);
      uniformAt += count;
      return out;
    },
    split(stream: number): Generator {
      if (typeof stream !== 'number' || !Number.isInteger(stream) || stream < 0 || stream >= TWO53) {
        fail('INVALID_OPTION', 'stream', `got ${String(stream)}`, 'an integer 0 <= stream < 2^53');
      }
      // Key = the parent's stream name, counter = (index lo, index hi, 0x5eed5911, seed-independent tag).
      const w = philox4x32([stream >>> 0, Math.floor(stream / 2 ** 32) >>> 0, 0x5eed5911, 0x73706c74], [s0, s1]);
      return makeGenerator(seed, w[0], (w[1] & 0x7fffffff) >>> 0);
    },
  };
}

/** A streaming generator: gen.normals(n) continues where the previous call stopped; gen.split(i) an
 *  independent stream. */
export function generator(seed: number): Generator {
  return makeGenerator(checkSeed(seed), 0, 0);
}
