#!/usr/bin/env node
// Sampling benchmark: `count` draws of a d-dimensional Gaussian from its eigendecomposition,
// X = Z (V diag(sqrt(l)))^T (one GEMM, count x d x d), default 10^4 draws of d = 3072.
//
//   npm run build:ts && node bench/sampling.js [--count N] [--d D] [--runs R] [--no-end-to-end]
//
// V: the eigenvectors of a random symmetric matrix (eigh, outside the timing), l_j = 1 / (j + 1).
// gaussdiff (one thread, Wasm f64x2 SIMD), best of R runs after a warm-up:
//   gemm       gemm(Z, B) with B = (V diag(sqrt l))^T: the product sampleCovariance does (copies in/out included);
//   normals    normals(count * d, { seed }) (the Wasm generator: Philox-seeded SFC64 + ziggurat);
//   sampleCovariance(C, d, count, { seed }) end to end, once (eigh of C + RNG + GEMM, C = V diag(l) V^T).
// numpy (OPENBLAS_NUM_THREADS=1, timed inside python3 on the same Z, V, l): `z @ (V * sqrt(l)).T`, best of R,
// and rng.standard_normal((count, d)). The first rows of both products are compared.
// Output: a table on stdout and bench/results/sampling.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import '../dist/node.js'; // sets where the Wasm module comes from
import { gemm } from '../dist/linalg/blas.js';
import { random } from './helpers.js';
import { eigh } from '../dist/linalg/eigh.js';
import { normals } from '../dist/random/random.js';
import { sampleCovariance } from '../dist/random/sampling.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const COUNT = arg('--count', 10000);
const D = arg('--d', 3072);
const RUNS = arg('--runs', 2);
const END_TO_END = !args.includes('--no-end-to-end');
const CHECK_ROWS = Math.min(COUNT, 64);
const SEED = 1;


const PY = `
import json, sys, time
import numpy as np
count, d, runs, rows, path = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
z = np.fromfile(path + '.z', dtype='<f8').reshape(count, d)
v = np.fromfile(path + '.v', dtype='<f8').reshape(d, d)
l = np.fromfile(path + '.l', dtype='<f8')
x = z @ (v * np.sqrt(l)).T
best = float('inf')
for _ in range(runs):
    t = time.perf_counter()
    x = z @ (v * np.sqrt(l)).T
    best = min(best, time.perf_counter() - t)
x[:rows].astype('<f8').tofile(path + '.out')
del x
rng = np.random.default_rng(1)
rng.standard_normal((count, d))
rbest = float('inf')
for _ in range(runs):
    t = time.perf_counter()
    rng.standard_normal((count, d))
    rbest = min(rbest, time.perf_counter() - t)
try:
    blas = np.show_config(mode='dicts')['Build Dependencies']['blas']
    blas = f"{blas.get('name', '?')} {blas.get('version', '')}"
except Exception:
    blas = '?'
print(json.dumps({'seconds': best, 'rngSeconds': rbest, 'numpy': np.__version__, 'blas': blas}))
`;

function numpy(path) {
  const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const r = spawnSync('python3', ['-c', PY, String(COUNT), String(D), String(RUNS), String(CHECK_ROWS), path],
    { env, encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr || r.error}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop());
  return { ...out, head: new Float64Array(readFileSync(`${path}.out`).buffer.slice(0)) };
}

async function best(fn, runs) {
  let result = await fn(); // warm-up
  let s = Infinity;
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    result = await fn();
    s = Math.min(s, (performance.now() - t) / 1e3);
  }
  return { seconds: s, result };
}

// ---- setup (untimed): V orthogonal, l, B = (V diag(sqrt l))^T, C = V diag(l) V^T, Z ----
console.log(`setup: eigh of a random symmetric ${D} x ${D} matrix ...`);
const a = random(D * D, 7);
for (let i = 0; i < D; i++) for (let j = 0; j < i; j++) a[j * D + i] = a[i * D + j];
let t0 = performance.now();
const { vectors: v } = await eigh(a, D);
const eighSeconds = (performance.now() - t0) / 1e3;
const l = Float64Array.from({ length: D }, (_, j) => 1 / (j + 1));
const b = new Float64Array(D * D);
const vl = new Float64Array(D * D); // V diag(l)
for (let i = 0; i < D; i++) {
  for (let j = 0; j < D; j++) {
    b[j * D + i] = Math.sqrt(l[j]) * v[i * D + j];
    vl[i * D + j] = l[j] * v[i * D + j];
  }
}
const z = await normals(COUNT * D, { seed: SEED });

console.log(`gaussdiff: gemm ${COUNT} x ${D} x ${D} (best of ${RUNS}) ...`);
const g = await best(() => gemm(z, b, COUNT, D, D), RUNS);
const rngG = await best(() => normals(COUNT * D, { seed: SEED }), RUNS);

const tmp = mkdtempSync(join(tmpdir(), 'gaussdiff-sampling-'));
let np;
try {
  const path = join(tmp, 'in');
  writeFileSync(`${path}.z`, Buffer.from(z.buffer, z.byteOffset, z.byteLength));
  writeFileSync(`${path}.v`, Buffer.from(v.buffer, v.byteOffset, v.byteLength));
  writeFileSync(`${path}.l`, Buffer.from(l.buffer, l.byteOffset, l.byteLength));
  console.log('numpy (1 BLAS thread) ...');
  np = numpy(path);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
let diff = 0;
let scale = 0;
for (let k = 0; k < CHECK_ROWS * D; k++) {
  diff = Math.max(diff, Math.abs(g.result[k] - np.head[k]));
  scale = Math.max(scale, Math.abs(np.head[k]));
}

let endToEnd = null;
if (END_TO_END) {
  console.log('gaussdiff: sampleCovariance end to end (eigh + RNG + GEMM), once ...');
  const c = await gemm(vl, Float64Array.from({ length: D * D }, (_, k) => v[(k % D) * D + Math.floor(k / D)]), D, D, D);
  for (let i = 0; i < D; i++) for (let j = 0; j < i; j++) { const m = 0.5 * (c[i * D + j] + c[j * D + i]); c[i * D + j] = m; c[j * D + i] = m; }
  const t = performance.now();
  await sampleCovariance(c, D, COUNT, { seed: SEED });
  endToEnd = (performance.now() - t) / 1e3;
}

const flops = 2 * COUNT * D * D;
const gf = (s) => flops / s / 1e9;
const rows = {
  gaussdiffGemm: { seconds: g.seconds, gflops: gf(g.seconds) },
  gaussdiffNormals: { seconds: rngG.seconds, perSecond: (COUNT * D) / rngG.seconds },
  gaussdiffSampleCovariance: endToEnd === null ? null : { seconds: endToEnd, eighSecondsOfSameSize: eighSeconds },
  numpyGemm1T: { seconds: np.seconds, gflops: gf(np.seconds) },
  numpyNormals: { seconds: np.rngSeconds, perSecond: (COUNT * D) / np.rngSeconds },
  ratioGemm: g.seconds / np.seconds,
  ratioWithRng: (g.seconds + rngG.seconds) / (np.seconds + np.rngSeconds),
  maxRelDiff: diff / scale,
};

const f = (x, n = 2) => x.toFixed(n);
console.log(`\nSampling ${COUNT} draws of d = ${D} via X = Z (V diag(sqrt l))^T, f64 (${cpus()[0]?.model ?? 'cpu'}, ${cpus().length} logical CPUs; numpy ${np.numpy}, ${np.blas}, 1 thread)`);
console.log(`  gaussdiff gemm        ${f(g.seconds)} s  ${f(gf(g.seconds), 1)} GFLOP/s`);
console.log(`  numpy z @ (V*sqrt l).T ${f(np.seconds)} s  ${f(gf(np.seconds), 1)} GFLOP/s   -> gaussdiff ${f(rows.ratioGemm, 1)}x the time`);
console.log(`  gaussdiff normals     ${f(rngG.seconds)} s  (${f(rows.gaussdiffNormals.perSecond / 1e6, 0)} M/s); numpy standard_normal ${f(np.rngSeconds)} s (${f(rows.numpyNormals.perSecond / 1e6, 0)} M/s)`);
console.log(`  RNG + GEMM            gaussdiff ${f(g.seconds + rngG.seconds)} s, numpy ${f(np.seconds + np.rngSeconds)} s -> ${f(rows.ratioWithRng, 1)}x`);
if (endToEnd !== null) console.log(`  sampleCovariance end to end ${f(endToEnd)} s (its eigh alone: ${f(eighSeconds)} s)`);
console.log(`  max rel diff of the first ${CHECK_ROWS} rows (same Z, V, l): ${rows.maxRelDiff.toExponential(1)}`);

mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
const out = join(ROOT, 'bench/results/sampling.json');
writeFileSync(out, `${JSON.stringify({
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model ?? null,
  logicalCpus: cpus().length,
  count: COUNT,
  d: D,
  runs: RUNS,
  numpy: np.numpy,
  blas: np.blas,
  note: 'seconds: best of runs after a warm-up (sampleCovariance: one run); gflops = 2 count d^2 / seconds / 1e9; numpy with OPENBLAS_NUM_THREADS=1 timing z @ (V * sqrt(l)).T inside python3; gaussdiff one thread, gemm timing includes copies into and out of Wasm memory',
  ...rows,
}, null, 2)}\n`);
console.log(`written ${out}`);
