// Shared by the benchmark scripts.

/** n pseudo-random numbers in [-0.5, 0.5) from a seeded LCG (inputs for timing, not statistics). */
export function random(n, seed) {
  let s = seed >>> 0;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}
