/**
 * The node worker pool (src/runtime/pool.ts): overlapping calls give the sequential results and leave no
 * call data behind in the workers; a failed call, a crashed worker or closeThreads() rejects only the
 * calls that lose work, typed, and the pool stays usable.
 */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { table, curve, contributions, closeThreads, warmThreads, adoptWorker, type TableResult } from '../../src/node.js';
import { parallelPairSums, poolState } from '../../src/runtime/pool.js';
import { pairRanges, runPairRanges, type PairSumInput } from '../../src/learning/kernels.js';
import { withWasm } from '../../src/wasm/kernel.js';
import { randomSpectrum } from '../helpers/random.js';
import { expectError } from '../helpers/errors.js';

// Small grids over a few thousand modes: with an explicit `threads` > 1 every call goes to the workers.
const OPTS = { steps: [10, 40], eps: [0, 1e-3] };
const spectra = Array.from({ length: 20 }, (_, i) => randomSpectrum(100 + i, 3000 + 97 * i, i % 3));
const threadsOf = (i: number) => 2 + (i % 3);

/** A worker that accepts calls and dies on its first task (an uncaught exception, like a crash). */
function crashingWorker(): Worker {
  return new Worker("require('node:worker_threads').parentPort.on('message', (m) => { if (m.type === 'task') throw new Error('boom'); });", { eval: true });
}

beforeEach(async () => {
  await closeThreads();
});
afterAll(async () => {
  await closeThreads();
});

describe('concurrent calls (issue 8, defect 1)', () => {
  it('20 overlapping table() calls on different spectra and thread counts equal the sequential calls', async () => {
    const sequential: TableResult[] = [];
    for (let i = 0; i < spectra.length; i++) sequential.push(await table(spectra[i], { ...OPTS, threads: threadsOf(i) }));
    const concurrent = await Promise.all(spectra.map((s, i) => table(s, { ...OPTS, threads: threadsOf(i) })));
    expect(concurrent).toEqual(sequential);
    // Different spectra give different tables: a mix-up between calls could not go unseen.
    expect(concurrent[1].rows[1].w2).not.toBe(concurrent[0].rows[1].w2);
    expect(await poolState()).toEqual({ workers: 4, held: 0 });
  });

  it('overlapping calls of different kinds (table, curve, contributions with variances) equal the sequential calls', async () => {
    const [a, b, c] = spectra;
    const run = () => [
      table(a, { ...OPTS, threads: 2 }),
      curve(b, { steps: 60, eps: 1e-3, threads: 3 }),
      contributions(c, { steps: 60, threads: 2 }),
      table(b, { ...OPTS, threads: 2 }),
    ];
    const sequential: unknown[] = [];
    for (const p of run()) sequential.push(await p);
    expect(await Promise.all(run())).toEqual(sequential);
    expect((await poolState()).held).toBe(0);
  });
});

describe('failures', () => {
  it('a call whose onProgress throws rejects with that error, drops its data, and spares an overlapping call', async () => {
    const expected = await table(spectra[1], { ...OPTS, threads: 2 });
    const failing = table(spectra[0], { ...OPTS, threads: 2, onProgress: () => { throw new Error('progress failed'); } });
    const other = table(spectra[1], { ...OPTS, threads: 2 });
    await expect(failing).rejects.toThrow('progress failed');
    expect(await other).toEqual(expected);
    expect(await poolState()).toEqual({ workers: 2, held: 0 });
    expect(await table(spectra[1], { ...OPTS, threads: 2 })).toEqual(expected);
  });

  it('a worker crash rejects, typed, only the call that had tasks on it; the pool replaces the worker', async () => {
    const [a, b] = spectra;
    const expectedA = await table(a, { ...OPTS, threads: 3 });
    const expectedB = await table(b, { ...OPTS, threads: 2 });
    await closeThreads();
    warmThreads(2);
    adoptWorker(crashingWorker()); // the third worker: used by a 3-thread call, not by a 2-thread one
    const callA = table(a, { ...OPTS, threads: 3 });
    const callB = table(b, { ...OPTS, threads: 2 });
    await expectError(callA, 'WORKER_FAILED', 'threads', /crashed \(boom\)/);
    expect(await callB).toEqual(expectedB);
    expect(await poolState()).toEqual({ workers: 2, held: 0 });
    expect(await table(a, { ...OPTS, threads: 3 })).toEqual(expectedA);
    expect(await poolState()).toEqual({ workers: 3, held: 0 });
  });

  it('closeThreads() during a call rejects it, typed; the next call starts new workers and works', async () => {
    const expected = await table(spectra[2], { ...OPTS, threads: 2 });
    const running = table(spectra[2], { steps: [2000], eps: [0], threads: 2 });
    await closeThreads();
    await expectError(running, 'WORKER_FAILED', 'threads', /closeThreads/);
    expect(await poolState()).toEqual({ workers: 0, held: 0 });
    expect(await table(spectra[2], { ...OPTS, threads: 2 })).toEqual(expected);
  });
});

describe('kernel pair sums (issue 10): pairs and pairTask', () => {
  /** A rank-1 input over n sorted distinct values with positive features (slot n: the padding mode). */
  function pairInput(n: number, seed: number): PairSumInput {
    const lam = Float64Array.from([...new Set(randomSpectrum(seed, 2 * n))].sort((a, b) => a - b).slice(0, n));
    const pad = (x: Float64Array, v: number) => { const y = new Float64Array(n + 1); y.set(x); y[n] = v; return y; };
    const f = (g: (l: number) => number) => pad(lam.map(g), 0);
    return { n, lam: pad(lam, 1), w: f((l) => 1 + Math.floor(l) % 3), genScale: 1e-3, rank: 1, pb: f((l) => l / (l + 0.01)), qb: f((l) => (l + 0.01) ** 4), stride: n + 1, e: 0.02, power: 2 };
  }

  it('overlapping calls on the workers return the calling thread\'s parts bit for bit, in range order, and leave no data', async () => {
    const inputs = [pairInput(1200, 1), pairInput(1700, 2), pairInput(900, 3)];
    const local = await Promise.all(inputs.map((x) => withWasm((scope) => runPairRanges(scope, x, pairRanges(x.n)))));
    const remote = await Promise.all(inputs.map((x, i) => parallelPairSums(x, pairRanges(x.n), 2 + (i % 2))));
    expect(remote).toEqual(local);
    expect(remote[0].length).toBeGreaterThan(1);
    expect(await poolState()).toEqual({ workers: 3, held: 0 });
  });

  it('closeThreads() during a call rejects it, typed; the next call works', async () => {
    const x = pairInput(1500, 4);
    const running = parallelPairSums(x, pairRanges(x.n), 2);
    await closeThreads();
    await expectError(running, 'WORKER_FAILED', 'threads', /closeThreads/);
    const parts = await parallelPairSums(x, pairRanges(x.n), 2);
    expect(parts).toEqual(await withWasm((scope) => runPairRanges(scope, x, pairRanges(x.n))));
    expect(await poolState()).toEqual({ workers: 2, held: 0 });
  });
});
