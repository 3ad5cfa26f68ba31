// Per-mode variance propagation of a linear sampler with the exact score (docs/math.md §2).
//
// For data N(0, S) every scheme acts on each eigen-mode l independently: the variance v of the mode obeys
//   v <- m_k^2 v + n_k                                    (docs/math.md §2, "every linear sampler ... affine")
// where m_k is the scheme's stability factor on the step [t_k, t_{k+1}]. The factor is not written per scheme
// here: it is evaluated from the scheme's *coefficient plan*, built once in TypeScript (src/diffusion/plan.ts) and
// read by this kernel and by the plain-TypeScript reference (src/diffusion/reference.ts) alike. For any explicit
// tableau whose stages evaluate the score -r x (r = 1/a) at t_k and t_{k+1}, m is bilinear in (r_k, r_{k+1}):
//   m = (c00 + c10 r_k) + r_{k+1} (c01 + c11 r_k),   n = nu,   plan row = [c00, c10, c01, c11, nu]
// with a_k = l(T - t_k) = e_k l + (1 - e_k), e_k = exp(-2 B(T - t_k)) (docs/math.md §2, forward variance).
//
// Work per mode and grid point: one division (r = 1/a), shared by every scheme and by both starts
// (init 0: v_0 = a_0, i.e. p_T; init 1: v_0 = 1, i.e. N(0, I)). The output is affine in v_0, so each scheme
// keeps the fewest states that give both starts (same formulas in src/diffusion/reference.ts):
//   noise-free scheme (n = 0 on every step): P = prod m;                   v_pT = P^2 a_0, v_normal = P^2
//   noisy scheme:      N (N <- m^2 N + n, N_0 = 0), M = prod m^2;          v_pT = N + M a_0, v_normal = N + M
// (v = M v_0 + N: sums of non-negative terms, so no cancellation for any eigenvalue and no Inf - Inf after an
// overflow.) Modes are processed in blocks that stay in L1 cache, two modes per v128 (f64x2), up to four
// grid steps per pass over a block; no allocation inside the loops.

// The plan's layout (PLAN_STRIDE f64 per row: c00, c10, c01, c11, nu; TABLEAU_STRIDE flags per scheme) and
// its version PLAN_LAYOUT are shared with the facade (src/wasm/constants.ts).
import {
  PLAN_STRIDE, PROPAGATE_BLOCK as BLOCK, propagateScratchLength, TABLEAU_STRIDE,
} from "../../src/wasm/constants";
import { at } from "../memory";

// One-node factor: m = c00 + c10 r_k.
// @ts-ignore: decorator
@inline function factor1(c00: v128, c10: v128, r0: v128): v128 {
  return f64x2.add(c00, f64x2.mul(c10, r0));
}

// Two-node factor: m = (c00 + c10 r_k) + r_{k+1} (c01 + c11 r_k).
// @ts-ignore: decorator
@inline function factor2(c00: v128, c10: v128, c01: v128, c11: v128, r0: v128, r1: v128): v128 {
  return f64x2.add(f64x2.add(c00, f64x2.mul(c10, r0)), f64x2.mul(r1, f64x2.add(c01, f64x2.mul(c11, r0))));
}

// r = 1 / a_k for the block, a_k = e_k l + om_k: the one division per mode and grid point.
// @ts-ignore: decorator
@inline function reciprocals(dst: usize, lamB: usize, n: i32, e: usize, om: usize, k: i32): void {
  const ek = f64x2.splat(load<f64>(at(e, k)));
  const omk = f64x2.splat(load<f64>(at(om, k)));
  const one = f64x2.splat(1.0);
  for (let j: i32 = 0; j < n; j += 2) {
    v128.store(at(dst, j), f64x2.div(one, f64x2.add(f64x2.mul(ek, v128.load(at(lamB, j))), omk)));
  }
}

// Two grid points at once (k and k + 1): l is loaded once.
// @ts-ignore: decorator
@inline function reciprocals2(dst1: usize, dst2: usize, lamB: usize, n: i32, e: usize, om: usize, k: i32): void {
  const e1 = f64x2.splat(load<f64>(at(e, k)));
  const om1 = f64x2.splat(load<f64>(at(om, k)));
  const e2 = f64x2.splat(load<f64>(at(e, k + 1)));
  const om2 = f64x2.splat(load<f64>(at(om, k + 1)));
  const one = f64x2.splat(1.0);
  for (let j: i32 = 0; j < n; j += 2) {
    const l = v128.load(at(lamB, j));
    v128.store(at(dst1, j), f64x2.div(one, f64x2.add(f64x2.mul(e1, l), om1)));
    v128.store(at(dst2, j), f64x2.div(one, f64x2.add(f64x2.mul(e2, l), om2)));
  }
}

// Advance the states of one mode pair by a factor m: P <- m P (noise-free), or N <- m^2 N + n, M <- m^2 M.
// @ts-ignore: decorator
@inline function advance(sA: usize, sB: usize, j: i32, m: v128, nu: v128, noiseFree: bool): void {
  if (noiseFree) {
    v128.store(at(sA, j), f64x2.mul(m, v128.load(at(sA, j))));
  } else {
    const m2 = f64x2.mul(m, m);
    v128.store(at(sA, j), f64x2.add(f64x2.mul(m2, v128.load(at(sA, j))), nu));
    v128.store(at(sB, j), f64x2.mul(m2, v128.load(at(sB, j))));
  }
}

// Two factors in a row (steps k, k + 1), states loaded and stored once.
// @ts-ignore: decorator
@inline function advance2(sA: usize, sB: usize, j: i32, m: v128, nu: v128, mB: v128, nuB: v128, noiseFree: bool): void {
  if (noiseFree) {
    v128.store(at(sA, j), f64x2.mul(mB, f64x2.mul(m, v128.load(at(sA, j)))));
  } else {
    const m2 = f64x2.mul(m, m);
    const m2B = f64x2.mul(mB, mB);
    const x = f64x2.add(f64x2.mul(m2, v128.load(at(sA, j))), nu);
    v128.store(at(sA, j), f64x2.add(f64x2.mul(m2B, x), nuB));
    v128.store(at(sB, j), f64x2.mul(m2B, f64x2.mul(m2, v128.load(at(sB, j)))));
  }
}

// v_pT and v_normal of a mode pair from its states (see the header).
// @ts-ignore: decorator
@inline function variancePT(x: v128, y: v128, a0: v128, noiseFree: bool): v128 {
  return noiseFree ? f64x2.mul(f64x2.mul(x, x), a0) : f64x2.add(x, f64x2.mul(y, a0));
}
// @ts-ignore: decorator
@inline function varianceNormal(x: v128, y: v128, noiseFree: bool): v128 {
  return noiseFree ? f64x2.mul(x, x) : f64x2.add(x, y);
}

/** One step k of a scheme over a block; r0 holds r_k, r1 holds r_{k+1}. */
// @ts-ignore: decorator
@inline function step(tab: usize, row: usize, sA: usize, sB: usize, r0: usize, r1: usize, n: i32): void {
  const twoNode = load<f64>(tab) != 0;
  const noiseFree = load<f64>(tab, 8) != 0;
  const c00 = f64x2.splat(load<f64>(row));
  const c10 = f64x2.splat(load<f64>(row, 8));
  const c01 = f64x2.splat(load<f64>(row, 16));
  const c11 = f64x2.splat(load<f64>(row, 24));
  const nu = f64x2.splat(load<f64>(row, 32));
  if (twoNode) {
    if (noiseFree) {
      for (let j: i32 = 0; j < n; j += 2) advance(sA, sB, j, factor2(c00, c10, c01, c11, v128.load(at(r0, j)), v128.load(at(r1, j))), nu, true);
    } else {
      for (let j: i32 = 0; j < n; j += 2) advance(sA, sB, j, factor2(c00, c10, c01, c11, v128.load(at(r0, j)), v128.load(at(r1, j))), nu, false);
    }
  } else {
    if (noiseFree) {
      for (let j: i32 = 0; j < n; j += 2) advance(sA, sB, j, factor1(c00, c10, v128.load(at(r0, j))), nu, true);
    } else {
      for (let j: i32 = 0; j < n; j += 2) advance(sA, sB, j, factor1(c00, c10, v128.load(at(r0, j))), nu, false);
    }
  }
}

/** Steps k and k + 1 of a scheme in one pass over the block; r0, r1, r2 hold r_k, r_{k+1}, r_{k+2}. */
// @ts-ignore: decorator
@inline function step2(tab: usize, row: usize, sA: usize, sB: usize, r0: usize, r1: usize, r2: usize, n: i32): void {
  const twoNode = load<f64>(tab) != 0;
  const noiseFree = load<f64>(tab, 8) != 0;
  const rowB = row + ((<usize>PLAN_STRIDE) << 3);
  const c00 = f64x2.splat(load<f64>(row));
  const c10 = f64x2.splat(load<f64>(row, 8));
  const nu = f64x2.splat(load<f64>(row, 32));
  const c00B = f64x2.splat(load<f64>(rowB));
  const c10B = f64x2.splat(load<f64>(rowB, 8));
  const nuB = f64x2.splat(load<f64>(rowB, 32));
  if (twoNode) {
    const c01 = f64x2.splat(load<f64>(row, 16));
    const c11 = f64x2.splat(load<f64>(row, 24));
    const c01B = f64x2.splat(load<f64>(rowB, 16));
    const c11B = f64x2.splat(load<f64>(rowB, 24));
    if (noiseFree) {
      for (let j: i32 = 0; j < n; j += 2) {
        const q1 = v128.load(at(r1, j));
        const m = factor2(c00, c10, c01, c11, v128.load(at(r0, j)), q1);
        const mB = factor2(c00B, c10B, c01B, c11B, q1, v128.load(at(r2, j)));
        advance2(sA, sB, j, m, nu, mB, nuB, true);
      }
    } else {
      for (let j: i32 = 0; j < n; j += 2) {
        const q1 = v128.load(at(r1, j));
        const m = factor2(c00, c10, c01, c11, v128.load(at(r0, j)), q1);
        const mB = factor2(c00B, c10B, c01B, c11B, q1, v128.load(at(r2, j)));
        advance2(sA, sB, j, m, nu, mB, nuB, false);
      }
    }
  } else {
    if (noiseFree) {
      for (let j: i32 = 0; j < n; j += 2) {
        advance2(sA, sB, j, factor1(c00, c10, v128.load(at(r0, j))), nu, factor1(c00B, c10B, v128.load(at(r1, j))), nuB, true);
      }
    } else {
      for (let j: i32 = 0; j < n; j += 2) {
        advance2(sA, sB, j, factor1(c00, c10, v128.load(at(r0, j))), nu, factor1(c00B, c10B, v128.load(at(r1, j))), nuB, false);
      }
    }
  }
}

/** Steps k .. k + 3 of a scheme in one pass; q0..q4 hold r_k .. r_{k+4}. */
// @ts-ignore: decorator
@inline function step4(tab: usize, row: usize, sA: usize, sB: usize, q0: usize, q1: usize, q2: usize, q3: usize, q4: usize, n: i32): void {
  const twoNode = load<f64>(tab) != 0;
  if (twoNode) {
    step2(tab, row, sA, sB, q0, q1, q2, n);
    step2(tab, row + ((<usize>(2 * PLAN_STRIDE)) << 3), sA, sB, q2, q3, q4, n);
    return;
  }
  const noiseFree = load<f64>(tab, 8) != 0;
  const S: usize = (<usize>PLAN_STRIDE) << 3;
  const a0 = f64x2.splat(load<f64>(row)); const a1 = f64x2.splat(load<f64>(row, 8)); const an = f64x2.splat(load<f64>(row, 32));
  const b0 = f64x2.splat(load<f64>(row + S)); const b1 = f64x2.splat(load<f64>(row + S, 8)); const bn = f64x2.splat(load<f64>(row + S, 32));
  const c0 = f64x2.splat(load<f64>(row + 2 * S)); const c1 = f64x2.splat(load<f64>(row + 2 * S, 8)); const cn = f64x2.splat(load<f64>(row + 2 * S, 32));
  const d0 = f64x2.splat(load<f64>(row + 3 * S)); const d1 = f64x2.splat(load<f64>(row + 3 * S, 8)); const dn = f64x2.splat(load<f64>(row + 3 * S, 32));
  if (noiseFree) {
    for (let j: i32 = 0; j < n; j += 2) {
      const m1 = factor1(a0, a1, v128.load(at(q0, j)));
      const m2 = factor1(b0, b1, v128.load(at(q1, j)));
      const m3 = factor1(c0, c1, v128.load(at(q2, j)));
      const m4 = factor1(d0, d1, v128.load(at(q3, j)));
      v128.store(at(sA, j), f64x2.mul(m4, f64x2.mul(m3, f64x2.mul(m2, f64x2.mul(m1, v128.load(at(sA, j)))))));
    }
  } else {
    for (let j: i32 = 0; j < n; j += 2) {
      const m1 = factor1(a0, a1, v128.load(at(q0, j)));
      const m2 = factor1(b0, b1, v128.load(at(q1, j)));
      const m3 = factor1(c0, c1, v128.load(at(q2, j)));
      const m4 = factor1(d0, d1, v128.load(at(q3, j)));
      const s1 = f64x2.mul(m1, m1); const s2 = f64x2.mul(m2, m2); const s3 = f64x2.mul(m3, m3); const s4 = f64x2.mul(m4, m4);
      let x = v128.load(at(sA, j));
      x = f64x2.add(f64x2.mul(s1, x), an);
      x = f64x2.add(f64x2.mul(s2, x), bn);
      x = f64x2.add(f64x2.mul(s3, x), cn);
      x = f64x2.add(f64x2.mul(s4, x), dn);
      v128.store(at(sA, j), x);
      v128.store(at(sB, j), f64x2.mul(s4, f64x2.mul(s3, f64x2.mul(s2, f64x2.mul(s1, v128.load(at(sB, j)))))));
    }
  }
}

// Squared W2 to p_{T - t_{k+1}} of every scheme and start after step k, added to curve[q * nOut + idx]:
// sum_i w_i (sqrt(v_i) - sqrt(a_{k+1,i}))^2 (docs/math.md §1), a_{k+1} = e_{k+1} l + om_{k+1}.
// @ts-ignore: decorator
@inline function curveSums(
  curve: usize, nOut: i32, idx: i32, k: i32, lamB: usize, wB: usize, n: i32, e: usize, om: usize,
  nSchemes: i32, tableau: usize, vbuf: usize, a0buf: usize, sabuf: usize,
): void {
  const ek = f64x2.splat(load<f64>(at(e, k + 1)));
  const omk = f64x2.splat(load<f64>(at(om, k + 1)));
  for (let j: i32 = 0; j < n; j += 2) {
    v128.store(at(sabuf, j), f64x2.sqrt(f64x2.add(f64x2.mul(ek, v128.load(at(lamB, j))), omk)));
  }
  for (let s: i32 = 0; s < nSchemes; s++) {
    const noiseFree = load<f64>(at(tableau, s * TABLEAU_STRIDE + 1)) != 0;
    const sA = at(vbuf, 2 * s * BLOCK);
    const sB = at(vbuf, (2 * s + 1) * BLOCK);
    let accA = f64x2.splat(0.0);
    let accB = f64x2.splat(0.0);
    for (let j: i32 = 0; j < n; j += 2) {
      const sa = v128.load(at(sabuf, j));
      const wj = v128.load(at(wB, j));
      const x = v128.load(at(sA, j));
      const a0 = v128.load(at(a0buf, j));
      const y = v128.load(at(sB, j));
      const dA = f64x2.sub(f64x2.sqrt(variancePT(x, y, a0, noiseFree)), sa);
      const dB = f64x2.sub(f64x2.sqrt(varianceNormal(x, y, noiseFree)), sa);
      accA = f64x2.add(accA, f64x2.mul(wj, f64x2.mul(dA, dA)));
      accB = f64x2.add(accB, f64x2.mul(wj, f64x2.mul(dB, dB)));
    }
    const cA = at(curve, 2 * s * nOut + idx);
    const cB = at(curve, (2 * s + 1) * nOut + idx);
    store<f64>(cA, load<f64>(cA) + (f64x2.extract_lane(accA, 0) + f64x2.extract_lane(accA, 1)));
    store<f64>(cB, load<f64>(cB) + (f64x2.extract_lane(accB, 0) + f64x2.extract_lane(accB, 1)));
  }
}

/**
 * Propagate the variances of `nModes` modes (even count) through `nPoints` grid points for `nSchemes`
 * schemes and both starts. Writes the final variances to `out[(s * 2 + init) * nModes + i]` and, when
 * `curve != 0`, adds sum_i w_i (sqrt(v_i) - sqrt(a_{k+1,i}))^2 (the squared W2 between the current law and
 * p_{T - t_{k+1}}) after the steps k with (k + 1) % every == 0 and after the last step, K = nPoints - 1, to
 * `curve[(s * 2 + init) * nOut + floor(k / every)]`, nOut = ceil(K / every). Between those points (and
 * throughout without a curve) steps are fused four or two per pass over a block.
 */
export function propagate(
  nModes: i32,
  lam: usize,
  w: usize,
  nPoints: i32,
  e: usize,
  om: usize,
  nSchemes: i32,
  tableau: usize,
  plan: usize,
  out: usize,
  curve: usize,
  every: i32,
): void {
  const K = nPoints - 1;
  const nOut = (K + every - 1) / every;
  const nState = nSchemes * 2;
  // one scratch block (the facade counts propagateScratchLength): rbuf 5 BLOCK, sabuf, a0buf, vbuf nState BLOCK
  const rbuf = heap.alloc(<usize>propagateScratchLength(nSchemes) << 3);
  const sabuf = at(rbuf, 5 * BLOCK);
  const a0buf = at(sabuf, BLOCK);
  const vbuf = at(a0buf, BLOCK);
  const one = f64x2.splat(1.0);

  for (let b: i32 = 0; b < nModes; b += BLOCK) {
    const n: i32 = min(BLOCK, nModes - b);
    const lamB = at(lam, b);
    const wB = at(w, b);
    // Three rotating buffers of reciprocals: r0 = r_k, r1 = r_{k+1}, r2 = r_{k+2}.
    let r0 = rbuf;
    let r1 = at(rbuf, BLOCK);
    let r2 = at(rbuf, 2 * BLOCK);
    let r3 = at(rbuf, 3 * BLOCK);
    let r4 = at(rbuf, 4 * BLOCK);

    // Grid point 0: a_0, r_0 = 1 / a_0, and the states: P = 1 (noise-free), or N = 0 and M = 1.
    const e0 = f64x2.splat(load<f64>(e));
    const om0 = f64x2.splat(load<f64>(om));
    for (let j: i32 = 0; j < n; j += 2) {
      const a = f64x2.add(f64x2.mul(e0, v128.load(at(lamB, j))), om0);
      v128.store(at(a0buf, j), a);
      v128.store(at(r0, j), f64x2.div(one, a));
      for (let s: i32 = 0; s < nSchemes; s++) {
        const noiseFree = load<f64>(at(tableau, s * TABLEAU_STRIDE + 1)) != 0;
        v128.store(at(vbuf, 2 * s * BLOCK + j), noiseFree ? one : f64x2.splat(0.0));
        v128.store(at(vbuf, (2 * s + 1) * BLOCK + j), one);
      }
    }

    let k: i32 = 0;
    while (k < K) {
      // Steps k .. stop - 1: up to the next curve point, or to the end without a curve.
      const stop: i32 = curve == 0 ? K : min(K, (k / every + 1) * every);
      // Four steps per pass over the block, then two, then one.
      for (; k + 3 < stop; k += 4) {
        reciprocals2(r1, r2, lamB, n, e, om, k + 1);
        reciprocals2(r3, r4, lamB, n, e, om, k + 3);
        for (let s: i32 = 0; s < nSchemes; s++) {
          step4(at(tableau, s * TABLEAU_STRIDE), at(plan, (s * K + k) * PLAN_STRIDE),
            at(vbuf, 2 * s * BLOCK), at(vbuf, (2 * s + 1) * BLOCK), r0, r1, r2, r3, r4, n);
        }
        const t = r0;
        r0 = r4;
        r4 = t;
      }
      for (; k + 1 < stop; k += 2) {
        reciprocals2(r1, r2, lamB, n, e, om, k + 1);
        for (let s: i32 = 0; s < nSchemes; s++) {
          step2(at(tableau, s * TABLEAU_STRIDE), at(plan, (s * K + k) * PLAN_STRIDE),
            at(vbuf, 2 * s * BLOCK), at(vbuf, (2 * s + 1) * BLOCK), r0, r1, r2, n);
        }
        const t = r0;
        r0 = r2;
        r2 = t;
      }
      for (; k < stop; k++) {
        reciprocals(r1, lamB, n, e, om, k + 1);
        for (let s: i32 = 0; s < nSchemes; s++) {
          step(at(tableau, s * TABLEAU_STRIDE), at(plan, (s * K + k) * PLAN_STRIDE),
            at(vbuf, 2 * s * BLOCK), at(vbuf, (2 * s + 1) * BLOCK), r0, r1, n);
        }
        const t = r0;
        r0 = r1;
        r1 = t;
      }
      if (curve != 0) curveSums(curve, nOut, (stop - 1) / every, stop - 1, lamB, wB, n, e, om, nSchemes, tableau, vbuf, a0buf, sabuf);
    }

    // Final variances of the block from the states.
    for (let s: i32 = 0; s < nSchemes; s++) {
      const noiseFree = load<f64>(at(tableau, s * TABLEAU_STRIDE + 1)) != 0;
      const sA = at(vbuf, 2 * s * BLOCK);
      const sB = at(vbuf, (2 * s + 1) * BLOCK);
      const dA = at(out, 2 * s * nModes + b);
      const dB = at(out, (2 * s + 1) * nModes + b);
      for (let j: i32 = 0; j < n; j += 2) {
        const x = v128.load(at(sA, j));
        const a0 = v128.load(at(a0buf, j));
        const y = v128.load(at(sB, j));
        v128.store(at(dA, j), variancePT(x, y, a0, noiseFree));
        v128.store(at(dB, j), varianceNormal(x, y, noiseFree));
      }
    }
  }

  heap.free(rbuf);
}
