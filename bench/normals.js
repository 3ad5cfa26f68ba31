#!/usr/bin/env node
// Normal-generation benchmark: gaussdiff's Wasm Philox4x32-10 + ziggurat (src/random.ts ->
// assembly/random.ts, one thread, SIMD) against numpy's `np.random.default_rng(0).standard_normal(n)`
// (PCG64 + ziggurat, one thread), n = 1e7 f64 normals.
//
//   npm run build:wasm && npm run build:ts && node bench/normals.js [--runs N] [--n COUNT]
//
// numpy is timed inside python (no process start-up). gaussdiff is timed two ways, best of N runs each
// after a warm-up call:
//   api:    `await normals(n, { seed })` - the public call: allocate in Wasm, fill, copy out to a new array.
//   kernel: `normalsIn(scope, ptr, n, seed, offset)` into a block allocated once (the generator alone, as
//           Wasm-side callers such as src/sampling.ts use it).
// Output: a table on stdout, and bench/results/normals.json (seconds and million normals per second).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import '../dist/node.js'; // sets where the Wasm module comes from
import { normals, normalsIn } from '../dist/random.js';
import { withWasm } from '../dist/wasm.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : dflt; };
const RUNS = opt('--runs', 5);
const N = opt('--n', 10 ** 7);

const PY = `
import json, sys, time
import numpy as np
n, runs = int(sys.argv[1]), int(sys.argv[2])
np.random.default_rng(0).standard_normal(n)
best = float('inf')
for _ in range(runs):
    t = time.perf_counter()
    z = np.random.default_rng(0).standard_normal(n)
    best = min(best, time.perf_counter() - t)
print(json.dumps({'seconds': best, 'numpy': np.__version__, 'mean': float(z.mean()), 'var': float(z.var())}))
`;

function numpy() {
  const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const r = spawnSync('python3', ['-c', PY, String(N), String(RUNS)], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr || r.error}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

async function api() {
  let z = await normals(N, { seed: 0 }); // warm-up: loads the module, lets V8 tier up
  let best = Infinity;
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    z = await normals(N, { seed: r });
    best = Math.min(best, (performance.now() - t) / 1e3);
  }
  let s = 0, s2 = 0;
  for (let i = 0; i < N; i++) { s += z[i]; s2 += z[i] * z[i]; }
  return { seconds: best, mean: s / N, var: s2 / N - (s / N) ** 2 };
}

async function kernel() {
  return withWasm((scope) => {
    const p = scope.f64(N);
    normalsIn(scope, p, N, 0, 0); // warm-up
    let best = Infinity;
    for (let r = 0; r < RUNS; r++) {
      const t = performance.now();
      normalsIn(scope, p, N, 1, r * N);
      best = Math.min(best, (performance.now() - t) / 1e3);
    }
    return { seconds: best };
  });
}

// The memory floor of any call that returns a fresh n-element Float64Array: allocate and write it once
// (page faults of fresh memory + the stores; numpy's standard_normal pays it too).
function fresh() {
  let best = Infinity;
  for (let r = 0; r < RUNS + 1; r++) {
    const t = performance.now();
    const z = new Float64Array(N);
    z.fill(r + 0.5);
    best = Math.min(best, (performance.now() - t) / 1e3);
  }
  return { seconds: best };
}

const a = await api();
const f = fresh();
const k = await kernel();
const np = numpy();
const rate = (s) => N / s / 1e6;
const rows = [
  ['gaussdiff normals() (api, with copy out)', a.seconds],
  ['gaussdiff normalsIn() (kernel only)', k.seconds],
  [`numpy ${np.numpy} default_rng(0).standard_normal`, np.seconds],
  ['(floor: new Float64Array(n).fill(), no generation)', f.seconds],
];
console.log(`${N.toExponential(0)} standard normals, f64, one thread, best of ${RUNS} (${cpus()[0]?.model ?? 'cpu'}; node ${process.version})`);
for (const [name, s] of rows) console.log(`${name.padEnd(48)} ${(s * 1e3).toFixed(1).padStart(8)} ms ${rate(s).toFixed(1).padStart(8)} M/s`);
console.log(`api vs numpy: ${(np.seconds / a.seconds).toFixed(2)}x; kernel vs numpy: ${(np.seconds / k.seconds).toFixed(2)}x (target: 2x)`);
console.log(`sanity: gaussdiff mean ${a.mean.toExponential(2)} var ${a.var.toFixed(5)}; numpy mean ${np.mean.toExponential(2)} var ${np.var.toFixed(5)}`);

mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
const out = join(ROOT, 'bench/results/normals.json');
writeFileSync(out, `${JSON.stringify({
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model ?? null,
  n: N,
  runs: RUNS,
  method: 'Philox4x32-10 (Wasm SIMD) + 256-layer ziggurat (64 bits per normal, side Philox stream for rejections, own log), f64, one thread',
  gaussdiff: {
    api: { seconds: a.seconds, mPerSecond: rate(a.seconds) },
    kernel: { seconds: k.seconds, mPerSecond: rate(k.seconds) },
  },
  freshArrayFloor: { seconds: f.seconds, mPerSecond: rate(f.seconds) },
  numpy: { version: np.numpy, call: 'np.random.default_rng(0).standard_normal(n)', seconds: np.seconds, mPerSecond: rate(np.seconds) },
  speedup: { api: np.seconds / a.seconds, kernel: np.seconds / k.seconds },
  targetSpeedup: 2,
}, null, 2)}\n`);
console.log(`wrote ${out}`);
