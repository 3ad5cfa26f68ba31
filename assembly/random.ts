// Deterministic random numbers: Philox4x32-10 (Salmon, Moraes, Dror, Shaw, SC'11) and Box-Muller normals.
//
// Generator. Philox4x32-10 is a keyed bijection of a 128-bit counter: block = philox(key, counter), four
// 32-bit words. key = (seed low 32 bits, seed high 32 bits); counter = (b low, b high, s0, s1) where b is
// the block index inside a stream and (s0, s1) names the stream (src/random.ts: stream 0 is (0, 0) for
// normals; uniforms set the top bit of s1, so normals and uniforms of one seed never share blocks; splits
// derive other (s0, s1)). A value is a pure function of (seed, stream, index): no state, any offset.
//
// Vectorisation: twelve counters at once, as three interleaved groups of four, one v128 per Philox word
// (i32x4 lanes = blocks b..b+3). The 32x32 -> 64 products use i64x2.extmul_low/high_i32x4_u.
//
// Uniforms. A 64-bit word w = word0 | word1 << 32 gives m = w >> 11 (53 bits) and U(m) = m 2^-53, except
// U(0) = 2^-54: U is in [2^-54, 1 - 2^-53], never 0 or 1, and exact (built from the bits, no rounding).
// Block b gives uniform 2b from words (0, 1) and uniform 2b + 1 from words (2, 3).
//
// Normals (Box-Muller, no rejection, so normal i is a pure function of its index too). Block b gives
//   z_{2b} = r cos(theta), z_{2b+1} = r sin(theta),  r = sqrt(-2 log U(m1)),  theta = 2 pi (m2 2^-53 - 1/8)
// (m1 from words 0, 1; m2 from words 2, 3). The top two bits of m2 are the quadrant q, the other 51 bits
// give y in [-1/2, 1/2) exactly, and theta = (q + y) pi/2: sin and cos are only evaluated on
// |x| = |y pi/2| <= pi/4 (no argument reduction error), and the quadrant is a swap and sign flips.
// log, sin and cos are written here with the fdlibm/musl kernels (branch-free forms: musl log.c,
// __sin.c, __cos.c; errors below 1 ulp) in plain f64x2 arithmetic. Wasm's f64 add/sub/mul/div/sqrt are
// IEEE-754 correctly rounded with no fused multiply-add, so the output bits are the same on every engine
// and platform (no host Math.log, which engines do not guarantee to agree on).

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
// Output of a group that does not fit in the destination (head and tail of a fill).
const SPARE: usize = memory.data(192, 16);

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

// sin x for |x| <= pi/4 (musl __sin with no tail; error < 1 ulp).
// @ts-ignore: decorator
@inline function sinKernel(x: v128, z: v128): v128 {
  const w = f64x2.mul(z, z);
  const r = f64x2.add(
    f64x2.add(f64x2.splat(8.33333333332248946124e-03),
      f64x2.mul(z, f64x2.add(f64x2.splat(-1.98412698298579493134e-04), f64x2.mul(z, f64x2.splat(2.75573137070700676789e-06))))),
    f64x2.mul(f64x2.mul(z, w), f64x2.add(f64x2.splat(-2.50507602534068634195e-08), f64x2.mul(z, f64x2.splat(1.58969099521155010221e-10)))));
  const v = f64x2.mul(z, x);
  return f64x2.add(x, f64x2.mul(v, f64x2.add(f64x2.splat(-1.66666666666666324348e-01), f64x2.mul(z, r))));
}

// cos x for |x| <= pi/4 (musl __cos with no tail; error < 1 ulp).
// @ts-ignore: decorator
@inline function cosKernel(z: v128): v128 {
  const w = f64x2.mul(z, z);
  const r = f64x2.add(
    f64x2.mul(z, f64x2.add(f64x2.splat(4.16666666666666019037e-02),
      f64x2.mul(z, f64x2.add(f64x2.splat(-1.38888888888741095749e-03), f64x2.mul(z, f64x2.splat(2.48015872894767294178e-05)))))),
    f64x2.mul(f64x2.mul(w, w), f64x2.add(f64x2.splat(-2.75573143513906633035e-07),
      f64x2.mul(z, f64x2.add(f64x2.splat(2.08757232129817482790e-09), f64x2.mul(z, f64x2.splat(-1.13596475577881948265e-11)))))));
  const hz = f64x2.mul(f64x2.splat(0.5), z);
  const one = f64x2.splat(1.0);
  const w1 = f64x2.sub(one, hz);
  return f64x2.add(w1, f64x2.add(f64x2.sub(f64x2.sub(one, w1), hz), f64x2.mul(z, r)));
}

// Four normals of two blocks: a = (word0 | word1 << 32) and b = (word2 | word3 << 32) of blocks (j, j + 1).
// Stores z_{2j}, z_{2j+1}, z_{2j+2}, z_{2j+3} at dst.
// @ts-ignore: decorator
@inline function boxMuller(dst: usize, a: v128, b: v128): void {
  const r = f64x2.sqrt(f64x2.mul(f64x2.splat(-2.0), log2x(unit53(a))));
  // y = (bits 11..61 of b) 2^-51 - 1/2, exact; x = y pi/2.
  const y = f64x2.sub(v128.or(v128.and(i64x2.shr_u(b, 10), i64x2.splat(0x000ffffffffffffe)), i64x2.splat(0x3ff0000000000000)),
    f64x2.splat(1.5));
  const x = f64x2.mul(y, f64x2.splat(1.5707963267948966));
  const z = f64x2.mul(x, x);
  const s = sinKernel(x, z);
  const c = cosKernel(z);
  // Quadrant q = top two bits of b: swap when q is odd; cos negative for q = 1, 2; sin for q = 2, 3.
  const sign = i64x2.splat(0x8000000000000000);
  const hiw = i32x4.shr_s(i64x2.shl(b, 1), 31);
  const swap = v128.shuffle<i32>(hiw, hiw, 1, 1, 3, 3);
  const t = v128.and(v128.xor(c, s), swap); // c ^ t, s ^ t: swapped where swap is set
  const cq = v128.xor(v128.xor(c, t), v128.and(v128.xor(b, i64x2.shl(b, 1)), sign));
  const sq = v128.xor(v128.xor(s, t), v128.and(b, sign));
  const zc = f64x2.mul(r, cq);
  const zs = f64x2.mul(r, sq);
  v128.store(dst, v128.shuffle<i64>(zc, zs, 0, 2));
  v128.store(dst, v128.shuffle<i64>(zc, zs, 1, 3), 16);
}

// Eight normals of the four blocks whose words are at WORDS + w (see philoxGroup) to dst (unaligned allowed).
// @ts-ignore: decorator
@inline function normalQuad(dst: usize, w: usize): void {
  const x0 = v128.load(w);
  const x1 = v128.load(w, 16);
  const x2 = v128.load(w, 32);
  const x3 = v128.load(w, 48);
  boxMuller(dst, v128.shuffle<i32>(x0, x1, 0, 4, 1, 5), v128.shuffle<i32>(x2, x3, 0, 4, 1, 5));
  boxMuller(dst + 32, v128.shuffle<i32>(x0, x1, 2, 6, 3, 7), v128.shuffle<i32>(x2, x3, 2, 6, 3, 7));
}

// Eight uniforms of the four blocks whose words are at w to dst (unaligned allowed).
// @ts-ignore: decorator
@inline function uniformQuad(dst: usize, w: usize): void {
  const x0 = v128.load(w);
  const x1 = v128.load(w, 16);
  const x2 = v128.load(w, 32);
  const x3 = v128.load(w, 48);
  const a01 = unit53(v128.shuffle<i32>(x0, x1, 0, 4, 1, 5));
  const b01 = unit53(v128.shuffle<i32>(x2, x3, 0, 4, 1, 5));
  const a23 = unit53(v128.shuffle<i32>(x0, x1, 2, 6, 3, 7));
  const b23 = unit53(v128.shuffle<i32>(x2, x3, 2, 6, 3, 7));
  v128.store(dst, v128.shuffle<i64>(a01, b01, 0, 2));
  v128.store(dst, v128.shuffle<i64>(a01, b01, 1, 3), 16);
  v128.store(dst, v128.shuffle<i64>(a23, b23, 0, 2), 32);
  v128.store(dst, v128.shuffle<i64>(a23, b23, 1, 3), 48);
}

// 24 values of blocks b..b+11 to dst.
// @ts-ignore: decorator
@inline function group(uniform: bool, dst: usize, blo: u32, bhi: u32, s0: u32, s1: u32, k0: u32, k1: u32): void {
  philoxGroup(blo, bhi, s0, s1, k0, k1);
  if (uniform) {
    uniformQuad(dst, WORDS);
    uniformQuad(dst + 64, WORDS + 64);
    uniformQuad(dst + 128, WORDS + 128);
  } else {
    normalQuad(dst, WORDS);
    normalQuad(dst + 64, WORDS + 64);
    normalQuad(dst + 128, WORDS + 128);
  }
}

// Shared driver: values offset .. offset + count - 1 of stream (s0, s1) under key seed to out.
// Value i comes from block i >> 1; groups of twelve blocks start at block offset >> 1. A group whose 24
// values do not all land inside out goes through SPARE and only its in-range values are copied.
// @ts-ignore: decorator
@inline function fill(uniform: bool, out: usize, count: i32, seed: f64, s0: u32, s1: u32, offset: f64): void {
  if (count <= 0) return;
  const key = <u64>seed;
  const k0 = <u32>key;
  const k1 = <u32>(key >> 32);
  const off = <u64>offset;
  const skip = <i32>(off & 1);
  let block = off >> 1;
  // Value position (relative to out) of the first value of the current group.
  for (let p: i32 = -skip; p < count; p += 24) {
    const blo = <u32>block;
    const bhi = <u32>(block >> 32);
    if (p >= 0 && p + 24 <= count) {
      group(uniform, out + ((<usize>p) << 3), blo, bhi, s0, s1, k0, k1);
    } else {
      group(uniform, SPARE, blo, bhi, s0, s1, k0, k1);
      for (let j: i32 = 0; j < 24; j++) {
        const q = p + j;
        if (q >= 0 && q < count) store<f64>(out + ((<usize>q) << 3), load<f64>(SPARE + ((<usize>j) << 3)));
      }
    }
    block += 12;
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
