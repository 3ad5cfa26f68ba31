#!/usr/bin/env node
// gaussdiff command line: see `gaussdiff --help`. The code lives in src/cli/main.ts (bundled into
// dist/cli.bundle.js by `npm run build`).
import { Worker } from 'node:worker_threads';
import { workerExecArgv } from '../dist/runtime/threads.js';

// Worker threads take tens of milliseconds to boot and warm up their kernel: start the two that large
// jobs use before loading the command line itself (a command that needs none just lets them go: they never
// keep the process alive). They get the flags the pool gives its own workers (src/runtime/threads.ts).
const execArgv = workerExecArgv(process.execArgv);
const early = [0, 1].map(() => new Worker(new URL('../dist/worker.bundle.js', import.meta.url), { execArgv }));
for (const w of early) w.unref();
const { main, adoptWorker } = await import('../dist/cli.bundle.js');
for (const w of early) adoptWorker(w);
await main();
