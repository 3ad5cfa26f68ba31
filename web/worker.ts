/**
 * The explorer's Web Worker: runs every computation of the page on the gaussdiff browser API (src/browser.ts,
 * Wasm inlined), so the page never freezes. One message in (a Job or a LoadRequest, web/protocol.ts), progress
 * messages, then one result or typed error out. Its only state is a memo of sampler W2s (`memoTable`) and
 * the helper workers that compute them in parallel (`helpers`), so a job is cancelled by terminating the
 * worker (its helpers go with it), and the page spawns a fresh one (which starts with an empty memo).
 */
import {
  GaussdiffError, table, formatTable, curve, w2VsEps, contributions, samplerError, prepareSpectrum, parseNpy, decodePng,
  adsnSpectrum, imageLikeSpectrum, scalingCurve, kernelHeatmap, EDM_SAMPLER_NAMES,
} from '../src/browser.js';
import { formatSamplerTable, samplerCurve, type SamplerTableRow } from '../src/diffusion/reports/samplers.js';
import type { Cell, CellReply, CellRequest, Job, LoadRequest, Reply, Request, SpectrumSummary, State } from './protocol.js';
import { stepsList, stepsLadder, tableSteps, curveEvery, EPS_SWEEP, SIGMA_MIN_SWEEP, frequencyMap } from './sweeps.js';

const post = (reply: Reply | CellReply) => (self as unknown as Worker).postMessage(reply);

const isEdm = (name: string) => EDM_SAMPLER_NAMES.includes(name);

/** k-diffusion options of one sampler: sigma_min for k-diffusion names only (diffusers' samplers have none). */
function kdOptions(s: State, name: string) {
  return isEdm(name) ? { sampler: name, sigmaMin: s.sigmaMin } : { sampler: name };
}

/** A helper's typed error, passed on with its code (GaussdiffErrors do not cross postMessage). */
class HelperError extends Error {
  constructor(readonly code: string, message: string) { super(message); }
}

/** One cell's row, as samplerTable makes it: samplerError with the cell's options, final W2 only. */
async function cellRow(spectrum: Float64Array, cell: Cell): Promise<SamplerTableRow> {
  const r = await samplerError(spectrum, { ...cell, curve: false });
  return { sampler: cell.sampler, start: cell.start, steps: cell.steps, nfe: r.nfe, w2: r.w2 };
}

/**
 * Helper workers (this script, nested), one per core up to 4, spawned when first needed: the cells of a
 * job are independent runs, shared out one at a time to whichever helper is free. A helper that fails is
 * dropped (a later job spawns another).
 */
type Helper = (spectrum: Float64Array, cell: Cell) => Promise<SamplerTableRow>;
const helpers: Helper[] = [];
const MAX_HELPERS = Math.min(4, self.navigator?.hardwareConcurrency ?? 1);
/** Each sampler's last measured time per step on a helper (ms), to order the cells. */
const msPerStep = new Map<string, number>();

function helper(): Helper {
  const worker = new Worker(new URL(import.meta.url), { type: 'module' });
  let nextId = 0;
  let waiting: { id: number; resolve: (row: SamplerTableRow) => void; reject: (e: Error) => void } | null = null;
  worker.onmessage = (e: MessageEvent<CellReply>) => {
    const r = e.data;
    const w = waiting;
    if (!w || r.id !== w.id) return;
    waiting = null;
    if ('row' in r) w.resolve(r.row);
    else w.reject(new HelperError(r.code, r.message));
  };
  const run: Helper = (spectrum, cell) => new Promise<SamplerTableRow>((resolve, reject) => {
    waiting = { id: nextId, resolve, reject };
    worker.postMessage({ id: nextId++, cell, spectrum } satisfies CellRequest);
  });
  worker.onerror = (e) => {
    helpers.splice(helpers.indexOf(run), 1);
    worker.terminate();
    waiting?.reject(new HelperError('INTERNAL', `a helper worker failed: ${e.message}`));
    waiting = null;
  };
  return run;
}

/** The rows of `cells`, in order: on the helpers when there are several cells (and nested workers exist), else here. */
async function computeCells(spectrum: Float64Array, cells: Cell[], onProgress: (done: number, total: number) => void): Promise<SamplerTableRow[]> {
  const out: SamplerTableRow[] = new Array(cells.length);
  let done = 0;
  const parallel = Math.min(MAX_HELPERS, cells.length);
  if (parallel < 2 || typeof Worker !== 'function') {
    for (const [i, cell] of cells.entries()) {
      out[i] = await cellRow(spectrum, cell);
      onProgress(++done, cells.length);
    }
    return out;
  }
  while (helpers.length < parallel) helpers.push(helper());
  // Longest first (the cost of a cell estimated from its sampler's last time per step; unknown ones first),
  // so that the helpers finish together. After a failure no helper takes another cell, and the error is
  // thrown once every helper is idle (so that no reply of this job can reach the next one).
  const cost = (c: Cell) => c.steps * (msPerStep.get(c.sampler) ?? Infinity);
  const order = cells.map((_, i) => i).sort((i, j) => cost(cells[j]) - cost(cells[i]) || i - j);
  let next = 0;
  let failure: unknown = null;
  await Promise.all(helpers.slice(0, parallel).map(async (h) => {
    while (failure === null && next < cells.length) {
      const i = order[next++];
      try {
        const t0 = performance.now();
        out[i] = await h(spectrum, cells[i]);
        msPerStep.set(cells[i].sampler, (performance.now() - t0) / cells[i].steps);
        onProgress(++done, cells.length);
      } catch (err) {
        failure ??= err;
      }
    }
  }));
  if (failure !== null) throw failure;
  return out;
}

/**
 * The W2 of each (sampler, start, steps) of the k-diffusion steps and table views, memoised: a row depends on
 * the spectrum (compared by content with the memo's, which is cleared when it differs), the sampler, the
 * start, the steps and sigma_min (k-diffusion samplers only); that is the key. Only the missing cells are
 * computed (computeCells: samplerError, final W2 only, as samplerTable), so the rows are samplerTable's for
 * the whole table, in its order (samplers, then starts, then steps).
 */
const memo = { spectrum: new Float64Array(0), rows: new Map<string, SamplerTableRow>() };

async function memoTable(spectrum: Float64Array, samplers: string[], steps: number[], starts: ('prior' | 'exact')[], sigmaMin: number,
  onProgress: (done: number, total: number) => void): Promise<{ rows: SamplerTableRow[] }> {
  if (spectrum.length !== memo.spectrum.length || !spectrum.every((v, i) => Object.is(v, memo.spectrum[i]))) {
    memo.spectrum = spectrum.slice();
    memo.rows.clear();
  }
  const cells = samplers.flatMap((sampler) => starts.flatMap((start) => steps.map((n): Cell => ({ sampler, steps: n, start, ...(isEdm(sampler) ? { sigmaMin } : {}) }))));
  const key = (c: Cell) => `${c.sampler}|${c.start}|${c.steps}|${c.sigmaMin ?? ''}`;
  const missing = cells.filter((c) => !memo.rows.has(key(c)));
  const fresh = await computeCells(spectrum, missing, onProgress);
  missing.forEach((c, i) => memo.rows.set(key(c), fresh[i]));
  return { rows: cells.map((c) => memo.rows.get(key(c))!) };
}

function summarize(spectrum: Float64Array): SpectrumSummary {
  const spec = prepareSpectrum(spectrum);
  const zeros = spec.values[0] === 0 ? spec.counts[0] : 0;
  let trace = 0;
  spec.values.forEach((v, i) => { trace += v * spec.counts[i]; });
  return {
    d: spec.dimension, distinct: spec.values.length, zeros,
    smallestPositive: spec.values.find((v) => v > 0) ?? 0, largest: spec.values[spec.values.length - 1], trace,
  };
}

async function run(job: Job, onProgress: (done: number, total: number) => void): Promise<unknown> {
  const { state: s, spectrum } = job;
  const steps = s.steps;
  if (s.family === 'pg') {
    const schemes = s.samplers as ('em' | 'ei' | 'euler' | 'heun')[];
    const init = s.start as 'pT' | 'normal';
    switch (s.view) {
      case 'steps':
        return table(spectrum, { schemes, steps: stepsList(steps), eps: [s.eps], inits: [init], onProgress });
      case 'curve':
        return curve(spectrum, { schemes, steps, eps: s.eps, inits: [init], every: curveEvery(steps), onProgress });
      case 'eps':
        return w2VsEps(spectrum, { schemes, steps, eps: EPS_SWEEP, inits: [init], onProgress });
      case 'contrib': {
        const all = [];
        for (const scheme of schemes) {
          all.push({ name: scheme, ...(await contributions(spectrum, { scheme, steps, eps: s.eps, init })) });
          onProgress(all.length, schemes.length);
        }
        return withFrequencies(job, all);
      }
      case 'table': {
        const result = await table(spectrum, { schemes, steps: tableSteps(steps), eps: [s.eps], inits: ['pT', 'normal'], onProgress });
        return { result, text: formatTable(result) };
      }
      case 'pipeline':
        return pipeline(job, onProgress);
    }
  }
  const start = s.start as 'prior' | 'exact';
  switch (s.view) {
    case 'steps':
      return memoTable(spectrum, s.samplers, stepsLadder(steps), [start], s.sigmaMin, onProgress);
    case 'table': {
      const result = await memoTable(spectrum, s.samplers, tableSteps(steps), ['prior', 'exact'], s.sigmaMin, onProgress);
      return { result, text: formatSamplerTable(result) };
    }
    case 'curve': {
      const all = [];
      for (const name of s.samplers) {
        all.push(await samplerCurve(spectrum, { ...kdOptions(s, name), steps, start }));
        onProgress(all.length, s.samplers.length);
      }
      return all;
    }
    case 'eps': {
      // EDM analogue of Figure 1 (right): W2 against sigma_min, k-diffusion samplers only.
      const series = [];
      for (const name of s.samplers.filter(isEdm)) {
        const w2 = [];
        for (const m of SIGMA_MIN_SWEEP) w2.push((await samplerError(spectrum, { sampler: name, steps, start, sigmaMin: m })).w2);
        series.push({ name, x: SIGMA_MIN_SWEEP, y: w2 });
        onProgress(series.length, s.samplers.length);
      }
      return series;
    }
    case 'contrib': {
      const all = [];
      for (const name of s.samplers) {
        const r = await samplerError(spectrum, { ...kdOptions(s, name), steps, start });
        all.push({ name, values: r.values, counts: r.counts, variances: r.variances, contributions: r.contributions, w2: r.w2 });
        onProgress(all.length, s.samplers.length);
      }
      return withFrequencies(job, all);
    }
    case 'pipeline':
      return pipeline(job, onProgress);
  }
}

type Parts = { name: string; values: Float64Array; counts: Float64Array; contributions: Float64Array };

function withFrequencies<T extends Parts>(job: Job, all: T[]) {
  const first = all[0];
  const frequencies = job.image && first ? frequencyMap(job.spectrum, job.image, first.values, first.counts, first.contributions) : null;
  return { samplers: all, frequencies, image: job.image ?? null };
}

/** The score-matching view: scalingCurve (closed forms, no Monte Carlo) and one kernel on a log grid of eigenvalues. */
async function pipeline(job: Job, onProgress: (done: number, total: number) => void) {
  const s = job.state;
  const params = { samples: s.samples, sigma: s.sigma, tau: s.tau, sampler: s.psampler, ...(s.psampler === 'ula' ? { gamma: s.gamma } : {}) };
  const base = s[s.over];
  const factors = [1 / 8, 1 / 4, 1 / 2, 1, 2, 4, 8];
  const values = factors.map((f) => (s.over === 'samples' ? Math.max(1, Math.round(base * f)) : base * f));
  const curveResult = await scalingCurve(job.spectrum, { ...params, draws: 0 }, { over: s.over, values: [...new Set(values)], onProgress });
  const spec = prepareSpectrum(job.spectrum);
  const positive = spec.values.filter((v) => v > 0);
  const lo = positive[0], hi = positive[positive.length - 1];
  const side = 40;
  const grid = Array.from({ length: side }, (_, i) => lo * Math.pow(hi / lo, side > 1 ? i / (side - 1) : 0));
  const heat = kernelHeatmap(s.kernel, { rows: grid, cols: grid }, params);
  return { curve: curveResult, heatmap: { kind: s.kernel, grid, z: heat } };
}

async function load(req: LoadRequest): Promise<Reply> {
  const { kind, name } = req.load;
  const bytes = new Uint8Array(req.load.bytes ?? new ArrayBuffer(0));
  if (kind === 'image-like') {
    const spectrum = imageLikeSpectrum();
    return { id: req.id, type: 'loaded', spectrum, summary: summarize(spectrum) };
  }
  if (kind === 'npy') {
    const spectrum = parseNpy(bytes, name);
    return { id: req.id, type: 'loaded', spectrum, summary: summarize(spectrum) };
  }
  const image = decodePng(bytes, name);
  const spectrum = await adsnSpectrum(image);
  return { id: req.id, type: 'loaded', spectrum, summary: summarize(spectrum), image: { height: image.height, width: image.width, channels: image.channels } };
}

self.onmessage = async (event: MessageEvent<Request | CellRequest>) => {
  const req = event.data;
  if ('cell' in req) { // as a helper (computeCells)
    try {
      post({ id: req.id, row: await cellRow(req.spectrum, req.cell) });
    } catch (err) {
      post({ id: req.id, code: err instanceof GaussdiffError ? err.code : 'INTERNAL', message: (err as Error).message });
    }
    return;
  }
  try {
    if ('load' in req) {
      post(await load(req));
      return;
    }
    const t0 = performance.now();
    const result = await run(req, (done, total) => post({ id: req.id, type: 'progress', done, total }));
    post({ id: req.id, type: 'result', view: req.state.view, family: req.state.family, result, ms: performance.now() - t0 });
  } catch (err) {
    const typed = err instanceof GaussdiffError || err instanceof HelperError;
    post({ id: req.id, type: 'error', code: typed ? err.code : 'INTERNAL', message: (err as Error).message });
  }
};
