#!/usr/bin/env node
// gaussdiff command line: see `gaussdiff --help`. The code lives in src/cli.ts (bundled into
// dist/cli.bundle.js by `npm run build`).
import { main } from '../dist/cli.bundle.js';

await main();
