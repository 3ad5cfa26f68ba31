/**
 * An independent plain-TS float64 implementation of the ADSN recipe (src/spectra/image.ts) and of Moisan's
 * periodic component (src/images/periodic.ts): a naive 2-D DFT with exact angle reduction and Moisan's
 * formula as printed (full boundary image v, cos denominators). Shared by test/images/ and test/spectra/.
 */
import type { Image } from '../../src/images/image.js';
import { rng } from '../helpers/random.js';

/** Naive 2-D DFT (forward, or inverse with 1/(MN)) of a real or complex M x N array, exact angle reduction. */
export function dft2(re: Float64Array, im: Float64Array | null, M: number, N: number, sign = -1): [Float64Array, Float64Array] {
  const outR = new Float64Array(M * N);
  const outI = new Float64Array(M * N);
  const L = M * N;
  for (let k = 0; k < M; k++) {
    for (let l = 0; l < N; l++) {
      let sr = 0;
      let si = 0;
      for (let x = 0; x < M; x++) {
        for (let y = 0; y < N; y++) {
          // phase = kx/M + ly/N = ((kx mod M) N + (ly mod N) M) / (MN)
          const a = (2 * Math.PI * ((((k * x) % M) * N + ((l * y) % N) * M) % L)) / L;
          const c = Math.cos(a);
          const s = sign * Math.sin(a);
          const ur = re[x * N + y];
          const ui = im ? im[x * N + y] : 0;
          sr += ur * c - ui * s;
          si += ur * s + ui * c;
        }
      }
      outR[k * N + l] = sign > 0 ? sr / L : sr;
      outI[k * N + l] = sign > 0 ? si / L : si;
    }
  }
  return [outR, outI];
}

/** Moisan's boundary image v of u: v = Delta_per u - Delta_interior u. */
export function boundaryImage(u: Float64Array, M: number, N: number): Float64Array {
  const v = new Float64Array(M * N);
  for (let y = 0; y < N; y++) {
    v[y] += u[(M - 1) * N + y] - u[y];
    v[(M - 1) * N + y] += u[y] - u[(M - 1) * N + y];
  }
  for (let x = 0; x < M; x++) {
    v[x * N] += u[x * N + N - 1] - u[x * N];
    v[x * N + N - 1] += u[x * N] - u[x * N + N - 1];
  }
  return v;
}

/** DFT of the periodic component, Moisan's formula as printed: P = U - V / (2cos + 2cos - 4), P(0,0) = U(0,0). */
export function periodicDft(u: Float64Array, M: number, N: number): [Float64Array, Float64Array] {
  const [UR, UI] = dft2(u, null, M, N);
  const [VR, VI] = dft2(boundaryImage(u, M, N), null, M, N);
  for (let k = 0; k < M; k++) {
    for (let l = 0; l < N; l++) {
      if (k === 0 && l === 0) continue;
      const d = 2 * Math.cos((2 * Math.PI * k) / M) + 2 * Math.cos((2 * Math.PI * l) / N) - 4;
      UR[k * N + l] -= VR[k * N + l] / d;
      UI[k * N + l] -= VI[k * N + l] / d;
    }
  }
  return [UR, UI];
}

/** numpy's fftshift of an M x N array. */
export function fftshift(a: Float64Array, M: number, N: number): Float64Array {
  const out = new Float64Array(M * N);
  const mod = (x: number, m: number) => ((x % m) + m) % m;
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) out[i * N + j] = a[mod(i - Math.floor(M / 2), M) * N + mod(j - Math.floor(N / 2), N)];
  }
  return out;
}

/** The README's recipe, step by step (periodic = false: without step 3's periodic component). */
export function adsnReference(img: Image, periodic = true): Float64Array {
  const { channels: C, height: M, width: N, data } = img;
  const n = M * N;
  const power = new Float64Array(n);
  for (let c = 0; c < C; c++) {
    const u = data.slice(c * n, (c + 1) * n);
    let mean = 0;
    for (const x of u) mean += x;
    mean /= n;
    const t = u.map((x) => (x - mean) / Math.sqrt(n));
    const [TR, TI] = periodic ? periodicDft(t, M, N) : dft2(t, null, M, N);
    for (let q = 0; q < n; q++) power[q] += TR[q] ** 2 + TI[q] ** 2;
  }
  const out = new Float64Array(C * n);
  out.set(fftshift(power, M, N));
  return out;
}

export function randomImage(seed: number, C: number, M: number, N: number): Image {
  const r = rng(seed);
  // Smooth gradient plus noise: boundary jumps are large, as in real images.
  const data = new Float64Array(C * M * N);
  for (let c = 0; c < C; c++) {
    for (let x = 0; x < M; x++) {
      for (let y = 0; y < N; y++) data[(c * M + x) * N + y] = 0.5 * (x / M) + 0.3 * (y / N) * (c + 1) / C + 0.2 * r();
    }
  }
  return { channels: C, height: M, width: N, data };
}

/** max_i |a_i - b_i| / max_i |b_i|. */
export function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0;
  let m = 0;
  for (let i = 0; i < b.length; i++) { e = Math.max(e, Math.abs(a[i] - b[i])); m = Math.max(m, Math.abs(b[i])); }
  return e / m;
}

/** A small RGB test image with structure, correlated channels and non-periodic borders (values in [0, 1]). */
export function testImage(h: number, w: number): Image {
  const r = rng(42);
  const data = new Float64Array(3 * h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const base = 0.5 + 0.25 * Math.sin((2 * Math.PI * 2.3 * x) / w + y / 3) + 0.1 * (r() - 0.5) + (0.2 * y) / h;
      data[y * w + x] = base;
      data[h * w + y * w + x] = 0.8 * base + 0.1 * r();
      data[2 * h * w + y * w + x] = 0.3 + 0.2 * Math.cos((2 * Math.PI * x) / 7) * (y / h) + 0.05 * r();
    }
  }
  return { width: w, height: h, channels: 3, data };
}

/** The plain mean. */
export function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
}
