/**
 * Self-check of test/independent/direct.ts against Table 2 of Pierret & Galerne (ICML 2025).
 * Not a vitest file. Run from the project root:
 *   npx tsx test/independent/direct.selfcheck.ts [path/to/reference-dir]
 * Reads ../shared/reference/cifar10-spectrum.npy and the published table in ../shared/reference/README.md
 * (nothing is copied into the project). Exits 1 if a cell does not match as printed.
 */
import { readFileSync, existsSync } from 'node:fs';
import { resolve, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { directContinuous, directScheme, type DirectScheme } from './direct.ts';

const here = dirname(fileURLToPath(import.meta.url));
const refDir = resolve(process.argv[2] ?? join(here, '..', '..', '..', 'shared', 'reference'));
if (!existsSync(join(refDir, 'cifar10-spectrum.npy'))) {
  console.log(`SKIP: reference folder not found at ${refDir}`);
  process.exit(0);
}

/** Minimal .npy reader: magic, version 1/2/3, header dict, 1-D '<f4' or '<f8', C order. */
function readNpy(path: string): Float64Array {
  const buf = readFileSync(path);
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
  for (let i = 0; i < 6; i++) if (buf[i] !== magic[i]) throw new Error(`${path}: not a .npy file`);
  const major = buf[6];
  let headerLen: number;
  let offset: number;
  if (major === 1) {
    headerLen = buf.readUInt16LE(8);
    offset = 10;
  } else if (major === 2 || major === 3) {
    headerLen = buf.readUInt32LE(8);
    offset = 12;
  } else throw new Error(`${path}: unsupported .npy version ${major}`);
  const header = buf.subarray(offset, offset + headerLen).toString(major === 3 ? 'utf8' : 'latin1');
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeStr = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeStr === undefined) throw new Error(`${path}: bad header ${header}`);
  const shape = shapeStr.split(',').map((x) => x.trim()).filter((x) => x.length > 0).map(Number);
  if (fortran === 'True' && shape.length > 1) throw new Error(`${path}: fortran order not supported`);
  const count = shape.reduce((a, b) => a * b, 1);
  const dataStart = offset + headerLen;
  const out = new Float64Array(count);
  if (descr === '<f4') {
    for (let i = 0; i < count; i++) out[i] = buf.readFloatLE(dataStart + 4 * i);
  } else if (descr === '<f8') {
    for (let i = 0; i < count; i++) out[i] = buf.readDoubleLE(dataStart + 8 * i);
  } else throw new Error(`${path}: unsupported dtype ${descr}`);
  if (buf.length < dataStart + count * (descr === '<f4' ? 4 : 8)) throw new Error(`${path}: truncated`);
  return out;
}

const schemes: DirectScheme[] = ['em', 'ei', 'euler', 'heun'];
const schemeNames: Record<DirectScheme, string> = { em: 'EM', ei: 'EI', euler: 'Euler', heun: 'Heun' };
const epsList = [0, 1e-5, 1e-3, 1e-2];
const epsNames = ['0', '1e-5', '1e-3', '1e-2'];
const stepsList: (number | null)[] = [null, 50, 250, 500, 1000];
const inits = ['pT', 'normal'] as const;

/** Published table: key `${scheme}|${eps}` -> 10 strings in README column order (cont pT, cont N, N=50 pT, ...). */
function readPublished(path: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    // | scheme | eps | 10 values |  -> ['', scheme, eps, ...10, '']
    if (cells.length !== 14) continue;
    const name = cells[1];
    if (!Object.values(schemeNames).includes(name)) continue;
    map.set(`${name}|${cells[2]}`, cells.slice(3, 13));
  }
  return map;
}

/** Does `x` print as `published` ("two decimals, or two significant digits in scientific notation below 1e-2")? */
function matches(x: number, published: string): boolean {
  if (!Number.isFinite(x)) return published.toLowerCase() === 'inf';
  if (published === '0') return Math.abs(x) < 0.005;
  if (/e/i.test(published)) {
    // scientific notation, two significant digits
    return Number(x.toExponential(1)) === Number(published);
  }
  return x.toFixed(2) === Number(published).toFixed(2);
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return x !== 0 && Math.abs(x) < 1e-2 ? x.toExponential(3) : x.toFixed(4);
}

const spectrum = readNpy(join(refDir, 'cifar10-spectrum.npy'));
const published = readPublished(join(refDir, 'README.md'));
if (published.size !== 16) throw new Error(`expected 16 table rows in README, found ${published.size}`);

let nCells = 0;
let nMatch = 0;
const mismatches: string[] = [];
const t0 = performance.now();
console.log(`CIFAR-10 spectrum: d = ${spectrum.length}`);
console.log('scheme eps    | steps | init   |  computed   | published | ok');
for (const scheme of schemes) {
  for (let e = 0; e < epsList.length; e++) {
    const row = published.get(`${schemeNames[scheme]}|${epsNames[e]}`);
    if (!row) throw new Error(`no published row for ${scheme} eps=${epsNames[e]}`);
    for (let j = 0; j < stepsList.length; j++) {
      const N = stepsList[j];
      for (let q = 0; q < inits.length; q++) {
        const init = inits[q];
        const w2 = N === null
          ? directContinuous(spectrum, scheme, epsList[e], init)
          : directScheme(spectrum, scheme, epsList[e], N, init);
        const pub = row[2 * j + q];
        const ok = matches(w2, pub);
        nCells++;
        if (ok) nMatch++;
        const line =
          `${schemeNames[scheme].padEnd(6)} ${epsNames[e].padEnd(6)} | ${String(N ?? 'cont').padStart(5)} | ${init.padEnd(6)} | ` +
          `${fmt(w2).padStart(11)} | ${pub.padStart(9)} | ${ok ? 'yes' : 'NO'}`;
        console.log(line);
        if (!ok) mismatches.push(`${line}  (diff ${(w2 - Number(pub)).toExponential(2)})`);
      }
    }
  }
}
console.log(`\n${nMatch} / ${nCells} cells match the published Table 2 as printed (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
if (mismatches.length > 0) {
  console.log('Mismatches:');
  for (const m of mismatches) console.log('  ' + m);
  process.exitCode = 1;
}
