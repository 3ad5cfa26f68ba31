/**
 * The image type shared by image I/O (png.ts), image processing (periodic.ts, adsn.ts) and the image
 * spectra (src/spectra/image.ts), and its argument checks. Every image goes through the FFT, so the FFT's
 * length limit is the image size limit.
 */
import { fail } from '../core/errors.js';
import { checkArrayShape, checkDimension, checkFiniteEntries, describe } from '../core/checks.js';
import { MAX_FFT_LENGTH } from '../fft/fft.js';

export interface Image {
  width: number;
  height: number;
  channels: number;
  /** Channel-major C x H x W: data[(c * height + y) * width + x], values in [0, 1]. */
  data: Float64Array;
}

/** Most pixels (height x width) an image may have: the FFT's limit, 2^26. */
export const MAX_IMAGE_PIXELS = MAX_FFT_LENGTH;

/** TOO_LARGE when height x width exceeds MAX_IMAGE_PIXELS; `need` says what it would cost. */
export function checkPixelCount(height: number, width: number, argument: string, need = ''): void {
  if (height * width > MAX_IMAGE_PIXELS) {
    fail('TOO_LARGE', argument, `${height} x ${width} = ${height * width} pixels${need}`, `at most ${MAX_IMAGE_PIXELS} pixels (2^26, the FFT's limit)`);
  }
}

/** height and width: positive integers (INVALID_SHAPE) of at most MAX_IMAGE_PIXELS pixels (TOO_LARGE). */
export function checkImageSize(height: unknown, width: unknown, argument: string): [number, number] {
  const h = checkDimension(height, `${argument}.height`);
  const w = checkDimension(width, `${argument}.width`);
  checkPixelCount(h, w, argument);
  return [h, w];
}

/** The shape of an image (no pixel read: checkImagePixels follows once its size is known to fit). */
export function checkImage(image: unknown, argument: string): Image {
  if (image === null || typeof image !== 'object') {
    fail('INVALID_SHAPE', argument, `expected an image { width, height, channels, data }, got ${describe(image)}`, 'an Image from decodePng');
  }
  const im = image as Image;
  const [h, w] = checkImageSize(im.height, im.width, argument);
  const c = checkDimension(im.channels, `${argument}.channels`);
  checkArrayShape(im.data, `${argument}.data`, c * h * w, `channels x height x width = ${c * h * w} numbers`);
  return im;
}

/** Finite pixel values (NON_FINITE naming the first bad entry). */
export function checkImagePixels(im: Image, argument: string): void {
  checkFiniteEntries(im.data, im.channels * im.height * im.width, `${argument}.data`, 'finite numbers');
}
