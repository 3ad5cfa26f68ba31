// Raw allocation for the facade. Blocks come from the runtime's TLSF heap (16-byte aligned, so v128
// loads and stores on them are aligned) and are returned to it by `free`: no growth over repeated calls.

export function alloc(bytes: usize): usize {
  return heap.alloc(bytes);
}

export function free(ptr: usize): void {
  if (ptr != 0) heap.free(ptr);
}
