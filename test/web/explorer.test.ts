/**
 * The web explorer (web/, dist/web) in real Chromium, served by `gaussdiff serve --port 0` as a user runs it.
 * A user changes samplers and sliders (selectOption, keyboard), uploads a .npy and a PNG (setInputFiles),
 * cancels a long job and opens a shared link; each time the plotted numbers (the figures' data-series JSON,
 * src/plots/figures.ts) are compared with the node API's, 1e-12 relative. Screenshots go to
 * test-results/screens/.
 *
 * Chromium: /usr/bin/chromium or CHROMIUM_PATH; without it these tests are skipped with a message locally and
 * FAIL when CI=true. Needs `npm run build`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import * as gd from '../../src/node.ts';
import { samplerTable, samplerCurve } from '../../src/diffusion/reports/samplers.ts';
import { stepsList, stepsLadder, tableSteps, curveEvery } from '../../web/sweeps.ts';
import { ROOT } from '../helpers/shared.js';
import { npyBytes } from '../helpers/npy.js';
import { startServer } from './server.js';

const IN_CI = process.env.CI === 'true';
const CHROMIUM_WANTED = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM = existsSync(CHROMIUM_WANTED) ? CHROMIUM_WANTED : null;
if (!CHROMIUM && !IN_CI) {
  console.warn(`[explorer.test] SKIPPING the web explorer tests: no chromium at ${CHROMIUM_WANTED} (apt-get install -y chromium, or set CHROMIUM_PATH; required when CI=true).`);
}
const SCREENS = join(ROOT, 'test-results', 'screens');
const REL = 1e-12;

interface Plotted { name: string; x: (number | string)[]; y: (number | string)[]; z?: (number | string)[] }
const num = (v: number | string | null): number => (v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : (v as number));

/**
 * |a - b| <= REL |b| + floor elementwise (equal infinities pass). `floor` is 0 except for per-mode shares of
 * W2^2: a mode whose output variance v is within rounding of l has (sqrt v - sqrt l)^2 with few correct digits
 * (node's and Chromium's Math.exp may differ in the last bit), so there the bound is REL x the largest share.
 */
function close(actual: (number | string)[], expected: ArrayLike<number>, what: string, floor = 0) {
  expect(actual.length, what).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i];
    const x = num(a);
    if (!Number.isFinite(e)) expect(x, `${what}[${i}]`).toBe(e);
    else expect(Math.abs(x - e), `${what}[${i}]: ${x} vs ${e}`).toBeLessThanOrEqual(REL * Math.abs(e) + floor);
  });
}
const shareFloor = (shares: number[]) => REL * Math.max(...shares);

describe.skipIf(!CHROMIUM && !IN_CI)('web explorer in Chromium', () => {
  let server: { child: ChildProcess; url: string };
  let browser: Browser;

  beforeAll(async () => {
    if (!CHROMIUM) throw new Error('chromium is required in CI: apt-get install -y chromium');
    mkdirSync(SCREENS, { recursive: true });
    server = await startServer();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    server?.child.kill();
  });

  /** A fresh page at the explorer (optional hash); fails the test on any page error. */
  async function open(hash = ''): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (e) => { throw e; });
    await page.goto(server.url + hash);
    await drawn(page);
    return page;
  }

  /** Wait until the figures show a state containing every fragment and no job is running. */
  async function drawn(page: Page, ...fragments: string[]) {
    await page.waitForFunction((parts) => {
      const f = document.getElementById('figures')!;
      const status = document.getElementById('status')!.dataset.status;
      if (status === 'error') throw new Error(document.getElementById('status')!.textContent ?? 'error');
      return status === 'idle' && f.dataset.state !== undefined && parts.every((p) => f.dataset.state!.split('&').includes(p));
    }, fragments, { timeout: 60_000 });
  }

  const plotted = (page: Page, figure = 0): Promise<Plotted[]> =>
    page.$$eval('#figures > svg', (svgs, k) => JSON.parse(svgs[k].getAttribute('data-series')!), figure);

  it('changing samplers and sliders redraws W2 against N with the node API numbers (and the continuous floor)', async () => {
    const page = await open();
    await page.selectOption('#samplers', ['em', 'heun']);
    await page.focus('#steps');
    await page.keyboard.press('Home'); // N = 2
    for (let i = 0; i < 38; i++) await page.keyboard.press('ArrowRight'); // N = 40, one redraw request per key
    await page.focus('#eps');
    await page.keyboard.press('ArrowLeft'); // eps 1e-3 -> 5e-4
    await drawn(page, 'samplers=em%2Cheun', 'steps=40', 'eps=0.0005');
    await page.screenshot({ path: join(SCREENS, 'steps-view.png'), fullPage: true });
    const node = await gd.table(gd.imageLikeSpectrum(), { schemes: ['em', 'heun'], steps: stepsList(40), eps: [5e-4], inits: ['pT'] });
    const series = await plotted(page);
    expect(series.map((s) => s.name)).toEqual(['em from p_T', 'heun from p_T']);
    for (const s of series) {
      const rows = node.rows.filter((r) => `${r.scheme} from p_T` === s.name && r.steps !== null);
      expect(s.x).toEqual(rows.map((r) => r.steps));
      close(s.y, rows.map((r) => num(r.w2)), s.name);
    }
    const rules = await page.$eval('#figures > svg', (svg) => JSON.parse(svg.getAttribute('data-rules')!));
    const floor = (scheme: string) => num(node.rows.find((r) => r.scheme === scheme && r.steps === null)!.w2);
    expect(rules.map((r: { name: string }) => r.name)).toEqual(['continuous SDE from p_T', 'continuous ODE from p_T']);
    close(rules.map((r: { y: number }) => r.y), [floor('em'), floor('heun')], 'floors');
    await page.close();
  });

  it('the reverse process of P&G schemes at N = 999: every 3rd step and the last, the node curve() numbers with the same every', async () => {
    const page = await open('#view=curve&samplers=em%2Cheun&steps=999');
    await drawn(page, 'view=curve', 'samplers=em%2Cheun', 'steps=999');
    const every = curveEvery(999);
    expect(every).toBe(3);
    const spectrum = gd.imageLikeSpectrum();
    const trace = spectrum.reduce((a, b) => a + b, 0);
    const node = await gd.curve(spectrum, { schemes: ['em', 'heun'], steps: 999, eps: 1e-3, inits: ['pT'], every });
    const series = await plotted(page);
    expect(series.map((s) => s.name)).toEqual(['em from p_T', 'heun from p_T']);
    series.forEach((s, i) => {
      expect(s.x).toHaveLength(333);
      close(s.x, Array.from(node.forwardTimes), `${s.name} x`);
      // Where W2 is tiny (Heun), inputs that differ in the last bit (see close) move it by more than REL relative.
      // W2 is 1-Lipschitz in the per-mode sqrt(v) (triangle inequality), so variances agreeing to REL relative
      // give W2s within REL / 2 sqrt(sum v) ~ REL / 2 sqrt(tr S); the floor allows twice that.
      close(s.y, Array.from(node.series[i].w2), s.name, REL * Math.sqrt(trace));
    });
    await page.close();
  });

  it('k-diffusion and diffusers samplers: W2 against NFE, the reverse process (keyboard tabs), the Table 2 view as JSON', async () => {
    const page = await open();
    await page.selectOption('#family', 'kd');
    await page.selectOption('#samplers', ['heun', 'dpmpp_2m', 'ddim']);
    await page.selectOption('#axis', 'nfe');
    await page.focus('#sigma-min');
    await page.keyboard.press('ArrowRight'); // 2e-3 -> 5e-3
    await page.focus('#steps');
    await page.keyboard.press('Home');
    for (let i = 0; i < 18; i++) await page.keyboard.press('ArrowRight'); // 20 steps
    await drawn(page, 'family=kd', 'samplers=heun%2Cdpmpp_2m%2Cddim', 'axis=nfe', 'sigmaMin=0.005', 'steps=20');
    const spectrum = gd.imageLikeSpectrum();
    // The fixed ladder below N, and N: as N moves, the worker reuses its memoised rows and computes only N.
    expect(stepsLadder(20)).toEqual([2, 3, 5, 10, 20]);
    expect(stepsLadder(999)).toEqual([2, 3, 5, 10, 20, 50, 100, 200, 500, 999]);
    const checkSteps = async (n: number, sigmaMin = 5e-3) => {
      const node = await samplerTable(spectrum, { samplers: ['heun', 'dpmpp_2m', 'ddim'], steps: stepsLadder(n), starts: ['prior'], sigmaMin });
      const kdSeries = await plotted(page);
      expect(kdSeries.map((s) => s.name)).toEqual(['heun (prior start)', 'dpmpp_2m (prior start)', 'ddim (prior start)']);
      for (const s of kdSeries) {
        const rows = node.rows.filter((r) => `${r.sampler} (prior start)` === s.name);
        expect(s.x, s.name).toEqual(rows.map((r) => r.nfe));
        close(s.y, rows.map((r) => r.w2), s.name);
      }
    };
    await checkSteps(20);
    // Memoised rows after a move (19: 2..10 from the memo), after a move back (20: all from the memo), and
    // after a sigma_min change (the k-diffusion rows have another key; ddim's, which has no sigma_min, are reused).
    await page.keyboard.press('ArrowLeft');
    await drawn(page, 'family=kd', 'steps=19');
    await checkSteps(19);
    await page.keyboard.press('ArrowRight');
    await drawn(page, 'family=kd', 'steps=20');
    await checkSteps(20);
    await page.focus('#sigma-min');
    await page.keyboard.press('ArrowLeft'); // 5e-3 -> 2e-3
    await drawn(page, 'family=kd', 'sigmaMin=0.002', 'steps=20');
    await checkSteps(20, 2e-3);
    await page.keyboard.press('ArrowRight'); // back to 5e-3 for the views below
    await drawn(page, 'family=kd', 'sigmaMin=0.005', 'steps=20');
    // Keyboard: from the selected tab, ArrowRight selects the next view.
    await page.focus('[role="tab"][aria-selected="true"]');
    await page.keyboard.press('ArrowRight');
    await drawn(page, 'view=curve');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-view'))).toBe('curve');
    for (const s of await plotted(page)) {
      const c = await samplerCurve(spectrum, { sampler: s.name, steps: 20, start: 'prior', ...(s.name === 'ddim' ? {} : { sigmaMin: 5e-3 }) });
      close(s.y, c.w2, `curve ${s.name}`);
    }
    await page.screenshot({ path: join(SCREENS, 'kd-curve.png'), fullPage: true });
    await page.click('[data-view="table"]');
    await drawn(page, 'view=table');
    await page.click('#copy-json');
    const copied = JSON.parse((await page.getAttribute('#table-view', 'data-copied'))!);
    const table = await samplerTable(spectrum, { samplers: ['heun', 'dpmpp_2m', 'ddim'], steps: tableSteps(20), starts: ['prior', 'exact'], sigmaMin: 5e-3 });
    expect(copied.rows.map((r: { sampler: string; start: string; steps: number }) => [r.sampler, r.start, r.steps])).toEqual(table.rows.map((r) => [r.sampler, r.start, r.steps]));
    close(copied.rows.map((r: { w2: number }) => r.w2), table.rows.map((r) => r.w2), 'table');
    await page.click('#copy-csv');
    const csv = (await page.getAttribute('#table-view', 'data-copied'))!.split('\n');
    expect(csv[0]).toBe('sampler,start,steps,nfe,w2');
    expect(csv.length).toBe(table.rows.length + 1);
    await page.screenshot({ path: join(SCREENS, 'table-view.png'), fullPage: true });
    await page.close();
  });

  it('an uploaded .npy: its summary, and per-mode contributions equal to contributions() in node', async () => {
    const values = Array.from({ length: 300 }, (_, i) => (i % 7 === 0 ? 0 : Math.exp(-i / 40) * (1 + (i % 3))));
    const page = await open();
    await page.setInputFiles('#upload', { name: 'mine.npy', mimeType: 'application/octet-stream', buffer: Buffer.from(npyBytes(values)) });
    await page.click('[data-view="contrib"]');
    await drawn(page, 'spectrum=upload', 'view=contrib');
    // The summary against a direct computation here.
    const summary = JSON.parse((await page.getAttribute('#summary', 'data-summary'))!);
    const positive = values.filter((v) => v > 0);
    expect(summary.d).toBe(300);
    expect(summary.distinct).toBe(new Set(values).size);
    expect(summary.zeros).toBe(values.length - positive.length);
    expect(summary.largest).toBe(Math.max(...values));
    expect(summary.smallestPositive).toBe(Math.min(...positive));
    expect(Math.abs(summary.trace - values.reduce((a, b) => a + b, 0))).toBeLessThan(1e-12 * summary.trace);
    const series = await plotted(page);
    expect(series.map((s) => s.name)).toEqual(['em', 'ei', 'euler', 'heun']);
    for (const s of series) {
      const c = await gd.contributions(Float64Array.from(values), { scheme: s.name as gd.SchemeName, steps: 100, eps: 1e-3, init: 'pT' });
      close(s.x, c.values, `${s.name} values`);
      const shares = Array.from(c.contributions, (p) => p / (c.w2 * c.w2));
      close(s.y, shares, `${s.name} shares`, shareFloor(shares));
    }
    await page.close();
  });

  it('an uploaded PNG: its ADSN spectrum summary, and the error per frequency from contributions() in node', async () => {
    // A 3 x 12 x 16 image with structure (not noise), encoded here.
    const [c, h, w] = [3, 12, 16];
    const data = new Float64Array(c * h * w).map((_, k) => {
      const ch = Math.floor(k / (h * w)), i = Math.floor(k / w) % h, j = k % w;
      return 0.5 + 0.3 * Math.sin((2 * Math.PI * (i + 2 * j)) / 16 + ch) + 0.1 * Math.cos((2 * Math.PI * i * j) / 48);
    });
    const png = gd.encodePng({ channels: c, height: h, width: w, data });
    const spectrum = await gd.adsnSpectrum(gd.decodePng(png, 'x.png'));
    const page = await open('#view=contrib&samplers=euler');
    await page.setInputFiles('#upload', { name: 'texture.png', mimeType: 'image/png', buffer: Buffer.from(png) });
    await drawn(page, 'spectrum=upload', 'view=contrib', 'samplers=euler');
    const summary = JSON.parse((await page.getAttribute('#summary', 'data-summary'))!);
    const spec = gd.prepareSpectrum(spectrum);
    expect(summary).toMatchObject({ d: c * h * w, distinct: spec.values.length, largest: spec.values[spec.values.length - 1] });
    expect(await page.textContent('#summary')).toContain(`ADSN of a ${c} x ${h} x ${w} image`);
    const node = await gd.contributions(spectrum, { scheme: 'euler', steps: 100, eps: 1e-3, init: 'pT' });
    const shares = Array.from(node.contributions, (p) => p / (node.w2 * node.w2));
    close((await plotted(page, 0))[0].y, shares, 'shares', shareFloor(shares));
    // Frequency map: frequency f (fftshift order) carries contribution / count of its eigenvalue.
    const perValue = new Map<number, number>();
    node.values.forEach((v, k) => perValue.set(v, node.contributions[k] / node.counts[k]));
    const [map] = await plotted(page, 1);
    expect(map.x).toEqual(Array.from({ length: w }, (_, j) => j - w / 2));
    expect(map.y).toEqual(Array.from({ length: h }, (_, i) => i - h / 2));
    const perFrequency = Array.from(spectrum.subarray(0, h * w), (l) => perValue.get(l)!);
    close(map.z!, perFrequency, 'frequency map', shareFloor(perFrequency));
    expect(await page.$$eval('#figures > svg', (svgs) => svgs.map((s) => [s.querySelector('title')?.textContent, s.querySelector('desc')?.textContent])))
      .toEqual([[expect.stringContaining('eigenvalues'), expect.stringMatching(/euler from \S+ to \S+\.$/)], [expect.stringContaining('frequency'), expect.stringContaining('12 x 16')]]);
    await page.screenshot({ path: join(SCREENS, 'png-frequency-map.png'), fullPage: true });
    await page.close();
  });

  it('a long job shows progress and can be cancelled; the page returns to idle and a later job works', async () => {
    // 40000 distinct eigenvalues: the pipeline view's kernel sums are O(D^2) per point, seconds each.
    const values = Array.from({ length: 40000 }, (_, i) => 0.01 + i / 1000);
    const page = await open();
    await page.setInputFiles('#upload', { name: 'big.npy', mimeType: 'application/octet-stream', buffer: Buffer.from(npyBytes(values)) });
    await drawn(page, 'spectrum=upload');
    await page.click('[data-view="pipeline"]');
    await page.waitForSelector('#cancel:not([hidden])');
    await page.waitForSelector('#progress:not([hidden])', { timeout: 30_000 }); // at least one point done
    expect(await page.getAttribute('#status', 'data-status')).toBe('busy');
    expect(await page.getAttribute('#output', 'data-stale')).toBe(''); // the steps figure is dimmed, not shown as the answer
    await page.screenshot({ path: join(SCREENS, 'long-job.png'), fullPage: true });
    await page.click('#cancel');
    expect(await page.getAttribute('#status', 'data-status')).toBe('idle');
    expect(await page.textContent('#status')).toBe('Cancelled.');
    expect(await page.isHidden('#cancel')).toBe(true);
    // A later job on the same uploaded spectrum runs in the fresh worker (N = 99: a state not drawn before).
    await page.click('[data-view="steps"]');
    await page.focus('#steps');
    await page.keyboard.press('ArrowLeft');
    await drawn(page, 'spectrum=upload', 'view=steps', 'steps=99');
    expect(await page.getAttribute('#output', 'data-stale')).toBeNull();
    const node = await gd.table(Float64Array.from(values), { schemes: ['em'], steps: stepsList(99), eps: [1e-3], inits: ['pT'] });
    close((await plotted(page))[0].y, node.rows.filter((r) => r.steps !== null).map((r) => num(r.w2)), 'after cancel');
    await page.close();
  });

  it('a shared link restores the controls and the same figure; MNIST from the precomputed spectrum', async () => {
    const hash = '#spectrum=mnist&family=pg&samplers=ei%2Ceuler&steps=250&eps=0.01&start=normal&view=eps';
    const page = await open(hash);
    await drawn(page, 'spectrum=mnist', 'view=eps', 'steps=250', 'start=normal');
    expect(await page.$eval('#samplers', (s) => [...(s as HTMLSelectElement).selectedOptions].map((o) => o.value))).toEqual(['ei', 'euler']);
    expect(await page.inputValue('#start')).toBe('normal');
    expect(await page.inputValue('#steps')).toBe('250');
    expect(await page.textContent('#eps-out')).toBe('0.01');
    const mnist = await gd.mnistSpectrum();
    const sweep = await page.$eval('#figures > svg', (svg) => JSON.parse(svg.getAttribute('data-series')!)[0].x);
    const node = await gd.w2VsEps(mnist, { schemes: ['ei', 'euler'], steps: 250, eps: sweep, inits: ['normal'] });
    const series = await plotted(page);
    expect(series.map((s) => s.name)).toEqual(['ei from N(0, I)', 'euler from N(0, I)', 'continuous SDE from N(0, I)', 'continuous ODE from N(0, I)']);
    close(series[0].y, node.series[0].w2, 'ei');
    close(series[1].y, node.series[1].w2, 'euler');
    close(series[2].y, node.series[0].continuous, 'continuous SDE');
    close(series[3].y, node.series[1].continuous, 'continuous ODE');
    await page.screenshot({ path: join(SCREENS, 'mnist-eps.png'), fullPage: true });
    // The page's own URL, opened elsewhere, draws the same numbers.
    const again = await open(new URL(page.url()).hash);
    await drawn(again, 'spectrum=mnist', 'view=eps');
    expect(await plotted(again)).toEqual(series);
    await again.close();
    await page.close();
  });

  it("the worker as a helper (the steps view's cells): one cell's row as node's samplerError, and a typed error with its code", async () => {
    const page = await open();
    const spectrum = gd.imageLikeSpectrum();
    const ask = (cell: object) => page.evaluate(([c, spec]) => new Promise((done) => {
      const w = new Worker('worker.js', { type: 'module' });
      w.onmessage = (e) => { w.terminate(); done(e.data); };
      w.postMessage({ id: 7, cell: c, spectrum: Float64Array.from(spec as number[]) });
    }), [cell, Array.from(spectrum)] as const) as Promise<{ id: number; row?: { w2: number; nfe: number }; code?: string }>;
    for (const cell of [{ sampler: 'heun', steps: 30, start: 'exact', sigmaMin: 5e-3 }, { sampler: 'unipc', steps: 12, start: 'prior' }]) {
      const reply = await ask(cell);
      const node = await gd.samplerError(spectrum, cell as never);
      expect(reply.id).toBe(7);
      expect(reply.row!.nfe).toBe(node.nfe);
      close([reply.row!.w2], [node.w2], `${cell.sampler} w2`);
    }
    const bad = await ask({ sampler: 'euler', steps: 0, start: 'prior', sigmaMin: 2e-3 });
    expect(bad).toMatchObject({ id: 7, code: 'INVALID_STEPS' });
    await page.close();
  });

  it('every control is labelled and every figure has a title and a description', async () => {
    const page = await open('#view=pipeline&over=tau&tau=0.0001&samples=500');
    await drawn(page, 'view=pipeline', 'over=tau');
    const unlabelled = await page.$$eval('input, select, textarea', (els) => els.filter((e) => !(e as HTMLInputElement).labels?.length).map((e) => e.id));
    expect(unlabelled).toEqual([]);
    const figs = await page.$$eval('#figures > svg', (svgs) => svgs.map((s) => [s.querySelector('title')?.textContent ?? '', s.querySelector('desc')?.textContent ?? '']));
    expect(figs.length).toBe(2);
    for (const [title, desc] of figs) {
      expect(title.length).toBeGreaterThan(10);
      expect(desc.length).toBeGreaterThan(20);
    }
    // The pipeline curve against scalingCurve in node (closed forms).
    const spectrum = gd.imageLikeSpectrum();
    const [first] = await plotted(page);
    const node = await gd.scalingCurve(spectrum, { samples: 500, sigma: 0.1, tau: 1e-4, sampler: 'langevin', draws: 0 }, { over: 'tau', values: first.x.map(num) });
    close(first.y, node.rows.map((r) => r.firstOrder), 'first order');
    await page.screenshot({ path: join(SCREENS, 'pipeline.png'), fullPage: true });
    await page.close();
  });
});
