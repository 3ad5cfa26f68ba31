#!/usr/bin/env node
// One Monte-Carlo draw of the score-matching pipeline at d = 784 (issue 10), side by side with numpy in one
// run (run `npm run build` first: this imports dist/), and by `npm run bench` (--only pipeline).
// Spectrum: MNIST (mnistSpectrum, 784 modes, 120 of them 0). Draw: N samples of N(0, diag(l)) -> S_N = X^T X / N
// -> eigh -> exact DSM score at sigma = 0.1 -> ULA (gamma = 1e-3) variances per mode -> W2^2 by the nuclear
// norm of diag(sqrt l) U diag(sqrt v) (singular values by bidiagonalisation and dqds, as numpy's gesdd). N = 1000 and N = 5000.
//   gaussdiff  pipelineError(mnist, { samples, sigma, sampler: 'ula', gamma, draws }) on one thread: the time
//              per draw is (t(draws: 2) - t(draws: 0)) / 2, median of --runs runs; and the split of one
//              draw (normals, covariance, eigh, Bures SVD) from the same building blocks, timed step by step.
//   numpy      bench/numpy_pipeline.py, the same algorithm step for step (default_rng normals, X.T @ X / N,
//              eigh, per-mode variances, svd(compute_uv=False)), OPENBLAS/OMP/MKL_NUM_THREADS=1, timed inside
//              python, median of --runs draws; and the same with the zero modes left out (as gaussdiff does: their
//              samples are exactly 0, so S_N is block diagonal), numpy "deflated".
// Check: numpy's W2^2 on gaussdiff's own samples of draw 0 (through a .npy file) against gaussdiff's.
// Options: --runs N (default 5), --no-numpy. Results: printed, and bench/results/pipeline.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mnistSpectrum, prepareSpectrum, toNpy } from '../dist/node.js';
import { pipelineError } from '../dist/learning/pipeline.js';
import { exactScore, ulaVariance } from '../dist/learning/modes.js';
import { eighResidentIn } from '../dist/linalg/eigh.js';
import { singularValuesResidentIn } from '../dist/linalg/bures.js';
import { neumaierSum } from '../dist/core/sums.js';
import { normalsIn } from '../dist/random/random.js';
import { withWasm } from '../dist/wasm/kernel.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(args[runsAt + 1]) : 5;
const withNumpy = !args.includes('--no-numpy');
const PY_ENV = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', VECLIB_MAXIMUM_THREADS: '1' };
const SIGMA = 0.1;
const GAMMA = 1e-3;
const SEED = 1;
const ROUNDS = 2;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// The modes in the pipeline's order: distinct values ascending, each repeated by its multiplicity.
const spec = prepareSpectrum(await mnistSpectrum());
const l = new Float64Array(spec.dimension);
for (let k = 0, i = 0; k < spec.values.length; k++) for (let c = 0; c < spec.counts[k]; c++) l[i++] = spec.values[k];
const d = l.length;
const rootL = l.map(Math.sqrt);
const traceL = l.reduce((a, b) => a + b, 0);
let zeros = 0;
while (zeros < d && l[zeros] === 0) zeros++;
const q = d - zeros;
const dir = mkdtempSync(join(tmpdir(), 'gaussdiff-pipeline-'));
writeFileSync(join(dir, 'l.npy'), toNpy(l, [d]));

/** numpy_pipeline.py: RUNS draws of N samples, timed inside python (and W2^2 on gaussdiff's samples, if given). */
function numpyRun(n, data) {
  const py = spawnSync('python3', [join(ROOT, 'bench', 'numpy_pipeline.py'), join(dir, 'l.npy'), String(n), String(SIGMA), String(GAMMA), String(RUNS), String(SEED), ...(data ? [data] : [])],
    { env: PY_ENV, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (py.status !== 0) throw new Error(`numpy_pipeline.py failed: ${py.stderr || py.error}`);
  return JSON.parse(py.stdout);
}

/** Draw m of the pipeline's Monte Carlo, step by step as the library does it (zero modes left out): W2^2, the samples, times. */
function splitDraw(n, m) {
  return withWasm((scope) => {
    const t = [performance.now()];
    const px = scope.f64(n * d);
    normalsIn(scope, px, n * d, SEED, m * n * d);
    const x = scope.view(px, n * d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x[i * d + j] *= rootL[j];
    const samples = m === 0 ? scope.read(px, n * d) : null;
    for (let i = 0; i < n; i++) for (let j = 0; j < q; j++) x[i * q + j] = x[i * d + zeros + j];
    t.push(performance.now());
    const pc = scope.f64(q * q);
    scope.kernel.blasSyrk(px, n, q, pc, 1 / n, scope.f64(scope.kernel.blasGemmWorkspace(q, n, q)));
    t.push(performance.now());
    const eig = eighResidentIn(scope, pc, q);
    t.push(performance.now());
    const variance = (mu) => ulaVariance(exactScore(Math.max(mu, 0), SIGMA ** 2), GAMMA);
    const v = eig.values.map(variance);
    const f = scope.view(eig.vectors, q * q);
    for (let i = 0; i < q; i++) for (let j = 0; j < q; j++) f[i * q + j] *= rootL[zeros + i] * Math.sqrt(v[j]);
    const nuclear = neumaierSum(singularValuesResidentIn(scope, eig.vectors, q, q));
    t.push(performance.now());
    const w2sq = traceL + v.reduce((a, b) => a + b, 0) + zeros * variance(0) - 2 * nuclear;
    const seconds = t.slice(1).map((s, k) => (s - t[k]) / 1000);
    return { w2sq, samples, seconds };
  });
}

const results = { machine: `${cpus()[0].model} (${cpus().length} cores)`, loadavg: loadavg(), date: new Date().toISOString(), d, runs: RUNS, sigma: SIGMA, gamma: GAMMA, rows: [] };
console.log(`pipeline draw at d = ${d} (MNIST), ULA sigma ${SIGMA} gamma ${GAMMA}; ${results.machine}, load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
for (const n of [1000, 5000]) {
  const opts = { samples: n, sigma: SIGMA, sampler: 'ula', gamma: GAMMA, seed: SEED };
  const base = [];
  for (let k = 0; k < 3; k++) {
    const t = performance.now();
    await pipelineError(spec, { ...opts, draws: 0 });
    base.push(performance.now() - t);
  }
  const split = [];
  for (let m = 0; m < Math.max(RUNS, 2); m++) split.push(await splitDraw(n, m));
  let samplesFile = null;
  if (withNumpy) {
    samplesFile = join(dir, 'x.npy');
    writeFileSync(samplesFile, toNpy(split[0].samples, [n, d]));
  }
  // gaussdiff and numpy take turns (ROUNDS rounds of RUNS draws each), so a change of machine speed during the
  // run (frequent on shared hosts: 20% from one minute to the next) weighs on both sides alike.
  const api = [];
  const numpyRounds = [];
  let apiMean;
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < RUNS; k++) {
      const t = performance.now();
      apiMean = (await pipelineError(spec, { ...opts, draws: 2 })).w2sq.monteCarlo.mean;
      api.push((performance.now() - t - median(base)) / 2 / 1000);
    }
    if (withNumpy) numpyRounds.push(numpyRun(n, round === 0 ? samplesFile : null));
  }
  const row = {
    samples: n,
    gaussdiff: {
      secondsPerDraw: median(api),
      split: Object.fromEntries(['normals', 'covariance', 'eigh', 'svd'].map((k, i) => [k, median(split.map((s) => s.seconds[i]))])),
      // The step-by-step draw is the library's: its draws 0 and 1 average to pipelineError's draws: 2.
      splitMatchesApi: Math.abs((split[0].w2sq + split[1].w2sq) / 2 - apiMean) / apiMean,
    },
  };
  const splitText = Object.entries(row.gaussdiff.split).map(([k, s]) => `${k} ${(1000 * s).toFixed(0)}`).join(', ');
  console.log(`  N = ${n}: gaussdiff ${(1000 * row.gaussdiff.secondsPerDraw).toFixed(0)} ms per draw (split, ms: ${splitText}; `
    + `step-by-step vs API W2^2 ${row.gaussdiff.splitMatchesApi.toExponential(1)})`);
  if (withNumpy) {
    const pool = (f) => numpyRounds.flatMap(f);
    const out = { numpy: numpyRounds[0].numpy, w2sqOnData: numpyRounds[0].w2sqOnData,
      seconds: Object.fromEntries(Object.keys(numpyRounds[0].seconds).map((k) => [k, pool((o) => o.seconds[k])])),
      secondsDeflated: { total: pool((o) => o.secondsDeflated.total) } };
    row.numpy = {
      version: out.numpy,
      secondsPerDraw: median(out.seconds.total),
      split: { normals: median(out.seconds.normals), covariance: median(out.seconds.covariance), eigh: median(out.seconds.eigh), svd: median(out.seconds.svd) },
      deflatedSecondsPerDraw: median(out.secondsDeflated.total),
    };
    row.sameData = { gaussdiff: split[0].w2sq, numpy: out.w2sqOnData, relativeDifference: Math.abs(out.w2sqOnData - split[0].w2sq) / out.w2sqOnData };
    row.ratio = row.gaussdiff.secondsPerDraw / row.numpy.secondsPerDraw;
    row.ratioDeflated = row.gaussdiff.secondsPerDraw / row.numpy.deflatedSecondsPerDraw;
    const np = Object.entries(row.numpy.split).map(([k, s]) => `${k} ${(1000 * s).toFixed(0)}`).join(', ');
    console.log(`           numpy ${(1000 * row.numpy.secondsPerDraw).toFixed(0)} ms per draw (${np}); gaussdiff / numpy = ${row.ratio.toFixed(2)}`
      + ` (target <= 1: ${row.ratio <= 1 ? 'met' : 'NOT met'}); same samples: W2^2 ${split[0].w2sq.toPrecision(10)} vs ${out.w2sqOnData.toPrecision(10)}`
      + ` (rel. diff ${row.sameData.relativeDifference.toExponential(1)})`);
    console.log(`           numpy deflated (zero modes left out, as gaussdiff) ${(1000 * row.numpy.deflatedSecondsPerDraw).toFixed(0)} ms per draw; gaussdiff / numpy deflated = ${row.ratioDeflated.toFixed(2)}`);
  }
  results.rows.push(row);
}
rmSync(dir, { recursive: true, force: true });
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(join(ROOT, 'bench', 'results', 'pipeline.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log('written: bench/results/pipeline.json');
