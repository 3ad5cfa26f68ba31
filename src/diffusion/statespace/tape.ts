/**
 * The linear-Gaussian state-space engine's program format (issue 9; docs/math.md §2, "Linear samplers in
 * general"). For Gaussian data and a linear denoiser, every sampler is, per mode, a linear recursion on a
 * few registers (the sample, previous denoiser outputs, stage temporaries) with fresh Gaussian noise. All
 * registers are centred Gaussians, so a mode is described exactly by the covariance K (R x R, symmetric)
 * of its registers. A sampler run is a TAPE: a list of operations with scalar coefficients (the same for
 * every mode), and the only per-mode quantities are the FACTORS (a_i lhat + b_i) / (p_i lhat + q_i) at a
 * few SLOTS i (lhat = the model's eigenvalue of the mode: the data's for the exact denoiser, another for a
 * learned one). A slot gives a denoiser's or a score's gain directly, so that no sampler forms it as a
 * difference (1 - sigma^2 / (lhat + sigma^2) loses every digit when lhat << sigma^2):
 *
 *   EDM frame (x = x0 + sigma z):  D(x, sigma) = lhat / (lhat + sigma^2) x        (slot 1, 0, 1, sigma^2)
 *                                  (x - D) / sigma = sigma / (lhat + sigma^2) x   (slot 0, sigma, 1, sigma^2)
 *   VP frame (Pierret & Galerne):   score(x, t) = -x / (e lhat + (1 - e)), e = e^{-2B(t)}
 *                                                                      (slot 0, 1, e, 1 - e; sign in a LIN)
 *
 * Operations (dst, src are register indices < R; coefficients are f64):
 *   OP_LIN   dst, n, (src_1, c_1) .. (src_n, c_n):   r_dst <- sum_j c_j r_src_j   (dst may be a src)
 *   OP_PREC  dst, src, slot:                         r_dst <- f_slot r_src        (per-mode factor)
 *   OP_NOISE dst, c:                                 r_dst <- r_dst + c xi,  xi ~ N(0, 1) fresh
 *   OP_MARK  reg, mark:                              curve point: W2^2 between N(0, K[reg, reg]) and the exact
 *                                                    marginal N(0, scale_mark l + shift_mark) (see `marks`),
 *                                                    summed over modes with their multiplicities
 * Covariance updates (K = E r r^T, all from the old K):
 *   LIN:   t_m = sum_j c_j K[src_j, m] for every m;  K[dst, dst] = sum_j c_j t_{src_j};  K[dst, m] = t_m (m != dst)
 *   PREC:  f = f_slot;  K[dst, m] = f K[src, m] (m != dst);  K[dst, dst] = f^2 K[src, src]
 *   NOISE: K[dst, dst] += c^2
 * Start: K = 0 except K[0, 0] = start variance (register 0 is the sample x): `startScale * l + startShift`
 * with the DATA eigenvalue l (EDM: prior N(0, sigma_max^2) is (0, sigma_max^2); exact is (1, sigma_max^2)).
 * Deterministic tapes (no OP_NOISE, e.g. every sampler with churn and eta 0): the start is one Gaussian per mode,
 * x = c_0 xi with c_0 = sqrt(startScale l + startShift), and LIN and PREC are linear, so every register stays
 * a multiple r = c xi of that xi and K = c c^T. Both back ends then carry c instead of K:
 *   LIN: c_dst = sum_j c_j c_src_j;  PREC: c_dst = f c_src;  K[reg, reg] = c_reg^2 (marks, output)
 * which is O(R) times less work per op, and exact in the same sense (only the rounding differs from the K rules).
 * Output: K[0, 0] at the end is the output variance v of the mode; W2^2 = sum_i w_i (sqrt v_i - sqrt l_i)^2
 * against the data (EDM frame: the output is compared with N(0, S) directly).
 *
 * Both back ends (the Wasm interpreter, assembly/diffusion/statespace.ts, and the plain-TS one,
 * ./reference.ts) read this one encoding, so a sampler is written once, as a function that emits its tape.
 *
 * Encoding (`Tape.code`, a Float64Array; every field an f64, integers exactly representable):
 *   [OP_LIN, dst, n, src_1, c_1, ..., src_n, c_n]
 *   [OP_PREC, dst, src, slot]
 *   [OP_NOISE, dst, c]
 *   [OP_MARK, reg, mark]            (mark = 0, 1, ... in tape order)
 * `Tape.slots` holds (a_i, b_i, p_i, q_i) quadruples (SLOT_STRIDE); `Tape.marks` the exact marginal at each marked slot, as
 * (scale_i, shift_i) with target variance scale_i * l + shift_i (EDM: (1, sigma^2)).
 */

import { fail } from '../../core/errors.js';
import { OP_LIN, OP_MARK, OP_NOISE, OP_PREC, SLOT_STRIDE } from '../../wasm/constants.js';

// The op codes are shared with the Wasm interpreter (stated once in src/wasm/constants.ts).
export { OP_LIN, OP_MARK, OP_NOISE, OP_PREC, SLOT_STRIDE };
/** Most registers a tape may use (sample + up to 3 history values + stage temporaries). */
export const MAX_REGISTERS = 8;

export interface Tape {
  /** Registers used (1..MAX_REGISTERS); register 0 is the sample. */
  readonly registers: number;
  /** The operations, encoded as above. */
  readonly code: Float64Array;
  /** (a_i, b_i, p_i, q_i) of each slot, interleaved: f_i = (a_i lhat + b_i) / (p_i lhat + q_i). */
  readonly slots: Float64Array;
  /** Start variance of register 0: startScale * l + startShift. */
  readonly startScale: number;
  readonly startShift: number;
  /** For each OP_MARK in order: (scale, shift) of the exact marginal variance scale * l + shift. */
  readonly marks: Float64Array;
  /** Denoiser (model) evaluations the sampler makes: its NFE, counted as k-diffusion does. */
  readonly nfe: number;
}

/**
 * Builds a tape: samplers call these methods in the order their algorithm runs. Registers are plain
 * numbers (0 = the sample); slots are added with `factor(a, b, p, q)` (or `slot(p, q)` for 1 / (p lhat + q))
 * and may be shared by several PREC ops.
 */
export class TapeBuilder {
  private readonly code: number[] = [];
  private readonly slotPairs: number[] = [];
  private readonly slotIndex = new Map<string, number>();
  private readonly markPairs: number[] = [];
  private maxRegister = 0;
  nfe = 0;

  constructor(readonly startScale: number, readonly startShift: number) {}

  private use(r: number): number {
    if (!Number.isInteger(r) || r < 0 || r >= MAX_REGISTERS) throw new RangeError(`register ${r} outside 0..${MAX_REGISTERS - 1}`);
    this.maxRegister = Math.max(this.maxRegister, r);
    return r;
  }

  /** The slot of the factor (a lhat + b) / (p lhat + q) (shared when the same one is asked again). */
  factor(a: number, b: number, p: number, q: number): number {
    const key = `${a},${b},${p},${q}`;
    let i = this.slotIndex.get(key);
    if (i === undefined) {
      i = this.slotPairs.length / SLOT_STRIDE;
      this.slotPairs.push(a, b, p, q);
      this.slotIndex.set(key, i);
    }
    return i;
  }

  /** The slot of the precision 1 / (p lhat + q). */
  slot(p: number, q: number): number {
    return this.factor(0, 1, p, q);
  }

  /** r_dst <- sum_j c_j r_src_j. Terms with a zero coefficient are dropped. */
  lin(dst: number, terms: ReadonlyArray<readonly [number, number]>): this {
    const kept = terms.filter(([, c]) => c !== 0);
    this.code.push(OP_LIN, this.use(dst), kept.length);
    for (const [src, c] of kept) this.code.push(this.use(src), c);
    return this;
  }

  /** r_dst <- prec_slot r_src. */
  prec(dst: number, src: number, slot: number): this {
    this.code.push(OP_PREC, this.use(dst), this.use(src), slot);
    return this;
  }

  /** r_dst <- r_dst + c xi (fresh standard normal); a zero c emits nothing. */
  noise(dst: number, c: number): this {
    if (c !== 0) this.code.push(OP_NOISE, this.use(dst), c);
    return this;
  }

  /** Record W2^2 of register `reg` against the exact marginal variance scale * l + shift. */
  mark(reg: number, scale: number, shift: number): this {
    this.code.push(OP_MARK, this.use(reg), this.markPairs.length / 2);
    this.markPairs.push(scale, shift);
    return this;
  }

  build(): Tape {
    return {
      registers: this.maxRegister + 1,
      code: Float64Array.from(this.code),
      slots: Float64Array.from(this.slotPairs),
      startScale: this.startScale,
      startShift: this.startShift,
      marks: Float64Array.from(this.markPairs),
      nfe: this.nfe,
    };
  }
}

/** Width of the op at pc in `code` (the encoding above), or 0 for an unknown op code. */
export function opWidth(code: Float64Array, pc: number): number {
  const op = code[pc];
  return op === OP_LIN ? 3 + 2 * code[pc + 2] : op === OP_PREC ? 4 : op === OP_NOISE || op === OP_MARK ? 3 : 0;
}

/**
 * Number of NOISE ops of a tape: its fresh draws per run besides the start. With none the tape is
 * deterministic, and both back ends run it on the rank-one rules (see the header).
 */
export function noiseOps(tape: Tape): number {
  let n = 0;
  for (let pc = 0; pc < tape.code.length; pc += opWidth(tape.code, pc) || 1) if (tape.code[pc] === OP_NOISE) n++;
  return n;
}

/**
 * The same tape with only its last OP_MARK (renumbered 0), for callers that read only the final W2: the
 * kernel then skips the per-step sums (a sqrt per mode per mark). MARKs change no register, so the final
 * K, hence the output variances, are those of the full tape bit for bit, and the kept mark's sum is the
 * full curve's last point. A tape without marks is returned as is.
 */
export function lastMarkOnly(tape: Tape): Tape {
  const nMarks = tape.marks.length / 2;
  if (nMarks <= 1) return tape;
  const code: number[] = [];
  for (let pc = 0; pc < tape.code.length;) {
    const op = tape.code[pc];
    const width = opWidth(tape.code, pc);
    if (width === 0) fail('INTERNAL', 'tape', `op ${op} at ${pc} is unknown`, 'a tape built by TapeBuilder');
    if (op !== OP_MARK) for (let j = 0; j < width; j++) code.push(tape.code[pc + j]);
    else if (tape.code[pc + 2] === nMarks - 1) code.push(OP_MARK, tape.code[pc + 1], 0);
    pc += width;
  }
  return { ...tape, code: Float64Array.from(code), marks: tape.marks.slice(2 * (nMarks - 1)) };
}
