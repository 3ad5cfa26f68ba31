#!/usr/bin/env node
// GEMM benchmark: gaussdiff's Wasm GEMM (src/linalg/blas.ts -> assembly/linalg/gemm.ts, one thread, f64x2 SIMD)
// against numpy's matmul (OpenBLAS) on d x d x d products, d = 256, 512, 1024.
//
//   npm run build:wasm && npm run build:ts && node bench/gemm.js [--runs N]
//
// numpy is timed inside python (no process start-up or conversion counted), once with
// OPENBLAS_NUM_THREADS=1 (the fair single-thread comparison) and once with its default thread count.
// gaussdiff is timed around `gemm(a, b, d, d, d)`, i.e. including the copies of A and B into Wasm memory
// and of C out of it. Each figure is the best of N runs after a warm-up call. Both results are checked
// against each other (same inputs, written to a temporary .bin file).
// Output: a table on stdout, and bench/results/gemm.json (seconds and GFLOP/s = 2 d^3 / s / 1e9).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import '../dist/node.js'; // sets where the Wasm module comes from
import { gemm } from '../dist/linalg/blas.js';
import { random } from './helpers.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(args[runsAt + 1]) : 5;
const SIZES = [256, 512, 1024];


const PY = `
import json, sys, time
import numpy as np
d, runs, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
raw = np.fromfile(path, dtype='<f8')
a = raw[:d * d].reshape(d, d).copy()
b = raw[d * d:].reshape(d, d).copy()
c = a @ b
best = float('inf')
for _ in range(runs):
    t = time.perf_counter()
    c = a @ b
    best = min(best, time.perf_counter() - t)
c.astype('<f8').tofile(path + '.out')
try:
    blas = np.show_config(mode='dicts')['Build Dependencies']['blas']
    blas = f"{blas.get('name', '?')} {blas.get('version', '')}"
except Exception:
    blas = '?'
print(json.dumps({'seconds': best, 'numpy': np.__version__, 'blas': blas}))
`;

function numpy(d, path, threads) {
  const env = { ...process.env };
  if (threads === 1) {
    env.OPENBLAS_NUM_THREADS = '1';
    env.OMP_NUM_THREADS = '1';
    env.MKL_NUM_THREADS = '1';
  } else {
    delete env.OPENBLAS_NUM_THREADS;
    delete env.OMP_NUM_THREADS;
    delete env.MKL_NUM_THREADS;
  }
  const r = spawnSync('python3', ['-c', PY, String(d), String(RUNS), path], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr || r.error}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop());
  const c = new Float64Array(readFileSync(`${path}.out`).buffer.slice(0));
  return { ...out, c };
}

async function gaussdiff(a, b, d) {
  let c = await gemm(a, b, d, d, d); // warm-up (loads the module, lets V8 optimise)
  let best = Infinity;
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    c = await gemm(a, b, d, d, d);
    best = Math.min(best, (performance.now() - t) / 1e3);
  }
  return { seconds: best, c };
}

function maxRelDiff(x, y) {
  let e = 0;
  let n = 0;
  for (let i = 0; i < y.length; i++) {
    e = Math.max(e, Math.abs(x[i] - y[i]));
    n = Math.max(n, Math.abs(y[i]));
  }
  return e / n;
}

const tmp = mkdtempSync(join(tmpdir(), 'gaussdiff-gemm-'));
const rows = [];
let numpyInfo = {};
try {
  for (const d of SIZES) {
    const a = random(d * d, d);
    const b = random(d * d, d + 1);
    const path = join(tmp, `ab${d}.bin`);
    const ab = new Float64Array(2 * d * d);
    ab.set(a);
    ab.set(b, d * d);
    writeFileSync(path, Buffer.from(ab.buffer));
    const g = await gaussdiff(a, b, d);
    const n1 = numpy(d, path, 1);
    const nt = numpy(d, path, 0);
    numpyInfo = { numpy: n1.numpy, blas: n1.blas };
    const gflops = (s) => (2 * d ** 3) / s / 1e9;
    rows.push({
      d,
      gaussdiff: { seconds: g.seconds, gflops: gflops(g.seconds) },
      numpy1: { seconds: n1.seconds, gflops: gflops(n1.seconds) },
      numpyThreads: { seconds: nt.seconds, gflops: gflops(nt.seconds) },
      ratio1: g.seconds / n1.seconds,
      maxRelDiff: maxRelDiff(g.c, n1.c),
    });
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

const pad = (s, n) => String(s).padStart(n);
const f = (x, digits = 2) => x.toFixed(digits);
console.log(`GEMM C = A B, d x d x d, f64, best of ${RUNS} (${cpus()[0]?.model ?? 'cpu'}, ${cpus().length} logical CPUs; numpy ${numpyInfo.numpy}, ${numpyInfo.blas})`);
console.log(`${pad('d', 6)} | ${pad('gaussdiff ms', 12)} ${pad('GFLOP/s', 8)} | ${pad('numpy 1T ms', 11)} ${pad('GFLOP/s', 8)} | ${pad('numpy ms', 9)} ${pad('GFLOP/s', 8)} | ${pad('vs numpy 1T', 11)} | ${pad('max rel diff', 12)}`);
for (const r of rows) {
  console.log(`${pad(r.d, 6)} | ${pad(f(r.gaussdiff.seconds * 1e3), 12)} ${pad(f(r.gaussdiff.gflops, 1), 8)} | ${pad(f(r.numpy1.seconds * 1e3), 11)} ${pad(f(r.numpy1.gflops, 1), 8)} | ${pad(f(r.numpyThreads.seconds * 1e3), 9)} ${pad(f(r.numpyThreads.gflops, 1), 8)} | ${pad(`${f(r.ratio1, 1)}x slower`, 11)} | ${pad(r.maxRelDiff.toExponential(1), 12)}`);
}

mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
const out = join(ROOT, 'bench/results/gemm.json');
writeFileSync(out, `${JSON.stringify({
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model ?? null,
  logicalCpus: cpus().length,
  runs: RUNS,
  ...numpyInfo,
  note: 'seconds: best of runs; gflops = 2 d^3 / seconds / 1e9; numpy1: OPENBLAS_NUM_THREADS=1; numpyThreads: default threads; gaussdiff: one thread, includes copies in and out of Wasm memory',
  rows,
}, null, 2)}\n`);
console.log(`written ${out}`);
