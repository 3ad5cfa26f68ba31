/**
 * PNG input and output (src/images/png.ts): decoding of every colour type and depth against the bytes
 * fast-png encoded, the size read from the IHDR chunk before any decoding (a 20000 x 20000 file is refused
 * at once, without allocating), IMAGE_READ naming the file and the reason for malformed headers, and the
 * encodePng / decodePng round trip.
 */
import { describe, expect, it } from 'vitest';
import { crc32, deflateSync } from 'node:zlib';
import { encode } from 'fast-png';
import '../../src/node.js'; // sets the Wasm source
import { decodePng, encodePng, readPngHeader } from '../../src/images/png.js';
import { MAX_IMAGE_PIXELS } from '../../src/images/image.js';
import { synthesizeAdsn } from '../../src/images/adsn.js';
import { GaussdiffError } from '../../src/core/errors.js';
import { rng } from '../helpers/random.js';
import { expectError } from '../helpers/errors.js';
import { testImage } from './reference.js';

/** A PNG chunk: length, type, data, CRC-32 of type + data (PNG specification, 5.3). */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/**
 * A valid all-black 1-bit grayscale PNG of width x height built chunk by chunk (signature, IHDR, one IDAT of
 * rows of a filter byte 0 and ceil(width / 8) zero bytes, IEND): 20000 x 20000 is 50 MB inflated, ~50 KB stored.
 */
function blackPng(width: number, height: number): Uint8Array {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // colour type: grayscale
  const rows = new Uint8Array((1 + Math.ceil(width / 8)) * height);
  const parts = [Uint8Array.of(137, 80, 78, 71, 13, 10, 26, 10), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows, { level: 9 })), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

// ---- decoding ----------------------------------------------------------------------------------------------

describe('decodePng', () => {
  const W = 5;
  const H = 3;
  const r = rng(99);
  const rgb = Uint8Array.from({ length: W * H * 3 }, () => Math.floor(256 * r()));

  it('decodes 8-bit RGB to channel-major floats / 255', () => {
    const img = decodePng(encode({ width: W, height: H, data: rgb, channels: 3, depth: 8 }), 'rgb.png');
    expect([img.channels, img.height, img.width]).toEqual([3, H, W]);
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < W * H; p++) expect(img.data[c * W * H + p]).toBe(rgb[p * 3 + c] / 255);
    }
  });

  it('drops the alpha channel of RGBA and gray + alpha', () => {
    const rgba = new Uint8Array(W * H * 4);
    for (let p = 0; p < W * H; p++) { rgba.set(rgb.subarray(3 * p, 3 * p + 3), 4 * p); rgba[4 * p + 3] = Math.floor(256 * r()); }
    const a = decodePng(encode({ width: W, height: H, data: rgba, channels: 4, depth: 8 }), 'rgba.png');
    const b = decodePng(encode({ width: W, height: H, data: rgb, channels: 3, depth: 8 }), 'rgb.png');
    expect(a).toEqual(b);
    const ga = Uint8Array.from({ length: W * H * 2 }, (_, i) => (i % 2 ? 7 : rgb[i]));
    const g = decodePng(encode({ width: W, height: H, data: ga, channels: 2, depth: 8 }), 'ga.png');
    expect(g.channels).toBe(1);
    for (let p = 0; p < W * H; p++) expect(g.data[p]).toBe(rgb[2 * p] / 255);
  });

  it('decodes 16-bit samples / 65535, 1-bit grayscale, and expands palettes', () => {
    const d16 = Uint16Array.from({ length: W * H }, () => Math.floor(65536 * r()));
    const g16 = decodePng(encode({ width: W, height: H, data: d16, channels: 1, depth: 16 }), 'g16.png');
    expect(g16.channels).toBe(1);
    for (let p = 0; p < W * H; p++) expect(g16.data[p]).toBe(d16[p] / 65535);
    // 1-bit: rows of 5 pixels packed in one byte each, MSB first
    const bits = [0b10110000, 0b01001000, 0b11111000];
    const g1 = decodePng(encode({ width: W, height: H, data: Uint8Array.from(bits), channels: 1, depth: 1 }), 'g1.png');
    expect(Array.from(g1.data)).toEqual([1, 0, 1, 1, 0, 0, 1, 0, 0, 1, 1, 1, 1, 1, 1]);
    const palette = [[255, 0, 0], [0, 128, 255], [10, 20, 30]];
    const idx = Uint8Array.from({ length: W * H }, (_, i) => i % 3);
    const pal = decodePng(encode({ width: W, height: H, data: idx, channels: 1, depth: 8, palette }), 'pal.png');
    expect(pal.channels).toBe(3);
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < W * H; p++) expect(pal.data[c * W * H + p]).toBe(palette[idx[p]][c] / 255);
    }
  });

  it('reports IMAGE_READ naming the file and why', () => {
    const bad = (bytes: Uint8Array, why: RegExp) => {
      let err: unknown;
      try { decodePng(bytes, 'photo.png'); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(GaussdiffError);
      expect((err as GaussdiffError).code).toBe('IMAGE_READ');
      expect((err as GaussdiffError).argument).toBe('photo.png');
      expect((err as GaussdiffError).message).toMatch(why);
    };
    bad(new TextEncoder().encode('definitely not a png'), /photo\.png.*not a PNG/);
    const good = encode({ width: W, height: H, data: rgb, channels: 3, depth: 8 });
    bad(good.slice(0, 40), /photo\.png.*cannot be decoded/);
    bad(new Uint8Array(0), /not a PNG/);
  });
});

describe('the size is read from the IHDR chunk before decoding', () => {
  it('a built-by-hand PNG decodes (the builder makes valid files)', () => {
    const small = blackPng(13, 5);
    expect(readPngHeader(small, 'small.png')).toEqual({ width: 13, height: 5, depth: 1, colourType: 0 });
    const img = decodePng(small, 'small.png');
    expect([img.channels, img.height, img.width]).toEqual([1, 5, 13]);
    expect(img.data.every((v) => v === 0)).toBe(true);
  });

  it('refuses a 20000 x 20000 PNG with TOO_LARGE (the pixels and GiB it would need, the limit) in < 100 ms, without memory growth', async () => {
    const huge = blackPng(20000, 20000);
    expect(huge.length).toBeLessThan(400_000);
    expect(readPngHeader(huge, 'huge.png')).toEqual({ width: 20000, height: 20000, depth: 1, colourType: 0 });
    const rss = process.memoryUsage().rss;
    const t = performance.now();
    const err = await expectError(() => decodePng(huge, 'huge.png'), 'TOO_LARGE', 'huge.png', /20000 x 20000 = 400000000 pixels: decoding would need [0-9.]+ GiB/);
    const ms = performance.now() - t;
    const grew = process.memoryUsage().rss - rss;
    expect(err.allowed).toContain(String(MAX_IMAGE_PIXELS));
    expect(ms, 'time to refuse').toBeLessThan(100);
    expect(grew, 'rss growth (bytes)').toBeLessThan(50 * 2 ** 20);
    // just past the limit is refused too, from the header alone
    await expectError(() => decodePng(blackPng(2 ** 13 + 1, 2 ** 13), 'edge.png'), 'TOO_LARGE', 'edge.png');
  });

  it('malformed headers give IMAGE_READ naming the file and the reason', async () => {
    const good = blackPng(6, 4);
    const patched = (at: number, ...values: number[]) => {
      const b = good.slice();
      b.set(values, at);
      return b;
    };
    const bad = (bytes: Uint8Array, why: RegExp) => expectError(() => decodePng(bytes, 'photo.png'), 'IMAGE_READ', 'photo.png', why);
    await bad(good.slice(0, 20), /truncated: 20 bytes/);
    await bad(patched(12, 73, 68, 65, 84), /first chunk is "IDAT", not IHDR/);
    await bad(patched(8, 0, 0, 0, 12), /IHDR has length 12, not 13/);
    await bad(patched(16, 0, 0, 0, 0), /size 0 x 4/);
    await bad(patched(20, 128, 0, 0, 0), /size 6 x 2147483648/);
    await bad(patched(25, 5), /colour type 5/);
    await bad(patched(24, 16, 3), /bit depth 16 with colour type 3/);
    await bad(patched(24, 3, 0), /bit depth 3 with colour type 0/);
    await bad(patched(28, 2), /interlace 2/);
    await bad(patched(26, 1), /compression 1/);
    expect(() => readPngHeader('not bytes' as never, 'photo.png')).toThrow(GaussdiffError);
  });
});

// ---- encoding ------------------------------------------------------------------------------------------------

describe('encodePng', () => {
  it('round-trips through decodePng within 0.5 / 255 (RGB and gray), clipping out-of-range values', async () => {
    const image = testImage(7, 9);
    image.data[0] = -0.3;
    image.data[5] = 1.7;
    const back = decodePng(encodePng(image));
    expect([back.width, back.height, back.channels]).toEqual([9, 7, 3]);
    for (let k = 0; k < image.data.length; k++) {
      expect(Math.abs(back.data[k] - Math.min(1, Math.max(0, image.data[k])))).toBeLessThanOrEqual(0.5 / 255 + 1e-12);
    }
    const gray = { width: 5, height: 4, channels: 1, data: Float64Array.from({ length: 20 }, (_, i) => i / 19) };
    const g = decodePng(encodePng(gray));
    expect(g.channels).toBe(1);
    for (let k = 0; k < 20; k++) expect(Math.abs(g.data[k] - gray.data[k])).toBeLessThanOrEqual(0.5 / 255 + 1e-12);
    const { image: synth } = await synthesizeAdsn(testImage(8, 8), { seed: 1 });
    expect(decodePng(encodePng(synth)).channels).toBe(3);
  });
});

describe('encodePng errors', () => {
  it('shape, channels and NaN are typed errors', async () => {
    await expectError(() => encodePng({ width: 1, height: 1, channels: 5, data: new Float64Array(5) }), 'INVALID_SHAPE', 'image.channels');
    await expectError(() => encodePng({ width: 1, height: 1, channels: 1, data: Float64Array.of(NaN) }), 'NON_FINITE', 'image.data');
    await expectError(() => encodePng({ width: 2, height: 1, channels: 1, data: Float64Array.of(0) }), 'INVALID_SHAPE', 'image.data');
    await expectError(() => encodePng(null as never), 'INVALID_SHAPE', 'image');
  });
});
