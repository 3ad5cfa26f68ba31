#!/usr/bin/env node
// gaussdiff benchmarks (`npm run bench`): every target is a ratio against a baseline measured side by side
// in the same run, never an absolute time.
//
//  1. Full Table 2 (4 schemes x 4 eps x 2 starts x (continuous, N = 50, 250, 500, 1000)) on the ADSN
//     spectrum (196608 eigenvalues, 65511 distinct), whole process against whole process:
//       baseline  python3 bench/numpy_table.py  (vectorised numpy, one array operation per step over all
//                 modes, as the paper's code does)
//       gaussdiff node bin/gaussdiff.js table --json  (2 worker threads, and 1 thread)
//     target: gaussdiff >= 100x faster. The two JSON outputs are also checked against each other.
//  2. Wasm kernel against the plain-TS reference (same plans, same results), in process, with benny.
//
//  3. Dense linear algebra (issue 3): bench/eigh.js (eigh with vectors against numpy.linalg.eigh on one
//     BLAS thread and ml-matrix) and bench/gemm.js (GEMM against numpy), run as child processes.
//  4. Sampling (issue 4): bench/normals.js (normals/s against numpy's default_rng) and bench/sampling.js
//     (10^4 draws of a d = 3072 Gaussian from its eigendecomposition against numpy).
//  5. The state-space engine (issue 9): bench/statespace.js (20-step DPM-Solver++(2M) on the ADSN spectrum;
//     the tape kernel per state against the one-state propagation kernel).
//  6. First-order kernels of the score-matching pipeline (issue 10): bench/kernels.js (the kernel sum on the
//     ADSN spectrum, target < 2 s: the Laplace quadrature (default there) and the O(D^2) Wasm pair sums on 1
//     and 2 threads; against a plain-JS double loop on a subsample).
//  7. The score-matching pipeline's Monte Carlo (issue 10): bench/pipeline.js (one draw at d = 784 on MNIST,
//     N = 1000 and 5000, against the same algorithm in numpy with one BLAS thread, bench/numpy_pipeline.py).
//  8. The web explorer in Chromium (issue 11): bench/web.js (slider move to redrawn plot on the CIFAR-10
//     spectrum with 4 samplers, target < 50 ms; first load; bundle sizes).
//
// Options: --no-numpy (skip the numpy baselines), --runs N (gaussdiff runs per configuration, default 5),
// --only table|linalg|sampling|statespace|kernels|pipeline|web (one part). Results: printed, and written to bench/results/latest.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import b from 'benny';
import { table, imageLikeSpectrum, closeThreads, readNpy } from '../dist/node.js';
import { adsnSpectrum } from './helpers.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const withNumpy = !args.includes('--no-numpy');
const runsAt = args.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(args[runsAt + 1]) : 5;
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? args[onlyAt + 1] : null;

function timeProcess(cmd, argv) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
  return { seconds, stdout: r.stdout };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function compareRows(a, b) {
  let worst = 0;
  if (a.rows.length !== b.rows.length) throw new Error('row counts differ');
  a.rows.forEach((r, i) => {
    const s = b.rows[i];
    if (r.scheme !== s.scheme || r.eps !== s.eps || r.steps !== s.steps || r.init !== s.init) throw new Error(`row ${i} differs`);
    if (r.w2 === 'Infinity' || s.w2 === 'Infinity') {
      if (r.w2 !== s.w2) throw new Error(`row ${i}: ${r.w2} vs ${s.w2}`);
      return;
    }
    if (r.w2 !== s.w2) worst = Math.max(worst, Math.abs(r.w2 - s.w2) / Math.max(Math.abs(r.w2), Math.abs(s.w2)));
  });
  return worst;
}

const results = { date: new Date().toISOString(), machine: `${cpus()[0]?.model ?? 'unknown cpu'} x ${cpus().length}, node ${process.version}` };
console.log(`gaussdiff benchmarks: ${results.machine}\n`);

if (!only || only === 'table') {
// 1. Whole-process Table 2 on ADSN.
const { file, label } = await adsnSpectrum(ROOT);
console.log(`[1] full Table 2 (160 cells) on ${label}, whole process against whole process`);
const cli = (threads) => ['bin/gaussdiff.js', 'table', '--spectrum', file, '--json', '--threads', String(threads)];
const gd = {};
for (const threads of [2, 1]) {
  timeProcess(process.execPath, cli(threads)); // warm the file cache
  const times = [];
  let out = null;
  for (let i = 0; i < RUNS; i++) {
    const r = timeProcess(process.execPath, cli(threads));
    times.push(r.seconds);
    out = r.stdout;
  }
  gd[threads] = { seconds: median(times), all: times, rows: JSON.parse(out) };
  console.log(`    gaussdiff, ${threads} thread(s): median ${gd[threads].seconds.toFixed(3)} s over ${RUNS} runs (${times.map((t) => t.toFixed(3)).join(', ')})`);
}
results.table = { spectrum: label, gaussdiff2: gd[2].seconds, gaussdiff1: gd[1].seconds };
if (withNumpy) {
  const np = timeProcess('python3', ['bench/numpy_table.py', file, '--json']);
  const worst = compareRows(JSON.parse(np.stdout), gd[2].rows);
  results.table.numpy = np.seconds;
  results.table.speedup2 = np.seconds / gd[2].seconds;
  results.table.speedup1 = np.seconds / gd[1].seconds;
  results.table.worstRelativeDifference = worst;
  console.log(`    numpy baseline: ${np.seconds.toFixed(1)} s`);
  console.log(`    speedup: ${results.table.speedup2.toFixed(0)}x with 2 threads, ${results.table.speedup1.toFixed(0)}x with 1 thread (target >= 100x)`);
  console.log(`    results agree with numpy to ${worst.toExponential(1)} relative (all 160 cells, Infinity cells equal)`);
} else {
  console.log('    numpy baseline skipped (--no-numpy)');
}

// 2. Wasm against the plain-TS reference, in process (1 thread, so both run the same work on one core).
console.log('\n[2] Wasm kernel against the plain-TS reference (in process, 1 thread)');
const cifarFile = resolve(ROOT, '../shared/reference/cifar10-spectrum.npy');
const cifar = existsSync(cifarFile) ? await readNpy(cifarFile) : imageLikeSpectrum();
const adsn = await readNpy(file);
const hz = {};
const suite = (name, spectrum, opts) => b.suite(
  name,
  b.add('wasm', async () => { await table(spectrum, { ...opts, threads: 1 }); }),
  b.add('reference', async () => { await table(spectrum, { ...opts, backend: 'reference' }); }),
  b.configure({ cases: { minSamples: 3, maxTime: 3 } }),
  b.cycle(),
  b.complete((summary) => { hz[name] = Object.fromEntries(summary.results.map((r) => [r.name, r.details.mean])); }),
);
await suite('Table 2 on CIFAR-10 (3072 modes)', cifar, {});
await suite('ADSN, all schemes, N = 1000, eps = 0', adsn, { steps: [1000], eps: [0] });
results.wasmVsReference = Object.fromEntries(Object.entries(hz).map(([k, v]) => [k, { wasmSeconds: v.wasm, referenceSeconds: v.reference, speedup: v.reference / v.wasm }]));
for (const [k, v] of Object.entries(results.wasmVsReference)) console.log(`    ${k}: Wasm ${v.speedup.toFixed(1)}x faster than the TS reference`);
}

// 3. Dense linear algebra, each benchmark in its own process.
const parts = [['linalg', 'eigh', withNumpy ? [] : ['--no-numpy']], ['linalg', 'gemm', []], ['sampling', 'normals', []], ['sampling', 'sampling', []], ['statespace', 'statespace', []], ['kernels', 'kernels', []], ['pipeline', 'pipeline', withNumpy ? [] : ['--no-numpy']], ['web', 'web', []]];
if (only !== 'table') {
  for (const [part, name, extra] of parts) {
    if (only && only !== part) continue;
    console.log(`\n[${{ linalg: 3, sampling: 4, statespace: 5, kernels: 6, pipeline: 7, web: 8 }[part]}] ${name}: node bench/${name}.js ${extra.join(' ')}`);
    const r = spawnSync(process.execPath, [join('bench', `${name}.js`), ...extra], { cwd: ROOT, stdio: 'inherit' });
    if (r.status === 0) results[name] = JSON.parse(readFileSync(join(ROOT, 'bench', 'results', `${name}.json`), 'utf8'));
    else console.log(`    bench/${name}.js failed (exit ${r.status})`);
  }
}

await closeThreads();
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(join(ROOT, 'bench', 'results', 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log('\nwritten: bench/results/latest.json');
