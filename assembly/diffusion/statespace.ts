// The Wasm interpreter of the state-space engine's tapes (src/diffusion/statespace/tape.ts states the format
// and the covariance rules; src/diffusion/statespace/reference.ts is the plain-TS interpreter of the same
// rules). Per mode, the registers are centred Gaussians and their covariance K (R x R, symmetric, only the
// upper triangle stored) follows the tape exactly:
//   LIN   r_dst <- sum_j c_j r_src_j:  t_m = sum_j c_j K[src_j, m];  K[dst, dst] = sum_j c_j t_src_j;  K[dst, m] = t_m
//   PREC  r_dst <- f_slot r_src:       K[dst, m] = f K[src, m] (m != dst);  K[dst, dst] = f^2 K[src, src]
//   NOISE r_dst += c xi:               K[dst, dst] += c^2
//   MARK  curve[mark] += w (sqrt K[reg, reg] - sqrt(scale l + shift))^2
// A tape without NOISE (a deterministic sampler) keeps every register a multiple c xi of the start's one
// Gaussian, so K = c c^T: it runs on the coefficients c instead (rankOneBlock; tape.ts states the rule).
// Modes are processed in blocks of STATESPACE_BLOCK, two per f64x2; the tape is executed op by op over the
// whole block (the dispatch is paid once per op and block). Every entry of K, every precision and every LIN
// temporary is a block of STATESPACE_BLOCK f64 (structure of arrays); the entries and the temporaries are
// reached through a table of addresses, so a LIN op stores its row t into the temporaries and then swaps
// them with row dst of K instead of copying. No allocation: the facade passes the scratch
// (statespaceScratchLength f64).
// Fast paths (each evaluates the same f64 operations in the same order on the same operands as the op-by-op
// rules above, so every result is bitwise the one of the plain op-by-op execution; Wasm has no fused
// multiply-add and does no reassociation):
//   - a slot used by one PREC only is not precomputed: its factor is evaluated inside that PREC's pass (the
//     same expression factorOf), saving a pass over the block and a store and load of the factor;
//   - a PREC followed by a NOISE on its dst adds the c^2 in the same pass: K[dst, dst] = f^2 K[src, src] + c^2
//     is the PREC's product then the NOISE's sum, as before, without storing and reloading K[dst, dst];
//   - one register (R = 1: K is K[0, 0] alone): four such PREC + NOISE pairs in a row (Euler-Maruyama's step)
//     go in one pass, K[0, 0] kept in a register between them.

import { OP_LIN, OP_MARK, OP_NOISE, OP_PREC, SLOT_STRIDE, STATESPACE_BLOCK as BLOCK } from "../../src/wasm/constants";
import { at, ati } from "../memory";

// Index of entry (a, b) of the upper triangle (row-major, a <= b; symmetric otherwise) of an R x R matrix.
// @ts-ignore: decorator
@inline function entry(a: i32, b: i32, R: i32): i32 {
  if (a > b) { const t = a; a = b; b = t; }
  return a * R - ((a * (a - 1)) >> 1) + (b - a);
}

// Address of the block of entry (a, b) of K; of the LIN temporary m (after the E entries).
// @ts-ignore: decorator
@inline function kAt(table: usize, a: i32, b: i32, R: i32): usize {
  return <usize>load<u32>(ati(table, entry(a, b, R)));
}

// @ts-ignore: decorator
@inline function code(base: usize, i: i32): i32 {
  return <i32>load<f64>(at(base, i));
}

// Block of the source of term i of a LIN op at `terms`: K[src_i, m] (m >= 0), or the temporary t_src_i (m < 0).
// @ts-ignore: decorator
@inline function termBlock(code_: usize, terms: i32, i: i32, table: usize, m: i32, R: i32, E: i32): usize {
  const src = code(code_, terms + 2 * i);
  return m >= 0 ? kAt(table, src, m, R) : <usize>load<u32>(ati(table, E + src));
}

// @ts-ignore: decorator
@inline function coef(code_: usize, terms: i32, i: i32): v128 {
  return f64x2.splat(load<f64>(at(code_, terms + 2 * i + 1)));
}

// f = (a lhat + b) / (p lhat + q) of a slot with splatted (a, b, p, q): the one expression every path uses.
// @ts-ignore: decorator
@inline function factorOf(a: v128, b: v128, p: v128, q: v128, lh: v128): v128 {
  return f64x2.div(f64x2.add(f64x2.mul(a, lh), b), f64x2.add(f64x2.mul(p, lh), q));
}

// Width of the op at pc in the code (tape.ts encoding).
// @ts-ignore: decorator
@inline function width(code_: usize, pc: i32): i32 {
  const op = code(code_, pc);
  return op == OP_LIN ? 3 + 2 * code(code_, pc + 2) : op == OP_PREC ? 4 : 3;
}

// Whether a PREC at pc uses a slot used by no other PREC (its factor is then evaluated in place).
// @ts-ignore: decorator
@inline function once(code_: usize, pc: i32, uses: usize): bool {
  return load<u32>(ati(uses, code(code_, pc + 3))) == 1;
}

// Whether the op at pc is a PREC on a once-used slot followed by a NOISE on its dst (pc + 7 <= codeLength).
// @ts-ignore: decorator
@inline function precNoise(code_: usize, pc: i32, codeLength: i32, uses: usize): bool {
  return pc + 7 <= codeLength && code(code_, pc) == OP_PREC && once(code_, pc, uses)
    && code(code_, pc + 4) == OP_NOISE && code(code_, pc + 5) == code(code_, pc + 1);
}

// K[dst, dst] = f^2 K[src, src] (+ c^2 when `noisy`: a fused NOISE) over a block; f evaluated from lhat when
// `inPlace` (and stored to `f` when `keep`, for the off-diagonal entries), else read from `f`.
// @ts-ignore: decorator
@inline function precDiag(
  d: usize, s: usize, f: usize, lhatB: usize, n: i32, a: v128, b: v128, p: v128, q: v128, c2: v128,
  inPlace: bool, keep: bool, noisy: bool,
): void {
  for (let j: i32 = 0; j < n; j += 2) {
    let fj: v128;
    if (inPlace) {
      fj = factorOf(a, b, p, q, v128.load(at(lhatB, j)));
      if (keep) v128.store(at(f, j), fj);
    } else {
      fj = v128.load(at(f, j));
    }
    const x = f64x2.mul(f64x2.mul(fj, fj), v128.load(at(s, j)));
    v128.store(at(d, j), noisy ? f64x2.add(x, c2) : x);
  }
}

// dst = sum_{i < nt} c_i src_i over a block, terms summed in order (the first four in one pass, any further
// ones added one pass each): the sums of a LIN op, t_m (m >= 0) or K[dst, dst] (m < 0), or with E = 0 and
// m < 0 a register of the rank-one path (its block at table[src]). The terms are summed left to right.
function combine(dst: usize, code_: usize, terms: i32, nt: i32, table: usize, m: i32, R: i32, E: i32, n: i32): void {
  const zero = f64x2.splat(0.0);
  if (nt == 0) {
    for (let j: i32 = 0; j < n; j += 2) v128.store(at(dst, j), zero);
    return;
  }
  const c0 = coef(code_, terms, 0);
  const p0 = termBlock(code_, terms, 0, table, m, R, E);
  if (nt == 1) {
    for (let j: i32 = 0; j < n; j += 2) v128.store(at(dst, j), f64x2.mul(c0, v128.load(at(p0, j))));
    return;
  }
  const c1 = coef(code_, terms, 1);
  const p1 = termBlock(code_, terms, 1, table, m, R, E);
  if (nt == 2) {
    for (let j: i32 = 0; j < n; j += 2) {
      v128.store(at(dst, j), f64x2.add(f64x2.mul(c0, v128.load(at(p0, j))), f64x2.mul(c1, v128.load(at(p1, j)))));
    }
    return;
  }
  const c2 = coef(code_, terms, 2);
  const p2 = termBlock(code_, terms, 2, table, m, R, E);
  if (nt == 3) {
    for (let j: i32 = 0; j < n; j += 2) {
      const s = f64x2.add(f64x2.mul(c0, v128.load(at(p0, j))), f64x2.mul(c1, v128.load(at(p1, j))));
      v128.store(at(dst, j), f64x2.add(s, f64x2.mul(c2, v128.load(at(p2, j)))));
    }
    return;
  }
  const c3 = coef(code_, terms, 3);
  const p3 = termBlock(code_, terms, 3, table, m, R, E);
  for (let j: i32 = 0; j < n; j += 2) {
    const s = f64x2.add(f64x2.mul(c0, v128.load(at(p0, j))), f64x2.mul(c1, v128.load(at(p1, j))));
    const s3 = f64x2.add(s, f64x2.mul(c2, v128.load(at(p2, j))));
    v128.store(at(dst, j), f64x2.add(s3, f64x2.mul(c3, v128.load(at(p3, j)))));
  }
  for (let i: i32 = 4; i < nt; i++) {
    const c = coef(code_, terms, i);
    const p = termBlock(code_, terms, i, table, m, R, E);
    for (let j: i32 = 0; j < n; j += 2) v128.store(at(dst, j), f64x2.add(v128.load(at(dst, j)), f64x2.mul(c, v128.load(at(p, j)))));
  }
}

// The start over a block: Var x = startScale l + startShift into dst (K[0, 0]), or its square root (c_0,
// the rank-one path) when `root`.
// @ts-ignore: decorator
@inline function startInto(dst: usize, lamB: usize, startScale: f64, startShift: f64, n: i32, root: bool): void {
  const scale0 = f64x2.splat(startScale);
  const shift0 = f64x2.splat(startShift);
  for (let j: i32 = 0; j < n; j += 2) {
    const v = f64x2.add(f64x2.mul(scale0, v128.load(at(lamB, j))), shift0);
    v128.store(at(dst, j), root ? f64x2.sqrt(v) : v);
  }
}

// W2^2 term of a mark over a block: sum_j w_j (sqrt a_j - sqrt t_j)^2 with a_j = K[reg, reg] read from `kr`
// (squared first when `square`: the rank-one path holds r = c xi, K = c^2), t_j = scale l_j + shift.
// @ts-ignore: decorator
@inline function markSum(kr: usize, square: bool, lamB: usize, wB: usize, scale: v128, shift: v128, n: i32): f64 {
  const zero = f64x2.splat(0.0);
  let acc = zero;
  for (let j: i32 = 0; j < n; j += 2) {
    // (sqrt a - sqrt b)^2 as ((a - b) / (sqrt a + sqrt b))^2: no cancellation when a ~ b; 0 when both
    // are 0; sqrt a - sqrt b when a is infinite (Inf / Inf). a >= 0 up to rounding: clamped at 0.
    const k = v128.load(at(kr, j));
    const a = square ? f64x2.mul(k, k) : f64x2.max(k, zero);
    const t = f64x2.add(f64x2.mul(scale, v128.load(at(lamB, j))), shift);
    const sa = f64x2.sqrt(a);
    const st = f64x2.sqrt(t);
    const den = f64x2.add(sa, st);
    let d = f64x2.div(f64x2.sub(a, t), den);
    d = v128.bitselect(f64x2.sub(sa, st), d, f64x2.ne(d, d));
    d = v128.andnot(d, f64x2.eq(den, zero));
    acc = f64x2.add(acc, f64x2.mul(v128.load(at(wB, j)), f64x2.mul(d, d)));
  }
  return f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
}

// A tape without NOISE on one block of modes (the rank-one path). The start is one Gaussian per mode,
// x = sqrt(startScale l + startShift) xi, and LIN and PREC are linear, so every register stays a multiple
// r = c xi of that one xi and K = c c^T: the interpreter carries c (R blocks, plus a spare for LIN) instead
// of K's R (R + 1) / 2 entries; LIN is then one sum of nt terms, PREC one product, and K[reg, reg] = c_reg^2.
// The same rule in the same order as the plain-TS interpreter's (src/diffusion/statespace/reference.ts).
function rankOneBlock(
  n: i32, lamB: usize, lhatB: usize, wB: usize, R: i32, code_: usize, codeLength: i32, slots: usize,
  prec: usize, uses: usize, startScale: f64, startShift: f64, marks: usize, curve: usize, kBase: usize,
  table: usize, o: usize,
): void {
  const zero = f64x2.splat(0.0);
  for (let r: i32 = 0; r <= R; r++) {
    const blk = at(kBase, r * BLOCK);
    store<u32>(ati(table, r), <u32>blk);
    if (r > 0) for (let j: i32 = 0; j < n; j += 2) v128.store(at(blk, j), zero);
  }
  startInto(<usize>load<u32>(ati(table, 0)), lamB, startScale, startShift, n, true);
  let pc: i32 = 0;
  while (pc < codeLength) {
    const op = code(code_, pc);
    if (op == OP_LIN) {
      // c_dst = sum_j c_j c_src_j into the spare block, then the spare becomes dst's block
      const dst = code(code_, pc + 1);
      const nt = code(code_, pc + 2);
      const spare = ati(table, R);
      // combine's temporaries mode (m < 0) with E = 0 reads register src's block at table[src]
      combine(<usize>load<u32>(spare), code_, pc + 3, nt, table, -1, R, 0, n);
      const de = ati(table, dst);
      const blk = load<u32>(de);
      store<u32>(de, load<u32>(spare));
      store<u32>(spare, blk);
      pc += 3 + 2 * nt;
    } else if (op == OP_PREC) {
      // c_dst = f c_src
      const d = <usize>load<u32>(ati(table, code(code_, pc + 1)));
      const sr = <usize>load<u32>(ati(table, code(code_, pc + 2)));
      const slot = code(code_, pc + 3);
      if (once(code_, pc, uses)) {
        const sl = at(slots, SLOT_STRIDE * slot);
        const a = f64x2.splat(load<f64>(sl));
        const bb = f64x2.splat(load<f64>(sl, 8));
        const p = f64x2.splat(load<f64>(sl, 16));
        const q = f64x2.splat(load<f64>(sl, 24));
        for (let j: i32 = 0; j < n; j += 2) {
          v128.store(at(d, j), f64x2.mul(factorOf(a, bb, p, q, v128.load(at(lhatB, j))), v128.load(at(sr, j))));
        }
      } else {
        const f = at(prec, slot * BLOCK);
        for (let j: i32 = 0; j < n; j += 2) v128.store(at(d, j), f64x2.mul(v128.load(at(f, j)), v128.load(at(sr, j))));
      }
      pc += 4;
    } else if (op == OP_MARK) {
      const kr = <usize>load<u32>(ati(table, code(code_, pc + 1)));
      const mark = code(code_, pc + 2);
      const scale = f64x2.splat(load<f64>(at(marks, 2 * mark)));
      const shift = f64x2.splat(load<f64>(at(marks, 2 * mark + 1)));
      const c = at(curve, mark);
      store<f64>(c, load<f64>(c) + markSum(kr, true, lamB, wB, scale, shift, n));
      pc += 3;
    } else {
      unreachable(); // OP_NOISE never reaches here; the facade checks the tape
    }
  }
  // Output: K[0, 0] = c_0^2.
  const cf = <usize>load<u32>(ati(table, 0));
  for (let j: i32 = 0; j < n; j += 2) {
    const c = v128.load(at(cf, j));
    v128.store(at(o, j), f64x2.mul(c, c));
  }
}

/**
 * Run a tape on `nModes` modes (even count; the facade pads with l = lhat = 1, w = 0): data eigenvalues
 * `lam` (start and marks), model eigenvalues `lhat` (precisions), weights `w`. `code` holds `codeLength` f64
 * (tape.ts encoding) over `nRegisters` registers; `slots` the (a, b, p, q) of `nSlots` factors; `marks`
 * the (scale, shift) of each OP_MARK's target variance. Writes the final K[0, 0] of each mode to `out` and
 * adds each mark's sum over modes to `curve[mark]` (the facade zeroes it).
 */
export function statespaceRun(
  nModes: i32, lam: usize, lhat: usize, w: usize, nRegisters: i32, code_: usize, codeLength: i32,
  slots: usize, nSlots: i32, startScale: f64, startShift: f64, marks: usize, out: usize, curve: usize,
  scratch: usize,
): void {
  const R = nRegisters;
  const E = (R * (R + 1)) >> 1;
  // Scratch: precisions (nSlots blocks), K (E blocks), temporaries (R blocks), the address table (E + R),
  // the number of PRECs using each slot (nSlots).
  const prec = scratch;
  const kBase = at(prec, nSlots * BLOCK);
  const table = at(kBase, (E + R) * BLOCK);
  const uses = at(table, E + R);
  const zero = f64x2.splat(0.0);
  for (let s: i32 = 0; s < nSlots; s++) store<u32>(ati(uses, s), 0);
  let rankOne = true; // no NOISE op: every register is a multiple of the start's one Gaussian
  for (let pc: i32 = 0; pc < codeLength; pc += width(code_, pc)) {
    const op = code(code_, pc);
    if (op == OP_PREC) {
      const u = ati(uses, code(code_, pc + 3));
      store<u32>(u, load<u32>(u) + 1);
    } else if (op == OP_NOISE) {
      rankOne = false;
    }
  }

  for (let b: i32 = 0; b < nModes; b += BLOCK) {
    const n: i32 = min(BLOCK, nModes - b);
    const lamB = at(lam, b);
    const lhatB = at(lhat, b);
    const wB = at(w, b);

    // f_s = (a_s lhat + b_s) / (p_s lhat + q_s): the only per-mode quantities of the tape (one division per
    // slot), precomputed for the slots used more than once (the others are evaluated by their PREC).
    for (let s: i32 = 0; s < nSlots; s++) {
      if (load<u32>(ati(uses, s)) < 2) continue;
      const a = f64x2.splat(load<f64>(at(slots, SLOT_STRIDE * s)));
      const bb = f64x2.splat(load<f64>(at(slots, SLOT_STRIDE * s + 1)));
      const p = f64x2.splat(load<f64>(at(slots, SLOT_STRIDE * s + 2)));
      const q = f64x2.splat(load<f64>(at(slots, SLOT_STRIDE * s + 3)));
      const dst = at(prec, s * BLOCK);
      for (let j: i32 = 0; j < n; j += 2) {
        const lh = v128.load(at(lhatB, j));
        v128.store(at(dst, j), factorOf(a, bb, p, q, lh));
      }
    }

    if (rankOne) {
      rankOneBlock(n, lamB, lhatB, wB, R, code_, codeLength, slots, prec, uses, startScale, startShift, marks, curve, kBase, table, at(out, b));
      continue;
    }

    // K = 0 except K[0, 0] = startScale l + startShift; the address table in its initial order.
    for (let e: i32 = 0; e < E + R; e++) {
      const blk = at(kBase, e * BLOCK); // the temporaries follow the entries
      store<u32>(ati(table, e), <u32>blk);
      if (e < E) for (let j: i32 = 0; j < n; j += 2) v128.store(at(blk, j), zero);
    }
    startInto(kAt(table, 0, 0, R), lamB, startScale, startShift, n, false);

    let pc: i32 = 0;
    while (pc < codeLength) {
      const op = code(code_, pc);
      if (op == OP_LIN) {
        const dst = code(code_, pc + 1);
        const nt = code(code_, pc + 2);
        const terms = pc + 3;
        // t_m = sum_j c_j K[src_j, m], into temporary m.
        for (let m: i32 = 0; m < R; m++) combine(<usize>load<u32>(ati(table, E + m)), code_, terms, nt, table, m, R, E, n);
        // K[dst, dst] = sum_j c_j t_src_j (the old K[dst, dst] is no longer needed: overwrite it).
        combine(kAt(table, dst, dst, R), code_, terms, nt, table, -1, R, E, n);
        // K[dst, m] = t_m (m != dst): swap the blocks.
        for (let m: i32 = 0; m < R; m++) {
          if (m == dst) continue;
          const ke = ati(table, entry(dst, m, R));
          const te = ati(table, E + m);
          const blk = load<u32>(ke);
          store<u32>(ke, load<u32>(te));
          store<u32>(te, blk);
        }
        pc += 3 + 2 * nt;
      } else if (op == OP_PREC && R == 1 && precNoise(code_, pc, codeLength, uses) && precNoise(code_, pc + 7, codeLength, uses)
        && precNoise(code_, pc + 14, codeLength, uses) && precNoise(code_, pc + 21, codeLength, uses)) {
        // One register, four PREC + NOISE pairs on once-used slots: per mode, x <- f_i^2 x + c_i^2 (i = 1..4)
        // in one pass, the ops of precDiag in the same order.
        const k00 = kAt(table, 0, 0, R);
        const s1 = at(slots, SLOT_STRIDE * code(code_, pc + 3));
        const s2 = at(slots, SLOT_STRIDE * code(code_, pc + 10));
        const s3 = at(slots, SLOT_STRIDE * code(code_, pc + 17));
        const s4 = at(slots, SLOT_STRIDE * code(code_, pc + 24));
        const a1 = f64x2.splat(load<f64>(s1)); const b1 = f64x2.splat(load<f64>(s1, 8));
        const p1 = f64x2.splat(load<f64>(s1, 16)); const q1 = f64x2.splat(load<f64>(s1, 24));
        const a2 = f64x2.splat(load<f64>(s2)); const b2 = f64x2.splat(load<f64>(s2, 8));
        const p2 = f64x2.splat(load<f64>(s2, 16)); const q2 = f64x2.splat(load<f64>(s2, 24));
        const a3 = f64x2.splat(load<f64>(s3)); const b3 = f64x2.splat(load<f64>(s3, 8));
        const p3 = f64x2.splat(load<f64>(s3, 16)); const q3 = f64x2.splat(load<f64>(s3, 24));
        const a4 = f64x2.splat(load<f64>(s4)); const b4 = f64x2.splat(load<f64>(s4, 8));
        const p4 = f64x2.splat(load<f64>(s4, 16)); const q4 = f64x2.splat(load<f64>(s4, 24));
        const n1 = load<f64>(at(code_, pc + 6)); const n2 = load<f64>(at(code_, pc + 13));
        const n3 = load<f64>(at(code_, pc + 20)); const n4 = load<f64>(at(code_, pc + 27));
        const c1 = f64x2.splat(n1 * n1); const c2 = f64x2.splat(n2 * n2);
        const c3 = f64x2.splat(n3 * n3); const c4 = f64x2.splat(n4 * n4);
        for (let j: i32 = 0; j < n; j += 2) {
          const lh = v128.load(at(lhatB, j));
          const f1 = factorOf(a1, b1, p1, q1, lh);
          const f2 = factorOf(a2, b2, p2, q2, lh);
          const f3 = factorOf(a3, b3, p3, q3, lh);
          const f4 = factorOf(a4, b4, p4, q4, lh);
          let x = v128.load(at(k00, j));
          x = f64x2.add(f64x2.mul(f64x2.mul(f1, f1), x), c1);
          x = f64x2.add(f64x2.mul(f64x2.mul(f2, f2), x), c2);
          x = f64x2.add(f64x2.mul(f64x2.mul(f3, f3), x), c3);
          x = f64x2.add(f64x2.mul(f64x2.mul(f4, f4), x), c4);
          v128.store(at(k00, j), x);
        }
        pc += 28;
      } else if (op == OP_PREC) {
        const dst = code(code_, pc + 1);
        const src = code(code_, pc + 2);
        const slot = code(code_, pc + 3);
        const f = at(prec, slot * BLOCK);
        // K[dst, dst] = f^2 K[src, src], first: it reads K[src, src] and writes K[dst, dst], neither of which is
        // an off-diagonal entry K[dst, m] (m != dst) written below, nor (for src != dst) read below. A once-used
        // slot's factor is evaluated here (and kept in its block for the off-diagonal entries when R > 1); a
        // NOISE on dst right after is added here (its c^2 to the product, as the NOISE op would).
        const d = kAt(table, dst, dst, R);
        const s = kAt(table, src, src, R);
        const sl = at(slots, SLOT_STRIDE * slot);
        const a = f64x2.splat(load<f64>(sl));
        const bb = f64x2.splat(load<f64>(sl, 8));
        const p = f64x2.splat(load<f64>(sl, 16));
        const q = f64x2.splat(load<f64>(sl, 24));
        const inPlace = once(code_, pc, uses);
        const noisy = pc + 7 <= codeLength && code(code_, pc + 4) == OP_NOISE && code(code_, pc + 5) == dst;
        const cn = noisy ? load<f64>(at(code_, pc + 6)) : 0.0;
        const c2 = f64x2.splat(cn * cn);
        if (inPlace) {
          if (R > 1) {
            if (noisy) precDiag(d, s, f, lhatB, n, a, bb, p, q, c2, true, true, true);
            else precDiag(d, s, f, lhatB, n, a, bb, p, q, c2, true, true, false);
          } else {
            if (noisy) precDiag(d, s, f, lhatB, n, a, bb, p, q, c2, true, false, true);
            else precDiag(d, s, f, lhatB, n, a, bb, p, q, c2, true, false, false);
          }
        } else {
          if (noisy) precDiag(d, s, f, lhatB, n, a, bb, p, q, c2, false, false, true);
          else precDiag(d, s, f, lhatB, n, a, bb, p, q, c2, false, false, false);
        }
        // K[dst, m] = f K[src, m] for m != dst: these entries all involve dst and the ones read do not
        // (src != dst), or the update is in place (src == dst), so the old values are read before written.
        for (let m: i32 = 0; m < R; m++) {
          if (m == dst) continue;
          const dm = kAt(table, dst, m, R);
          const sm = kAt(table, src, m, R);
          for (let j: i32 = 0; j < n; j += 2) v128.store(at(dm, j), f64x2.mul(v128.load(at(f, j)), v128.load(at(sm, j))));
        }
        pc += noisy ? 7 : 4;
      } else if (op == OP_NOISE) {
        const d = kAt(table, code(code_, pc + 1), code(code_, pc + 1), R);
        const c = load<f64>(at(code_, pc + 2));
        const c2 = f64x2.splat(c * c);
        for (let j: i32 = 0; j < n; j += 2) v128.store(at(d, j), f64x2.add(v128.load(at(d, j)), c2));
        pc += 3;
      } else if (op == OP_MARK) {
        const reg = code(code_, pc + 1);
        const mark = code(code_, pc + 2);
        const kr = kAt(table, reg, reg, R);
        const scale = f64x2.splat(load<f64>(at(marks, 2 * mark)));
        const shift = f64x2.splat(load<f64>(at(marks, 2 * mark + 1)));
        const c = at(curve, mark);
        store<f64>(c, load<f64>(c) + markSum(kr, false, lamB, wB, scale, shift, n));
        pc += 3;
      } else {
        unreachable(); // the facade checks the tape
      }
    }

    // Output: the final K[0, 0] of each mode.
    const kf = kAt(table, 0, 0, R);
    const o = at(out, b);
    for (let j: i32 = 0; j < n; j += 2) v128.store(at(o, j), v128.load(at(kf, j)));
  }
}
