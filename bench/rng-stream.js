#!/usr/bin/env node
// The generator's raw 64-bit words (the SFC64 main lanes of consecutive blocks of one stream, in position
// order, little-endian) on stdout, for external batteries of statistical tests, e.g. Debian's dieharder:
//
//   npm run build && node bench/rng-stream.js [--seed S] | dieharder -a -g 200
//
// Runs until stdout closes. These are the words that uniforms (top 53 bits) and the ziggurat's normals
// (layer, fraction and sign) are made of.
import '../dist/node.js'; // sets where the Wasm module comes from
import { withWasm } from '../dist/wasm/kernel.js';

const args = process.argv.slice(2);
const at = args.indexOf('--seed');
const seed = at >= 0 ? Number(args[at + 1]) : 0;
const BLOCKS = 64; // per write: 64 blocks x 8 KiB

let open = true;
process.stdout.on('error', () => { open = false; }); // EPIPE when the reader stops
await withWasm(async (scope) => {
  const p = scope.f64(1040);
  const f = scope.kernel.blockWordsOut;
  for (let b = 0; open; b += BLOCKS) {
    const chunk = Buffer.allocUnsafe(BLOCKS * 8192);
    for (let j = 0; j < BLOCKS; j++) {
      f(p, (b + j) >>> 0, Math.floor((b + j) / 2 ** 32), 0, 0, seed >>> 0, Math.floor(seed / 2 ** 32));
      chunk.set(new Uint8Array(scope.view(p, 1024).buffer, p, 8192), j * 8192);
    }
    if (!process.stdout.write(chunk)) await new Promise((resolve) => process.stdout.once('drain', resolve));
  }
});
