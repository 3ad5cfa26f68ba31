/**
 * src/io/files.ts: atomic writes (defect 6 of issue 8) and output-path checks. The command-line side
 * (ulimit -f) is in test/cli/contract.test.ts; here an interrupted write (SIGINT in the middle of a large
 * write) and the typed errors.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeFileAtomic, checkOutputPath } from '../../src/io/files.js';
import { ROOT } from '../helpers/shared.js';

const dir = mkdtempSync(join(tmpdir(), 'gaussdiff-files-'));

describe('writeFileAtomic', () => {
  it('writes the bytes, replacing an existing file, and leaves nothing else', async () => {
    const path = join(dir, 'a.bin');
    writeFileSync(path, 'old');
    await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    expect(Array.from(readFileSync(path))).toEqual([1, 2, 3]);
    expect(readdirSync(dir)).toEqual(['a.bin']);
  });

  it('a failed write is a typed FILE_WRITE error and leaves no file', async () => {
    await expect(writeFileAtomic(join(dir, 'missing-folder', 'b.bin'), 'x')).rejects.toMatchObject({ code: 'FILE_WRITE' });
    await expect(writeFileAtomic(dir, 'x')).rejects.toMatchObject({ code: 'FILE_WRITE', argument: dir }); // a directory
    expect(readdirSync(dir)).toEqual(['a.bin']);
  });

  it('SIGINT during a large write removes the temporary file, keeps the old file, and still ends the process', async () => {
    const sub = join(dir, 'interrupted');
    mkdirSync(sub);
    const target = join(sub, 'big.bin');
    writeFileSync(target, 'previous');
    const entry = pathToFileURL(join(ROOT, 'dist', 'io', 'files.js')).href;
    const code = `import { writeFileAtomic } from ${JSON.stringify(entry)};
      const bytes = new Uint8Array(1 << 28);
      for (let i = 0; i < 4; i++) await writeFileAtomic(${JSON.stringify(target)}, bytes);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_, signal) => resolve(signal)));
    // Wait until a temporary file exists (mid-write), then interrupt.
    const t0 = Date.now();
    while (!readdirSync(sub).some((f) => f.endsWith('.tmp')) && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 5));
    expect(readdirSync(sub).some((f) => f.endsWith('.tmp'))).toBe(true);
    child.kill('SIGINT');
    expect(await exited).toBe('SIGINT');
    const left = readdirSync(sub);
    expect(left.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // Either the old file or a complete new one, never a partial one.
    const size = readFileSync(target).length;
    expect(size === 'previous'.length || size === 2 ** 28).toBe(true);
  }, 60_000);
});

describe('checkOutputPath', () => {
  it('accepts a new file in a writable folder and refuses a directory, a missing folder, an empty path', () => {
    expect(() => checkOutputPath(join(dir, 'new.npy'), '--out')).not.toThrow();
    expect(() => checkOutputPath(dir, '--out')).toThrow(/--out: .* is a directory/);
    expect(() => checkOutputPath(join(dir, 'nope', 'x.npy'), '--out')).toThrow(/--out: the folder .*nope does not exist/);
    expect(() => checkOutputPath('', '--out')).toThrow(/--out: is empty/);
  });
});
