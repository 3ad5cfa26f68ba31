/**
 * The explorer page: controls <-> State <-> URL hash, jobs sent to the Web Worker (web/worker.ts), results
 * drawn by web/views.ts with the shared figure builders (src/plots/figures.ts).
 *
 * Scheduling: one job runs at a time. A control change starts a job at once when the worker is idle (waiting
 * for the next animation frame cost 8-16 ms of latency, measured); while a job runs, changes only mark the
 * newest state as pending, and it runs as soon as the current job ends (intermediate states are skipped, so
 * however fast a slider moves, at most one job waits). Cancel terminates the worker and spawns a fresh one;
 * the page returns to idle.
 *
 * For tests and the benchmark: #status carries data-status (idle | busy | error); #figures carries
 * data-state (the URL hash of the drawn state) and data-rendered-at (performance.now() when drawn).
 */
import { EDM_SAMPLER_NAMES } from '../src/diffusion/edm/samplers/index.js';
import { DISCRETE_SAMPLER_NAMES } from '../src/diffusion/discrete/samplers/index.js';
import { figures } from './views.js';
import type { Family, Job, Reply, Request, State, View } from './protocol.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const PG = ['em', 'ei', 'euler', 'heun'];
const KD = [...EDM_SAMPLER_NAMES, ...DISCRETE_SAMPLER_NAMES];
const STARTS: Record<Family, [string, string][]> = {
  pg: [['pT', 'p_T (exact)'], ['normal', 'N(0, I)']],
  kd: [['prior', 'N(0, sigma_max^2 I) (prior)'], ['exact', 'exact marginal']],
};
/** Slider positions of eps and sigma_min. */
const EPS = [0, 1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 1e-1];
const SIGMA_MIN = [1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 1e-1, 2e-1, 5e-1];
const VIEWS: View[] = ['steps', 'curve', 'eps', 'contrib', 'table', 'pipeline'];

const DEFAULTS: State = {
  spectrum: 'image-like', family: 'pg', samplers: [...PG], steps: 100, eps: 1e-3, sigmaMin: 2e-3, start: 'pT', axis: 'steps',
  view: 'steps', over: 'samples', samples: 1000, sigma: 0.1, tau: 0, psampler: 'langevin', gamma: 0.01, kernel: 'generalization',
};

// ------------------------------------------------------------------------------------------------------------
// State <-> URL. Unknown or malformed values fall back to the defaults, so any link opens a valid page.

function encodeState(s: State): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(s)) q.set(k, Array.isArray(v) ? v.join(',') : String(v));
  return q.toString();
}

function decodeState(hash: string): State {
  const q = new URLSearchParams(hash.replace(/^#/, ''));
  const s: State = { ...DEFAULTS, samplers: [...DEFAULTS.samplers] };
  const pick = <T extends string>(k: string, allowed: readonly T[], d: T): T => (allowed.includes(q.get(k) as T) ? (q.get(k) as T) : d);
  const numberIn = (k: string, ok: (x: number) => boolean, d: number) => {
    const x = Number(q.get(k));
    return q.has(k) && ok(x) ? x : d;
  };
  s.family = pick('family', ['pg', 'kd'], DEFAULTS.family);
  const names = s.family === 'pg' ? PG : KD;
  const chosen = (q.get('samplers') ?? '').split(',').filter((n) => names.includes(n));
  s.samplers = chosen.length ? chosen : defaultSamplers(s.family);
  s.spectrum = pick('spectrum', ['image-like', 'mnist'], DEFAULTS.spectrum); // an upload cannot travel in a link
  s.steps = numberIn('steps', (x) => Number.isInteger(x) && x >= 2 && x <= 1000, DEFAULTS.steps);
  s.eps = numberIn('eps', (x) => EPS.includes(x), DEFAULTS.eps);
  s.sigmaMin = numberIn('sigmaMin', (x) => SIGMA_MIN.includes(x), DEFAULTS.sigmaMin);
  s.start = pick('start', STARTS[s.family].map(([v]) => v), STARTS[s.family][0][0]);
  s.axis = pick('axis', ['steps', 'nfe'], DEFAULTS.axis);
  s.view = pick('view', VIEWS, DEFAULTS.view);
  s.over = pick('over', ['samples', 'tau', 'sigma'], DEFAULTS.over);
  s.samples = numberIn('samples', (x) => Number.isInteger(x) && x >= 1 && x <= 1e9, DEFAULTS.samples);
  s.sigma = numberIn('sigma', (x) => x > 0 && x < 1e6, DEFAULTS.sigma);
  s.tau = numberIn('tau', (x) => x >= 0 && x < 1e6, DEFAULTS.tau);
  s.psampler = pick('psampler', ['langevin', 'ula'], DEFAULTS.psampler);
  s.gamma = numberIn('gamma', (x) => x > 0 && x < 1e6, DEFAULTS.gamma);
  s.kernel = pick('kernel', ['generalization', 'optimization', 'bias'], DEFAULTS.kernel);
  return s;
}

function defaultSamplers(family: Family): string[] {
  return family === 'pg' ? [...PG] : ['euler', 'heun', 'dpmpp_2m', 'lms'];
}

// ------------------------------------------------------------------------------------------------------------
// Controls.

let state = decodeState(location.hash);
let spectrum: Float64Array | null = null;
let image: Job['image'];
/** The spectrum the loaded data belong to ('upload' after a file). */
let loadedFor: string | null = null;

function fillSelect(select: HTMLSelectElement, options: [string, string][], chosen: string[]) {
  select.replaceChildren(...options.map(([value, text]) => new Option(text, value, false, chosen.includes(value))));
}

function showState() {
  const s = state;
  ($('spectrum') as HTMLSelectElement).value = s.spectrum;
  ($('family') as HTMLSelectElement).value = s.family;
  const names = s.family === 'pg' ? PG : KD;
  fillSelect($('samplers'), names.map((n) => [n, n]), s.samplers);
  $<HTMLSelectElement>('samplers').size = Math.min(8, names.length);
  fillSelect($('start'), STARTS[s.family], [s.start]);
  ($('steps') as HTMLInputElement).value = String(s.steps);
  $('steps-out').textContent = String(s.steps);
  const eps = $<HTMLInputElement>('eps');
  eps.max = String(EPS.length - 1);
  eps.value = String(EPS.indexOf(s.eps));
  eps.setAttribute('aria-valuetext', String(s.eps));
  $('eps-out').textContent = String(s.eps);
  const sm = $<HTMLInputElement>('sigma-min');
  sm.max = String(SIGMA_MIN.length - 1);
  sm.value = String(SIGMA_MIN.indexOf(s.sigmaMin));
  sm.setAttribute('aria-valuetext', String(s.sigmaMin));
  $('sigma-min-out').textContent = String(s.sigmaMin);
  ($('axis') as HTMLSelectElement).value = s.axis;
  $('eps-group').hidden = s.family !== 'pg';
  $('sigma-group').hidden = s.family !== 'kd';
  for (const k of ['over', 'psampler', 'kernel'] as const) ($(k) as HTMLSelectElement).value = s[k];
  for (const k of ['samples', 'sigma', 'tau', 'gamma'] as const) ($(k) as HTMLInputElement).value = String(s[k]);
  $('pipeline-group').hidden = s.view !== 'pipeline';
  for (const tab of document.querySelectorAll<HTMLButtonElement>('[role="tab"]')) {
    const on = tab.dataset.view === s.view;
    tab.setAttribute('aria-selected', String(on));
    tab.tabIndex = on ? 0 : -1;
  }
}

/** Apply a change to the state, show it, write the URL, and ask for a redraw. */
function update(change: Partial<State>) {
  state = { ...state, ...change };
  showState();
  history.replaceState(null, '', `#${encodeState(state)}`);
  if (change.spectrum !== undefined && change.spectrum !== loadedFor) loadSpectrum();
  else schedule();
}

function wireControls() {
  const sel = (id: string) => $<HTMLSelectElement>(id);
  sel('spectrum').addEventListener('change', () => update({ spectrum: sel('spectrum').value as State['spectrum'] }));
  sel('family').addEventListener('change', () => {
    const family = sel('family').value as Family;
    update({ family, samplers: defaultSamplers(family), start: STARTS[family][0][0] });
  });
  sel('samplers').addEventListener('change', () => {
    const chosen = [...sel('samplers').selectedOptions].map((o) => o.value);
    if (chosen.length) update({ samplers: chosen });
  });
  sel('start').addEventListener('change', () => update({ start: sel('start').value }));
  sel('axis').addEventListener('change', () => update({ axis: sel('axis').value as State['axis'] }));
  $<HTMLInputElement>('steps').addEventListener('input', (e) => update({ steps: Number((e.target as HTMLInputElement).value) }));
  $<HTMLInputElement>('eps').addEventListener('input', (e) => update({ eps: EPS[Number((e.target as HTMLInputElement).value)] }));
  $<HTMLInputElement>('sigma-min').addEventListener('input', (e) => update({ sigmaMin: SIGMA_MIN[Number((e.target as HTMLInputElement).value)] }));
  for (const k of ['over', 'psampler', 'kernel'] as const) sel(k).addEventListener('change', () => update({ [k]: sel(k).value }));
  for (const k of ['samples', 'sigma', 'tau', 'gamma'] as const) {
    $<HTMLInputElement>(k).addEventListener('change', (e) => {
      const input = e.target as HTMLInputElement;
      const x = Number(input.value);
      const ok = input.value !== '' && Number.isFinite(x) && (k === 'tau' ? x >= 0 : x > 0) && (k !== 'samples' || Number.isInteger(x));
      input.setAttribute('aria-invalid', String(!ok));
      if (ok) update({ [k]: x });
      else setStatus('error', `${k}: ${input.value} is not allowed (${k === 'samples' ? 'an integer >= 1' : k === 'tau' ? 'a number >= 0' : 'a number > 0'})`);
    });
  }
  const tabs = [...document.querySelectorAll<HTMLButtonElement>('[role="tab"]')];
  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => update({ view: tab.dataset.view as View }));
    // Arrow keys move between tabs (WAI-ARIA tabs pattern).
    tab.addEventListener('keydown', (e) => {
      const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
      if (!step) return;
      const next = tabs[(i + step + tabs.length) % tabs.length];
      next.focus();
      update({ view: next.dataset.view as View });
    });
  });
  $<HTMLInputElement>('upload').addEventListener('change', async (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (!file) return;
    const kind = /\.npy$/i.test(file.name) ? 'npy' : 'png';
    send({ id: nextId++, load: { kind, name: file.name, bytes: await file.arrayBuffer() } }, 'upload');
  });
  $('cancel').addEventListener('click', cancel);
  $('copy-csv').addEventListener('click', () => copy('csv'));
  $('copy-json').addEventListener('click', () => copy('json'));
}

// ------------------------------------------------------------------------------------------------------------
// The worker: one request at a time, the newest pending request next.

let worker: Worker;
let nextId = 1;
let running: { id: number; loadFor?: string } | null = null;
let pending = false;
let scheduled = false;
let tableRows: Record<string, unknown>[] = [];

function spawn() {
  worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = (e: MessageEvent<Reply>) => onReply(e.data);
  worker.onerror = (e) => {
    running = null;
    setStatus('error', `the worker failed: ${e.message}`);
  };
}

function setStatus(kind: 'idle' | 'busy' | 'error', text: string) {
  const status = $('status');
  status.dataset.status = kind;
  status.textContent = text;
  $('cancel').hidden = kind !== 'busy';
  if (kind !== 'busy') $('progress').hidden = true;
}

function send(req: Request, loadFor?: string) {
  running = { id: req.id, loadFor };
  setStatus('busy', 'load' in req ? `Reading ${req.load.name}...` : 'Computing...');
  worker.postMessage(req);
}

/** Changes made in one task (e.g. a state restored from a link) make one job: it starts after the task. */
function schedule() {
  if (scheduled) return;
  scheduled = true;
  queueMicrotask(() => {
    scheduled = false;
    submit();
  });
}

function submit() {
  if (!spectrum) return; // the spectrum is loading; its arrival submits
  if (running) {
    pending = true;
    return;
  }
  const job: Job = { id: nextId++, state, spectrum, ...(loadedFor === 'upload' && image ? { image } : {}) };
  // Another view's figures stay dimmed until this view's arrive (a long job must not look like its answer).
  if ($('output').dataset.drawnView !== state.view) $('output').dataset.stale = '';
  send(job);
}

function loadSpectrum() {
  const name = state.spectrum;
  if (name === 'upload') return;
  spectrum = null;
  if (running) {
    // A load must not wait behind a long job: restart the worker.
    worker.terminate();
    spawn();
    running = null;
  }
  if (name === 'image-like') {
    send({ id: nextId++, load: { kind: 'image-like', name } }, name);
    return;
  }
  const id = nextId++;
  running = { id, loadFor: name };
  setStatus('busy', 'Fetching the MNIST spectrum...');
  fetch('mnist-spectrum.npy')
    .then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error(`HTTP ${r.status}`))))
    .then((bytes) => send({ id, load: { kind: 'npy', name: 'mnist-spectrum.npy', bytes } }, name))
    .catch((err) => {
      running = null;
      setStatus('error', `cannot fetch the MNIST spectrum: ${err.message}`);
    });
}

function cancel() {
  worker.terminate();
  spawn();
  const wasLoad = running?.loadFor;
  running = null;
  pending = false;
  setStatus('idle', wasLoad ? 'Cancelled: no spectrum loaded.' : 'Cancelled.');
}

const fmt4 = (x: number) => (Number.isInteger(x) ? String(x) : x.toPrecision(4));

function onReply(r: Reply) {
  if (!running || r.id !== running.id) return; // a reply of a cancelled job
  if (r.type === 'progress') {
    const bar = $<HTMLProgressElement>('progress');
    bar.hidden = false;
    bar.max = r.total;
    bar.value = r.done;
    return;
  }
  const loadFor = running.loadFor;
  running = null;
  if (r.type === 'error') {
    pending = false;
    setStatus('error', `[${r.code}] ${r.message}`);
    return;
  }
  if (r.type === 'loaded') {
    spectrum = r.spectrum;
    image = r.image;
    loadedFor = loadFor ?? null;
    const m = r.summary;
    $('summary').textContent = `d = ${m.d}, ${m.distinct} distinct values, ${m.zeros} zeros, smallest nonzero ${fmt4(m.smallestPositive)}, largest ${fmt4(m.largest)}, trace ${fmt4(m.trace)}${r.image ? ` (ADSN of a ${r.image.channels} x ${r.image.height} x ${r.image.width} image)` : ''}`;
    $('summary').dataset.summary = JSON.stringify(m);
    if (loadFor === 'upload') {
      ($('spectrum').querySelector('option[value="upload"]') as HTMLOptionElement).disabled = false;
      state = { ...state, spectrum: 'upload' };
      showState();
    }
    submit();
    return;
  }
  draw(r);
  if (pending) {
    pending = false;
    submit();
  } else {
    setStatus('idle', `Done in ${r.ms.toFixed(0)} ms.`);
  }
}

function draw(r: Extract<Reply, { type: 'result' }>) {
  const container = $('figures');
  const tableView = $('table-view');
  tableView.hidden = r.view !== 'table';
  if (r.view === 'table') {
    const t = r.result as { result: { rows: Record<string, unknown>[] }; text: string };
    tableRows = t.result.rows;
    $('table-text').textContent = t.text;
    container.replaceChildren();
  } else {
    const t0 = performance.now();
    container.replaceChildren(...figures(state, r.view, r.family, r.result, Math.min(900, Math.max(480, container.clientWidth - 4))));
    container.dataset.drawMs = (performance.now() - t0).toFixed(1);
  }
  container.dataset.state = encodeState(state);
  $('output').dataset.drawnView = r.view;
  delete $('output').dataset.stale;
  container.dataset.renderedAt = String(performance.now());
}

/** The table as CSV or JSON on the clipboard (and in the status line when the clipboard is refused). */
async function copy(kind: 'csv' | 'json') {
  const keys = tableRows.length ? Object.keys(tableRows[0]) : [];
  const text = kind === 'json' ? JSON.stringify({ rows: tableRows }, null, 1)
    : [keys.join(','), ...tableRows.map((row) => keys.map((k) => String(row[k] ?? '')).join(','))].join('\n');
  $('table-view').dataset.copied = text;
  try {
    await navigator.clipboard.writeText(text);
    setStatus('idle', `Copied ${tableRows.length} rows as ${kind.toUpperCase()}.`);
  } catch {
    setStatus('error', 'The clipboard was refused; select the table text instead.');
  }
}

wireControls();
spawn();
showState();
history.replaceState(null, '', `#${encodeState(state)}`);
addEventListener('hashchange', () => {
  const next = decodeState(location.hash);
  if (encodeState(next) !== encodeState(state)) update(next);
});
loadSpectrum();
