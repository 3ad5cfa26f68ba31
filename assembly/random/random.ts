// Deterministic random numbers: Philox4x32-10-keyed SFC64 lanes, and ziggurat normals.
//
// Values come in blocks of RANDOM_BLOCK = 1024 (src/wasm/constants.ts, shared with the facade). Block b of stream (s0, s1) under a seed is a pure function of
// (seed, s0, s1, b), so value i (block i >> 10, position i & 1023) is a pure function of (seed, stream, i):
// any offset, any chunking, the same bits.
//
// Seeding a block: Philox4x32-10 (Salmon, Moraes, Dror & Shaw, SC'11), a keyed bijection of a 128-bit
// counter, with key (seed lo 32 bits, seed hi 32 bits) and counters (8 b + j (64 bits, words 0-1), s0, s1),
// j = 0..7. Each Philox block j gives two 64-bit words P(j, 0) = word0 | word1 << 32, P(j, 1) = word2 | word3
// << 32. src/random/random.ts: stream 0 is (0, 0) for normals; uniforms set the top bit of s1 (normals and uniforms
// of one seed never share a block); splits derive other (s0, s1).
//
// Inside a block: five SFC64 generators (Doty-Humphrey's Small Fast Chaotic generator, as in PractRand and
// numpy.random.SFC64): state (a, b, c, n), step t = a + b + n; n += 1; a = b ^ (b >> 11); b = c + (c << 3);
// c = rotl(c, 24) + t; output t. Main lane L = 0..3 starts at (P(L, 0), P(L, 1), P(4 + L, 0), 1); the
// reserve lane at (P(4, 1), P(5, 1), P(6, 1), 1). Position p of the block is output p >> 2 of main lane
// p & 3 (lanes 0, 1 and 2, 3 run as two i64x2 pairs). A uniformly random start state stays uniformly
// random under the bijective SFC step, so no warm-up is needed; 256 steps per lane are far below SFC64's
// minimum period (2^64, from the counter).
// Why not Philox for every word: Philox4x32-10 costs about 25 Wasm SIMD instructions per 64-bit word (the
// 32x32 -> 64 products have no single Wasm instruction), SFC64 about 5.5; Philox keeps what counter-based
// generation gives (random access, independent streams, splitting) at 1/128 of the words.
//
// Uniforms. Word w gives m = w >> 11 (53 bits) and U(m) = m 2^-53, except U(0) = 2^-54: U is in
// [2^-54, 1 - 2^-53], never 0 or 1, and exact (built from the bits, no rounding).
//
// Normals (ziggurat, Marsaglia & Tsang 2000, with 1024 layers; see the tables below). Normal p takes the word
// w of position p: layer i = w & 0x3ff, sign = bit 63, u = ((w >> 11) mod 2^52) 2^-52 (bits 11..62; the
// bit pattern (w >> 11) | 0x3ff0000000000000 is the double 1 + u exactly), x = u X_i (one rounded product).
// If u < K_i (the rectangle, 99.6% of normals) the result is +-x. Otherwise (zigSlow) the draw continues
// exactly as in Marsaglia-Tsang, every further word taken from the block's reserve lane in position order:
// wedge test F_i + U (F_{i-1} - F_i) < exp(-x^2 / 2) (done as log(.) < -x^2 / 2), else a new word; layer 0
// beyond r: Marsaglia's tail, x = -log(U1) / r, y = -log(U2) until 2 y > x^2, result +-(r + x).
// log is the fdlibm/musl kernel (branch-free form of musl log.c; error below 1 ulp) in plain f64x2
// arithmetic. Wasm's f64 add/sub/mul/div and int -> f64 conversions are IEEE-754 correctly rounded with no
// fused multiply-add, so the output bits are the same on every engine and platform (no host Math.log,
// which engines do not guarantee to agree on).

import { RANDOM_BLOCK } from "../../src/wasm/constants";

// @ts-ignore: decorator
@inline const M0: u32 = 0xd2511f53;
// @ts-ignore: decorator
@inline const M1: u32 = 0xcd9e8d57;
// @ts-ignore: decorator
@inline const W0: u32 = 0x9e3779b9;
// @ts-ignore: decorator
@inline const W1: u32 = 0xbb67ae85;

// Philox words of the current group of twelve blocks (SoA: word j of blocks b + 4 h .. b + 4 h + 3 at
// offset 64 h + 16 j).
const WORDS: usize = memory.data(192, 16);
// Main words of the current block (1024 x u64, position order).
const BUF: usize = memory.data(8192, 16);
// Values of a block that does not fit in the destination (head and tail of a fill).
const SPARE: usize = memory.data(8192, 16);
// Ziggurat layer table (X_i, K_i) interleaved, 1024 x 16 bytes, computed at start (see the tables below).
const ZT: usize = memory.data(16 * 1024, 16);
// Ziggurat f_i = exp(-X_i^2 / 2), 1024 x f64.
const ZF: usize = memory.data(8 * 1024, 16);

// Philox4x32-10 of the counters (b + 0..11, s0, s1) under key (k0, k1); the words go to WORDS. Three groups
// of four blocks are interleaved: each round is a chain of dependent multiplies, several chains fill the
// pipeline (measured in node 20 on x64: one chain 174 M uniforms/s, two 250, three 276).
// The 32x32 -> 64 products come from i64x2.extmul_low/high_i32x4_u; their low and high halves are picked
// by one shuffle each (no i32x4.mul, whose latency is long on x86).
// @ts-ignore: decorator
@inline function philoxGroup(blo: u32, bhi: u32, s0: u32, s1: u32, k0: u32, k1: u32): void {
  const lo4 = i32x4.splat(blo);
  let a0 = i32x4.add(lo4, i32x4(0, 1, 2, 3));
  let b0 = i32x4.add(lo4, i32x4(4, 5, 6, 7));
  // Carry into the high word where the low word wrapped.
  let a1 = i32x4.sub(i32x4.splat(bhi), i32x4.lt_u(a0, lo4));
  let b1 = i32x4.sub(i32x4.splat(bhi), i32x4.lt_u(b0, lo4));
  let a2 = i32x4.splat(s0);
  let a3 = i32x4.splat(s1);
  let b2 = a2;
  let b3 = a3;
  let c0 = i32x4.add(lo4, i32x4(8, 9, 10, 11));
  let c1 = i32x4.sub(i32x4.splat(bhi), i32x4.lt_u(c0, lo4));
  let c2 = a2;
  let c3 = a3;
  const m0 = i32x4.splat(M0);
  const m1 = i32x4.splat(M1);
  let ka = k0;
  let kb = k1;
  for (let r = 0; r < 10; r++) {
    const kav = i32x4.splat(ka);
    const kbv = i32x4.splat(kb);
    const pa0l = i64x2.extmul_low_i32x4_u(m0, a0);
    const pa0h = i64x2.extmul_high_i32x4_u(m0, a0);
    const pa2l = i64x2.extmul_low_i32x4_u(m1, a2);
    const pa2h = i64x2.extmul_high_i32x4_u(m1, a2);
    const pb0l = i64x2.extmul_low_i32x4_u(m0, b0);
    const pb0h = i64x2.extmul_high_i32x4_u(m0, b0);
    const pb2l = i64x2.extmul_low_i32x4_u(m1, b2);
    const pb2h = i64x2.extmul_high_i32x4_u(m1, b2);
    const na0 = v128.xor(v128.xor(v128.shuffle<i32>(pa2l, pa2h, 1, 3, 5, 7), a1), kav);
    const na2 = v128.xor(v128.xor(v128.shuffle<i32>(pa0l, pa0h, 1, 3, 5, 7), a3), kbv);
    const pc0l = i64x2.extmul_low_i32x4_u(m0, c0);
    const pc0h = i64x2.extmul_high_i32x4_u(m0, c0);
    const pc2l = i64x2.extmul_low_i32x4_u(m1, c2);
    const pc2h = i64x2.extmul_high_i32x4_u(m1, c2);
    const nc0 = v128.xor(v128.xor(v128.shuffle<i32>(pc2l, pc2h, 1, 3, 5, 7), c1), kav);
    const nc2 = v128.xor(v128.xor(v128.shuffle<i32>(pc0l, pc0h, 1, 3, 5, 7), c3), kbv);
    c1 = v128.shuffle<i32>(pc2l, pc2h, 0, 2, 4, 6);
    c3 = v128.shuffle<i32>(pc0l, pc0h, 0, 2, 4, 6);
    c0 = nc0;
    c2 = nc2;
    const nb0 = v128.xor(v128.xor(v128.shuffle<i32>(pb2l, pb2h, 1, 3, 5, 7), b1), kav);
    const nb2 = v128.xor(v128.xor(v128.shuffle<i32>(pb0l, pb0h, 1, 3, 5, 7), b3), kbv);
    a1 = v128.shuffle<i32>(pa2l, pa2h, 0, 2, 4, 6);
    a3 = v128.shuffle<i32>(pa0l, pa0h, 0, 2, 4, 6);
    b1 = v128.shuffle<i32>(pb2l, pb2h, 0, 2, 4, 6);
    b3 = v128.shuffle<i32>(pb0l, pb0h, 0, 2, 4, 6);
    a0 = na0;
    a2 = na2;
    b0 = nb0;
    b2 = nb2;
    ka += W0;
    kb += W1;
  }
  v128.store(WORDS, a0);
  v128.store(WORDS, a1, 16);
  v128.store(WORDS, a2, 32);
  v128.store(WORDS, a3, 48);
  v128.store(WORDS, b0, 64);
  v128.store(WORDS, b1, 80);
  v128.store(WORDS, b2, 96);
  v128.store(WORDS, b3, 112);
  v128.store(WORDS, c0, 128);
  v128.store(WORDS, c1, 144);
  v128.store(WORDS, c2, 160);
  v128.store(WORDS, c3, 176);
}

// U(m) for the two 64-bit words of w (see the header): exact m 2^-53, 2^-54 for m = 0.
// @ts-ignore: decorator
@inline function unit53(w: v128): v128 {
  // (m >> 1) 2^-52 from the exponent trick, plus the last bit of m times 2^-53 (exact: the sum has 53 bits).
  const half = f64x2.sub(v128.or(i64x2.shr_u(w, 12), i64x2.splat(0x3ff0000000000000)), f64x2.splat(1.0));
  const bit = i64x2.splat(0x800);
  const odd = v128.and(i64x2.eq(v128.and(w, bit), bit), f64x2.splat(1.1102230246251565e-16)); // 2^-53
  const u = f64x2.add(half, odd);
  // pmax (one maxpd): 2^-54 for u = 0, u otherwise (u >= 2^-53).
  return f64x2.pmax(u, f64x2.splat(5.551115123125783e-17)); // 2^-54
}

// Natural log of positive normal numbers (musl log.c, branch-free; error < 1 ulp).
// @ts-ignore: decorator
@inline function log2x(x: v128): v128 {
  // Reduce x to 2^k (1 + f), 1 + f in [sqrt(2)/2, sqrt(2)).
  const hx = i64x2.add(i64x2.shr_u(x, 32), i64x2.splat(0x3ff00000 - 0x3fe6a09e));
  const k = i64x2.sub(i64x2.shr_u(hx, 20), i64x2.splat(0x3ff));
  const top = i64x2.shl(i64x2.add(v128.and(hx, i64x2.splat(0x000fffff)), i64x2.splat(0x3fe6a09e)), 32);
  const m = v128.or(top, v128.and(x, i64x2.splat(0xffffffff)));
  const f = f64x2.sub(m, f64x2.splat(1.0));
  const hfsq = f64x2.mul(f64x2.mul(f64x2.splat(0.5), f), f);
  const s = f64x2.div(f, f64x2.add(f64x2.splat(2.0), f));
  const z = f64x2.mul(s, s);
  const w = f64x2.mul(z, z);
  const t1 = f64x2.mul(w, f64x2.add(f64x2.splat(3.999999999940941908e-01),
    f64x2.mul(w, f64x2.add(f64x2.splat(2.222219843214978396e-01), f64x2.mul(w, f64x2.splat(1.531383769920937332e-01))))));
  const t2 = f64x2.mul(z, f64x2.add(f64x2.splat(6.666666666666735130e-01),
    f64x2.mul(w, f64x2.add(f64x2.splat(2.857142874366239149e-01),
      f64x2.mul(w, f64x2.add(f64x2.splat(1.818357216161805012e-01), f64x2.mul(w, f64x2.splat(1.479819860511658591e-01))))))));
  const rr = f64x2.add(t2, t1);
  const dk = f64x2.convert_low_i32x4_s(v128.shuffle<i32>(k, k, 0, 2, 0, 2));
  // s (hfsq + R) + dk ln2_lo - hfsq + f + dk ln2_hi, left to right as in musl.
  let y = f64x2.mul(s, f64x2.add(hfsq, rr));
  y = f64x2.add(y, f64x2.mul(dk, f64x2.splat(1.90821492927058770002e-10)));
  y = f64x2.sub(y, hfsq);
  y = f64x2.add(y, f);
  return f64x2.add(y, f64x2.mul(dk, f64x2.splat(6.93147180369123816490e-01)));
}

// Ziggurat tables: 1024 layers of equal area v under f(x) = exp(-x^2 / 2), base strip and tail included
// (Marsaglia & Tsang 2000, their zigset recursion with n = 1024). r solves the closing condition
// v / x_1 + f(x_1) = 1 with v = r f(r) + sqrt(pi / 2) erfc(r / sqrt 2) (found to 50 digits with mpmath;
// residual of the f64 recursion below 1e-13). Layer i has extent X_i (X_0 = q = v / f(r), the base strip
// with the tail folded in; X_1023 = r; X_i = x_i above), rectangle bound K_i = floor(2^52 X_{i-1} / X_i) 2^-52
// (K_0 = floor(2^52 r / q) 2^-52, K_1 = 0: the top layer is all wedge) and F_i = f(X_i) (F_0 = 1).
// Computed once at start with the Wasm-compiled Math of AssemblyScript (no host Math): the same bits on
// every engine.
// @ts-ignore: decorator
@inline const ZIG_N: i32 = 1024;
// @ts-ignore: decorator
@inline const ZIG_R: f64 = 4.038849846109504;
// @ts-ignore: decorator
@inline const ZIG_V: f64 = 0.001226324646353088;
// @ts-ignore: decorator
@inline const TWO52: f64 = 4503599627370496.0;
{
  let x = ZIG_R;
  let above = x;
  const q = ZIG_V / Math.exp(-0.5 * x * x);
  store<f64>(ZT, q);
  store<f64>(ZT, Math.floor(TWO52 * (x / q)) / TWO52, 8);
  store<f64>(ZT + 16 * (ZIG_N - 1), x);
  store<f64>(ZF, 1.0);
  store<f64>(ZF + 8 * (ZIG_N - 1), Math.exp(-0.5 * x * x));
  for (let i = ZIG_N - 2; i >= 1; i--) {
    x = Math.sqrt(-2 * Math.log(ZIG_V / x + Math.exp(-0.5 * x * x)));
    store<f64>(ZT + 16 * (i + 1), Math.floor(TWO52 * (x / above)) / TWO52, 8);
    above = x;
    store<f64>(ZT + 16 * i, x);
    store<f64>(ZF + 8 * i, Math.exp(-0.5 * x * x));
  }
  store<f64>(ZT + 16, 0.0, 8);
}

// 64-bit word P(j, h) of Philox block j of the group in WORDS (see the header).
// @ts-ignore: decorator
@inline function pword(j: usize, h: usize): u64 {
  const at = WORDS + 64 * (j >> 2) + 32 * h + 4 * (j & 3);
  return <u64>load<u32>(at) | (<u64>load<u32>(at, 16) << 32);
}

// The reserve lane of the current block (scalar SFC64; rare path of the ziggurat only).
let ra: u64 = 0;
let rb: u64 = 0;
let rc: u64 = 0;
let rn: u64 = 0;

// @ts-ignore: decorator
@inline function reserveWord(): u64 {
  const t = ra + rb + rn;
  rn += 1;
  ra = rb ^ (rb >> 11);
  rb = rc + (rc << 3);
  rc = ((rc << 24) | (rc >> 40)) + t;
  return t;
}

// @ts-ignore: decorator
@inline function rotl24(x: v128): v128 {
  return v128.or(i64x2.shl(x, 24), i64x2.shr_u(x, 40));
}

// Block b of stream (s0, s1) under key (k0, k1): seed the lanes from Philox, run the four main lanes for 256
// steps (1024 words to BUF, position order) and leave the reserve lane's start state in (ra, rb, rc, rn).
// @ts-ignore: decorator
@inline function blockWords(b: u64, s0: u32, s1: u32, k0: u32, k1: u32): void {
  const c = b << 3;
  philoxGroup(<u32>c, <u32>(c >> 32), s0, s1, k0, k1);
  // Lanes (0, 1) and (2, 3) as i64x2 pairs.
  let a0 = i64x2(pword(0, 0), pword(1, 0));
  let b0 = i64x2(pword(0, 1), pword(1, 1));
  let c0 = i64x2(pword(4, 0), pword(5, 0));
  let a1 = i64x2(pword(2, 0), pword(3, 0));
  let b1 = i64x2(pword(2, 1), pword(3, 1));
  let c1 = i64x2(pword(6, 0), pword(7, 0));
  ra = pword(4, 1);
  rb = pword(5, 1);
  rc = pword(6, 1);
  rn = 1;
  let n = i64x2.splat(1);
  const one = i64x2.splat(1);
  for (let t: usize = 0; t < 256; t++) {
    const t0 = i64x2.add(i64x2.add(a0, b0), n);
    const t1 = i64x2.add(i64x2.add(a1, b1), n);
    n = i64x2.add(n, one);
    a0 = v128.xor(b0, i64x2.shr_u(b0, 11));
    a1 = v128.xor(b1, i64x2.shr_u(b1, 11));
    b0 = i64x2.add(c0, i64x2.shl(c0, 3));
    b1 = i64x2.add(c1, i64x2.shl(c1, 3));
    c0 = i64x2.add(rotl24(c0), t0);
    c1 = i64x2.add(rotl24(c1), t1);
    v128.store(BUF + (t << 5), t0);
    v128.store(BUF + (t << 5), t1, 16);
  }
}

// Uniform of a 64-bit word, as unit53: (w >> 11) 2^-53, 2^-54 for 0.
// @ts-ignore: decorator
@inline function unitScalar(w: u64): f64 {
  const m = w >> 11;
  return m ? <f64><i64>m * 1.1102230246251565e-16 : 5.551115123125783e-17;
}

// @ts-ignore: decorator
@inline function logScalar(x: f64): f64 {
  return f64x2.extract_lane(log2x(f64x2.splat(x)), 0);
}

// Rare path of a normal whose word w failed the rectangle test (see the header); words from the reserve.
function zigSlow(w: u64): f64 {
  while (true) {
    const i = <usize>(w & 0x3ff);
    const sign = w & 0x8000000000000000;
    const u = reinterpret<f64>((w >> 11) | 0x3ff0000000000000) - 1.0;
    const x = u * load<f64>(ZT + (i << 4));
    if (u < load<f64>(ZT + (i << 4), 8)) return reinterpret<f64>(reinterpret<u64>(x) ^ sign);
    if (i == 0) {
      // Tail beyond r (Marsaglia 1964).
      while (true) {
        const xx = -logScalar(unitScalar(reserveWord())) * (1.0 / ZIG_R); // 1/r
        const yy = -logScalar(unitScalar(reserveWord()));
        if (yy + yy > xx * xx) return reinterpret<f64>(reinterpret<u64>(ZIG_R + xx) ^ sign);
      }
    }
    // Wedge: accept if f_i + U (f_{i-1} - f_i) < exp(-x^2 / 2), tested as log(.) < -x^2 / 2.
    const fi = load<f64>(ZF + (i << 3));
    const y = (load<f64>(ZF + (i << 3) - 8) - fi) * unitScalar(reserveWord()) + fi;
    if (logScalar(y) < -0.5 * x * x) return reinterpret<f64>(reinterpret<u64>(x) ^ sign);
    w = reserveWord();
  }
  return 0;
}

// The 1024 normals of the block in BUF to dst, four per pass (two v128): the rectangle test in SIMD, the
// rest in zigSlow, in position order (the reserve lane's words are taken in that order).
// @ts-ignore: decorator
@inline function zigBlock(dst: usize): void {
  const one = i64x2.splat(0x3ff0000000000000);
  const signs = i64x2.splat(0x8000000000000000);
  for (let p: usize = 0; p < 1024; p += 4) {
    const w = v128.load(BUF + (p << 3));
    const w2 = v128.load(BUF + (p << 3), 16);
    const ia = (<usize>load<u16>(BUF + (p << 3)) & 1023) << 4;
    const ib = (<usize>load<u16>(BUF + (p << 3), 8) & 1023) << 4;
    const ic = (<usize>load<u16>(BUF + (p << 3), 16) & 1023) << 4;
    const id = (<usize>load<u16>(BUF + (p << 3), 24) & 1023) << 4;
    const X = v128.load64_lane(ZT + ib, v128.load64_zero(ZT + ia), 1);
    const K = v128.load64_lane(ZT + ib + 8, v128.load64_zero(ZT + ia + 8), 1);
    const X2 = v128.load64_lane(ZT + id, v128.load64_zero(ZT + ic), 1);
    const K2 = v128.load64_lane(ZT + id + 8, v128.load64_zero(ZT + ic + 8), 1);
    const u = f64x2.sub(v128.or(i64x2.shr_u(w, 11), one), f64x2.splat(1.0));
    const u2 = f64x2.sub(v128.or(i64x2.shr_u(w2, 11), one), f64x2.splat(1.0));
    v128.store(dst + (p << 3), v128.xor(f64x2.mul(u, X), v128.and(w, signs)));
    v128.store(dst + (p << 3), v128.xor(f64x2.mul(u2, X2), v128.and(w2, signs)), 16);
    const inside = i64x2.bitmask(f64x2.lt(u, K)) | (i64x2.bitmask(f64x2.lt(u2, K2)) << 2);
    if (inside != 15) {
      if (!(inside & 1)) store<f64>(dst + (p << 3), zigSlow(i64x2.extract_lane(w, 0)));
      if (!(inside & 2)) store<f64>(dst + (p << 3), zigSlow(i64x2.extract_lane(w, 1)), 8);
      if (!(inside & 4)) store<f64>(dst + (p << 3), zigSlow(i64x2.extract_lane(w2, 0)), 16);
      if (!(inside & 8)) store<f64>(dst + (p << 3), zigSlow(i64x2.extract_lane(w2, 1)), 24);
    }
  }
}

// The 1024 uniforms of the block in BUF to dst.
// @ts-ignore: decorator
@inline function uniformBlock(dst: usize): void {
  for (let p: usize = 0; p < 1024; p += 2) v128.store(dst + (p << 3), unit53(v128.load(BUF + (p << 3))));
}

// Shared driver: values offset .. offset + count - 1 of stream (s0, s1) under key seed to out. A block whose
// 1024 values do not all land inside out goes through SPARE and only its in-range values are copied.
// @ts-ignore: decorator
@inline function fill(uniform: bool, out: usize, count: i32, seed: f64, s0: u32, s1: u32, offset: f64): void {
  if (count <= 0) return;
  const key = <u64>seed;
  const k0 = <u32>key;
  const k1 = <u32>(key >> 32);
  const off = <u64>offset;
  let block = off >> 10;
  // Position (relative to out) of the first value of the current block.
  for (let p: i32 = -<i32>(off & 1023); p < count; p += RANDOM_BLOCK) {
    blockWords(block, s0, s1, k0, k1);
    const direct = p >= 0 && p + RANDOM_BLOCK <= count;
    const dst = direct ? out + ((<usize>p) << 3) : SPARE;
    if (uniform) uniformBlock(dst);
    else zigBlock(dst);
    if (!direct) {
      const from = max<i32>(0, -p);
      const to = min<i32>(RANDOM_BLOCK, count - p);
      memory.copy(out + (<usize>(p + from) << 3), SPARE + (<usize>from << 3), <usize>(to - from) << 3);
    }
    block += 1;
  }
}

/** Normals offset .. offset + count - 1 of stream (s0, s1) of `seed` (an integer < 2^53, as f64) to out. */
export function fillNormals(out: usize, count: i32, seed: f64, s0: u32, s1: u32, offset: f64): void {
  fill(false, out, count, seed, s0, s1, offset);
}

/** Uniforms in (0, 1) offset .. offset + count - 1 of stream (s0, s1) of `seed` to out. */
export function fillUniforms(out: usize, count: i32, seed: f64, s0: u32, s1: u32, offset: f64): void {
  fill(true, out, count, seed, s0, s1, offset);
}

/** The 1024 main SFC64 words of block b = blo + 2^32 bhi of stream (s0, s1) under key (k0, k1) (u64, position
 *  order), then the first 16 words of its reserve lane. For the reference tests. */
export function blockWordsOut(out: usize, blo: u32, bhi: u32, s0: u32, s1: u32, k0: u32, k1: u32): void {
  blockWords((<u64>bhi << 32) | <u64>blo, s0, s1, k0, k1);
  memory.copy(out, BUF, 8192);
  for (let j: usize = 0; j < 16; j++) store<u64>(out + 8192 + (j << 3), reserveWord());
}

/** Raw Philox4x32-10 blocks b .. b + 12 n - 1 (b = blo + 2^32 bhi) of counter words (s0, s1) under key
 *  (k0, k1): word j of block b + i at out[4 i + j] (u32). For the known-answer tests. */
export function philoxBlocks(out: usize, n: i32, blo: u32, bhi: u32, s0: u32, s1: u32, k0: u32, k1: u32): void {
  let b = (<u64>bhi << 32) | <u64>blo;
  for (let g: i32 = 0; g < n; g++) {
    philoxGroup(<u32>b, <u32>(b >> 32), s0, s1, k0, k1);
    for (let i = 0; i < 12; i++) {
      for (let j = 0; j < 4; j++) {
        store<u32>(out + (<usize>(48 * g + 4 * i + j) << 2), load<u32>(WORDS + (<usize>(16 * (i >> 2) + 4 * j + (i & 3)) << 2)));
      }
    }
    b += 12;
  }
}

/** The ziggurat tables as 3 x 1024 f64 at out: K_i 2^52 (integers), X_i, F_i. For tests. */
export function zigguratTables(out: usize): void {
  for (let i: usize = 0; i < <usize>ZIG_N; i++) {
    store<f64>(out + (i << 3), load<f64>(ZT + (i << 4), 8) * TWO52);
    store<f64>(out + ((<usize>ZIG_N + i) << 3), load<f64>(ZT + (i << 4)));
    store<f64>(out + ((2 * <usize>ZIG_N + i) << 3), load<f64>(ZF + (i << 3)));
  }
}
