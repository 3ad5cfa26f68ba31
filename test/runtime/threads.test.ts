/**
 * Worker threads from the outside: thread counts are checked before anything starts (issue 8, defect 3),
 * workers start whatever the parent's flags (defect 2), and idle workers never keep a process alive.
 * The child processes run the built package (dist/, bin/: `npm run build`).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  table, curve, samplerError, contributions, w2VsEps, warmThreads, closeThreads, imageLikeSpectrum, MAX_THREADS, validateThreads,
} from '../../src/node.js';
import { poolState } from '../../src/runtime/pool.js';
import { workerExecArgv } from '../../src/runtime/threads.js';
import { expectError } from '../helpers/errors.js';
import { ROOT } from '../helpers/shared.js';

const DIST = pathToFileURL(resolve(ROOT, 'dist/node.js')).href;
const BIN = resolve(ROOT, 'bin/gaussdiff.js');
// The same spectrum in the test and in the child processes: 5000 eigenvalues over five decades.
const SPECTRUM_JS = 'Float64Array.from({ length: 5000 }, (_, i) => 10 ** (-3 + (5 * ((i * 7919) % 5000)) / 5000))';
const spectrum = Float64Array.from({ length: 5000 }, (_, i) => 10 ** (-3 + (5 * ((i * 7919) % 5000)) / 5000));
const OPTS = { steps: [10, 40], eps: [0, 1e-3], threads: 2 };

afterAll(async () => {
  await closeThreads();
});

describe('thread counts are checked first (issue 8, defect 3)', () => {
  it('warmThreads refuses -5, 1.5, 1e9, 0, 65, NaN and "2" at once, typed, and starts no worker', async () => {
    await closeThreads();
    for (const bad of [-5, 1.5, 1e9, 0, MAX_THREADS + 1, NaN, '2']) {
      const t0 = performance.now();
      await expectError(() => warmThreads(bad as number), 'INVALID_OPTION', 'threads', /an integer from 1 to 64/);
      expect(performance.now() - t0).toBeLessThan(100);
    }
    expect((await poolState()).workers).toBe(0);
  });

  it('every computing function refuses threads: 1000 before reading a 2e6-value spectrum or starting a worker', async () => {
    await closeThreads();
    const big = new Float64Array(2e6).map((_, i) => 1 + (i % 1000));
    const calls = [
      () => table(big, { threads: 1000 }),
      () => curve(big, { threads: 1000 }),
      () => samplerError(big, { threads: 1000 }),
      () => contributions(big, { threads: 1000 }),
      () => w2VsEps(big, { eps: [0], threads: 1000 }),
    ];
    for (const call of calls) {
      const t0 = performance.now();
      await expectError(call, 'INVALID_OPTION', 'threads', /got number 1000 \(allowed: an integer from 1 to 64\)/);
      expect(performance.now() - t0).toBeLessThan(100);
    }
    expect((await poolState()).workers).toBe(0);
  });

  it('validateThreads (shared with the command line) accepts 1 to MAX_THREADS and names the argument it is given', async () => {
    expect(MAX_THREADS).toBe(64);
    expect(validateThreads(1)).toBe(1);
    expect(validateThreads(MAX_THREADS)).toBe(MAX_THREADS);
    await expectError(() => validateThreads(1e9, '--threads'), 'INVALID_OPTION', '--threads', /1 to 64/);
  });
});

describe('worker flags (issue 8, defect 2)', () => {
  it('workerExecArgv keeps loaders, conditions and warning flags, and drops --input-type, -e, -p, --test, --inspect and V8 flags', () => {
    const parent = [
      '--input-type', 'module', '--max-old-space-size=512', '-r', '/x/.pnp.cjs', '--import=tsx', '--conditions', 'development',
      '--inspect=9229', '--test', '--no-warnings', '--stack-size=2000', '--title', 'gd', '-p', '1 + 1', '-e', 'code',
    ];
    expect(workerExecArgv(parent)).toEqual(['-r', '/x/.pnp.cjs', '--import=tsx', '--conditions', 'development', '--no-warnings']);
    expect(workerExecArgv(['--input-type=module', '--eval=x'])).toEqual([]);
  });

  it('a worker starts with the kept flags (none is refused as ERR_WORKER_INVALID_EXEC_ARGV)', async () => {
    const execArgv = workerExecArgv(['--max-old-space-size=512', '--conditions=node', '--enable-source-maps', '--no-deprecation', '--unhandled-rejections', 'strict']);
    const w = new Worker("require('node:worker_threads').parentPort.postMessage(process.execArgv)", { eval: true, execArgv });
    const got = await new Promise((res, rej) => { w.once('message', res); w.once('error', rej); });
    await w.terminate();
    expect(got).toEqual(['--conditions=node', '--enable-source-maps', '--no-deprecation', '--unhandled-rejections', 'strict']);
  });

  it('node --max-old-space-size=512 --input-type=module -e "...": a threaded table from dist/ prints the in-process numbers', async () => {
    const code = `import { table } from ${JSON.stringify(DIST)};
      const r = await table(${SPECTRUM_JS}, ${JSON.stringify(OPTS)});
      console.log(JSON.stringify(r));`;
    const r = spawnSync(process.execPath, ['--max-old-space-size=512', '--input-type=module', '-e', code], { encoding: 'utf8', cwd: ROOT, timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(JSON.stringify(await table(spectrum, OPTS))));
  });

  it('the command line runs threaded under V8 and process flags (--max-old-space-size, --title) with the API numbers', async () => {
    const r = spawnSync(process.execPath, ['--max-old-space-size=512', '--title=gd', BIN, 'table', '--spectrum', 'image-like', '--steps', '10,40', '--eps', '0,0.001', '--threads', '2', '--json'],
      { encoding: 'utf8', cwd: ROOT, timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // The rows the workers computed (steps: N; the closed-form rows, steps: null, run on the main thread).
    const threaded = (rows: { steps: number | null }[]) => rows.filter((row) => row.steps !== null);
    const api = await table(imageLikeSpectrum(), OPTS);
    expect(threaded(JSON.parse(r.stdout).rows)).toEqual(threaded(JSON.parse(JSON.stringify(api.rows))));
  });
});

describe('idle workers (issue 8, item 4)', () => {
  it('a process with warm, used and failed-call workers exits by itself, without closeThreads()', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gaussdiff-idle-'));
    try {
      const script = join(dir, 'idle.mjs');
      writeFileSync(script, `import { table, warmThreads } from ${JSON.stringify(DIST)};
        const v = ${SPECTRUM_JS};
        warmThreads(3);
        const a = await table(v, ${JSON.stringify(OPTS)});
        const failed = await table(v, { ...${JSON.stringify(OPTS)}, onProgress: () => { throw new Error('stop'); } }).catch((e) => e.message);
        console.log(a.rows.length, failed);`);
      const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 60_000 });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout.trim()).toBe('48 stop');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
