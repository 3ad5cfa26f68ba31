// The Wasm interpreter of the state-space engine's tapes (src/diffusion/statespace/tape.ts states the format
// and the covariance rules; src/diffusion/statespace/reference.ts is the plain-TS interpreter of the same
// rules). Per mode, the registers are centred Gaussians and their covariance K (R x R, symmetric, only the
// upper triangle stored) follows the tape exactly:
//   LIN   r_dst <- sum_j c_j r_src_j:  t_m = sum_j c_j K[src_j, m];  K[dst, dst] = sum_j c_j t_src_j;  K[dst, m] = t_m
//   PREC  r_dst <- f_slot r_src:       K[dst, m] = f K[src, m] (m != dst);  K[dst, dst] = f^2 K[src, src]
//   NOISE r_dst += c xi:               K[dst, dst] += c^2
//   MARK  curve[mark] += w (sqrt K[reg, reg] - sqrt(scale l + shift))^2
// Modes are processed in blocks of STATESPACE_BLOCK, two per f64x2; the tape is executed op by op over the
// whole block (the dispatch is paid once per op and block). Every entry of K, every precision and every LIN
// temporary is a block of STATESPACE_BLOCK f64 (structure of arrays); the entries and the temporaries are
// reached through a table of addresses, so a LIN op stores its row t into the temporaries and then swaps
// them with row dst of K instead of copying. No allocation: the facade passes the scratch
// (statespaceScratchLength f64).

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

// dst = sum_{i < nt} c_i src_i over a block, terms summed in order (the first four in one pass, any further
// ones added one pass each): the sums of a LIN op, t_m (m >= 0) or K[dst, dst] (m < 0).
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
  // Scratch: precisions (nSlots blocks), K (E blocks), temporaries (R blocks), the address table (E + R).
  const prec = scratch;
  const kBase = at(prec, nSlots * BLOCK);
  const table = at(kBase, (E + R) * BLOCK);
  const zero = f64x2.splat(0.0);

  for (let b: i32 = 0; b < nModes; b += BLOCK) {
    const n: i32 = min(BLOCK, nModes - b);
    const lamB = at(lam, b);
    const lhatB = at(lhat, b);
    const wB = at(w, b);

    // f_s = (a_s lhat + b_s) / (p_s lhat + q_s): the only per-mode quantities of the tape (one division per slot).
    for (let s: i32 = 0; s < nSlots; s++) {
      const a = f64x2.splat(load<f64>(at(slots, SLOT_STRIDE * s)));
      const bb = f64x2.splat(load<f64>(at(slots, SLOT_STRIDE * s + 1)));
      const p = f64x2.splat(load<f64>(at(slots, SLOT_STRIDE * s + 2)));
      const q = f64x2.splat(load<f64>(at(slots, SLOT_STRIDE * s + 3)));
      const dst = at(prec, s * BLOCK);
      for (let j: i32 = 0; j < n; j += 2) {
        const lh = v128.load(at(lhatB, j));
        v128.store(at(dst, j), f64x2.div(f64x2.add(f64x2.mul(a, lh), bb), f64x2.add(f64x2.mul(p, lh), q)));
      }
    }

    // K = 0 except K[0, 0] = startScale l + startShift; the address table in its initial order.
    for (let e: i32 = 0; e < E + R; e++) {
      const blk = at(kBase, e * BLOCK); // the temporaries follow the entries
      store<u32>(ati(table, e), <u32>blk);
      if (e < E) for (let j: i32 = 0; j < n; j += 2) v128.store(at(blk, j), zero);
    }
    const scale0 = f64x2.splat(startScale);
    const shift0 = f64x2.splat(startShift);
    const k00 = kAt(table, 0, 0, R);
    for (let j: i32 = 0; j < n; j += 2) {
      v128.store(at(k00, j), f64x2.add(f64x2.mul(scale0, v128.load(at(lamB, j))), shift0));
    }

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
      } else if (op == OP_PREC) {
        const dst = code(code_, pc + 1);
        const src = code(code_, pc + 2);
        const f = at(prec, code(code_, pc + 3) * BLOCK);
        // K[dst, m] = f K[src, m] for m != dst: these entries all involve dst and the ones read do not
        // (src != dst), or the update is in place (src == dst), so the old values are read before written.
        for (let m: i32 = 0; m < R; m++) {
          if (m == dst) continue;
          const d = kAt(table, dst, m, R);
          const s = kAt(table, src, m, R);
          for (let j: i32 = 0; j < n; j += 2) v128.store(at(d, j), f64x2.mul(v128.load(at(f, j)), v128.load(at(s, j))));
        }
        // K[dst, dst] = f^2 K[src, src].
        const d = kAt(table, dst, dst, R);
        const s = kAt(table, src, src, R);
        for (let j: i32 = 0; j < n; j += 2) {
          const fj = v128.load(at(f, j));
          v128.store(at(d, j), f64x2.mul(f64x2.mul(fj, fj), v128.load(at(s, j))));
        }
        pc += 4;
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
        let acc = zero;
        for (let j: i32 = 0; j < n; j += 2) {
          // (sqrt a - sqrt b)^2 as ((a - b) / (sqrt a + sqrt b))^2: no cancellation when a ~ b; 0 when both
          // are 0; sqrt a - sqrt b when a is infinite (Inf / Inf). a >= 0 up to rounding: clamped at 0.
          const a = f64x2.max(v128.load(at(kr, j)), zero);
          const t = f64x2.add(f64x2.mul(scale, v128.load(at(lamB, j))), shift);
          const sa = f64x2.sqrt(a);
          const st = f64x2.sqrt(t);
          const den = f64x2.add(sa, st);
          let d = f64x2.div(f64x2.sub(a, t), den);
          d = v128.bitselect(f64x2.sub(sa, st), d, f64x2.ne(d, d));
          d = v128.andnot(d, f64x2.eq(den, zero));
          acc = f64x2.add(acc, f64x2.mul(v128.load(at(wB, j)), f64x2.mul(d, d)));
        }
        const c = at(curve, mark);
        store<f64>(c, load<f64>(c) + (f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1)));
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
