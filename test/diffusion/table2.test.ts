/**
 * Pierret & Galerne (ICML 2025), Table 2, from the CIFAR-10 spectrum in ../shared/reference:
 * all 160 cells at their printed precision, and every full-precision value against an independent,
 * naive implementation (test/independent/direct.ts: per entry, per step, straight from docs/math.md §2) to 1e-10
 * relative.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { table, parseNpy, formatPaper, type TableRow } from '../../src/node.js';
import { directContinuous, directScheme } from '../independent/direct.js';
import { IN_CI, haveReference, publishedTable2, referencePath } from '../helpers/shared.js';

const HAVE = haveReference('cifar10-spectrum.npy') && haveReference('README.md');

/** Half a unit of the last printed digit: "4.77" -> 0.005, "6.7E-4" -> 0.05e-4. */
function halfUnit(printed: string): number {
  const sci = /^(\d+)(?:\.(\d+))?E(-?\d+)$/.exec(printed);
  if (sci) return 0.5 * 10 ** (Number(sci[3]) - (sci[2]?.length ?? 0));
  const dec = printed.split('.')[1]?.length ?? 0;
  return 0.5 * 10 ** -dec;
}

describe('Table 2 of Pierret & Galerne on CIFAR-10', () => {
  it('has its reference data in CI', () => {
    if (IN_CI) expect(HAVE, '../shared/reference must exist when CI=true').toBe(true);
  });

  describe.skipIf(!HAVE)('with ../shared/reference', () => {
    const load = () => parseNpy(readFileSync(referencePath('cifar10-spectrum.npy')), 'cifar10-spectrum.npy');

    it('reproduces all 160 published cells at their printed precision', async () => {
      const spectrum = load();
      expect(spectrum.length).toBe(3072);
      const published = publishedTable2();
      expect(published.length).toBe(160);
      const { rows, diagnostics } = await table(spectrum);
      expect(rows.length).toBe(160);
      expect(diagnostics).toBeUndefined();
      const key = (r: { scheme: string; eps: number; steps: number | null; init: string }) => `${r.scheme}/${r.eps}/${r.steps}/${r.init}`;
      const byKey = new Map(rows.map((r) => [key(r), r] as [string, TableRow]));
      const mismatches: string[] = [];
      for (const cell of published) {
        const row = byKey.get(key(cell));
        expect(row, key(cell)).toBeDefined();
        const w2 = row!.w2 as number;
        const printedValue = Number(cell.printed);
        const ok = cell.printed === '0' ? Math.abs(w2) <= 1e-15 : Math.abs(w2 - printedValue) <= halfUnit(cell.printed) * (1 + 1e-9);
        if (!ok || formatPaper(w2) !== cell.printed) mismatches.push(`${key(cell)}: computed ${w2} (${formatPaper(w2)}), published ${cell.printed}`);
      }
      expect(mismatches).toEqual([]);
    });

    it('agrees with an independent direct implementation to 1e-10 relative (all 160 values, both back ends)', async () => {
      const spectrum = load();
      const wasm = await table(spectrum);
      const ref = await table(spectrum, { backend: 'reference' });
      let worst = 0;
      wasm.rows.forEach((row, i) => {
        const direct = row.steps === null
          ? directContinuous(spectrum, row.scheme, row.eps, row.init)
          : directScheme(spectrum, row.scheme, row.eps, row.steps, row.init);
        const w2 = row.w2 as number;
        const scale = Math.max(Math.abs(direct), 1e-300);
        if (direct === 0) expect(w2).toBe(0);
        else {
          const rel = Math.abs(w2 - direct) / scale;
          worst = Math.max(worst, rel);
          expect(rel, `${row.scheme} eps=${row.eps} N=${row.steps} ${row.init}: ${w2} vs ${direct}`).toBeLessThanOrEqual(1e-10);
        }
        const r = ref.rows[i].w2 as number;
        expect(Math.abs(r - w2)).toBeLessThanOrEqual(1e-12 * Math.max(Math.abs(w2), 1e-300));
      });
      console.info(`[table2] worst relative difference to the direct implementation: ${worst.toExponential(2)}`);
    });
  });
});
