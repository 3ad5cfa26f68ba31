/**
 * Files on node: read .npy and PNG inputs, write outputs atomically, and check an output path before any
 * work. Every write goes to a temporary file in the destination's folder and is renamed over the
 * destination once complete, so a failed or interrupted write (disk full, `ulimit -f`, SIGINT) leaves no
 * partial file and an existing file intact.
 */
import { accessSync, constants, statSync, unlinkSync } from 'node:fs';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { fail } from '../core/errors.js';
import { parseNpy, parseNpyArray, toNpy, type NpyArray } from './npy.js';
import { decodePng, type Image } from '../images/png.js';

/** Read a spectrum from a .npy file (<f4 or <f8, any shape, flattened). */
export async function readNpy(path: string): Promise<Float64Array> {
  return parseNpy(await readBytes(path, 'NPY_READ', 'a readable .npy file'), path);
}

/** Read a .npy file keeping its shape. */
export async function readNpyArray(path: string): Promise<NpyArray> {
  return parseNpyArray(await readBytes(path, 'NPY_READ', 'a readable .npy file'), path);
}

/** Read and decode a PNG image (alpha ignored; values in [0, 1]). */
export async function readPng(path: string): Promise<Image> {
  return decodePng(await readBytes(path, 'IMAGE_READ', 'a readable PNG file'), path);
}

async function readBytes(path: string, code: 'NPY_READ' | 'IMAGE_READ', allowed: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    fail(code, path, `cannot read the file (${e.code ?? e.message})`, allowed);
  }
}

/** Write a float64 array as a .npy file (<f8), atomically. */
export async function writeNpy(path: string, data: Float64Array, shape: number[] = [data.length]): Promise<void> {
  await writeFileAtomic(path, toNpy(data, shape));
}

/**
 * A path a file can be written to, checked before any work: not empty, not a directory, in an existing
 * folder this process may create files in (INVALID_OPTION naming `argument` otherwise).
 */
export function checkOutputPath(path: string, argument: string): void {
  const allowed = 'a file path in an existing, writable folder';
  if (typeof path !== 'string' || path === '') fail('INVALID_OPTION', argument, 'is empty', allowed);
  const existing = statOrNull(path);
  if (existing?.isDirectory()) fail('INVALID_OPTION', argument, `${path} is a directory`, allowed);
  const folder = dirname(resolve(path));
  const parent = statOrNull(folder);
  if (!parent) fail('INVALID_OPTION', argument, `the folder ${folder} does not exist`, allowed);
  if (!parent.isDirectory()) fail('INVALID_OPTION', argument, `${folder} is not a folder`, allowed);
  try {
    accessSync(folder, constants.W_OK | constants.X_OK);
  } catch {
    fail('INVALID_OPTION', argument, `the folder ${folder} is not writable`, allowed);
  }
}

function statOrNull(path: string) {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/** Temporary files being written: removed if the process is interrupted or exits mid-write. */
const pending = new Set<string>();

function removePending(): void {
  for (const tmp of pending) {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
  }
  pending.clear();
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Remove the temporary files, then let the signal do what it would have done without us. */
function onSignal(signal: NodeJS.Signals): void {
  removePending();
  disarm();
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function arm(): void {
  if (pending.size !== 1) return;
  for (const s of SIGNALS) process.on(s, onSignal);
  process.on('exit', removePending);
}

function disarm(): void {
  if (pending.size !== 0) return;
  for (const s of SIGNALS) process.off(s, onSignal);
  process.off('exit', removePending);
}

/**
 * Write `bytes` to `path` atomically: to a temporary file in the same folder (same file system), flushed,
 * then renamed over `path`. On failure the temporary file is removed, `path` is untouched, and a typed
 * FILE_WRITE error names the cause (ENOSPC, EFBIG, EACCES, ...).
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  pending.add(tmp);
  arm();
  try {
    const file = await open(tmp, 'wx');
    try {
      await file.writeFile(bytes);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    const e = err as NodeJS.ErrnoException;
    fail('FILE_WRITE', path, `cannot write the file (${e.code ?? e.message})`, 'a writable path on a file system with room for it');
  } finally {
    pending.delete(tmp);
    disarm();
  }
}
