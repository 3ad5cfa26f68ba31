/** Write small .npy files for tests (header built by hand, so malformed variants are easy to make). */
export function npyBytes(data: ArrayLike<number>, opts: { descr?: string; shape?: number[]; fortran?: boolean; version?: 1 | 2 } = {}): Uint8Array {
  const descr = opts.descr ?? '<f8';
  const shape = opts.shape ?? [data.length];
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': ${opts.fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const version = opts.version ?? 1;
  const pre = version === 1 ? 10 : 12;
  const pad = 64 - ((pre + header.length + 1) % 64);
  header = header + ' '.repeat(pad % 64) + '\n';
  const item = descr.endsWith('4') ? 4 : 8;
  const out = new Uint8Array(pre + header.length + data.length * item);
  out.set([0x93, ...'NUMPY'.split('').map((c) => c.charCodeAt(0)), version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  out.set(header.split('').map((c) => c.charCodeAt(0)), pre);
  const body = pre + header.length;
  for (let i = 0; i < data.length; i++) {
    if (item === 4) view.setFloat32(body + 4 * i, data[i], !descr.startsWith('>'));
    else view.setFloat64(body + 8 * i, data[i], !descr.startsWith('>'));
  }
  return out;
}
