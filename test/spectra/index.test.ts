/**
 * The registry of built-in spectra (src/spectra/index.ts) that `--spectrum NAME` resolves through: every name
 * gives its source's values, unknown names and option keys are typed errors listing what is allowed.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { imageLikeSpectrum, mnistSpectrum } from '../../src/node.js';
import { isSpectrumName, namedSpectrum, SPECTRA, SPECTRUM_NAMES } from '../../src/spectra/index.js';
import { expectError } from '../helpers/errors.js';

process.env.GAUSSDIFF_CACHE = mkdtempSync(join(tmpdir(), 'gaussdiff-cache-'));

describe('namedSpectrum', () => {
  it('knows mnist and image-like, each with a description, and returns its source\'s values', async () => {
    expect(SPECTRUM_NAMES).toEqual(['mnist', 'image-like']);
    for (const name of SPECTRUM_NAMES) expect(SPECTRA[name].description.length).toBeGreaterThan(20);
    expect(await namedSpectrum('image-like')).toEqual(imageLikeSpectrum());
    const progress: number[][] = [];
    expect(await namedSpectrum('mnist', { onProgress: (done, total) => progress.push([done, total]) })).toEqual(await mnistSpectrum());
    expect(progress.at(-1)).toEqual([2, 2]);
    expect(isSpectrumName('mnist')).toBe(true);
    expect(isSpectrumName('toString')).toBe(false);
  });

  it('unknown names and options are typed errors', async () => {
    const err = await expectError(namedSpectrum('cifar', {}, '--spectrum'), 'INVALID_OPTION', '--spectrum', /unknown spectrum "cifar"/);
    expect(err.allowed).toBe('mnist, image-like');
    await expectError(namedSpectrum('__proto__'), 'INVALID_OPTION', 'name');
    await expectError(namedSpectrum('mnist', { onProgres: () => {} } as never), 'UNKNOWN_OPTION', 'opts.onProgres');
  });
});
