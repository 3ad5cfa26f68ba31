/**
 * The plain-TypeScript interpreter of state-space tapes (./tape.ts): per mode, the covariance K of the
 * registers under the tape's update rules, read literally. It is the reference the Wasm back end is checked
 * against, and a back end in its own right (`StatespaceBackend`).
 */
import { OP_LIN, OP_MARK, OP_NOISE, OP_PREC, SLOT_STRIDE, type Tape, noiseOps } from './tape.js';

export interface StatespaceResult {
  /** Final K[0, 0] (the output variance) of each mode. */
  readonly variances: Float64Array;
  /** Per OP_MARK: sum over modes of w (sqrt K[reg, reg] - sqrt(scale l + shift))^2. */
  readonly curve: Float64Array;
}

/**
 * A back end: runs `tape` on modes with data eigenvalues `values` (distinct), model eigenvalues
 * `modelValues` (lhat, the same array for the exact denoiser) and multiplicities `weights`.
 */
export type StatespaceBackend = (values: Float64Array, modelValues: Float64Array, weights: Float64Array, tape: Tape) => StatespaceResult | Promise<StatespaceResult>;

/**
 * w (sqrt a - sqrt b)^2 written as w ((a - b) / (sqrt a + sqrt b))^2 (no cancellation when a ~ b). A
 * variance a below 0 can only be round-off of a cancelling update (true variances are >= 0): read as 0.
 */
export function squaredRootGap(a: number, b: number, w: number): number {
  if (a < 0) a = 0;
  if (a === b) return 0;
  const d = (a - b) / (Math.sqrt(a) + Math.sqrt(b));
  return w * d * d;
}

export const runTapeReference = (values: Float64Array, modelValues: Float64Array, weights: Float64Array, tape: Tape): StatespaceResult => {
  const R = tape.registers;
  const code = tape.code;
  const nSlots = tape.slots.length / SLOT_STRIDE;
  const nMarks = tape.marks.length / 2;
  const variances = new Float64Array(values.length);
  const curve = new Float64Array(nMarks);
  const K = new Float64Array(R * R);
  const prec = new Float64Array(nSlots);
  const t = new Float64Array(R);
  // No NOISE op: every register is a multiple c xi of the start's one Gaussian and K = c c^T; carry c
  // (tape.ts, "Deterministic tapes"; the Wasm kernel's rankOneBlock, the same operations in the same order).
  const rankOne = noiseOps(tape) === 0;
  const c = new Float64Array(R);
  for (let i = 0; i < values.length; i++) {
    const l = values[i];
    const lhat = modelValues[i];
    const w = weights[i];
    // f_s = (a_s lhat + b_s) / (p_s lhat + q_s) (tape.ts: the only per-mode quantities).
    for (let s = 0; s < nSlots; s++) {
      const [a, b, p, q] = tape.slots.subarray(SLOT_STRIDE * s, SLOT_STRIDE * (s + 1));
      prec[s] = (a * lhat + b) / (p * lhat + q);
    }
    if (rankOne) {
      c.fill(0);
      c[0] = Math.sqrt(tape.startScale * l + tape.startShift);
      for (let pc = 0; pc < code.length;) {
        const op = code[pc];
        if (op === OP_LIN) {
          // c_dst = sum_j c_j c_src_j
          const n = code[pc + 2];
          let acc = 0;
          for (let j = 0; j < n; j++) acc += code[pc + 4 + 2 * j] * c[code[pc + 3 + 2 * j]];
          c[code[pc + 1]] = acc;
          pc += 3 + 2 * n;
        } else if (op === OP_PREC) {
          c[code[pc + 1]] = prec[code[pc + 3]] * c[code[pc + 2]]; // c_dst = f c_src
          pc += 4;
        } else if (op === OP_MARK) {
          const reg = code[pc + 1];
          const mark = code[pc + 2];
          curve[mark] += squaredRootGap(c[reg] * c[reg], tape.marks[2 * mark] * l + tape.marks[2 * mark + 1], w);
          pc += 3;
        } else {
          throw new Error(`tape: unknown op ${op} at ${pc}`);
        }
      }
      variances[i] = c[0] * c[0];
      continue;
    }
    K.fill(0);
    K[0] = tape.startScale * l + tape.startShift;
    let pc = 0;
    while (pc < code.length) {
      const op = code[pc];
      if (op === OP_LIN) {
        // t_m = sum_j c_j K[src_j, m];  K[dst, dst] = sum_j c_j t_{src_j};  K[dst, m] = K[m, dst] = t_m.
        const dst = code[pc + 1];
        const n = code[pc + 2];
        t.fill(0);
        for (let j = 0; j < n; j++) {
          const src = code[pc + 3 + 2 * j];
          const c = code[pc + 4 + 2 * j];
          for (let m = 0; m < R; m++) t[m] += c * K[src * R + m];
        }
        let dd = 0;
        for (let j = 0; j < n; j++) dd += code[pc + 4 + 2 * j] * t[code[pc + 3 + 2 * j]];
        for (let m = 0; m < R; m++) K[dst * R + m] = K[m * R + dst] = t[m];
        K[dst * R + dst] = dd;
        pc += 3 + 2 * n;
      } else if (op === OP_PREC) {
        // K[dst, m] = f K[src, m] (m != dst);  K[dst, dst] = f^2 K[src, src].
        const dst = code[pc + 1];
        const src = code[pc + 2];
        const f = prec[code[pc + 3]];
        const kss = K[src * R + src];
        for (let m = 0; m < R; m++) t[m] = f * K[src * R + m];
        for (let m = 0; m < R; m++) K[dst * R + m] = K[m * R + dst] = t[m];
        K[dst * R + dst] = f * f * kss;
        pc += 4;
      } else if (op === OP_NOISE) {
        // K[dst, dst] += c^2 (fresh independent noise).
        const dst = code[pc + 1];
        const c = code[pc + 2];
        K[dst * R + dst] += c * c;
        pc += 3;
      } else if (op === OP_MARK) {
        const reg = code[pc + 1];
        const mark = code[pc + 2];
        curve[mark] += squaredRootGap(K[reg * R + reg], tape.marks[2 * mark] * l + tape.marks[2 * mark + 1], w);
        pc += 3;
      } else {
        throw new Error(`tape: unknown op ${op} at ${pc}`);
      }
    }
    variances[i] = K[0];
  }
  return { variances, curve };
};
