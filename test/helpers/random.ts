/** Deterministic pseudo-random spectra for property tests (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A spectrum spanning many decades, with repeats and (optionally) exact zeros. */
export function randomSpectrum(seed: number, d: number, zeros = 0): Float64Array {
  const r = rng(seed);
  const out = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    if (i < zeros) out[i] = 0;
    else if (r() < 0.1 && i > 0) out[i] = out[i - 1]; // repeats
    else out[i] = 10 ** (-6 + 8 * r());
  }
  return out;
}
