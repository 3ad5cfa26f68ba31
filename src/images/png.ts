/**
 * PNG input and output (fast-png) for float images: channel-major C x H x W, values in [0, 1].
 *
 * decodePng: sample value / (2^depth - 1): 8-bit / 255, 16-bit / 65535 (1, 2, 4-bit grayscale likewise);
 * palette images are expanded to RGB (palette entries are 8-bit); an alpha channel (grayscale + alpha, RGBA,
 * or a palette's tRNS alpha) is dropped. Grayscale gives 1 channel, everything else 3. The size is read from
 * the IHDR chunk and checked before anything is decompressed.
 * encodePng: 8-bit PNG, each value clipped to [0, 1] and rounded.
 */
import { convertIndexedToRgb, decode, encode, hasPngSignature } from 'fast-png';
import { fail } from '../core/errors.js';
import { describe } from '../core/checks.js';
import { checkImage, checkPixelCount, type Image } from './image.js';

export type { Image } from './image.js';

const ALLOWED = 'the bytes of a PNG file (grayscale, RGB or palette, with or without alpha, 1 to 16 bits)';

/** What a PNG's IHDR chunk says (PNG specification, 11.2.2). */
export interface PngHeader {
  width: number;
  height: number;
  /** Bits per sample (per palette index for colour type 3). */
  depth: number;
  /** 0 gray, 2 RGB, 3 palette, 4 gray + alpha, 6 RGBA. */
  colourType: number;
}

/** Samples per pixel and allowed bit depths of each colour type (PNG specification, table 11.1). */
const COLOUR_TYPES: Record<number, { samples: number; depths: number[] }> = {
  0: { samples: 1, depths: [1, 2, 4, 8, 16] },
  2: { samples: 3, depths: [8, 16] },
  3: { samples: 1, depths: [1, 2, 4, 8] },
  4: { samples: 2, depths: [8, 16] },
  6: { samples: 4, depths: [8, 16] },
};

/**
 * Read the IHDR chunk: the signature (8 bytes), then the first chunk, which must be IHDR: length 13 (4 bytes),
 * "IHDR", width and height (big-endian u32, 1 .. 2^31 - 1), bit depth, colour type, compression 0, filter 0,
 * interlace 0 or 1, CRC: 33 bytes. Reads nothing else (the CRC is not checked, as fast-png does not).
 * `name` (default '<bytes>') names the file in errors. Errors: IMAGE_READ naming the file and why.
 */
export function readPngHeader(bytes: Uint8Array, name = '<bytes>'): PngHeader {
  if (!(bytes instanceof Uint8Array)) {
    fail('IMAGE_READ', name, `expected the file's bytes as a Uint8Array, got ${describe(bytes)}`, ALLOWED);
  }
  if (!hasPngSignature(bytes)) fail('IMAGE_READ', name, 'is not a PNG file (no PNG signature)', ALLOWED);
  if (bytes.length < 33) fail('IMAGE_READ', name, `is truncated: ${bytes.length} bytes, shorter than a PNG header (33 bytes)`, ALLOWED);
  const view = new DataView(bytes.buffer, bytes.byteOffset, 33);
  const type = String.fromCharCode(...bytes.subarray(12, 16));
  if (type !== 'IHDR') fail('IMAGE_READ', name, `has a bad header: its first chunk is ${JSON.stringify(type)}, not IHDR`, ALLOWED);
  const length = view.getUint32(8);
  if (length !== 13) fail('IMAGE_READ', name, `has a bad header: IHDR has length ${length}, not 13`, ALLOWED);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  if (width < 1 || height < 1 || width > 2 ** 31 - 1 || height > 2 ** 31 - 1) {
    fail('IMAGE_READ', name, `has a bad header: size ${width} x ${height}`, 'a width and height from 1 to 2^31 - 1');
  }
  const depth = bytes[24];
  const colourType = bytes[25];
  const kind = COLOUR_TYPES[colourType];
  if (!kind) fail('IMAGE_READ', name, `has a bad header: colour type ${colourType}`, 'colour type 0, 2, 3, 4 or 6');
  if (!kind.depths.includes(depth)) {
    fail('IMAGE_READ', name, `has a bad header: bit depth ${depth} with colour type ${colourType}`, `bit depth ${kind.depths.join(', ')} with colour type ${colourType}`);
  }
  if (bytes[26] !== 0 || bytes[27] !== 0 || bytes[28] > 1) {
    fail('IMAGE_READ', name, `has a bad header: compression ${bytes[26]}, filter ${bytes[27]}, interlace ${bytes[28]}`, 'compression 0, filter 0, interlace 0 or 1');
  }
  return { width, height, depth, colourType };
}

/** Bytes decoding needs: the inflated rows (one filter byte each), fast-png's samples, the 8-bit expansion of palette or sub-byte images, the f64 output. */
function decodeBytes({ width, height, depth, colourType }: PngHeader): number {
  const row = Math.ceil((width * COLOUR_TYPES[colourType].samples * depth) / 8);
  const pixels = width * height;
  const expanded = colourType === 3 ? 4 * pixels : depth < 8 ? pixels : 0;
  const channels = colourType === 0 || colourType === 4 ? 1 : 3;
  return (row + 1) * height + row * height + expanded + 8 * channels * pixels;
}

/**
 * Decode PNG bytes into an Image (see the header for the value mapping). The size is checked from the IHDR
 * chunk before decompression: at most MAX_IMAGE_PIXELS (2^26) pixels. `name` (default '<bytes>') names the
 * file in errors. Errors: IMAGE_READ naming the file and why (malformed header or data), TOO_LARGE (the
 * pixels and bytes it would need, the limit).
 */
export function decodePng(bytes: Uint8Array, name = '<bytes>'): Image {
  const header = readPngHeader(bytes, name);
  checkPixelCount(header.height, header.width, name, `: decoding would need ${(decodeBytes(header) / 2 ** 30).toFixed(1)} GiB`);
  let png: ReturnType<typeof decode>;
  try {
    png = decode(bytes);
  } catch (err) {
    fail('IMAGE_READ', name, `cannot be decoded as a PNG (${(err as Error).message})`, ALLOWED);
  }
  const { width, height } = png;
  const plane = width * height;

  let samples: ArrayLike<number>;
  let stored: number; // channels per pixel in `samples`
  let depth: number = png.depth;
  if (png.palette) {
    try {
      samples = convertIndexedToRgb(png);
    } catch (err) {
      fail('IMAGE_READ', name, `has a bad palette (${(err as Error).message})`, ALLOWED);
    }
    stored = png.palette[0]?.length ?? 3;
    depth = 8;
  } else if (depth < 8) {
    if (png.channels !== 1) fail('IMAGE_READ', name, `has ${png.channels} channels at ${depth} bits`, ALLOWED);
    samples = unpackBits(png.data as Uint8Array, width, height, depth);
    stored = 1;
  } else {
    samples = png.data;
    stored = png.channels;
  }
  if (stored < 1 || stored > 4 || samples.length !== plane * stored) {
    fail('IMAGE_READ', name, `decoded to ${samples.length} samples for ${width} x ${height} pixels x ${stored} channels`, ALLOWED);
  }
  const channels = stored >= 3 ? 3 : 1; // alpha dropped
  const max = 2 ** depth - 1;
  const data = new Float64Array(channels * plane);
  for (let c = 0; c < channels; c++) {
    const out = c * plane;
    for (let p = 0; p < plane; p++) data[out + p] = samples[p * stored + c] / max; // divided, as numpy's u8 / 255
  }
  return { width, height, channels, data };
}

/** Unpack 1, 2 or 4-bit grayscale rows (each padded to a whole byte) to one sample per pixel. */
function unpackBits(packed: Uint8Array, width: number, height: number, depth: number): Uint8Array {
  const stride = Math.ceil((width * depth) / 8);
  const out = new Uint8Array(width * height);
  const mask = (1 << depth) - 1;
  if (packed.length < stride * height) return out.subarray(0, 0); // reported as a size mismatch
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      out[y * width + x] = (packed[y * stride + (bit >> 3)] >> (8 - depth - (bit & 7))) & mask;
    }
  }
  return out;
}

/**
 * Encode an Image (C x H x W; 1 channel: grayscale, 2: grayscale + alpha, 3: RGB, 4: RGBA) as an 8-bit PNG:
 * each value v clipped to [0, 1] and stored as round(255 v), so decodePng gives it back within 0.5 / 255
 * (an alpha channel is stored, then dropped by decodePng). No options. Errors: INVALID_SHAPE (shape, more
 * than 4 channels), TOO_LARGE (more than MAX_IMAGE_PIXELS pixels), NON_FINITE (NaN; infinities are clipped
 * like any value).
 */
export function encodePng(image: Image): Uint8Array {
  const { height: h, width: w, channels: C, data } = checkImage(image, 'image');
  if (C > 4) fail('INVALID_SHAPE', 'image.channels', `got ${C}`, '1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA)');
  const n = h * w;
  const bytes = new Uint8Array(C * n);
  for (let c = 0; c < C; c++) {
    const o = c * n;
    for (let p = 0; p < n; p++) {
      const v = data[o + p];
      if (typeof v !== 'number' || Number.isNaN(v)) fail('NON_FINITE', 'image.data', `entry ${o + p} is ${describe(v)}`, 'numbers (clipped to [0, 1])');
      bytes[p * C + c] = Math.round(255 * (v < 0 ? 0 : v > 1 ? 1 : v));
    }
  }
  return encode({ width: w, height: h, data: bytes, channels: C, depth: 8 });
}
