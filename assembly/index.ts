// gaussdiff Wasm kernels. Everything here is an implementation detail behind the TypeScript facade
// (src/wasm/kernel.ts, whose kernel table declares every function exported here): callers never see
// pointers. The facade allocates with `alloc`, frees with `free`.
export { alloc, free } from "./memory";
export { PLAN_LAYOUT, PLAN_STRIDE, TABLEAU_STRIDE } from "../src/wasm/constants";
export { propagate } from "./diffusion/propagate";
export { errorSums } from "./diffusion/w2";
export { statespaceRun } from "./diffusion/statespace";
export { eighSym, eighWorkLength } from "./linalg/eigh/index";
export * from "./linalg/gemm";
export * from "./linalg/syrk";
export * from "./linalg/cholesky";
export { svdValues } from "./linalg/svd";
export { svdBidiagValues, svdWorkLength } from "./linalg/bidiag";
export * from "./fft/fft";
export * from "./random/random";
export * from "./diffusion/particles";
export { kernelPairSums } from "./learning/kernels";
