// Complex discrete Fourier transforms (split real / imaginary arrays, f64) and the spectral step of Moisan's
// periodic-plus-smooth decomposition. Called through the facade in src/fft/fft.ts and src/adsn.ts.
//
// Forward transform of length n:   X_k = sum_j x_j w^{jk},  w = exp(-2 pi i / n)
// Inverse:                         x_j = (1/n) sum_k X_k w^{-jk}
// computed as swap(F(swap(x))) / n, swap(a + ib) = b + ia: swap(z) = i conj(z), so
// swap(F(i conj x)) = i conj(i F(conj x)) = conj(F(conj x)) = n F^{-1}(x). Swapping is free (the re and im
// pointers trade places), so there is one forward code path.
//
// Powers of two: iterative radix-2 (bit reversal, then log2 n butterfly stages). Stage h (butterflies of span
// h) reads its twiddles exp(-2 pi i k / (2h)), k < h, from a table stored contiguously per stage at index h + k,
// so two consecutive butterflies take one f64x2 of cosines and one of sines: SIMD across butterfly pairs, no
// shuffles (split layout). Every twiddle is computed directly (unitRoot: exact integer reduction to the first
// octant, then one cos and one sin), so its error is about 1 ulp whatever n is; no recurrence.
//
// Other lengths: Bluestein's chirp-z. With jk = (j^2 + k^2 - (k - j)^2) / 2 and c_j = exp(-pi i j^2 / n),
//   X_k = c_k sum_j (x_j c_j) conj(c_{k-j}),
// a circular convolution of length m = 2^ceil(log2(2n - 1)) done by power-of-two FFTs; the FFT of the
// chirp kernel b (b_j = conj(c_j) for |j| < n, wrapped mod m) is part of the plan, pre-scaled by 1/m
// (exact). c_j uses j^2 reduced mod 2n in integer arithmetic, so large j lose nothing.
//
// Plan layout (f64 offsets; fftPlanSize(n) entries; TS allocates it, fftPlan fills it):
//   power of two:  twr[m] twi[m]                                      (m = n)
//   otherwise:     twr[m] twi[m] cr[n2] ci[n2] br[m] bi[m] wr[m] wi[m]  (n2 = n rounded up to even, w: work)
// The plan holds scratch (w), so one plan serves one transform at a time.

import { FFT_COL_BLOCK, fftColWorkLength, fftPlanLength } from "../../src/wasm/constants";
import { at } from "../memory";

const HALF_PI: f64 = 1.5707963267948966;

// Output of unitRoot (AssemblyScript has no tuples).
let rootCos: f64 = 1;
let rootSin: f64 = 0;

/**
 * cos and sin of 2 pi r / m for integers 0 <= r < m. The quadrant q = floor(4r / m) and the remainder are
 * exact integers; the angle left, (pi / 2) rem / m, is folded to at most pi / 4 (cos and sin trade places),
 * so the argument is tiny-error and the result is about 1 ulp, with exact symmetries (w^{m/4} = -i etc.).
 */
function unitRoot(r: i64, m: i64): void {
  const r4 = r << 2;
  const q = <i32>(r4 / m);
  const rem = r4 - (<i64>q) * m;
  let c: f64;
  let s: f64;
  if ((rem << 1) <= m) {
    const phi = HALF_PI * (<f64>rem / <f64>m);
    c = Math.cos(phi);
    s = Math.sin(phi);
  } else {
    const phi = HALF_PI * (<f64>(m - rem) / <f64>m);
    c = Math.sin(phi);
    s = Math.cos(phi);
  }
  // Rotate by q quarter turns: (c, s) -> (-s, c) -> (-c, -s) -> (s, -c).
  if (q == 0) { rootCos = c; rootSin = s; }
  else if (q == 1) { rootCos = -s; rootSin = c; }
  else if (q == 2) { rootCos = -c; rootSin = -s; }
  else { rootCos = s; rootSin = -c; }
}

// @ts-ignore: decorator
@inline function isPow2(n: i32): bool {
  return (n & (n - 1)) == 0;
}

/** Convolution length for Bluestein: the least power of two >= 2n - 1 (n itself when n is a power of two). */
function convLength(n: i32): i32 {
  if (isPow2(n)) return n;
  let m: i32 = 1;
  while (m < 2 * n - 1) m <<= 1;
  return m;
}

/** Number of f64 in the plan of a length-n transform (n >= 1): src/wasm/constants.ts, shared with the facade. */
export function fftPlanSize(n: i32): i32 {
  return <i32>fftPlanLength(<f64>n);
}

/** Twiddles of every stage of a length-m radix-2 FFT: twr/twi[h + k] = cos/-sin(2 pi k / (2h)), k < h. */
function fillTwiddles(m: i32, twr: usize, twi: usize): void {
  store<f64>(twr, 1);
  store<f64>(twi, 0);
  for (let h: i32 = 1; h < m; h <<= 1) {
    for (let k: i32 = 0; k < h; k++) {
      unitRoot(<i64>k, <i64>(2 * h));
      store<f64>(at(twr, h + k), rootCos);
      store<f64>(at(twi, h + k), -rootSin);
    }
  }
}

/** In-place forward FFT of length m (a power of two) on split arrays. */
function fftPow2(m: i32, re: usize, im: usize, twr: usize, twi: usize): void {
  if (m <= 1) return;
  // Bit-reversal permutation.
  let j: i32 = 0;
  for (let i: i32 = 0; i < m - 1; i++) {
    if (i < j) {
      const a = load<f64>(at(re, i)); store<f64>(at(re, i), load<f64>(at(re, j))); store<f64>(at(re, j), a);
      const b = load<f64>(at(im, i)); store<f64>(at(im, i), load<f64>(at(im, j))); store<f64>(at(im, j), b);
    }
    let bit = m >> 1;
    while ((j & bit) != 0) { j ^= bit; bit >>= 1; }
    j |= bit;
  }
  // Span 1: twiddle 1, butterflies on adjacent pairs.
  for (let i: i32 = 0; i < m; i += 2) {
    const ar = load<f64>(at(re, i)); const br = load<f64>(at(re, i + 1));
    const ai = load<f64>(at(im, i)); const bi = load<f64>(at(im, i + 1));
    store<f64>(at(re, i), ar + br); store<f64>(at(re, i + 1), ar - br);
    store<f64>(at(im, i), ai + bi); store<f64>(at(im, i + 1), ai - bi);
  }
  // Spans h >= 2: (a, b) <- (a + w b, a - w b), two butterflies per f64x2.
  for (let h: i32 = 2; h < m; h <<= 1) {
    const tr = at(twr, h);
    const ti = at(twi, h);
    for (let s: i32 = 0; s < m; s += h << 1) {
      const pr = at(re, s); const pi = at(im, s);
      const qr = at(re, s + h); const qi = at(im, s + h);
      for (let k: i32 = 0; k < h; k += 2) {
        const wr = v128.load(at(tr, k)); const wi = v128.load(at(ti, k));
        const br = v128.load(at(qr, k)); const bi = v128.load(at(qi, k));
        const xr = f64x2.sub(f64x2.mul(wr, br), f64x2.mul(wi, bi));
        const xi = f64x2.add(f64x2.mul(wr, bi), f64x2.mul(wi, br));
        const ar = v128.load(at(pr, k)); const ai = v128.load(at(pi, k));
        v128.store(at(pr, k), f64x2.add(ar, xr)); v128.store(at(pi, k), f64x2.add(ai, xi));
        v128.store(at(qr, k), f64x2.sub(ar, xr)); v128.store(at(qi, k), f64x2.sub(ai, xi));
      }
    }
  }
}

/** dst = a * b elementwise (complex, split), for i < n; dst may alias a. */
function cmul(n: i32, dr: usize, di: usize, ar: usize, ai: usize, br: usize, bi: usize): void {
  let i: i32 = 0;
  for (; i + 1 < n; i += 2) {
    const xr = v128.load(at(ar, i)); const xi = v128.load(at(ai, i));
    const yr = v128.load(at(br, i)); const yi = v128.load(at(bi, i));
    v128.store(at(dr, i), f64x2.sub(f64x2.mul(xr, yr), f64x2.mul(xi, yi)));
    v128.store(at(di, i), f64x2.add(f64x2.mul(xr, yi), f64x2.mul(xi, yr)));
  }
  if (i < n) {
    const xr = load<f64>(at(ar, i)); const xi = load<f64>(at(ai, i));
    const yr = load<f64>(at(br, i)); const yi = load<f64>(at(bi, i));
    store<f64>(at(dr, i), xr * yr - xi * yi);
    store<f64>(at(di, i), xr * yi + xi * yr);
  }
}

/** Fill the plan of a length-n transform (fftPlanSize(n) f64 at `plan`). */
export function fftPlan(n: i32, plan: usize): void {
  const m = convLength(n);
  const twr = plan;
  const twi = at(plan, m);
  fillTwiddles(m, twr, twi);
  if (m == n) return;
  const n2 = n + (n & 1);
  const cr = at(plan, 2 * m); const ci = at(cr, n2);
  const br = at(ci, n2); const bi = at(br, m);
  // Chirp c_j = exp(-pi i j^2 / n) = exp(-2 pi i (j^2 mod 2n) / (2n)).
  const n2n: i64 = 2 * <i64>n;
  for (let j: i32 = 0; j < n2; j++) {
    if (j < n) {
      unitRoot((<i64>j * <i64>j) % n2n, n2n);
      store<f64>(at(cr, j), rootCos);
      store<f64>(at(ci, j), -rootSin);
    } else {
      store<f64>(at(cr, j), 0);
      store<f64>(at(ci, j), 0);
    }
  }
  // Kernel b_j = conj(c_j) for 0 <= j < n, b_{m-j} = conj(c_j) for 0 < j < n, 0 elsewhere; then FFT / m.
  memory.fill(br, 0, (<usize>(2 * m)) << 3);
  for (let j: i32 = 0; j < n; j++) {
    const c = load<f64>(at(cr, j)); const s = -load<f64>(at(ci, j));
    store<f64>(at(br, j), c); store<f64>(at(bi, j), s);
    if (j > 0) { store<f64>(at(br, m - j), c); store<f64>(at(bi, m - j), s); }
  }
  fftPow2(m, br, bi, twr, twi);
  const inv = f64x2.splat(1.0 / <f64>m);
  for (let i: i32 = 0; i < m; i += 2) {
    v128.store(at(br, i), f64x2.mul(inv, v128.load(at(br, i))));
    v128.store(at(bi, i), f64x2.mul(inv, v128.load(at(bi, i))));
  }
}

/** In-place forward DFT of length n with its plan. */
function forward(n: i32, plan: usize, re: usize, im: usize): void {
  const m = convLength(n);
  const twr = plan;
  const twi = at(plan, m);
  if (m == n) {
    fftPow2(m, re, im, twr, twi);
    return;
  }
  const n2 = n + (n & 1);
  const cr = at(plan, 2 * m); const ci = at(cr, n2);
  const br = at(ci, n2); const bi = at(br, m);
  const wr = at(bi, m); const wi = at(wr, m);
  // a_j = x_j c_j, zero-padded to m; A = FFT(a); A *= FFT(b) / m; conv = m * IFFT(A) (swap trick).
  cmul(n, wr, wi, re, im, cr, ci);
  memory.fill(at(wr, n), 0, (<usize>(m - n)) << 3);
  memory.fill(at(wi, n), 0, (<usize>(m - n)) << 3);
  fftPow2(m, wr, wi, twr, twi);
  cmul(m, wr, wi, wr, wi, br, bi);
  fftPow2(m, wi, wr, twr, twi);
  // X_k = c_k conv_k.
  cmul(n, re, im, wr, wi, cr, ci);
}

/** Multiply n complex values by s. */
function scale(n: i32, re: usize, im: usize, s: f64): void {
  const v = f64x2.splat(s);
  let i: i32 = 0;
  for (; i + 1 < n; i += 2) {
    v128.store(at(re, i), f64x2.mul(v, v128.load(at(re, i))));
    v128.store(at(im, i), f64x2.mul(v, v128.load(at(im, i))));
  }
  if (i < n) {
    store<f64>(at(re, i), s * load<f64>(at(re, i)));
    store<f64>(at(im, i), s * load<f64>(at(im, i)));
  }
}

// @ts-ignore: decorator
@inline function transform(n: i32, plan: usize, re: usize, im: usize, inverse: bool): void {
  if (inverse) {
    forward(n, plan, im, re);
    scale(n, re, im, 1.0 / <f64>n);
  } else {
    forward(n, plan, re, im);
  }
}

/** In-place DFT of length n (inverse != 0: the inverse DFT, with its 1/n). */
export function fft1(n: i32, plan: usize, re: usize, im: usize, inverse: i32): void {
  transform(n, plan, re, im, inverse != 0);
}

/** In-place DFTs of `count` contiguous rows of length n. */
export function fftRows(n: i32, count: i32, plan: usize, re: usize, im: usize, inverse: i32): void {
  for (let r: i32 = 0; r < count; r++) transform(n, plan, at(re, r * n), at(im, r * n), inverse != 0);
}

/** Number of f64 in the `work` of fftCols for columns of length `rows` (FFT_COL_BLOCK columns per pass). */
export function fftColWorkSize(rows: i32): i32 {
  return <i32>fftColWorkLength(<f64>rows);
}

/**
 * In-place DFTs of the columns (length `rows`) of a rows x cols row-major array, FFT_COL_BLOCK columns at a
 * time: gathered into `work` (contiguous), transformed, scattered back.
 */
export function fftCols(rows: i32, cols: i32, plan: usize, re: usize, im: usize, work: usize, inverse: i32): void {
  const wr = work;
  const wi = at(work, FFT_COL_BLOCK * rows);
  for (let c0: i32 = 0; c0 < cols; c0 += FFT_COL_BLOCK) {
    const nb = min(FFT_COL_BLOCK, cols - c0);
    for (let r: i32 = 0; r < rows; r++) {
      const src = r * cols + c0;
      for (let b: i32 = 0; b < nb; b++) {
        store<f64>(at(wr, b * rows + r), load<f64>(at(re, src + b)));
        store<f64>(at(wi, b * rows + r), load<f64>(at(im, src + b)));
      }
    }
    for (let b: i32 = 0; b < nb; b++) transform(rows, plan, at(wr, b * rows), at(wi, b * rows), inverse != 0);
    for (let r: i32 = 0; r < rows; r++) {
      const dst = r * cols + c0;
      for (let b: i32 = 0; b < nb; b++) {
        store<f64>(at(re, dst + b), load<f64>(at(wr, b * rows + r)));
        store<f64>(at(im, dst + b), load<f64>(at(wi, b * rows + r)));
      }
    }
  }
}

/**
 * Boundary jumps of a rows x cols image u (Moisan 2011, the image v = v1 + v2 of the periodic-plus-smooth
 * decomposition): a[l] = u(M-1, l) - u(0, l) (length cols), b[k] = u(k, N-1) - u(k, 0) (length rows).
 * v1 is a in row 0 and -a in row M-1; v2 is b in column 0 and -b in column N-1.
 */
export function boundaryJumps(rows: i32, cols: i32, u: usize, a: usize, b: usize): void {
  const last = (rows - 1) * cols;
  for (let l: i32 = 0; l < cols; l++) store<f64>(at(a, l), load<f64>(at(u, last + l)) - load<f64>(at(u, l)));
  for (let k: i32 = 0; k < rows; k++) {
    store<f64>(at(b, k), load<f64>(at(u, k * cols + cols - 1)) - load<f64>(at(u, k * cols)));
  }
}

/**
 * Periodic component in Fourier (Moisan 2011). Input: U = DFT2(u) in (re, im), A = DFT_N(a), B = DFT_M(b)
 * of the boundary jumps. The smooth part s solves Delta_per s = v, mean(s) = 0, so with
 *   V(k, l) = (1 - e^{2 pi i k / M}) A(l) + (1 - e^{2 pi i l / N}) B(k)        (DFT of v, only 1-D FFTs)
 *   S(k, l) = V(k, l) / (2 cos(2 pi k / M) + 2 cos(2 pi l / N) - 4),  S(0, 0) = 0,
 * and P = U - S overwrites (re, im): P(0, 0) = U(0, 0) is the channel sum. Written without cancellation:
 *   1 - e^{i theta} = 2 sin^2(theta / 2) - i sin(theta),  4 - 2 cos(theta) - 2 cos(phi) = 4 sin^2(theta/2) + 4 sin^2(phi/2),
 * so P = U + V / D with D = 4 sin^2(pi k / M) + 4 sin^2(pi l / N) > 0 off (0, 0).
 * `work`: 3 * (rows + cols) f64.
 */
export function periodicSpectrum(rows: i32, cols: i32, re: usize, im: usize, ar: usize, ai: usize, br: usize, bi: usize, work: usize): void {
  // Per column l: e_l = 1 - e^{2 pi i l / N} (er, ei) and d_l = 4 sin^2(pi l / N); same per row k.
  const cer = work; const cei = at(cer, cols); const cd = at(cei, cols);
  const rer = at(cd, cols); const rei = at(rer, rows); const rd = at(rei, rows);
  for (let l: i32 = 0; l < cols; l++) {
    unitRoot(<i64>l, 2 * <i64>cols); // cos, sin of pi l / N
    const s = rootSin; const c = rootCos;
    store<f64>(at(cer, l), 2 * s * s);
    store<f64>(at(cei, l), -2 * s * c);
    store<f64>(at(cd, l), 4 * s * s);
  }
  for (let k: i32 = 0; k < rows; k++) {
    unitRoot(<i64>k, 2 * <i64>rows);
    const s = rootSin; const c = rootCos;
    store<f64>(at(rer, k), 2 * s * s);
    store<f64>(at(rei, k), -2 * s * c);
    store<f64>(at(rd, k), 4 * s * s);
  }
  for (let k: i32 = 0; k < rows; k++) {
    const ekr = load<f64>(at(rer, k)); const eki = load<f64>(at(rei, k)); const dk = load<f64>(at(rd, k));
    const bkr = load<f64>(at(br, k)); const bki = load<f64>(at(bi, k));
    const pr = at(re, k * cols); const pi = at(im, k * cols);
    const vekr = f64x2.splat(ekr); const veki = f64x2.splat(eki); const vdk = f64x2.splat(dk);
    const vbkr = f64x2.splat(bkr); const vbki = f64x2.splat(bki);
    const l0: i32 = k == 0 ? 1 : 0; // (0, 0) keeps U(0, 0)
    let l: i32 = l0;
    for (; l + 1 < cols; l += 2) {
      const alr = v128.load(at(ar, l)); const ali = v128.load(at(ai, l));
      const elr = v128.load(at(cer, l)); const eli = v128.load(at(cei, l));
      // V = e_k A_l + e_l B_k
      const vr = f64x2.add(f64x2.sub(f64x2.mul(vekr, alr), f64x2.mul(veki, ali)), f64x2.sub(f64x2.mul(elr, vbkr), f64x2.mul(eli, vbki)));
      const vi = f64x2.add(f64x2.add(f64x2.mul(vekr, ali), f64x2.mul(veki, alr)), f64x2.add(f64x2.mul(elr, vbki), f64x2.mul(eli, vbkr)));
      const d = f64x2.add(vdk, v128.load(at(cd, l)));
      v128.store(at(pr, l), f64x2.add(v128.load(at(pr, l)), f64x2.div(vr, d)));
      v128.store(at(pi, l), f64x2.add(v128.load(at(pi, l)), f64x2.div(vi, d)));
    }
    if (l < cols) {
      const alr = load<f64>(at(ar, l)); const ali = load<f64>(at(ai, l));
      const elr = load<f64>(at(cer, l)); const eli = load<f64>(at(cei, l));
      const vr = (ekr * alr - eki * ali) + (elr * bkr - eli * bki);
      const vi = (ekr * ali + eki * alr) + (elr * bki + eli * bkr);
      const d = dk + load<f64>(at(cd, l));
      store<f64>(at(pr, l), load<f64>(at(pr, l)) + vr / d);
      store<f64>(at(pi, l), load<f64>(at(pi, l)) + vi / d);
    }
  }
}

/** out[i] += re[i]^2 + im[i]^2 for i < n. */
export function addPower(n: i32, re: usize, im: usize, out: usize): void {
  let i: i32 = 0;
  for (; i + 1 < n; i += 2) {
    const x = v128.load(at(re, i)); const y = v128.load(at(im, i));
    v128.store(at(out, i), f64x2.add(v128.load(at(out, i)), f64x2.add(f64x2.mul(x, x), f64x2.mul(y, y))));
  }
  if (i < n) {
    const x = load<f64>(at(re, i)); const y = load<f64>(at(im, i));
    store<f64>(at(out, i), load<f64>(at(out, i)) + (x * x + y * y));
  }
}

/** out += a conj(b) elementwise (complex, split) for i < n: one entry of a cross-periodogram. */
export function addCross(n: i32, ar: usize, ai: usize, br: usize, bi: usize, outr: usize, outi: usize): void {
  let i: i32 = 0;
  for (; i + 1 < n; i += 2) {
    const xr = v128.load(at(ar, i)); const xi = v128.load(at(ai, i));
    const yr = v128.load(at(br, i)); const yi = v128.load(at(bi, i));
    v128.store(at(outr, i), f64x2.add(v128.load(at(outr, i)), f64x2.add(f64x2.mul(xr, yr), f64x2.mul(xi, yi))));
    v128.store(at(outi, i), f64x2.add(v128.load(at(outi, i)), f64x2.sub(f64x2.mul(xi, yr), f64x2.mul(xr, yi))));
  }
  if (i < n) {
    const xr = load<f64>(at(ar, i)); const xi = load<f64>(at(ai, i));
    const yr = load<f64>(at(br, i)); const yi = load<f64>(at(bi, i));
    store<f64>(at(outr, i), load<f64>(at(outr, i)) + (xr * yr + xi * yi));
    store<f64>(at(outi, i), load<f64>(at(outi, i)) + (xi * yr - xr * yi));
  }
}
