/**
 * Moisan's periodic component (src/images/periodic.ts): p satisfies its defining equations
 * (Delta_per p = Delta_interior u, mean p = mean u), agrees with the plain reference (test/images/reference.ts),
 * leaves an image without boundary jumps unchanged and leaves a harmonic smooth part; typed errors.
 */
import { describe, expect, it } from 'vitest';
import '../../src/node.js'; // sets the Wasm source
import { periodicComponent } from '../../src/images/periodic.js';
import { dft2, maxRel, mean, periodicDft, randomImage } from './reference.js';
import { expectError } from '../helpers/errors.js';

/** Periodic 5-point Laplacian, and the interior one (neighbours outside the image left out). */
function laplacians(u: ArrayLike<number>, M: number, N: number): { per: Float64Array; interior: Float64Array } {
  const per = new Float64Array(M * N);
  const interior = new Float64Array(M * N);
  for (let x = 0; x < M; x++) {
    for (let y = 0; y < N; y++) {
      const c = u[x * N + y];
      for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) {
        const xx = x + dx;
        const yy = y + dy;
        per[x * N + y] += u[((xx + M) % M) * N + ((yy + N) % N)] - c;
        if (xx >= 0 && xx < M && yy >= 0 && yy < N) interior[x * N + y] += u[xx * N + yy] - c;
      }
    }
  }
  return { per, interior };
}

describe('periodicComponent', () => {
  it.each([[15, 21], [9, 11], [16, 8], [1, 7], [6, 1], [2, 3]])(
    '%i x %i: Delta_per p = Delta_interior u and mean p = mean u (the equations that define p)',
    async (M, N) => {
      const u = randomImage(M * 31 + N, 1, M, N).data;
      const p = await periodicComponent(u, M, N);
      const lp = laplacians(p, M, N).per;
      const lu = laplacians(u, M, N).interior;
      expect(maxRel(lp, lu)).toBeLessThan(1e-12);
      expect(Math.abs(mean(p) - mean(u))).toBeLessThan(1e-14);
      // and against the plain reference: inverse naive DFT of Moisan's formula
      const [PR, PI] = periodicDft(u, M, N);
      const [pr] = dft2(PR, PI, M, N, 1);
      expect(maxRel(p, pr)).toBeLessThan(1e-12);
    },
  );

  it('leaves an image without boundary jumps unchanged (first row = last row, first column = last column)', async () => {
    const M = 13;
    const N = 10;
    const u = randomImage(5, 1, M, N).data;
    for (let y = 0; y < N; y++) u[(M - 1) * N + y] = u[y];
    for (let x = 0; x < M; x++) u[x * N + N - 1] = u[x * N];
    const p = await periodicComponent(u, M, N);
    expect(maxRel(p, u)).toBeLessThan(1e-14);
    // ... while a generic image does change (this check can fail)
    const g = randomImage(6, 1, M, N).data;
    expect(maxRel(await periodicComponent(g, M, N), g)).toBeGreaterThan(1e-3);
  });

  it('has a smooth part s = u - p that is harmonic at interior pixels, of mean zero', async () => {
    const M = 15;
    const N = 21;
    const u = randomImage(7, 1, M, N).data;
    const p = await periodicComponent(u, M, N);
    const s = u.map((x, i) => x - p[i]);
    const { interior } = laplacians(s, M, N);
    let worst = 0;
    let scale = 0;
    for (let x = 1; x < M - 1; x++) {
      for (let y = 1; y < N - 1; y++) worst = Math.max(worst, Math.abs(interior[x * N + y]));
    }
    for (const v of s) scale = Math.max(scale, Math.abs(v));
    expect(scale).toBeGreaterThan(1e-2);
    expect(worst / scale).toBeLessThan(1e-12);
    expect(Math.abs(mean(s))).toBeLessThan(1e-15);
  });

  it('commutes with adding a constant and does not mutate its input', async () => {
    const u = randomImage(8, 1, 9, 11).data;
    const u0 = u.slice();
    const p = await periodicComponent(u, 9, 11);
    const q = await periodicComponent(u.map((x) => x + 3), 9, 11);
    expect(maxRel(q.map((x) => x - 3), p)).toBeLessThan(1e-14);
    expect(u).toEqual(u0);
  });

  it('rejects wrong shapes and NaN with typed errors', async () => {
    await expectError(() => periodicComponent([1, 2, 3], 2, 2), 'INVALID_SHAPE', 'u');
    await expectError(() => periodicComponent([1, 2, 3, 4], 2, -2), 'INVALID_SHAPE', 'u.width');
    await expectError(() => periodicComponent([1, 2, NaN, 4], 2, 2), 'NON_FINITE', 'u');
    await expectError(() => periodicComponent([], 2 ** 14, 2 ** 13), 'TOO_LARGE', 'u');
  });
});
