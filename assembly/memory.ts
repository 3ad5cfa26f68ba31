// Raw allocation for the facade, and addressing for the kernels. Blocks come from the runtime's TLSF heap
// (16-byte aligned, so v128 loads and stores on them are aligned) and are returned to it by `free`: no
// growth over repeated calls.

export function alloc(bytes: usize): usize {
  return heap.alloc(bytes);
}

export function free(ptr: usize): void {
  if (ptr != 0) heap.free(ptr);
}

/** Address of f64 number `index` of the array at `base`. */
// @ts-ignore: decorator
@inline export function at(base: usize, index: i32): usize {
  return base + ((<usize>index) << 3);
}

/** Address of i32 number `index` of the array at `base`. */
// @ts-ignore: decorator
@inline export function ati(base: usize, index: i32): usize {
  return base + ((<usize>index) << 2);
}
