// The web explorer (web/, `gaussdiff serve`), built by `npm run build` after the TypeScript and the bundles:
//  - dist/web/app.js: the page (controls, URL state, figures drawn with src/plots/figures.ts and Observable
//    Plot), and dist/web/worker.js: its Web Worker, with the gaussdiff browser API and the Wasm inlined;
//  - dist/web/index.html and style.css, copied;
//  - dist/web/mnist-spectrum.npy: the MNIST spectrum (784 eigenvalues, src/spectra/mnist.ts), computed here
//    because the digits ship with the node package only.
// Everything is static and local (no CDN): dist/web can be served by any static file server.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { mnistSpectrum, toNpy } from '../dist/node.js';

const OUT = 'dist/web';
mkdirSync(OUT, { recursive: true });

await build({
  entryPoints: { app: 'web/app.ts', worker: 'web/worker.ts' },
  outdir: OUT,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  loader: { '.wasm': 'binary' },
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
});
for (const f of ['index.html', 'style.css']) copyFileSync(`web/${f}`, `${OUT}/${f}`);
writeFileSync(`${OUT}/mnist-spectrum.npy`, toNpy(await mnistSpectrum()));
