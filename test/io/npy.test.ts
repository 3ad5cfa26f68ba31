/** .npy spectra: <f4/<f8, any shape (flattened), versions 1 and 2; malformed files name the file and why. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNpy, readNpy, GaussdiffError } from '../../src/node.js';
import { npyBytes } from '../helpers/npy.js';

function errorOf(f: () => unknown): GaussdiffError {
  try { f(); } catch (e) { return e as GaussdiffError; }
  throw new Error('no error');
}

describe('parseNpy', () => {
  it('reads <f8 and <f4, any shape, both header versions, without touching the caller bytes', () => {
    const data = [0, 0.5, 1.25, 3, 1e-7, 2];
    expect(Array.from(parseNpy(npyBytes(data)))).toEqual(data);
    expect(Array.from(parseNpy(npyBytes(data, { shape: [2, 3] })))).toEqual(data);
    expect(Array.from(parseNpy(npyBytes(data, { version: 2 })))).toEqual(data);
    const f4 = parseNpy(npyBytes(data, { descr: '<f4', shape: [3, 1, 2] }));
    expect(Array.from(f4)).toEqual(Array.from(Float32Array.from(data)));
    const bytes = npyBytes(data);
    const copy = bytes.slice();
    parseNpy(bytes.subarray(0));
    expect(bytes).toEqual(copy);
    expect(parseNpy(npyBytes([], { shape: [0] })).length).toBe(0);
    // A small node Buffer lives in a shared pool: its slice() is a view, not a copy.
    const pooled = Buffer.from(npyBytes([7, 8, 9]));
    expect(pooled.buffer.byteLength).toBeGreaterThan(pooled.length);
    expect(Array.from(parseNpy(pooled))).toEqual([7, 8, 9]);
  });

  it('rejects malformed files with a typed error naming the file', () => {
    const cases: [Uint8Array, RegExp][] = [
      [new Uint8Array([1, 2, 3]), /not a \.npy file/],
      [npyBytes([1, 2], { descr: '>f8' }), /unsupported dtype >f8/],
      [npyBytes([1, 2], { descr: '<i4' }), /unsupported dtype <i4/],
      [npyBytes([1, 2, 3]).subarray(0, 128 + 16), /needs 24 data bytes, the file has 16/],
      [npyBytes([1, 2], { shape: [3] }), /needs 24 data bytes, the file has 16/],
    ];
    for (const [bytes, why] of cases) {
      const e = errorOf(() => parseNpy(bytes, 'x.npy'));
      expect(e).toBeInstanceOf(GaussdiffError);
      expect(e.code).toBe('NPY_FORMAT');
      expect(e.argument).toBe('x.npy');
      expect(e.message).toMatch(why);
    }
    const truncatedHeader = npyBytes([1]).subarray(0, 20);
    expect(errorOf(() => parseNpy(truncatedHeader, 'h.npy')).message).toMatch(/runs past the end/);
  });

  it('readNpy reports unreadable files with NPY_READ', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gaussdiff-npy-'));
    const ok = join(dir, 'ok.npy');
    writeFileSync(ok, npyBytes([4, 5]));
    expect(Array.from(await readNpy(ok))).toEqual([4, 5]);
    await expect(readNpy(join(dir, 'missing.npy'))).rejects.toMatchObject({ code: 'NPY_READ', argument: join(dir, 'missing.npy') });
    await expect(readNpy(dir)).rejects.toMatchObject({ code: 'NPY_READ' });
  });
});
