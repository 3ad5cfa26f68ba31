/**
 * The explorer's Web Worker: runs every computation of the page on the gaussdiff browser API (src/browser.ts,
 * Wasm inlined), so the page never freezes. One message in (a Job or a LoadRequest, web/protocol.ts), progress
 * messages, then one result or typed error out. Its only state is a memo of sampler W2s (`memoTable`), so a
 * job is cancelled by terminating the worker, and the page spawns a fresh one (which starts with an empty memo).
 */
import {
  GaussdiffError, table, formatTable, curve, w2VsEps, contributions, samplerError, prepareSpectrum, parseNpy, decodePng,
  adsnSpectrum, imageLikeSpectrum, scalingCurve, kernelHeatmap, EDM_SAMPLER_NAMES,
} from '../src/browser.js';
import { samplerTable, formatSamplerTable, samplerCurve, type SamplerTableRow } from '../src/diffusion/reports/samplers.js';
import type { Job, LoadRequest, Reply, Request, SpectrumSummary, State } from './protocol.js';
import { stepsList, stepsLadder, tableSteps, curveEvery, EPS_SWEEP, SIGMA_MIN_SWEEP, frequencyMap } from './sweeps.js';

const post = (reply: Reply) => (self as unknown as Worker).postMessage(reply);

const isEdm = (name: string) => EDM_SAMPLER_NAMES.includes(name);

/** k-diffusion options of one sampler: sigma_min for k-diffusion names only (diffusers' samplers have none). */
function kdOptions(s: State, name: string) {
  return isEdm(name) ? { sampler: name, sigmaMin: s.sigmaMin } : { sampler: name };
}

/**
 * The W2 of each (sampler, start, steps) of the k-diffusion steps and table views, memoised: a row depends on
 * the spectrum (compared by content with the memo's, which is cleared when it differs), the sampler, the
 * start, the steps and sigma_min (k-diffusion samplers only); that is the key. Only the missing cells are
 * computed, each sampler's by samplerTable (which checks them, and asks the engine for the final W2 only), so
 * the rows are samplerTable's for the whole table, in its order (samplers, then starts, then steps).
 */
const memo = { spectrum: new Float64Array(0), rows: new Map<string, SamplerTableRow>() };

async function memoTable(spectrum: Float64Array, samplers: string[], steps: number[], starts: ('prior' | 'exact')[], sigmaMin: number,
  onProgress: (done: number, total: number) => void): Promise<{ rows: SamplerTableRow[] }> {
  if (spectrum.length !== memo.spectrum.length || !spectrum.every((v, i) => Object.is(v, memo.spectrum[i]))) {
    memo.spectrum = spectrum.slice();
    memo.rows.clear();
  }
  const key = (sampler: string, start: string, n: number) => `${sampler}|${start}|${n}|${isEdm(sampler) ? sigmaMin : ''}`;
  const rows: SamplerTableRow[] = [];
  for (const [i, sampler] of samplers.entries()) {
    const missing = steps.filter((n) => starts.some((start) => !memo.rows.has(key(sampler, start, n))));
    if (missing.length) {
      const fresh = await samplerTable(spectrum, { samplers: [sampler], steps: missing, starts, ...(isEdm(sampler) ? { sigmaMin } : {}) });
      for (const r of fresh.rows) memo.rows.set(key(sampler, r.start, r.steps), r);
    }
    for (const start of starts) for (const n of steps) rows.push(memo.rows.get(key(sampler, start, n))!);
    onProgress(i + 1, samplers.length);
  }
  return { rows };
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

self.onmessage = async (event: MessageEvent<Request>) => {
  const req = event.data;
  try {
    if ('load' in req) {
      post(await load(req));
      return;
    }
    const t0 = performance.now();
    const result = await run(req, (done, total) => post({ id: req.id, type: 'progress', done, total }));
    post({ id: req.id, type: 'result', view: req.state.view, family: req.state.family, result, ms: performance.now() - t0 });
  } catch (err) {
    const typed = err instanceof GaussdiffError;
    post({ id: req.id, type: 'error', code: typed ? err.code : 'INTERNAL', message: (err as Error).message });
  }
};
