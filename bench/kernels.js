#!/usr/bin/env node
// First-order kernels of the score-matching pipeline (issue 10), run from dist after `npm run build`
// (node bench/kernels.js [--runs N]), and by `npm run bench` (--only kernels). Spectrum: ADSN of fabric.png
// (../shared/reference; 196608 eigenvalues, 65511 distinct) or, without ../shared, a synthetic one of the
// same shape.
//   1. pipelineKernel on the whole spectrum (ULA, sigma 0.1, tau 1e-6, gamma 1e-3, N 1000): the O(D^2)
//      pair sums of K_gen and K_opt in Wasm, on 1 and on 2 threads (the sums agree bit for bit),
//      spectrum preparation included, with the load average at the time. Issue 10's target: under 2 s.
//   2. The same call against a plain-JS double loop over the distinct pairs (the same formulas, each pair
//      once), on every 8th distinct value: the ratio, and the relative difference of the sums.
// Results: printed, and bench/results/kernels.json.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { imageLikeSpectrum, readNpy, prepareSpectrum, closeThreads, warmThreads } from '../dist/node.js';
import { pipelineKernel } from '../dist/learning/kernels.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(args[runsAt + 1]) : 3;

const shared = resolve(ROOT, '../shared/reference/adsn-fabric-spectrum.npy');
let spectrum;
let label;
if (existsSync(shared)) {
  spectrum = await readNpy(shared);
  label = 'ADSN fabric.png';
} else {
  const base = imageLikeSpectrum(256, 2.2, 1, [1], 0.25);
  spectrum = new Float64Array(3 * base.length);
  for (let i = 0; i < base.length; i++) spectrum[i] = base[i] * (1 + 1e-9 * i) + 1e-12 * i; // distinct, like ADSN
  label = 'synthetic ADSN-like';
}
const params = { samples: 1000, sigma: 0.1, tau: 1e-6, batch: 1, sampler: 'ula', gamma: 1e-3 };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timed(fn, runs) {
  const times = [];
  let out;
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    out = await fn();
    times.push((performance.now() - t) / 1000);
  }
  return { seconds: median(times), out };
}

// Plain JS: sum_{k<m} pairs of K_gen / N and K_opt (free A), both rows, as the Wasm kernel (docs/math.md §3.4).
function plainPairs(values, counts) {
  const u = params.sigma ** 2, N = params.samples, tau = params.tau, B = params.batch;
  let gen = 0, opt = 0;
  for (let k = 0; k < values.length; k++) {
    const lk = values[k], ck = lk + u, vk = (tau * lk) / (2 * B * u * ck);
    for (let m = k + 1; m < values.length; m++) {
      const lm = values[m], cm = lm + u, vm = (tau * lm) / (2 * B * u * cm);
      const w = 2 * counts[k] * counts[m];
      gen += (w * lk * lm) / (2 * N * (lk + lm));
      opt += (w * ck * ck * cm * cm * (cm * cm * vk + ck * ck * vm)) / ((ck + cm) ** 2 * 2 * (lk + lm));
    }
  }
  return { gen, opt };
}

const { values, counts } = prepareSpectrum(spectrum);
const D = values.length;
console.log(`spectrum: ${label}, ${spectrum.length} eigenvalues, ${D} distinct, ${(D * (D - 1) / 2 / 1e9).toFixed(2)}e9 pairs`);
warmThreads(2);
const full = {};
for (const threads of [1, 2]) {
  const load = loadavg()[0];
  full[threads] = { ...(await timed(() => pipelineKernel(spectrum, params, { threads }), RUNS)), load };
  const { seconds, out } = full[threads];
  console.log(`  pipelineKernel (${threads} thread${threads > 1 ? 's' : ''}): ${seconds.toFixed(3)} s (target < 2 s; load average ${load.toFixed(2)});`
    + ` total ${out.total.toExponential(6)} = gen ${out.sources.generalization.toExponential(4)} + opt ${out.sources.optimization.toExponential(4)} + bias ${out.sources.bias.toExponential(4)}`);
}
const sameBits = full[1].out.total === full[2].out.total && full[1].out.perMode.optimization.every((x, k) => x === full[2].out.perMode.optimization[k]);
console.log(`  1 and 2 threads: ${sameBits ? 'the same sums bit for bit' : 'DIFFERENT sums'}`);
await closeThreads();

// Subsample: every 8th distinct value, positive (the plain loop has no l = 0 limits).
const subV = [], subC = [];
for (let k = 0; k < D; k += 8) if (values[k] > 0) { subV.push(values[k]); subC.push(counts[k]); }
const sub = Float64Array.from(subV.flatMap((l, i) => Array(subC[i]).fill(l)));
const wasm = await timed(() => pipelineKernel(sub, params, { threads: 1 }), RUNS);
const plain = await timed(() => plainPairs(subV, subC), RUNS);
// The Wasm sums minus their diagonal parts (w_k^2 K(l,l) + w_k Kd), for the comparison.
const s = wasm.out.sources;
let genDiag = 0, optDiag = 0;
subV.forEach((l, k) => {
  const c = l + params.sigma ** 2, w = subC[k];
  genDiag += w * (w * l / (4 * params.samples) + l / (4 * params.samples));
  optDiag += w * (w + 1) * (c ** 3 * params.tau) / (16 * params.batch * params.sigma ** 2);
});
const dGen = Math.abs(s.generalization - genDiag - plain.out.gen) / plain.out.gen;
const dOpt = Math.abs(s.optimization - optDiag - plain.out.opt) / plain.out.opt;
console.log(`  subsample (${subV.length} distinct): Wasm ${wasm.seconds.toFixed(4)} s, plain JS ${plain.seconds.toFixed(4)} s:`
  + ` ${(plain.seconds / wasm.seconds).toFixed(1)}x; relative differences gen ${dGen.toExponential(1)}, opt ${dOpt.toExponential(1)}`);

const results = {
  spectrum: label, distinct: D, pairs: D * (D - 1) / 2, runs: RUNS,
  pipelineKernelSeconds: { 1: full[1].seconds, 2: full[2].seconds }, loadAverage: { 1: full[1].load, 2: full[2].load }, target: 2, sameBits,
  subsample: { distinct: subV.length, wasmSeconds: wasm.seconds, plainSeconds: plain.seconds, speedup: plain.seconds / wasm.seconds, relativeDifference: { generalization: dGen, optimization: dOpt } },
};
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(join(ROOT, 'bench', 'results', 'kernels.json'), `${JSON.stringify(results, null, 2)}\n`);
