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

/** mulberry32: a seeded generator of uniforms in [0, 1) (inputs for timing, not statistics). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The ADSN spectrum of fabric.png from ../shared/reference (196608 eigenvalues, 65511 distinct), or, without
 * ../shared, a synthetic one of the same shape (65536 distinct values from the image-like model, then 131072
 * zeros). Returns { spectrum, file, label }; `file` is a .npy path for the command-line benchmarks.
 */
export async function adsnSpectrum(root) {
  const { existsSync, mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join, resolve } = await import('node:path');
  const { imageLikeSpectrum, readNpy, toNpy } = await import('../dist/node.js');
  const shared = resolve(root, '../shared/reference/adsn-fabric-spectrum.npy');
  if (existsSync(shared)) return { spectrum: await readNpy(shared), file: shared, label: 'ADSN fabric.png (../shared/reference)' };
  console.warn('bench: ../shared/reference/adsn-fabric-spectrum.npy not found: using a synthetic spectrum of the same shape');
  const base = imageLikeSpectrum(256, 2.2, 1, [1], 0.25);
  const spectrum = new Float64Array(3 * base.length);
  for (let i = 0; i < base.length; i++) spectrum[i] = base[i] * (1 + 1e-9 * i) + 1e-12 * i; // distinct, like ADSN
  const file = join(mkdtempSync(join(tmpdir(), 'gaussdiff-bench-')), 'synthetic-adsn.npy');
  writeFileSync(file, toNpy(spectrum));
  return { spectrum, file, label: 'synthetic ADSN-like (65536 distinct + 131072 zeros)' };
}
