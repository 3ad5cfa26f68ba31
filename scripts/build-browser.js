// Bundle the browser entry (src/browser.ts) into one ES module, dist/gaussdiff.browser.js, with the Wasm
// module inlined (esbuild's binary loader), so that a page needs a single import.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/browser.ts'],
  outfile: 'dist/gaussdiff.browser.js',
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  loader: { '.wasm': 'binary' },
  sourcemap: true,
  logLevel: 'warning',
});
