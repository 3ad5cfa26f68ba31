/**
 * The Wasm side of the facade. Callers never see it: they pass typed arrays and numbers to the public API
 * and get typed arrays and plain objects back. Every block this module allocates in Wasm memory is freed
 * before the call returns (try/finally), so repeated calls do not grow memory.
 *
 * The module is loaded once per realm with @assemblyscript/loader; where its bytes come from is set by the
 * entry point (node: the file built by `npm install`; browser bundle: inlined bytes).
 */
import { instantiate, instantiateSync } from '@assemblyscript/loader';
import { fail } from '../core/errors.js';
import { PLAN_LAYOUT, PLAN_STRIDE, TABLEAU_STRIDE, propagateScratchLength } from './constants.js';
import { type PropagateInput, type PropagateOutput, curvePoints } from '../diffusion/propagation.js';

/**
 * The kernel table: every function the Wasm module exports (assembly/index.ts), under its export name, with
 * its signature, declared once here. Pointers are byte offsets into the module's memory (usize), counts and
 * flags i32, the rest f64. The facade reaches the kernels only through it (`scope.kernel.name(...)`), and
 * `loadKernel` checks it against the module's exports (names and parameter counts) once, at load time.
 * A new kernel: its file under assembly/<domain>/, one export line in assembly/index.ts, its signature here
 * and its parameter count in KERNEL_ARITY (test/wasm/kernel.test.ts checks both against the build); a
 * constant or size formula the facade shares with it goes in src/wasm/constants.ts.
 */
export interface Kernel {
  // assembly/memory.ts: the facade's allocator (16-byte aligned blocks of the runtime's heap)
  alloc(bytes: number): number;
  free(ptr: number): void;
  // assembly/diffusion/
  propagate(
    nModes: number, lam: number, w: number, nPoints: number, e: number, om: number,
    nSchemes: number, tableau: number, plan: number, out: number, curve: number, every: number,
  ): void;
  errorSums(nModes: number, lam: number, w: number, nq: number, variances: number, stride: number, sums: number): void;
  statespaceRun(
    nModes: number, lam: number, lhat: number, w: number, nRegisters: number, code: number, codeLength: number,
    slots: number, nSlots: number, startScale: number, startShift: number, marks: number, out: number, curve: number,
    scratch: number,
  ): void;
  particlesStart(y: number, count: number, first: number, stride: number, lam: number, e0: number, om0: number, pT: number): void;
  particlesStep(
    y: number, z: number, count: number, first: number, stride: number, lam: number,
    ek: number, omk: number, ek1: number, omk1: number, row: number,
  ): void;
  particlesMoments(y: number, count: number, first: number, stride: number, used: number, s2: number, s4: number): void;
  // assembly/linalg/
  eighWorkLength(n: number, vectors: number): number;
  eighSym(n: number, a: number, values: number, vectors: number, work: number, workLen: number): number;
  blasGemmWorkspace(m: number, k: number, n: number): number;
  blasGemmCore(
    m: number, k: number, n: number, a: number, rsa: number, csa: number, b: number, rsb: number, csb: number,
    c: number, ldc: number, alpha: number, tri: number, work: number,
  ): void;
  blasGemm(a: number, b: number, c: number, m: number, k: number, n: number, work: number): void;
  blasSyrk(x: number, n: number, d: number, c: number, alpha: number, work: number): void;
  blasCenter(x: number, n: number, d: number, mean: number, tmp: number): void;
  blasCholeskyWorkspace(d: number): number;
  blasCholesky(a: number, d: number, work: number): number;
  svdValues(n: number, m: number, x: number, sigma: number): number;
  svdWorkLength(m: number, n: number): number;
  svdBidiagValues(m: number, n: number, a: number, sigma: number, work: number, workLen: number, method: number): number;
  // assembly/fft/
  fftPlanSize(n: number): number;
  fftPlan(n: number, plan: number): void;
  fft1(n: number, plan: number, re: number, im: number, inverse: number): void;
  fftRows(n: number, count: number, plan: number, re: number, im: number, inverse: number): void;
  fftColWorkSize(rows: number): number;
  fftCols(rows: number, cols: number, plan: number, re: number, im: number, work: number, inverse: number): void;
  boundaryJumps(rows: number, cols: number, u: number, a: number, b: number): void;
  periodicSpectrum(rows: number, cols: number, re: number, im: number, ar: number, ai: number, br: number, bi: number, work: number): void;
  addPower(n: number, re: number, im: number, out: number): void;
  addCross(n: number, ar: number, ai: number, br: number, bi: number, outr: number, outi: number): void;
  // assembly/random/
  fillNormals(out: number, count: number, seed: number, s0: number, s1: number, offset: number): void;
  fillUniforms(out: number, count: number, seed: number, s0: number, s1: number, offset: number): void;
  blockWordsOut(out: number, blo: number, bhi: number, s0: number, s1: number, k0: number, k1: number): void;
  philoxBlocks(out: number, n: number, blo: number, bhi: number, s0: number, s1: number, k0: number, k1: number): void;
  zigguratTables(out: number): void;
  // assembly/learning/
  kernelPairSums(
    n: number, lam: number, w: number, genScale: number, rank: number, pb: number, qb: number, stride: number,
    e: number, power: number, from: number, to: number, rowsA: number, rowsB: number, colsA: number, colsB: number,
  ): void;
}

/**
 * Parameter count of each kernel function, for the check at load time (the type makes each count that of
 * the signature above, and requires every function of the table).
 */
export const KERNEL_ARITY: { readonly [K in keyof Kernel]: Parameters<Kernel[K]>['length'] } = {
  alloc: 1, free: 1, propagate: 12, errorSums: 7, statespaceRun: 15, particlesStart: 8, particlesStep: 11, particlesMoments: 7,
  eighWorkLength: 2, eighSym: 6, blasGemmWorkspace: 3, blasGemmCore: 14, blasGemm: 7, blasSyrk: 6, blasCenter: 5,
  blasCholeskyWorkspace: 1, blasCholesky: 3, svdValues: 4, svdWorkLength: 2, svdBidiagValues: 7,
  fftPlanSize: 1, fftPlan: 2, fft1: 5, fftRows: 6, fftColWorkSize: 1, fftCols: 7, boundaryJumps: 5, periodicSpectrum: 9,
  addPower: 4, addCross: 7, fillNormals: 6, fillUniforms: 6, blockWordsOut: 7, philoxBlocks: 8, zigguratTables: 1,
  kernelPairSums: 16,
};

/** The loaded module: the kernel table, its memory, and the plan layout it was built for. */
export interface KernelExports extends Kernel {
  memory: WebAssembly.Memory;
  PLAN_LAYOUT: WebAssembly.Global;
  PLAN_STRIDE: WebAssembly.Global;
  TABLEAU_STRIDE: WebAssembly.Global;
}

export type WasmSource = () => Promise<BufferSource | WebAssembly.Module>;

let source: WasmSource | null = null;
let kernel: Promise<KernelExports> | null = null;

/** Set by the entry point (src/node.ts, src/browser.ts): how to obtain the module's bytes. */
export function setWasmSource(fn: WasmSource): void {
  source = fn;
  kernel = null;
}

/** Largest Wasm heap a call may ask for (wasm32 addresses 4 GiB; leave room for the runtime). */
export const MAX_WASM_BYTES = 3 * 1024 ** 3;

export async function loadKernel(): Promise<KernelExports> {
  if (!kernel) {
    if (!source) fail('INTERNAL', 'wasm', 'no Wasm source was set by the entry point', 'import gaussdiff from its package entry');
    const src = source;
    kernel = (async () => {
      const bytes = await src();
      // In node, compile asynchronously and instantiate the module synchronously: the loader's async path
      // probes the global Response, which makes node load its fetch implementation (tens of ms per
      // thread). Browsers restrict synchronous instantiation of larger modules: they keep the async path.
      const inNode = typeof process !== 'undefined' && !!process.versions?.node;
      const { instance } = inNode
        ? instantiateSync(bytes instanceof WebAssembly.Module ? bytes : await WebAssembly.compile(bytes), {})
        : await instantiate(bytes as never, {});
      // The module's own exports, not the loader's wrappers (they only set an argument count that no kernel
      // reads: no kernel has optional parameters).
      const ex = instance.exports as unknown as KernelExports;
      if (ex.PLAN_LAYOUT?.value !== PLAN_LAYOUT || ex.PLAN_STRIDE?.value !== PLAN_STRIDE || ex.TABLEAU_STRIDE?.value !== TABLEAU_STRIDE) {
        fail('INTERNAL', 'wasm', `build/gaussdiff.wasm was built from another version of the kernel (plan layout ${ex.PLAN_LAYOUT?.value}, expected ${PLAN_LAYOUT})`, 'rebuild it with npm run build');
      }
      const table = ex as unknown as Record<string, unknown>;
      const wrong = (Object.keys(KERNEL_ARITY) as (keyof Kernel)[]).filter((name) => {
        const f = table[name];
        return typeof f !== 'function' || f.length !== KERNEL_ARITY[name];
      });
      if (wrong.length > 0) {
        fail('INTERNAL', 'wasm', `build/gaussdiff.wasm lacks the kernel functions ${wrong.join(', ')} of src/wasm/kernel.ts (or has other signatures)`, 'rebuild it with npm run build');
      }
      return ex;
    })();
    kernel.catch(() => { kernel = null; });
  }
  return kernel;
}

/** Current size of the Wasm memory in bytes (0 before the module is loaded); for leak checks. */
export async function wasmMemoryBytes(): Promise<number> {
  return kernel ? (await kernel).memory.buffer.byteLength : 0;
}

/** Bytes a propagation needs in Wasm memory (checked before allocating). */
export function propagationBytes(nModes: number, nPoints: number, nSchemes: number, curve: boolean, every = 1): number {
  const modes = nModes + (nModes & 1);
  const steps = nPoints - 1;
  return 8 * (3 * modes + 2 * nPoints + nSchemes * TABLEAU_STRIDE + nSchemes * steps * PLAN_STRIDE
    + 2 * nSchemes * modes + (curve ? 2 * nSchemes * curvePoints(steps, every) : 0) + 2 * nSchemes + propagateScratchLength(nSchemes));
}

/** A view of the kernel's output in Wasm memory, valid only inside the consumer. */
export interface OutputView {
  /** Final variances, index q * stride + i (q = s * 2 + init). */
  readonly variances: Float64Array;
  readonly stride: number;
  /** Squared-W2 curve sums, as in PropagateOutput (a view too). */
  readonly curve: Float64Array | null;
  /** Squared W2 to p_data per q, when the back end computes it (the Wasm kernel does). */
  readonly squared?: Float64Array;
}

/** Copy an output view into a compact PropagateOutput. */
export function copyOutput(view: OutputView, nModes: number): PropagateOutput {
  const nq = view.variances.length / view.stride;
  const variances = new Float64Array(nq * nModes);
  for (let q = 0; q < nq; q++) variances.set(view.variances.subarray(q * view.stride, q * view.stride + nModes), q * nModes);
  return { variances, curve: view.curve ? view.curve.slice() : null };
}

/**
 * Run the propagation kernel. `ex` comes from `loadKernel()`. Without `consume`, returns a copy of the
 * output; with it, hands `consume` views into Wasm memory (no copy) and returns what it returns.
 */
export function propagateWasm(ex: KernelExports, input: PropagateInput): PropagateOutput;
export function propagateWasm<T>(ex: KernelExports, input: PropagateInput, consume: (view: OutputView) => T): T;
export function propagateWasm<T>(ex: KernelExports, input: PropagateInput, consume?: (view: OutputView) => T): T | PropagateOutput {
  const { values, weights, geom, plan } = input;
  const nModes = values.length;
  const nSchemes = plan.schemes.length;
  const nPoints = plan.points;
  const K = nPoints - 1;
  const every = input.every ?? 1;
  const nOut = curvePoints(K, every);
  checkWasmBytes(propagationBytes(nModes, nPoints, nSchemes, input.curve, every), 'spectrum');
  // The kernel works on pairs of modes: pad an odd count with a harmless mode (l = 1, weight 0).
  const padded = nModes + (nModes & 1);
  const ptrs: number[] = [];
  const take = (count: number): number => {
    const p = ex.alloc(count * 8);
    ptrs.push(p);
    return p;
  };
  try {
    const lam = take(padded);
    const w = take(padded);
    const e = take(nPoints);
    const om = take(nPoints);
    const tab = take(plan.tableau.length);
    const coef = take(Math.max(1, plan.coefficients.length));
    const out = take(2 * nSchemes * padded);
    const curve = input.curve ? take(2 * nSchemes * nOut) : 0;
    const sums = take(2 * nSchemes);
    // Views are made after every allocation: growing memory detaches earlier views.
    const f64 = () => new Float64Array(ex.memory.buffer);
    let mem = f64();
    mem.set(values, lam / 8);
    mem.set(weights, w / 8);
    if (padded !== nModes) { mem[lam / 8 + nModes] = 1; mem[w / 8 + nModes] = 0; }
    mem.set(geom.e, e / 8);
    mem.set(geom.om, om / 8);
    mem.set(plan.tableau, tab / 8);
    mem.set(plan.coefficients, coef / 8);
    if (curve) mem.fill(0, curve / 8, curve / 8 + 2 * nSchemes * nOut);
    ex.propagate(padded, lam, w, nPoints, e, om, nSchemes, tab, coef, out, curve, every);
    ex.errorSums(padded, lam, w, 2 * nSchemes, out, padded, sums);
    mem = f64();
    const view: OutputView = {
      variances: mem.subarray(out / 8, out / 8 + 2 * nSchemes * padded),
      stride: padded,
      curve: curve ? mem.subarray(curve / 8, curve / 8 + 2 * nSchemes * nOut) : null,
      squared: mem.slice(sums / 8, sums / 8 + 2 * nSchemes),
    };
    return consume ? consume(view) : copyOutput(view, nModes);
  } finally {
    for (const p of ptrs) ex.free(p);
  }
}

/**
 * Run the kernel on a small synthetic input until V8 has optimized it: Wasm functions start in a baseline
 * tier and are optimized in the background after some use, and a running call never switches tiers. Stops
 * when a call runs at under 55% of the first call's time (optimized; V8 compiles in the background), or
 * after `budgetMs`, without yielding (no task interleaves with it). Worth it before long jobs, in a thread
 * with nothing else to do.
 */
export async function warmKernel(budgetMs = 30): Promise<void> {
  const ex = await loadKernel();
  const modes = 2048;
  const points = 48;
  const values = new Float64Array(modes);
  for (let i = 0; i < modes; i++) values[i] = (i + 1) / modes;
  const weights = new Float64Array(modes).fill(1);
  const e = new Float64Array(points);
  const om = new Float64Array(points);
  for (let k = 0; k < points; k++) { e[k] = Math.exp(-k / points); om[k] = 1 - e[k]; }
  // Two schemes, one with two nodes and no noise and one with one node and noise: every kernel path.
  const coefficients = new Float64Array(2 * (points - 1) * PLAN_STRIDE);
  for (let k = 0; k < points - 1; k++) {
    coefficients.set([1.01, -0.01, -0.005, 0.001, 0], k * PLAN_STRIDE);
    coefficients.set([1.02, -0.02, 0, 0, 0.02], (points - 1 + k) * PLAN_STRIDE);
  }
  const plan = { schemes: [{}, {}], points, tableau: new Float64Array([1, 1, 0, 0]), coefficients };
  const geom = { times: e, e, om, beta: e, integral: e, eps: 0 };
  const input = { values, weights, geom, plan: plan as never, curve: false };
  const start = performance.now();
  let first = Infinity;
  while (performance.now() - start < budgetMs) {
    const t = performance.now();
    propagateWasm(ex, input, () => 0);
    const dt = performance.now() - t;
    if (first === Infinity) first = dt;
    else if (dt < 0.55 * first) break;
  }
}

/**
 * A scope of Wasm allocations, all freed when the scope ends (`withKernel`). Pointers are byte offsets;
 * views must be taken after the last allocation (growing memory detaches earlier views).
 */
export interface WasmScope {
  /** Allocate `n` f64 (16-byte aligned); copy `from` in when given. Returns the pointer. */
  f64(n: number, from?: ArrayLike<number>): number;
  /** A Float64Array view of `n` f64 at `ptr` (valid until the next allocation). */
  view(ptr: number, n: number): Float64Array;
  /** A copy of `n` f64 at `ptr`. */
  read(ptr: number, n: number): Float64Array;
  /** The kernel table (loaded and checked). */
  readonly kernel: Kernel;
}

/** Bytes a scope may hold in all (checked before each allocation, with a typed TOO_LARGE error). */
export function checkWasmBytes(bytes: number, argument: string): void {
  if (bytes > MAX_WASM_BYTES) {
    fail('TOO_LARGE', argument, `this computation needs ${(bytes / 2 ** 20).toFixed(0)} MiB of Wasm memory`,
      `at most ${MAX_WASM_BYTES / 2 ** 20} MiB`);
  }
}

/** Run `body` with a scope of Wasm allocations on a loaded kernel; everything is freed afterwards. */
export function withKernel<T>(ex: KernelExports, body: (scope: WasmScope) => T): T {
  const ptrs: number[] = [];
  const scope: WasmScope = {
    f64(n, from) {
      const p = ex.alloc(Math.max(1, n) * 8);
      ptrs.push(p);
      if (from) new Float64Array(ex.memory.buffer, p, n).set(from);
      return p;
    },
    view: (ptr, n) => new Float64Array(ex.memory.buffer, ptr, n),
    read: (ptr, n) => new Float64Array(ex.memory.buffer, ptr, n).slice(),
    kernel: ex,
  };
  try {
    return body(scope);
  } finally {
    for (const p of ptrs) ex.free(p);
  }
}

/** Load the kernel, then `withKernel`. */
export async function withWasm<T>(body: (scope: WasmScope) => T): Promise<T> {
  return withKernel(await loadKernel(), body);
}
