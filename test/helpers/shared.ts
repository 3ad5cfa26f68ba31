/**
 * Access to ../shared/reference (published data beside the checkout). A user's clone has no ../shared:
 * tests that need it skip with a visible message. In CI (CI=true) the folder is always present, so a
 * missing file there is a failure (see `requireInCi`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const REFERENCE_DIR = resolve(ROOT, '../shared/reference');
export const IN_CI = process.env.CI === 'true';

export function referencePath(name: string): string {
  return resolve(REFERENCE_DIR, name);
}

/** True when the file is there; otherwise warns (visible in the test output) and returns false. */
export function haveReference(name: string): boolean {
  const ok = existsSync(referencePath(name));
  if (!ok) {
    console.warn(`[gaussdiff tests] SKIPPING tests that need ../shared/reference/${name}: not found at ${referencePath(name)}`
      + (IN_CI ? ' -- and CI=true, so this is a FAILURE' : ' (expected on a user clone without ../shared)'));
  }
  return ok;
}

export function readReferenceText(name: string): string {
  return readFileSync(referencePath(name), 'utf8');
}

/** Published Table 2 cells parsed from ../shared/reference/README.md. */
export interface PublishedCell {
  scheme: 'em' | 'ei' | 'euler' | 'heun';
  eps: number;
  steps: number | null;
  init: 'pT' | 'normal';
  printed: string;
}

export function publishedTable2(): PublishedCell[] {
  const text = readReferenceText('README.md');
  const lines = text.split('\n').filter((l) => /^\| (EM|EI|Euler|Heun) \|/.test(l));
  const header = text.split('\n').find((l) => l.startsWith('| scheme | eps |'))!;
  const cols = header.split('|').slice(3, -1).map((c) => c.trim()); // e.g. "cont. p_T", "N=50 N(0,I)"
  const cells: PublishedCell[] = [];
  for (const line of lines) {
    const parts = line.split('|').slice(1, -1).map((c) => c.trim());
    const scheme = parts[0].toLowerCase() as PublishedCell['scheme'];
    const eps = Number(parts[1]);
    cols.forEach((col, j) => {
      const [what, start] = col.split(' ');
      cells.push({
        scheme, eps,
        steps: what === 'cont.' ? null : Number(what.slice(2)),
        init: start === 'p_T' ? 'pT' : 'normal',
        printed: parts[2 + j],
      });
    });
  }
  return cells;
}
