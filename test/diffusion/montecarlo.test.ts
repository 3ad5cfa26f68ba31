/**
 * Monte-Carlo validation of the closed forms (src/diffusion/montecarlo.ts): particles simulated with every scheme's
 * plan agree with the engine's per-mode output variances and W2, and a deliberately wrong closed form is
 * caught.
 *
 * z bounds. vhat_i / v_i ~ chi2_B / B exactly (particles are Gaussian with known mean 0), so the Chernoff
 * bounds P(chi2_B/B - 1 >= x) <= exp(-B/2 (x - ln(1 + x))) and P(chi2_B/B - 1 <= -x) <= exp(-B/2 (-x - ln(1 - x)))
 * are rigorous. With x = t sqrt(2/B) and a union (Bonferroni) bound over the m modes of a run, the bound
 * t_m(B) solves m (upper + lower) = alpha, alpha = 1e-3 per run: max |z| > t_m happens with probability
 * <= 1e-3 when the closed form is right. For large B it tends to the Gaussian sqrt(2 ln(2m/alpha)); for
 * small B the chi2's right skew makes it a little larger. The seeds are fixed, so the suite is deterministic;
 * the union over all ~45 runs here bounds the chance that a correct engine fails it at ~5%.
 * W2: |w2_MC - W2| <= 4 stderr (+ 1e-12): w2_MC is exactly unbiased for W2^2 before the square root.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { contributions, samplerError, gridGeometry, uniformGrid, vpLinear, buildPlan, SCHEMES, prepareSpectrum } from '../../src/node.js';
import { validate, validateDense, chiMeanFactor, zBound, MAX_DENSE_DIMENSION, type ValidateResult } from '../../src/diffusion/montecarlo.js';
import { propagateReference } from '../../src/diffusion/reference.js';
import { parseNpy } from '../../src/io/npy.js';
import { randomSpectrum, rng } from '../helpers/random.js';
import { expectError } from '../helpers/errors.js';
import { IN_CI, haveReference, referencePath } from '../helpers/shared.js';

const SCHEME_LIST = ['em', 'ei', 'euler', 'heun'] as const;
const ALPHA = 1e-3;

/** Modes over which z is defined (finite, positive closed-form variance), counted once per distinct value. */
function distinctModes(spectrum: ArrayLike<number>): number {
  return prepareSpectrum(spectrum).values.length;
}

function expectAgreement(r: ValidateResult, m: number, b: number, label: string): void {
  const bound = zBound(m, b);
  expect(r.maxAbsZ, `${label}: max |z| ${r.maxAbsZ.toFixed(2)} over ${m} modes, bound ${bound.toFixed(2)}`).toBeLessThan(bound);
  // The API's verdict: the bound over the distinct modes (zBound itself is checked against the Gaussian limit below).
  expect(r.zBound).toBeCloseTo(bound, 9);
  expect(r.level).toBe(ALPHA);
  expect(r.consistent).toBe(true);
  const dev = Math.abs(r.monteCarlo.w2 - r.closedForm);
  expect(dev, `${label}: |w2_MC - W2| = ${dev} vs stderr ${r.monteCarlo.stderr}`).toBeLessThanOrEqual(4 * r.monteCarlo.stderr + 1e-12);
}

describe('particles: statistics', () => {
  it('c_B = E sqrt(chi2_B / B): exact values and the first-order expansion 1 - 1/(4B)', () => {
    expect(chiMeanFactor(2)).toBeCloseTo(Math.sqrt(Math.PI) / 2, 14); // sqrt(2/2) Gamma(3/2)/Gamma(1)
    expect(chiMeanFactor(3)).toBeCloseTo(Math.sqrt(2 / 3) * 2 / Math.sqrt(Math.PI), 14);
    for (const b of [100, 1000, 99999, 100001, 1e6]) {
      expect(Math.abs(chiMeanFactor(b) - (1 - 1 / (4 * b)))).toBeLessThan(1 / (16 * b * b));
    }
  });

  it('the z bound is the Gaussian Bonferroni bound for large B and is larger for small B', () => {
    const gauss = Math.sqrt(2 * Math.log((2 * 100) / ALPHA)); // 4.94, a Chernoff bound for N(0, 1) too
    expect(zBound(100, 1e9)).toBeCloseTo(gauss, 2);
    expect(zBound(100, 200)).toBeGreaterThan(gauss);
    expect(zBound(100, 200)).toBeLessThan(gauss + 1);
  });
});

describe('particles: Monte-Carlo agrees with the closed form', () => {
  // Random spectra (many decades, repeats, an exact zero when eps > 0), random grids and schedules.
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`random spectrum and parameters, seed ${seed}: all schemes, both starts`, async () => {
      const r = rng(1000 + seed);
      const eps = [0, 1e-3, 1e-2][seed % 3];
      const spectrum = randomSpectrum(seed, 40, eps > 0 ? 1 : 0);
      const steps = 10 + Math.floor(r() * 120);
      const betaMin = 0.05 + 0.2 * r();
      const betaMax = 5 + 10 * r();
      const particles = 3000 + Math.floor(r() * 2000);
      const m = distinctModes(spectrum);
      for (const scheme of SCHEME_LIST) {
        for (const init of ['pT', 'normal'] as const) {
          const res = await validate(spectrum, { scheme, steps, eps, init, particles, seed: 17 * seed, betaMin, betaMax });
          expect(Number.isFinite(res.closedForm)).toBe(true);
          expectAgreement(res, m, particles, `${scheme} ${init} N=${steps} eps=${eps}`);
          expect(Math.abs(res.monteCarlo.bias)).toBeLessThan(5 * res.monteCarlo.stderr + 1e-12);
        }
      }
    });
  }

  it('a coarse grid far from the continuous process (large errors) agrees too', async () => {
    const spectrum = randomSpectrum(9, 30);
    for (const scheme of SCHEME_LIST) {
      const res = await validate(spectrum, { scheme, steps: 6, eps: 1e-2, init: 'normal', particles: 4000, seed: 5 });
      expect(res.closedForm).toBeGreaterThan(0.1);
      expectAgreement(res, distinctModes(spectrum), 4000, `${scheme} N=6`);
    }
  });

  it('per-entry outputs follow the input order (multiplicities expanded back)', async () => {
    const spectrum = [2, 0.5, 2, 1e-3, 0.5, 2, 7];
    const res = await validate(spectrum, { scheme: 'ei', steps: 20, eps: 1e-3, init: 'pT', particles: 200, seed: 3 });
    const cf = await contributions(spectrum, { scheme: 'ei', steps: 20, eps: 1e-3, init: 'pT' });
    expect(res.variances.length).toBe(7);
    spectrum.forEach((l, j) => {
      const i = cf.values.indexOf(l);
      expect(res.closedFormVariances[j]).toBe(cf.variances[i]);
      spectrum.forEach((l2, j2) => { if (l2 === l) expect(res.variances[j2]).toBe(res.variances[j]); });
    });
    expect(res.variances[6]).not.toBe(res.variances[0]);
  });

  it('a singular score (Heun, eps = 0, eigenvalue 0): INVALID_EPS naming the cause, not +- NaN (issue 8)', async () => {
    const opts = { scheme: 'heun', steps: 10, eps: 0, init: 'pT', particles: 8, seed: 1 } as const;
    expect((await samplerError([0, 1, 2], { scheme: 'heun', steps: 10, eps: 0 })).diagnostic?.code).toBe('singular-score');
    await expectError(validate([0, 1, 2], opts), 'INVALID_EPS', 'eps');
    await expectError(validateDense([0, 1, 2], opts), 'INVALID_EPS', 'eps');
  });
});

describe('particles: dense variant (random rotation, dense operators)', () => {
  it('every scheme, both starts: projected variances and W2 agree with the closed form', async () => {
    const spectrum = randomSpectrum(5, 48, 1);
    const particles = 3000;
    for (const scheme of SCHEME_LIST) {
      for (const init of ['pT', 'normal'] as const) {
        const res = await validateDense(spectrum, { scheme, steps: 40, eps: 1e-2, init, particles, seed: 9 });
        expect(res.variances.length).toBe(48);
        expectAgreement(res, 48, particles, `dense ${scheme} ${init}`); // each entry its own mode
      }
    }
  });

  it('the rotation is orthogonal and not the identity', async () => {
    const res = await validateDense([1, 2, 3, 4], { scheme: 'euler', steps: 5, eps: 1e-2, init: 'pT', particles: 4, seed: 1 });
    const Q = res.rotation;
    let offDiag = 0;
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        let dot = 0;
        for (let k = 0; k < 4; k++) dot += Q[k * 4 + i] * Q[k * 4 + j];
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 12);
        if (i !== j) offDiag = Math.max(offDiag, Math.abs(Q[i * 4 + j]));
      }
    }
    expect(offDiag).toBeGreaterThan(0.05);
  });

  it('refuses large d', async () => {
    await expectError(validateDense(new Float64Array(MAX_DENSE_DIMENSION + 1).fill(1), { scheme: 'em', steps: 5, eps: 0, init: 'pT', particles: 4, seed: 1 }), 'TOO_LARGE', 'spectrum');
  });
});

describe('particles: the check can fail', () => {
  it('a closed form with nu perturbed by 10% gives large z (EM and EI)', async () => {
    const spectrum = randomSpectrum(4, 30);
    const particles = 20000;
    const bound = zBound(distinctModes(spectrum), particles);
    for (const name of ['em', 'ei'] as const) {
      const opts = { scheme: name, steps: 40, eps: 1e-3, init: 'pT' as const, particles, seed: 11 };
      const res = await validate(spectrum, opts);
      expect(res.maxAbsZ).toBeLessThan(bound); // the right closed form passes
      // The wrong closed form: the same plan with every nu scaled by 1.1, propagated by the reference.
      const spec = prepareSpectrum(spectrum);
      const geom = gridGeometry(vpLinear({}), uniformGrid(40, 1e-3, 1));
      const plan = buildPlan([SCHEMES[name]], geom);
      for (let k = 0; k < 39; k++) plan.coefficients[k * 5 + 4] *= 1.1;
      const wrong = propagateReference({ values: spec.values, weights: spec.counts, geom, plan, curve: false }).variances;
      let maxZ = 0;
      spectrum.forEach((l, j) => {
        const v = wrong[spec.values.indexOf(l)]; // init p_T: the first block
        maxZ = Math.max(maxZ, Math.abs((res.variances[j] - v) / (v * Math.sqrt(2 / particles))));
      });
      expect(maxZ, `${name}: max |z| against the wrong closed form`).toBeGreaterThan(bound);
    }
  });
});

describe('particles: determinism', () => {
  it('same seed, same result; another seed, another result', async () => {
    const spectrum = randomSpectrum(6, 25);
    const opts = { scheme: 'em' as const, steps: 30, eps: 1e-3, init: 'normal' as const, particles: 301, seed: 42 };
    const a = await validate(spectrum, opts);
    const b = await validate(spectrum, opts);
    expect(b.variances).toEqual(a.variances);
    expect(b.monteCarlo).toEqual(a.monteCarlo);
    const c = await validate(spectrum, { ...opts, seed: 43 });
    expect(c.variances).not.toEqual(a.variances);
  });
});

describe('particles: errors (typed, before work)', () => {
  const ok = { scheme: 'em' as const, steps: 10, eps: 0, init: 'pT' as const, particles: 10, seed: 1 };
  it('particles, seed, scheme, steps, eps, init, schedule, spectrum, size', async () => {
    await expectError(validate([1], { ...ok, particles: 1 }), 'INVALID_OPTION', 'particles');
    await expectError(validate([1], { ...ok, particles: 2.5 }), 'INVALID_OPTION', 'particles');
    await expectError(validate([1], { ...ok, particles: '10' as never }), 'INVALID_OPTION', 'particles');
    await expectError(validate([1], { ...ok, seed: 1.5 }), 'INVALID_OPTION', 'seed');
    await expectError(validate([1], { ...ok, seed: -1 }), 'INVALID_OPTION', 'seed');
    await expectError(validate([1], { ...ok, seed: undefined as never }), 'INVALID_OPTION', 'seed');
    await expectError(validate([1], { ...ok, scheme: 'rk4' as never }), 'UNKNOWN_SCHEME', 'scheme');
    await expectError(validate([1], { ...ok, steps: 1 }), 'INVALID_STEPS', 'steps');
    await expectError(validate([1], { ...ok, eps: 1 }), 'INVALID_EPS', 'eps');
    await expectError(validate([1], { ...ok, init: 'zero' as never }), 'INVALID_OPTION', 'init');
    await expectError(validate([1], { ...ok, betaMin: -1 }), 'INVALID_SCHEDULE', 'betaMin');
    await expectError(validate([], ok), 'EMPTY_SPECTRUM', 'spectrum');
    await expectError(validate([1, NaN], ok), 'NON_FINITE', 'spectrum');
    const big = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    const t = performance.now();
    await expectError(validate(big, { ...ok, particles: 2 ** 26 }), 'TOO_LARGE', 'particles');
    expect(performance.now() - t).toBeLessThan(200); // refused before any work
  });
});

const CIFAR = 'cifar10-spectrum.npy';
const HAVE_CIFAR = haveReference(CIFAR);

describe('particles: CIFAR-10 spectrum (d = 3072)', () => {
  it('has its reference data in CI', () => {
    if (IN_CI) expect(HAVE_CIFAR, '../shared/reference must exist when CI=true').toBe(true);
  });

  it.skipIf(!HAVE_CIFAR)('all four schemes, both starts, agree with the closed form', async () => {
    const spectrum = parseNpy(readFileSync(referencePath(CIFAR)), CIFAR);
    const m = distinctModes(spectrum);
    expect(m).toBe(3072);
    const particles = 400;
    for (const scheme of SCHEME_LIST) {
      for (const init of ['pT', 'normal'] as const) {
        const res = await validate(spectrum, { scheme, steps: 50, eps: 1e-3, init, particles, seed: 2025 });
        expectAgreement(res, m, particles, `CIFAR-10 ${scheme} ${init}`);
      }
    }
  });
});
