/**
 * The Wasm boundary (src/wasm/kernel.ts): the typed kernel table matches the module's exports, a module that
 * lacks a kernel function or has another signature for it is refused when it is loaded (not when the
 * function is first called), and the constants the facade shares with the kernels (src/wasm/constants.ts)
 * are the ones the loaded module was built with.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { GaussdiffError } from '../../src/core/errors.js';
import { KERNEL_ARITY, loadKernel, setWasmSource, withWasm } from '../../src/wasm/kernel.js';
import { compiledKernel, readWasm } from '../../src/wasm/node.js';
import { BLAS_GEMM_MAX_WORKSPACE, PLAN_LAYOUT, PLAN_STRIDE, TABLEAU_STRIDE, eighWorkLength } from '../../src/wasm/constants.js';

// A minimal Wasm module (binary format, spec section 5): a memory, the plan-layout globals with the given
// values, and functions with the given parameter counts (i32 parameters, no result, empty bodies).
function fakeModule(functions: Record<string, number>, globals: Record<string, number>): Uint8Array {
  const bytes = (...b: number[]) => b;
  const leb = (n: number): number[] => (n < 128 ? [n] : [(n & 127) | 128, ...leb(n >>> 7)]); // unsigned LEB128
  const name = (s: string) => [...leb(s.length), ...new TextEncoder().encode(s)];
  const vec = (items: number[][]) => [...leb(items.length), ...items.flat()];
  const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];
  const fns = Object.entries(functions);
  const gls = Object.entries(globals);
  const types = vec(fns.map(([, n]) => bytes(0x60, n, ...Array(n).fill(0x7f), 0)));
  const funcs = vec(fns.map((_, i) => [i]));
  const memory = vec([bytes(0x00, 1)]);
  const global = vec(gls.map(([, v]) => bytes(0x7f, 0x00, 0x41, v, 0x0b))); // i32 const (v < 64)
  const exports = vec([
    [...name('memory'), 0x02, 0],
    ...fns.map(([n], i) => [...name(n), 0x00, i]),
    ...gls.map(([n], i) => [...name(n), 0x03, i]),
  ]);
  const code = vec(fns.map(() => bytes(2, 0, 0x0b)));
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, types), ...section(3, funcs), ...section(5, memory), ...section(6, global),
    ...section(7, exports), ...section(10, code),
  ]);
}

const layout = { PLAN_LAYOUT, PLAN_STRIDE, TABLEAU_STRIDE };

async function loadError(bytes: Uint8Array): Promise<GaussdiffError> {
  setWasmSource(async () => bytes);
  const err = await loadKernel().then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(GaussdiffError);
  return err as GaussdiffError;
}

describe('kernel table', () => {
  afterAll(() => setWasmSource(readWasm));

  it('declares exactly the functions build/gaussdiff.wasm exports (the runtime helpers __* aside), with their parameter counts', async () => {
    const module = await compiledKernel();
    const exported = WebAssembly.Module.exports(module).filter((e) => e.kind === 'function' && !e.name.startsWith('__')).map((e) => e.name);
    expect(Object.keys(KERNEL_ARITY).sort()).toEqual(exported.sort());
    setWasmSource(readWasm);
    const arity = await withWasm((scope) => Object.fromEntries(Object.keys(KERNEL_ARITY).map((k) => [k, (scope.kernel as unknown as Record<string, () => void>)[k].length])));
    expect(arity).toEqual(KERNEL_ARITY);
  });

  it('a module without the kernel functions is refused at load time, naming what is missing', async () => {
    const err = await loadError(fakeModule({ alloc: 1, free: 1 }, layout));
    expect(err.code).toBe('INTERNAL');
    expect(err.message).toMatch(/lacks the kernel functions .*eighSym/);
    expect(err.message).toContain('propagate');
    expect(err.message).not.toMatch(/\balloc\b/);
    expect(err.allowed).toMatch(/npm run build/);
  });

  it('a kernel function with another parameter count is refused at load time', async () => {
    const all = { ...KERNEL_ARITY, eighSym: KERNEL_ARITY.eighSym - 1 };
    const err = await loadError(fakeModule(all, layout));
    expect(err.code).toBe('INTERNAL');
    expect(err.message).toMatch(/lacks the kernel functions eighSym of src\/wasm\/kernel\.ts \(or has other signatures\)/);
    const stale = await loadError(fakeModule(KERNEL_ARITY, { ...layout, PLAN_LAYOUT: PLAN_LAYOUT + 1 }));
    expect(stale.message).toMatch(/another version of the kernel/);
  });

  it('the real module loads after a refused one (a failed load is not cached)', async () => {
    await loadError(fakeModule({}, layout));
    setWasmSource(readWasm);
    const ex = await loadKernel();
    expect(ex.PLAN_LAYOUT.value).toBe(PLAN_LAYOUT);
  });
});

describe('shared constants', () => {
  it('the module was built with the facade\'s plan layout, GEMM workspace bound and eigh work length', async () => {
    setWasmSource(readWasm);
    const ex = await loadKernel();
    const globals = ex as unknown as Record<string, WebAssembly.Global>;
    expect([ex.PLAN_LAYOUT.value, ex.PLAN_STRIDE.value, ex.TABLEAU_STRIDE.value]).toEqual([PLAN_LAYOUT, PLAN_STRIDE, TABLEAU_STRIDE]);
    expect(globals.BLAS_GEMM_MAX_WORKSPACE.value).toBe(BLAS_GEMM_MAX_WORKSPACE);
    // the largest workspace the kernel asks for is the shared bound
    expect(ex.blasGemmWorkspace(4096, 4096, 4096)).toBe(BLAS_GEMM_MAX_WORKSPACE);
    for (const n of [1, 2, 31, 64, 65, 1000]) {
      for (const v of [0, 1]) expect(ex.eighWorkLength(n, v)).toBe(eighWorkLength(n, v === 1));
    }
  });
});
