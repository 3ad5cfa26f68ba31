#!/usr/bin/env node
// The state-space engine's Wasm kernel (assembly/diffusion/statespace.ts), timed on 65511 distinct values (an
// image-like spectrum, jittered to be distinct, like ADSN's): run from dist after `npm run build`
// (node bench/statespace.js [--runs N]). Not part of `npm run bench` yet.
//   1. DPM-Solver++(2M), 20 Karras steps (k-diffusion's dpmpp_2m; sigma_min 0.002, sigma_max 80, rho 7, prior
//      start): 3 registers (x, previous denoised, denoised), per step 1 PREC and 3 LIN; with and without a
//      curve mark per step. Issue 9's target: under 50 ms.
//   2. The same work as today's one-state kernel: P&G Euler-Maruyama, 20 steps (21 grid points, default VP
//      schedule, eps 1e-3), as a 2-register tape and with the propagation kernel (assembly/diffusion/propagate.ts);
//      and the 4 P&G schemes x 2 starts of one Table 2 cell with the propagation kernel.
import { imageLikeSpectrum, vpLinear, uniformGrid, gridGeometry, buildPlan, SCHEMES } from '../dist/node.js';
import { loadKernel, propagateWasm } from '../dist/wasm/kernel.js';
import { TapeBuilder } from '../dist/diffusion/statespace/tape.js';
import { runTapeWasm } from '../dist/diffusion/statespace/wasm.js';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(args[runsAt + 1]) : 20;

const base = imageLikeSpectrum(256, 2.2, 1, [1], 0.25);
const N = 65511;
const values = new Float64Array(N);
for (let i = 0; i < N; i++) values[i] = base[i] * (1 + 1e-9 * i) + 1e-12 * i; // distinct
const weights = new Float64Array(N).fill(3);

/** Karras sigmas (k-diffusion get_sigmas_karras), `steps` levels then 0. */
function karras(steps, sigmaMin = 0.002, sigmaMax = 80, rho = 7) {
  const lo = sigmaMin ** (1 / rho);
  const hi = sigmaMax ** (1 / rho);
  const s = Array.from({ length: steps }, (_, i) => (hi + (i / (steps - 1)) * (lo - hi)) ** rho);
  return [...s, 0];
}

/** dpmpp_2m (k-diffusion sample_dpmpp_2m) as a tape: r0 = x, r1 = old denoised, r2 = denoised. */
function dpmpp2m(steps, marks) {
  const sig = karras(steps);
  const b = new TapeBuilder(0, sig[0] ** 2);
  for (let i = 0; i < steps; i++) {
    // denoised = D(x, sigma) = x - sigma^2 prec x, prec = 1 / (lhat + sigma^2)
    b.prec(2, 0, b.slot(1, sig[i] ** 2));
    b.lin(2, [[0, 1], [2, -(sig[i] ** 2)]]);
    b.nfe++;
    if (sig[i + 1] === 0) {
      b.lin(0, [[2, 1]]); // last step: x = denoised
    } else {
      const h = Math.log(sig[i]) - Math.log(sig[i + 1]); // t = -log sigma
      const a = -Math.expm1(-h);
      if (i === 0) {
        b.lin(0, [[0, sig[i + 1] / sig[i]], [2, a]]);
      } else {
        const r = (Math.log(sig[i - 1]) - Math.log(sig[i])) / h;
        // x = (sigma_{i+1} / sigma_i) x - expm1(-h) ((1 + 1/(2r)) denoised - 1/(2r) old)
        b.lin(0, [[0, sig[i + 1] / sig[i]], [2, a * (1 + 1 / (2 * r))], [1, -a / (2 * r)]]);
      }
    }
    b.lin(1, [[2, 1]]);
    if (marks) b.mark(0, 1, sig[i + 1] ** 2);
  }
  return b.build();
}

/** P&G Euler-Maruyama on `points` grid points as a tape (r0 = x, r1 = prec x). */
function emTape(geom) {
  const b = new TapeBuilder(geom.e[0], geom.om[0]);
  for (let k = 0; k + 1 < geom.times.length; k++) {
    const dc = (geom.times[k + 1] - geom.times[k]) * geom.beta[k];
    b.prec(1, 0, b.slot(geom.e[k], geom.om[k]));
    b.lin(0, [[0, 1 + dc], [1, -2 * dc]]);
    b.noise(0, Math.sqrt(2 * dc));
  }
  return b.build();
}

function time(label, fn) {
  for (let i = 0; i < 5; i++) fn(); // warm up (V8 tiers the Wasm up)
  const t = [];
  for (let i = 0; i < RUNS; i++) {
    const s = performance.now();
    fn();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  console.log(`${label.padEnd(66)} median ${t[t.length >> 1].toFixed(2)} ms  min ${t[0].toFixed(2)} ms`);
  return t[t.length >> 1];
}

const ex = await loadKernel();
console.log(`${N} distinct values, ${RUNS} runs each`);
const t2m = dpmpp2m(20, false);
const t2mc = dpmpp2m(20, true);
time('dpmpp_2m, 20 steps, statespace kernel (3 registers)', () => runTapeWasm(ex, values, values, weights, t2m));
time('dpmpp_2m, 20 steps, with a curve mark per step', () => runTapeWasm(ex, values, values, weights, t2mc));

const schedule = vpLinear();
const geom = gridGeometry(schedule, uniformGrid(21, 1e-3, schedule.horizon));
const em = emTape(geom);
time('EM, 20 steps, statespace kernel (2 registers)', () => runTapeWasm(ex, values, values, weights, em));
const one = { values, weights, geom, plan: buildPlan([SCHEMES.em], geom), curve: false };
time('EM, 20 steps, propagation kernel (1 scheme, both starts)', () => propagateWasm(ex, one, () => 0));
const four = { values, weights, geom, plan: buildPlan([SCHEMES.em, SCHEMES.ei, SCHEMES.euler, SCHEMES.heun], geom), curve: false };
time('4 P&G schemes x 2 starts, 20 steps, propagation kernel', () => propagateWasm(ex, four, () => 0));
