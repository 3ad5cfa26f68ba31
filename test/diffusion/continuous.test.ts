/**
 * The continuous rows of Table 2 (docs/math.md §2 (2.2)) against an exact reference written here: the
 * textbook formulas evaluated in BigInt fixed point with 60 decimal digits, exponentials by their series,
 * so that W2 is known to far below f64 rounding. The hard cells are those where W2 is tiny (the SDE started
 * at N(0, I) with eps = 0: W2 ~ 1e-6 while the variances are O(1)), a sum of squared differences that
 * lose every digit if formed as sqrt(v) - sqrt(l).
 */
import { describe, expect, it } from 'vitest';
import { table, vpLinear } from '../../src/node.js';

const DIGITS = 60n;
const ONE = 10n ** DIGITS;

/** An f64 as an exact fixed-point BigInt (x * 10^60, truncated: below 1e-60 relative for our inputs). */
function fix(x: number): bigint {
  if (x === 0) return 0n;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const sign = bits >> 63n ? -1n : 1n;
  const expo = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  const mant = expo === 0 ? frac : frac | (1n << 52n);
  const e = (expo === 0 ? 1 : expo) - 1075; // x = mant * 2^e
  return sign * (e >= 0 ? mant * ONE * (1n << BigInt(e)) : (mant * ONE) / (1n << BigInt(-e)));
}
const mul = (a: bigint, b: bigint) => (a * b) / ONE;
const div = (a: bigint, b: bigint) => (a * ONE) / b;
function isqrt(n: bigint): bigint {
  if (n <= 0n) return 0n;
  // Newton from above: start over the root (the f64 estimate is only good to ~1e-16 relative).
  let x = BigInt(Math.ceil(Math.sqrt(Number(n)) * (1 + 1e-9))) + 1n;
  for (;;) {
    const y = (x + n / x) / 2n;
    if (y >= x) return x;
    x = y;
  }
}
const sqrt = (a: bigint) => isqrt(a * ONE);
/** e^x by its series (|x| <= 25 here), in fixed point. */
function exp(x: bigint): bigint {
  const neg = x < 0n;
  const ax = neg ? -x : x;
  let term = ONE;
  let sum = ONE;
  for (let k = 1n; term !== 0n; k++) {
    term = mul(term, ax) / k;
    sum += term;
  }
  return neg ? div(ONE, sum) : sum;
}

/** Exact W2 of a continuous row: (2.2) with exact exponentials of the f64 integrals B(s), B(T). */
function exactW2(values: number[], integral: (t: number) => number, horizon: number, process: 'sde' | 'ode', init: 'pT' | 'normal', s: number): number {
  const Bs = fix(integral(s));
  const BT = fix(integral(horizon));
  const es = exp(-2n * Bs);
  const eT = exp(-2n * BT);
  const decay = exp(-2n * (BT - Bs));
  let sum = 0n;
  for (const x of values) {
    const l = fix(x);
    const ls = mul(es, l) + ONE - es;
    const lT = mul(eT, l) + ONE - eT;
    let v: bigint;
    if (init === 'pT') v = ls;
    else if (process === 'ode') v = div(ls, lT);
    else v = ls + mul(div(mul(decay, mul(ls, ls)), lT), div(ONE, lT) - ONE);
    const d = sqrt(v) - sqrt(l);
    sum += mul(d, d);
  }
  return Math.sqrt(Number(sum) / Number(ONE));
}

describe('continuous rows against a 60-digit reference', () => {
  // Eigenvalues from 1e-8 to 1e3, some within 1e-6 of 1 (where v - l is tiny), and exact zeros.
  const values: number[] = [0, 0, 1 - 1e-6, 1 + 1e-6, 1];
  for (let i = 0; i < 120; i++) values.push(10 ** (-8 + (11 * i) / 119));
  for (const [betaMin, betaMax] of [[0.05, 10], [0.1, 20]]) {
    it(`every continuous cell within 1e-13 relative (b_min ${betaMin}, b_max ${betaMax})`, async () => {
      const schedule = vpLinear({ betaMin, betaMax, horizon: 1 });
      const eps = [0, 1e-5, 1e-3, 1e-2];
      const r = await table(values, { schemes: ['em', 'euler'], steps: [2], eps, betaMin, betaMax });
      const rows = r.rows.filter((x) => x.steps === null);
      expect(rows).toHaveLength(2 * 4 * 2); // schemes x eps x starts
      let worst = 0;
      for (const row of rows) {
        const exact = exactW2(values, (t) => schedule.integral(t), 1, row.scheme === 'em' ? 'sde' : 'ode', row.init, row.eps);
        const got = row.w2 as number;
        const rel = exact === 0 ? Math.abs(got) : Math.abs(got - exact) / exact;
        worst = Math.max(worst, rel);
        expect(rel, `${row.scheme} ${row.init} eps=${row.eps}: ${got} vs exact ${exact}`).toBeLessThan(1e-13);
      }
      console.log(`[continuous] worst relative error against the 60-digit reference: ${worst.toExponential(2)}`);
    });
  }
});
