// gaussdiff Wasm kernels. Everything here is an implementation detail behind the TypeScript facade
// (src/wasm.ts): callers never see pointers. The facade allocates with `alloc`, frees with `free`.
export { alloc, free } from "./memory";
export { propagate, PLAN_LAYOUT, PLAN_STRIDE, TABLEAU_STRIDE } from "./propagate";
export { errorSums } from "./errors";
export * from "./eigh";
export * from "./blas";
export * from "./fft";
export * from "./random";
export * from "./particles";
