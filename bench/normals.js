#!/usr/bin/env node
// Normal-generation benchmark: gaussdiff's Wasm generator (src/random/random.ts -> assembly/random/random.ts: Philox-seeded
// SFC64 lanes in SIMD + 1024-layer ziggurat, one thread) against numpy's `np.random.default_rng(0)
// .standard_normal` (PCG64 + 256-layer ziggurat, one thread), n = 1e7 f64 normals, in the same run.
//
//   npm run build && node bench/normals.js [--runs N] [--n COUNT]
//
// numpy is timed inside python (no process start-up). Both sides are timed best of N runs after a warm-up
// call, in two like-for-like pairs:
//   new array:   `await normals(n, { seed })`          vs  `rng.standard_normal(n)`           (fresh memory)
//   into buffer: `await normalsInto(buf, { seed })`     vs  `rng.standard_normal(out=buf)`     (buffer reused)
// and, for scale: the generator kernel alone into Wasm memory (`normalsIn`), and the floor of any call that
// returns a fresh n-element array (allocate it and write it once: the page faults of fresh memory).
// Output: a table on stdout, and bench/results/normals.json (seconds and million normals per second).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import '../dist/node.js'; // sets where the Wasm module comes from
import { normals, normalsInto, normalsIn } from '../dist/random/random.js';
import { withWasm } from '../dist/wasm/kernel.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : dflt; };
const RUNS = opt('--runs', 5);
const N = opt('--n', 10 ** 7);

const PY = `
import json, sys, time
import numpy as np
n, runs = int(sys.argv[1]), int(sys.argv[2])
rng = np.random.default_rng(0)
rng.standard_normal(n)
fresh = float('inf')
for _ in range(runs):
    t = time.perf_counter()
    z = rng.standard_normal(n)
    fresh = min(fresh, time.perf_counter() - t)
buf = np.empty(n)
rng.standard_normal(out=buf)
into = float('inf')
for _ in range(runs):
    t = time.perf_counter()
    rng.standard_normal(out=buf)
    into = min(into, time.perf_counter() - t)
print(json.dumps({'seconds': fresh, 'into': into, 'numpy': np.__version__, 'mean': float(z.mean()), 'var': float(z.var())}))
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

async function into() {
  const buf = new Float64Array(N);
  await normalsInto(buf, { seed: 0 }); // warm-up, and the buffer's pages are faulted in once
  let best = Infinity;
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    await normalsInto(buf, { seed: r });
    best = Math.min(best, (performance.now() - t) / 1e3);
  }
  return { seconds: best };
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
const i = await into();
const f = fresh();
const k = await kernel();
const np = numpy();
const rate = (s) => N / s / 1e6;
const rows = [
  ['gaussdiff normals(n) (new array)', a.seconds],
  [`numpy ${np.numpy} standard_normal(n)`, np.seconds],
  ['gaussdiff normalsInto(buf)', i.seconds],
  [`numpy ${np.numpy} standard_normal(out=buf)`, np.into],
  ['gaussdiff normalsIn() (kernel into Wasm memory)', k.seconds],
  ['(floor: new Float64Array(n).fill(), no generation)', f.seconds],
];
console.log(`${N.toExponential(0)} standard normals, f64, one thread, best of ${RUNS} (${cpus()[0]?.model ?? 'cpu'}; node ${process.version})`);
for (const [name, s] of rows) console.log(`${name.padEnd(50)} ${(s * 1e3).toFixed(1).padStart(8)} ms ${rate(s).toFixed(1).padStart(8)} M/s`);
console.log(`new array vs numpy: ${(np.seconds / a.seconds).toFixed(2)}x; into a buffer vs numpy out=: ${(np.into / i.seconds).toFixed(2)}x (target: 2x); kernel vs numpy: ${(np.seconds / k.seconds).toFixed(2)}x`);
console.log(`sanity: gaussdiff mean ${a.mean.toExponential(2)} var ${a.var.toFixed(5)}; numpy mean ${np.mean.toExponential(2)} var ${np.var.toFixed(5)}`);

mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
const out = join(ROOT, 'bench/results/normals.json');
writeFileSync(out, `${JSON.stringify({
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model ?? null,
  n: N,
  runs: RUNS,
  method: 'blocks of 1024: Philox4x32-10-seeded SFC64 lanes (Wasm SIMD) + 1024-layer ziggurat (one 64-bit word per normal, reserve lane for rejections, own log), f64, one thread',
  gaussdiff: {
    api: { seconds: a.seconds, mPerSecond: rate(a.seconds) },
    into: { seconds: i.seconds, mPerSecond: rate(i.seconds) },
    kernel: { seconds: k.seconds, mPerSecond: rate(k.seconds) },
  },
  freshArrayFloor: { seconds: f.seconds, mPerSecond: rate(f.seconds) },
  numpy: {
    version: np.numpy,
    call: 'rng = np.random.default_rng(0); rng.standard_normal(n) / rng.standard_normal(out=buf)',
    seconds: np.seconds, mPerSecond: rate(np.seconds),
    into: { seconds: np.into, mPerSecond: rate(np.into) },
  },
  speedup: { api: np.seconds / a.seconds, into: np.into / i.seconds, kernel: np.seconds / k.seconds },
  targetSpeedup: 2,
}, null, 2)}\n`);
console.log(`wrote ${out}`);
