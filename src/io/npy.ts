/**
 * Spectra from .npy files (`<f4` or `<f8`, any shape, flattened in storage order), parsed by npyjs and
 * checked here: byte order, dtype, and that the data fill the declared shape exactly.
 */
import { dump, parse } from 'npyjs';
import { fail } from '../core/errors.js';

/** Parse .npy bytes into a new Float64Array (flattened). `name` (a file name) appears in error messages. */
export function parseNpy(bytes: ArrayBuffer | Uint8Array, name = '<bytes>'): Float64Array {
  return parseNpyArray(bytes, name).data;
}

/** An n-dimensional array read from .npy: data in storage order (C order unless `fortranOrder`). */
export interface NpyArray {
  data: Float64Array;
  shape: number[];
  fortranOrder: boolean;
}

/** Parse .npy bytes keeping the shape. */
export function parseNpyArray(bytes: ArrayBuffer | Uint8Array, name = '<bytes>'): NpyArray {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (u8.length < 10 || u8[0] !== 0x93 || String.fromCharCode(...u8.subarray(1, 6)) !== 'NUMPY') {
    fail('NPY_FORMAT', name, 'not a .npy file (missing the \\x93NUMPY magic)', 'a NumPy .npy file of dtype <f4 or <f8');
  }
  // Own, aligned copy: typed-array views need an aligned offset, and the caller's buffer is never touched.
  // (new Uint8Array(u8) always copies; a node Buffer's slice() is a view into a shared pool.)
  const own = new Uint8Array(u8).buffer;
  const major = u8[6];
  const headerLen = major >= 2 ? new DataView(own).getUint32(8, true) : new DataView(own).getUint16(8, true);
  const dataOffset = (major >= 2 ? 12 : 10) + headerLen;
  if (dataOffset > u8.length) fail('NPY_FORMAT', name, `header length ${headerLen} runs past the end of the file (${u8.length} bytes)`, 'a complete .npy file');
  const header = new TextDecoder('latin1').decode(u8.subarray(major >= 2 ? 12 : 10, dataOffset));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeText === undefined) fail('NPY_FORMAT', name, `malformed header ${JSON.stringify(header.trim())}`, "a header with 'descr' and 'shape'");
  if (descr !== '<f4' && descr !== '<f8') {
    fail('NPY_FORMAT', name, `unsupported dtype ${descr}`, "little-endian floats: '<f4' (float32) or '<f8' (float64)");
  }
  const fortranOrder = /'fortran_order'\s*:\s*True/.test(header);
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (shape.some((n) => !Number.isInteger(n) || n < 0)) fail('NPY_FORMAT', name, `bad shape (${shapeText})`, 'non-negative integer dimensions');
  const count = shape.reduce((a, b) => a * b, 1);
  const itemSize = descr === '<f4' ? 4 : 8;
  const available = u8.length - dataOffset;
  if (available !== count * itemSize) {
    fail('NPY_FORMAT', name, `shape (${shape.join(', ')}) needs ${count * itemSize} data bytes, the file has ${available}`, 'a .npy file whose data match its shape');
  }
  if (dataOffset % itemSize !== 0) fail('NPY_FORMAT', name, `data offset ${dataOffset} is not aligned`, 'a standard .npy header (padded to 16 or 64 bytes)');
  let data: ArrayBufferView;
  try {
    data = parse(own).data;
  } catch (err) {
    fail('NPY_FORMAT', name, `npyjs could not parse it: ${(err as Error).message}`, 'a NumPy .npy file of dtype <f4 or <f8');
  }
  const src = data as Float32Array | Float64Array;
  return { data: Float64Array.from(src.subarray(0, count)), shape, fortranOrder };
}

/** Encode a float64 array as .npy bytes (<f8, C order) with npyjs. */
export function toNpy(data: Float64Array, shape: number[] = [data.length]): Uint8Array {
  return new Uint8Array(dump(data, shape, { dtype: 'f8' }));
}
