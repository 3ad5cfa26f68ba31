#!/usr/bin/env python3
"""Benchmark baseline: Table 2 of Pierret & Galerne (ICML 2025) computed "as the paper's code does".

One vectorised numpy operation per time step over ALL d modes of the spectrum (no merging of equal
eigenvalues, no multiplicities), each (scheme, eps, init, N) run separately. Conventions follow
docs/math.md §2 (see test/independent/direct.ts for the same formulas in TypeScript):

  b(t) = bmin + (bmax - bmin) t / T,  B(t) = bmin t + (bmax - bmin) t^2 / (2T)
  l(t) = e^{-2B(t)} l + (1 - e^{-2B(t)})          (1 - e^{-2B} = -expm1(-2B))
  grid t_k = (T - eps) k / (N - 1), D = t_1 - t_0, a_k = l(T - t_k), c_k = b(T - t_k)
  EM    : v <- (1 + D c_k (1 - 2/a_k))^2 v + 2 D c_k
  EI    : v <- (1 + g1 (1 - 2/a_k))^2 v + 2 g2, g1 = expm1(dB), g2 = expm1(2 dB)/2, dB = B(T-t_k) - B(T-t_{k+1})
  Euler : v <- (1 + D c_k (1 - 1/a_k))^2 v
  Heun  : v <- (1 + h_k/2 + (h_{k+1}/2)(1 + h_k))^2 v, h_j = D c_j (1 - 1/a_j)
  W2    = sqrt(sum_i (sqrt(v_i) - sqrt(l_i))^2); Infinity if a score is evaluated where a_k = 0.

Usage: python3 bench/numpy_table.py SPECTRUM.npy [--json]
Prints the table (or JSON rows with --json) on stdout and the total wall time on stderr.
"""
import argparse
import json
import math
import sys
import time

import numpy as np

BETA_MIN, BETA_MAX, T = 0.05, 10.0, 1.0
SCHEMES = ["em", "ei", "euler", "heun"]
EPS = [0.0, 1e-5, 1e-3, 1e-2]
INITS = ["pT", "normal"]
STEPS = [None, 50, 250, 500, 1000]


def b(t):
    return BETA_MIN + (BETA_MAX - BETA_MIN) * t / T


def B(t):
    return BETA_MIN * t + (BETA_MAX - BETA_MIN) * t * t / (2.0 * T)


def forward_var(lam, t):
    """l(t) for every mode: e^{-2B(t)} l + (1 - e^{-2B(t)})."""
    two_b = 2.0 * B(t)
    return math.exp(-two_b) * lam + (-math.expm1(-two_b))


def w2(v, lam):
    if np.isinf(v).any():
        return math.inf
    return math.sqrt(math.fsum((np.sqrt(v) - np.sqrt(lam)) ** 2))


def continuous(lam, scheme, eps, init):
    ls = forward_var(lam, eps)
    if init == "pT":
        return w2(ls, lam)
    lT = forward_var(lam, T)
    if scheme in ("em", "ei"):
        # SDE from N(0, I): l(s) + e^{-2(B(T)-B(s))} l(s)^2 / l(T) * (1/l(T) - 1)
        v = ls + math.exp(-2.0 * (B(T) - B(eps))) * ls * ls / lT * (1.0 / lT - 1.0)
    else:
        # ODE from N(0, I): l(s) / l(T)
        v = ls / lT
    return w2(v, lam)


def discrete(lam, scheme, eps, N, init):
    def t(k):
        return (T - eps) * k / (N - 1)

    D = t(1) - t(0)
    v = forward_var(lam, T) if init == "pT" else np.ones_like(lam)
    singular = False
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for k in range(N - 1):
            a = forward_var(lam, T - t(k))
            c = b(T - t(k))
            if not a.all():
                singular = True
            if scheme == "em":
                v = (1.0 + D * c * (1.0 - 2.0 / a)) ** 2 * v + 2.0 * D * c
            elif scheme == "ei":
                dB = B(T - t(k)) - B(T - t(k + 1))
                g1 = math.expm1(dB)
                g2 = math.expm1(2.0 * dB) / 2.0
                v = (1.0 + g1 * (1.0 - 2.0 / a)) ** 2 * v + 2.0 * g2
            elif scheme == "euler":
                v = (1.0 + D * c * (1.0 - 1.0 / a)) ** 2 * v
            else:  # heun: two score evaluations per step
                a1 = forward_var(lam, T - t(k + 1))
                c1 = b(T - t(k + 1))
                if not a1.all():
                    singular = True
                h0 = D * c * (1.0 - 1.0 / a)
                h1 = D * c1 * (1.0 - 1.0 / a1)
                v = (1.0 + h0 / 2.0 + (h1 / 2.0) * (1.0 + h0)) ** 2 * v
    if singular:
        return math.inf
    return w2(v, lam)


def load_spectrum(path):
    lam = np.asarray(np.load(path), dtype=np.float64).ravel()
    if not np.isfinite(lam).all():
        raise ValueError("spectrum has non-finite entries")
    tol = 1e-12 * max(float(lam.max()), 0.0)
    if (lam < -tol).any():
        raise ValueError(f"spectrum has negative entries (min {lam.min()})")
    return np.where(lam < 0, 0.0, lam)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("spectrum", help=".npy file of eigenvalues")
    ap.add_argument("--json", action="store_true", help="print JSON rows")
    args = ap.parse_args()

    t0 = time.perf_counter()
    lam = load_spectrum(args.spectrum)
    rows = []
    for scheme in SCHEMES:
        for eps in EPS:
            for init in INITS:
                for N in STEPS:
                    val = continuous(lam, scheme, eps, init) if N is None else discrete(lam, scheme, eps, N, init)
                    rows.append({"scheme": scheme, "eps": eps, "steps": N, "init": init,
                                 "w2": "Infinity" if math.isinf(val) else val})
    elapsed = time.perf_counter() - t0

    if args.json:
        print(json.dumps({"rows": rows}))
    else:
        print(f"d = {lam.size}")
        for r in rows:
            print(f"{r['scheme']:6s} eps={r['eps']:<7g} {str(r['steps'] or 'cont'):>5s} {r['init']:6s} {r['w2']}")
    print(f"numpy_table: total wall time {elapsed:.2f} s (d = {lam.size}, {len(rows)} cells)", file=sys.stderr)


if __name__ == "__main__":
    main()
