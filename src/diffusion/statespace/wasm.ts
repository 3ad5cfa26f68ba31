/**
 * The Wasm back end of the state-space engine: runs a tape (./tape.ts) with the kernel
 * assembly/diffusion/statespace.ts, which follows the same rules as the plain-TS interpreter (./reference.ts).
 * The tape is checked here (op codes, registers, slots and marks in range) before anything is allocated, so
 * the kernel never reads outside its arrays; every Wasm block is freed before returning.
 */
import { fail } from '../../core/errors.js';
import { type KernelExports, checkWasmBytes, loadKernel, withKernel } from '../../wasm/kernel.js';
import { OP_LIN, OP_MARK, OP_NOISE, OP_PREC, SLOT_STRIDE, statespaceScratchLength } from '../../wasm/constants.js';
import { MAX_REGISTERS, type Tape } from './tape.js';

export interface TapeOutput {
  /** Final K[0, 0] (the output variance) of each mode. */
  readonly variances: Float64Array;
  /** Per OP_MARK: sum over modes of w (sqrt K[reg, reg] - sqrt(scale l + shift))^2. */
  readonly curve: Float64Array;
}

/** Check the tape's encoding (a malformed tape is a bug of the sampler that emitted it). */
function checkTape(tape: Tape): void {
  const bad = (what: string): never => fail('INTERNAL', 'tape', what, 'a tape built by TapeBuilder (src/diffusion/statespace/tape.ts)');
  const R = tape.registers;
  const nSlots = tape.slots.length / SLOT_STRIDE;
  const nMarks = tape.marks.length / 2;
  if (!Number.isInteger(R) || R < 1 || R > MAX_REGISTERS) bad(`has ${R} registers`);
  if (!Number.isInteger(nSlots) || !Number.isInteger(nMarks)) bad('has a slot table not in quadruples or a mark table not in pairs');
  if (![tape.startScale, tape.startShift, ...tape.slots, ...tape.marks].every(Number.isFinite)) bad('has a non-finite start, slot or mark');
  const code = tape.code;
  const reg = (x: number) => Number.isInteger(x) && x >= 0 && x < R;
  const index = (x: number, n: number) => Number.isInteger(x) && x >= 0 && x < n;
  let marks = 0;
  for (let pc = 0; pc < code.length;) {
    const op = code[pc];
    const nt = code[pc + 2]; // LIN: number of terms
    const width = op === OP_LIN ? (Number.isInteger(nt) && nt >= 0 ? 3 + 2 * nt : NaN) : op === OP_PREC ? 4 : op === OP_NOISE || op === OP_MARK ? 3 : NaN;
    if (!(pc + width <= code.length)) bad(`op ${op} at ${pc} is unknown or truncated`);
    let ok = reg(code[pc + 1]);
    if (op === OP_LIN) for (let j = 0; j < nt; j++) ok &&= reg(code[pc + 3 + 2 * j]) && Number.isFinite(code[pc + 4 + 2 * j]);
    else if (op === OP_PREC) ok &&= reg(code[pc + 2]) && index(code[pc + 3], nSlots);
    else if (op === OP_NOISE) ok &&= Number.isFinite(code[pc + 2]);
    else ok &&= code[pc + 2] === marks++;
    if (!ok) bad(`op ${op} at ${pc} has an operand out of range`);
    pc += width;
  }
  if (marks !== nMarks) bad(`has ${marks} marks in its code and ${nMarks} in its mark table`);
}

/** Bytes a run needs in Wasm memory (checked before allocating). */
export function tapeBytes(nModes: number, tape: Tape): number {
  const modes = nModes + (nModes & 1);
  return 8 * (4 * modes + tape.code.length + tape.slots.length + tape.marks.length + tape.marks.length / 2
    + statespaceScratchLength(tape.registers, tape.slots.length / SLOT_STRIDE));
}

/**
 * Run `tape` on modes with data eigenvalues `values` (start and marks), model eigenvalues `modelValues`
 * (lhat: the precisions; the same array for the exact denoiser) and multiplicities `weights`, with a loaded
 * kernel (`loadKernel()`). The inputs are not modified.
 */
export function runTapeWasm(ex: KernelExports, values: Float64Array, modelValues: Float64Array, weights: Float64Array, tape: Tape): TapeOutput {
  const nModes = values.length;
  if (modelValues.length !== nModes || weights.length !== nModes) {
    fail('INVALID_SHAPE', 'modelValues', `${nModes} values, ${modelValues.length} model values and ${weights.length} weights`, 'one model value and one weight per value');
  }
  checkTape(tape);
  checkWasmBytes(tapeBytes(nModes, tape), 'spectrum');
  const nMarks = tape.marks.length / 2;
  const nSlots = tape.slots.length / SLOT_STRIDE;
  // The kernel works on pairs of modes: pad an odd count with a harmless mode (l = lhat = 1, weight 0).
  const padded = nModes + (nModes & 1);
  return withKernel(ex, (scope) => {
    const lam = scope.f64(padded, values);
    const lhat = scope.f64(padded, modelValues);
    const w = scope.f64(padded, weights);
    const code = scope.f64(tape.code.length, tape.code);
    const slots = scope.f64(tape.slots.length, tape.slots);
    const marks = scope.f64(tape.marks.length, tape.marks);
    const out = scope.f64(padded);
    const curve = scope.f64(nMarks);
    const scratch = scope.f64(statespaceScratchLength(tape.registers, nSlots));
    if (padded !== nModes) {
      for (const p of [lam, lhat]) scope.view(p + 8 * nModes, 1)[0] = 1;
      scope.view(w + 8 * nModes, 1)[0] = 0;
    }
    scope.view(curve, nMarks).fill(0);
    ex.statespaceRun(padded, lam, lhat, w, tape.registers, code, tape.code.length, slots, nSlots,
      tape.startScale, tape.startShift, marks, out, curve, scratch);
    return { variances: scope.read(out, nModes), curve: scope.read(curve, nMarks) };
  });
}

/** `runTapeWasm` after loading the kernel. */
export async function runTape(values: Float64Array, modelValues: Float64Array, weights: Float64Array, tape: Tape): Promise<TapeOutput> {
  return runTapeWasm(await loadKernel(), values, modelValues, weights, tape);
}
