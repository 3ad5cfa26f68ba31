/**
 * The explorer's state (encoded in the URL) and the messages between the page (web/app.ts) and its Web Worker
 * (web/worker.ts). Plain data only: everything crosses postMessage by structured clone.
 */

/** Pierret & Galerne's schemes (VP frame, a time grid) or the k-diffusion / diffusers samplers (noise levels). */
export type Family = 'pg' | 'kd';
export type View = 'steps' | 'curve' | 'eps' | 'contrib' | 'table' | 'pipeline';
export type BuiltinSpectrum = 'image-like' | 'mnist';

export interface State {
  /** A built-in spectrum, or 'upload' (a .npy or PNG the user chose; not restorable from a URL). */
  spectrum: BuiltinSpectrum | 'upload';
  family: Family;
  /** Scheme names (pg) or sampler names (kd). */
  samplers: string[];
  /** Grid points N (pg) or steps (kd) of the curve, contributions and eps views; the largest of the steps view. */
  steps: number;
  /** pg: truncation time. */
  eps: number;
  /** kd: the last positive noise level (k-diffusion samplers). */
  sigmaMin: number;
  /** pg: 'pT' | 'normal'; kd: 'prior' | 'exact'. */
  start: string;
  /** The x axis of the steps view (kd): steps or NFE. */
  axis: 'steps' | 'nfe';
  view: View;
  /** Pipeline: the parameter swept by scalingCurve, and the others. */
  over: 'samples' | 'tau' | 'sigma';
  samples: number;
  sigma: number;
  tau: number;
  psampler: 'langevin' | 'ula';
  gamma: number;
  kernel: 'generalization' | 'optimization' | 'bias';
}

/** A job: the state and the spectrum it runs on (the worker keeps nothing between jobs, so a respawn loses nothing). */
export interface Job {
  id: number;
  state: State;
  spectrum: Float64Array;
  /** Set for an uploaded PNG: the image size, for the frequency map (the spectrum is adsnSpectrum's order). */
  image?: { height: number; width: number; channels: number };
}

export interface LoadRequest {
  id: number;
  /** A .npy of eigenvalues, a PNG (its ADSN spectrum), or the built-in image-like spectrum (no bytes). */
  load: { kind: 'npy' | 'png' | 'image-like'; name: string; bytes?: ArrayBuffer };
}

export type Request = Job | LoadRequest;

/**
 * Between the worker and its helper workers (web/worker.ts, the same script): the exact W2 of one cell of the
 * k-diffusion steps / table views (samplerError with these options and curve: false), and its row or typed error.
 */
export interface Cell { sampler: string; steps: number; start: 'prior' | 'exact'; sigmaMin?: number }
export interface CellRequest { id: number; cell: Cell; spectrum: Float64Array }
export type CellReply =
  | { id: number; row: { sampler: string; start: 'prior' | 'exact'; steps: number; nfe: number; w2: number } }
  | { id: number; code: string; message: string };

export interface SpectrumSummary {
  d: number;
  distinct: number;
  zeros: number;
  smallestPositive: number;
  largest: number;
  trace: number;
}

export type Reply =
  | { id: number; type: 'progress'; done: number; total: number }
  | { id: number; type: 'loaded'; spectrum: Float64Array; summary: SpectrumSummary; image?: Job['image'] }
  | { id: number; type: 'result'; view: View; family: Family; result: unknown; ms: number }
  | { id: number; type: 'error'; code: string; message: string };
