/**
 * Exactly represented covariance pairs of any condition number, and a double-double (about 32 digits)
 * reference for tr (A^{1/2} B A^{1/2})^{1/2} on them: nothing shared with src/ (no eigh, GEMM or Wasm).
 *
 * Inputs. A = Q diag(a) Q^T with Q = Pi S blockdiag(H_n1, H_n2, ...) / sqrt(n) (Pi a permutation, S signs,
 * H_n Sylvester-Hadamard blocks of power-of-two sizes n): orthogonal, and each entry of A is a sum of at most
 * n integers up to 2^40 divided by n, times 2^-40: exact in f64. So the f64 matrix handed to buresW2 IS the
 * matrix whose eigenvalues are a, and the reference needs no eigensolver.
 *
 * Reference. With A = Qa diag(a) Qa^T, B = Qb diag(b) Qb^T, tr (A^{1/2} B A^{1/2})^{1/2} is the sum of the
 * singular values of X = diag(sqrt b) (Qb^T Qa) diag(sqrt a). Qb^T Qa = N_ij / sqrt(nb(i) na(j)) with N an
 * integer matrix (exact in f64), so X_ij = N_ij sqrt(b_i / nb(i)) sqrt(a_j / na(j)), formed in double-double.
 * Then:
 *  1. f64 one-sided Jacobi on the rows of fl(X), accumulating the rotations U (rows of U X become orthogonal);
 *  2. U made orthogonal to double-double level by one Newton-Schulz step, U' = U + (I - U U^T) U / 2
 *     (I - U U^T exactly accumulated from error-free products; it is ~1e-14, so its product with U needs
 *     only f64);
 *  3. Y = U' X in double-double; the sum of the singular values is that of Y (U' orthogonal to ~1e-28).
 *  4. Y's rows are orthogonal to f64 level (cosines c_ij ~ 1e-16 ||X|| / |y_j|): sum_i |y_i| (row norms in
 *     double-double) is an upper bound on sum sigma (eigenvalues majorise the diagonal of Y Y^T, and sqrt is
 *     concave) and exceeds it by about sum_{i<j} c_ij^2 min(|y_i|, |y_j|) / 2 (second-order perturbation of
 *     tr G^{1/2} off its diagonal), which `correctionBound` returns so that a test can check it is negligible.
 */
import { rng } from '../helpers/random.js';

// ---------- double-double arithmetic (Dekker 1971; Knuth's TwoSum) ----------

const SPLIT = 134217729; // 2^27 + 1

/** hi + lo = a * b exactly (Dekker's TwoProduct); returns lo, hi is a * b. */
function prodErr(a: number, b: number, p: number): number {
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}

/** A double-double accumulator: value = hi + lo, |lo| <= ulp(hi) / 2. */
class DD {
  hi = 0;
  lo = 0;
  /** += x (an f64). */
  add(x: number): void {
    const s = this.hi + x;
    const bb = s - this.hi;
    const e = (this.hi - (s - bb)) + (x - bb);
    const lo = this.lo + e;
    this.hi = s + lo;
    this.lo = lo - (this.hi - s);
  }
  /** += a * b exactly (both f64). */
  addProduct(a: number, b: number): void {
    const p = a * b;
    const e = prodErr(a, b, p);
    this.add(p);
    this.add(e);
  }
}

/** sqrt(x) for an f64 x >= 0, as [hi, lo] (one Newton step on the f64 root, residual exact). */
function ddSqrt(x: number): [number, number] {
  const y = Math.sqrt(x);
  const yy = y * y;
  const lo = ((x - yy) - prodErr(y, y, yy)) / (2 * y);
  return [y, lo];
}

/** sqrt(hi + lo) as [hi, lo]. */
function ddSqrt2(hi: number, lo: number): [number, number] {
  const y = Math.sqrt(hi);
  const yy = y * y;
  return [y, ((hi - yy) - prodErr(y, y, yy) + lo) / (2 * y)];
}

// ---------- exactly represented inputs ----------

/** Entry (r, c) of the Sylvester-Hadamard matrix of order 2^k: (-1)^popcount(r & c). */
function hadamardSign(r: number, c: number): number {
  let x = r & c;
  let s = 1;
  while (x) { s = -s; x &= x - 1; }
  return s;
}

/** The orthogonal Q = Pi S blockdiag(H_n) / sqrt(n): Q[row[k]][j] = sign[k] H(k - o, j - o) / sqrt(n) for k, j in the block at o. */
export interface Basis {
  d: number;
  /** Block of each index: offset and size. */
  offset: Int32Array;
  size: Int32Array;
  row: Int32Array;
  sign: Float64Array;
}

export function basis(seed: number, blocks: number[]): Basis {
  const d = blocks.reduce((s, n) => s + n, 0);
  const u = rng(seed);
  const offset = new Int32Array(d);
  const size = new Int32Array(d);
  let o = 0;
  for (const n of blocks) {
    if ((n & (n - 1)) !== 0) throw new Error('block sizes must be powers of two');
    for (let k = o; k < o + n; k++) { offset[k] = o; size[k] = n; }
    o += n;
  }
  const row = Int32Array.from({ length: d }, (_, i) => i);
  for (let i = d - 1; i > 0; i--) {
    const j = Math.floor(u() * (i + 1));
    [row[i], row[j]] = [row[j], row[i]];
  }
  const sign = Float64Array.from({ length: d }, () => (u() < 0.5 ? -1 : 1));
  return { d, offset, size, row, sign };
}

/** Integer eigenvalues in [2^40 / kappa, 2^40] (both ends taken), log-uniform, in random order; times 2^-40 (exact). */
export function eigenvalues(seed: number, d: number, kappa: number): Float64Array {
  const u = rng(seed);
  const top = 2 ** 40;
  const out = Float64Array.from({ length: d }, (_, i) => (i === 0 ? 0 : i === 1 ? 1 : u()));
  return out.map((t) => Math.round(top / kappa ** t) * 2 ** -40);
}

/** Q diag(l) Q^T, row-major; exact in f64 for the eigenvalues of `eigenvalues`. */
export function compose(q: Basis, l: Float64Array): Float64Array {
  const { d, offset, size, row, sign } = q;
  const a = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    const o = offset[i];
    const n = size[i];
    for (let j = o; j < o + n; j++) {
      let s = 0;
      for (let c = o; c < o + n; c++) s += hadamardSign(i - o, c - o) * l[c] * hadamardSign(j - o, c - o);
      a[row[i] * d + row[j]] = (sign[i] * sign[j] * s) / n;
    }
  }
  return a;
}

// ---------- the reference ----------

/** X = diag(sqrt b) Qb^T Qa diag(sqrt a) in double-double (hi, lo), row-major d x d. */
function crossFactor(qa: Basis, a: Float64Array, qb: Basis, b: Float64Array): [Float64Array, Float64Array] {
  const d = qa.d;
  // Integer parts: Na[k][j] = sign H (Qa without its 1/sqrt(n)), indexed by the permuted row k.
  const na = new Float64Array(d * d);
  const nb = new Float64Array(d * d);
  for (const [q, m] of [[qa, na], [qb, nb]] as const) {
    for (let k = 0; k < d; k++) {
      const o = q.offset[k];
      for (let j = o; j < o + q.size[k]; j++) m[q.row[k] * d + j] = q.sign[k] * hadamardSign(k - o, j - o);
    }
  }
  const ra = Array.from({ length: d }, (_, j) => ddSqrt(a[j] / qa.size[j]));
  const rb = Array.from({ length: d }, (_, i) => ddSqrt(b[i] / qb.size[i]));
  const hi = new Float64Array(d * d);
  const lo = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let n = 0;
      for (let k = 0; k < d; k++) n += nb[k * d + i] * na[k * d + j]; // small integers: exact
      if (n === 0) continue;
      // n * (rb_hi + rb_lo) * (ra_hi + ra_lo) to double-double accuracy
      const [bh, bl] = rb[i];
      const [ah, al] = ra[j];
      const p = bh * ah;
      const acc = new DD();
      acc.add(p);
      acc.add(prodErr(bh, ah, p) + bh * al + bl * ah);
      const h = n * acc.hi;
      hi[i * d + j] = h;
      lo[i * d + j] = prodErr(n, acc.hi, h) + n * acc.lo;
    }
  }
  return [hi, lo];
}

/** f64 one-sided Jacobi on the rows of x (destroyed), accumulating the left rotations into u (starts at I). */
function jacobiRows(x: Float64Array, d: number): Float64Array {
  const u = new Float64Array(d * d);
  for (let i = 0; i < d; i++) u[i * d + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < d - 1; p++) {
      for (let q = p + 1; q < d; q++) {
        let al = 0;
        let be = 0;
        let ga = 0;
        for (let k = 0; k < d; k++) {
          const xp = x[p * d + k];
          const xq = x[q * d + k];
          al += xp * xp;
          be += xq * xq;
          ga += xp * xq;
        }
        if (Math.abs(ga) <= 1e-15 * Math.sqrt(al) * Math.sqrt(be)) continue;
        rotated = true;
        const zeta = (be - al) / (2 * ga);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (const m of [x, u]) {
          for (let k = 0; k < d; k++) {
            const mp = m[p * d + k];
            const mq = m[q * d + k];
            m[p * d + k] = c * mp - s * mq;
            m[q * d + k] = s * mp + c * mq;
          }
        }
      }
    }
    if (!rotated) return u;
  }
  throw new Error('reference Jacobi did not converge');
}

export interface Reference {
  /** tr (A^{1/2} B A^{1/2})^{1/2} as a double-double hi + lo. */
  hi: number;
  lo: number;
  /** Bound on sum |y_i| - sum sigma_i (see the header), to check it is negligible. */
  correctionBound: number;
  /** max |U' U'^T - I| after the Newton-Schulz step, estimated in f64 from (I - U U^T)^2. */
  orthogonality: number;
}

/** The double-double reference for the pair (Qa diag(a) Qa^T, Qb diag(b) Qb^T). */
export function nuclearReference(qa: Basis, a: Float64Array, qb: Basis, b: Float64Array): Reference {
  const d = qa.d;
  const [xh, xl] = crossFactor(qa, a, qb, b);
  const u = jacobiRows(xh.slice(), d);
  // F = I - U U^T, accumulated exactly enough (error-free products, double-double sums).
  const f = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      const acc = new DD();
      if (i === j) acc.add(-1);
      for (let k = 0; k < d; k++) acc.addProduct(u[i * d + k], u[j * d + k]);
      f[i * d + j] = f[j * d + i] = -(acc.hi + acc.lo);
    }
  }
  // U' = U + F U / 2: hi part U, lo part F U / 2 (f64 is enough for a ~1e-14 correction).
  const ul = new Float64Array(d * d);
  let fmax = 0;
  for (let i = 0; i < d; i++) {
    for (let k = 0; k < d; k++) {
      const fik = f[i * d + k];
      fmax = Math.max(fmax, Math.abs(fik));
      if (fik !== 0) for (let j = 0; j < d; j++) ul[i * d + j] += 0.5 * fik * u[k * d + j];
    }
  }
  // Y = U' X in double-double; row norms; their sum.
  const yh = new Float64Array(d * d);
  const norms = new Float64Array(d);
  const total = new DD();
  const acc = new DD();
  for (let i = 0; i < d; i++) {
    const sq = new DD();
    for (let j = 0; j < d; j++) {
      acc.hi = 0;
      acc.lo = 0;
      let small = 0;
      for (let k = 0; k < d; k++) {
        const uik = u[i * d + k];
        acc.addProduct(uik, xh[k * d + j]);
        small += uik * xl[k * d + j] + ul[i * d + k] * xh[k * d + j];
      }
      acc.add(small);
      yh[i * d + j] = acc.hi;
      // |y_ij|^2 in double-double: hi^2 exactly, plus 2 hi lo.
      sq.addProduct(acc.hi, acc.hi);
      sq.add(2 * acc.hi * acc.lo);
    }
    const [nh, nl] = ddSqrt2(sq.hi, sq.lo);
    norms[i] = nh;
    total.add(nh);
    total.add(nl);
  }
  // Cosines of Y's rows (f64 Gram: its rounding, ~d eps, is added to each cosine).
  let correctionBound = 0;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < i; j++) {
      let g = 0;
      for (let k = 0; k < d; k++) g += yh[i * d + k] * yh[j * d + k];
      const c = Math.abs(g) / (norms[i] * norms[j]) + d * Number.EPSILON;
      correctionBound += (c * c * Math.min(norms[i], norms[j])) / 2;
    }
  }
  return { hi: total.hi, lo: total.lo, correctionBound, orthogonality: 1.5 * fmax * fmax * d };
}

/** W2^2 = tr A + tr B - 2 reference, from the exact traces (sums of the eigenvalues) in double-double. */
export function w2SquaredReference(a: Float64Array, b: Float64Array, ref: Reference): number {
  const acc = new DD();
  for (const x of a) acc.add(x);
  for (const x of b) acc.add(x);
  acc.add(-2 * ref.hi);
  acc.add(-2 * ref.lo);
  return acc.hi + acc.lo;
}

type Bures = (a: Float64Array, b: Float64Array, d: number) => Promise<{ w2Squared: number }>;

/**
 * The case of the conditioning test: d = 200 (A's blocks 128 + 64 + 8, B's 8 + 64 + 128), eigenvalues of
 * condition kappa; `w2` is buresW2 (of this tree, or of another build). Returns the reference, the expected
 * and computed W2^2 and the relative error.
 */
export async function conditionedCase(w2: Bures, kappa: number, seed: number) {
  const qa = basis(seed, [128, 64, 8]);
  const qb = basis(seed + 1, [8, 64, 128]);
  const d = qa.d;
  const a = eigenvalues(seed + 2, d, kappa);
  const b = eigenvalues(seed + 3, d, kappa);
  const ref = nuclearReference(qa, a, qb, b);
  const expected = w2SquaredReference(a, b, ref);
  const got = (await w2(compose(qa, a), compose(qb, b), d)).w2Squared;
  return { ref, expected, got, error: Math.abs(got - expected) / expected };
}
