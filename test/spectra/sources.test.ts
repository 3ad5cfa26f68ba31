/**
 * Spectrum sources: covariance matrices, samples (known or estimated mean), the MNIST digits, the
 * `gaussdiff spectrum` command and `table --spectrum mnist`. Each expected value is computed independently
 * of the code under test (a prescribed spectrum, samples with an exactly known covariance, the trace of the
 * MNIST covariance summed pixel by pixel).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  spectrumOfCovariance, spectrumOfSamples, mnistSpectrum, mnistDataset, parseNpy, parseNpyArray, toNpy, GaussdiffError, table,
} from '../../src/node.js';
import { ROOT } from '../helpers/shared.js';
import { runCli } from '../helpers/cli.js';
import { rng } from '../helpers/random.js';

// The MNIST spectrum's disk cache goes to a temporary folder (inherited by the CLI runs), not the user's.
process.env.GAUSSDIFF_CACHE = mkdtempSync(join(tmpdir(), 'gaussdiff-cache-'));

/** Q diag(lambda) Q^T with Q a product of seeded Householder reflectors. */
function withSpectrum(lambda: number[], seed: number): Float64Array {
  const d = lambda.length;
  const r = rng(seed);
  const q = new Float64Array(d * d);
  for (let i = 0; i < d; i++) q[i * d + i] = 1;
  for (let h = 0; h < 3; h++) {
    const v = Array.from({ length: d }, () => r() - 0.5);
    const norm = Math.hypot(...v);
    for (let c = 0; c < d; c++) {
      let dot = 0;
      for (let i = 0; i < d; i++) dot += v[i] * q[i * d + c];
      for (let i = 0; i < d; i++) q[i * d + c] -= (2 * v[i] * dot) / (norm * norm);
    }
  }
  const a = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += q[i * d + k] * lambda[k] * q[j * d + k];
    a[i * d + j] = s;
  }
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) a[i * d + j] = a[j * d + i]; // exactly symmetric
  return a;
}

const run = (...args: string[]) => { const r = runCli(args); return { status: r.code, stdout: r.stdout, stderr: r.stderr }; };
const dir = mkdtempSync(join(tmpdir(), 'gaussdiff-sources-'));

describe('spectrum sources', () => {
  it('a covariance matrix gives its eigenvalues, ascending, zeros exact', async () => {
    const lambda = [3, 0, 1e-3, 2, 0, 0.5, 7];
    const values = await spectrumOfCovariance(withSpectrum(lambda, 1), lambda.length);
    const sorted = [...lambda].sort((a, b) => a - b);
    values.forEach((v, i) => expect(Math.abs(v - sorted[i])).toBeLessThanOrEqual(1e-13 * 7));
    expect(values[0]).toBe(0);
    expect(values[1]).toBe(0);
  });

  it('samples give the covariance spectrum, with a known or an estimated mean', async () => {
    // Rows +-s_i e_i: mean 0, X^T X / n = diag(2 s_i^2 / n); centred: diag(2 s_i^2 / (n - 1)).
    const s = [1, 2, 0.5, 3];
    const d = s.length;
    const n = 2 * d;
    const x = new Float64Array(n * d);
    s.forEach((si, i) => { x[2 * i * d + i] = si; x[(2 * i + 1) * d + i] = -si; });
    const known = await spectrumOfSamples(x, n, d);
    const centred = await spectrumOfSamples(x, n, d, { center: true });
    const expect1 = s.map((si) => (2 * si * si) / n).sort((a, b) => a - b);
    const expect2 = s.map((si) => (2 * si * si) / (n - 1)).sort((a, b) => a - b);
    known.forEach((v, i) => expect(v).toBeCloseTo(expect1[i], 13));
    centred.forEach((v, i) => expect(v).toBeCloseTo(expect2[i], 13));
  });

  it('MNIST: 784 eigenvalues of the centred covariance of 10000 digits; singular; trace = total pixel variance', async () => {
    const data = mnistDataset();
    expect(data.n).toBe(10000);
    expect(data.d).toBe(784);
    const values = await mnistSpectrum();
    expect(values.length).toBe(784);
    for (let i = 1; i < 784; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]);
    expect(values[0]).toBeGreaterThanOrEqual(0);
    // Independent check: the trace is the sum of the per-pixel sample variances.
    let trace = 0;
    let constant = 0;
    for (let p = 0; p < 784; p++) {
      let mean = 0;
      for (let k = 0; k < data.n; k++) mean += data.samples[k * 784 + p];
      mean /= data.n;
      let v = 0;
      for (let k = 0; k < data.n; k++) { const z = data.samples[k * 784 + p] - mean; v += z * z; }
      trace += v / (data.n - 1);
      if (v === 0) constant++;
    }
    expect(Math.abs(values.reduce((a, b) => a + b, 0) - trace) / trace).toBeLessThan(1e-10);
    // A pixel that never varies is a zero eigenvalue: at least that many exact zeros.
    expect(constant).toBeGreaterThan(0);
    expect(values.filter((v) => v === 0).length).toBeGreaterThanOrEqual(constant);
  });

  it('rejects bad shapes and asymmetric matrices with typed errors', async () => {
    await expect(spectrumOfCovariance([1, 2, 3], 2)).rejects.toMatchObject({ code: 'INVALID_SHAPE' });
    await expect(spectrumOfCovariance([1, 2, 0, 1], 2)).rejects.toMatchObject({ code: 'NOT_SYMMETRIC' });
    await expect(spectrumOfSamples([1, 2, 3], 2, 2)).rejects.toBeInstanceOf(GaussdiffError);
    await expect(spectrumOfSamples([1, 2], 1, 2, { center: true })).rejects.toMatchObject({ code: 'INVALID_SHAPE' });
  });
});

describe('gaussdiff spectrum', () => {
  it('--covariance and --samples [--center] write a 1-D <f8 .npy', async () => {
    const lambda = [0.5, 1, 2, 4, 0];
    const c = join(dir, 'c.npy');
    writeFileSync(c, toNpy(withSpectrum(lambda, 3), [5, 5]));
    const out = join(dir, 'out.npy');
    const r = run('spectrum', '--covariance', c, '--out', out);
    expect(r.status, r.stderr).toBe(0);
    const arr = parseNpyArray(readFileSync(out), out);
    expect(arr.shape).toEqual([5]);
    expect(readFileSync(out).subarray(10, 40).toString('latin1')).toContain("'<f8'");
    expect(Array.from(arr.data)).toEqual(Array.from(await spectrumOfCovariance(withSpectrum(lambda, 3), 5)));

    const x = join(dir, 'x.npy');
    const samples = Float64Array.from({ length: 40 * 3 }, (_, i) => Math.sin(i * 1.7) + (i % 3));
    writeFileSync(x, toNpy(samples, [40, 3]));
    for (const center of [false, true]) {
      const o = join(dir, `s${center}.npy`);
      const rr = run('spectrum', '--samples', x, ...(center ? ['--center'] : []), '--out', o);
      expect(rr.status, rr.stderr).toBe(0);
      expect(Array.from(parseNpy(readFileSync(o)))).toEqual(Array.from(await spectrumOfSamples(samples, 40, 3, { center })));
    }
  });

  it('--dataset mnist, and table --spectrum mnist', async () => {
    const o = join(dir, 'mnist.npy');
    const r = run('spectrum', '--dataset', 'mnist', '--out', o);
    expect(r.status, r.stderr).toBe(0);
    expect(Array.from(parseNpy(readFileSync(o)))).toEqual(Array.from(await mnistSpectrum()));
    const t = run('table', '--spectrum', 'mnist', '--steps', '20', '--eps', '0,1e-3', '--json');
    expect(t.status, t.stderr).toBe(0);
    expect(JSON.parse(t.stdout)).toEqual(JSON.parse(JSON.stringify(await table(await mnistSpectrum(), { steps: [20], eps: [0, 1e-3] }))));
  });

  it('fails with typed errors: non-square, mismatched, missing source, undecodable image', () => {
    const bad = join(dir, 'bad.npy');
    writeFileSync(bad, toNpy(new Float64Array(6), [2, 3]));
    const cases: [string[], RegExp][] = [
      [['spectrum', '--covariance', bad, '--out', join(dir, 'o.npy')], /error \[INVALID_SHAPE\]/],
      [['spectrum', '--out', join(dir, 'o.npy')], /error \[INVALID_OPTION\].*one of --adsn, --dataset, --covariance, --samples/],
      [['spectrum', '--dataset', 'cifar', '--out', join(dir, 'o.npy')], /error \[INVALID_OPTION\].*mnist/],
      [['spectrum', '--adsn', bad, '--out', join(dir, 'o.npy')], /error \[IMAGE_READ\].*bad\.npy/],
    ];
    for (const [args, message] of cases) {
      const r = run(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});
