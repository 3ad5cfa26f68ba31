#!/usr/bin/env node
// gaussdiff command line: see `gaussdiff --help`. The code lives in src/cli.ts (compiled to dist/cli.js).
import { setFlagsFromString } from 'node:v8';

// This process does long numeric work in Wasm: compile the kernel with the optimizing tier at once,
// rather than starting in the baseline tier (a running call never switches tiers). Worker threads
// receive the compiled module.
setFlagsFromString('--no-liftoff');
const { main } = await import('../dist/cli.js');

await main();
