#!/usr/bin/env node
// The web explorer in Chromium (issue 11), after `npm run build` (node bench/web.js [--moves N] [--loads N]),
// and by `npm run bench` (--only web). The page is served by `gaussdiff serve --port 0`, as a user runs it.
//   1. Slider latency: the CIFAR-10 spectrum (../shared/reference/cifar10-spectrum.npy, 3072 eigenvalues,
//      uploaded as a user would; without ../shared the page's built-in image-like spectrum, also 3072) with
//      4 samplers and N <= 1000. Each move is one ArrowLeft on the focused steps slider; the latency is from
//      the slider's input event (its timeStamp) to the redrawn figure in the DOM (data-rendered-at), and to
//      the next animation frame after it (when it is on screen); also from the input handler (after the
//      browser's input delivery) and the drawing alone (data-draw-ms). Median of --moves moves (default 20), per view:
//      W2 against N (Pierret & Galerne's 4 schemes), W2 along the reverse process (same), and W2 against steps for
//      4 k-diffusion samplers (euler, heun, dpmpp_2m, lms), from N = --from (default 1000) down. Issue 11's
//      target: under 50 ms.
//   2. First load: navigation to the first plot in the DOM, a fresh browser context each time (no cache);
//      median of --loads loads (default 5).
//   3. Bundle sizes of dist/web (raw and gzip).
// Results: printed, and bench/results/web.json.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, d) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : d);
const MOVES = opt('--moves', 20);
const LOADS = opt('--loads', 5);
const FROM = opt('--from', 1000); // the slider starts at N = FROM and moves down
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  const skipped = `no chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
  console.log(`    bench/web.js skipped: ${skipped}`);
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'web.json'), `${JSON.stringify({ skipped }, null, 2)}\n`);
  process.exit(0);
}
const CIFAR = resolve(ROOT, '../shared/reference/cifar10-spectrum.npy');
const haveCifar = existsSync(CIFAR);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function startServer() {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'gaussdiff.js'), 'serve', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((done, reject) => {
    let out = '';
    child.stdout.on('data', (b) => {
      out += b;
      const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) done({ child, url: m[1] });
    });
    child.on('exit', (code) => reject(new Error(`gaussdiff serve exited with ${code}`)));
  });
}

/** Wait for the figure of a state containing `fragment`, idle; returns [rendered-at, next frame] in page time. */
async function drawnAt(page, fragment) {
  const handle = await page.waitForFunction((part) => {
    const f = document.getElementById('figures');
    const status = document.getElementById('status').dataset.status;
    if (status === 'error') throw new Error(document.getElementById('status').textContent);
    if (status !== 'idle' || !(f.dataset.state ?? '').split('&').includes(part)) return false;
    return new Promise((done) => requestAnimationFrame(() => done([Number(f.dataset.renderedAt), performance.now()])));
  }, fragment, { timeout: 120_000, polling: 'raf' });
  return handle.jsonValue();
}

async function sliderLatency(browser, url, hash, label) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(url + hash);
  if (haveCifar) await page.setInputFiles('#upload', CIFAR);
  await drawnAt(page, haveCifar ? 'spectrum=upload' : `steps=${FROM}`);
  await page.evaluate(() => {
    window.__inputAt = [];
    document.getElementById('steps').addEventListener('input', (e) => window.__inputAt.push([e.timeStamp, performance.now()]));
  });
  await page.focus('#steps');
  const dom = [];
  const frame = [];
  const handler = [];
  const draw = [];
  for (let i = 1; i <= MOVES + 2; i++) {
    await page.keyboard.press('ArrowLeft');
    const [renderedAt, nextFrame] = await drawnAt(page, `steps=${FROM - i}`);
    const [inputAt, handledAt] = await page.evaluate(() => window.__inputAt.at(-1));
    if (i > 2) { // two warm-up moves
      dom.push(renderedAt - inputAt);
      frame.push(nextFrame - inputAt);
      handler.push(renderedAt - handledAt);
      draw.push(Number(await page.getAttribute('#figures', 'data-draw-ms')));
    }
  }
  const work = Number((await page.textContent('#status')).match(/Done in (\d+) ms/)?.[1]);
  await page.close();
  const r = { label, medianMs: median(dom), toNextFrameMs: median(frame), maxMs: Math.max(...dom), fromHandlerMs: median(handler), drawMs: median(draw), workerMsLast: work };
  console.log(`    ${label}: median ${r.medianMs.toFixed(1)} ms to the redrawn figure (${r.toNextFrameMs.toFixed(1)} ms to the next frame; max ${r.maxMs.toFixed(1)} ms);`
    + ` from the input handler ${r.fromHandlerMs.toFixed(1)} ms, drawing ${r.drawMs.toFixed(1)} ms, worker ${work} ms (last move)`);
  return r;
}

async function firstLoad(browser, url) {
  const times = [];
  for (let i = 0; i < LOADS; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(url);
    const [renderedAt] = await drawnAt(page, 'view=steps');
    times.push(renderedAt); // performance.now() counts from navigation start
    await context.close();
  }
  const r = { medianMs: median(times), minMs: Math.min(...times), maxMs: Math.max(...times) };
  console.log(`    first load (navigation to first plot, image-like spectrum): median ${r.medianMs.toFixed(0)} ms (min ${r.minMs.toFixed(0)}, max ${r.maxMs.toFixed(0)})`);
  return r;
}

function bundleSizes() {
  const out = {};
  for (const f of ['index.html', 'style.css', 'app.js', 'worker.js', 'mnist-spectrum.npy']) {
    const bytes = readFileSync(join(ROOT, 'dist', 'web', f));
    out[f] = { bytes: statSync(join(ROOT, 'dist', 'web', f)).size, gzip: gzipSync(bytes).length };
  }
  const total = Object.values(out).reduce((a, b) => ({ bytes: a.bytes + b.bytes, gzip: a.gzip + b.gzip }), { bytes: 0, gzip: 0 });
  for (const [f, s] of Object.entries(out)) console.log(`    ${f}: ${(s.bytes / 1024).toFixed(1)} KiB (${(s.gzip / 1024).toFixed(1)} KiB gzip)`);
  console.log(`    total: ${(total.bytes / 1024).toFixed(1)} KiB (${(total.gzip / 1024).toFixed(1)} KiB gzip)`);
  return { files: out, total };
}

const server = await startServer();
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
try {
  console.log(`    spectrum: ${haveCifar ? 'CIFAR-10 (../shared/reference, uploaded)' : 'image-like (built-in; ../shared/reference/cifar10-spectrum.npy not found)'}; ${MOVES} moves from N = ${FROM - 1} down`);
  const pg = `family=pg&samplers=em%2Cei%2Ceuler%2Cheun&steps=${FROM}&eps=0.001&start=pT`;
  const kd = `family=kd&samplers=euler%2Cheun%2Cdpmpp_2m%2Clms&steps=${FROM}&sigmaMin=0.002&start=prior`;
  const results = {
    date: new Date().toISOString(),
    chromium: browser.version(),
    spectrum: haveCifar ? 'cifar10' : 'image-like',
    moves: MOVES,
    from: FROM,
    slider: [
      await sliderLatency(browser, server.url, `#${pg}&view=steps`, 'W2 against N, 4 P&G schemes (8 grids up to N)'),
      await sliderLatency(browser, server.url, `#${pg}&view=curve`, 'W2 along the reverse process, 4 P&G schemes'),
      await sliderLatency(browser, server.url, `#${kd}&view=steps&axis=steps`, 'W2 against steps, 4 k-diffusion samplers (ladder 2, 3, 5, 10, ... below N and N; memoised)'),
    ],
    firstLoad: await firstLoad(browser, server.url),
    bundle: bundleSizes(),
  };
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'web.json'), `${JSON.stringify(results, null, 2)}\n`);
} finally {
  await browser.close();
  server.child.kill();
}
