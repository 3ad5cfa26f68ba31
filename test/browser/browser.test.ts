/**
 * Browser bundle check: dist/gaussdiff.browser.js (one ES module, Wasm inlined) running in headless Chromium
 * gives the same answers as the node entry (src/node.ts).
 *
 * What it checks:
 *  - the bundle imports in a real browser page, with no page errors, no console errors and no separate
 *    .wasm request (the module must be inlined);
 *  - it exports the same public functions (and the same export names overall) as the node entry;
 *  - table() on the built-in imageLikeSpectrum() and on a spectrum with zero eigenvalues gives the same
 *    rows as in node: same scheme/eps/steps/init in the same order, w2 within 1e-12 relative, 'Infinity'
 *    exactly where node has it (the zeros case must contain at least one Infinity, from Heun);
 *  - loading the page a second time (fresh browser context) serves the same bundle bytes and gives
 *    bit-identical rows.
 *
 * Chromium: /usr/bin/chromium, or env CHROMIUM_PATH. Without it the browser tests are skipped (with a
 * warning) locally and FAIL when CI=true. The bundle must be built first (`npm run build`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import * as gaussdiff from '../../src/node.ts';

// ---------------------------------------------------------------------------------------------------------
// Setup: where things are, and whether this machine can run the browser tests.

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
const BUNDLE = 'gaussdiff.browser.js';
const BUNDLE_PATH = resolve(DIST, BUNDLE);

const IN_CI = process.env.CI === 'true';
// An explicit CHROMIUM_PATH is authoritative (a wrong one is not silently replaced by /usr/bin/chromium).
const CHROMIUM_WANTED = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM = existsSync(CHROMIUM_WANTED) ? CHROMIUM_WANTED : null;
const MISSING_IN_CI = 'chromium is required in CI: apt-get install -y chromium';

if (!CHROMIUM && !IN_CI) {
  console.warn(
    `[browser.test] SKIPPING the browser bundle tests: no chromium at ${CHROMIUM_WANTED}. ` +
      'Install it with `apt-get install -y chromium` or set CHROMIUM_PATH (they are required when CI=true).',
  );
}

const LAUNCH_TIMEOUT = 60_000;
const TEST_TIMEOUT = 60_000;

/** Options shared by the browser and node runs. */
const IMAGE_OPTIONS = { schemes: ['em', 'ei', 'euler', 'heun'], steps: [20, 100], eps: [0, 1e-3] } as const;
const ZEROS_SPECTRUM = [0, 0, 0.5, 1, 2];
const ZEROS_OPTIONS = { schemes: ['em', 'ei', 'euler', 'heun'], steps: [10], eps: [0] } as const;
const REL_TOL = 1e-12;
/** A random stream drawn in the page and in node: it must be the same, bit for bit (numbers survive JSON exactly). */
const STREAM = { seed: 123456789, offset: 5, count: 10007 };
/** The score-matching pipeline (SGD at its stationary law, ULA + Tweedie, Monte Carlo): seeded, the same in the page. */
const PIPELINE = { spectrum: [0, 0.25, 0.5, 1, 2], options: { samples: 300, sigma: 0.2, tau: 1e-4, sampler: 'ula', gamma: 0.01, denoise: true, draws: 12, seed: 42 } } as const;

/**
 * The bundle is built from src/, assembly/ (via build/gaussdiff.wasm) while node runs src/ directly: if any of
 * those is newer than the bundle, a mismatch may just mean `npm run build` was not rerun. Returns a hint.
 */
function staleBundleHint(): string {
  if (!existsSync(BUNDLE_PATH)) return '';
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const bundleTime = statSync(BUNDLE_PATH).mtimeMs;
  const sources = ['src', 'assembly']
    .flatMap((dir) => (existsSync(join(root, dir)) ? readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' }).map((f) => join(dir, f)) : []))
    .concat('build/gaussdiff.wasm')
    .filter((f) => existsSync(join(root, f)) && statSync(join(root, f)).isFile());
  const newer = sources.filter((f) => statSync(join(root, f)).mtimeMs > bundleTime);
  return newer.length ? ` (note: ${newer.join(', ')} changed after ${BUNDLE} was built: rerun \`npm run build\`)` : '';
}

type Row = gaussdiff.TableRow;
interface PageResult {
  exportNames: string[];
  functionNames: string[];
  imageRows: Row[];
  zerosRows: Row[];
  bundleSha256: string;
  normals: number[];
  uniforms: number[];
  pipeline: { w2sq: unknown; decomposition: unknown };
}

/**
 * Runs inside the page. Kept as a string: vitest rewrites `import()` in this file's code, so a function
 * passed to page.evaluate would reach the browser with vitest's import helper instead of a real import().
 */
const PAGE_SCRIPT = `async (args) => {
  const m = await import(args.bundleUrl);
  const keys = Object.keys(m).sort();
  const image = await m.table(m.imageLikeSpectrum(), args.imageOptions);
  const zeros = await m.table(args.zerosSpectrum, args.zerosOptions);
  const normals = Array.from(await m.normals(args.stream.count, { seed: args.stream.seed, offset: args.stream.offset }));
  const uniforms = Array.from(await m.uniforms(args.stream.count, { seed: args.stream.seed, offset: args.stream.offset }));
  const pipe = await m.pipelineError(args.pipeline.spectrum, args.pipeline.options);
  const bytes = await (await fetch(args.bundleUrl)).arrayBuffer();
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return {
    exportNames: keys,
    functionNames: keys.filter((k) => typeof m[k] === 'function'),
    imageRows: image.rows,
    zerosRows: zeros.rows,
    normals,
    uniforms,
    pipeline: { w2sq: pipe.w2sq, decomposition: pipe.decomposition },
    bundleSha256: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join(''),
  };
}`;

// ---------------------------------------------------------------------------------------------------------
// A tiny static server for dist/ (plus an index.html), on 127.0.0.1 and a free port.

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.wasm': 'application/wasm',
};
// An empty icon, so that Chromium does not ask for /favicon.ico (a 404 would show up as a console error).
const INDEX_HTML = '<!doctype html><html><head><meta charset="utf-8"><title>gaussdiff browser test</title><link rel="icon" href="data:,"></head><body></body></html>';

/** Every path the server was asked for, in order (to check what the page loads). */
const served: string[] = [];

function startServer(root: string): Promise<{ server: Server; origin: string }> {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    served.push(path);
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'Content-Type': CONTENT_TYPES['.html'], 'Cache-Control': 'no-store' });
      res.end(INDEX_HTML);
      return;
    }
    const file = resolve(root, '.' + path);
    if (!file.startsWith(root.endsWith(sep) ? root : root + sep)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, {
        'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
        'Cache-Control': 'no-store',
      });
      res.end(body);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    }
  });
  return new Promise((ok, ko) => {
    server.once('error', ko);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      ok({ server, origin: `http://127.0.0.1:${port}` });
    });
  });
}

// ---------------------------------------------------------------------------------------------------------
// Comparison helpers: list every disagreement, so a failure says exactly which cells differ.

const key = (r: Row) => `${r.scheme} eps=${r.eps} steps=${r.steps} init=${r.init}`;

function w2Mismatches(browser: Row[], node: Row[]): string[] {
  const out: string[] = [];
  browser.forEach((b, i) => {
    const n = node[i];
    if (b.w2 === 'Infinity' || n.w2 === 'Infinity') {
      if (b.w2 !== n.w2) out.push(`${key(n)}: browser ${b.w2}, node ${n.w2}`);
      return;
    }
    if (typeof b.w2 !== 'number' || !Number.isFinite(b.w2)) {
      out.push(`${key(n)}: browser w2 is ${String(b.w2)} (${typeof b.w2})`);
      return;
    }
    const scale = Math.max(Math.abs(b.w2), Math.abs(n.w2));
    const rel = scale === 0 ? 0 : Math.abs(b.w2 - n.w2) / scale;
    if (!(rel <= REL_TOL)) out.push(`${key(n)}: browser ${b.w2}, node ${n.w2} (relative difference ${rel.toExponential(2)})`);
  });
  return out;
}

function expectSameTable(browser: Row[], node: Row[]): void {
  expect(node.length).toBeGreaterThan(0);
  // Same cells in the same order.
  expect(browser.map(key)).toEqual(node.map(key));
  // Same values.
  expect(w2Mismatches(browser, node), `w2 cells differing between browser and node${staleBundleHint()}`).toEqual([]);
}

// ---------------------------------------------------------------------------------------------------------

if (!CHROMIUM && IN_CI) {
  it('chromium is installed (required in CI)', () => {
    expect.fail(`${MISSING_IN_CI} (looked for ${CHROMIUM_WANTED}; or set CHROMIUM_PATH)`);
  });
}

describe.skipIf(!CHROMIUM)('browser bundle (dist/gaussdiff.browser.js) in headless Chromium', () => {
  let browser: Browser | undefined;
  let server: Server | undefined;
  let origin = '';
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  /** Load index.html in a fresh context (empty cache, fresh module map) and run PAGE_SCRIPT there. */
  async function runInPage(): Promise<PageResult> {
    const context = await browser!.newContext();
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(`console.error: ${msg.text()} (${msg.location().url || 'no url'})`);
    });
    const response = await page.goto(`${origin}/`);
    expect(response?.status()).toBe(200);
    const args = {
      bundleUrl: `/${BUNDLE}`,
      imageOptions: IMAGE_OPTIONS,
      zerosSpectrum: ZEROS_SPECTRUM,
      zerosOptions: ZEROS_OPTIONS,
      stream: STREAM,
      pipeline: PIPELINE,
    };
    const result = (await page.evaluate(`(${PAGE_SCRIPT})(${JSON.stringify(args)})`)) as PageResult;
    await context.close();
    return result;
  }

  let first: PageResult;
  let nodeImage: Row[];
  let nodeZeros: Row[];

  beforeAll(async () => {
    if (!existsSync(BUNDLE_PATH)) throw new Error(`${BUNDLE_PATH} is missing: run \`npm run build\` first`);
    const stale = staleBundleHint();
    if (stale) console.warn(`[browser.test] the bundle may be stale${stale}`);
    ({ server, origin } = await startServer(DIST));
    browser = await chromium.launch({
      executablePath: CHROMIUM!,
      headless: true,
      timeout: LAUNCH_TIMEOUT,
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
    });
    first = await runInPage();
    nodeImage = (await gaussdiff.table(gaussdiff.imageLikeSpectrum(), structuredClone(IMAGE_OPTIONS) as never)).rows;
    nodeZeros = (await gaussdiff.table(ZEROS_SPECTRUM, structuredClone(ZEROS_OPTIONS) as never)).rows;
  }, LAUNCH_TIMEOUT * 2);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
    await gaussdiff.closeThreads();
  }, LAUNCH_TIMEOUT);

  it('loads without page errors, console errors or a separate .wasm request', () => {
    expect(pageErrors).toEqual([]);
    expect(served).toContain(`/${BUNDLE}`);
    expect(served.filter((p) => p.endsWith('.wasm'))).toEqual([]);
  });

  it('exports the same public functions as the node entry', () => {
    const nodeKeys = Object.keys(gaussdiff).sort();
    const nodeFunctions = nodeKeys.filter((k) => typeof (gaussdiff as Record<string, unknown>)[k] === 'function');
    expect(nodeFunctions).toContain('table');
    expect(first.functionNames).toEqual(nodeFunctions);
    // Constants (SCHEMES, TABLE_DEFAULTS, ...) too.
    expect(first.exportNames).toEqual(nodeKeys);
  });

  it('table() on imageLikeSpectrum() matches node', () => {
    const { schemes, steps, eps } = IMAGE_OPTIONS;
    // scheme x eps x init x (continuous + each N)
    expect(first.imageRows).toHaveLength(schemes.length * eps.length * 2 * (1 + steps.length));
    expectSameTable(first.imageRows, nodeImage);
  }, TEST_TIMEOUT);

  it('table() on a spectrum with zeros matches node, including Infinity cells', () => {
    expectSameTable(first.zerosRows, nodeZeros);
    const infinite = nodeZeros.filter((r) => r.w2 === 'Infinity');
    expect(infinite.length, 'expected at least one Infinity cell (heun on zero eigenvalues)').toBeGreaterThan(0);
    expect(infinite.some((r) => r.scheme === 'heun')).toBe(true);
    expect(first.zerosRows.filter((r) => r.w2 === 'Infinity').map(key)).toEqual(infinite.map(key));
  }, TEST_TIMEOUT);

  it('the same seed gives the same normals and uniforms in Chromium as in node, bit for bit', async () => {
    const nodeNormals = Array.from(await gaussdiff.normals(STREAM.count, { seed: STREAM.seed, offset: STREAM.offset }));
    const nodeUniforms = Array.from(await gaussdiff.uniforms(STREAM.count, { seed: STREAM.seed, offset: STREAM.offset }));
    expect(first.normals.length).toBe(STREAM.count);
    const differ = (a: number[], b: number[]) => a.findIndex((x, i) => !Object.is(x, b[i]));
    expect(differ(first.normals, nodeNormals), 'first differing normal').toBe(-1);
    expect(differ(first.uniforms, nodeUniforms), 'first differing uniform').toBe(-1);
  });

  it('pipelineError (first order, refined, seeded Monte Carlo) gives the same numbers in Chromium as in node, bit for bit', async () => {
    const node = await gaussdiff.pipelineError([...PIPELINE.spectrum], { ...PIPELINE.options });
    expect(node.w2sq.monteCarlo?.draws).toBe(PIPELINE.options.draws);
    expect(first.pipeline).toEqual({ w2sq: node.w2sq, decomposition: node.decomposition });
  }, TEST_TIMEOUT);

  it('a second page load gets the same bundle bytes and bit-identical results', async () => {
    const second = await runInPage();
    const onDisk = createHash('sha256').update(readFileSync(BUNDLE_PATH)).digest('hex');
    expect(first.bundleSha256).toBe(onDisk);
    expect(second.bundleSha256).toBe(onDisk);
    expect(second.exportNames).toEqual(first.exportNames);
    expect(second.imageRows).toEqual(first.imageRows);
    expect(second.zerosRows).toEqual(first.zerosRows);
    expect(pageErrors).toEqual([]);
  }, TEST_TIMEOUT);
});
