// Per-mode variance propagation of a linear sampler with the exact score (math.md, section 2).
//
// For data N(0, S) every scheme acts on each eigen-mode l independently: the variance v of the mode obeys
//   v <- m_k^2 v + n_k                                    (math.md §2, "every linear sampler ... affine")
// where m_k is the scheme's stability factor on the step [t_k, t_{k+1}]. The factor is not written per scheme
// here: it is evaluated from the scheme's *coefficient plan*, built once in TypeScript (src/scheme.ts) and
// read by this kernel and by the plain-TypeScript reference (src/reference.ts) alike. A plan row holds, for
// one scheme and one step, the coefficients of an explicit tableau with at most two stages on the score
// -r x, r = 1/a:
//   one stage (row c0, c1, -, -, nu):               m = c0 - c1 r_k
//   two stages (row alpha0, beta0, alpha1, beta1, nu): h0 = alpha0 - beta0 r_k,  h1 = alpha1 - beta1 r_{k+1},
//                                                   m = 1 + b0 h0 + b1 (h1 (1 + a10 h0))
//   n = nu
// with a_k = l(T - t_k) = e_k l + (1 - e_k), e_k = exp(-2 B(T - t_k)) (math.md §2, forward variance).
//
// Work per mode and grid point: one division (r = 1/a), shared by every scheme and by both starts
// (init 0: v_0 = a_0, i.e. p_T; init 1: v_0 = 1, i.e. N(0, I)). A noise-free scheme (n = 0 on every step,
// flagged in its tableau row) keeps one state, the product M = prod m^2, and both starts follow at the end
// as v = M v_0. Modes are processed in blocks that stay in L1 cache, two modes per v128 (f64x2). No
// allocation inside the loops.

// Version of the plan's meaning (row layout and formulas). The facade refuses a module whose version
// differs from src/scheme.ts's: a stale build/gaussdiff.wasm must not silently give wrong numbers.
export const PLAN_LAYOUT: i32 = 3;
export const PLAN_STRIDE: i32 = 5; // alpha0 (c0), beta0 (c1), alpha1, beta1, nu
export const TABLEAU_STRIDE: i32 = 5; // stages, a10, b0, b1, noise-free (1 or 0)

const BLOCK: i32 = 256; // modes per block (even)

// @ts-ignore: decorator
@inline function at(base: usize, index: i32): usize {
  return base + ((<usize>index) << 3);
}

/**
 * Propagate the variances of `nModes` modes (even count) through `nPoints` grid points for `nSchemes`
 * schemes and both starts. Writes the final variances to `out[(s * 2 + init) * nModes + i]` and, when
 * `curve != 0`, adds sum_i w_i (sqrt(v_i) - sqrt(a_{k+1,i}))^2 to `curve[(s * 2 + init) * (nPoints - 1) + k]`
 * after each step k (the squared W2 between the current law and p_{T - t_{k+1}}).
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
): void {
  const K = nPoints - 1;
  const nState = nSchemes * 2;
  const r0buf = heap.alloc(<usize>BLOCK << 3);
  const r1buf = heap.alloc(<usize>BLOCK << 3);
  const sabuf = heap.alloc(<usize>BLOCK << 3);
  const a0buf = heap.alloc(<usize>BLOCK << 3);
  const vbuf = heap.alloc(<usize>(nState * BLOCK) << 3);
  const one = f64x2.splat(1.0);

  for (let b: i32 = 0; b < nModes; b += BLOCK) {
    const n: i32 = min(BLOCK, nModes - b);
    const lamB = at(lam, b);
    const wB = at(w, b);
    let r0 = r0buf;
    let r1 = r1buf;

    // Grid point 0: r_0 = 1 / a_0 and the starts: v = a_0 (p_T) and v = 1 (N(0, I)), or M = 1.
    const e0 = f64x2.splat(load<f64>(e));
    const om0 = f64x2.splat(load<f64>(om));
    for (let j: i32 = 0; j < n; j += 2) {
      const a = f64x2.add(f64x2.mul(e0, v128.load(at(lamB, j))), om0);
      v128.store(at(a0buf, j), a);
      v128.store(at(r0, j), f64x2.div(one, a));
      for (let s: i32 = 0; s < nSchemes; s++) {
        const noiseFree = load<f64>(at(tableau, s * TABLEAU_STRIDE + 4)) != 0;
        v128.store(at(vbuf, 2 * s * BLOCK + j), noiseFree ? one : a);
        v128.store(at(vbuf, (2 * s + 1) * BLOCK + j), one);
      }
    }

    for (let k: i32 = 0; k < K; k++) {
      // Grid point k+1: r_{k+1} = 1 / a_{k+1} (the only division of the step), sqrt(a_{k+1}) for curves.
      const ek = f64x2.splat(load<f64>(at(e, k + 1)));
      const omk = f64x2.splat(load<f64>(at(om, k + 1)));
      if (curve != 0) {
        for (let j: i32 = 0; j < n; j += 2) {
          const a = f64x2.add(f64x2.mul(ek, v128.load(at(lamB, j))), omk);
          v128.store(at(r1, j), f64x2.div(one, a));
          v128.store(at(sabuf, j), f64x2.sqrt(a));
        }
      } else {
        for (let j: i32 = 0; j < n; j += 2) {
          const a = f64x2.add(f64x2.mul(ek, v128.load(at(lamB, j))), omk);
          v128.store(at(r1, j), f64x2.div(one, a));
        }
      }

      for (let s: i32 = 0; s < nSchemes; s++) {
        const tab = at(tableau, s * TABLEAU_STRIDE);
        const row = at(plan, (s * K + k) * PLAN_STRIDE);
        const stages = <i32>load<f64>(tab);
        const noiseFree = load<f64>(tab, 32) != 0;
        const alpha0 = f64x2.splat(load<f64>(row)); // c0 for one stage
        const beta0 = f64x2.splat(load<f64>(row, 8)); // c1 for one stage
        const nu = f64x2.splat(load<f64>(row, 32));
        const vA = at(vbuf, 2 * s * BLOCK);
        const vB = at(vbuf, (2 * s + 1) * BLOCK);
        if (stages == 1) {
          if (noiseFree) {
            for (let j: i32 = 0; j < n; j += 2) {
              // m = c0 - c1 r_k ; M <- m^2 M
              const m = f64x2.sub(alpha0, f64x2.mul(beta0, v128.load(at(r0, j))));
              v128.store(at(vA, j), f64x2.mul(f64x2.mul(m, m), v128.load(at(vA, j))));
            }
          } else {
            for (let j: i32 = 0; j < n; j += 2) {
              // m = c0 - c1 r_k ; v <- m^2 v + n, both starts
              const m = f64x2.sub(alpha0, f64x2.mul(beta0, v128.load(at(r0, j))));
              const m2 = f64x2.mul(m, m);
              v128.store(at(vA, j), f64x2.add(f64x2.mul(m2, v128.load(at(vA, j))), nu));
              v128.store(at(vB, j), f64x2.add(f64x2.mul(m2, v128.load(at(vB, j))), nu));
            }
          }
        } else {
          const a10 = f64x2.splat(load<f64>(tab, 8));
          const b0 = f64x2.splat(load<f64>(tab, 16));
          const b1 = f64x2.splat(load<f64>(tab, 24));
          const alpha1 = f64x2.splat(load<f64>(row, 16));
          const beta1 = f64x2.splat(load<f64>(row, 24));
          for (let j: i32 = 0; j < n; j += 2) {
            // h0 = alpha0 - beta0 r_k ; h1 = alpha1 - beta1 r_{k+1} ; m = 1 + b0 h0 + b1 (h1 (1 + a10 h0))
            const h0 = f64x2.sub(alpha0, f64x2.mul(beta0, v128.load(at(r0, j))));
            const h1 = f64x2.sub(alpha1, f64x2.mul(beta1, v128.load(at(r1, j))));
            const y1 = f64x2.add(one, f64x2.mul(a10, h0));
            const m = f64x2.add(f64x2.add(one, f64x2.mul(b0, h0)), f64x2.mul(b1, f64x2.mul(h1, y1)));
            const m2 = f64x2.mul(m, m);
            if (noiseFree) {
              v128.store(at(vA, j), f64x2.mul(m2, v128.load(at(vA, j))));
            } else {
              v128.store(at(vA, j), f64x2.add(f64x2.mul(m2, v128.load(at(vA, j))), nu));
              v128.store(at(vB, j), f64x2.add(f64x2.mul(m2, v128.load(at(vB, j))), nu));
            }
          }
        }
        if (curve != 0) {
          // Squared W2 to p_{T - t_{k+1}} after this step: sum_i w_i (sqrt(v_i) - sqrt(a_{k+1,i}))^2 (math.md §1).
          let accA = f64x2.splat(0.0);
          let accB = f64x2.splat(0.0);
          for (let j: i32 = 0; j < n; j += 2) {
            const sa = v128.load(at(sabuf, j));
            const wj = v128.load(at(wB, j));
            const x = v128.load(at(vA, j));
            const pT = noiseFree ? f64x2.mul(x, v128.load(at(a0buf, j))) : x; // v = M a_0
            const normal = noiseFree ? x : v128.load(at(vB, j)); // v = M
            const dA = f64x2.sub(f64x2.sqrt(pT), sa);
            const dB = f64x2.sub(f64x2.sqrt(normal), sa);
            accA = f64x2.add(accA, f64x2.mul(wj, f64x2.mul(dA, dA)));
            accB = f64x2.add(accB, f64x2.mul(wj, f64x2.mul(dB, dB)));
          }
          const cA = at(curve, 2 * s * K + k);
          const cB = at(curve, (2 * s + 1) * K + k);
          store<f64>(cA, load<f64>(cA) + (f64x2.extract_lane(accA, 0) + f64x2.extract_lane(accA, 1)));
          store<f64>(cB, load<f64>(cB) + (f64x2.extract_lane(accB, 0) + f64x2.extract_lane(accB, 1)));
        }
      }
      const t = r0;
      r0 = r1;
      r1 = t;
    }

    // Final variances of the block (noise-free schemes: v = M a_0 from p_T, v = M from N(0, I)).
    for (let s: i32 = 0; s < nSchemes; s++) {
      const noiseFree = load<f64>(at(tableau, s * TABLEAU_STRIDE + 4)) != 0;
      const vA = at(vbuf, 2 * s * BLOCK);
      const vB = at(vbuf, (2 * s + 1) * BLOCK);
      const dA = at(out, 2 * s * nModes + b);
      const dB = at(out, (2 * s + 1) * nModes + b);
      if (noiseFree) {
        for (let j: i32 = 0; j < n; j += 2) {
          const x = v128.load(at(vA, j));
          v128.store(at(dA, j), f64x2.mul(x, v128.load(at(a0buf, j))));
          v128.store(at(dB, j), x);
        }
      } else {
        memory.copy(dA, vA, <usize>n << 3);
        memory.copy(dB, vB, <usize>n << 3);
      }
    }
  }

  heap.free(r0buf);
  heap.free(r1buf);
  heap.free(sabuf);
  heap.free(a0buf);
  heap.free(vbuf);
}
