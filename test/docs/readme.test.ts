/**
 * Every example of README.md runs as written. A fenced block whose info string is `js example` is run as an
 * ES module by node (it imports 'gaussdiff', which resolves to this package by self-reference); a block
 * `sh example` is run line by line with bash in one scratch folder, in order, with `npx gaussdiff` taken
 * from this checkout. A `text output` block right after an `sh example` must equal what the block's last
 * command printed on stdout (trailing spaces ignored). An example that needs a published file names it:
 * `sh example needs=cifar10-spectrum.npy`; the test copies it from ../shared/reference into the scratch
 * folder at run time (it is never committed), and skips with a visible message where ../shared is absent
 * (failing in CI, where it is always present).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, IN_CI, haveReference, referencePath } from '../helpers/shared.js';

interface Block { lang: string; tags: string[]; needs: string[]; body: string; line: number; output?: string }

function blocks(markdown: string): Block[] {
  const out: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^```(\w+)\s*(.*)$/.exec(lines[i]);
    if (!m) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i].startsWith('```'); i++) body.push(lines[i]);
    const words = m[2].split(/\s+/).filter(Boolean);
    const needs = words.filter((w) => w.startsWith('needs=')).map((w) => w.slice(6));
    const block: Block = { lang: m[1], tags: words.filter((w) => !w.startsWith('needs=')), needs, body: body.join('\n'), line: start + 1 };
    const prev = out[out.length - 1];
    if (block.lang === 'text' && block.tags.includes('output') && prev?.tags.includes('example')) prev.output = block.body;
    else out.push(block);
  }
  return out.filter((b) => b.tags.includes('example'));
}

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const examples = blocks(README);
// Scratch folder inside the package (gitignored), so that `import 'gaussdiff'` resolves to this checkout.
const SCRATCH = join(ROOT, 'scratch', 'readme');
rmSync(SCRATCH, { recursive: true, force: true });
mkdirSync(SCRATCH, { recursive: true });
const BIN_DIR = join(SCRATCH, '.bin');
mkdirSync(BIN_DIR, { recursive: true });
// `npx gaussdiff ...` in an example runs this checkout's command line.
writeFileSync(join(BIN_DIR, 'npx'), `#!/usr/bin/env bash\nif [ "$1" = gaussdiff ]; then shift; exec node ${JSON.stringify(join(ROOT, 'bin', 'gaussdiff.js'))} "$@"; fi\nexec ${JSON.stringify(join(ROOT, 'node_modules', '.bin'))}/"$@"\n`, { mode: 0o755 });

const trimLines = (s: string) => s.split('\n').map((l) => l.trimEnd()).join('\n').trim();

describe('README examples run as written', () => {
  it('has examples to run (API, command line, Table 2)', () => {
    expect(examples.filter((b) => b.lang === 'js').length).toBeGreaterThan(0);
    expect(examples.filter((b) => b.lang === 'sh').length).toBeGreaterThan(0);
  });

  for (const [k, block] of examples.entries()) {
    const haveAll = block.needs.every((f) => haveReference(f));
    it.skipIf(!haveAll && !IN_CI)(`README.md line ${block.line} (${block.lang}${block.needs.length ? `, needs ${block.needs.join(', ')}` : ''})`, () => {
      for (const f of block.needs) copyFileSync(referencePath(f), join(SCRATCH, f));
      let stdout = '';
      if (block.lang === 'js') {
        const file = join(SCRATCH, `example-${k}.mjs`);
        writeFileSync(file, block.body);
        const r = spawnSync(process.execPath, [file], { cwd: SCRATCH, encoding: 'utf8' });
        expect(r.status, `README.md line ${block.line}:\n${r.stderr}`).toBe(0);
        stdout = r.stdout;
      } else if (block.lang === 'sh') {
        for (const cmd of block.body.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'))) {
          const r = spawnSync('bash', ['-c', cmd], {
            cwd: SCRATCH, encoding: 'utf8', env: { ...process.env, PATH: `${BIN_DIR}:${process.env.PATH}` },
          });
          expect(r.status, `README.md line ${block.line}: ${cmd}\n${r.stderr}`).toBe(0);
          stdout = r.stdout;
        }
      } else {
        throw new Error(`README.md line ${block.line}: examples are js or sh, not ${block.lang}`);
      }
      if (block.output !== undefined) expect(trimLines(stdout)).toBe(trimLines(block.output));
    });
  }
});
