#!/usr/bin/env node
// The state-space engine (issue 9), run from dist after `npm run build` (node bench/statespace.js [--runs N]),
// and by `npm run bench` (--only statespace). Spectrum: ADSN of fabric.png (../shared/reference; 196608
// eigenvalues, 65511 distinct) or, without ../shared, a synthetic one of the same shape.
//   1. DPM-Solver++(2M), 20 Karras steps (the project's k-diffusion dpmpp_2m: sigma_min 0.002, sigma_max 80,
//      rho 7, prior start): the whole API call samplerError(spectrum, { sampler: 'dpmpp_2m', steps: 20 })
//      (spectrum preparation included), and the Wasm kernel alone on the distinct values, with and without a
//      curve mark per step. Issue 9's target: under 50 ms.
//   2. Per state, against today's one-state kernel: P&G Euler-Maruyama, 20 steps (21 grid points, default VP
//      schedule, eps 1e-3), as a 1-register tape and with the propagation kernel (assembly/diffusion/propagate.ts).
// Results: printed, and bench/results/statespace.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { adsnSpectrum } from './helpers.js';
import { vpLinear, uniformGrid, gridGeometry, buildPlan, SCHEMES, prepareSpectrum, samplerError, EDM_SAMPLERS, karrasSigmas } from '../dist/node.js';
import { loadKernel, propagateWasm } from '../dist/wasm/kernel.js';
import { TapeBuilder } from '../dist/diffusion/statespace/tape.js';
import { runTapeWasm } from '../dist/diffusion/statespace/wasm.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(args[runsAt + 1]) : 20;

const { spectrum, label } = await adsnSpectrum(ROOT);
const { values, counts: weights } = prepareSpectrum(spectrum);
const N = values.length;

/**
 * P&G Euler-Maruyama as a one-register tape: its step factor m = 1 + D c_k (1 - 2 / a_k) is one slot,
 * ((1 + D c) e lhat + (1 + D c)(1 - e) - 2 D c) / (e lhat + 1 - e), then x <- m x + sqrt(2 D c) xi: one state,
 * one division per step, as the propagation kernel does for each of its two states (both starts).
 */
function emTape(geom) {
  const b = new TapeBuilder(geom.e[0], geom.om[0]);
  for (let k = 0; k + 1 < geom.times.length; k++) {
    const dc = (geom.times[k + 1] - geom.times[k]) * geom.beta[k];
    const e = geom.e[k];
    const om = geom.om[k];
    b.prec(0, 0, b.factor((1 + dc) * e, (1 + dc) * om - 2 * dc, e, om));
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

async function timeAsync(label, fn) {
  for (let i = 0; i < 3; i++) await fn();
  const t = [];
  for (let i = 0; i < RUNS; i++) {
    const s = performance.now();
    await fn();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  console.log(`${label.padEnd(66)} median ${t[t.length >> 1].toFixed(2)} ms  min ${t[0].toFixed(2)} ms`);
  return t[t.length >> 1];
}

const ex = await loadKernel();
console.log(`state-space engine: ${label}, ${spectrum.length} eigenvalues, ${N} distinct, ${RUNS} runs each`);
const results = { spectrum: label, distinct: N, runs: RUNS };
results.dpmpp2mApiMs = await timeAsync("samplerError(S, { sampler: 'dpmpp_2m', steps: 20 }), whole call", () => samplerError(spectrum, { sampler: 'dpmpp_2m', steps: 20 }));
const t2m = EDM_SAMPLERS.dpmpp_2m.build(karrasSigmas(20, 0.002, 80, 7), {});
results.dpmpp2mKernelMs = time(`dpmpp_2m, 20 steps, kernel alone (${t2m.registers} registers, curve marks)`, () => runTapeWasm(ex, values, values, weights, t2m));

const schedule = vpLinear();
const geom = gridGeometry(schedule, uniformGrid(21, 1e-3, schedule.horizon));
const em = emTape(geom);
results.emTapeMs = time('EM, 20 steps, statespace kernel (1 register, one start)', () => runTapeWasm(ex, values, values, weights, em));
const one = { values, weights, geom, plan: buildPlan([SCHEMES.em], geom), curve: false };
results.emKernelMs = time('EM, 20 steps, propagation kernel (1 scheme, both starts)', () => propagateWasm(ex, one, () => 0));
const four = { values, weights, geom, plan: buildPlan([SCHEMES.em, SCHEMES.ei, SCHEMES.euler, SCHEMES.heun], geom), curve: false };
time('4 P&G schemes x 2 starts, 20 steps, propagation kernel', () => propagateWasm(ex, four, () => 0));
results.target50ms = results.dpmpp2mApiMs < 50;
// Per state: the tape carries 1 register (one start); the propagation kernel 2 states (both starts).
results.perStateRatio = results.emTapeMs / (results.emKernelMs / 2);
console.log(`per state, tape against the one-state kernel: ${results.perStateRatio.toFixed(2)}x (target <= 2x); dpmpp_2m under 50 ms: ${results.target50ms}`);
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(join(ROOT, 'bench', 'results', 'statespace.json'), `${JSON.stringify(results, null, 2)}\n`);
