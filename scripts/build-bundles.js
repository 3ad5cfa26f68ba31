// Bundles built with esbuild after `tsc` (npm run build):
//  - dist/gaussdiff.browser.js: the browser entry (src/browser.ts) as one ES module with the Wasm inlined
//    (binary loader), so that a page needs a single import;
//  - dist/cli.bundle.js and dist/worker.bundle.js: the command line and its worker threads as single files,
//    so that `gaussdiff` and each worker start without resolving dozens of modules (the library entry,
//    dist/node.js, stays unbundled for importers).
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

const node = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  // CommonJS dependencies bundled into an ES module need a `require` for node's built-ins.
  banner: { js: "import { createRequire as __gaussdiffRequire } from 'node:module'; const require = __gaussdiffRequire(import.meta.url);" },
};
await build({ ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.bundle.js' });
await build({ ...node, entryPoints: ['src/runtime/worker.ts'], outfile: 'dist/worker.bundle.js' });
