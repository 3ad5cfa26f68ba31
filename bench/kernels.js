#!/usr/bin/env node
// First-order kernels of the score-matching pipeline (issue 10), run from dist after `npm run build`
// (node bench/kernels.js [--runs N]), and by `npm run bench` (--only kernels). Spectrum: ADSN of fabric.png
// (../shared/reference; 196608 eigenvalues, 65511 distinct) or, without ../shared, a synthetic one of the
// same shape.
//   1. pipelineKernel on the whole spectrum (ULA, sigma 0.1, tau 1e-6, gamma 1e-3, N 1000), 1 thread: the
//      O(D Q) Laplace quadrature of K_gen and K_opt (docs/math.md §3.4), spectrum preparation included, with
//      the load average at the time. Issue 10's target: under 2 s.
//   2. The O(D^2) Wasm pair sums of the same rows (pairRowSums) on 1 and on 2 threads (they agree bit for
//      bit), and the largest relative difference per mode and of the totals between quadrature and pairs.
//   3. pipelineKernel against a plain-JS double loop over the distinct pairs (the same formulas, each pair
//      once), on every 8th distinct value: the ratio, and the relative difference of the sums.
// Results: printed, and bench/results/kernels.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { adsnSpectrum } from './helpers.js';
import { prepareSpectrum, closeThreads, warmThreads } from '../dist/node.js';
import { pipelineKernel, pairRowSums, laplaceNodes, laplaceRowSums, kernelFeatures, resolveKernelParams } from '../dist/learning/kernels.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(args[runsAt + 1]) : 3;

const { spectrum, label } = await adsnSpectrum(ROOT);
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
const load = loadavg()[0];
const quad = await timed(() => pipelineKernel(spectrum, params, { threads: 1 }), RUNS);
const { out } = quad;
const f = kernelFeatures(values, resolveKernelParams(params));
const nodes = laplaceNodes(values, f);
console.log(`  pipelineKernel, Laplace quadrature (${nodes.length} nodes, 1 thread): ${quad.seconds.toFixed(3)} s (target < 2 s; load average ${load.toFixed(2)});`
  + ` total ${out.total.toExponential(6)} = gen ${out.sources.generalization.toExponential(4)} + opt ${out.sources.optimization.toExponential(4)} + bias ${out.sources.bias.toExponential(4)}`);
warmThreads(2);
const pairs = {};
for (const threads of [1, 2]) {
  pairs[threads] = { ...(await timed(() => pairRowSums(values, counts, f, threads), RUNS)), load: loadavg()[0] };
  console.log(`  pair sums, O(D^2) Wasm (${threads} thread${threads > 1 ? 's' : ''}): ${pairs[threads].seconds.toFixed(3)} s (load average ${pairs[threads].load.toFixed(2)})`);
}
const sameBits = pairs[1].out.every((rows, i) => rows.every((x, k) => x === pairs[2].out[i][k]));
console.log(`  pair sums on 1 and 2 threads: ${sameBits ? 'the same bit for bit' : 'DIFFERENT'}`);
await closeThreads();
// Quadrature against pairs: the largest relative difference per mode (of itself), and of the weighted totals.
const rows = laplaceRowSums(values, counts, f, nodes);
const agreement = ['generalization', 'optimization'].map((name, i) => {
  let worst = 0, a = 0, b = 0;
  rows[i].forEach((x, k) => {
    const y = pairs[1].out[i][k];
    if (y > 0) worst = Math.max(worst, Math.abs(x - y) / y);
    a += counts[k] * x; b += counts[k] * y;
  });
  return { name, perMode: worst, total: Math.abs(a - b) / b };
});
console.log(`  quadrature vs pair sums: ${agreement.map((r) => `${r.name} per mode ${r.perMode.toExponential(1)}, total ${r.total.toExponential(1)}`).join('; ')}`);

// Subsample: every 8th distinct value, positive (the plain loop has no l = 0 limits).
const subV = [], subC = [];
for (let k = 0; k < D; k += 8) if (values[k] > 0) { subV.push(values[k]); subC.push(counts[k]); }
const sub = Float64Array.from(subV.flatMap((l, i) => Array(subC[i]).fill(l)));
const lib = await timed(() => pipelineKernel(sub, params, { threads: 1 }), RUNS);
const plain = await timed(() => plainPairs(subV, subC), RUNS);
// pipelineKernel's sums minus their diagonal parts (w_k^2 K(l,l) + w_k Kd), for the comparison.
const s = lib.out.sources;
let genDiag = 0, optDiag = 0;
subV.forEach((l, k) => {
  const c = l + params.sigma ** 2, w = subC[k];
  genDiag += w * (w * l / (4 * params.samples) + l / (4 * params.samples));
  optDiag += w * (w + 1) * (c ** 3 * params.tau) / (16 * params.batch * params.sigma ** 2);
});
const dGen = Math.abs(s.generalization - genDiag - plain.out.gen) / plain.out.gen;
const dOpt = Math.abs(s.optimization - optDiag - plain.out.opt) / plain.out.opt;
console.log(`  subsample (${subV.length} distinct): pipelineKernel ${lib.seconds.toFixed(4)} s, plain JS pairs ${plain.seconds.toFixed(4)} s:`
  + ` ${(plain.seconds / lib.seconds).toFixed(1)}x; relative differences gen ${dGen.toExponential(1)}, opt ${dOpt.toExponential(1)}`);

const results = {
  spectrum: label, distinct: D, pairs: D * (D - 1) / 2, runs: RUNS,
  pipelineKernelSeconds: { 1: quad.seconds }, laplaceNodes: nodes.length, loadAverage: load, target: 2,
  pairSumSeconds: { 1: pairs[1].seconds, 2: pairs[2].seconds }, pairLoadAverage: { 1: pairs[1].load, 2: pairs[2].load }, sameBits,
  quadratureVsPairs: Object.fromEntries(agreement.map((r) => [r.name, { perMode: r.perMode, total: r.total }])),
  subsample: { distinct: subV.length, seconds: lib.seconds, plainSeconds: plain.seconds, speedup: plain.seconds / lib.seconds, relativeDifference: { generalization: dGen, optimization: dOpt } },
};
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(join(ROOT, 'bench', 'results', 'kernels.json'), `${JSON.stringify(results, null, 2)}\n`);
