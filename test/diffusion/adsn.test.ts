/**
 * Table 2 on the ADSN spectrum of fabric.png (196608 eigenvalues, two thirds exactly 0): Heun with eps = 0
 * evaluates the score of a singular covariance at its last stage, so those cells are Infinity with a
 * diagnostic; every other cell is finite. Also checks the merge into distinct values with multiplicities.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { table, parseNpy, prepareSpectrum } from '../../src/node.js';
import { IN_CI, haveReference, referencePath } from '../helpers/shared.js';

const HAVE = haveReference('adsn-fabric-spectrum.npy');

describe('ADSN fabric spectrum', () => {
  it('has its reference data in CI', () => {
    if (IN_CI) expect(HAVE, '../shared/reference must exist when CI=true').toBe(true);
  });

  describe.skipIf(!HAVE)('with ../shared/reference', () => {
    const spectrum = () => parseNpy(readFileSync(referencePath('adsn-fabric-spectrum.npy')), 'adsn-fabric-spectrum.npy');

    it('merges 196608 eigenvalues into 65511 distinct values', () => {
      const s = prepareSpectrum(spectrum());
      expect(s.dimension).toBe(196608);
      expect(s.values.length).toBe(65511);
      expect(s.values[0]).toBe(0);
      expect(s.counts[0]).toBeGreaterThanOrEqual(131072);
      expect(s.counts.reduce((a, b) => a + b, 0)).toBe(196608);
    });

    it('gives Infinity with a diagnostic exactly for Heun at eps = 0, finite elsewhere', async () => {
      const { rows, diagnostics } = await table(spectrum());
      expect(rows.length).toBe(160);
      for (const row of rows) {
        const singular = row.scheme === 'heun' && row.eps === 0 && row.steps !== null;
        if (singular) expect(row.w2, JSON.stringify(row)).toBe('Infinity');
        else {
          expect(typeof row.w2, JSON.stringify(row)).toBe('number');
          expect(Number.isFinite(row.w2), JSON.stringify(row)).toBe(true);
        }
      }
      expect(diagnostics).toHaveLength(8);
      for (const d of diagnostics!) {
        expect(d.code).toBe('singular-score');
        expect(d.scheme).toBe('heun');
        expect(d.eps).toBe(0);
        expect(d.message).toMatch(/score.*eps = 0.*eigenvalue 0/);
      }
    });
  });
});
