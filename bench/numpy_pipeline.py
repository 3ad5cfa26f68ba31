"""One Monte-Carlo draw of the score-matching pipeline in numpy (the baseline of bench/pipeline.js).

Same algorithm as gaussdiff's pipelineError draw (exact DSM fit, ULA or continuous Langevin), step for step:
  x = z diag(sqrt l), z ~ N(0, I) (N x d)          the data set
  S_N = X^T X / N                                  covariance, mean known (score-matching.md §1)
  S_N = U diag(mu) U^T                             eigh; mu clipped at 0
  a = 1 / (mu + sigma^2)                           exact DSM minimiser (§2)
  v = 2 / (a (2 - gamma a)) (ULA) or 1 / a         per-mode output variances (§3a-§3b)
  W2^2 = tr S + sum v - 2 ||diag(sqrt l) U diag(sqrt v)||_*   Bures (§1), singular values by LAPACK gesdd

`deflated`: the same draw with the modes of l = 0 left out of the covariance, eigh and SVD (their samples are
exactly 0, so S_N is block diagonal; each adds its exact-score variance), as gaussdiff does: timed separately.

Run with one BLAS thread (bench/pipeline.js sets OPENBLAS/OMP/MKL_NUM_THREADS=1). Arguments:
  spectrum.npy N sigma gamma draws seed [data.npy]
Times each step inside python; prints one JSON object: per-draw totals, the split, and each draw's W2^2. With
data.npy (an N x d array), one extra untimed draw on those exact samples gives `w2sqOnData` (the cross-check
against gaussdiff on the same X).
"""
import json
import sys
import time

import numpy as np


def variance(mu, u, gamma):
    a = 1.0 / (mu + u)
    return 2.0 / (a * (2.0 - gamma * a)) if gamma > 0 else 1.0 / a


def draw_error(x, l, u, gamma, t, zeros=0):
    n = x.shape[0]
    x, l0, l = x[:, zeros:], l, l[zeros:]
    t0 = time.perf_counter()
    s = (x.T @ x) / n
    t1 = time.perf_counter()
    mu, vec = np.linalg.eigh(s)
    mu = np.maximum(mu, 0.0)
    t2 = time.perf_counter()
    v = variance(mu, u, gamma)
    f = np.sqrt(l)[:, None] * vec * np.sqrt(v)[None, :]
    t3 = time.perf_counter()
    nuclear = np.linalg.svd(f, compute_uv=False).sum()
    t4 = time.perf_counter()
    if t is not None:
        t['covariance'].append(t1 - t0)
        t['eigh'].append(t2 - t1)
        t['sampler'].append(t3 - t2)
        t['svd'].append(t4 - t3)
    return max(l0.sum() + v.sum() + zeros * variance(0.0, u, gamma) - 2.0 * nuclear, 0.0)


def main():
    spectrum, n, sigma, gamma, draws, seed = sys.argv[1:7]
    l = np.load(spectrum).astype(np.float64)
    n, sigma, gamma, draws, seed = int(n), float(sigma), float(gamma), int(draws), int(seed)
    u = sigma * sigma
    d = l.size
    root = np.sqrt(l)
    rng = np.random.default_rng(seed)
    zeros = int(np.argmax(l > 0)) if (l > 0).any() else d  # l ascending: the zero modes come first
    t = {k: [] for k in ('normals', 'covariance', 'eigh', 'sampler', 'svd', 'total')}
    td = {k: [] for k in ('covariance', 'eigh', 'sampler', 'svd', 'total')}
    w, wd = [], []
    for _ in range(draws):
        t0 = time.perf_counter()
        x = rng.standard_normal((n, d)) * root[None, :]
        t['normals'].append(time.perf_counter() - t0)
        w.append(draw_error(x, l, u, gamma, t))
        t['total'].append(time.perf_counter() - t0)
        t1 = time.perf_counter()
        wd.append(draw_error(x, l, u, gamma, td, zeros))
        td['total'].append(t['normals'][-1] + time.perf_counter() - t1)
    out = {'d': d, 'samples': n, 'zeros': zeros, 'w2sq': w, 'w2sqDeflated': wd, 'seconds': t, 'secondsDeflated': td, 'numpy': np.__version__}
    if len(sys.argv) > 7:
        out['w2sqOnData'] = draw_error(np.load(sys.argv[7]), l, u, gamma, None)
    print(json.dumps(out))


main()
