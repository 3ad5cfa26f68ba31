#!/usr/bin/env node
// gaussdiff command line: see `gaussdiff --help`. The code lives in src/cli.ts (compiled to dist/cli.js).
import { main } from '../dist/cli.js';

await main();
