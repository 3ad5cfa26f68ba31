/**
 * PNG decoding (fast-png) into float images: channel-major C x H x W, values in [0, 1].
 * Sample value / (2^depth - 1): 8-bit / 255, 16-bit / 65535 (1, 2, 4-bit grayscale likewise); palette images
 * are expanded to RGB (palette entries are 8-bit); an alpha channel (grayscale + alpha, RGBA, or a palette's
 * tRNS alpha) is dropped. Grayscale gives 1 channel, everything else 3.
 */
import { convertIndexedToRgb, decode, hasPngSignature } from 'fast-png';
import { fail } from '../core/errors.js';

export interface Image {
  width: number;
  height: number;
  channels: number;
  /** Channel-major C x H x W: data[(c * height + y) * width + x], values in [0, 1]. */
  data: Float64Array;
}

const ALLOWED = 'the bytes of a PNG file (grayscale, RGB or palette, with or without alpha, 1 to 16 bits)';

/** Decode PNG bytes. Errors: IMAGE_READ naming the file (`name`) and why. */
export function decodePng(bytes: Uint8Array, name = '<bytes>'): Image {
  if (!(bytes instanceof Uint8Array)) {
    fail('IMAGE_READ', name, `expected the file's bytes as a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`, ALLOWED);
  }
  if (!hasPngSignature(bytes)) fail('IMAGE_READ', name, 'is not a PNG file (no PNG signature)', ALLOWED);
  let png: ReturnType<typeof decode>;
  try {
    png = decode(bytes);
  } catch (err) {
    fail('IMAGE_READ', name, `cannot be decoded as a PNG (${(err as Error).message})`, ALLOWED);
  }
  const { width, height } = png;
  if (!(width >= 1 && height >= 1)) fail('IMAGE_READ', name, `has size ${width} x ${height}`, 'a non-empty image');
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
