// gaussdiff Wasm kernels. Everything here is an implementation detail behind the TypeScript facade
// (src/wasm/kernel.ts): callers never see pointers. The facade allocates with `alloc`, frees with `free`.
export { alloc, free } from "./memory";
export { propagate, PLAN_LAYOUT, PLAN_STRIDE, TABLEAU_STRIDE } from "./diffusion/propagate";
export { errorSums } from "./diffusion/w2";
export * from "./linalg/eigh";
export * from "./linalg/blas";
export * from "./fft/fft";
export * from "./random/random";
export * from "./diffusion/particles";
