/**
 * The Wasm back end of the state-space engine (assembly/diffusion/statespace.ts through
 * src/diffusion/statespace/wasm.ts) against an independent interpreter of the tape rules of
 * src/diffusion/statespace/tape.ts written here (dense R x R covariance, plain loops, one mode at a time), on
 * random tapes and spectra; against today's propagation engine on a P&G Euler-Maruyama tape; and for leaks.
 */
import { describe, expect, it } from 'vitest';
import { contributions, gridGeometry, uniformGrid, vpLinear } from '../../src/node.js';
import { OP_LIN, OP_MARK, OP_NOISE, OP_PREC, TapeBuilder, type Tape } from '../../src/diffusion/statespace/tape.js';
import { runTapeWasm } from '../../src/diffusion/statespace/wasm.js';
import { loadKernel, wasmMemoryBytes } from '../../src/wasm/kernel.js';
import { GaussdiffError } from '../../src/core/errors.js';
import { rng } from '../helpers/random.js';

/** The tape rules read literally, on a dense symmetric K per mode. */
function denseRun(values: Float64Array, model: Float64Array, weights: Float64Array, tape: Tape) {
  const R = tape.registers;
  const { code } = tape;
  const variances = new Float64Array(values.length);
  const curve = new Float64Array(tape.marks.length / 2);
  for (let i = 0; i < values.length; i++) {
    const K = Array.from({ length: R }, () => new Array<number>(R).fill(0));
    K[0][0] = tape.startScale * values[i] + tape.startShift;
    // f_s = (a lhat + b) / (p lhat + q), slots in quadruples (tape.ts).
    const prec = (s: number) => (tape.slots[4 * s] * model[i] + tape.slots[4 * s + 1]) / (tape.slots[4 * s + 2] * model[i] + tape.slots[4 * s + 3]);
    for (let pc = 0; pc < code.length;) {
      const op = code[pc];
      const dst = code[pc + 1];
      if (op === OP_LIN) {
        const n = code[pc + 2];
        const terms = Array.from({ length: n }, (_, j) => [code[pc + 3 + 2 * j], code[pc + 4 + 2 * j]]);
        const t = K.map((_, m) => (n === 0 ? 0 : terms.slice(1).reduce((acc, [s, c]) => acc + c * K[s][m], terms[0][1] * K[terms[0][0]][m])));
        const dd = n === 0 ? 0 : terms.slice(1).reduce((acc, [s, c]) => acc + c * t[s], terms[0][1] * t[terms[0][0]]);
        for (let m = 0; m < R; m++) K[dst][m] = K[m][dst] = t[m];
        K[dst][dst] = dd;
        pc += 3 + 2 * n;
      } else if (op === OP_PREC) {
        const src = code[pc + 2];
        const f = prec(code[pc + 3]);
        const row = K[src].map((x) => f * x);
        const dd = f * f * K[src][src];
        for (let m = 0; m < R; m++) K[dst][m] = K[m][dst] = row[m];
        K[dst][dst] = dd;
        pc += 4;
      } else if (op === OP_NOISE) {
        K[dst][dst] += code[pc + 2] ** 2;
        pc += 3;
      } else if (op === OP_MARK) {
        const mark = code[pc + 2];
        const a = K[dst][dst];
        const b = tape.marks[2 * mark] * values[i] + tape.marks[2 * mark + 1];
        const d = a === 0 && b === 0 ? 0 : (a - b) / (Math.sqrt(a) + Math.sqrt(b)); // sqrt a - sqrt b
        curve[mark] += weights[i] * d * d;
        pc += 3;
      } else throw new Error(`op ${op}`);
    }
    variances[i] = K[0][0];
  }
  return { variances, curve };
}

/** A random tape over R registers: LIN (0 to 6 terms, dst among its sources or not), PREC, NOISE, MARK. */
function randomTape(rand: () => number, R: number, ops: number): Tape {
  const pick = (n: number) => Math.floor(rand() * n);
  const nSlots = 1 + pick(5);
  const code: number[] = [];
  const marks: number[] = [];
  for (let k = 0; k < ops; k++) {
    const kind = pick(10);
    if (kind < 4) {
      const n = pick(7);
      code.push(OP_LIN, pick(R), n);
      for (let j = 0; j < n; j++) code.push(pick(R), 2 * rand() - 1);
    } else if (kind < 7) code.push(OP_PREC, pick(R), pick(R), pick(nSlots));
    else if (kind < 9) code.push(OP_NOISE, pick(R), 2 * rand() - 1);
    else {
      code.push(OP_MARK, pick(R), marks.length / 2);
      marks.push(rand(), rand() < 0.2 ? 0 : rand());
    }
  }
  code.push(OP_MARK, 0, marks.length / 2);
  marks.push(1, 0);
  // Half the slots precisions (a = 0, b = 1), half general factors with a numerator.
  const slots = Array.from({ length: nSlots }, (_, s) => (s % 2 ? [0, 1] : [2 * rand(), 0.01 + rand()]).concat([0.01 + 2 * rand(), 0.01 + 2 * rand()])).flat();
  return {
    registers: R, code: Float64Array.from(code), slots: Float64Array.from(slots), startScale: rand(), startShift: 0.01 + rand(),
    marks: Float64Array.from(marks), nfe: 0,
  };
}

/** Distinct values over six decades with integer multiplicities; model values near them. */
function randomSpectrum(rand: () => number, n: number) {
  const values = Float64Array.from({ length: n }, () => 10 ** (6 * rand() - 4));
  const model = values.map((l) => l * (0.5 + rand()));
  const weights = Float64Array.from({ length: n }, () => 1 + Math.floor(4 * rand()));
  return { values, model, weights };
}

function worstRel(a: Float64Array, b: Float64Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    expect(Number.isFinite(a[i])).toBe(true);
    if (a[i] !== b[i]) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(a[i]), Math.abs(b[i])));
  }
  return worst;
}

describe('state-space engine, Wasm back end', () => {
  it('agrees with a dense interpreter of the tape rules to 1e-12 on random tapes, spectra and mode counts', async () => {
    const ex = await loadKernel();
    const rand = rng(20261203);
    const counts = [1, 2, 3, 255, 256, 257, 511, 1000, 1999, 2000];
    for (let trial = 0; trial < 40; trial++) {
      const R = 1 + (trial % 8);
      const tape = randomTape(rand, R, 5 + Math.floor(40 * rand()));
      const { values, model, weights } = randomSpectrum(rand, counts[trial % counts.length]);
      const inputs = [values.slice(), model.slice(), weights.slice()];
      const got = runTapeWasm(ex, values, model, weights, tape);
      const want = denseRun(values, model, weights, tape);
      expect(worstRel(got.variances, want.variances)).toBeLessThan(1e-12);
      expect(worstRel(got.curve, want.curve)).toBeLessThan(1e-12);
      expect([values, model, weights]).toEqual(inputs); // inputs untouched
    }
  });

  it('agrees with the dense interpreter on PREC + NOISE chains (the kernel fuses them; one and two registers)', async () => {
    const ex = await loadKernel();
    const rand = rng(9);
    for (let trial = 0; trial < 12; trial++) {
      const R = 1 + (trial % 2);
      const b = new TapeBuilder(rand(), 0.01 + rand());
      const shared = b.factor(rand(), 0.01 + rand(), 0.01 + rand(), 0.01 + rand()); // a slot used by several PRECs
      for (let k = 0; k < 5 + trial; k++) {
        // Mostly once-used slots: runs of 4 pairs, broken by a reused slot, a pair without NOISE, or a MARK.
        const slot = k % 7 === 6 ? shared : b.factor(2 * rand(), 0.01 + rand(), 0.01 + rand(), 0.01 + rand());
        b.prec(R - 1, 0, slot);
        if (k % 5 !== 4) b.noise(R - 1, 2 * rand() - 1);
        if (k % 9 === 8) b.mark(R - 1, rand(), rand());
        if (R === 2) b.lin(0, [[0, 0.5], [1, 0.5]]);
      }
      b.mark(0, 1, 0);
      const { values, model, weights } = randomSpectrum(rand, 257 + trial);
      const got = runTapeWasm(ex, values, model, weights, b.build());
      const want = denseRun(values, model, weights, b.build());
      expect(worstRel(got.variances, want.variances)).toBeLessThan(1e-12);
      expect(worstRel(got.curve, want.curve)).toBeLessThan(1e-12);
    }
  });

  it('a P&G Euler-Maruyama tape gives the variances of the existing propagation engine to 1e-12', async () => {
    const rand = rng(7);
    const spectrum = Float64Array.from({ length: 301 }, (_, i) => (i % 3 === 0 ? 0 : 10 ** (5 * rand() - 3)));
    const ref = await contributions(spectrum, { scheme: 'em', steps: 50, eps: 1e-3, init: 'pT' });
    // x_{k+1} = x_k + D c_k (x_k + 2 score) + sqrt(2 D c_k) z, score = -prec_k x_k, prec_k = 1 / (e_k l + 1 - e_k).
    const schedule = vpLinear();
    const geom = gridGeometry(schedule, uniformGrid(50, 1e-3, schedule.horizon));
    const b = new TapeBuilder(geom.e[0], geom.om[0]); // p_T = N(0, e_T l + 1 - e_T)
    for (let k = 0; k + 1 < geom.times.length; k++) {
      const dc = (geom.times[k + 1] - geom.times[k]) * geom.beta[k];
      b.prec(1, 0, b.slot(geom.e[k], geom.om[k]));
      b.lin(0, [[0, 1 + dc], [1, -2 * dc]]);
      b.noise(0, Math.sqrt(2 * dc));
    }
    const got = runTapeWasm(await loadKernel(), ref.values, ref.values, ref.counts, b.build());
    expect(worstRel(got.variances, ref.variances)).toBeLessThan(1e-12);
  });

  it('refuses mismatched arrays and malformed tapes with typed errors, and does not grow memory over 1000 runs', async () => {
    const ex = await loadKernel();
    const rand = rng(3);
    const tape = randomTape(rand, 3, 30);
    const { values, model, weights } = randomSpectrum(rand, 999);
    expect(() => runTapeWasm(ex, values, model.subarray(1), weights, tape)).toThrow(GaussdiffError);
    const bad = { ...tape, code: Float64Array.from([OP_PREC, 0, 0, 99]) };
    expect(() => runTapeWasm(ex, values, model, weights, bad)).toThrow(/operand out of range/);
    runTapeWasm(ex, values, model, weights, tape);
    const before = await wasmMemoryBytes();
    const first = runTapeWasm(ex, values, model, weights, tape);
    for (let i = 0; i < 1000; i++) runTapeWasm(ex, values, model, weights, tape);
    expect(await wasmMemoryBytes()).toBe(before);
    expect(runTapeWasm(ex, values, model, weights, tape)).toEqual(first);
  });
});
