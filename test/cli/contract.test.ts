/**
 * Regression tests for the command line's part of issue 8: parse errors as one typed line with exit 2
 * (defect 5), checks before work (defect 3), no partial output files (defect 6), large and piped output
 * (defect 7), indefinite covariances and the spectrum summary (defect 8), grouped diagnostics.
 * GAUSSDIFF_CLI=/path/to/bin/gaussdiff.js runs them against another build (e.g. the old main).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNpy, encodePng } from '../../src/node.js';
import { ROOT } from '../helpers/shared.js';
import { runCli, BIN } from '../helpers/cli.js';
import { npyBytes } from '../helpers/npy.js';


const run = (args: string[], timeout = 60_000) => runCli(args, { timeout });

/** Run `node BIN args` in bash after `setup` (e.g. ulimit), with the quoting done here. */
function shell(setup: string, args: string[], after = '') {
  const command = `${setup}; '${process.execPath}' '${BIN}' ${args.map((a) => `'${a}'`).join(' ')}${after}`;
  const r = spawnSync('bash', ['-c', command], { encoding: 'utf8', cwd: ROOT, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'gaussdiff-contract-'));
const spectrumFile = join(dir, 'spec.npy');
writeFileSync(spectrumFile, npyBytes([0, 0, 0.01, 0.1, 0.1, 1, 3]));
const ONE_LINE = /^gaussdiff: error \[[A-Z_]+\] [^\n]+\n$/;

describe('parse errors: one typed line on stderr, exit 2 (defect 5)', () => {
  const cases: [string[], RegExp][] = [
    [['table', '--stepz', '5'], /\[UNKNOWN_OPTION\] --stepz: .*\(did you mean --steps\?\) \(allowed: .*--steps/],
    [['table', '--backend', 'foo'], /\[INVALID_OPTION\] --backend: got "foo" \(allowed: wasm, reference\)/],
    [['table', '--backend', 'wasn'], /\[INVALID_OPTION\] --backend: got "wasn" \(did you mean wasm\?\)/],
    [['table', '--steps'], /\[MISSING_OPTION\] --steps: needs a value/],
    [['table', 'stray'], /\[UNEXPECTED_ARGUMENT\] "stray": table takes no arguments/],
    [['spectrum', '--power-law'], /\[MISSING_OPTION\] --out: is required by spectrum/],
    [['tabel'], /\[UNKNOWN_COMMAND\] tabel: unknown command \(did you mean table\?\)/],
    [[], /\[MISSING_OPTION\] command: none given .*\(allowed: table, curve, error, rank, spectrum, validate, synth, pipeline, tradeoff, serve, figure1\)/],
    // validate takes no engine options (--backend only with --sampler): it would ignore them.
    [['validate', '--threads', '2'], /\[UNKNOWN_OPTION\] --threads: unknown option for validate/],
    [['validate', '--backend', 'wasm'], /\[INVALID_OPTION\] --backend: given without --sampler/],
    [['curve', '--grid', spectrumFile, '--steps', '10'], /\[INVALID_OPTION\] --grid: given with --steps/],
    [['synth', '--adsn', 'x.png', '--out', 'y.png', '--seed', '1.5'], /\[INVALID_OPTION\] --seed: got 1.5/],
  ];
  for (const [args, message] of cases) {
    it(`gaussdiff ${args.join(' ')}`, () => {
      const r = run(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(ONE_LINE);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    });
  }

  it('--help and --version still print and exit 0', () => {
    for (const args of [['--help'], ['table', '--help'], ['help'], ['--version']]) {
      const r = run(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout.length).toBeGreaterThan(0);
      expect(r.stderr).toBe('');
    }
  });
});

describe('checks before work (defect 3)', () => {
  it('--threads out of range fails at once, before any worker starts', () => {
    for (const n of ['1000', '1e9', '0', '2.5']) {
      const t0 = Date.now();
      const r = run(['table', '--threads', n], 20_000);
      expect(r.code, `--threads ${n}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/^gaussdiff: error \[INVALID_OPTION\] --threads: .*\(allowed: an integer from 1 to 64\)\n$/);
      expect(Date.now() - t0).toBeLessThan(10_000); // the old main spent 45 s booting 1000 workers
    }
  });

  it('output paths are checked before the input is read or anything computed', () => {
    const bad = join(dir, 'bad.npy');
    writeFileSync(bad, 'not numpy');
    const noFolder = join(dir, 'no-such-folder', 'v.npy');
    // The input is unreadable too: the output path must be the error, as it is checked first.
    const v = run(['validate', '--spectrum', bad, '--variances-out', noFolder]);
    expect(v.code).toBe(2);
    expect(v.stderr).toMatch(/^gaussdiff: error \[INVALID_OPTION\] --variances-out: the folder .*no-such-folder does not exist/);
    const s = run(['spectrum', '--covariance', bad, '--out', dir]);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/^gaussdiff: error \[INVALID_OPTION\] --out: .* is a directory/);
    const p = run(['synth', '--adsn', join(dir, 'missing.png'), '--out', noFolder]);
    expect(p.stderr).toMatch(/^gaussdiff: error \[INVALID_OPTION\] --out: the folder .*no-such-folder does not exist/);
  });

  it('table --steps 1e7 fails fast with TOO_LARGE, exit 2', () => {
    const t0 = Date.now();
    const r = run(['table', '--steps', '1e7', '--spectrum', 'image-like', '--threads', '1'], 30_000);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^gaussdiff: error \[TOO_LARGE\] steps: /m);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});

describe('no partial output files (defect 6)', () => {
  const haveBash = spawnSync('bash', ['-c', 'ulimit -f 1'], { encoding: 'utf8' }).status === 0;

  /** Files left in `folder` other than `keep`. */
  const leftovers = (folder: string, keep: string[] = []) => readdirSync(folder).filter((f) => !keep.includes(f));

  it.skipIf(!haveBash)('a write over the file-size limit (ulimit -f) leaves no file and a typed error', () => {
    const out = join(dir, 'limited');
    mkdirSync(out);
    // The power-law spectrum is 3072 x 8 bytes, far over a 1-block limit.
    const r = shell('ulimit -f 1', ['spectrum', '--power-law', '--out', join(out, 'X.npy')]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^gaussdiff: error \[FILE_WRITE\] .*X\.npy: cannot write the file \(EFBIG\)/);
    expect(leftovers(out)).toEqual([]); // neither X.npy nor a temporary file
    // An existing file is left intact.
    writeFileSync(join(out, 'X.npy'), 'previous');
    expect(shell('ulimit -f 1', ['spectrum', '--power-law', '--out', join(out, 'X.npy')]).code).toBe(2);
    expect(readFileSync(join(out, 'X.npy'), 'utf8')).toBe('previous');
    expect(leftovers(out, ['X.npy'])).toEqual([]);
    // The same for --variances-out and PNG output.
    const big = join(out, 'big.npy');
    writeFileSync(big, npyBytes(Array.from({ length: 300 }, (_, i) => 0.01 * (i + 1))));
    const v = shell('ulimit -f 1', ['validate', '--spectrum', big, '--steps', '5', '--particles', '10', '--variances-out', join(out, 'V.npy')]);
    expect(v.stderr).toMatch(/^gaussdiff: error \[FILE_WRITE\] .*V\.npy/);
    const w = 64;
    const data = new Float64Array(3 * w * w).map((_, i) => 0.5 + 0.4 * Math.sin(i * 0.37) * Math.cos(i * 0.011));
    const png = join(dir, 'texture.png');
    writeFileSync(png, encodePng({ width: w, height: w, channels: 3, data }));
    const s = shell('ulimit -f 1', ['synth', '--adsn', png, '--out', join(out, 'S.png')]);
    expect(s.stderr).toMatch(/^gaussdiff: error \[FILE_WRITE\] .*S\.png/);
    expect(leftovers(out, ['X.npy', 'big.npy'])).toEqual([]);
  });
});

describe('large and piped output (defect 7)', () => {
  it('curve with 130000 steps prints every step, as text and as JSON', () => {
    const args = ['curve', '--spectrum', spectrumFile, '--schemes', 'ei', '--inits', 'pT', '--steps', '130001', '--eps', '1e-3', '--every', '1'];
    const text = run(args);
    expect(text.code, text.stderr.slice(0, 500)).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines).toHaveLength(1 + 130000);
    expect(lines[130000]).toMatch(/^130000 /);
    const json = run([...args, '--json']);
    expect(json.code, json.stderr.slice(0, 500)).toBe(0);
    const out = JSON.parse(json.stdout);
    expect(out.times).toHaveLength(130000);
    expect(out.series[0].w2).toHaveLength(130000);
    // The same numbers as the text, which prints 5 significant digits.
    const last = Number(lines[130000].trim().split(/\s+/)[3]);
    expect(Math.abs(last - out.series[0].w2[129999])).toBeLessThanOrEqual(5e-5 * Math.abs(last));
  });

  it('exits quietly with code 0 when stdout is a pipe closed early (| head -c 10)', () => {
    const r = shell('set -o pipefail', ['curve', '--spectrum', spectrumFile, '--steps', '100000', '--every', '1', '--json'], ' | head -c 10; echo " status=${PIPESTATUS[0]}"');
    expect(r.stdout).toBe('{"steps":[ status=0\n');
    expect(r.stderr).toBe('');
  });
});

describe('spectrum (defect 8)', () => {
  it('refuses an indefinite covariance with NOT_POSITIVE_DEFINITE and writes nothing', () => {
    const out = join(dir, 'indefinite.npy');
    const c = join(dir, 'indefinite-c.npy');
    writeFileSync(c, npyBytes([2, 1, 0, 1, 2, 0, 0, 0, -1], { shape: [3, 3] })); // eigenvalues 1, 3, -1
    const r = run(['spectrum', '--covariance', c, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^gaussdiff: error \[NOT_POSITIVE_DEFINITE\] .*indefinite-c\.npy: is not positive semidefinite/);
    expect(existsSync(out)).toBe(false);
    // A negative eigenvalue within rounding (-1e-13 > -1e-10 x 3) is accepted as 0.
    writeFileSync(c, npyBytes([2, 1, 0, 1, 2, 0, 0, 0, -1e-13], { shape: [3, 3] }));
    const ok = run(['spectrum', '--covariance', c, '--out', out]);
    expect(ok.code, ok.stderr).toBe(0);
    const values = parseNpy(readFileSync(out));
    expect(values[0]).toBe(0);
    expect(Math.abs(values[1] - 1)).toBeLessThan(1e-14);
    expect(Math.abs(values[2] - 3)).toBeLessThan(1e-14);
  });

  it('the summary gives meaningful figures for an RGB image', () => {
    const w = 32;
    const data = new Float64Array(3 * w * w).map((_, i) => 0.5 + 0.4 * Math.sin(i * 0.37) * Math.cos(i * 0.011));
    const png = join(dir, 'rgb.png');
    writeFileSync(png, encodePng({ width: w, height: w, channels: 3, data }));
    const out = join(dir, 'rgb.npy');
    const r = run(['spectrum', '--adsn', png, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const values = parseNpy(readFileSync(out));
    let max = 0;
    let trace = 0;
    for (const v of values) { max = Math.max(max, v); trace += v; }
    const m = /d = (\d+), (\d+) distinct value\(s\), (\d+) zero\(s\), min nonzero (\S+), max (\S+), trace (\S+) ->/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    const [, d, distinct, zeros, , maxText, traceText] = m!;
    expect(Number(d)).toBe(values.length);
    expect(Number(distinct)).toBe(new Set(values).size);
    expect(Number(zeros)).toBe(values.filter((v) => v === 0).length);
    expect(max).toBeGreaterThan(1);
    expect(Math.abs(Number(maxText) - max)).toBeLessThanOrEqual(5e-4 * max); // 4 significant digits
    expect(Math.abs(Number(traceText) - trace)).toBeLessThanOrEqual(5e-4 * trace);
  });
});

describe('frictions', () => {
  it('table prints one diagnostic line per cause, naming the cells', () => {
    const r = run(['table', '--spectrum', spectrumFile, '--schemes', 'heun', '--steps', '10,20,40,80', '--eps', '0,1e-3']);
    expect(r.code, r.stderr).toBe(0);
    const inf = r.stdout.split('\n').filter((l) => l.startsWith('inf: '));
    expect(inf).toHaveLength(1);
    expect(inf[0]).toMatch(/^inf: heun, eps=0, N=10, N=20, N=40, N=80 x p_T, N\(0,I\): /);
  });

  it('validate says whether the closed form is consistent with the Monte Carlo, in text and JSON', () => {
    const args = ['validate', '--spectrum', spectrumFile, '--steps', '20', '--particles', '4000', '--seed', '3'];
    const text = run(args);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^verdict +consistent: the closed form agrees with the Monte Carlo at level 0\.001/m);
    const json = JSON.parse(run([...args, '--json']).stdout);
    expect(json).toMatchObject({ level: 1e-3, consistent: true });
    expect(json.maxAbsZ).toBeLessThan(json.zBound);
  });
});
