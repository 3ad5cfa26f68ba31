/**
 * Node entry of gaussdiff: the environment-independent API (src/index.ts), the Wasm module read from
 * build/gaussdiff.wasm, worker threads for large jobs, and file helpers.
 */
import { availableParallelism } from 'node:os';
import { setWasmSource } from './wasm/kernel.js';
import { setParallelExecutor } from './diffusion/engine.js';
import { parallelPairSums, parallelPropagate } from './runtime/pool.js';
import { setPairSumExecutor } from './learning/kernels.js';
import { compiledKernel } from './wasm/node.js';

setWasmSource(compiledKernel);
setParallelExecutor(parallelPropagate, Math.max(1, Math.min(2, availableParallelism())));
setPairSumExecutor(parallelPairSums, Math.max(1, Math.min(2, availableParallelism())));

export * from './index.js';
export { closeThreads, warmThreads, adoptWorker } from './runtime/pool.js';
export { readNpy, readNpyArray, writeNpy, readPng } from './io/files.js';
export { mnistDataset, mnistSpectrum, MNIST_DESCRIPTION, type MnistOptions } from './spectra/mnist.js';
